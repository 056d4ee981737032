//! A `sysfence watch` run by a test, and what such tests share: programs under comms of
//! their own, run to their end, and the JSON Lines the watch wrote.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// A watch running in the background, killed when dropped.
pub struct Running {
    child: Child,
    /// The rest of its stderr (the summary), read to the end.
    stderr: Option<JoinHandle<String>>,
}

impl Running {
    /// Starts `sysfence watch ARGS` (stdout to `stdout`) and waits until its probes are
    /// attached; the attach line is returned too.
    pub fn start(args: &[&str], stdout: &Path) -> (Running, String) {
        let (child, rest, line) = attached(args, std::fs::File::create(stdout).unwrap().into());
        let running = Running {
            child,
            stderr: Some(rest),
        };
        (running, line)
    }

    /// Stops it as Ctrl-C does, once what the programs did has been read; its stderr
    /// after the attach line.
    pub fn stop(mut self) -> String {
        // Everything is in the ring buffer once the programs have exited; give the
        // reader a moment to drain it.
        std::thread::sleep(Duration::from_millis(300));
        // SAFETY: kill(2) on our own child.
        unsafe { libc::kill(self.child.id() as i32, libc::SIGINT) };
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                assert!(status.success(), "watch: {status}");
                break;
            }
            assert!(Instant::now() < deadline, "watch did not stop at SIGINT");
            std::thread::sleep(Duration::from_millis(20));
        }
        self.stderr.take().unwrap().join().unwrap()
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `sysfence watch ARGS` (stdout to `stdout`) and waits until its probes are
/// attached: the watch, the rest of its stderr (read to its end on another thread), and
/// the attach line.
pub fn attached(args: &[&str], stdout: Stdio) -> (Child, JoinHandle<String>, String) {
    let mut child = super::sysfence()
        .arg("watch")
        .args(args)
        .stdout(stdout)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    loop {
        line.clear();
        if stderr.read_line(&mut line).unwrap() == 0 {
            panic!("watch ended before attaching");
        }
        if line.contains("probes attached") {
            break;
        }
    }
    let rest = std::thread::spawn(move || {
        let mut rest = String::new();
        let _ = stderr.read_to_string(&mut rest);
        rest
    });
    (child, rest, line)
}

/// A comm no other test's program has: `sf`, a tag, a counter and our pid.
pub fn unique(tag: &str) -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    format!("sf{tag}{n}{}", std::process::id() % 100_000)
}

/// A copy of `from` named `name` in `dir`: its comm.
pub fn copy(from: &Path, dir: &Path, name: &str) -> PathBuf {
    let to = dir.join(name);
    std::fs::copy(from, &to).unwrap();
    to
}

/// Runs a command to its end; its pid (that of the program it execs in place).
pub fn run(cmd: &mut Command) -> u32 {
    let child = cmd.stdout(Stdio::null()).spawn().unwrap();
    let pid = child.id();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{cmd:?}: {out:?}");
    pid
}

pub fn json_lines(path: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}
