//! `sysfence run --isolate`, in the kernel as root: the command gets a PID namespace and
//! a private /proc of its own under sysfence's init, so a profile that allows ptrace (as
//! moby's does) no longer reaches the unfiltered processes of its user; signals reach
//! the command, orphans are reaped, the exit status is the command's. Without
//! --isolate, `run` warns about what the profile lets reach other processes, and about
//! TRACE/NOTIFY rules, which deny nothing.

mod common;

use std::os::unix::process::ExitStatusExt;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const MOBY: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../policy/tests/data/moby/default.json"
);

fn run(extra: &[&str], command: &[&str]) -> Output {
    common::sysfence()
        .args(["run", "--profile", MOBY])
        .args(extra)
        .arg("--")
        .args(command)
        .output()
        .unwrap()
}

/// The bypass: under moby's profile (which allows ptrace on kernels >= 4.8), a
/// filtered program can seize an unfiltered process of its user. With --isolate that
/// process does not exist for it.
#[test]
fn isolate_puts_the_users_other_processes_out_of_reach() {
    let mut outside = Command::new("sleep").arg("20").spawn().unwrap();
    let seize = format!(
        "import ctypes; libc = ctypes.CDLL(None, use_errno=True); \
         r = libc.ptrace(0x4206, {}, 0, 0); print(r, ctypes.get_errno())",
        outside.id()
    );
    let open = run(&[], &["/usr/bin/python3", "-c", &seize]);
    let isolated = run(&["--isolate"], &["/usr/bin/python3", "-c", &seize]);
    let _ = outside.kill();
    let _ = outside.wait();
    assert_eq!(
        String::from_utf8_lossy(&open.stdout).trim(),
        "0 0",
        "without --isolate the seize works: {open:?}"
    );
    assert_eq!(
        String::from_utf8_lossy(&isolated.stdout).trim(),
        format!("-1 {}", libc::ESRCH),
        "with --isolate there is no such process: {isolated:?}"
    );
}

#[test]
fn the_command_is_pid_2_under_our_init_and_sees_only_its_namespace() {
    let out = run(
        &["--isolate"],
        &[
            "sh",
            "-c",
            "echo $$; cat /proc/1/cmdline | tr '\\0' ' '; echo; ls /proc | grep -cE '^[0-9]+$'",
        ],
    );
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "2", "{text}");
    assert!(
        lines[1].contains("sysfence"),
        "PID 1 is sysfence's init: {text}"
    );
    let count: usize = lines[2].parse().unwrap();
    assert!(
        count <= 5,
        "only the namespace's processes are in /proc: {count}"
    );
}

#[test]
fn the_exit_status_is_the_commands() {
    assert_eq!(
        run(&["--isolate"], &["sh", "-c", "exit 3"]).status.code(),
        Some(3)
    );
    assert_eq!(
        run(&["--isolate"], &["sh", "-c", "kill -TERM $$"])
            .status
            .code(),
        Some(128 + libc::SIGTERM)
    );
}

/// SIGTERM to sysfence reaches the command through init; an orphan left running
/// inside does not keep sysfence waiting.
#[test]
fn signals_are_forwarded_and_orphans_do_not_keep_us() {
    for sig in [libc::SIGTERM, libc::SIGINT, libc::SIGHUP] {
        let mut child = common::sysfence()
            .args(["run", "--isolate", "--profile", MOBY, "--", "sleep", "30"])
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(300));
        // SAFETY: kill(2) on our own child.
        unsafe { libc::kill(child.id() as i32, sig) };
        let start = Instant::now();
        let status = child.wait().unwrap();
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "signal {sig} not forwarded"
        );
        assert_eq!(status.code(), Some(128 + sig), "{status:?}");
    }
    let start = Instant::now();
    let out = run(&["--isolate"], &["sh", "-c", "(sleep 29.5 &); exit 0"]);
    assert!(out.status.success(), "{out:?}");
    assert!(start.elapsed() < Duration::from_secs(10));
    std::thread::sleep(Duration::from_millis(100));
    let left = Command::new("pgrep")
        .args(["-f", "^sleep 29.5$"])
        .output()
        .unwrap();
    let alive: Vec<u32> = String::from_utf8_lossy(&left.stdout)
        .split_whitespace()
        .filter_map(|p| p.parse().ok())
        .filter(|&p| common::proc_state(p).is_some_and(|s| s != 'Z'))
        .collect();
    assert!(
        alive.is_empty(),
        "the orphan outlived the namespace: {alive:?}"
    );
    assert!(out.status.signal().is_none());
}

