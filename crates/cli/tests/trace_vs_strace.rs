//! Differential test against strace: each program of a corpus runs under `strace -f` and
//! `sysfence trace -f`; per task, both must see the same sequence of syscall names and
//! return values (errno included), the same signals and the same exit. What legitimately
//! differs between two runs is normalised away: addresses (and munmap, whose count follows
//! address alignment), pids, futex traffic, when asynchronous signals land, and which task
//! id a thread got (tasks are compared as a multiset of sequences).

mod common;

use common::sequences::per_task;
use common::{STRACE, fixture, require, sysfence};
use std::process::Command;

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
