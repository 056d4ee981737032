//! How sysfence writes what it writes, as root: documents (profiles, BPF) replace their
//! target atomically without harming devices, links or other users' files; streams (a
//! trace, -ff files, complain mode's log) are written in place as strace writes them;
//! outputs that cannot be created are refused before any command runs; a reader that
//! goes away ends sysfence quietly, never with a panic.

mod common;

use common::sysfence;
use std::io::{BufRead, BufReader};
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const ALLOW: &str = r#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[]}"#;
const DENY_MKDIR: &str = r#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO"}]}"#;

fn profile_in(dir: &Path, json: &str) -> PathBuf {
    let p = dir.join("profile.json");
    std::fs::write(&p, json).unwrap();
    p
}

/// `sysfence profile convert PROFILE --format docker -o OUT`.
fn convert_to(profile: &Path, out: &Path) -> std::process::Output {
    sysfence()
        .args(["profile", "convert"])
        .arg(profile)
        .args(["--format", "docker", "-o"])
        .arg(out)
        .output()
        .unwrap()
}

fn assert_ok(out: &std::process::Output) {
    assert!(
        out.status.success(),
        "status {:?}, stderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
}

fn is_profile(path: &Path) -> bool {
    std::fs::read_to_string(path).is_ok_and(|t| t.contains("\"defaultAction\""))
}

#[test]
fn a_document_written_to_dev_null_leaves_the_device_a_device() {
    let dir = tempfile::tempdir().unwrap();
    let p = profile_in(dir.path(), ALLOW);
    for format in ["docker", "systemd", "bpf"] {
        let out = sysfence()
            .args(["profile", "convert"])
            .arg(&p)
            .args(["--format", format, "-o", "/dev/null"])
            .output()
            .unwrap();
        assert_ok(&out);
        let meta = std::fs::metadata("/dev/null").unwrap();
        assert!(
            meta.file_type().is_char_device(),
            "/dev/null is no longer a device"
        );
        assert_eq!(meta.rdev(), libc::makedev(1, 3));
    }
}

#[test]
fn a_document_written_through_a_symlink_keeps_the_link() {
    let dir = tempfile::tempdir().unwrap();
    let p = profile_in(dir.path(), ALLOW);
    let real = dir.path().join("real.json");
    std::fs::write(&real, "old").unwrap();
    let link = dir.path().join("link.json");
    std::os::unix::fs::symlink("real.json", &link).unwrap();
    // A chain of two links, one absolute.
    let link2 = dir.path().join("link2.json");
    std::os::unix::fs::symlink(&link, &link2).unwrap();
    assert_ok(&convert_to(&p, &link2));
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(
        std::fs::symlink_metadata(&link2)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(is_profile(&real), "the link's target holds the profile");
    // A dangling link creates its target, as `> link` does.
    let dangling = dir.path().join("dangling.json");
    std::os::unix::fs::symlink("created.json", &dangling).unwrap();
    assert_ok(&convert_to(&p, &dangling));
    assert!(
        std::fs::symlink_metadata(&dangling)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(is_profile(&dir.path().join("created.json")));
}

#[test]
fn a_replaced_document_keeps_its_mode_and_owner() {
    let dir = tempfile::tempdir().unwrap();
    let p = profile_in(dir.path(), ALLOW);
    let out = dir.path().join("out.json");
    std::fs::write(&out, "old").unwrap();
    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o640)).unwrap();
    std::os::unix::fs::chown(&out, Some(65534), Some(65534)).unwrap();
    let before = std::fs::metadata(&out).unwrap();
    assert_ok(&convert_to(&p, &out));
    let after = std::fs::metadata(&out).unwrap();
    assert!(is_profile(&out));
    assert_ne!(
        before.ino(),
        after.ino(),
        "replaced by a new file, not rewritten"
    );
    assert_eq!(after.mode() & 0o7777, 0o640);
    assert_eq!((after.uid(), after.gid()), (65534, 65534));
}

#[test]
fn a_document_with_other_hard_links_is_written_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let p = profile_in(dir.path(), ALLOW);
    let a = dir.path().join("a.json");
    let b = dir.path().join("b.json");
    std::fs::write(
        &a,
        "old old old old old old old old old old old old old old",
    )
    .unwrap();
    std::fs::hard_link(&a, &b).unwrap();
    assert_ok(&convert_to(&p, &a));
    let (ma, mb) = (
        std::fs::metadata(&a).unwrap(),
        std::fs::metadata(&b).unwrap(),
    );
    assert_eq!(ma.ino(), mb.ino(), "the links are still one file");
    assert!(is_profile(&b));
    assert!(
        !std::fs::read_to_string(&b).unwrap().contains("old"),
        "no stale tail"
    );
}

