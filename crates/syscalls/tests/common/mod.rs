//! Helpers shared by the knowledge base's tests: finding the reference tools they compare
//! against, and skipping loudly (failing under CI) when one is missing.

#![allow(dead_code)]

use std::path::PathBuf;

/// A program a test needs as a reference, found in PATH, and the Debian package that
/// installs it.
#[derive(Clone, Copy, Debug)]
pub struct Tool {
    /// The name looked up in PATH.
    pub name: &'static str,
    /// The Debian package to `apt-get install` (`.ci/run` installs them all).
    pub package: &'static str,
}

/// The path of `tool` in PATH. When it is not there: under CI (`CI` set) the test fails,
/// elsewhere it prints `SKIPPED: <test>: <tool> is not installed (...)` on stderr and the
/// caller returns (`let Some(path) = require(TOOL) else { return };`).
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

/// libseccomp's `scmp_sys_resolver`, the reference for syscall numbers.
pub const SCMP_SYS_RESOLVER: Tool = Tool {
    name: "scmp_sys_resolver",
    package: "seccomp",
};

/// python3, whose system modules are a reference for constants.
pub const PYTHON3: Tool = Tool {
    name: "python3",
    package: "python3",
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
