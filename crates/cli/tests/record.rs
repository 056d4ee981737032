//! `sysfence record`, in the kernel as root: the profile it writes lets the command run
//! exactly as untraced, blocks nearly everything else, follows children, records 32-bit
//! calls under their own ABI, and leaves setuid programs working.

mod common;

use common::{record, run_under};

use common::fixture;
use std::path::Path;
use std::process::Command;

fn names(profile: &Path) -> Vec<String> {
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(profile).unwrap()).unwrap();
    v["syscalls"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["names"].as_array().unwrap().iter())
        .map(|n| n.as_str().unwrap().to_string())
        .collect()
}

/// The recorded profile for `ls -la /` allows at most 45 syscalls (blocks at least 88%
/// of x86_64's), and `ls -la /` under it prints what it prints untraced.
#[test]
fn a_recorded_profile_is_tight_and_lets_the_command_run_as_untraced() {
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("ls.json");
    let recorded = record(&["-o", profile.to_str().unwrap()], &["ls", "-la", "/"]);
    assert!(recorded.status.success(), "{recorded:?}");
    let allowed = names(&profile);
    assert!(
        allowed.len() <= 45,
        "{} allowed: {allowed:?}",
        allowed.len()
    );
    let summary = String::from_utf8_lossy(&recorded.stderr);
    let blocked: f64 = summary
        .split('(')
        .nth(1)
        .and_then(|s| s.split('%').next())
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("no percentage in {summary}"));
    assert!(blocked >= 88.0, "{summary}");
    // /proc's link count moves with the number of processes (and the column widths with
    // it): compare the other lines, field by field.
    let stable = |out: &[u8]| -> Vec<String> {
        String::from_utf8_lossy(out)
            .lines()
            .filter(|l| !l.ends_with(" proc") && !l.starts_with("total"))
            .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
            .collect()
    };
    let untraced = Command::new("ls").args(["-la", "/"]).output().unwrap();
    let enforced = run_under(&profile, &["ls", "-la", "/"]);
    assert!(enforced.status.success(), "{enforced:?}");
    assert_eq!(stable(&enforced.stdout), stable(&untraced.stdout));
    assert_eq!(
        stable(&recorded.stdout),
        stable(&untraced.stdout),
        "the recorded run is the real one"
    );
}

#[test]
fn children_are_followed_and_the_exit_status_is_the_commands() {
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("sh.json");
    let sub = dir.path().join("sub");
    let script = format!("mkdir {0}; rmdir {0}; exit 7", sub.display());
    let out = record(&["-o", profile.to_str().unwrap()], &["sh", "-c", &script]);
    assert_eq!(out.status.code(), Some(7), "{out:?}");
    let allowed = names(&profile);
    for call in ["execve", "mkdir", "rmdir", "wait4"] {
        assert!(
            allowed.iter().any(|n| n == call),
            "{call} missing from {allowed:?}"
        );
    }
    assert_eq!(
        run_under(&profile, &["sh", "-c", &script]).status.code(),
        Some(7)
    );
}

/// Calls through `int 0x80` are i386 calls: recorded under SCMP_ARCH_X86 by their i386
/// names; the profile names only the ABIs used. In bpf format each ABI keeps its own set.
#[test]
fn thirty_two_bit_calls_are_recorded_as_their_own_abi() {
    let dir = tempfile::tempdir().unwrap();
    let int80 = fixture("seccomp_int80");
    let int80 = int80.to_str().unwrap();
    let profile = dir.path().join("int80.json");
    let out = record(&["-o", profile.to_str().unwrap()], &[int80, "socket"]);
    assert!(out.status.success(), "{out:?}");
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&profile).unwrap()).unwrap();
    assert_eq!(
        v["architectures"],
        serde_json::json!(["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"]),
        "{v}"
    );
    assert!(names(&profile).iter().any(|n| n == "socketcall"));
    let want = "int80 socket: ok\nint80 socketcall: ok\n";
    assert_eq!(
        String::from_utf8_lossy(&run_under(&profile, &[int80, "socket"]).stdout),
        want
    );
    let bpf = dir.path().join("int80.bpf");
    let out = record(
        &["--format", "bpf", "-o", bpf.to_str().unwrap()],
        &[int80, "socket"],
    );
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        String::from_utf8_lossy(&run_under(&bpf, &[int80, "socket"]).stdout),
        want
    );
    // Exactly per ABI: the 64-bit side does not admit socketcall (which it lacks), and
    // the i386 side does not admit what only the 64-bit side made (arch_prctl).
    let disasm = common::sysfence()
        .args(["profile", "disasm"])
        .arg(&bpf)
        .output()
        .unwrap();
    assert!(disasm.status.success());
    let summary = String::from_utf8_lossy(&out.stderr);
    assert!(
        summary.contains("x86_64:") && summary.contains("i386:"),
        "{summary}"
    );
    assert!(
        !summary.contains("union"),
        "bpf keeps the ABIs apart: {summary}"
    );
}

