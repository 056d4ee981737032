//! Bad or unusual profile input through the real binary: raw BPF for `run --profile`,
//! capability names, files that are no profile, and large files read quickly and within
//! memory (generous ceilings: hang and blow-up detectors, not benchmarks).

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const MOBY: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../policy/tests/data/moby/default.json"
);

fn sysfence(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sysfence"))
        .args(args)
        .output()
        .expect("sysfence runs")
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Runs sysfence with stdout discarded; returns its exit code, stderr, wall time and peak
/// resident memory (KiB), measured for this child alone with wait4.
#[expect(clippy::zombie_processes, reason = "reaped with wait4, for its rusage")]
fn measured(args: &[&str]) -> (Option<i32>, String, Duration, i64) {
    let dir = tempfile::tempdir().unwrap();
    let err_path = dir.path().join("stderr");
    let start = Instant::now();
    let child = Command::new(env!("CARGO_BIN_EXE_sysfence"))
        .args(args)
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&err_path).unwrap())
        .spawn()
        .unwrap();
    let mut status = 0;
    // SAFETY: a zeroed rusage is valid; wait4 reaps our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = unsafe { libc::wait4(child.id() as i32, &mut status, 0, &mut usage) };
    assert_eq!(pid, child.id() as i32);
    let took = start.elapsed();
    let code = libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status));
    let err = std::fs::read_to_string(&err_path).unwrap_or_default();
    (code, err, took, usage.ru_maxrss)
}

