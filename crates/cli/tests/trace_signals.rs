//! Signals to the tracer, as strace's `-I`: with `-o FILE COMMAND` (strace's `-I 3`
//! default) `kill` or `timeout` of the tracer do not end the trace; `-I 2` (the default
//! otherwise) ends it cleanly, giving the command the signal; `-I 1` lets the signal end
//! the tracer at once while the command runs on; `-I 4` also ignores ^Z.

mod common;

use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

/// Starts `sysfence trace ARGS -- sh -c 'sleep 0.6; echo done'` and waits until the
/// trace shows the command running (so the tracer has set up its signals).
fn start(args: &[&str], trace_file: &Path) -> Child {
    let child = common::sysfence()
        .arg("trace")
        .args(args)
        .args(["sh", "-c", "sleep 0.6; echo done"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("sysfence starts");
    let start = Instant::now();
    while !std::fs::read_to_string(trace_file).is_ok_and(|t| t.contains("execve(")) {
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "no trace appeared"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    // The shell is in its sleep's wait by now, well within the 0.6 s.
    std::thread::sleep(Duration::from_millis(100));
    child
}

fn signal(child: &Child, sig: i32) {
    // SAFETY: kill(2) on our own child's pid.
    assert_eq!(unsafe { libc::kill(child.id() as i32, sig) }, 0);
}

#[test]
fn with_dash_o_for_a_command_the_fatal_signals_do_not_end_the_trace() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("trace");
    let f = file.to_str().unwrap();
    for args in [
        vec!["-o", f],
        vec!["-I", "3", "-o", f],
        vec!["-I", "never", "-o", f],
    ] {
        let child = start(&args, &file);
        for sig in [
            libc::SIGTERM,
            libc::SIGINT,
            libc::SIGHUP,
            libc::SIGQUIT,
            libc::SIGPIPE,
        ] {
            signal(&child, sig);
        }
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{args:?}: {out:?}");
        assert_eq!(String::from_utf8_lossy(&out.stdout), "done\n");
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(
            text.ends_with("+++ exited with 0 +++\n"),
            "{args:?}: {text}"
        );
    }
}

#[test]
fn dash_i_2_ends_the_trace_cleanly_and_the_command_gets_the_signal() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("trace");
    let child = start(&["-I", "2", "-o", file.to_str().unwrap()], &file);
    signal(&child, libc::SIGTERM);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.signal(), Some(libc::SIGTERM), "{out:?}");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "",
        "the command was ended"
    );
}

#[test]
fn dash_i_1_lets_the_signal_end_the_tracer_at_once_and_the_command_runs_on() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("trace");
    let child = start(&["-I", "anywhere", "-o", file.to_str().unwrap()], &file);
    signal(&child, libc::SIGTERM);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.signal(), Some(libc::SIGTERM), "{out:?}");
    // The command was let go, not killed: it finishes and prints (its stdout is the
    // pipe sysfence shared with it, read to its end by wait_with_output).
    assert_eq!(String::from_utf8_lossy(&out.stdout), "done\n");
}

#[test]
fn dash_i_4_ignores_ctrl_z_too() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("trace");
    let child = start(&["-I", "4", "-o", file.to_str().unwrap()], &file);
    signal(&child, libc::SIGTSTP);
    std::thread::sleep(Duration::from_millis(50));
    let state = common::proc_state(child.id());
    signal(&child, libc::SIGCONT);
    let out = child.wait_with_output().unwrap();
    assert_ne!(state, Some('T'), "sysfence stopped on SIGTSTP");
    assert_eq!(out.status.code(), Some(0), "{out:?}");
}

#[test]
fn without_dash_o_a_signal_ends_the_trace_as_strace_does() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("trace");
    // -o '|cat > FILE' is not "-o FILE": use stderr, watched through a copy.
    let mut child = common::sysfence()
        .args(["trace", "sh", "-c", "sleep 0.6; echo done"])
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&file).unwrap())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while !std::fs::read_to_string(&file).is_ok_and(|t| t.contains("wait4(")) {
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "no trace appeared"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    signal(&child, libc::SIGTERM);
    let status = child.wait().unwrap();
    assert_eq!(status.signal(), Some(libc::SIGTERM));
    let mut out = String::new();
    std::io::Read::read_to_string(&mut child.stdout.take().unwrap(), &mut out).unwrap();
    assert_eq!(out, "", "the command got SIGTERM too");
}
