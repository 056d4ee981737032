//! `sysfence run` in the real kernel: fixture programs run under profiles as subprocesses
//! (no filter is ever installed in the test process).

mod common;

use common::fixture;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use syscalls::Arch;

const SIGSYS: i32 = 31;

fn profile(dir: &Path, name: &str, json: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, json).unwrap();
    path
}

fn run(profile: &Path, command: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sysfence"))
        .arg("run")
        .arg("--profile")
        .arg(profile)
        .arg("--")
        .args(command)
        .output()
        .expect("sysfence runs")
}

/// Runs `program` under `sysfence run --complain --log LOG --profile PROFILE`.
fn run_complain(profile: &Path, log: &Path, program: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sysfence"))
        .args(["run", "--complain", "--log"])
        .arg(log)
        .arg("--profile")
        .arg(profile)
        .arg("--")
        .arg(program)
        .output()
        .expect("sysfence runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

const ALLOW_X86_64_ONLY: &str =
    r#"{"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_X86_64"],"syscalls":[]}"#;

#[test]
fn an_int80_call_is_killed_when_i386_is_not_a_target() {
    let dir = tempfile::tempdir().unwrap();
    let p = profile(dir.path(), "p.json", ALLOW_X86_64_ONLY);
    let prog = fixture("seccomp_int80");
    // Unfiltered, the compat call works on this kernel: the kill below is the filter's.
    let free = Command::new(&prog).output().unwrap();
    assert_eq!(stdout(&free), "int80 getpid: ok\n");
    let o = run(&p, &[prog.to_str().unwrap()]);
    assert_eq!(o.status.signal(), Some(SIGSYS), "{o:?}");
    assert_eq!(stdout(&o), "");
}

#[test]
fn an_int80_call_of_a_denied_syscall_gets_the_i386_rules_answer() {
    let dir = tempfile::tempdir().unwrap();
    let p = profile(
        dir.path(),
        "p.json",
        r#"{"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_X86_64","SCMP_ARCH_X86"],
            "syscalls":[{"names":["getpid"],"action":"SCMP_ACT_ERRNO","errnoRet":1}]}"#,
    );
    let o = run(&p, &[fixture("seccomp_int80").to_str().unwrap()]);
    assert!(o.status.success(), "{o:?}");
    assert_eq!(stdout(&o), "int80 getpid: errno 1\n");
}

#[test]
fn an_x32_numbered_call_is_killed_as_a_foreign_abi() {
    let dir = tempfile::tempdir().unwrap();
    let p = profile(dir.path(), "p.json", ALLOW_X86_64_ONLY);
    let o = run(&p, &[fixture("seccomp_x32").to_str().unwrap()]);
    assert_eq!(o.status.signal(), Some(SIGSYS), "{o:?}");
    assert_eq!(stdout(&o), "");
}

#[test]
fn threads_get_the_errno_the_profile_names() {
    let dir = tempfile::tempdir().unwrap();
    let p = profile(
        dir.path(),
        "p.json",
        r#"{"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_X86_64"],
            "syscalls":[{"names":["uname"],"action":"SCMP_ACT_ERRNO","errnoRet":13}]}"#,
    );
    let prog = fixture("seccomp_threads");
    let free = Command::new(&prog).output().unwrap();
    assert_eq!(stdout(&free), "thread uname: ok\nmain uname: ok\n");
    let o = run(&p, &[prog.to_str().unwrap()]);
    assert!(o.status.success(), "{o:?}");
    assert_eq!(stdout(&o), "thread uname: errno 13\nmain uname: errno 13\n");
}

#[test]
fn kill_process_in_a_thread_kills_the_whole_program() {
    let dir = tempfile::tempdir().unwrap();
    let p = profile(
        dir.path(),
        "p.json",
        r#"{"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_X86_64"],
            "syscalls":[{"names":["uname"],"action":"SCMP_ACT_KILL_PROCESS"}]}"#,
    );
    let o = run(&p, &[fixture("seccomp_threads").to_str().unwrap()]);
    assert_eq!(o.status.signal(), Some(SIGSYS), "{o:?}");
    assert_eq!(stdout(&o), "", "the main thread never got to print");
}

#[test]
fn moby_default_runs_ordinary_commands_and_passes_their_exit_status() {
    let moby = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../policy/tests/data/moby/default.json"
    );
    let o = run(
        Path::new(moby),
        &["sh", "-c", "echo hi; ls / >/dev/null; exit 7"],
    );
    assert_eq!(o.status.code(), Some(7), "{o:?}");
    assert_eq!(stdout(&o), "hi\n");
}

