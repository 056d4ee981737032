//! `sysfence profile ...`: the commands wire files, formats and the compiler together.

use std::path::Path;
use std::process::{Command, Output};

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

fn ok(args: &[&str]) -> Vec<u8> {
    let o = sysfence(args);
    assert!(o.status.success(), "{args:?}: {o:?}");
    o.stdout
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn compile_writes_raw_bpf_that_disassembles_like_the_profile() {
    let dir = tempfile::tempdir().unwrap();
    let bpf = dir.path().join("default.bpf");
    ok(&["profile", "compile", MOBY, "-o", s(&bpf)]);
    let bytes = std::fs::read(&bpf).unwrap();
    assert!(!bytes.is_empty() && bytes.len().is_multiple_of(8));
    // The first instruction loads seccomp_data.arch: code 0x20, k = 4.
    assert_eq!(&bytes[..8], &[0x20, 0, 0, 0, 4, 0, 0, 0]);
    assert_eq!(
        ok(&["profile", "compile", MOBY]),
        bytes,
        "stdout and -o agree"
    );
    let from_bpf = ok(&["profile", "disasm", s(&bpf)]);
    let from_json = ok(&["profile", "disasm", MOBY]);
    assert_eq!(from_bpf, from_json);
    let listing = String::from_utf8(from_bpf).unwrap();
    assert_eq!(listing.lines().count(), bytes.len() / 8);
    assert!(listing.lines().next().unwrap().ends_with("; arch"));
}

#[test]
fn converting_keeps_the_compiled_program() {
    let dir = tempfile::tempdir().unwrap();
    let original = ok(&["profile", "compile", MOBY]);
    for format in ["oci", "docker", "k8s"] {
        let out = dir.path().join(format!("p.{format}"));
        ok(&[
            "profile",
            "convert",
            MOBY,
            "--format",
            format,
            "-o",
            s(&out),
        ]);
        assert_eq!(ok(&["profile", "compile", s(&out)]), original, "{format}");
    }
    assert_eq!(
        ok(&["profile", "convert", MOBY, "--format", "bpf"]),
        original
    );
}

#[test]
fn show_summarises_default_arches_and_rules() {
    let text = String::from_utf8(ok(&["profile", "show", MOBY])).unwrap();
    assert!(text.contains("default action: errno(EPERM)"), "{text}");
    assert!(text.contains("architectures:  x86_64, i386, x32"), "{text}");
    assert!(
        text.contains("  errno(ENOSYS) (1):\n      clone3\n"),
        "{text}"
    );
    assert!(
        text.contains("  allow if arg0 & 0x7e020000 == 0x0 (1):\n      clone\n"),
        "{text}"
    );
    let names = text.lines().filter(|l| l.starts_with("      "));
    assert!(
        names.clone().count() > 10 && names.clone().all(|l| l.len() <= 100),
        "{text}"
    );
}

#[test]
fn capabilities_change_what_a_moby_profile_allows() {
    let plain = String::from_utf8(ok(&["profile", "show", MOBY])).unwrap();
    let admin = String::from_utf8(ok(&["profile", "show", MOBY, "--caps", "SYS_ADMIN"])).unwrap();
    let has_mount = |t: &str| t.split_whitespace().any(|w| w == "mount");
    assert!(!has_mount(&plain) && has_mount(&admin));
}

#[test]
fn malformed_profiles_are_errors_naming_file_and_place() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.json");
    std::fs::write(
        &bad,
        "{\"defaultAction\": \"SCMP_ACT_ALLOW\",\n \"syscalls\": [{\"names\": [\"read\"], \"action\": \"SCMP_ACT_NOPE\"}]}",
    )
    .unwrap();
    let o = sysfence(&["profile", "compile", s(&bad)]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("bad.json: syscalls[0].action: unknown action `SCMP_ACT_NOPE`"),
        "{err}"
    );
    std::fs::write(
        &bad,
        "{\"defaultAction\": \"SCMP_ACT_ALLOW\",\n \"syscalls\": [",
    )
    .unwrap();
    let err = String::from_utf8_lossy(&sysfence(&["profile", "show", s(&bad)]).stderr).into_owned();
    assert!(err.contains("bad.json: line 2 column"), "{err}");
    let truncated = dir.path().join("short.bpf");
    std::fs::write(&truncated, [0x20, 0, 0, 0, 4]).unwrap();
    let err = String::from_utf8_lossy(&sysfence(&["profile", "disasm", s(&truncated)]).stderr)
        .into_owned();
    assert!(err.contains("5 bytes is not a BPF program"), "{err}");
}

