//! A task that dies inside a call: strace prints the call whole, `pause() = ?`, when
//! everything it shows was known at entry, and ` <unfinished ...>) = ?` only when
//! arguments were left for the exit. Each victim blocks in one call, is killed with
//! SIGKILL while it waits, under strace and under sysfence; the lines must be equal.

mod common;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The victim's pid: the tracer's child running `argv` (strace forks probes first).
fn victim_of(tracer: &Child, argv: &[&str]) -> u32 {
    let want: Vec<u8> = argv.iter().flat_map(|a| a.bytes().chain([0])).collect();
    let start = Instant::now();
    loop {
        let path = format!("/proc/{0}/task/{0}/children", tracer.id());
        let children = std::fs::read_to_string(path).unwrap_or_default();
        for pid in children
            .split_whitespace()
            .filter_map(|p| p.parse::<u32>().ok())
        {
            if std::fs::read(format!("/proc/{pid}/cmdline")).is_ok_and(|c| c == want) {
                return pid;
            }
        }
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "no victim started"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Waits until some thread of `pid` sleeps in syscall `nr` (/proc/PID/task/TID/syscall).
fn wait_blocked_in(pid: u32, nr: u32) {
    let start = Instant::now();
    loop {
        let tasks = std::fs::read_dir(format!("/proc/{pid}/task"));
        for task in tasks.into_iter().flatten().flatten() {
            let sc = std::fs::read_to_string(task.path().join("syscall")).unwrap_or_default();
            let stat = std::fs::read_to_string(task.path().join("stat")).unwrap_or_default();
            let sleeping = stat
                .rsplit_once(')')
                .is_some_and(|(_, r)| r.trim_start().starts_with('S'));
            if sleeping && sc.split_whitespace().next() == Some(&nr.to_string()) {
                // Let the tracer print the entry.
                std::thread::sleep(Duration::from_millis(60));
                return;
            }
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "{pid} never blocked in {nr}"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Runs `victim` under `tracer -f -o FILE`, kills it in call `name`, returns the line of
/// that call that ends in `= ?`, with addresses masked.
fn death_line(tracer: &mut Command, out: &Path, victim: &[&str], name: &str) -> String {
    let nr = syscalls::Arch::X86_64.table().lookup_name(name).unwrap().nr;
    let mut child = tracer
        .arg("-f")
        .arg("-o")
        .arg(out)
        .args(victim)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let pid = victim_of(&child, victim);
    wait_blocked_in(pid, nr);
    // SAFETY: kill(2) on a pid we started (through the tracer).
    unsafe { libc::kill(pid as i32, libc::SIGKILL) };
    child.wait().unwrap();
    let text = std::fs::read_to_string(out).unwrap();
    let addr = regex::Regex::new("0x[0-9a-f]+").unwrap();
    let line = joined_death_line(&text, name)
        .unwrap_or_else(|| panic!("no `{name}(... = ?` line in\n{text}"));
    let line = regex::Regex::new(r"\) +=")
        .unwrap()
        .replace(&line, ") =")
        .into_owned();
    addr.replace_all(&line, "ADDR").into_owned()
}

/// The line of the call `name` that ends in `= ?`, without its pid column; a call split
/// by another task's line (`NAME(ARGS <unfinished ...>` ... `<... NAME resumed>REST`) is
/// joined back, as the two tools may interleave differently.
fn joined_death_line(text: &str, name: &str) -> Option<String> {
    let lines: Vec<(&str, &str)> = text
        .lines()
        .map(|l| {
            l.split_once(' ')
                .map_or(("", l), |(p, r)| (p, r.trim_start()))
        })
        .collect();
    let resumed = format!("<... {name} resumed>");
    let at = lines.iter().position(|(_, l)| {
        (l.starts_with(&format!("{name}(")) || l.starts_with(&resumed)) && l.ends_with("= ?")
    })?;
    let (pid, line) = lines[at];
    let Some(rest) = line.strip_prefix(&resumed) else {
        return Some(line.to_string());
    };
    let head = lines[..at]
        .iter()
        .rev()
        .find(|(p, l)| *p == pid && l.starts_with(&format!("{name}(")))?
        .1;
    Some(format!("{}{rest}", head.strip_suffix(" <unfinished ...>")?))
}

const VICTIMS: &[(&str, &[&str])] = &[
    (
        "pause",
        &["/usr/bin/python3", "-c", "import signal; signal.pause()"],
    ),
    (
        "rt_sigsuspend",
        &[
            "/usr/bin/perl",
            "-e",
            "use POSIX; sigsuspend(POSIX::SigSet->new)",
        ],
    ),
    (
        "futex",
        &[
            "/usr/bin/python3",
            "-c",
            "import _thread; l = _thread.allocate_lock(); l.acquire(); l.acquire()",
        ],
    ),
    (
        "write",
        &[
            "/usr/bin/python3",
            "-c",
            "import os; r, w = os.pipe(); os.write(w, b'x' * 200000)",
        ],
    ),
    (
        "sendto",
        &[
            "/usr/bin/python3",
            "-c",
            "import socket; a, b = socket.socketpair(); a.setblocking(True)\nwhile True: a.send(b'y' * 65536)",
        ],
    ),
    (
        "flock",
        &[
            "/usr/bin/python3",
            "-c",
            "import fcntl, os\nr, w = os.pipe(); r2, w2 = os.pipe()\nif os.fork() == 0:\n os.close(w2); fd = os.open('/tmp', os.O_RDONLY); fcntl.flock(fd, fcntl.LOCK_EX); os.write(w, b'.'); os.read(r2, 1); os._exit(0)\nos.close(r2); os.read(r, 1); fd = os.open('/tmp', os.O_RDONLY); fcntl.flock(fd, fcntl.LOCK_EX)",
        ],
    ),
    (
        "fcntl",
        &[
            "/usr/bin/python3",
            "-c",
            "import fcntl, os\np = '/tmp/.sysfence-trace-death-lockf'\nr, w = os.pipe(); r2, w2 = os.pipe()\nif os.fork() == 0:\n os.close(w2); fd = os.open(p, os.O_RDWR | os.O_CREAT); fcntl.lockf(fd, fcntl.LOCK_EX); os.write(w, b'.'); os.read(r2, 1); os._exit(0)\nos.close(r2); os.read(r, 1); fd = os.open(p, os.O_RDWR); fcntl.lockf(fd, fcntl.LOCK_EX)",
        ],
    ),
    // Its remaining time is printed at exit: strace says <unfinished ...> here.
    ("clock_nanosleep", &["/usr/bin/perl", "-e", "sleep 30"]),
];

#[test]
fn a_call_the_task_dies_in_prints_as_strace_prints_it() {
    let Some(strace) = ["/usr/bin/strace", "/bin/strace"]
        .into_iter()
        .find(|p| Path::new(p).exists())
    else {
        assert!(std::env::var_os("CI").is_none(), "strace is missing in CI");
        eprintln!("SKIPPED: strace is not installed (apt-get install strace)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for (name, victim) in VICTIMS {
        let theirs = death_line(
            &mut Command::new(strace),
            &dir.path().join(format!("{name}.strace")),
            victim,
            name,
        );
        let mut ours = common::sysfence();
        ours.arg("trace");
        let ours = death_line(
            &mut ours,
            &dir.path().join(format!("{name}.ours")),
            victim,
            name,
        );
        if ours != theirs {
            failures.push(format!("{name}:\n  strace:   {theirs}\n  sysfence: {ours}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
