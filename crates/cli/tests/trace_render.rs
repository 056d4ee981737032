//! Lines strace prints in its own way, compared with strace's on the same programs:
//! listxattr's list at size 0, restart_syscall's resumed call, -X raw's numbers, and the
//! per-call qualifiers -e raw=, -e abbrev=, -e verbose=.

mod common;

use common::{STRACE, fixture, require};
use std::process::Command;

/// The lines `tracer ARGS... PROG PROG_ARGS...` prints that contain one of `keep`, with
/// what differs between two runs replaced: addresses, pids, the alignment padding, the
/// temporary file's name and (`digits`) every hex and decimal number; the end of a
/// restart_syscall line (whether another task's line cut it in two is timing).
fn lines(tracer: &mut Command, prog: &[&str], keep: &[&str], digits: bool) -> Vec<String> {
    let out = tracer
        .arg(fixture(prog[0]))
        .args(&prog[1..])
        .output()
        .expect("the tracer runs");
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8_lossy(&out.stderr);
    let addr = regex::Regex::new(r"0x[0-9a-f]{9,}").unwrap();
    let hex = regex::Regex::new(r"0x[0-9a-f]+").unwrap();
    let pid =
        regex::Regex::new(r"(\[pid +\d+\] |si_pid=\d+|render-\d+|wait4\(\d+,|= \d{3,}$)").unwrap();
    let number = regex::Regex::new(r"\b\d+\b").unwrap();
    let pad = regex::Regex::new(r"\) +=").unwrap();
    let mut kept: Vec<String> = text
        .lines()
        .filter(|l| keep.iter().any(|k| l.contains(k)))
        .map(|l| match l.find("resuming interrupted") {
            Some(at) => &l[..at + l[at..].find("...>").map_or(0, |e| e + 4)],
            None => l,
        })
        .map(|l| {
            let l = addr.replace_all(l, "{ADDR}");
            let l = pid.replace_all(&l, "{PID}");
            let l = pad.replace_all(&l, ") =");
            if digits {
                let l = hex.replace_all(&l, "{HEX}");
                number.replace_all(&l, "{N}").into_owned()
            } else {
                l.into_owned()
            }
        })
        .collect();
    kept.sort();
    kept.dedup();
    kept
}

/// Runs `prog` under strace and sysfence with `options`, and asserts both keep the same
/// lines (and that those hold each of `want`).
fn same_as_strace(options: &[&str], prog: &[&str], keep: &[&str], digits: bool, want: &[&str]) {
    let Some(strace) = require(STRACE) else {
        return;
    };
    let ours = lines(
        common::sysfence().arg("trace").args(options),
        prog,
        keep,
        digits,
    );
    let theirs = lines(Command::new(strace).args(options), prog, keep, digits);
    assert_eq!(ours, theirs, "{options:?}");
    let joined = ours.join("\n");
    for w in want {
        assert!(joined.contains(w), "no {w} in {options:?}:\n{joined}");
    }
}

const XATTR_CALLS: &str = "trace=listxattr,llistxattr,flistxattr";

#[test]
fn listxattr_with_size_0_or_failing_prints_the_list_address_as_strace_does() {
    let keep = ["xattr("];
    for extra in [&[][..], &["-v"], &["-X", "verbose"], &["-x"]] {
        let mut options = vec!["-e", XATTR_CALLS];
        options.extend_from_slice(extra);
        same_as_strace(
            &options,
            &["trace_render"],
            &keep,
            false,
            &[
                r#"listxattr("/tmp/sysfence-{PID}", {ADDR}, 0) = 14"#,
                r#"llistxattr("/tmp/sysfence-{PID}", NULL, 0) = 14"#,
                "flistxattr(",
                r#"listxattr("/nonexistent/sysfence-render", {ADDR}, 64) = -1 ENOENT"#,
            ],
        );
    }
}

#[test]
fn restart_syscall_names_the_interrupted_call_as_strace_does() {
    // Whether the parent's own sleep is interrupted too is timing: lines are compared as
    // sets.
    let keep = ["restart_syscall(", "si_status="];
    for style in ["abbrev", "raw", "verbose"] {
        let want: &[&str] = match style {
            "raw" => &["si_status=19,", "si_status=18,"],
            "verbose" => &["si_status=19 /* SIGSTOP */"],
            _ => &[
                "{PID}restart_syscall(<... resuming interrupted nanosleep ...>",
                "si_status=SIGCONT",
            ],
        };
        same_as_strace(
            &["-f", "-X", style, "-e", "trace=nanosleep,restart_syscall"],
            &["trace_render", "restart"],
            &keep,
            false,
            want,
        );
    }
    // A restart_syscall whose interrupted call was not traced resumes "system call".
    let Some(strace) = require(STRACE) else {
        return;
    };
    let keep = ["restart_syscall("];
    let options = ["-f", "-e", "trace=restart_syscall"];
    let prog = ["trace_render", "restart"];
    let ours = lines(
        common::sysfence().arg("trace").args(options),
        &prog,
        &keep,
        false,
    );
    let theirs = lines(Command::new(strace).args(options), &prog, &keep, false);
    assert_eq!(ours, theirs);
    assert!(
        ours.iter()
            .any(|l| l.contains("restart_syscall(<... resuming interrupted system call ...>")),
        "{ours:?}"
    );
}

