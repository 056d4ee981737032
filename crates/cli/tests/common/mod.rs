//! Helpers shared by the integration tests: the binary, the fixture programs, and turning
//! expected strace lines with placeholders into patterns.

#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Command, Output};
use std::sync::Once;

/// The `sysfence` binary under test.
pub fn sysfence() -> Command {
    Command::new(env!("CARGO_BIN_EXE_sysfence"))
}

fn target_dir() -> PathBuf {
    // <target>/<profile>/deps/<test binary>
    let exe = std::env::current_exe().expect("test binary path");
    exe.parent()
        .and_then(|p| p.parent())
        .and_then(|p| p.parent())
        .expect("target directory")
        .to_path_buf()
}

/// The path of fixture program `name`, built on first use.
pub fn fixture(name: &str) -> PathBuf {
    static BUILD: Once = Once::new();
    let target = target_dir();
    BUILD.call_once(|| {
        let status = Command::new(env!("CARGO"))
            .args([
                "build",
                "-q",
                "-p",
                "sysfence-fixtures",
                "--bins",
                "--target-dir",
            ])
            .arg(&target)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .status()
            .expect("cargo runs");
        assert!(status.success(), "building the fixtures failed");
    });
    target.join("debug").join(name)
}

/// Runs `sysfence trace ARGS...`, returning its output.
pub fn trace(args: &[&str]) -> Output {
    sysfence()
        .arg("trace")
        .args(args)
        .output()
        .expect("sysfence runs")
}

/// Turns an expected line with placeholders into an anchored regex: `{ADDR}` a hex
/// address, `{PID}` and `{N}` a decimal number (after any of these the padding before `=`
/// is free), `{ANY}` anything.
pub fn line_pattern(expected: &str) -> regex::Regex {
    let mut re = regex::escape(expected);
    if ["{ADDR}", "{PID}", "{N}"]
        .iter()
        .any(|p| expected.contains(p))
    {
        // The alignment padding depends on the number's length: accept any.
        re = re.replace(r"\) = ", r"\) +=\s");
    }
    for (ph, pat) in [
        (r"\{ADDR\}", "0x[0-9a-f]+"),
        (r"\{PID\}", "[0-9]+"),
        (r"\{N\}", "[0-9]+"),
        (r"\{ANY\}", ".*"),
    ] {
        re = re.replace(ph, pat);
    }
    regex::Regex::new(&format!("^{re}$")).expect("valid pattern")
}

/// Asserts that `text` has a line matching each of `expected` (placeholders allowed), in order.
pub fn assert_lines_in_order(text: &str, expected: &[&str]) {
    let mut lines = text.lines();
    for want in expected {
        let re = line_pattern(want);
        assert!(
            lines.any(|l| re.is_match(l)),
            "no line matching\n  {want}\n(in order) in the trace:\n{text}"
        );
    }
}

/// The state letter of /proc/PID/stat (R, S, t, T, Z...), or None when gone.
pub fn proc_state(pid: u32) -> Option<char> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after = stat.rsplit_once(')')?.1;
    after.trim_start().chars().next()
}

/// The TracerPid of a process.
pub fn tracer_pid(pid: u32) -> Option<u32> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("TracerPid:"))
        .and_then(|v| v.trim().parse().ok())
}
