//! The tracer under stress: tracees killed mid-trace, SIGINT while attached, many threads
//! and children, execve from a thread, job control, and -p errors. The tracer always runs
//! as a subprocess; attach tests wait for the target's "ready" line before attaching.

mod common;

use common::{STRACE, fixture, proc_state, require, sysfence, trace, tracer_pid};
use std::io::{BufRead, BufReader};
use std::os::unix::process::ExitStatusExt;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Starts the busy fixture (optionally under a command prefix) and returns it with its
/// pid once it printed "ready PID".
fn start_busy(prefix: &[&str], counter: Option<&std::path::Path>) -> (Child, u32) {
    let busy = fixture("trace_busy");
    let mut cmd = if prefix.is_empty() {
        Command::new(&busy)
    } else {
        let mut c = Command::new(prefix[0]);
        c.args(&prefix[1..]).arg(&busy);
        c
    };
    if let Some(path) = counter {
        cmd.arg(path);
    }
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("busy fixture starts");
    let mut line = String::new();
    BufReader::new(child.stdout.as_mut().expect("piped"))
        .read_line(&mut line)
        .expect("ready line");
    let pid = line
        .trim()
        .strip_prefix("ready ")
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("unexpected readiness line {line:?}"));
    (child, pid)
}

fn wait_until(what: &str, timeout: Duration, mut cond: impl FnMut() -> bool) {
    let start = Instant::now();
    while !cond() {
        assert!(start.elapsed() < timeout, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn kill(pid: u32, sig: i32) {
    // SAFETY: kill takes plain integers.
    unsafe { libc::kill(pid as i32, sig) };
}

fn wait_with_timeout(child: &mut Child, timeout: Duration) -> std::process::ExitStatus {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("wait works") {
            return status;
        }
        if start.elapsed() > timeout {
            let _ = child.kill();
            panic!("process did not finish within {timeout:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn exit_status_is_the_traced_commands() {
    let out = trace(&["-o", "/dev/null", "sh", "-c", "exit 7"]);
    assert_eq!(out.status.code(), Some(7));
}

#[test]
fn a_tracee_killing_itself_ends_the_trace_and_the_tracer_dies_the_same_way() {
    let out = trace(&["sh", "-c", "kill -9 $$"]);
    assert_eq!(
        out.status.signal(),
        Some(libc::SIGKILL),
        "status {:?}",
        out.status
    );
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(
        text.ends_with("+++ killed by SIGKILL +++\n"),
        "trace:\n{text}"
    );
}

#[test]
fn a_tracee_killed_from_outside_mid_trace_is_reported_and_nothing_stays_stopped() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("trace.txt");
    let out_s = out.to_str().expect("utf-8");
    let sysfence_bin = env!("CARGO_BIN_EXE_sysfence");
    let (mut tracer, pid) = start_busy(&[sysfence_bin, "trace", "-o", out_s], None);
    wait_until("syscalls in the trace", Duration::from_secs(10), || {
        std::fs::read_to_string(&out).is_ok_and(|t| t.contains("getppid()"))
    });
    kill(pid, libc::SIGKILL);
    let status = wait_with_timeout(&mut tracer, Duration::from_secs(10));
    assert_eq!(status.signal(), Some(libc::SIGKILL));
    let text = std::fs::read_to_string(&out).expect("trace file");
    assert!(
        text.ends_with("+++ killed by SIGKILL +++\n"),
        "trace tail:\n{}",
        &text[text.len().saturating_sub(300)..]
    );
    assert_eq!(proc_state(pid), None, "the tracee is gone");
}

#[test]
fn sigint_while_attached_detaches_and_the_target_keeps_running() {
    let dir = tempfile::tempdir().expect("tempdir");
    let counter = dir.path().join("count");
    let out = dir.path().join("trace.txt");
    let (mut target, pid) = start_busy(&[], Some(&counter));
    let mut tracer = sysfence()
        .args([
            "trace",
            "-o",
            out.to_str().expect("utf-8"),
            "-p",
            &pid.to_string(),
        ])
        .stderr(Stdio::piped())
        .spawn()
        .expect("tracer starts");
    wait_until("syscalls in the trace", Duration::from_secs(10), || {
        std::fs::read_to_string(&out).is_ok_and(|t| t.matches("getppid()").count() >= 20)
    });
    kill(tracer.id(), libc::SIGINT);
    let status = wait_with_timeout(&mut tracer, Duration::from_secs(10));
    assert_eq!(
        status.signal(),
        Some(libc::SIGINT),
        "the tracer ends as strace does"
    );
    let mut err = String::new();
    std::io::Read::read_to_string(tracer.stderr.as_mut().expect("piped"), &mut err).ok();
    assert!(
        err.contains(&format!("Process {pid} attached")),
        "stderr: {err}"
    );
    assert!(
        err.contains(&format!("Process {pid} detached")),
        "stderr: {err}"
    );

    // The target runs on, untraced and not stopped.
    assert_eq!(tracer_pid(pid), Some(0));
    let read_count = || -> u64 {
        std::fs::read_to_string(&counter)
            .ok()
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(0)
    };
    let before = read_count();
    wait_until(
        "the target to make progress",
        Duration::from_secs(10),
        || read_count() > before,
    );
    assert!(
        matches!(proc_state(pid), Some('R' | 'S')),
        "state {:?}",
        proc_state(pid)
    );

    // Every line of the trace is complete.
    let text = std::fs::read_to_string(&out).expect("trace file");
    assert!(text.ends_with('\n'));
    for line in text.lines() {
        assert!(
            line.contains(" = ")
                || line.ends_with(" <detached ...>")
                || line.starts_with("---")
                || line.starts_with("+++"),
            "partial line {line:?}"
        );
    }
    let _ = target.kill();
    let _ = target.wait();
}

#[test]
fn follows_a_hundred_threads() {
    let prog = fixture("trace_threads");
    let out = trace(&[
        "-f",
        "-e",
        "trace=getppid",
        prog.to_str().expect("utf-8"),
        "100",
    ]);
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout), "threads done\n");
    let text = String::from_utf8_lossy(&out.stderr);
    let calls = text
        .lines()
        .filter(|l| l.contains("getppid()") && l.contains(" = "))
        .count();
    let resumed = text
        .lines()
        .filter(|l| l.contains("<... getppid resumed>"))
        .count();
    let started = text
        .lines()
        .filter(|l| l.contains("getppid(") && !l.contains("resumed"))
        .count();
    assert_eq!(started, 100, "one getppid per thread:\n{text}");
    assert!(calls >= 100 - resumed);
    let exits = text
        .lines()
        .filter(|l| l.ends_with("+++ exited with 0 +++"))
        .count();
    assert_eq!(exits, 101, "every thread and the process exit");
}

#[test]
fn follows_two_hundred_short_lived_children() {
    let prog = fixture("trace_children");
    let out = trace(&[
        "-f",
        "-e",
        "trace=exit_group",
        prog.to_str().expect("utf-8"),
        "200",
    ]);
    assert!(
        out.status.success(),
        "stdout: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    let text = String::from_utf8_lossy(&out.stderr);
    let exits = text
        .lines()
        .filter(|l| l.contains("+++ exited with"))
        .count();
    assert_eq!(exits, 201);
    let calls = text
        .lines()
        .filter(|l| l.contains("exit_group(") && !l.contains("resumed"))
        .count();
    assert_eq!(calls, 201);
}

#[test]
fn execve_from_a_non_leader_thread_supersedes_the_leader() {
    let prog = fixture("trace_exec_thread");
    let out = trace(&["-f", "-e", "trace=execve", prog.to_str().expect("utf-8")]);
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "exec from thread done\n"
    );
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(
        text.contains("+++ superseded by execve in pid "),
        "trace:\n{text}"
    );
    let execs = text
        .lines()
        .filter(|l| l.contains("execve(") && l.ends_with("= 0"))
        .count()
        + text
            .lines()
            .filter(|l| l.contains("<... execve resumed>") && l.ends_with("= 0"))
            .count();
    assert_eq!(
        execs, 2,
        "the initial exec and the thread's, both successful:\n{text}"
    );
    assert!(text.ends_with("+++ exited with 0 +++\n"));
}

#[test]
fn job_control_still_works_for_traced_processes() {
    let prog = fixture("trace_stop");
    let out = trace(&["-f", prog.to_str().expect("utf-8")]);
    assert_eq!(String::from_utf8_lossy(&out.stdout), "job control ok\n");
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(
        text.contains("--- stopped by SIGSTOP ---"),
        "trace:\n{text}"
    );
    assert!(
        text.contains("--- SIGCONT {si_signo=SIGCONT, si_code=SI_USER"),
        "trace:\n{text}"
    );
}

#[test]
fn attaching_to_a_missing_pid_is_a_clear_error() {
    let mut pid = 4_000_000;
    while std::path::Path::new(&format!("/proc/{pid}")).exists() {
        pid += 1;
    }
    let out = trace(&["-p", &pid.to_string()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("no process with PID {pid}")),
        "stderr: {err}"
    );
}

#[test]
fn attaching_to_a_process_another_tracer_holds_is_a_clear_error() {
    let sysfence_bin = env!("CARGO_BIN_EXE_sysfence");
    let (mut first, pid) = start_busy(&[sysfence_bin, "trace", "-o", "/dev/null"], None);
    let out = trace(&["-p", &pid.to_string()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!(
            "process {pid} is already traced by process {}",
            first.id()
        )),
        "stderr: {err}"
    );
    kill(pid, libc::SIGKILL);
    wait_with_timeout(&mut first, Duration::from_secs(10));
}

#[test]
fn attaching_to_a_process_that_already_exited_is_a_clear_error() {
    let mut child = Command::new(fixture("trace_hello"))
        .stdout(Stdio::piped())
        .spawn()
        .expect("starts");
    let pid = child.id();
    wait_until("the fixture to exit", Duration::from_secs(10), || {
        proc_state(pid) == Some('Z')
    });
    let out = trace(&["-p", &pid.to_string()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("process {pid} has already exited")),
        "stderr: {err}"
    );
    child.wait().expect("reaped");
}

#[test]
fn a_process_killed_while_attached_ends_the_trace_cleanly() {
    let (mut target, pid) = start_busy(&[], None);
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("trace.txt");
    let mut tracer = sysfence()
        .args([
            "trace",
            "-q",
            "-o",
            out.to_str().expect("utf-8"),
            "-p",
            &pid.to_string(),
        ])
        .spawn()
        .expect("tracer starts");
    wait_until("syscalls in the trace", Duration::from_secs(10), || {
        std::fs::read_to_string(&out).is_ok_and(|t| t.contains("getppid()"))
    });
    kill(pid, libc::SIGKILL);
    let status = wait_with_timeout(&mut tracer, Duration::from_secs(10));
    assert!(
        status.success(),
        "an attach run exits 0 when its targets are gone: {status:?}"
    );
    let text = std::fs::read_to_string(&out).expect("trace file");
    assert!(text.ends_with("+++ killed by SIGKILL +++\n"));
    let _ = target.wait();
}

#[test]
fn a_call_cut_off_by_death_ends_unfinished_as_in_strace() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("trace.txt");
    let mut tracer = sysfence()
        .args([
            "trace",
            "-e",
            "trace=clock_nanosleep",
            "-o",
            out.to_str().expect("utf-8"),
            "sleep",
            "30",
        ])
        .spawn()
        .expect("tracer starts");
    wait_until("sleep to start sleeping", Duration::from_secs(10), || {
        // The entry part is flushed by the 20 ms tick while the tracee sleeps.
        std::fs::read_to_string(&out).is_ok_and(|t| t.contains("clock_nanosleep("))
    });
    let sleeper = std::fs::read_to_string(format!(
        "/proc/{}/task/{}/children",
        tracer.id(),
        tracer.id()
    ))
    .expect("children of the tracer")
    .trim()
    .parse::<u32>()
    .expect("one child");
    kill(sleeper, libc::SIGKILL);
    let status = wait_with_timeout(&mut tracer, Duration::from_secs(10));
    assert_eq!(status.signal(), Some(libc::SIGKILL));
    assert_eq!(
        std::fs::read_to_string(&out).expect("trace"),
        "clock_nanosleep(CLOCK_REALTIME, 0, {tv_sec=30, tv_nsec=0},  <unfinished ...>) = ?\n+++ killed by SIGKILL +++\n"
    );
}

/// Under `strace -f`, strace takes the child sysfence starts before sysfence can seize
/// it: sysfence must say who holds it and end that child (it never ran the command), not
/// leave it stopped with strace waiting on it for ever.
#[test]
fn a_started_command_another_tracer_took_first_is_a_clear_error_and_is_not_left_stopped() {
    let Some(strace) = require(STRACE) else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let marker = dir.path().join("ran");
    let script = format!("touch {}", marker.display());
    let mut strace = Command::new(strace)
        .args(["-f", "-o", "/dev/null"])
        .arg(env!("CARGO_BIN_EXE_sysfence"))
        .args(["trace", "-o", "/dev/null", "--", "sh", "-c", &script])
        .stderr(Stdio::piped())
        .spawn()
        .expect("strace starts");
    let status = wait_with_timeout(&mut strace, Duration::from_secs(20));
    let mut err = String::new();
    std::io::Read::read_to_string(&mut strace.stderr.take().expect("stderr"), &mut err)
        .expect("stderr");
    assert_eq!(status.code(), Some(1), "stderr: {err}");
    assert!(
        err.contains("is already traced by process"),
        "stderr: {err}"
    );
    assert!(
        !marker.exists(),
        "the command ran although it was not traced"
    );
}
