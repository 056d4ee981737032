//! Bad input gets a clear, fast answer: what is no profile at all, wrong types, paths
//! inside OCI and SPO documents, encodings, alias bombs, and inputs that used to make the
//! closest-name suggestion take minutes.

use policy::docker::{self, Resolve};
use policy::{PolicyError, load, load_bytes};
use std::time::{Duration, Instant};
use syscalls::Arch;

/// A hang detector, not a benchmark: these inputs take milliseconds.
const CEILING: Duration = Duration::from_secs(2);

fn resolve() -> Resolve {
    Resolve::docker_default(Arch::X86_64, (6, 18))
}

fn moby_default() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/moby/default.json");
    std::fs::read_to_string(path).unwrap()
}

fn error(text: &str, file: &str) -> String {
    load(text, file, &resolve()).unwrap_err().to_string()
}

fn with_names(names: &[String]) -> String {
    serde_json::json!({
        "defaultAction": "SCMP_ACT_ERRNO",
        "syscalls": [{"names": names, "action": "SCMP_ACT_ALLOW"}],
    })
    .to_string()
}

#[test]
fn a_megabyte_syscall_name_is_skipped_quickly_and_shown_cut_short() {
    let name = "x".repeat(1 << 20);
    let text = with_names(&["read".into(), name]);
    let start = Instant::now();
    let imported = load(&text, "long.json", &resolve()).unwrap();
    let took = start.elapsed();
    assert!(took < CEILING, "took {took:?}");
    assert_eq!(imported.policy.rules.len(), 1);
    let w = imported.warnings[0].to_string();
    assert!(
        w.starts_with("syscalls[0].names[1]: unknown syscall `xxxx"),
        "{w}"
    );
    assert!(w.contains("... (1048576 bytes)`") && w.len() < 200, "{w}");
}

#[test]
fn twenty_thousand_unknown_names_get_twenty_warnings_and_a_summary() {
    let names: Vec<String> = (0..20_000).map(|i| format!("nosuch{i:05}")).collect();
    let text = with_names(&names);
    let start = Instant::now();
    let imported = load(&text, "many.json", &resolve()).unwrap();
    let took = start.elapsed();
    assert!(took < CEILING, "took {took:?}");
    let w = &imported.warnings;
    assert_eq!(w.len(), docker::MAX_NAME_WARNINGS + 1, "{w:?}");
    assert_eq!(w[0].location, "syscalls[0].names[0]");
    let last = w.last().unwrap().to_string();
    assert_eq!(
        last,
        "syscalls[0].names[20]: 19980 more unknown syscall names (no ABI has them), from here on; skipped"
    );
}

#[test]
fn typos_still_get_suggestions() {
    let imported = load(&with_names(&["wirte".into()]), "t.json", &resolve()).unwrap();
    assert!(
        imported.warnings[0]
            .message
            .contains("did you mean `write`")
    );
}

#[test]
fn empty_list_number_and_bom_only_are_not_a_seccomp_profile() {
    let cases = [
        (
            "",
            "e.json: line 1 column 1: not a seccomp profile: the file is empty",
        ),
        (
            "\n  \n",
            "e.json: line 3 column 1: not a seccomp profile: the file holds nothing but whitespace",
        ),
        (
            "\u{feff}",
            "e.json: line 1 column 1: not a seccomp profile: the file holds nothing but whitespace (and perhaps a byte order mark)",
        ),
        (
            "[]",
            "e.json: line 1 column 1: not a seccomp profile: expected a JSON object with `defaultAction`, found a list",
        ),
        (
            " 42\n",
            "e.json: line 1 column 2: not a seccomp profile: expected a JSON object with `defaultAction` or a SeccompProfile YAML resource, found the number 42",
        ),
        (
            "null",
            "e.json: line 1 column 1: not a seccomp profile: expected a JSON object with `defaultAction` or a SeccompProfile YAML resource, found null",
        ),
    ];
    for (text, want) in cases {
        let got = error(text, "e.json");
        assert!(
            got.starts_with(want),
            "{text:?}: got {got:?}, want {want:?}"
        );
    }
}

#[test]
fn a_bom_before_a_valid_profile_is_skipped() {
    let text = moby_default();
    let plain = load(&text, "p.json", &resolve()).unwrap().policy;
    let with_bom = format!("\u{feff}{text}");
    let bom = load_bytes(with_bom.as_bytes(), "p.json", &resolve()).unwrap();
    assert_eq!(bom.policy, plain);
    let yaml = policy::k8s::export(&plain, "p").unwrap();
    let back = load(&format!("\u{feff}{yaml}"), "p.yaml", &resolve()).unwrap();
    assert_eq!(back.policy.normalized(), plain.normalized());
}

