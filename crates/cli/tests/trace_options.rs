//! strace's options on `sysfence trace`: -e trace/status/signal, -c/-C/-S/-w, -o/-ff,
//! --json, timestamps, -i, -a, and the errors for bad input.

mod common;

use common::{fixture, trace};
use regex::Regex;
use std::collections::HashSet;

fn stderr_of(args: &[&str]) -> String {
    let out = trace(args);
    assert!(
        out.status.success(),
        "sysfence trace {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stderr).expect("utf-8")
}

/// The trace of a command expected to exit 1 (cat of a missing file).
fn stderr_of_failing(args: &[&str]) -> String {
    let out = trace(args);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stderr).expect("utf-8")
}

fn syscall_names(text: &str) -> Vec<String> {
    let re = Regex::new(r"^(?:\[pid +\d+\] )?([a-z_0-9]+)\(").expect("regex");
    text.lines()
        .filter_map(|l| re.captures(l).map(|c| c[1].to_string()))
        .collect()
}

#[test]
fn trace_sets_select_names_classes_regexes_and_negations() {
    let file_class: HashSet<&str> = syscalls::Arch::X86_64
        .table()
        .in_class(syscalls::Class::File)
        .map(|s| s.name)
        .collect();
    let text = stderr_of(&["-e", "trace=%file,close", "cat", "/etc/hostname"]);
    let names = syscall_names(&text);
    assert!(names.iter().any(|n| n == "openat") && names.iter().any(|n| n == "close"));
    for n in &names {
        assert!(
            file_class.contains(n.as_str()) || n == "close",
            "{n} is not selected:\n{text}"
        );
    }

    let text = stderr_of(&["-e", "trace=/^open", "cat", "/etc/hostname"]);
    let names = syscall_names(&text);
    assert!(
        !names.is_empty() && names.iter().all(|n| n.starts_with("open")),
        "{names:?}"
    );

    let text = stderr_of(&["-e", "trace=!close,mmap", "cat", "/etc/hostname"]);
    let names = syscall_names(&text);
    assert!(names.iter().any(|n| n == "openat"));
    assert!(
        !names.iter().any(|n| n == "close" || n == "mmap"),
        "{names:?}"
    );
}