/// As root the recorder sets no NO_NEW_PRIVS, so setuid programs keep working.
#[test]
fn recording_as_root_leaves_no_new_privs_off() {
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("p.json");
    let out = record(
        &["-o", profile.to_str().unwrap()],
        &["grep", "NoNewPrivs", "/proc/self/status"],
    );
    assert!(out.status.success(), "{out:?}");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "NoNewPrivs:\t0\n");
}

/// k8s output is an SPO SeccompProfile named after the command that round-trips through
/// `profile convert`; --default-action sets the answer for everything else (an SPO
/// profile cannot say ENOSYS: that is a clear error).
#[test]
fn formats_and_default_actions() {
    let dir = tempfile::tempdir().unwrap();
    let k8s = dir.path().join("true.yaml");
    let refused = record(
        &[
            "--format",
            "k8s",
            "--default-action",
            "enosys",
            "-o",
            k8s.to_str().unwrap(),
        ],
        &["true"],
    );
    assert_eq!(refused.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("use the Docker or OCI format"));
    assert!(!k8s.exists(), "nothing written");
    let out = record(&["--format", "k8s", "-o", k8s.to_str().unwrap()], &["true"]);
    assert!(out.status.success(), "{out:?}");
    let text = std::fs::read_to_string(&k8s).unwrap();
    assert!(
        text.contains("kind: SeccompProfile") && text.contains("name: 'true'"),
        "{text}"
    );
    let back = dir.path().join("back.json");
    let conv = common::sysfence()
        .args(["profile", "convert"])
        .arg(&k8s)
        .args(["--format", "docker", "-o"])
        .arg(&back)
        .output()
        .unwrap();
    assert!(conv.status.success(), "{conv:?}");
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&back).unwrap()).unwrap();
    assert_eq!(v["defaultAction"], "SCMP_ACT_ERRNO");
    assert!(run_under(&back, &["true"]).status.success());
    let enosys = dir.path().join("enosys.json");
    let out = record(
        &["--default-action", "enosys", "-o", enosys.to_str().unwrap()],
        &["true"],
    );
    assert!(out.status.success(), "{out:?}");
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&enosys).unwrap()).unwrap();
    assert_eq!(v["defaultErrnoRet"], 38);
}

/// `--merge`: two runs that used different calls give one profile under which both
/// succeed; the existing profile is read before the command runs, so a bad one costs
/// no run; its default action carries over.
#[test]
fn merged_runs_give_a_profile_both_runs_pass_under() {
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("both.json");
    let p = profile.to_str().unwrap();
    let sub = dir.path().join("sub");
    let s = sub.to_str().unwrap();
    let first = record(&["--default-action", "enosys", "-o", p], &["mkdir", s]);
    assert!(first.status.success(), "{first:?}");
    let second = record(&["--merge", p, "-o", p], &["rmdir", s]);
    assert!(second.status.success(), "{second:?}");
    let allowed = names(&profile);
    assert!(allowed.iter().any(|n| n == "mkdir") && allowed.iter().any(|n| n == "rmdir"));
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&profile).unwrap()).unwrap();
    assert_eq!(
        v["defaultErrnoRet"], 38,
        "the existing default carries over"
    );
    assert!(run_under(&profile, &["mkdir", s]).status.success());
    assert!(run_under(&profile, &["rmdir", s]).status.success());

    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{\"defaultAction\": 7}").unwrap();
    let marker = dir.path().join("ran");
    let out = record(
        &["--merge", bad.to_str().unwrap(), "-o", p],
        &["touch", marker.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("bad.json"));
    assert!(
        !marker.exists(),
        "the command ran despite a bad --merge profile"
    );
}

