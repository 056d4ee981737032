//! Keys a profile format does not define: a warning naming file, key path and the closest
//! known key; a misspelt known key an error on every command that loads profiles, unless
//! `--allow-unknown-keys`. moby's own profiles give no warning.

use std::path::Path;
use std::process::{Command, Output};

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

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_string()
}

/// A deny list whose rules sit under a misspelt key: read as written, it allows everything.
const TYPO: &str = r#"{"defaultAction": "SCMP_ACT_ALLOW",
  "sycalls": [{"names": ["mount"], "action": "SCMP_ACT_ERRNO"}]}"#;

#[test]
fn a_misspelt_key_is_an_error_on_every_command_that_loads_profiles() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "typo.json", TYPO);
    let out = dir.path().join("out").to_str().unwrap().to_string();
    let commands: Vec<Vec<&str>> = vec![
        vec!["profile", "show", &f],
        vec!["profile", "compile", &f, "-o", &out],
        vec!["profile", "disasm", &f],
        vec!["profile", "lint", &f],
        vec!["profile", "convert", &f, "--format", "oci"],
        vec!["profile", "merge", &f, &f],
        vec!["profile", "diff", &f, &f],
        vec!["run", "--profile", &f, "--", "/bin/true"],
    ];
    for args in commands {
        let o = sysfence(&args);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {o:?}");
        let e = stderr(&o);
        assert!(
            e.contains(&format!(
                "{f}: sycalls: unknown key `sycalls`: did you mean `syscalls`?"
            )) && e.contains("--allow-unknown-keys"),
            "{args:?}: {e}"
        );
        let mut lenient = args.clone();
        lenient.insert(1, "--allow-unknown-keys");
        if args[0] == "profile" {
            lenient.swap(1, 2);
        }
        let o = sysfence(&lenient);
        // lint reports import warnings as findings, on stdout.
        let e = stderr(&o) + &String::from_utf8_lossy(&o.stdout);
        assert!(
            e.contains(&f) && e.contains("sycalls: unknown key `sycalls`, ignored"),
            "{lenient:?}: {e}"
        );
        assert!(
            !e.contains("did you mean `syscalls`? Docker"),
            "{lenient:?} passes: {e}"
        );
    }
}

#[test]
fn misspellings_at_every_level_are_errors_naming_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let rule = r#"{"names": ["read"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13,
        "args": [{"index": 0, "value": 1, "valueTwo": 1, "op": "SCMP_CMP_MASKED_EQ"}],
        "includes": {"caps": ["CAP_SYS_ADMIN"]}}"#;
    let cases = [
        ("defaultAction", "defualtAction", "defaultAction"),
        ("\"errnoRet\"", "\"errnoret\"", "syscalls[0].errnoret"),
        ("valueTwo", "valueTow", "syscalls[0].args[0].valueTow"),
        ("\"caps\"", "\"capz\"", "syscalls[0].includes.capz"),
        ("\"names\"", "\"nmes\"", "syscalls[0].nmes"),
    ];
    for (from, to, path) in cases {
        let top = if from == "defaultAction" {
            to
        } else {
            "defaultAction"
        };
        let text = format!(
            r#"{{"{top}": "SCMP_ACT_ALLOW", "syscalls": [{}]}}"#,
            rule.replace(from, to)
        );
        let f = write(dir.path(), "p.json", &text);
        let o = sysfence(&["profile", "show", &f]);
        assert_eq!(o.status.code(), Some(1), "{to}: {o:?}");
        assert!(
            stderr(&o).contains(&format!("{f}: {path}: ")),
            "{to}: {}",
            stderr(&o)
        );
    }
    // OCI: the seccomp object of a config.json, and a misspelt `seccomp` itself.
    let f = write(
        dir.path(),
        "config.json",
        r#"{"ociVersion": "1.0.2", "linux": {"seccomp": {"defaultAction": "SCMP_ACT_ALLOW", "sycalls": []}}}"#,
    );
    let e = stderr(&sysfence(&["profile", "show", &f]));
    assert!(
        e.contains(&format!("{f}: linux.seccomp.sycalls: unknown key")),
        "{e}"
    );
    let f = write(
        dir.path(),
        "config.json",
        r#"{"ociVersion": "1.0.2", "linux": {"secomp": {"defaultAction": "SCMP_ACT_ALLOW"}}}"#,
    );
    let e = stderr(&sysfence(&["profile", "show", &f]));
    assert!(
        e.contains("`linux.secomp` looks like a misspelt `linux.seccomp`"),
        "{e}"
    );
    // Kubernetes: the spec and the resource.
    let yaml = "apiVersion: security-profiles-operator.x-k8s.io/v1beta1\nkind: SeccompProfile\nmetadata:\n  name: x\nspec:\n  defaultAction: SCMP_ACT_ALLOW\n  sycalls: []\n";
    let f = write(dir.path(), "p.yaml", yaml);
    let e = stderr(&sysfence(&["profile", "show", &f]));
    assert!(
        e.contains(&format!("{f}: spec.sycalls: unknown key")),
        "{e}"
    );
    let f = write(
        dir.path(),
        "p.yaml",
        &yaml.replace("spec:", "spek: {}\nspec:"),
    );
    let e = stderr(&sysfence(&["profile", "show", &f, "--allow-unknown-keys"]));
    assert!(e.contains(&format!("{f}: spek: unknown key `spek`")), "{e}");
}

