//! Helpers shared by the compiler's tests: a deterministic generator, and finding the
//! libseccomp oracle (skipping loudly, or failing under CI, without it).

#![allow(dead_code)]

use std::path::PathBuf;
use std::process::Command;

/// A small deterministic generator (xorshift64*), so failures reproduce.
pub struct Rng(pub u64);

impl Rng {
    /// The next 64 random bits.
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number below `n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// One of `items`.
    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }
}

/// The first python3 in PATH that has libseccomp's bindings (Debian's python3-seccomp),
/// the oracle: a python3 of its own (pyenv, a virtualenv) may come first and lack them.
/// Without one, None after a loud skip (a failure under CI).
pub fn python3_seccomp() -> Option<PathBuf> {
    let python = all_in_path("python3").find(|p| {
        Command::new(p)
            .args(["-c", "import seccomp"])
            .output()
            .is_ok_and(|o| o.status.success())
    });
    if python.is_none() {
        skip_or_fail("python3-seccomp is not installed (apt-get install python3-seccomp)");
    }
    python
}

/// The first executable file named `name` in the directories of PATH, as a shell finds it.
pub fn in_path(name: &str) -> Option<PathBuf> {
    all_in_path(name).next()
}

/// Every executable file named `name` in the directories of PATH, in PATH's order.
pub fn all_in_path(name: &str) -> impl Iterator<Item = PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    let path = std::env::var_os("PATH").unwrap_or_default();
    let dirs: Vec<PathBuf> = std::env::split_paths(&path).collect();
    let name = name.to_string();
    dirs.into_iter()
        .map(move |dir| dir.join(&name))
        .filter(|p| {
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