#[test]
fn complain_mode_lets_everything_run_and_reports_what_would_be_blocked() {
    let dir = tempfile::tempdir().unwrap();
    let p = profile(
        dir.path(),
        "p.json",
        r#"{"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_X86_64"],
            "syscalls":[{"names":["uname"],"action":"SCMP_ACT_ERRNO","errnoRet":13},
                        {"names":["mkdirat","mkdir"],"action":"SCMP_ACT_KILL_PROCESS"}]}"#,
    );
    let log = dir.path().join("blocked.jsonl");
    let made = dir.path().join("made");
    let o = run_complain(&p, &log, &fixture("seccomp_threads"));
    assert!(o.status.success(), "{o:?}");
    assert_eq!(stdout(&o), "thread uname: ok\nmain uname: ok\n");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("would have blocked 2 calls"), "{err}");
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(&log)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    for l in &lines {
        assert_eq!(l["syscall"], "uname");
        assert_eq!(l["action"], "errno(EACCES)");
        assert_eq!(l["arch"], "x86_64");
    }
    // One process (pid), two threads (tid).
    let pids: std::collections::BTreeSet<u64> =
        lines.iter().map(|l| l["pid"].as_u64().unwrap()).collect();
    assert_eq!(pids.len(), 1, "one process: {lines:?}");
    let tids: std::collections::BTreeSet<u64> =
        lines.iter().map(|l| l["tid"].as_u64().unwrap()).collect();
    assert_eq!(tids.len(), 2, "the thread and the main thread: {lines:?}");

    // A killing rule is reported too, and the call really runs; the exit status is kept.
    let script = format!("mkdir {}; exit 5", made.display());
    let o = Command::new(env!("CARGO_BIN_EXE_sysfence"))
        .args(["run", "--complain", "--profile"])
        .arg(&p)
        .args(["--", "sh", "-c", &script])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(5), "{o:?}");
    assert!(made.is_dir());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("mkdir"), "{err}");
}

#[test]
fn a_profile_that_denies_execve_fails_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let p = profile(
        dir.path(),
        "p.json",
        r#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["execve"],"action":"SCMP_ACT_ERRNO"}]}"#,
    );
    let o = run(&p, &["true"]);
    assert_eq!(o.status.code(), Some(126));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("does the profile allow execve?"), "{err}");
}

#[test]
fn a_profile_for_another_machine_is_refused_before_anything_runs() {
    let dir = tempfile::tempdir().unwrap();
    let p = profile(
        dir.path(),
        "p.json",
        r#"{"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_AARCH64"]}"#,
    );
    let o = run(&p, &["true"]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("does not target x86_64") && err.contains("SCMP_ARCH_X86_64"),
        "{err}"
    );
}

#[test]
fn oci_flags_log_and_spec_allow_are_applied_and_others_refused() {
    let dir = tempfile::tempdir().unwrap();
    let json = r#"{"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_X86_64"],
        "flags":["SECCOMP_FILTER_FLAG_LOG","SECCOMP_FILTER_FLAG_SPEC_ALLOW"],
        "syscalls":[{"names":["uname"],"action":"SCMP_ACT_ERRNO","errnoRet":13}]}"#;
    let p = profile(dir.path(), "p.json", json);
    let o = run(&p, &[fixture("seccomp_threads").to_str().unwrap()]);
    assert!(o.status.success(), "{o:?}");
    assert_eq!(stdout(&o), "thread uname: errno 13\nmain uname: errno 13\n");
    let p = profile(
        dir.path(),
        "q.json",
        &json.replace(
            "SECCOMP_FILTER_FLAG_LOG",
            "SECCOMP_FILTER_FLAG_NEW_LISTENER",
        ),
    );
    let o = run(&p, &["true"]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("flag SECCOMP_FILTER_FLAG_NEW_LISTENER is not one `run` applies"),
        "{err}"
    );
}

#[test]
fn rules_on_socket_and_shmget_govern_the_i386_multiplexers_too() {
    // A deny-list naming socket and shmget for x86_64 + i386: the int 0x80 calls get the
    // profile's errno whether made directly or through socketcall(SYS_SOCKET) and
    // ipc(SHMGET), as under libseccomp.
    let dir = tempfile::tempdir().unwrap();
    let deny = profile(
        dir.path(),
        "deny.json",
        r#"{"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_X86_64","SCMP_ARCH_X86"],
            "syscalls":[{"names":["socket","shmget"],"action":"SCMP_ACT_ERRNO","errnoRet":13}]}"#,
    );
    let prog = fixture("seccomp_int80");
    let prog = prog.to_str().unwrap();
    // Unfiltered, every form works on this kernel: the errnos below are the filter's.
    let free = Command::new(prog).arg("socket").output().unwrap();
    assert_eq!(stdout(&free), "int80 socket: ok\nint80 socketcall: ok\n");
    let free = Command::new(prog).arg("shmget").output().unwrap();
    assert_eq!(stdout(&free), "int80 shmget: ok\nint80 ipc: ok\n");
    let o = run(&deny, &[prog, "socket"]);
    assert!(o.status.success(), "{o:?}");
    assert_eq!(
        stdout(&o),
        "int80 socket: errno 13\nint80 socketcall: errno 13\n"
    );
    let o = run(&deny, &[prog, "shmget"]);
    assert!(o.status.success(), "{o:?}");
    assert_eq!(stdout(&o), "int80 shmget: errno 13\nint80 ipc: errno 13\n");
}