#[test]
fn a_new_document_is_0644_minus_the_umask() {
    let dir = tempfile::tempdir().unwrap();
    let p = profile_in(dir.path(), ALLOW);
    for (umask, want) in [(0o022, 0o644), (0o027, 0o640), (0o077, 0o600)] {
        let out = dir.path().join(format!("new-{umask:o}.json"));
        let mut cmd = sysfence();
        cmd.args(["profile", "convert"])
            .arg(&p)
            .args(["--format", "docker", "-o"])
            .arg(&out);
        // SAFETY: umask(2) is async-signal-safe.
        unsafe {
            cmd.pre_exec(move || {
                libc::umask(umask);
                Ok(())
            });
        }
        assert_ok(&cmd.output().unwrap());
        assert_eq!(
            std::fs::metadata(&out).unwrap().mode() & 0o7777,
            want,
            "umask {umask:o}"
        );
    }
}

#[test]
fn a_document_to_a_fifo_or_stdout_is_written_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let p = profile_in(dir.path(), ALLOW);
    let fifo = dir.path().join("fifo");
    let c = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
    // SAFETY: c is a live NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    assert_ok(&convert_to(&p, &fifo));
    assert!(reader.join().unwrap().contains("defaultAction"));
    assert!(
        std::fs::symlink_metadata(&fifo)
            .unwrap()
            .file_type()
            .is_fifo()
    );

    for target in ["/dev/stdout", "/proc/self/fd/1"] {
        let out = convert_to(&p, Path::new(target));
        assert_ok(&out);
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("defaultAction"),
            "{target}"
        );
    }
}

/// The old scheme's temporary name was `.NAME.tmpPID`: an unprivileged user could plant
/// it in a shared directory. Plant every such name sysfence's next pids could take, as
/// symlinks to a file root owns and as files of another user, and check nothing of them
/// is followed, written or left behind.
#[test]
fn planted_temporary_names_are_never_followed() {
    let shared = tempfile::tempdir().unwrap();
    std::fs::set_permissions(shared.path(), std::fs::Permissions::from_mode(0o1777)).unwrap();
    let victim_dir = tempfile::tempdir().unwrap();
    let victim = victim_dir.path().join("root-owned");
    std::fs::write(&victim, "precious").unwrap();
    let p = profile_in(victim_dir.path(), ALLOW);
    let last_pid: u32 = std::fs::read_to_string("/proc/sys/kernel/ns_last_pid")
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let mut planted = Vec::new();
    for (i, pid) in (last_pid..last_pid + 300).enumerate() {
        let name = shared.path().join(format!(".out.json.tmp{pid}"));
        if i % 2 == 0 {
            std::os::unix::fs::symlink(&victim, &name).unwrap();
        } else {
            std::fs::write(&name, "attacker").unwrap();
            std::os::unix::fs::chown(&name, Some(65534), Some(65534)).unwrap();
        }
        planted.push(name);
    }
    let out = shared.path().join("out.json");
    assert_ok(&convert_to(&p, &out));
    assert!(is_profile(&out));
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    let meta = std::fs::metadata(&out).unwrap();
    assert_eq!(
        (meta.uid(), meta.mode() & 0o7777),
        (0, 0o644 & !current_umask())
    );
    for (i, name) in planted.iter().enumerate() {
        let m = std::fs::symlink_metadata(name).unwrap();
        if i % 2 == 0 {
            assert!(m.file_type().is_symlink());
        } else {
            assert_eq!(std::fs::read_to_string(name).unwrap(), "attacker");
        }
    }
    // Nothing of sysfence's own is left in the directory.
    let leftovers: Vec<_> = std::fs::read_dir(shared.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p != &out && !planted.contains(p))
        .collect();
    assert!(leftovers.is_empty(), "left behind: {leftovers:?}");
}

fn current_umask() -> u32 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("Umask:"))
        .map(|v| u32::from_str_radix(v.trim(), 8).unwrap())
        .unwrap()
}

