//! Differential test against strace: each program of a corpus runs under `strace -f` and
//! `sysfence trace -f`; per task, both must see the same sequence of syscall names and
//! return values (errno included), the same signals and the same exit. What legitimately
//! differs between two runs is normalised away: addresses (and munmap, whose count follows
//! address alignment), pids, futex traffic, when asynchronous signals land, and which task
//! id a thread got (tasks are compared as a multiset of sequences).

mod common;

use common::{STRACE, fixture, require, sysfence};
use std::collections::HashMap;
use std::process::Command;

/// Syscalls whose return value is a pid (differs between runs).
const PID_RETURNING: &[&str] = &[
    "getpid",
    "getppid",
    "gettid",
    "set_tid_address",
    "clone",
    "clone3",
    "fork",
    "vfork",
    "wait4",
    "waitid",
];

/// strace 6.1 does not know syscalls numbered 452 and up: it prints `syscall_0x1c4`.
fn strace_name(name: &str) -> String {
    name.strip_prefix("syscall_0x")
        .and_then(|hex| u32::from_str_radix(hex, 16).ok())
        .and_then(|nr| syscalls::Arch::X86_64.table().lookup_nr(nr))
        .map_or_else(|| name.to_string(), |s| s.name.to_string())
}

fn normalise_ret(name: &str, ret: &str) -> String {
    if name == "rt_sigreturn" {
        // It "returns" whatever the interrupted call left: a pid, an errno, a count.
        return "RESTORED".to_string();
    }
    let first: Vec<&str> = ret.split_whitespace().take(2).collect();
    match first.as_slice() {
        ["-1", errno, ..] => format!("-1 {errno}"),
        ["?", ..] => ret.split(" (").next().unwrap_or(ret).to_string(),
        [v, ..] if v.starts_with("0x") => "ADDR".to_string(),
        [_, ..] if PID_RETURNING.contains(&name) => "PID".to_string(),
        [v, ..] => v.to_string(),
        [] => String::new(),
    }
}

/// Signals from other tasks (SIGCHLD) arrive whenever the scheduler lets them, and their
/// handlers' rt_sigreturn with them: keep their count, not their place.
fn asynchronous_last(seq: Vec<String>) -> Vec<String> {
    let (mut asynchronous, mut ordered): (Vec<String>, Vec<String>) = seq
        .into_iter()
        .partition(|e| e.starts_with("signal ") || e.starts_with("rt_sigreturn"));
    asynchronous.sort();
    ordered.push("-- asynchronous:".into());
    ordered.extend(asynchronous);
    ordered
}

/// Parses a `-f -o FILE` trace into per-task event sequences.
fn per_task(text: &str, is_strace: bool) -> Vec<Vec<String>> {
    let mut tasks: HashMap<u32, Vec<String>> = HashMap::new();
    let mut order: Vec<u32> = Vec::new();
    let mut pending: HashMap<u32, String> = HashMap::new();
    for line in text.lines() {
        let Some((pid, rest)) = line.split_once(' ') else {
            continue;
        };
        let Ok(pid) = pid.parse::<u32>() else {
            continue;
        };
        let rest = rest.trim_start();
        if !tasks.contains_key(&pid) {
            order.push(pid);
        }
        let seq = tasks.entry(pid).or_default();
        if let Some(sig) = rest.strip_prefix("--- ") {
            seq.push(format!(
                "signal {}",
                sig.split_whitespace().next().unwrap_or("")
            ));
            continue;
        }
        if rest.starts_with("+++ superseded") {
            seq.push("superseded".into());
            continue;
        }
        if rest.starts_with("+++") {
            seq.push(rest.to_string());
            continue;
        }
        let name = if let Some(resumed) = rest.strip_prefix("<... ") {
            let name = resumed.split_whitespace().next().unwrap_or("").to_string();
            pending.remove(&pid);
            name
        } else {
            let name = rest.split('(').next().unwrap_or("").to_string();
            if rest.ends_with("<unfinished ...>") {
                pending.insert(pid, name);
                continue;
            }
            name
        };
        let name = if is_strace { strace_name(&name) } else { name };
        // futex traffic depends on thread timing; how many munmap calls trim a new
        // malloc arena depends on the address mmap returned.
        if name == "futex" || name == "munmap" {
            continue;
        }
        let ret = rest.rsplit_once(") ").map_or("", |(_, r)| r.trim_start());
        let ret = ret.strip_prefix("= ").unwrap_or(ret);
        if ret.starts_with("? ERESTART") {
            // Interrupted by an asynchronous signal and restarted: timing, not behaviour.
            continue;
        }
        seq.push(format!("{name} = {}", normalise_ret(&name, ret)));
    }
    let mut seqs: Vec<Vec<String>> = order
        .into_iter()
        .filter_map(|p| tasks.remove(&p))
        .map(asynchronous_last)
        .collect();
    seqs.sort();
    seqs
}

