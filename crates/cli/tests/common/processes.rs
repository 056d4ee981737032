//! Processes the tests start and look at: killed and reaped whatever happens, watched
//! through /proc, and sysfence's JSON answers about them.

use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

/// A process the test started, killed and reaped when the test ends, however it ends.
pub struct Running(pub Child);

impl Running {
    /// Its pid.
    pub fn pid(&self) -> i32 {
        self.0.id() as i32
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// moby's default profile, as the tests keep it.
pub fn moby_default() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../policy/tests/data/moby/default.json")
}

/// A field of /proc/PID/status (`Seccomp_filters`), trimmed.
pub fn status_field(pid: i32, key: &str) -> Option<String> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{key}:")))
        .map(|v| v.trim().to_string())
}

/// Waits until `pid` runs `comm` under `filters` filters (it has exec'ed past sysfence).
pub fn wait_filtered(pid: i32, comm: &str, filters: u32) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let now = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
        let n = status_field(pid, "Seccomp_filters").and_then(|v| v.parse::<u32>().ok());
        if now.trim() == comm && n == Some(filters) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{pid} never ran {comm} under {filters} filters"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// `sleep 120` under each profile in turn (the first outermost), as `sysfence run` nests,
/// once it runs under all of them.
pub fn sleep_under(profiles: &[&Path]) -> Running {
    let mut cmd = super::sysfence();
    for (i, p) in profiles.iter().enumerate() {
        if i > 0 {
            cmd.arg(env!("CARGO_BIN_EXE_sysfence"));
        }
        cmd.arg("run").arg("--profile").arg(p).arg("--");
    }
    let child = cmd
        .args(["sleep", "120"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let running = Running(child);
    wait_filtered(running.pid(), "sleep", profiles.len() as u32);
    running
}

/// `sysfence SUBCOMMAND ARGS --json`, which must succeed, parsed.
pub fn json_of(subcommand: &str, args: &[&str]) -> serde_json::Value {
    let out = super::sysfence()
        .arg(subcommand)
        .args(args)
        .arg("--json")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{subcommand} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}