#[test]
fn an_unknown_syscall_name_is_a_usage_error_with_a_suggestion() {
    let out = trace(&["-e", "trace=opn", "true"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "usage errors exit 1 under trace, as strace's"
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("unknown syscall `opn`") && err.contains("did you mean `open`"),
        "{err}"
    );
    let out = trace(&["-e", "trace=%nosuchclass", "true"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown syscall class"));
}

#[test]
fn a_missing_command_is_a_clear_error() {
    let out = trace(&["/nonexistent/sysfence-program"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("can't run `/nonexistent/sysfence-program`")
    );
}

/// strace's checks of option combinations, in strace's words: -ff without -o is -f,
/// -c with -C, -w alone and -ff -o with -c are errors (status 1, with strace's "Try"
/// line), -S without -c and -A without -o are warnings.
#[test]
fn option_combinations_are_checked_as_strace_checks_them() {
    let out = trace(&["-ff", "sh", "-c", "true; (true)"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("[pid "),
        "-ff is -f without -o"
    );
    let errors: [(&[&str], &str); 3] = [
        (
            &["-c", "-C"],
            "-c/--summary-only and -C/--summary are mutually exclusive",
        ),
        (
            &["-w"],
            "-w/--summary-wall-clock must be given with (-c/--summary-only or -C/--summary)",
        ),
        (
            &["-ff", "-o", "/dev/null", "-c"],
            "(-c/--summary-only or -C/--summary) and -ff/--output-separately are mutually exclusive",
        ),
    ];
    for (args, message) in errors {
        let out = trace(&[args, &["true"]].concat());
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert_eq!(
            err,
            format!("sysfence: {message}\nTry 'sysfence trace -h' for more information.\n"),
            "{args:?}"
        );
    }
    let warnings: [(&[&str], &str); 3] = [
        (
            &["-S", "calls"],
            "-S/--summary-sort-by has no effect without (-c/--summary-only or -C/--summary)",
        ),
        (
            &["-A"],
            "-A/--output-append-mode has no effect without -o/--output",
        ),
        (
            &["-c", "-T"],
            "-T/--syscall-times has no effect with -c/--summary-only",
        ),
    ];
    for (args, message) in warnings {
        let out = trace(&[args, &["true"]].concat());
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {err}");
        assert_eq!(
            err.lines().next(),
            Some(format!("sysfence: {message}").as_str()),
            "{args:?}"
        );
    }
}

fn check_summary_layout(text: &str) -> Vec<(u64, u64, String)> {
    let lines: Vec<&str> = text.lines().collect();
    let header = lines
        .iter()
        .position(|l| *l == "% time     seconds  usecs/call     calls    errors syscall")
        .unwrap_or_else(|| panic!("no summary header in:\n{text}"));
    let dashes = "------ ----------- ----------- --------- --------- ----------------";
    assert_eq!(lines[header + 1], dashes);
    let row = Regex::new(r"^ *(\d+\.\d\d) +(\d+\.\d{6}) +(\d+) +(\d+) +(\d*) ([a-z_0-9]+)$")
        .expect("regex");
    let mut rows = Vec::new();
    let mut i = header + 2;
    while lines[i] != dashes {
        let c = row
            .captures(lines[i])
            .unwrap_or_else(|| panic!("bad row {:?}", lines[i]));
        rows.push((
            c[4].parse().expect("calls"),
            c[5].parse().unwrap_or(0),
            c[6].to_string(),
        ));
        i += 1;
    }
    let total = row.captures(lines[i + 1]).expect("total line");
    assert_eq!(&total[1], "100.00");
    assert_eq!(&total[6], "total");
    let calls: u64 = rows.iter().map(|r| r.0).sum();
    assert_eq!(total[4].parse::<u64>().expect("calls"), calls);
    rows
}

#[test]
fn summary_has_straces_layout_and_counts_errors() {
    let text = stderr_of_failing(&["-c", "cat", "/nonexistent/sysfence"]);
    assert!(!text.contains("openat("), "-c prints no trace");
    let rows = check_summary_layout(&text);
    let openat = rows.iter().find(|r| r.2 == "openat").expect("openat row");
    assert!(openat.1 >= 1, "the failed openat is counted as an error");

    let by_calls = stderr_of(&["-c", "-S", "calls", "-w", "ls", "/"]);
    let rows = check_summary_layout(&by_calls);
    assert!(
        rows.windows(2).all(|w| w[0].0 >= w[1].0),
        "sorted by calls: {rows:?}"
    );

    let both = stderr_of(&["-C", "true"]);
    assert!(both.contains("execve(\"/usr/bin/true\""));
    check_summary_layout(&both);
}

#[test]
fn dash_ff_writes_one_file_per_task_and_dash_o_prefixes_pids() {
    let dir = tempfile::tempdir().expect("tempdir");
    let base = dir.path().join("t");
    stderr_of(&[
        "-ff",
        "-o",
        base.to_str().expect("utf-8"),
        "sh",
        "-c",
        "true | true",
    ]);
    let files: Vec<_> = std::fs::read_dir(dir.path()).expect("dir").collect();
    assert!(files.len() >= 3, "sh and two children");
    let per_task_name = Regex::new(r"^t\.\d+$").expect("regex");
    for f in files {
        let path = f.expect("entry").path();
        let name = path.file_name().and_then(|n| n.to_str()).expect("name");
        assert!(per_task_name.is_match(name), "{name}");
        let text = std::fs::read_to_string(&path).expect("read");
        assert!(text.ends_with("+++ exited with 0 +++\n"), "{name}:\n{text}");
        assert!(
            !text.contains("[pid") && !text.contains("unfinished"),
            "{name}:\n{text}"
        );
    }

    let single = dir.path().join("all.txt");
    stderr_of(&[
        "-f",
        "-o",
        single.to_str().expect("utf-8"),
        "sh",
        "-c",
        "true | true",
    ]);
    let text = std::fs::read_to_string(&single).expect("read");
    let prefixed = Regex::new(r"^\d+ +\S").expect("regex");
    assert!(text.lines().all(|l| prefixed.is_match(l)), "{text}");
}

#[test]
fn json_lines_follow_schema_v1() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("t.jsonl");
    stderr_of_failing(&[
        "--json",
        "-o",
        path.to_str().expect("utf-8"),
        "cat",
        "/nonexistent/sysfence",
    ]);
    let text = std::fs::read_to_string(&path).expect("json file");
    let objs: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert!(
        objs.iter()
            .all(|o| o["v"] == 1 && o["pid"].is_i64() && o["ts"].is_f64())
    );
    let failed = objs
        .iter()
        .find(|o| o["name"] == "openat" && o["args"][1]["text"] == "\"/nonexistent/sysfence\"")
        .expect("the failed openat");
    assert_eq!(failed["type"], "syscall");
    assert_eq!(failed["ret"], -2);
    assert_eq!(failed["errno"], "ENOENT");
    assert_eq!(failed["args"][0]["text"], "AT_FDCWD");
    assert_eq!(failed["args"][1]["name"], "filename");
    let exit_group = objs
        .iter()
        .find(|o| o["name"] == "exit_group")
        .expect("exit_group");
    assert!(
        exit_group.get("ret").is_none(),
        "a call that never returns has no result"
    );
    let last = objs.last().expect("objects");
    assert_eq!(last["type"], "exit");
    assert_eq!(last["code"], 1);
}

#[test]
fn status_and_signal_qualifiers_filter_lines() {
    let text = stderr_of(&["-e", "status=failed", "cat", "/etc/hostname"]);
    let calls: Vec<&str> = text.lines().filter(|l| !l.starts_with("+++")).collect();
    assert!(!calls.is_empty());
    assert!(calls.iter().all(|l| l.contains("= -1 E")), "{text}");

    let prog = fixture("trace_fork_signal");
    let prog = prog.to_str().expect("utf-8");
    let all = stderr_of(&["-f", prog]);
    assert!(
        all.contains("--- SIGUSR1 {si_signo=SIGUSR1, si_code=SI_USER"),
        "{all}"
    );
    assert!(all.contains("+++ killed by SIGKILL +++"));
    let none = stderr_of(&["-f", "-e", "signal=none", prog]);
    assert!(!none.contains("---"), "{none}");
    let only_chld = stderr_of(&["-f", "-e", "signal=SIGCHLD", prog]);
    assert!(only_chld.contains("--- SIGCHLD") && !only_chld.contains("--- SIGUSR1"));
}

#[test]
fn timestamps_durations_and_instruction_pointers_prefix_lines() {
    let check = |args: &[&str], pattern: &str| {
        let mut all = args.to_vec();
        all.push("true");
        let text = stderr_of(&all);
        let re = Regex::new(pattern).expect("regex");
        for line in text.lines().filter(|l| !l.contains("+++")) {
            assert!(
                re.is_match(line),
                "{args:?}: {line:?} does not match {pattern}"
            );
        }
    };
    check(&["-t"], r"^\d\d:\d\d:\d\d [a-z]");
    check(&["-tt"], r"^\d\d:\d\d:\d\d\.\d{6} [a-z]");
    check(&["-ttt"], r"^\d{10}\.\d{6} [a-z]");
    check(&["-r"], r"^ +\d+\.\d{6} [a-z]");
    check(&["-T"], r" <\d+\.\d{6}>$|= \?$");
    check(&["-i"], r"^\[[0-9a-f]{16}\] [a-z]");
    let text = stderr_of(&["-a", "20", "-e", "trace=close", "cat", "/etc/hostname"]);
    let close = format!("{:<20}= 0", format!("close({}) ", common::next_fds(1)[0]));
    assert!(text.lines().any(|l| l == close), "{text}");
}

#[test]
fn several_pids_in_one_argument_are_all_attached() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    let start = || {
        let mut child = Command::new(fixture("trace_busy"))
            .stdout(Stdio::piped())
            .spawn()
            .expect("starts");
        let mut line = String::new();
        BufReader::new(child.stdout.as_mut().expect("piped"))
            .read_line(&mut line)
            .expect("ready");
        child
    };
    let (mut a, mut b) = (start(), start());
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("t.txt");
    let list = format!("{} {}", a.id(), b.id());
    let mut tracer = common::sysfence()
        .args([
            "trace",
            "-q",
            "-o",
            out.to_str().expect("utf-8"),
            "-p",
            &list,
        ])
        .spawn()
        .expect("tracer");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let seen = |pid: u32| {
        std::fs::read_to_string(&out)
            .is_ok_and(|t| t.lines().any(|l| l.starts_with(&format!("{pid} "))))
    };
    while !(seen(a.id()) && seen(b.id())) {
        assert!(
            std::time::Instant::now() < deadline,
            "both processes traced"
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    // SAFETY: kill takes plain integers.
    unsafe { libc::kill(tracer.id() as i32, libc::SIGTERM) };
    tracer.wait().expect("tracer ends");
    for child in [&mut a, &mut b] {
        assert_eq!(common::tracer_pid(child.id()), Some(0), "detached");
        let _ = child.kill();
        let _ = child.wait();
    }
}

#[test]
fn dash_capital_p_keeps_only_calls_touching_the_path() {
    let text = stderr_of(&["-P", "/etc/hostname", "cat", "/etc/hostname"]);
    let calls: Vec<&str> = text.lines().filter(|l| !l.starts_with("+++")).collect();
    assert!(
        calls
            .first()
            .is_some_and(|l| l.starts_with("openat(AT_FDCWD, \"/etc/hostname\", O_RDONLY) = ")),
        "{text}"
    );
    let fd = calls[0].rsplit(' ').next().expect("fd");
    for line in &calls[1..] {
        assert!(
            line.contains(&format!("({fd},")) || line.contains(&format!("({fd})")),
            "{line:?} does not use fd {fd}"
        );
    }
    assert!(calls.iter().any(|l| l.starts_with("close(")), "{text}");
}

/// Pinning shows in /proc/PID/status (Cpus_allowed_list: the kernel's real mask), never
/// in what sched_getaffinity answers (trace_affinity.rs compares that with untraced runs).
#[test]
fn a_single_threaded_command_shares_the_tracers_cpu_until_it_makes_a_thread() {
    let script = "import os,threading\n\
                  def real():\n\
                  \x20   s=[l for l in open('/proc/thread-self/status') if l.startswith('Cpus_allowed_list')][0]\n\
                  \x20   return s.split()[1]\n\
                  print(real(), len(os.sched_getaffinity(0)))\n\
                  r=[]\n\
                  t=threading.Thread(target=lambda: r.append(real())); t.start(); t.join()\n\
                  print(r[0], real())";
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    let all = if cpus > 1 {
        format!("0-{}", cpus - 1)
    } else {
        "0".into()
    };
    let out = trace(&["-o", "/dev/null", "/usr/bin/python3", "-c", script]);
    let lines: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(lines.len(), 2, "{out:?}");
    let (real, seen) = lines[0].split_once(' ').expect("two fields");
    if cpus > 1 {
        assert!(!real.contains('-'), "pinned while single-threaded: {real}");
    }
    assert_eq!(
        seen,
        cpus.to_string(),
        "sched_getaffinity does not show the pin"
    );
    assert_eq!(
        lines[1],
        format!("{all} {all}"),
        "every thread gets its affinity back"
    );
    let free = trace(&[
        "--no-follow-cpu",
        "-o",
        "/dev/null",
        "/usr/bin/python3",
        "-c",
        script,
    ]);
    let first = String::from_utf8_lossy(&free.stdout)
        .lines()
        .next()
        .unwrap_or_default()
        .to_string();
    assert_eq!(
        first,
        format!("{all} {cpus}"),
        "--no-follow-cpu leaves the command alone"
    );
}

#[test]
fn output_file_with_a_started_command_silences_attach_notices_as_strace_does() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("trace.txt");
    let out = out.to_str().expect("utf-8 path");
    let script = "/bin/true; /bin/true";
    let err = stderr_of(&["-f", "-o", out, "sh", "-c", script]);
    assert!(!err.contains("attached"), "notices with -o: {err}");
    let text = std::fs::read_to_string(out).expect("trace file");
    assert!(text.contains("execve(\"/bin/true\""), "{text}");
    // Without -o the notices stay, as strace prints them.
    let err = stderr_of(&["-f", "sh", "-c", script]);
    assert!(
        err.contains("Process ") && err.contains(" attached"),
        "{err}"
    );
}

/// Minutes since midnight of the first `-t` timestamp in a trace run with time zone `tz`.
fn first_stamp_minutes(tz: &str) -> i64 {
    let out = common::sysfence()
        .env("TZ", tz)
        .args(["trace", "-t", "-e", "trace=execve", "true"])
        .output()
        .expect("sysfence runs");
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    let stamp = Regex::new(r"(?m)^(\d\d):(\d\d):\d\d execve\(").expect("regex");
    let c = stamp
        .captures(&err)
        .unwrap_or_else(|| panic!("no -t stamp in {err}"));
    c[1].parse::<i64>().unwrap() * 60 + c[2].parse::<i64>().unwrap()
}

#[test]
fn timestamps_are_local_time_as_strace_prints_them() {
    // POSIX TZ "IST-5:30" is UTC+5:30: its stamps run 330 minutes ahead of UTC's.
    let utc = first_stamp_minutes("UTC0");
    let ist = first_stamp_minutes("IST-5:30");
    let ahead = (ist - utc).rem_euclid(24 * 60);
    assert!(
        (330..=331).contains(&ahead),
        "UTC {utc} min, UTC+5:30 {ist} min"
    );
}

#[test]
fn short_options_take_attached_values_as_strace_does() {
    // strace users write -s5, -etrace=openat, -Xraw with the value attached; the expected
    // line is strace 6.1's for the same command.
    let text = stderr_of_failing(&["-s5", "-etrace=openat", "-Xraw", "cat", "/nonexistent"]);
    let names = syscall_names(&text);
    assert!(
        !names.is_empty() && names.iter().all(|n| n == "openat"),
        "{names:?}"
    );
    let expected = r#"openat(-100, "/nonexistent", 0) = -1 ENOENT (No such file or directory)"#;
    assert!(
        text.lines()
            .any(|l| l.split_whitespace().eq(expected.split_whitespace())),
        "{text}"
    );
}

/// A command that cannot be executed: the failed execve shows, then strace's message
/// and exit status 1, with none of the child's own calls after it.
#[test]
fn a_command_that_cannot_be_executed_fails_as_under_strace() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("t");
    let out = trace(&["-o", file.to_str().unwrap(), "/etc/passwd"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "sysfence: exec: Permission denied\n"
    );
    let text = std::fs::read_to_string(&file).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(
        lines[0].starts_with("execve(\"/etc/passwd\", [\"/etc/passwd\"], 0x")
            && lines[0].ends_with("= -1 EACCES (Permission denied)"),
        "{text}"
    );
    assert_eq!(lines[1], "+++ exited with 1 +++");
}

/// Attaching to a process with threads under -f says how many, as strace does, and
/// each thread's detach is told, leader first.
#[test]
fn attaching_with_threads_says_how_many_and_detaches_each() {
    let mut victim = std::process::Command::new("/usr/bin/python3")
        .args([
            "-c",
            "import threading,time,sys\n[threading.Thread(target=time.sleep,args=(20,),daemon=True).start() for _ in range(3)]\nprint('ready', flush=True)\ntime.sleep(20)",
        ])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(victim.stdout.as_mut().unwrap()),
        &mut line,
    )
    .unwrap();
    let pid = victim.id();
    let tracer = common::sysfence()
        .args(["trace", "-f", "-o", "/dev/null", "-p", &pid.to_string()])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    // SAFETY: kill(2) on our own child.
    unsafe { libc::kill(tracer.id() as i32, libc::SIGINT) };
    let out = tracer.wait_with_output().unwrap();
    let _ = victim.kill();
    let _ = victim.wait();
    let err = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(
        lines[0],
        format!("sysfence: Process {pid} attached with 4 threads"),
        "{err}"
    );
    assert_eq!(
        lines[1],
        format!("sysfence: Process {pid} detached"),
        "{err}"
    );
    let others = lines[2..]
        .iter()
        .filter(|l| l.ends_with(" detached"))
        .count();
    assert_eq!(others, 3, "every thread's detach: {err}");
}

/// With --json on stderr, nothing but JSON goes there: no attach/detach notices.
#[test]
fn json_on_stderr_carries_no_notices() {
    let mut victim = std::process::Command::new("sleep")
        .arg("5")
        .spawn()
        .unwrap();
    let tracer = common::sysfence()
        .args(["trace", "--json", "-p", &victim.id().to_string()])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    // SAFETY: kill(2) on our own child.
    unsafe { libc::kill(tracer.id() as i32, libc::SIGINT) };
    let out = tracer.wait_with_output().unwrap();
    let _ = victim.kill();
    let _ = victim.wait();
    for line in String::from_utf8_lossy(&out.stderr).lines() {
        assert!(
            serde_json::from_str::<serde_json::Value>(line).is_ok(),
            "not JSON: {line:?}"
        );
    }
}

/// A refused attach names what can lift it here: Yama only where the kernel has it.
#[test]
fn a_refused_attach_advises_only_what_applies_here() {
    let mut victim = std::process::Command::new("sleep")
        .arg("5")
        .spawn()
        .unwrap();
    let me = env!("CARGO_BIN_EXE_sysfence");
    // As an unprivileged user, attaching to root's process is refused.
    let out = std::process::Command::new("setpriv")
        .args([
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            me,
            "trace",
            "-p",
        ])
        .arg(victim.id().to_string())
        .output()
        .unwrap();
    let _ = victim.kill();
    let _ = victim.wait();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("not permitted to trace process"), "{err}");
    assert!(!err.contains("os error"), "{err}");
    assert!(err.contains("run as root or with CAP_SYS_PTRACE"), "{err}");
    let restricting = std::fs::read_to_string("/proc/sys/kernel/yama/ptrace_scope")
        .is_ok_and(|s| s.trim() != "0");
    assert_eq!(err.contains("ptrace_scope"), restricting, "{err}");
}

/// Every long option of strace 7.2 that spells an option sysfence has is accepted with
/// strace's value syntax, and gives the same trace as its short form.
#[test]
fn strace_long_options_mean_what_their_short_forms_mean() {
    let dir = tempfile::tempdir().unwrap();
    let pairs: [(&[&str], &[&str]); 14] = [
        (&["--trace=openat"], &["-e", "trace=openat"]),
        (
            &["--trace=%file", "--status=failed"],
            &["-e", "trace=%file", "-e", "status=failed"],
        ),
        (
            &["--signals=none", "--trace=exit_group"],
            &["-e", "signal=none", "-e", "trace=exit_group"],
        ),
        (
            &["--signal=none", "--trace=exit_group"],
            &["-e", "signal=none", "-e", "trace=exit_group"],
        ),
        (
            &["--string-limit=4", "--trace=read"],
            &["-s", "4", "-e", "trace=read"],
        ),
        (
            &["--strings-in-hex", "--trace=read"],
            &["-xx", "-e", "trace=read"],
        ),
        (
            &["--strings-in-hex=non-ascii", "--trace=read"],
            &["-x", "-e", "trace=read"],
        ),
        (
            &["--decode-fds", "--trace=read"],
            &["-y", "-e", "trace=read"],
        ),
        (
            &["--decode-fds=all", "--trace=read"],
            &["-yy", "-e", "trace=read"],
        ),
        (
            &["--no-abbrev", "--trace=execve"],
            &["-v", "-e", "trace=execve"],
        ),
        (
            &["--const-print-style=raw", "--trace=openat"],
            &["-X", "raw", "-e", "trace=openat"],
        ),
        (
            &["--columns=60", "--trace=openat"],
            &["-a", "60", "-e", "trace=openat"],
        ),
        (
            &["--quiet=exit", "--trace=none"],
            &["-e", "quiet=exit", "-e", "trace=none"],
        ),
        (
            &["--follow-forks", "--trace=execve"],
            &["-f", "-e", "trace=execve"],
        ),
    ];
    let varying = regex::Regex::new("0x[0-9a-f]+|[0-9]{3,}").unwrap();
    for (long, short) in pairs {
        let run = |opts: &[&str]| {
            let out = trace(&[opts, &["cat", "/etc/hostname"]].concat());
            assert!(out.status.success(), "{opts:?}: {out:?}");
            // pids and addresses differ between runs.
            let text = String::from_utf8_lossy(&out.stderr).into_owned();
            varying.replace_all(&text, "N").into_owned()
        };
        assert_eq!(run(long), run(short), "{long:?} vs {short:?}");
    }
    // The script of the issue of record runs unchanged.
    let x = dir.path().join("x");
    let out = common::sysfence()
        .arg("trace")
        .args([
            "--follow-forks",
            &format!("--output={}", x.display()),
            "--trace=%file",
            "--summary-only",
        ])
        .args(["sh", "-c", "cat /etc/hostname > /dev/null"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let summary = std::fs::read_to_string(&x).unwrap();
    assert!(
        summary.contains("% time") && summary.contains("openat"),
        "{summary}"
    );
    // --output-separately is -ff's second f; --attach is -p; abbreviations work.
    let base = dir.path().join("sep");
    let out = common::sysfence()
        .arg("trace")
        .args(["--follow-forks", "--output-separately", "-o"])
        .arg(&base)
        .args(["sh", "-c", "true; (true)"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let files = std::fs::read_dir(dir.path())
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with("sep.")
        })
        .count();
    assert!(files >= 2, "one file per task: {files}");
    let out = trace(&["--summary-o", "--summary-sort=calls", "true"]);
    assert!(out.status.success(), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("% time"));
}

/// strace's timestamp options with their precisions.
#[test]
fn timestamp_long_options_take_strace_precisions() {
    let cases: [(&[&str], &str); 7] = [
        (&["-t"], r"^\d\d:\d\d:\d\d execve\("),
        (&["-tt"], r"^\d\d:\d\d:\d\d\.\d{6} execve\("),
        (&["-ttt"], r"^\d{10}\.\d{6} execve\("),
        (&["--absolute-timestamps"], r"^\d\d:\d\d:\d\d execve\("),
        (&["--timestamps=unix,ns"], r"^\d{10}\.\d{9} execve\("),
        (
            &["--absolute-timestamps=format:time,precision:ms"],
            r"^\d\d:\d\d:\d\d\.\d{3} execve\(",
        ),
        (
            &["--relative-timestamps=ms", "--syscall-times=ns"],
            r"^ +0\.\d{3} execve\(.* <\d+\.\d{9}>$",
        ),
    ];
    for (opts, pattern) in cases {
        let out = trace(&[opts, &["true"]].concat());
        let text = String::from_utf8_lossy(&out.stderr);
        let first = text.lines().next().unwrap_or_default();
        assert!(
            regex::Regex::new(pattern).unwrap().is_match(first),
            "{opts:?}: {first:?}"
        );
    }
    let out = trace(&["-t", "--absolute-timestamps", "true"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot be provided simultaneously"));
}

/// Unknown options get strace's words and status 1 under trace; other subcommands
/// keep status 2 for usage errors.
#[test]
fn unknown_options_are_reported_as_strace_reports_them() {
    let out = trace(&["--bogus-option", "true"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "sysfence: unrecognized option '--bogus-option'\nTry 'sysfence trace -h' for more information.\n"
    );
    let out = trace(&["-Q", "true"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "sysfence: invalid option -- 'Q'\nTry 'sysfence trace -h' for more information.\n"
    );
    let out = trace(&[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .starts_with("sysfence: must have PROG [ARGS] or -p PID\n")
    );
    let out = common::sysfence()
        .args(["syscalls", "--bogus"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// --kill-on-exit: killing the tracer kills an attached process too.
#[test]
fn kill_on_exit_takes_attached_processes_with_the_tracer() {
    let mut victim = std::process::Command::new("sleep")
        .arg("20")
        .spawn()
        .unwrap();
    let mut tracer = common::sysfence()
        .args([
            "trace",
            "--kill-on-exit",
            "-o",
            "/dev/null",
            "-p",
            &victim.id().to_string(),
        ])
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    tracer.kill().unwrap();
    tracer.wait().unwrap();
    let status = victim.wait().unwrap();
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(status.signal(), Some(libc::SIGKILL));
}

#[test]
fn every_test_here_passes_with_descriptors_3_and_4_already_inherited() {
    common::passes_with_descriptors_3_and_4_taken();
}