#[test]
fn binary_bpf_is_not_printed_to_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let p = profile_in(dir.path(), ALLOW);
    let (mut master, mut slave) = (0, 0);
    // SAFETY: openpty writes two descriptors into the live locals.
    let rc = unsafe {
        libc::openpty(
            &mut master,
            &mut slave,
            std::ptr::null_mut(),
            std::ptr::null(),
            std::ptr::null(),
        )
    };
    assert_eq!(rc, 0, "openpty");
    for args in [
        vec!["profile", "compile"],
        vec!["profile", "convert", "--format", "bpf"],
    ] {
        // SAFETY: dup returns a new descriptor the Stdio takes ownership of.
        let tty = unsafe {
            <std::os::fd::OwnedFd as std::os::fd::FromRawFd>::from_raw_fd(libc::dup(slave))
        };
        let out = sysfence()
            .args(&args)
            .arg(&p)
            .stdout(Stdio::from(tty))
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(
            err.contains("terminal") && err.contains("-o"),
            "{args:?}: {err}"
        );
    }
    // SAFETY: closing the descriptors openpty gave us.
    unsafe {
        libc::close(master);
        libc::close(slave);
    }
    // Into a pipe it is written.
    let out = sysfence()
        .args(["profile", "compile"])
        .arg(&p)
        .output()
        .unwrap();
    assert_ok(&out);
    assert_eq!(out.stdout.len() % 8, 0);
    assert!(!out.stdout.is_empty());
}

#[test]
fn outputs_that_cannot_be_created_are_refused_before_the_command_runs() {
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("ran");
    let p = profile_in(dir.path(), ALLOW);
    let touch = ["touch", marker.to_str().unwrap()];
    let cases: Vec<Vec<String>> = vec![
        ["trace", "-o", "/missing/dir/x"]
            .iter()
            .map(|s| s.to_string())
            .collect(),
        ["trace", "-ff", "-o", "/missing/dir/x"]
            .iter()
            .map(|s| s.to_string())
            .collect(),
        vec![
            "run".into(),
            "--profile".into(),
            p.display().to_string(),
            "--complain".into(),
            "--log".into(),
            "/missing/x".into(),
            "--".into(),
        ],
        ["record", "-o", "/missing/dir/x.json", "--"]
            .iter()
            .map(|s| s.to_string())
            .collect(),
        ["record", "-o", "/tmp", "--"]
            .iter()
            .map(|s| s.to_string())
            .collect(),
    ];
    for args in cases {
        let out = sysfence().args(&args).args(touch).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(
            err.contains("/missing/") || err.contains("/tmp: Is a directory"),
            "{args:?} names the path: {err}"
        );
        assert!(!marker.exists(), "{args:?} ran the command");
    }
}

#[test]
fn a_trace_to_a_full_device_is_reported_and_the_status_stays_the_commands() {
    let out = sysfence()
        .args(["trace", "-o", "/dev/full", "sh", "-c", "exit 3"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(
        err.lines()
            .any(|l| l == "sysfence: /dev/full: No space left on device"),
        "strace's report: {err}"
    );
    assert!(!err.contains("panicked"));
}

#[test]
fn a_trace_to_dev_null_leaves_the_device_a_device() {
    let out = sysfence()
        .args(["trace", "-f", "-o", "/dev/null", "true"])
        .output()
        .unwrap();
    assert_ok(&out);
    assert!(
        std::fs::metadata("/dev/null")
            .unwrap()
            .file_type()
            .is_char_device()
    );
}

#[test]
fn a_trace_is_piped_into_a_command_with_a_bar_or_a_bang() {
    let dir = tempfile::tempdir().unwrap();
    for lead in ['|', '!'] {
        let file = dir.path().join(format!("piped-{}", lead as u32));
        let out = sysfence()
            .arg("trace")
            .arg("-o")
            .arg(format!("{lead}cat -n > {}", file.display()))
            .arg("true")
            .output()
            .unwrap();
        assert_ok(&out);
        // sysfence waits for the reader, so its output is complete when sysfence ends.
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(
            text.starts_with("     1\texecve(\"/usr/bin/true\""),
            "{text}"
        );
        assert!(text.contains("+++ exited with 0 +++"), "{text}");
        assert!(!Path::new(&format!("{lead}cat -n > {}", file.display())).exists());
    }
    let out = sysfence()
        .args(["trace", "-ff", "-o", "|cat", "true"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("mutually exclusive"));
}

#[test]
fn a_trace_file_is_truncated_or_appended_to_with_dash_a() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("t");
    std::fs::write(&file, "KEEP\n").unwrap();
    let out = sysfence()
        .arg("trace")
        .arg("-A")
        .arg("-o")
        .arg(&file)
        .arg("true")
        .output()
        .unwrap();
    assert_ok(&out);
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.starts_with("KEEP\nexecve("), "{text}");
    let out = sysfence()
        .arg("trace")
        .arg("-o")
        .arg(&file)
        .arg("true")
        .output()
        .unwrap();
    assert_ok(&out);
    assert!(
        std::fs::read_to_string(&file)
            .unwrap()
            .starts_with("execve(")
    );
    // -ff -A appends to each FILE.PID.
    let base = dir.path().join("ff");
    let out = sysfence()
        .arg("trace")
        .args(["-ff", "-A", "-o"])
        .arg(&base)
        .arg("true")
        .output()
        .unwrap();
    assert_ok(&out);
    let per_task: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("ff."))
        .collect();
    assert_eq!(per_task.len(), 1, "{per_task:?}");
}