#[test]
fn bytes_that_are_not_utf8_are_placed_by_byte_offset() {
    let err = load_bytes(
        b"{\"defaultAction\":\n \"SCMP_\xffACT\"}",
        "b.json",
        &resolve(),
    )
    .unwrap_err()
    .to_string();
    assert_eq!(
        err,
        "b.json: byte 25 (line 2 column 8): not UTF-8 text (byte 0xff): a profile is JSON or YAML in UTF-8"
    );
    let err = load_bytes(b"\xff\xfe{\0", "u16.json", &resolve()).unwrap_err();
    assert_eq!(err.location, "byte 0");
    assert!(err.problem.contains("UTF-16"), "{err}");
}

#[test]
fn oci_errors_name_the_path_inside_config_json() {
    let config = r#"{"ociVersion":"1.0.2","linux":{"seccomp":{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[
        {"names":["read"],"action":"SCMP_ACT_ALLOW"},{"names":["write"],"action":"SCMP_ACT_ALLOW"},
        {"names":["close"],"action":"SCMP_ACT_ALLOW"},{"names":[7],"action":"SCMP_ACT_ALLOW"}]}}}"#;
    assert_eq!(
        error(config, "config.json"),
        "config.json: linux.seccomp.syscalls[3].names[0]: expected a syscall name, found the number 7"
    );
    let bad_action = config.replace("[7]", "[\"openat\"]").replace(
        "\"action\":\"SCMP_ACT_ALLOW\"}]",
        "\"action\":\"SCMP_ACT_NOPE\"}]",
    );
    assert!(error(&bad_action, "config.json").starts_with(
        "config.json: linux.seccomp.syscalls[3].action: unknown action `SCMP_ACT_NOPE`"
    ),);
    let not_object = r#"{"ociVersion":"1.0.2","linux":{"seccomp":[]}}"#;
    assert_eq!(
        error(not_object, "config.json"),
        "config.json: linux.seccomp: expected a seccomp profile (an object with `defaultAction`), found a list"
    );
    let oci = r#"{"defaultAction":"SCMP_ACT_ERRNO","syscalls":{"names":["read"]}}"#;
    let err = policy::oci::import(oci, "s.json").unwrap_err().to_string();
    assert_eq!(
        err,
        "s.json: syscalls: expected a list of syscall rules, found an object"
    );
}

const SPO: &str = "apiVersion: security-profiles-operator.x-k8s.io/v1beta1\nkind: SeccompProfile\nmetadata:\n  name: x\nspec:\n  defaultAction: SCMP_ACT_ERRNO\n  syscalls:\n  - names: [read, NAME]\n    action: SCMP_ACT_ALLOW\n    args:\n    - {index: 0, value: VALUE, op: SCMP_CMP_EQ}\n";

fn spo(name: &str, value: &str) -> String {
    SPO.replace("NAME", name).replace("VALUE", value)
}

#[test]
fn spo_errors_name_the_path_inside_the_resource() {
    assert_eq!(
        error(&spo("[x]", "1"), "p.yaml"),
        "p.yaml: spec.syscalls[0].names[1]: expected a syscall name, found a list"
    );
    assert!(
        error(
            &spo("write", "1").replace("SCMP_CMP_EQ", "SCMP_CMP_SAME"),
            "p.yaml"
        )
        .starts_with("p.yaml: spec.syscalls[0].args[0].op: unknown operator `SCMP_CMP_SAME`")
    );
    let no_header = "spec:\n  defaultAction: SCMP_ACT_ERRNO\n";
    assert!(error(no_header, "p.yaml").starts_with("p.yaml: apiVersion: missing: "));
    let bad_yaml = "apiVersion: [x\nkind: y\n";
    let err = policy::k8s::import(bad_yaml, "p.yaml").unwrap_err();
    assert!(err.location.starts_with("line "), "{err}");
    assert!(!err.problem.contains(&err.location), "{err}");
}

