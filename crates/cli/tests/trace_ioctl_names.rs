//! Differential test against strace: a fixture makes `ioctl(fd, code, 0)` on /dev/null for
//! every request code sysfence's table names (3104, from every header strace's tooling
//! reads) plus codes it does not (named from their number fields, or unknown), under
//! `strace -e trace=ioctl` and `sysfence trace -e trace=ioctl`; the request must print the
//! same on every line (`A or B` names in strace's order, `EVIOCGNAME(256)`, `_IOC(...)`),
//! in the text and JSON printers and under `-X verbose`. Only the request is compared:
//! strace decodes the (null) argument of more requests than sysfence does.

mod common;

use common::{STRACE, fixture, require, sysfence};
use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

/// Every distinct code of the ioctl request table, then codes the table does not have:
/// ones strace names from their number fields, unknown ones, one with bits above 32.
fn codes() -> Vec<u64> {
    let set = syscalls::xlat_set("ioctl_cmd").expect("ioctl_cmd set");
    let known: BTreeSet<u64> = set.entries.iter().map(|e| e.value).collect();
    let mut codes: Vec<u64> = known.iter().copied().collect();
    let more = [
        0x8100_4506,   // EVIOCGNAME(256)
        0x8008_4521,   // EVIOCGBIT(EV_KEY, 8)
        0x8008_453f,   // EVIOCGBIT(0x1f /* EV_??? */, 8)
        0x8018_457f,   // EVIOCGABS(0x3f /* ABS_??? */)
        0x4018_45c1,   // EVIOCSABS(ABS_Y)
        0x8100_4804,   // HIDIOCGRAWNAME(256)
        0xc040_4806,   // HIDIOCSFEATURE(64)
        0x8004_4dff,   // MIXER_READ(255)
        0x8040_552c,   // UI_GET_SYSNAME(64)
        0x8040_6a13,   // JSIOCGNAME(64)
        0x4060_6b00,   // SPI_IOC_MESSAGE(96)
        0x8008_2102,   // SECCOMP_IOCTL_NOTIF_ID_VALID_WRONG_DIR
        0x0000_fe01,   // _IOC(_IOC_NONE, 0xfe, 0x1, 0)
        0x4004_fe02,   // _IOC(_IOC_WRITE, ...)
        0x8008_fe03,   // _IOC(_IOC_READ, ...)
        0xc010_fe04,   // _IOC(_IOC_READ|_IOC_WRITE, ...)
        0x0000_0000,   // _IOC(_IOC_NONE, 0, 0, 0)
        0xffff_ffff,   // every bit
        0x1_0000_5401, // TCGETS: the kernel and strace take 32 bits
    ];
    codes.extend(more.iter().filter(|c| !known.contains(c)));
    codes
}

/// The request argument of each `ioctl(` line: the text between the first `, ` and the
/// next `, ` outside parentheses (`_IOC(_IOC_READ, 0x46, 0x1, 0x8)` has commas inside).
fn requests(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| l.strip_prefix("ioctl("))
        .map(|rest| {
            let after_fd = rest.split_once(", ").map_or(rest, |(_, r)| r);
            let mut depth = 0i32;
            let end = after_fd
                .char_indices()
                .find(|&(i, c)| {
                    match c {
                        '(' => depth += 1,
                        ')' => depth -= 1,
                        _ => {}
                    }
                    depth < 0 || (depth == 0 && after_fd[i..].starts_with(", "))
                })
                .map_or(after_fd.len(), |(i, _)| i);
            after_fd[..end].to_string()
        })
        .collect()
}

/// The ioctl requests of the fixture's run over `codes` under strace and under sysfence
/// with the same extra options (`-X verbose`), and sysfence's JSON Lines `cmd` texts.
struct Runs {
    strace: Vec<String>,
    sysfence: Vec<String>,
    json: Vec<String>,
}

fn run(strace: &Path, codes: &[u64], options: &[&str]) -> Runs {
    let dir = tempfile::tempdir().expect("temp dir");
    let list = dir.path().join("codes");
    let text: String = codes.iter().map(|c| format!("{c:#x}\n")).collect();
    std::fs::write(&list, text).expect("writing the codes");
    let prog = fixture("trace_ioctl_names");
    let out = |name: &str| dir.path().join(name);
    let status = Command::new(strace)
        .args(["-e", "trace=ioctl"])
        .args(options)
        .arg("-o")
        .arg(out("strace.txt"))
        .arg(&prog)
        .arg(&list)
        .status()
        .expect("strace runs");
    assert!(status.success(), "strace failed");
    for (file, json) in [
        ("sysfence.txt", &[][..]),
        ("sysfence.jsonl", &["--json"][..]),
    ] {
        let status = sysfence()
            .args(["trace", "-e", "trace=ioctl"])
            .args(options)
            .args(json)
            .arg("-o")
            .arg(out(file))
            .arg(&prog)
            .arg(&list)
            .status()
            .expect("sysfence runs");
        assert!(status.success(), "sysfence trace failed");
    }
    let read = |name: &str| std::fs::read_to_string(out(name)).expect("trace output");
    let json = read("sysfence.jsonl")
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|e| e["name"] == "ioctl")
        .map(|e| {
            e["args"][1]["text"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        })
        .collect();
    Runs {
        strace: requests(&read("strace.txt")),
        sysfence: requests(&read("sysfence.txt")),
        json,
    }
}

/// Every line where `got` differs from strace's, with its code.
fn differences(codes: &[u64], want: &[String], got: &[String]) -> Vec<String> {
    assert_eq!(want.len(), codes.len(), "strace saw every call");
    assert_eq!(got.len(), want.len(), "sysfence saw every call");
    codes
        .iter()
        .zip(want.iter().zip(got))
        .filter(|(_, (w, g))| w != g)
        .map(|(c, (w, g))| format!("{c:#010x}: strace `{w}`, sysfence `{g}`"))
        .collect()
}

#[test]
fn every_named_ioctl_request_prints_as_strace_prints_it_in_text_and_json() {
    let Some(strace) = require(STRACE) else {
        return;
    };
    let codes = codes();
    let runs = run(&strace, &codes, &[]);
    for (printer, got) in [("text", &runs.sysfence), ("JSON", &runs.json)] {
        let diffs = differences(&codes, &runs.strace, got);
        assert!(
            diffs.is_empty(),
            "{printer}: {} of {} requests print differently:\n{}",
            diffs.len(),
            codes.len(),
            diffs.join("\n")
        );
    }
}

#[test]
fn every_named_ioctl_request_prints_as_strace_prints_it_under_x_verbose() {
    let Some(strace) = require(STRACE) else {
        return;
    };
    let codes = codes();
    let runs = run(&strace, &codes, &["-X", "verbose"]);
    let diffs = differences(&codes, &runs.strace, &runs.sysfence);
    assert!(
        diffs.is_empty(),
        "{} of {} requests print differently:\n{}",
        diffs.len(),
        codes.len(),
        diffs.join("\n")
    );
}