#[test]
fn run_warns_about_calls_that_reach_other_processes_unless_isolated() {
    let open = run(&[], &["true"]);
    let err = String::from_utf8_lossy(&open.stderr);
    assert!(
        err.contains("allows ptrace, process_vm_writev, process_vm_readv")
            && err.contains("--isolate"),
        "{err}"
    );
    let isolated = run(&["--isolate"], &["true"]);
    assert_eq!(String::from_utf8_lossy(&isolated.stderr), "");
}

/// mkdir -> NOTIFY (or TRACE) is no denial: `run` says so and names the fix.
#[test]
fn run_warns_that_trace_and_notify_deny_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("p.json");
    std::fs::write(
        &profile,
        r#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[
            {"names":["mkdir"],"action":"SCMP_ACT_NOTIFY"},
            {"names":["rmdir"],"action":"SCMP_ACT_TRACE"},
            {"names":["ptrace","process_vm_writev","process_vm_readv","pidfd_getfd","process_madvise","kcmp"],"action":"SCMP_ACT_ERRNO"}]}"#,
    )
    .unwrap();
    let out = common::sysfence()
        .arg("run")
        .arg("--profile")
        .arg(&profile)
        .args(["--complain", "--", "true"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    for name in ["mkdir -> SCMP_ACT_NOTIFY", "rmdir -> SCMP_ACT_TRACE"] {
        assert!(err.contains(&format!("{name} denies nothing")), "{err}");
    }
    assert!(
        err.contains("use SCMP_ACT_ERRNO or SCMP_ACT_KILL_PROCESS"),
        "{err}"
    );
    assert!(
        !err.contains("--isolate"),
        "no cross-process call allowed: {err}"
    );
}

/// `profile lint` finds the same escapes as `run`, in a profile and in its compiled form.
#[test]
fn lint_names_no_denials_and_cross_process_calls_in_a_profile_and_its_bpf() {
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("p.json");
    std::fs::write(
        &profile,
        r#"{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[
            {"names":["mkdir"],"action":"SCMP_ACT_NOTIFY"},
            {"names":["rmdir"],"action":"SCMP_ACT_TRACE"},
            {"names":["read","write","ptrace"],"action":"SCMP_ACT_ALLOW"}]}"#,
    )
    .unwrap();
    let bpf = dir.path().join("p.bpf");
    let out = common::sysfence()
        .args(["profile", "compile"])
        .arg(&profile)
        .arg("-o")
        .arg(&bpf)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let lint = |file: &std::path::Path| {
        let out = common::sysfence()
            .args(["profile", "lint"])
            .arg(file)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{out:?}");
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let findings: Vec<String> = text
            .lines()
            .filter_map(|l| l.split_once(": ["))
            .map(|(_, f)| f.to_string())
            .filter(|f| f.starts_with("no-denial") || f.starts_with("cross-process"))
            .collect();
        findings
    };
    let from_profile = lint(&profile);
    assert_eq!(from_profile, lint(&bpf), "a profile and its .bpf agree");
    assert!(
        from_profile
            .iter()
            .any(|f| f.starts_with("no-denial] mkdir is answered SCMP_ACT_NOTIFY"))
    );
    assert!(
        from_profile
            .iter()
            .any(|f| f.starts_with("no-denial] rmdir is answered SCMP_ACT_TRACE"))
    );
    assert!(
        from_profile
            .iter()
            .any(|f| f.starts_with("cross-process] ptrace allowed"))
    );
}

/// A NOTIFY default is one finding (not one per syscall), in a profile and its .bpf.
#[test]
fn lint_reports_a_notify_default_once() {
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("d.json");
    std::fs::write(
        &profile,
        r#"{"defaultAction":"SCMP_ACT_NOTIFY","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW"}]}"#,
    )
    .unwrap();
    let bpf = dir.path().join("d.bpf");
    let out = common::sysfence()
        .args(["profile", "compile"])
        .arg(&profile)
        .arg("-o")
        .arg(&bpf)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    for file in [&profile, &bpf] {
        let out = common::sysfence()
            .args(["profile", "lint"])
            .arg(file)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        let no_denials: Vec<&str> = text.lines().filter(|l| l.contains("[no-denial]")).collect();
        assert_eq!(no_denials.len(), 1, "{text}");
        assert!(
            no_denials[0].contains("the default action is SCMP_ACT_NOTIFY"),
            "{text}"
        );
    }
}