#[test]
fn raw_constant_style_prints_numbers_where_strace_does() {
    same_as_strace(
        &["-X", "raw", "-e", "trace=futex"],
        &["trace_render"],
        &["futex("],
        false,
        &["futex({ADDR}, 0x89, 1, NULL, 0xffffffff) = -1 EAGAIN"],
    );
    same_as_strace(
        &["-X", "verbose", "-e", "trace=futex"],
        &["trace_render"],
        &["futex("],
        false,
        &["NULL, 0xffffffff /* FUTEX_BITSET_MATCH_ANY */) = -1"],
    );
    // The clock ticks differ between runs; under -X raw none has its comment.
    same_as_strace(
        &["-X", "raw", "-e", "trace=times"],
        &["trace_render"],
        &["times("],
        true,
        &["times({tms_utime={N}, tms_stime={N}, tms_cutime={N}, tms_cstime={N}}) {PID}"],
    );
}

#[test]
fn per_call_raw_abbrev_and_verbose_qualifiers_print_as_strace_does() {
    let keep = [
        "openat(",
        "write(",
        "read(",
        "fstat",
        "poll(",
        "rt_sigaction(",
        "pipe2(",
        "connect(",
        "wait4(",
        "prlimit64(",
        "statfs(",
        "epoll_",
    ];
    let cases: &[(&[&str], &[&str])] = &[
        (
            &["-e", "verbose=none"],
            &[
                "connect({N}, {ADDR}, {N}) = -{N} ECONNREFUSED",
                "poll({ADDR}, {N}, {N}) = {N}\n",
            ],
        ),
        (
            &["-e", "raw=openat,write", "-e", "verbose=!statfs"],
            &[
                "openat({HEX}, {ADDR}, {HEX}, ",
                "statfs(\"/\", {ADDR}) = {N}",
            ],
        ),
        (
            &["--raw=read,pipe2", "--abbrev=!newfstatat"],
            &[
                "read({HEX}, {ADDR}, {HEX}) = {HEX}",
                "pipe2({ADDR}, {HEX}) = {N}",
                "st_atime=",
            ],
        ),
        (
            &["-e", "a=none", "-e", "v=!prlimit64", "-e", "x=wait4"],
            &[
                "wait4({HEX}, {ADDR}, {N}, {N}) = {HEX}",
                "prlimit64({N}, RLIMIT_STACK, NULL, {ADDR})",
            ],
        ),
        (
            &["-v", "--verbose=none"],
            &["rt_sigaction(SIGUSR1, {ADDR}, {ADDR}, {N})"],
        ),
    ];
    let maps = regex::Regex::new(r"-p |\\n[0-9a-f]{4}|[0-9a-f]{8}-").unwrap();
    for (options, want) in cases {
        let ours_and_theirs =
            |tracer: &mut Command| lines(tracer.args(*options), &["trace_decode"], &keep, true);
        let Some(strace) = require(STRACE) else {
            return;
        };
        let ours = ours_and_theirs(common::sysfence().arg("trace"));
        let theirs = ours_and_theirs(&mut Command::new(strace));
        // What differs between two runs goes from both: the reads of /proc/self/maps
        // (their addresses; which part of a line the first 32 bytes show depends on the
        // checkout's path, so they are told by the addresses, not by `-p `), and the
        // unabbreviated stat of files the other run just read (their access time),
        // which is only asserted to be there.
        let joined = ours.join("\n") + "\n";
        let stable = |v: Vec<String>| -> Vec<String> {
            v.into_iter()
                .filter(|l| !maps.is_match(l) && !l.contains("st_atime="))
                .collect()
        };
        let (ours, theirs) = (stable(ours), stable(theirs));
        let only = |a: &[String], b: &[String]| -> Vec<String> {
            a.iter().filter(|l| !b.contains(l)).cloned().collect()
        };
        assert_eq!(
            ours,
            theirs,
            "{options:?}: only ours {:?}, only strace's {:?}",
            only(&ours, &theirs),
            only(&theirs, &ours)
        );
        for w in *want {
            assert!(joined.contains(w), "no {w} in {options:?}:\n{joined}");
        }
    }
}

#[test]
fn every_test_here_passes_with_descriptors_3_and_4_already_inherited() {
    common::passes_with_descriptors_3_and_4_taken();
}
