//! `sysfence watch` in the kernel, as root: what the scope lets through, with decoded
//! arguments, and what it drops in the kernel; clear errors for bad input.

mod common;

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A watch running in the background, killed (SIGINT, then SIGKILL) when dropped.
struct Running {
    child: Child,
}

impl Running {
    /// Starts `sysfence watch ARGS` and waits until its probes are attached.
    fn start(args: &[&str]) -> Running {
        let mut child = common::sysfence()
            .arg("watch")
            .args(args)
            .stdout(Stdio::null())
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
        // The rest of stderr (the summary) is read at the end.
        std::thread::spawn(move || {
            let mut rest = String::new();
            let _ = std::io::Read::read_to_string(&mut stderr, &mut rest);
            rest
        });
        Running { child }
    }

    /// Stops it as Ctrl-C does and waits for it.
    fn stop(mut self) -> std::process::ExitStatus {
        // SAFETY: kill(2) on our own child.
        unsafe { libc::kill(self.child.id() as i32, libc::SIGINT) };
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "watch did not stop at SIGINT");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn json_lines(path: &std::path::Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

/// `--events execve,openat,connect --scope comm=NAME --output json`: the program's exec,
/// its open of a known path and its connect to a loopback port arrive decoded, with its
/// pid and uid, and nothing of any other comm.
#[test]
fn a_scoped_program_is_seen_exec_open_and_connect_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let comm = format!("sfw{}", std::process::id() % 1_000_000);
    let program = dir.path().join(&comm);
    std::fs::copy(common::fixture("watch_subject"), &program).unwrap();
    let target = dir.path().join("opened-by-the-subject");
    std::fs::write(&target, "x").unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let events = dir.path().join("events.jsonl");
    let scope = format!("comm={comm}");
    let watch = Running::start(&[
        "--events",
        "execve,openat,connect",
        "--scope",
        &scope,
        "--output",
        "json",
        "-o",
        events.to_str().unwrap(),
    ]);
    let child = Command::new(&program)
        .arg(&target)
        .arg(port.to_string())
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&child.stdout),
        "opened true connected true\n"
    );
    // Everything of the program's is in the ring buffer once it has exited; give the
    // reader a moment to drain it.
    std::thread::sleep(Duration::from_millis(300));
    assert!(watch.stop().success());
    let lines = json_lines(&events);
    assert!(!lines.is_empty(), "no events");
    for l in &lines {
        assert_eq!(l["v"], 1);
        assert_eq!(l["comm"], comm.as_str(), "only the scoped comm: {l}");
        assert_eq!(l["uid"], 0);
        assert!(
            ["execve", "openat", "connect"].contains(&l["name"].as_str().unwrap()),
            "{l}"
        );
    }
    let pid = lines[0]["pid"].clone();
    assert!(lines.iter().all(|l| l["pid"] == pid), "one process");
    let arg = |l: &serde_json::Value, i: usize| l["args"][i]["text"].as_str().unwrap().to_string();
    let exec = lines
        .iter()
        .find(|l| l["name"] == "execve")
        .expect("the exec");
    assert_eq!(arg(exec, 0), format!("{:?}", program.to_str().unwrap()));
    assert_eq!(exec["ret"], 0);
    let open = lines
        .iter()
        .find(|l| l["name"] == "openat" && arg(l, 1) == format!("{:?}", target.to_str().unwrap()))
        .unwrap_or_else(|| panic!("no openat of {}: {lines:?}", target.display()));
    assert!(open["ret"].as_i64().unwrap() >= 0, "{open}");
    let connect = lines
        .iter()
        .find(|l| l["name"] == "connect")
        .expect("the connect");
    assert_eq!(
        arg(connect, 1),
        format!("{{sa_family=AF_INET, sin_port=htons({port}), sin_addr=inet_addr(\"127.0.0.1\")}}")
    );
    assert_eq!(connect["ret"], 0);
}

/// The summary says how many calls the kernel dropped for being out of scope: the other
/// processes' calls never reached sysfence.
#[test]
fn calls_out_of_scope_are_dropped_in_the_kernel_and_counted() {
    let out = common::sysfence()
        .args(["watch", "--scope", "comm=no-such-comm", "--duration", "0.5"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(out.stdout.is_empty(), "nothing matched: {out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let summary = stderr
        .lines()
        .find(|l| l.contains("dropped in the kernel"))
        .unwrap_or_else(|| panic!("{stderr}"));
    assert!(summary.contains("watch: 0 events"), "{summary}");
    let filtered: u64 = summary
        .split("dropped in the kernel: ")
        .nth(1)
        .and_then(|s| s.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{summary}"));
    assert!(filtered > 0, "{summary}");
}

#[test]
fn bad_input_gets_an_error_that_names_the_problem() {
    for (args, says) in [
        (vec!["--events", "opnat"], "did you mean openat"),
        (vec!["--scope", "tree=1"], "unknown scope `tree`"),
        (vec!["--scope", "pid>3"], "pid takes = or != only"),
        (vec!["--scope", "uid=abc"], "`abc` is not a number"),
        (vec!["--scope", "comm"], "expected KEY=VALUE"),
        (vec!["--duration", "0"], "above 0"),
    ] {
        let out = common::sysfence()
            .arg("watch")
            .args(&args)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(stderr.contains(says), "{args:?}: {stderr}");
    }
}

/// Without root the probes cannot load: the error says so instead of an OS error.
#[test]
fn without_root_the_error_names_what_is_missing() {
    // setpriv is util-linux's, which every Debian has.
    let out = Command::new("setpriv")
        .args(["--reuid", "65534", "--regid", "65534", "--clear-groups"])
        .arg(env!("CARGO_BIN_EXE_sysfence"))
        .args(["watch", "--duration", "0.1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("eBPF needs root"),
        "{out:?}"
    );
}
