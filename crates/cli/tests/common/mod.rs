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

/// A program a test needs besides sysfence (a reference to compare against, or a piece of
/// its setup), found in PATH, and the Debian package that installs it.
#[derive(Clone, Copy, Debug)]
pub struct Tool {
    /// The name looked up in PATH.
    pub name: &'static str,
    /// The Debian package to `apt-get install` (`.ci/run` installs them all).
    pub package: &'static str,
}

/// strace, the reference tracer.
pub const STRACE: Tool = Tool {
    name: "strace",
    package: "strace",
};

/// runc, the OCI runtime that enforces exported profiles.
pub const RUNC: Tool = Tool {
    name: "runc",
    package: "runc",
};

/// A static busybox, the whole root file system of the runc tests' containers.
pub const BUSYBOX: Tool = Tool {
    name: "busybox",
    package: "busybox-static",
};

/// The first executable file named `name` in the directories of PATH, as a shell finds it.
pub fn in_path(name: &str) -> Option<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| {
            p.metadata()
                .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
}

/// The path of `tool` in PATH. When it is not there: under CI (`CI` set) the test fails,
/// elsewhere it prints `SKIPPED: <test>: <tool> is not installed (...)` on stderr and the
/// caller returns (`let Some(strace) = require(STRACE) else { return };`).
pub fn require(tool: Tool) -> Option<PathBuf> {
    let found = in_path(tool.name);
    if found.is_none() {
        skip_or_fail(&format!(
            "{} is not installed (apt-get install {})",
            tool.name, tool.package
        ));
    }
    found
}

/// Skips the running test loudly because of `why`, or fails it when `CI` is set (where
/// everything the suite needs is installed, so a skip would hide a test). The line goes
/// to the real stderr, past the test harness's capture, so a passing run shows it too.
pub fn skip_or_fail(why: &str) {
    use std::io::Write;
    let current = std::thread::current();
    let test = current.name().unwrap_or("a test");
    assert!(
        std::env::var_os("CI").is_none(),
        "{test}: {why}; CI is set, so this fails instead of skipping"
    );
    let _ = writeln!(std::io::stderr(), "SKIPPED: {test}: {why}");
}