#[test]
fn a_failed_write_leaves_no_partial_file() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("missing-dir").join("out.bpf");
    let o = sysfence(&["profile", "compile", MOBY, "-o", s(&target)]);
    assert_eq!(o.status.code(), Some(1));
    assert!(!target.exists());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn lint_flags_pitfalls_and_agrees_on_a_profile_and_its_bpf() {
    // moby's pitfalls: socket's `arg0 != AF_VSOCK` compares 64 bits of a C int, and
    // ptrace & co reach other processes of the user (Docker relies on a PID namespace).
    let dir = tempfile::tempdir().unwrap();
    let o = sysfence(&["profile", "lint", MOBY]);
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        out.contains("[wide-compare] x86_64 socket: arg0 (family)"),
        "{out}"
    );
    assert!(
        out.contains("[cross-process] ptrace, process_vm_writev, process_vm_readv allowed"),
        "{out}"
    );
    assert!(out.ends_with("\n2 findings\n"), "{out}");
    let bpf = dir.path().join("moby.bpf");
    ok(&["profile", "compile", MOBY, "-o", s(&bpf)]);
    let from_bpf = String::from_utf8_lossy(&sysfence(&["profile", "lint", s(&bpf)]).stdout)
        .replace(s(&bpf), MOBY);
    assert_eq!(from_bpf, out);

    // What the kernel refuses is an error: a load past seccomp_data, no return last.
    let bad = dir.path().join("bad.bpf");
    std::fs::write(
        &bad,
        [0x20, 0, 0, 0, 64, 0, 0, 0, 6, 0, 0, 0, 0, 0, 0xff, 0x7f],
    )
    .unwrap();
    let out = String::from_utf8_lossy(&sysfence(&["profile", "lint", s(&bad)]).stdout).into_owned();
    assert!(
        out.contains("error: [kernel-rejects]") && out.contains("ld [64]"),
        "{out}"
    );
    std::fs::write(&bad, [0x20, 0, 0, 0, 0, 0, 0, 0]).unwrap();
    let out = String::from_utf8_lossy(&sysfence(&["profile", "lint", s(&bad)]).stdout).into_owned();
    assert!(out.contains("not a return"), "{out}");

    let p = dir.path().join("p.json");
    std::fs::write(
        &p,
        r#"{"defaultAction":"SCMP_ACT_ERRNO","architectures":["SCMP_ARCH_X86_64"],"syscalls":[
            {"names":["read","wirte","io_uring_setup","io_uring_enter"],"action":"SCMP_ACT_ALLOW"},
            {"names":["ptrace"],"action":"SCMP_ACT_KILL"},
            {"names":["mount"],"action":"SCMP_ACT_ERRNO"}]}"#,
    )
    .unwrap();
    let o = sysfence(&["profile", "lint", s(&p)]);
    assert_eq!(o.status.code(), Some(1));
    let out = String::from_utf8_lossy(&o.stdout);
    for want in [
        "[import] syscalls[0].names[1]: unknown syscall `wirte`",
        "did you mean `write`",
        "[io-uring] io_uring_setup is allowed",
        "[kill-thread]",
        "[rule-equals-default] the rule for mount",
        "[vdso-denied] clock_gettime is denied",
    ] {
        assert!(out.contains(want), "missing {want:?} in\n{out}");
    }

    // A program without arch check: allow everything.
    let bpf = dir.path().join("allow.bpf");
    std::fs::write(&bpf, [6, 0, 0, 0, 0, 0, 0xff, 0x7f]).unwrap();
    let out = String::from_utf8_lossy(&sysfence(&["profile", "lint", s(&bpf)]).stdout).into_owned();
    assert!(
        out.contains("[no-arch-check]") && out.contains("[no-x32-check]"),
        "{out}"
    );
}

#[test]
fn merge_unites_allow_lists_and_diff_shows_what_changed() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.json");
    let b = dir.path().join("b.json");
    std::fs::write(
        &a,
        r#"{"defaultAction":"SCMP_ACT_ERRNO","architectures":["SCMP_ARCH_X86_64"],"syscalls":[{"names":["read","openat"],"action":"SCMP_ACT_ALLOW"}]}"#,
    )
    .unwrap();
    std::fs::write(
        &b,
        r#"{"defaultAction":"SCMP_ACT_ERRNO","architectures":["SCMP_ARCH_X86_64"],"syscalls":[{"names":["read","write"],"action":"SCMP_ACT_ALLOW"}]}"#,
    )
    .unwrap();
    let merged = dir.path().join("m.json");
    ok(&["profile", "merge", s(&a), s(&b), "-o", s(&merged)]);
    let o = sysfence(&["profile", "diff", s(&a), s(&merged)]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        "x86_64 write: errno(EPERM) (default) -> allow\n"
    );
    let o = sysfence(&["profile", "diff", s(&merged), s(&merged)]);
    assert!(o.status.success() && o.stdout.is_empty(), "{o:?}");
}