fn tracer_pid(pid: u32) -> Option<u32> {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()?
        .lines()
        .find_map(|l| l.strip_prefix("TracerPid:"))
        .and_then(|v| v.trim().parse().ok())
}

/// `-p PID`: a running loop recorded for a second, then Ctrl-C: the profile lists what
/// it called, and the loop keeps running, never left stopped or traced.
#[test]
fn a_running_process_is_recorded_until_interrupted_and_keeps_running() {
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("loop.json");
    let mut looping = Command::new("sh")
        .args([
            "-c",
            "while :; do cat /etc/hostname >/dev/null; sleep 0.05; done",
        ])
        .spawn()
        .unwrap();
    let pid = looping.id();
    let recorder = common::sysfence()
        .args(["record", "-o"])
        .arg(&profile)
        .args(["-p", &pid.to_string()])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1000));
    // SAFETY: kill(2) on our own child.
    unsafe { libc::kill(recorder.id() as i32, libc::SIGINT) };
    let out = recorder.wait_with_output().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(100));
    let state = common::proc_state(pid);
    let traced = tracer_pid(pid);
    let _ = looping.kill();
    let _ = looping.wait();
    assert!(out.status.success(), "{out:?}");
    assert!(
        !matches!(state, Some('T' | 't') | None),
        "the loop is {state:?}"
    );
    assert_eq!(traced, Some(0), "still traced");
    let allowed = names(&profile);
    for call in [
        "vfork",
        "wait4",
        "execve",
        "openat",
        "read",
        "clock_nanosleep",
    ] {
        assert!(
            allowed.iter().any(|n| n == call),
            "{call} missing from {allowed:?}"
        );
    }
}

/// The ptrace backend records a command too; -p refuses the notify backend.
#[test]
fn the_ptrace_backend_records_commands_and_notify_refuses_pids() {
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("ls.json");
    let out = record(
        &["--backend", "ptrace", "-o", profile.to_str().unwrap()],
        &["ls", "/"],
    );
    assert!(out.status.success(), "{out:?}");
    let under = run_under(&profile, &["ls", "/"]);
    assert!(under.status.success(), "{under:?}");
    assert_eq!(
        under.stdout,
        Command::new("ls").arg("/").output().unwrap().stdout
    );
    let out = common::sysfence()
        .args(["record", "--backend", "notify", "-p", "1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--backend ptrace"));
}

/// A program with a SIGCHLD handler installed without SA_RESTART forks 3,000 times: none
/// of its forks fails untraced, and none under the recorder (a fork waiting for the
/// notify supervisor's answer could be ended by the signal with EINTR: the fork family
/// is counted by the probes instead), and clone is in the profile.
#[test]
fn forks_under_the_recorder_never_fail_with_eintr() {
    let dir = tempfile::tempdir().unwrap();
    let source = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/c/fork_sigchld.c");
    let Some(program) = common::build_c(source, &dir.path().join("forks"), &[]) else {
        return;
    };
    let program = program.to_str().unwrap();
    let plain = Command::new(program).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&plain.stdout), "0\n", "{plain:?}");
    let profile = dir.path().join("forks.json");
    let recorded = record(&["-o", profile.to_str().unwrap()], &[program]);
    assert!(recorded.status.success(), "{recorded:?}");
    assert_eq!(
        String::from_utf8_lossy(&recorded.stdout),
        "0\n",
        "forks failed with EINTR under the recorder: {recorded:?}"
    );
    assert!(names(&profile).iter().any(|n| n == "clone"), "{recorded:?}");
}