#[test]
fn numeric_fields_want_unsigned_integers_not_ranges() {
    let json = |field: &str, v: &str| {
        let errno = if field == "errnoRet" { v } else { "1" };
        let (index, value, two) = match field {
            "index" => (v, "1", "0"),
            "value" => ("0", v, "0"),
            "valueTwo" => ("0", "1", v),
            _ => ("0", "1", "0"),
        };
        format!(
            r#"{{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{{"names":["read"],"action":"SCMP_ACT_ERRNO","errnoRet":{errno},"args":[{{"index":{index},"value":{value},"valueTwo":{two},"op":"SCMP_CMP_MASKED_EQ"}}]}}]}}"#
        )
    };
    for field in ["errnoRet", "index", "value", "valueTwo"] {
        let at = if field == "errnoRet" {
            "syscalls[0].errnoRet".to_string()
        } else {
            format!("syscalls[0].args[0].{field}")
        };
        for bad in ["1e3", "null", "-1", "18446744073709551616", "\"5\"", "1.5"] {
            let err = error(&json(field, bad), "n.json");
            let want = format!("n.json: {at}: expected an unsigned integer, found ");
            assert!(err.starts_with(&want), "{field}={bad}: {err}");
        }
    }
    for bad in ["1e3", "null", "-1", "18446744073709551616"] {
        let err = error(&spo("write", bad), "n.yaml");
        assert!(
            err.starts_with(
                "n.yaml: spec.syscalls[0].args[0].value: expected an unsigned integer, found "
            ),
            "{bad}: {err}"
        );
    }
    // Range errors stay for unsigned integers that are merely too large for the field.
    assert!(error(&json("errnoRet", "70000"), "n.json").contains("errno 70000 is out of range"));
}

#[test]
fn alias_bombs_and_deep_nesting_are_errors_not_hangs() {
    let mut bomb = String::from(
        "apiVersion: security-profiles-operator.x-k8s.io/v1beta1\nkind: SeccompProfile\na: &a [lol,lol,lol,lol,lol,lol,lol,lol,lol]\n",
    );
    let levels = ["b", "c", "d", "e", "f", "g", "h", "i"];
    let mut prev = "a";
    for l in levels {
        let refs = vec![format!("*{prev}"); 9].join(",");
        bomb.push_str(&format!("{l}: &{l} [{refs}]\n"));
        prev = l;
    }
    bomb.push_str("spec: *i\n");
    let deep_json = "[".repeat(100_000);
    let deep_yaml = "- ".repeat(100_000);
    for (text, file) in [
        (&bomb, "bomb.yaml"),
        (&deep_json, "deep.json"),
        (&deep_yaml, "deep.yaml"),
    ] {
        let start = Instant::now();
        let err: PolicyError = load(text, file, &resolve()).unwrap_err();
        assert!(start.elapsed() < CEILING, "{file}: {:?}", start.elapsed());
        assert_eq!(err.file, file);
        assert!(err.location.starts_with("line "), "{err}");
    }
}

#[test]
fn capabilities_are_linux_names_with_or_without_the_prefix() {
    let caps = |names: &[&str]| {
        docker::capabilities(&names.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    };
    assert_eq!(
        caps(&["CAP_SYS_ADMIN", "net_admin", ""]).unwrap(),
        ["CAP_SYS_ADMIN", "CAP_NET_ADMIN"]
    );
    assert_eq!(caps(&["ALL"]).unwrap().len(), docker::CAPABILITIES.len());
    let err = caps(&["CAP_BOGUS"]).unwrap_err().to_string();
    assert!(
        err.starts_with("unknown capability `CAP_BOGUS`: the known capabilities are CAP_CHOWN, "),
        "{err}"
    );
    assert!(
        err.contains("CAP_SYS_ADMIN") && err.contains("CAP_CHECKPOINT_RESTORE"),
        "{err}"
    );
    let err = caps(&["SYS_ADMN"]).unwrap_err().to_string();
    assert!(err.contains("(did you mean CAP_SYS_ADMIN?)"), "{err}");
    // Every capability moby's default profile names is known.
    let moby = moby_default();
    for cap in moby.split('"').filter(|w| w.starts_with("CAP_")) {
        assert!(caps(&[cap]).is_ok(), "{cap}");
    }
}

#[test]
fn of_repeated_keys_the_last_counts_as_in_docker() {
    let text = r#"{"defaultAction":"SCMP_ACT_ALLOW","defaultAction":"SCMP_ACT_LOG","syscalls":[]}"#;
    let p = load(text, "dup.json", &resolve()).unwrap().policy;
    assert_eq!(p.default_action, policy::Action::Log);
    let yaml = "apiVersion: security-profiles-operator.x-k8s.io/v1beta1\nkind: SeccompProfile\nspec:\n  defaultAction: SCMP_ACT_ALLOW\n  defaultAction: SCMP_ACT_LOG\n";
    let p = load(yaml, "dup.yaml", &resolve()).unwrap().policy;
    assert_eq!(p.default_action, policy::Action::Log);
}