#[test]
fn an_allow_list_allowing_socket_and_shmget_allows_their_multiplexed_forms() {
    // moby's default without `socketcall` and `ipc`: the multiplexed calls are allowed by
    // the rules on socket (arg0 != AF_VSOCK, checked on the direct call only) and shmget.
    let dir = tempfile::tempdir().unwrap();
    let moby = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../policy/tests/data/moby/default.json"
    );
    let mut p: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(moby).unwrap()).unwrap();
    for entry in p["syscalls"].as_array_mut().unwrap() {
        if let Some(names) = entry["names"].as_array_mut() {
            names.retain(|n| n != "socketcall" && n != "ipc");
        }
    }
    let without = profile(dir.path(), "p.json", &p.to_string());
    let prog = fixture("seccomp_int80");
    let prog = prog.to_str().unwrap();
    for profile in [without.as_path(), Path::new(moby)] {
        let o = run(profile, &[prog, "socket"]);
        assert!(o.status.success(), "{o:?}");
        assert_eq!(stdout(&o), "int80 socket: ok\nint80 socketcall: ok\n");
        let o = run(profile, &[prog, "shmget"]);
        assert!(o.status.success(), "{o:?}");
        assert_eq!(stdout(&o), "int80 shmget: ok\nint80 ipc: ok\n");
    }
}

#[test]
fn complain_mode_reports_foreign_abi_calls_instead_of_dying() {
    let dir = tempfile::tempdir().unwrap();
    let p = profile(dir.path(), "p.json", ALLOW_X86_64_ONLY);
    let log = dir.path().join("log.jsonl");
    let o = run_complain(&p, &log, &fixture("seccomp_int80"));
    assert!(o.status.success(), "{o:?}");
    assert_eq!(stdout(&o), "int80 getpid: ok\n");
    let line: serde_json::Value =
        serde_json::from_str(std::fs::read_to_string(&log).unwrap().trim()).unwrap();
    assert_eq!(line["arch"], "i386");
    assert_eq!(line["syscall"], "getpid");
    assert_eq!(line["action"], "kill_process");
}

#[test]
fn the_kernel_accepts_a_large_program_with_far_jumps() {
    // Every other x86_64/i386/x32 syscall (but execve and the loader's) gets an
    // argument-checked ERRNO rule that never matches: a program well past the 8-bit jump
    // reach. (All of them would exceed the kernel's 4096 instructions, which compile refuses.)
    let spare = [
        "execve",
        "brk",
        "mmap",
        "mmap2",
        "arch_prctl",
        "set_tid_address",
    ];
    let mut names: Vec<&str> = [Arch::X86_64, Arch::I386, Arch::X32]
        .iter()
        .flat_map(|a| a.table().entries().iter().map(|s| s.name))
        .filter(|n| !spare.contains(n))
        .collect();
    names.sort_unstable();
    names.dedup();
    let profile_for = |names: &[&str]| {
        let syscalls: Vec<serde_json::Value> = names
            .iter()
            .enumerate()
            .map(|(i, n)| {
                serde_json::json!({"names": [n], "action": "SCMP_ACT_ERRNO", "errnoRet": 1,
                    "args": [{"index": i % 6, "value": 0xdead_0000_0000_u64 + i as u64, "op": "SCMP_CMP_EQ"}]})
            })
            .collect();
        serde_json::json!({"defaultAction": "SCMP_ACT_ALLOW",
            "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
            "syscalls": syscalls})
        .to_string()
    };
    let dir = tempfile::tempdir().unwrap();
    let all = profile(dir.path(), "all.json", &profile_for(&names));
    let o = run(&all, &["true"]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("more than the kernel's 4096"), "{err}");
    let half: Vec<&str> = names.iter().step_by(2).copied().collect();
    let p = profile(dir.path(), "big.json", &profile_for(&half));
    let bpf = dir.path().join("big.bpf");
    let o = Command::new(env!("CARGO_BIN_EXE_sysfence"))
        .args(["profile", "compile"])
        .arg(&p)
        .arg("-o")
        .arg(&bpf)
        .output()
        .unwrap();
    assert!(o.status.success(), "{o:?}");
    let len = std::fs::metadata(&bpf).unwrap().len() / 8;
    assert!(len > 2000, "{len} instructions");
    let o = run(&p, &["sh", "-c", "echo ran"]);
    assert!(o.status.success(), "{o:?}");
    assert_eq!(stdout(&o), "ran\n");
}

#[test]
fn a_command_that_does_not_exist_exits_127_as_a_shell_would() {
    let dir = tempfile::tempdir().unwrap();
    let p = profile(dir.path(), "allow.json", ALLOW_X86_64_ONLY);
    let o = run(&p, &["no-such-command-sysfence"]);
    assert_eq!(o.status.code(), Some(127), "{o:?}");
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("no-such-command-sysfence: command not found")
    );
}
