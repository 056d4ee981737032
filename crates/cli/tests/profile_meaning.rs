//! Converting and merging keep a profile's meaning: every export, read back, decides every
//! call as the original does (compared on compiled programs, over every (ABI, syscall
//! number) and the argument values the rules compare), or the conversion refuses with an
//! error naming the rules; `profile diff` sees a changed decision.

use policy::docker::Resolve;
use policy::{CmpOp, Policy};
use seccomp::emulator::outcomes;
use seccomp::{Program, SeccompData, run};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use syscalls::Arch;

const MOBY: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../policy/tests/data/moby");

fn sysfence(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sysfence"))
        .args(args)
        .output()
        .expect("sysfence runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// The program `sysfence profile compile` writes for `file`.
fn compiled(file: &Path) -> Program {
    let o = sysfence(&["profile", "compile", s(file), "--kernel", "6.18"]);
    assert!(
        o.status.success(),
        "compile {}: {}",
        file.display(),
        stderr(&o)
    );
    Program::from_bytes(&o.stdout).expect("a valid program")
}

/// The policy the binary's reader makes of `file` (for the argument values to try).
fn imported(file: &Path) -> Policy {
    let bytes = std::fs::read(file).unwrap();
    policy::load_bytes(
        &bytes,
        s(file),
        &Resolve::docker_default(Arch::X86_64, (6, 18)),
    )
    .unwrap_or_else(|e| panic!("{e}"))
    .policy
}

/// Argument values around every constant the policy compares (and its mask's edges).
fn interesting_values(p: &Policy) -> Vec<u64> {
    let mut v: BTreeSet<u64> = [0, 1, u64::MAX, 0xffff_ffff, 0x1_0000_0000].into();
    for c in p.rules.iter().flat_map(|r| &r.conditions) {
        for x in [c.value, c.value.wrapping_add(1), c.value.wrapping_sub(1)] {
            v.insert(x);
        }
        if let CmpOp::MaskedEq { mask } = c.op {
            v.extend([mask, !mask, c.value | !mask, c.value & mask]);
        }
        v.insert(c.value | 0xffff_ffff_0000_0000);
    }
    v.into_iter().collect()
}

/// Every argument vector tried: all zero; one argument set to each value; and a fixed
/// pseudo-random sample of combinations.
fn argument_vectors(values: &[u64]) -> Vec<[u64; 6]> {
    let mut out = vec![[0u64; 6]];
    for i in 0..6 {
        for &v in values {
            let mut a = [0u64; 6];
            a[i] = v;
            out.push(a);
        }
    }
    let mut rng = Rng(0x5eed);
    for _ in 0..200 {
        let mut a = [0u64; 6];
        for x in a.iter_mut().take(3) {
            *x = values[rng.below(values.len())];
        }
        out.push(a);
    }
    out
}

/// The first call on which `a` and `b` answer differently, if any.
fn first_difference(a: &Program, b: &Program, vectors: &[[u64; 6]]) -> Option<String> {
    for arch in [Arch::X86_64, Arch::I386, Arch::X32, Arch::Aarch64] {
        for nr in (0..1024).map(|n| arch.nr_base() | n) {
            let (oa, ob) = (
                outcomes(a, arch.audit_arch(), nr).unwrap(),
                outcomes(b, arch.audit_arch(), nr).unwrap(),
            );
            if !oa.reads_args && !ob.reads_args {
                if oa.rets != ob.rets {
                    return Some(format!("{arch} nr {nr}: {:?} vs {:?}", oa.rets, ob.rets));
                }
                continue;
            }
            for args in vectors {
                let data = SeccompData::new(arch, nr, *args);
                let (ra, rb) = (run(a, &data).unwrap().ret, run(b, &data).unwrap().ret);
                if ra != rb {
                    return Some(format!("{arch} nr {nr} args {args:x?}: {ra:#x} vs {rb:#x}"));
                }
            }
        }
    }
    None
}

/// Converts `file` to `format` and back; asserts the decisions are kept, or that the
/// conversion refused with an error that says why. Returns whether it converted.
fn round_trip(file: &Path, format: &str, dir: &Path) -> bool {
    let out = dir.join(format!(
        "{}.{format}",
        file.file_name().unwrap().to_string_lossy()
    ));
    let o = sysfence(&[
        "profile",
        "convert",
        s(file),
        "--format",
        format,
        "-o",
        s(&out),
        "--kernel",
        "6.18",
    ]);
    if !o.status.success() {
        let e = stderr(&o);
        assert!(
            e.contains("cannot convert")
                && (e.contains("use the Docker or OCI format") || e.contains("--format bpf")),
            "{} to {format}: unclear refusal: {e}",
            file.display()
        );
        return false;
    }
    let original = compiled(file);
    let back = compiled(&out);
    let values = interesting_values(&imported(file));
    if let Some(d) = first_difference(&original, &back, &argument_vectors(&values)) {
        panic!(
            "{} as {format} decides differently: {d}\n{}",
            file.display(),
            std::fs::read_to_string(&out).unwrap()
        );
    }
    let diff = sysfence(&["profile", "diff", s(file), s(&out), "--kernel", "6.18"]);
    assert!(
        diff.status.success(),
        "{} and its {format} export differ for diff: {}",
        file.display(),
        String::from_utf8_lossy(&diff.stdout)
    );
    true
}

const FORMATS: [&str; 3] = ["docker", "oci", "k8s"];

#[test]
fn moby_profiles_convert_to_every_format_and_back_deciding_the_same() {
    let dir = tempfile::tempdir().unwrap();
    for name in [
        "default.json",
        "default-old-format.json",
        "example.json",
        "conditional_include.json",
    ] {
        let file = PathBuf::from(MOBY).join(name);
        for format in FORMATS {
            let converted = round_trip(&file, format, dir.path());
            // Only the CRD's EPERM-only default may refuse (example.json answers errno 5).
            assert!(
                converted || (format == "k8s" && name == "example.json"),
                "{name} to {format} refused"
            );
        }
    }
}

/// A small deterministic generator (xorshift).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }
}

/// A random moby profile whose rules overlap: several rules per syscall, equally
/// restrictive ones with different errnos or trace data, conditions on the same argument.
fn random_profile(rng: &mut Rng) -> Value {
    let names = [
        "getppid", "read", "openat", "socket", "mount", "kill", "mmap",
    ];
    let ops = [
        "SCMP_CMP_EQ",
        "SCMP_CMP_NE",
        "SCMP_CMP_LT",
        "SCMP_CMP_LE",
        "SCMP_CMP_GE",
        "SCMP_CMP_GT",
        "SCMP_CMP_MASKED_EQ",
    ];
    let actions = [
        ("SCMP_ACT_ALLOW", None),
        ("SCMP_ACT_ERRNO", Some(1)),
        ("SCMP_ACT_ERRNO", Some(13)),
        ("SCMP_ACT_ERRNO", Some(38)),
        ("SCMP_ACT_TRACE", Some(1)),
        ("SCMP_ACT_TRACE", Some(2)),
        ("SCMP_ACT_LOG", None),
        ("SCMP_ACT_KILL_PROCESS", None),
        ("SCMP_ACT_TRAP", None),
    ];
    let mut syscalls = Vec::new();
    for _ in 0..1 + rng.below(10) {
        let (action, errno) = rng.pick(&actions);
        let mut entry = json!({
            "names": (0..1 + rng.below(3)).map(|_| rng.pick(&names)).collect::<BTreeSet<_>>(),
            "action": action,
        });
        if let Some(e) = errno {
            entry["errnoRet"] = json!(e);
        }
        let args: Vec<Value> = (0..rng.below(3))
            .map(|_| {
                json!({
                    "index": rng.below(3),
                    "value": rng.pick(&[0u64, 1, 2, 7, 0xff, 0x1_0000_0001]),
                    "valueTwo": rng.pick(&[0u64, 1, 2, 7]),
                    "op": rng.pick(&ops),
                })
            })
            .collect();
        if !args.is_empty() {
            entry["args"] = json!(args);
        }
        syscalls.push(entry);
    }
    let (default, errno) = rng.pick(&[
        ("SCMP_ACT_ALLOW", None),
        ("SCMP_ACT_ERRNO", Some(1)),
        ("SCMP_ACT_ERRNO", Some(1)),
        ("SCMP_ACT_KILL_PROCESS", None),
    ]);
    let mut p = json!({
        "defaultAction": default,
        "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
        "syscalls": syscalls,
    });
    if let Some(e) = errno {
        p["defaultErrnoRet"] = json!(e);
    }
    p
}

#[test]
fn random_rule_sets_convert_to_every_format_and_back_deciding_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut converted = 0;
    for i in 0..60 {
        let file = dir.path().join(format!("random{i}.json"));
        std::fs::write(&file, random_profile(&mut rng).to_string()).unwrap();
        for format in FORMATS {
            converted += usize::from(round_trip(&file, format, dir.path()));
        }
    }
    assert!(
        converted >= 150,
        "only {converted} of 180 conversions went through"
    );
}

