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

#[allow(unused_imports)]
pub use sysfence_fixtures::tools::{all_in_path, in_path, skip_or_fail};
