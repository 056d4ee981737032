//! Differential test against strace: a fixture makes `ioctl(fd, code, 0)` on /dev/null for
//! every request code sysfence's table names (several thousand, from every scanned
//! header) plus codes nobody names, under `strace -e trace=ioctl` and `sysfence trace -e
//! trace=ioctl`; the request must print the same on every line (`A or B` joined names in
//! the same order, `_IOC(...)` for unknown codes).

mod common;

use common::{fixture, sysfence};
use std::collections::BTreeSet;
use std::process::Command;

/// Every distinct code of the ioctl request table, then codes no header defines.
fn codes() -> Vec<u64> {
    let set = syscalls::xlat_set("ioctl_cmd").expect("ioctl_cmd set");
    let known: BTreeSet<u64> = set.entries.iter().map(|e| e.value).collect();
    let mut codes: Vec<u64> = known.iter().copied().collect();
    let unknown = [
        0x0000_fe01,
        0x4004_fe02,
        0x8008_fe03,
        0xc010_fe04,
        0x0000_0000,
        0xffff_ffff,
        0x4000_0000,
        0x8000_00ff,
    ];
    codes.extend(unknown.iter().filter(|c| !known.contains(c)));
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

#[test]
fn every_named_ioctl_request_prints_as_strace_prints_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let list = dir.path().join("codes");
    let codes = codes();
    let text: String = codes.iter().map(|c| format!("{c:#x}\n")).collect();
    std::fs::write(&list, text).expect("writing the codes");
    let prog = fixture("trace_ioctl_names");
    let s_out = dir.path().join("strace.txt");
    let m_out = dir.path().join("sysfence.txt");
    let status = Command::new("/usr/bin/strace")
        .args(["-e", "trace=ioctl", "-o"])
        .arg(&s_out)
        .arg(&prog)
        .arg(&list)
        .status()
        .expect("strace runs");
    assert!(status.success(), "strace failed");
    let status = sysfence()
        .args(["trace", "-e", "trace=ioctl", "-o"])
        .arg(&m_out)
        .arg(&prog)
        .arg(&list)
        .status()
        .expect("sysfence runs");
    assert!(status.success(), "sysfence trace failed");
    let want = requests(&std::fs::read_to_string(&s_out).expect("strace output"));
    let got = requests(&std::fs::read_to_string(&m_out).expect("sysfence output"));
    assert_eq!(want.len(), codes.len(), "strace saw every call");
    assert_eq!(got.len(), want.len(), "sysfence saw every call");
    let diffs: Vec<String> = codes
        .iter()
        .zip(want.iter().zip(&got))
        .filter(|(_, (w, g))| w != g)
        .map(|(c, (w, g))| format!("{c:#010x}: strace `{w}`, sysfence `{g}`"))
        .collect();
    assert!(
        diffs.is_empty(),
        "{} of {} requests print differently:\n{}",
        diffs.len(),
        codes.len(),
        diffs.join("\n")
    );
}