/// getppid answering errno 13 by its first rule and errno 1 by the second.
const TWO_ERRNOS: &str = r#"{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
  {"names": ["getppid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13,
   "args": [{"index": 0, "value": 0, "op": "SCMP_CMP_EQ"}]},
  {"names": ["getppid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1,
   "args": [{"index": 1, "value": 0, "op": "SCMP_CMP_EQ"}]}]}"#;

#[test]
fn two_errno_rules_for_one_call_keep_the_first_answer_through_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("two.json");
    std::fs::write(&file, TWO_ERRNOS).unwrap();
    let call = SeccompData::new(Arch::native(), 110, [0; 6]);
    assert_eq!(run(&compiled(&file), &call).unwrap().ret, 0x0005_000d);
    for format in FORMATS {
        assert!(round_trip(&file, format, dir.path()), "{format} refused");
        let back = dir.path().join(format!("two.json.{format}"));
        assert_eq!(
            run(&compiled(&back), &call).unwrap().ret,
            0x0005_000d,
            "{format}: getppid(0, 0) answers EACCES"
        );
    }
}

#[test]
fn diff_sees_equally_restrictive_rules_swapped() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.json"), dir.path().join("b.json"));
    std::fs::write(&a, TWO_ERRNOS).unwrap();
    let mut swapped: Value = serde_json::from_str(TWO_ERRNOS).unwrap();
    swapped["syscalls"].as_array_mut().unwrap().reverse();
    std::fs::write(&b, swapped.to_string()).unwrap();
    let o = sysfence(&["profile", "diff", s(&a), s(&b)]);
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("getppid: errno(EACCES) if arg0 == 0x0, else errno(EPERM) if arg1 == 0x0"),
        "{text}"
    );
}