/// The log of complain mode is written as calls are seen: readable while the command
/// still runs.
#[test]
fn the_complain_log_is_streamed_while_the_command_runs() {
    let dir = tempfile::tempdir().unwrap();
    let p = profile_in(dir.path(), DENY_MKDIR);
    let log = dir.path().join("log.jsonl");
    let target = dir.path().join("d");
    let script = format!("mkdir {}; sleep 5", target.display());
    let mut child = sysfence()
        .args(["run", "--complain", "--log"])
        .arg(&log)
        .arg("--profile")
        .arg(&p)
        .args(["--", "sh", "-c", &script])
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    let mut seen = String::new();
    while start.elapsed() < Duration::from_secs(4) {
        seen = std::fs::read_to_string(&log).unwrap_or_default();
        if seen.contains("\"mkdir") {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let still_running = child.try_wait().unwrap().is_none();
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        seen.contains("\"syscall\":\"mkdir"),
        "log while running: {seen:?}"
    );
    assert!(
        still_running,
        "the command was still running when the line was read"
    );
}

/// `sysfence trace -f sh -c 'sleep 9.87; true'` with its stderr into `head -1`: when head
/// goes, sysfence ends at once as strace does (SIGPIPE, 141: the command is asleep, so no
/// write would tell) and the command it started goes with it (its children, as under
/// strace, are detached and run on); no panic.
#[test]
fn a_trace_whose_reader_goes_away_ends_by_sigpipe_and_takes_the_command() {
    let mut head = Command::new("head")
        .arg("-1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let pipe = head.stdin.take().unwrap();
    let start = Instant::now();
    let mut tracer = sysfence()
        .args(["trace", "-f", "sh", "-c", "sleep 9.87; true"])
        .stderr(Stdio::from(pipe))
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(head.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.starts_with("execve("), "{first}");
    head.wait().unwrap();
    let status = tracer.wait().unwrap();
    assert_eq!(status.signal(), Some(libc::SIGPIPE), "{status:?}");
    assert!(
        start.elapsed() < Duration::from_secs(8),
        "it waited for the command"
    );
    std::thread::sleep(Duration::from_millis(100));
    let found = Command::new("pgrep")
        .args(["-f", "^sh -c sleep 9.87; true$"])
        .output()
        .unwrap();
    let _ = Command::new("pkill").args(["-f", "^sleep 9.87$"]).status();
    // A zombie is gone (its new parent may be slow to reap it).
    let alive: Vec<u32> = String::from_utf8_lossy(&found.stdout)
        .split_whitespace()
        .filter_map(|p| p.parse().ok())
        .filter(|&p| common::proc_state(p).is_some_and(|s| s != 'Z'))
        .collect();
    assert!(alive.is_empty(), "the command outlived sysfence: {alive:?}");
}

#[test]
fn subcommands_end_quietly_when_their_reader_goes_away() {
    let dir = tempfile::tempdir().unwrap();
    let p = profile_in(dir.path(), ALLOW);
    let p = p.to_str().unwrap();
    for args in [
        vec!["syscalls", "--json"],
        vec!["syscalls"],
        vec!["profile", "disasm", p],
        vec!["profile", "show", p],
    ] {
        // Reader that reads nothing: closed at once.
        let (r, w) = std::io::pipe().unwrap();
        drop(r);
        let out = sysfence()
            .args(&args)
            .stdout(Stdio::from(w))
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.signal() == Some(libc::SIGPIPE) || out.status.success(),
            "{args:?}: {:?} {err}",
            out.status
        );
        assert!(err.is_empty(), "{args:?} said: {err}");
    }
}

#[test]
fn run_gives_the_command_the_signal_dispositions_it_would_have_had() {
    let dir = tempfile::tempdir().unwrap();
    let p = profile_in(dir.path(), ALLOW);
    let untraced = Command::new("grep")
        .args(["SigIgn", "/proc/self/status"])
        .output()
        .unwrap();
    for complain in [false, true] {
        let mut cmd = sysfence();
        cmd.arg("run").arg("--profile").arg(&p);
        if complain {
            cmd.arg("--complain");
        }
        let out = cmd
            .args(["--", "grep", "SigIgn", "/proc/self/status"])
            .output()
            .unwrap();
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&untraced.stdout),
            "complain {complain}"
        );
    }
}
