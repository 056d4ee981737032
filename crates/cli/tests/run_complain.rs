//! Complain mode's supervisor, in the kernel as root: a signal to sysfence still ends in
//! the report and the whole log; the report counts per process, the log names the thread
//! too; a daemon's calls after its parent exits are still reported; and the log is
//! streamed, so a long run does not grow sysfence's memory.

mod common;

use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

const DENY: &str = r#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[
  {"names":["mkdir","mkdirat","getppid","uname"],"action":"SCMP_ACT_ERRNO"}]}"#;

fn complain(dir: &std::path::Path, command: &[&str]) -> (Child, std::path::PathBuf) {
    let profile = dir.join("p.json");
    std::fs::write(&profile, DENY).unwrap();
    let log = dir.join("log.jsonl");
    let child = common::sysfence()
        .args(["run", "--complain", "--log"])
        .arg(&log)
        .arg("--profile")
        .arg(&profile)
        .arg("--")
        .args(command)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    (child, log)
}

fn log_lines(log: &std::path::Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn a_signal_to_sysfence_still_gives_the_report_and_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("d");
    let script = format!("mkdir {}; uname >/dev/null; sleep 30", target.display());
    for sig in [libc::SIGINT, libc::SIGTERM] {
        let _ = std::fs::remove_file(dir.path().join("log.jsonl"));
        let (child, log) = complain(dir.path(), &["sh", "-c", &script]);
        let start = Instant::now();
        while !std::fs::read_to_string(&log).is_ok_and(|t| t.contains("\"uname")) {
            assert!(start.elapsed() < Duration::from_secs(5), "no log line");
            std::thread::sleep(Duration::from_millis(20));
        }
        // SAFETY: kill(2) on our own child.
        unsafe { libc::kill(child.id() as i32, sig) };
        let out = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "the command was not ended"
        );
        assert_eq!(
            out.status.code(),
            Some(128 + sig),
            "the command's status: {err}"
        );
        assert!(
            err.contains("would have blocked") && err.contains(" mkdir\n"),
            "the report: {err}"
        );
        let names: Vec<String> = log_lines(&log)
            .iter()
            .map(|v| v["syscall"].as_str().unwrap().to_string())
            .filter(|n| n != "getppid")
            .collect();
        assert_eq!(names, ["mkdir", "uname"], "the whole log");
        let _ = std::fs::remove_dir(&target);
    }
}

/// Threads' calls are counted under their process, as a PID column should; the log
/// names the thread.
#[test]
fn the_report_counts_per_process_and_the_log_names_threads() {
    let dir = tempfile::tempdir().unwrap();
    let script = "import os, threading\n\
                  t = threading.Thread(target=os.getppid); t.start(); t.join()\n\
                  os.getppid()\n\
                  print(os.getpid(), flush=True)";
    let (child, log) = complain(dir.path(), &["/usr/bin/python3", "-c", script]);
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{out:?}");
    let pid: u64 = String::from_utf8_lossy(&out.stdout).trim().parse().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    let row = err
        .lines()
        .find(|l| l.trim_end().ends_with(" getppid"))
        .unwrap_or_else(|| panic!("no getppid row: {err}"));
    let cols: Vec<&str> = row.split_whitespace().collect();
    assert_eq!(cols, ["2", &pid.to_string(), "getppid"], "{err}");
    let lines = log_lines(&log);
    let tids: Vec<u64> = lines
        .iter()
        .filter(|v| v["syscall"] == "getppid")
        .map(|v| {
            assert_eq!(v["pid"], pid);
            v["tid"].as_u64().unwrap()
        })
        .collect();
    assert_eq!(tids.len(), 2);
    assert!(
        tids.contains(&pid) && tids.iter().any(|&t| t != pid),
        "{tids:?}"
    );
}

/// A daemon that outlives the command: its later calls are reported, because the
/// supervisor stays until the last process holding the filter is gone.
#[test]
fn a_daemons_later_calls_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("late");
    let script = format!("(sleep 0.5; mkdir {}) & exit 0", target.display());
    let (child, log) = complain(dir.path(), &["sh", "-c", &script]);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(target.exists());
    // (dash asks getppid at start too.)
    let names: Vec<String> = log_lines(&log)
        .iter()
        .map(|v| v["syscall"].as_str().unwrap().to_string())
        .filter(|n| n != "getppid")
        .collect();
    assert_eq!(names, ["mkdir"], "{}", String::from_utf8_lossy(&out.stderr));
}

/// The peak memory of sysfence (VmHWM) over 20,000 and 200,000 would-be-blocked calls:
/// the log is written as it goes, so it must not grow with the count.
#[test]
fn the_log_is_streamed_not_held() {
    let dir = tempfile::tempdir().unwrap();
    let peak = |calls: u32| -> u64 {
        let script = format!("import os\nfor _ in range({calls}): os.getppid()");
        let (mut child, log) = complain(dir.path(), &["/usr/bin/python3", "-c", &script]);
        let status_path = format!("/proc/{}/status", child.id());
        let mut peak = 0;
        loop {
            if let Ok(text) = std::fs::read_to_string(&status_path)
                && let Some(kb) = text
                    .lines()
                    .find_map(|l| l.strip_prefix("VmHWM:"))
                    .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            {
                peak = peak.max(kb);
            }
            if child.try_wait().unwrap().is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let lines = std::fs::read_to_string(&log).unwrap().lines().count();
        assert_eq!(lines as u32, calls);
        peak
    };
    let small = peak(20_000);
    let large = peak(200_000);
    assert!(
        large < small + 4096,
        "sysfence grew from {small} kB to {large} kB over 180,000 more calls"
    );
}