/// An x86_64-only profile that allows mount and reboot.
const X86_64_EXTRA: &str = r#"{"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 1,
  "architectures": ["SCMP_ARCH_X86_64"],
  "syscalls": [{"names": ["mount", "reboot", "read"], "action": "SCMP_ACT_ALLOW"}]}"#;

#[test]
fn merging_an_x86_64_only_profile_widens_nothing_on_i386_and_x32() {
    let dir = tempfile::tempdir().unwrap();
    let extra = dir.path().join("extra.json");
    std::fs::write(&extra, X86_64_EXTRA).unwrap();
    let default = format!("{MOBY}/default.json");
    let args = |format: &str, out: &Path| {
        sysfence(&[
            "profile",
            "merge",
            &default,
            s(&extra),
            "--format",
            format,
            "-o",
            s(out),
            "--kernel",
            "6.18",
        ])
    };
    for format in ["docker", "oci", "k8s", "systemd"] {
        let o = args(format, &dir.path().join("merged"));
        assert_eq!(o.status.code(), Some(1), "{format}: {o:?}");
        let e = stderr(&o);
        for needed in [
            "mount: allow on x86_64; errno(EPERM) (default) on i386, x32",
            "reboot: allow on x86_64",
            "--format bpf",
        ] {
            assert!(e.contains(needed), "{format}: {needed} in {e}");
        }
        assert!(!e.contains("read:"), "read is allowed everywhere: {e}");
    }
    let bpf = dir.path().join("merged.bpf");
    let o = args("bpf", &bpf);
    assert!(o.status.success(), "{}", stderr(&o));
    let merged = Program::from_bytes(&std::fs::read(&bpf).unwrap()).unwrap();
    let ret = |arch: Arch, name: &str| {
        let nr = arch.nr_base() | arch.table().lookup_name(name).unwrap().nr;
        run(&merged, &SeccompData::new(arch, nr, [0; 6]))
            .unwrap()
            .ret
    };
    for name in ["mount", "reboot"] {
        assert_eq!(ret(Arch::X86_64, name), 0x7fff_0000, "{name} on x86_64");
        assert_eq!(ret(Arch::I386, name), 0x0005_0001, "{name} on i386");
        assert_eq!(ret(Arch::X32, name), 0x0005_0001, "{name} on x32");
    }
    assert_eq!(ret(Arch::I386, "read"), 0x7fff_0000);
    // Profiles of the same ABIs still merge into any format, and mean what both allow.
    let same = dir.path().join("same.json");
    let o = sysfence(&["profile", "merge", s(&extra), s(&extra), "-o", s(&same)]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(round_trip(&same, "oci", dir.path()));
}
