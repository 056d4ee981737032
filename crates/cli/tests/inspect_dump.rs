//! `sysfence dump` on real processes under real filters: raw BPF equal to `profile
//! compile`, a rebuilt profile with the same decisions, listings, lint, and every error
//! the issue names (gone, no filter, strict mode, already traced, sysfence filtered).

mod common;
use common::processes::{Running, moby_default, sleep_under, status_field};
use common::{fixture, sysfence};
use policy::docker::Resolve;
use seccomp::{Program, SeccompData};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};
use syscalls::Arch;
use sysfence_fixtures::tools::{self, SETPRIV, STRACE};

fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn dump(args: &[&str]) -> Output {
    sysfence().arg("dump").args(args).output().unwrap()
}

/// The target is neither left stopped nor traced after a dump. Another test's `status`
/// may hold it for a moment (it seizes every filtered process): the state must clear
/// within a second, not stay.
fn assert_running(r: &Running) {
    let pid = r.pid();
    let deadline = Instant::now() + Duration::from_secs(2);
    loop {
        let state = status_field(pid, "State").unwrap_or_default();
        let tracer = status_field(pid, "TracerPid").unwrap_or_default();
        if (state.starts_with('S') || state.starts_with('R')) && tracer == "0" {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{pid} was left {state:?}, TracerPid {tracer}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn compiled(profile: &Path, dir: &Path) -> Vec<u8> {
    let out = dir.join("compiled.bpf");
    let status = sysfence()
        .args(["profile", "compile"])
        .arg(profile)
        .arg("-o")
        .arg(&out)
        .status()
        .unwrap();
    assert!(status.success());
    std::fs::read(out).unwrap()
}

#[test]
fn dump_bpf_is_instruction_for_instruction_what_profile_compile_gives() {
    let dir = tempfile::tempdir().unwrap();
    let target = sleep_under(&[&moby_default()]);
    let out = dump(&[&target.pid().to_string(), "--format", "bpf"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let want = compiled(&moby_default(), dir.path());
    let (ours, theirs) = (
        Program::from_bytes(&out.stdout).unwrap(),
        Program::from_bytes(&want).unwrap(),
    );
    assert_eq!(ours.len(), theirs.len());
    for (i, (a, b)) in ours.insns.iter().zip(&theirs.insns).enumerate() {
        assert_eq!(a, b, "instruction {i}");
    }
    assert_running(&target);
}

/// Every (ABI, nr) of the knowledge base with zero arguments, and for every condition of
/// the profile, its argument at the compared value and either side of it: the inputs on
/// which two programs must agree.
fn inputs(profile: &Path) -> Vec<SeccompData> {
    let text = std::fs::read_to_string(profile).unwrap();
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap();
    let mut parts = kernel.trim().split(['.', '-']);
    let version = (
        parts.next().unwrap().parse().unwrap(),
        parts.next().unwrap().parse().unwrap(),
    );
    let resolve = Resolve::docker_default(Arch::native(), version);
    let p = policy::docker::import(&text, "profile", &resolve)
        .unwrap()
        .policy;
    let mut out = Vec::new();
    for arch in Arch::ALL {
        for s in arch.table().entries() {
            out.push(SeccompData::new(arch, s.nr, [0; 6]));
            for rule in p.rules.iter().filter(|r| r.syscall == s.name) {
                for c in &rule.conditions {
                    for v in [c.value.wrapping_sub(1), c.value, c.value.wrapping_add(1)] {
                        let mut args = [0u64; 6];
                        args[usize::from(c.arg)] = v;
                        out.push(SeccompData::new(arch, s.nr, args));
                    }
                }
            }
        }
    }
    out
}

#[test]
fn dump_profile_decides_as_the_filter_on_every_call_and_compared_value() {
    let dir = tempfile::tempdir().unwrap();
    let target = sleep_under(&[&moby_default()]);
    let out = dump(&[&target.pid().to_string(), "--format", "profile"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains("cannot be expressed"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rebuilt = dir.path().join("rebuilt.json");
    std::fs::write(&rebuilt, &out.stdout).unwrap();
    let original = Program::from_bytes(&compiled(&moby_default(), dir.path())).unwrap();
    let again = Program::from_bytes(&compiled(&rebuilt, dir.path())).unwrap();
    let inputs = inputs(&moby_default());
    assert!(inputs.len() > 1000, "{} inputs", inputs.len());
    for input in inputs {
        let (a, b) = (
            seccomp::run(&original, &input),
            seccomp::run(&again, &input),
        );
        assert_eq!(a.unwrap().ret, b.unwrap().ret, "{input:?}");
    }
    assert_running(&target);
}

#[test]
fn dump_lists_every_filter_newest_first_with_syscall_names() {
    let dir = tempfile::tempdir().unwrap();
    let only_uname = dir.path().join("deny-uname.json");
    std::fs::write(
        &only_uname,
        r#"{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["uname"], "action": "SCMP_ACT_ERRNO"}]}"#,
    )
    .unwrap();
    let target = sleep_under(&[&moby_default(), &only_uname]);
    let out = dump(&[&target.pid().to_string()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with(&format!("process {} (sleep): 2 filters", target.pid())),
        "{text}"
    );
    // Innermost first: the inner `run`'s filter, which denies uname, installed last (the
    // kernel's index 1), then moby's (index 0).
    let sizes: Vec<usize> = [&only_uname, &moby_default()]
        .iter()
        .map(|p| compiled(p, dir.path()).len() / 8)
        .collect();
    assert!(
        text.contains(&format!(
            "filter 1 (the newest, installed last: innermost): {} instructions",
            sizes[0]
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "filter 0 (the oldest, installed first): {} instructions",
            sizes[1]
        )),
        "{text}"
    );
    assert!(text.find("filter 1 (").unwrap() < text.find("filter 0 (").unwrap());
    let uname = Arch::X86_64.table().lookup_name("uname").unwrap().nr;
    assert!(
        text.lines().any(|l| l.contains(&format!(" #{uname:#x} "))
            && l.contains("x86_64: ")
            && l.ends_with("uname")),
        "{text}"
    );
    // --lint reports what `profile lint` reports for the same programs.
    let out = dump(&[&target.pid().to_string(), "--lint"]);
    let text = String::from_utf8(out.stdout).unwrap();
    let lint = sysfence()
        .args(["profile", "lint"])
        .arg(moby_default())
        .output()
        .unwrap();
    let lint = String::from_utf8(lint.stdout).unwrap();
    for check in ["cross-process", "wide-compare"] {
        assert_eq!(
            text.contains(&format!("filter 0: [{check}]")),
            lint.contains(&format!("[{check}]")),
            "{check}:\n{text}\n{lint}"
        );
    }
    assert!(text.contains("lint: "), "{text}");
    // JSON: both filters, their instructions, the stack's fingerprint.
    let out = dump(&[&target.pid().to_string(), "--json"]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["filters"].as_array().unwrap().len(), 2);
    assert_eq!(
        doc["filters"][0]["instructions"].as_array().unwrap().len(),
        sizes[0]
    );
    assert!(doc["fingerprint"].as_str().unwrap().len() == 16);
    assert_running(&target);
}

#[test]
fn dump_explains_a_process_without_a_filter_a_strict_one_and_a_missing_one() {
    let plain = Running(
        Command::new("sleep")
            .arg("120")
            .stdout(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let out = dump(&[&plain.pid().to_string()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("has no seccomp filter"));

    let child = Command::new(fixture("inspect_strict"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut strict = Running(child);
    let mut line = String::new();
    BufReader::new(strict.0.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line, "ready\n");
    let out = dump(&[&strict.pid().to_string()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("strict mode") && err.contains("has no filter"),
        "{err}"
    );
    assert!(err.contains("read, write, _exit"), "{err}");
    assert!(!err.contains("panicked"));

    let out = dump(&["2147483646"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("process 2147483646 does not exist"));
}

#[test]
fn dump_by_a_filtered_sysfence_explains_the_kernels_eacces() {
    let dir = tempfile::tempdir().unwrap();
    let allow_all = dir.path().join("allow-all.json");
    std::fs::write(&allow_all, r#"{"defaultAction": "SCMP_ACT_ALLOW"}"#).unwrap();
    let target = sleep_under(&[&moby_default()]);
    let out = sysfence()
        .arg("run")
        .arg("--profile")
        .arg(&allow_all)
        .arg("--")
        .arg(env!("CARGO_BIN_EXE_sysfence"))
        .args(["dump", &target.pid().to_string()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("sysfence itself runs under a seccomp filter") && err.contains("EACCES"),
        "{err}"
    );
    assert!(!err.contains("os error"), "{err}");
    assert_running(&target);
}

#[test]
fn dump_of_a_traced_process_names_its_tracer() {
    let Some(strace) = tools::require(STRACE) else {
        return;
    };
    let target = sleep_under(&[&moby_default()]);
    let tracer = Running(
        Command::new(strace)
            .args(["-o", "/dev/null", "-p", &target.pid().to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let pid = target.pid();
    wait_for("strace to attach", || {
        status_field(pid, "TracerPid").is_some_and(|t| t != "0")
    });
    let out = dump(&[&target.pid().to_string()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("already traced by PID {}", tracer.pid())),
        "{err}"
    );
}

#[test]
fn dump_without_cap_sys_admin_says_so() {
    let Some(setpriv) = tools::require(SETPRIV) else {
        return;
    };
    let target = sleep_under(&[&moby_default()]);
    let out = Command::new(setpriv)
        .args(["--bounding-set", "-sys_admin"])
        .arg(env!("CARGO_BIN_EXE_sysfence"))
        .args(["dump", &target.pid().to_string()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("needs CAP_SYS_ADMIN") && err.contains("EACCES"),
        "{err}"
    );
    assert_running(&target);
}

#[test]
fn repeated_dumps_leave_a_busy_process_running_and_a_stopped_one_stopped() {
    let busy = Running(
        sysfence()
            .arg("run")
            .arg("--profile")
            .arg(moby_default())
            .args(["--", "sh", "-c", "while :; do :; done"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let pid = busy.pid();
    wait_for("the filtered shell", || {
        status_field(pid, "Seccomp").as_deref() == Some("2")
    });
    for _ in 0..20 {
        let out = dump(&[&pid.to_string(), "--format", "bpf"]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert_running(&busy);
    // A process stopped by SIGSTOP before the dump is stopped after it, as it was, and
    // runs on SIGCONT: the dump neither swallowed nor added a stop.
    let target = sleep_under(&[&moby_default()]);
    // SAFETY: kill(2) on our own child with a constant signal.
    unsafe { libc::kill(target.pid(), libc::SIGSTOP) };
    let tpid = target.pid();
    wait_for("the stop", || {
        status_field(tpid, "State").is_some_and(|s| s.starts_with('T'))
    });
    let out = dump(&[&tpid.to_string()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // (`t` only while another test's status holds it for a moment.)
    assert!(status_field(tpid, "State").unwrap().starts_with(['T', 't']));
    // SAFETY: as above.
    unsafe { libc::kill(tpid, libc::SIGCONT) };
    assert_running(&target);
}

#[test]
fn dump_of_a_zombie_says_it_has_exited_and_who_must_reap_it() {
    let zombie = Running(
        sysfence()
            .arg("run")
            .arg("--profile")
            .arg(moby_default())
            .args(["--", "true"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let pid = zombie.pid();
    wait_for("the zombie", || {
        status_field(pid, "State").is_some_and(|s| s.starts_with('Z'))
    });
    let out = dump(&[&pid.to_string()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("has exited (a zombie")
            && err.contains(&format!("PID {}", std::process::id())),
        "{err}"
    );
}