#[test]
fn other_unknown_keys_warn_with_the_closest_known_key() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        "p.json",
        r#"{"defaultAction": "SCMP_ACT_ERRNO", "owner": "me",
            "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW", "why": "x"}]}"#,
    );
    let o = sysfence(&["profile", "show", &f]);
    assert!(o.status.success(), "{o:?}");
    let e = stderr(&o);
    assert!(e.contains(&format!("sysfence: warning: {f}: owner: unknown key `owner`, ignored as Docker and runc ignore it (the closest known key here is `")), "{e}");
    assert!(
        e.contains(&format!("{f}: syscalls[0].why: unknown key `why`")),
        "{e}"
    );
    // A key given twice: the last counts, as in Docker, and a warning says so.
    let f = write(
        dir.path(),
        "twice.json",
        r#"{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mount"], "action": "SCMP_ACT_ERRNO"}], "syscalls": []}"#,
    );
    let e = stderr(&sysfence(&["profile", "show", &f]));
    assert!(
        e.contains("key `syscalls` is given more than once; only the last counts"),
        "{e}"
    );
}

#[test]
fn a_key_in_other_case_reads_as_docker_reads_it_only_when_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        "p.json",
        r#"{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["getppid"], "action": "SCMP_ACT_ERRNO", "errnoret": 13}]}"#,
    );
    let o = sysfence(&["profile", "show", &f]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("key `errnoret` is `errnoRet` in other case"),
        "{o:?}"
    );
    let o = sysfence(&["profile", "show", &f, "--allow-unknown-keys"]);
    assert!(o.status.success(), "{o:?}");
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("errno(EACCES)"),
        "{o:?}"
    );
}

#[test]
fn moby_and_runc_profiles_give_no_warning() {
    for name in [
        "default.json",
        "default-old-format.json",
        "example.json",
        "conditional_include.json",
    ] {
        let o = sysfence(&["profile", "show", &format!("{MOBY}/{name}")]);
        assert!(o.status.success(), "{name}: {o:?}");
        assert_eq!(stderr(&o), "", "{name}");
    }
    // Every key runc's spec defines for linux.seccomp, and SPO's for a spec.
    let dir = tempfile::tempdir().unwrap();
    let seccomp = r#"{"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 1,
        "architectures": ["SCMP_ARCH_X86_64"], "flags": ["SECCOMP_FILTER_FLAG_LOG"],
        "listenerPath": "/run/l.sock", "listenerMetadata": "m",
        "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ERRNO", "errnoRet": 5,
          "args": [{"index": 0, "value": 1, "valueTwo": 0, "op": "SCMP_CMP_EQ"}]}]}"#;
    let f = write(
        dir.path(),
        "config.json",
        &format!(
            r#"{{"ociVersion": "1.2.0", "process": {{}}, "linux": {{"namespaces": [], "seccomp": {seccomp}}}}}"#
        ),
    );
    let o = sysfence(&["profile", "show", &f]);
    assert!(o.status.success() && o.stderr.is_empty(), "{o:?}");
    let yaml = "apiVersion: security-profiles-operator.x-k8s.io/v1beta1\nkind: SeccompProfile\nmetadata:\n  name: x\nspec:\n  disabled: false\n  defaultAction: SCMP_ACT_ERRNO\n  architectures: [SCMP_ARCH_X86_64]\n  syscalls:\n  - names: [read]\n    action: SCMP_ACT_ALLOW\n    args: [{index: 0, value: 1, valueTwo: 0, op: SCMP_CMP_EQ}]\nstatus: {}\n";
    let f = write(dir.path(), "p.yaml", yaml);
    let o = sysfence(&["profile", "show", &f]);
    assert!(o.status.success() && o.stderr.is_empty(), "{o:?}");
}