/// Compares the traces of `cmd` (the calling test skips loudly without strace).
fn compare(cmd: &[&str]) {
    let Some(strace) = require(STRACE) else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let s_out = dir.path().join("strace.txt");
    let m_out = dir.path().join("sysfence.txt");
    let strace = Command::new(strace)
        .arg("-f")
        .arg("-o")
        .arg(&s_out)
        .args(cmd)
        .output()
        .expect("strace runs");
    let ours = sysfence()
        .args(["trace", "-f", "-o"])
        .arg(&m_out)
        .args(cmd)
        .output()
        .expect("sysfence runs");
    assert_eq!(
        strace.status.code(),
        ours.status.code(),
        "exit status of {cmd:?}"
    );
    let s_text = std::fs::read_to_string(&s_out).expect("strace output");
    let m_text = std::fs::read_to_string(&m_out).expect("sysfence output");
    let s = per_task(&s_text, true);
    let m = per_task(&m_text, false);
    assert_eq!(
        s.len(),
        m.len(),
        "number of tasks for {cmd:?}\nstrace:\n{s_text}\nsysfence:\n{m_text}"
    );
    for (a, b) in s.iter().zip(&m) {
        if a != b {
            let first = a
                .iter()
                .zip(b)
                .position(|(x, y)| x != y)
                .unwrap_or(a.len().min(b.len()));
            panic!(
                "{cmd:?}: a task's sequence differs at event {first}: strace {:?} vs sysfence {:?}\nstrace:\n{s_text}\nsysfence:\n{m_text}",
                a.get(first),
                b.get(first)
            );
        }
    }
}

#[test]
fn true_matches_strace() {
    compare(&["true"]);
}

#[test]
fn ls_la_matches_strace() {
    compare(&["ls", "-la", "/"]);
}

#[test]
fn cat_of_a_missing_file_matches_strace() {
    compare(&["cat", "/nonexistent/sysfence-differential"]);
}

#[test]
fn a_shell_pipeline_matches_strace() {
    compare(&["sh", "-c", "echo hi | wc -c"]);
}

#[test]
fn python_with_threads_matches_strace() {
    compare(&[
        "/usr/bin/python3",
        "-c",
        // The barrier keeps every thread alive until all started, so glibc never reuses a
        // finished thread's stack (which would change the main thread's mmap calls).
        "import threading\nb=threading.Barrier(4)\nt=[threading.Thread(target=b.wait) for i in range(3)]\n[x.start() for x in t]\nb.wait()\n[x.join() for x in t]\nprint('ok')",
    ]);
}

#[test]
fn dd_with_a_small_count_matches_strace() {
    // status=none: dd's statistics line carries timings, whose length varies.
    compare(&[
        "dd",
        "if=/dev/zero",
        "of=/dev/null",
        "bs=512",
        "count=5",
        "status=none",
    ]);
}

#[test]
fn a_program_that_forks_and_signals_matches_strace() {
    let prog = fixture("trace_fork_signal");
    compare(&[prog.to_str().expect("utf-8 path")]);
}