#[test]
fn run_installs_a_raw_bpf_program_as_given() {
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("no-uname.json");
    std::fs::write(
        &profile,
        r#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["uname"],"action":"SCMP_ACT_ERRNO","errnoRet":38}]}"#,
    )
    .unwrap();
    let bpf = dir.path().join("no-uname.bpf");
    let o = sysfence(&["profile", "compile", s(&profile), "-o", s(&bpf)]);
    assert!(o.status.success(), "{o:?}");
    let o = sysfence(&["run", "--profile", s(&bpf), "--", "/bin/true"]);
    assert!(o.status.success(), "{o:?}");
    let o = sysfence(&["run", "--profile", s(&bpf), "--", "uname"]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("Function not implemented"), "{o:?}");
    let o = sysfence(&["run", "--complain", "--profile", s(&bpf), "--", "/bin/true"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains(&format!("{}: raw BPF: --complain needs a profile", s(&bpf))),
        "{o:?}"
    );
    let short = dir.path().join("short.bpf");
    std::fs::write(&short, [0x20, 0, 0, 0, 4]).unwrap();
    let o = sysfence(&["run", "--profile", s(&short), "--", "/bin/true"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("short.bpf: raw BPF: 5 bytes is not a BPF program"),
        "{o:?}"
    );
}

#[test]
fn unknown_capabilities_are_errors_naming_the_known_ones() {
    let o = sysfence(&["profile", "show", MOBY, "--caps", "CAP_BOGUS"]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.starts_with("sysfence: --caps CAP_BOGUS: unknown capability `CAP_BOGUS`: the known capabilities are CAP_CHOWN, "),
        "{err}"
    );
    assert!(
        err.contains("CAP_SYS_ADMIN") && err.contains("CAP_BPF"),
        "{err}"
    );
    let o = sysfence(&[
        "run",
        "--profile",
        MOBY,
        "--caps",
        "SYS_ADMN",
        "--",
        "/bin/true",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("did you mean CAP_SYS_ADMIN?"), "{o:?}");
    // Docker's spelling, the bare name and lower case all work.
    for caps in ["CAP_SYS_ADMIN", "SYS_ADMIN", "cap_sys_admin,CAP_CHOWN"] {
        let o = sysfence(&["profile", "show", MOBY, "--caps", caps]);
        assert!(o.status.success(), "{caps}: {o:?}");
        let out = String::from_utf8_lossy(&o.stdout);
        assert!(out.split_whitespace().any(|w| w == "mount"), "{caps}");
    }
}

#[test]
fn files_that_are_no_profile_say_so_with_file_and_place() {
    let dir = tempfile::tempdir().unwrap();
    let bom_moby = [&b"\xef\xbb\xbf"[..], &std::fs::read(MOBY).unwrap()].concat();
    let cases: [(&str, &[u8], &str); 6] = [
        ("empty.json", b"", "line 1 column 1: not a seccomp profile: the file is empty"),
        ("list.json", b"[]", "line 1 column 1: not a seccomp profile: expected a JSON object"),
        ("number.json", b"42", "line 1 column 1: not a seccomp profile: expected a JSON object"),
        ("bom.json", b"\xef\xbb\xbf", "line 1 column 1: not a seccomp profile: the file holds nothing but whitespace"),
        ("latin1.json", b"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"x\": \"caf\xe9\"}", "byte 45 (line 1 column 46): not UTF-8 text (byte 0xe9)"),
        ("types.json", b"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 1e3}]}", "syscalls[0].errnoRet: expected an unsigned integer, found the number 1000.0"),
    ];
    for (name, bytes, want) in cases {
        let file = dir.path().join(name);
        std::fs::write(&file, bytes).unwrap();
        let want = format!("sysfence: {}: {want}", s(&file));
        for args in [
            &["profile", "show", s(&file)][..],
            &["run", "--profile", s(&file), "--", "/bin/true"],
        ] {
            let o = sysfence(args);
            assert_eq!(o.status.code(), Some(1), "{args:?}: {o:?}");
            assert!(
                stderr(&o).starts_with(&want),
                "{args:?}: {}\nwant {want}",
                stderr(&o)
            );
        }
    }
    // A byte order mark before a valid profile is skipped.
    let file = dir.path().join("bom-moby.json");
    std::fs::write(&file, bom_moby).unwrap();
    let o = sysfence(&["profile", "show", s(&file)]);
    assert!(o.status.success(), "{o:?}");
    assert!(String::from_utf8_lossy(&o.stdout).contains("default action: errno(EPERM)"));
}

#[test]
fn huge_names_many_unknown_names_and_a_12_mb_yaml_are_read_quickly() {
    let dir = tempfile::tempdir().unwrap();
    let long = dir.path().join("long.json");
    let name = "x".repeat(1 << 20);
    let profile = |names: Vec<String>| {
        serde_json::json!({"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86_64"],
            "syscalls": [{"names": names, "action": "SCMP_ACT_ALLOW"}]})
        .to_string()
    };
    std::fs::write(&long, profile(vec!["read".into(), name])).unwrap();
    let many = dir.path().join("many.json");
    std::fs::write(
        &many,
        profile((0..20_000).map(|i| format!("nosuch{i:05}")).collect()),
    )
    .unwrap();
    for file in [&long, &many] {
        let (code, err, took, kib) = measured(&["profile", "show", s(file)]);
        eprintln!("{}: {took:?}, {kib} KiB", s(file));
        assert_eq!(code, Some(0), "{err}");
        assert!(took < Duration::from_secs(2), "{}: {took:?}", s(file));
        assert!(err.lines().count() <= 21, "{}", err.lines().count());
        assert!(err.len() < 10_000, "warnings cut long names short");
    }
    // 12 MB of SeccompProfile YAML (100,000+ rules with conditions: too many for the
    // kernel, which is the error expected once it has been read).
    let yaml = dir.path().join("big.yaml");
    let mut text = String::from(
        "apiVersion: security-profiles-operator.x-k8s.io/v1beta1\nkind: SeccompProfile\nmetadata:\n  name: big\nspec:\n  defaultAction: SCMP_ACT_ERRNO\n  architectures: [SCMP_ARCH_X86_64]\n  syscalls:\n",
    );
    let mut i = 0;
    while text.len() < 12_000_000 {
        text.push_str(&format!("  - names: [read, write]\n    action: SCMP_ACT_ALLOW\n    args:\n    - {{index: 0, value: {i}, op: SCMP_CMP_EQ}}\n"));
        i += 1;
    }
    std::fs::write(&yaml, text).unwrap();
    let (code, err, took, kib) = measured(&["profile", "show", s(&yaml)]);
    eprintln!("{}: {took:?}, {kib} KiB", s(&yaml));
    assert_eq!(code, Some(1));
    assert!(err.contains(": syscalls: the filter needs "), "{err}");
    assert!(took < Duration::from_secs(30), "{took:?}");
    // 354 MiB in a debug build when written (yaml_serde holds every parse event of the
    // document at once); 656 MiB before documents were read into compact nodes.
    assert!(kib < 600 << 10, "{kib} KiB");
}
