//! The seccomp-bpf fast path: automatic when -e trace= narrows the set for a command
//! started with -f (as strace's --seccomp-bpf, never without -f), children keep working,
//! and the tree dies with the tracer.

mod common;

use common::{STRACE, fixture, proc_state, require, trace};
use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::{Duration, Instant};

#[test]
fn a_narrowed_set_installs_a_filter_and_a_full_trace_does_not() {
    let out = trace(&["-f", "-e", "trace=openat", "cat", "/proc/self/status"]);
    assert!(out.status.success());
    let status = String::from_utf8_lossy(&out.stdout);
    assert!(status.contains("Seccomp:\t2"), "{status}");
    let fd = common::next_fds(1)[0];
    let opened = format!("openat(AT_FDCWD, \"/proc/self/status\", O_RDONLY) = {fd}");
    assert!(String::from_utf8_lossy(&out.stderr).contains(&opened));

    let out = trace(&["-o", "/dev/null", "cat", "/proc/self/status"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("Seccomp:\t0"));
}

/// Without -f only the command is traced, as under strace: its children are not
/// followed, carry no filter and can be traced by others (PTRACE_TRACEME works).
#[test]
fn without_dash_f_a_narrowed_trace_leaves_children_alone() {
    let out = trace(&[
        "-e",
        "trace=openat",
        "sh",
        "-c",
        "grep Seccomp: /proc/self/status; strace -o /dev/null true && echo traceable",
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("Seccomp:\t0"), "{stdout}");
    if std::path::Path::new("/usr/bin/strace").exists() {
        assert!(stdout.contains("traceable"), "{stdout}");
    }
    let out = trace(&[
        "--seccomp-bpf",
        "-e",
        "trace=openat",
        "cat",
        "/proc/self/status",
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.lines().next()
            == Some("sysfence: --seccomp-bpf cannot be used without -f/--follow-forks, disabling"),
        "strace's message first: {err}"
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("Seccomp:\t0"));
    let fd = common::next_fds(1)[0];
    let opened = format!("openat(AT_FDCWD, \"/proc/self/status\", O_RDONLY) = {fd}");
    assert!(err.contains(&opened), "{err}");
}

#[test]
fn children_work_without_dash_f_and_only_the_selected_calls_print() {
    let out = trace(&[
        "-e",
        "trace=write",
        "sh",
        "-c",
        "echo a; (echo b); /bin/echo c",
    ]);
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "a\nb\nc\n",
        "no ENOSYS in untraced children"
    );
    let text = String::from_utf8_lossy(&out.stderr);
    for line in text.lines() {
        assert!(
            line.starts_with("write(1, \"a\\n\", 2)")
                || line.starts_with("--- SIGCHLD")
                || line == "+++ exited with 0 +++",
            "unexpected line {line:?} in\n{text}"
        );
    }
    let with_f = trace(&["-f", "-e", "trace=write", "sh", "-c", "echo a; /bin/echo c"]);
    let text = String::from_utf8_lossy(&with_f.stderr);
    assert!(text.contains("] write(1, \"c\\n\", 2)"), "{text}");
}

#[test]
fn the_traced_tree_dies_with_the_tracer() {
    let busy = fixture("trace_busy");
    let mut tracer = common::sysfence()
        .args(["trace", "-f", "-q", "-o", "/dev/null", "-e", "trace=openat"])
        .arg(&busy)
        .stdout(Stdio::piped())
        .spawn()
        .expect("tracer starts");
    let mut line = String::new();
    BufReader::new(tracer.stdout.as_mut().expect("piped"))
        .read_line(&mut line)
        .expect("ready");
    let pid: u32 = line
        .trim()
        .strip_prefix("ready ")
        .and_then(|p| p.parse().ok())
        .expect("pid");
    tracer.kill().expect("SIGKILL the tracer");
    tracer.wait().expect("reaped");
    let start = Instant::now();
    while !matches!(proc_state(pid), None | Some('Z')) {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "the tracee outlived its tracer"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn attaching_explains_that_the_filter_cannot_be_used() {
    let mut pid = 4_000_000;
    while std::path::Path::new(&format!("/proc/{pid}")).exists() {
        pid += 1;
    }
    let out = trace(&["--seccomp-bpf", "-p", &pid.to_string(), "-e", "trace=none"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("seccomp-bpf fast path cannot be used with -p"),
        "{err}"
    );
}

#[test]
fn a_selection_of_all_but_one_syscall_still_uses_the_filter() {
    let out = trace(&["-f", "-e", "trace=!futex", "cat", "/proc/self/status"]);
    assert!(out.status.success());
    let status = String::from_utf8_lossy(&out.stdout);
    assert!(status.contains("Seccomp:\t2"), "{status}");
    let text = String::from_utf8_lossy(&out.stderr);
    let fd = common::next_fds(1)[0];
    let opened = format!("openat(AT_FDCWD, \"/proc/self/status\", O_RDONLY) = {fd}");
    assert!(text.contains(&opened), "{text}");
    assert!(text.contains(&format!("close({fd})")), "{text}");
    assert!(text.lines().all(|l| !l.starts_with("futex(")), "{text}");
    assert!(!text.contains("sysfence:"), "no fallback notice: {text}");
}

/// i386's socketcall is told as the call it makes, as strace tells it: `-e trace=socket`
/// selects both the int 0x80 socket call and socketcall(SYS_SOCKET), printed alike;
/// `-e trace=socketcall` selects neither; the same lines as strace's.
#[test]
fn int_0x80_calls_are_selected_by_their_i386_names_and_socketcall_by_its_sub_call() {
    let int80 = fixture("seccomp_int80");
    let int80 = int80.to_str().expect("utf-8");
    for (filter, calls) in [("trace=socket", 2), ("trace=socketcall", 0)] {
        let out = trace(&["-e", filter, int80, "socket"]);
        assert!(out.status.success());
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            "int80 socket: ok\nint80 socketcall: ok\n"
        );
        let text = String::from_utf8_lossy(&out.stderr);
        assert!(text.contains(" runs in 32 bit mode. ]"), "{text}");
        let lines: Vec<&str> = text
            .lines()
            .filter(|l| !l.starts_with("+++") && !l.starts_with("[ Process PID="))
            .collect();
        assert_eq!(lines.len(), calls, "{filter}: {text}");
        assert!(
            lines
                .iter()
                .all(|l| l.starts_with("socket(AF_UNIX, SOCK_STREAM, 0)")),
            "{text}"
        );
        if let Some(strace) = require(STRACE) {
            let theirs = std::process::Command::new(strace)
                .args(["-e", filter, int80, "socket"])
                .output()
                .unwrap();
            assert_eq!(
                normalized(&text),
                normalized(&String::from_utf8_lossy(&theirs.stderr)),
                "{filter}"
            );
        }
    }
}

/// A `gcc -m32` program's socket and connect through socketcall: the sub-calls' lines,
/// the address decoded, as strace prints them.
#[test]
fn i386_socketcall_connect_prints_as_connect() {
    let dir = tempfile::tempdir().unwrap();
    let Some(program) = common::socketcall_connect(dir.path(), "sc32") else {
        return;
    };
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port().to_string();
    let program = program.to_str().unwrap();
    let out = trace(&["-e", "trace=socket,connect", program, &port]);
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8_lossy(&out.stderr);
    let fd = common::next_fds(1)[0];
    let want = format!(
        "connect({fd}, {{sa_family=AF_INET, sin_port=htons({port}), sin_addr=inet_addr(\"127.0.0.1\")}}, 16) = 0"
    );
    assert!(text.contains(&want), "{text}");
    let socket = format!("socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = {fd}");
    assert!(text.contains(&socket), "{text}");
    if let Some(strace) = require(STRACE) {
        let theirs = std::process::Command::new(strace)
            .args(["-e", "trace=socket,connect", program, &port])
            .output()
            .unwrap();
        assert_eq!(
            normalized(&text),
            normalized(&String::from_utf8_lossy(&theirs.stderr))
        );
    }
}

/// The lines of a trace with pids, addresses, alignment and the tracer's name made
/// neutral, for comparing two tracers.
fn normalized(text: &str) -> Vec<String> {
    let subs = [
        (r"0x[0-9a-f]+", "ADDR"),
        (r"\b\d{3,}\b", "N"),
        (r"^\[pid +N\] ", "[pid N] "),
        (r" +=", " ="),
        // A tracer's messages start with its argv[0], which may be a path.
        (r"^(?:\S*/)?(?:strace|sysfence): ", "TRACER: "),
    ]
    .map(|(re, to)| (regex::Regex::new(re).expect("valid"), to));
    text.lines()
        .map(|l| {
            subs.iter().fold(l.to_string(), |l, (re, to)| {
                re.replace_all(&l, *to).into_owned()
            })
        })
        .collect()
}

#[test]
fn personality_notices_come_from_unselected_calls_too_as_strace_seccomp_bpf_prints_them() {
    // trace_i386 switches between 64-bit calls and int 0x80; neither execve nor
    // exit_group is one of its int 0x80 calls, so the notices come from calls the
    // selection leaves out.
    let Some(strace) = require(STRACE) else {
        return;
    };
    let prog = fixture("trace_i386");
    let prog = prog.to_str().expect("utf-8");
    let ours = trace(&["-f", "-e", "trace=execve,exit_group", prog]);
    assert!(ours.status.success());
    let reference = std::process::Command::new(strace)
        .args(["--seccomp-bpf", "-f", "-e", "trace=execve,exit_group", prog])
        .output()
        .expect("strace runs");
    assert!(reference.status.success());
    let ours = normalized(&String::from_utf8_lossy(&ours.stderr));
    let theirs = normalized(&String::from_utf8_lossy(&reference.stderr));
    assert!(
        ours.iter()
            .any(|l| l == "[ Process PID=N runs in 32 bit mode. ]"),
        "{ours:#?}"
    );
    assert_eq!(ours, theirs);
}

#[test]
fn every_test_here_passes_with_descriptors_3_and_4_already_inherited() {
    common::passes_with_descriptors_3_and_4_taken();
}
