//! OCI runtime-spec `linux.seccomp`: import from the object or a whole config.json, export,
//! and round trips.

use policy::docker::{self, Resolve};
use policy::{Action, oci};
use syscalls::Arch;

fn moby_default() -> policy::Policy {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/moby/default.json");
    let text = std::fs::read_to_string(path).unwrap();
    docker::import(
        &text,
        "default.json",
        &Resolve::docker_default(Arch::X86_64, (6, 18)),
    )
    .unwrap()
    .policy
}

#[test]
fn export_then_import_gives_the_same_policy() {
    let mut p = moby_default();
    p.flags = vec!["SECCOMP_FILTER_FLAG_LOG".into()];
    p.listener_path = Some("/run/seccomp-agent.sock".into());
    let text = oci::export(&p).unwrap();
    let back = oci::import(&text, "seccomp.json").unwrap();
    assert!(back.warnings.is_empty());
    assert_eq!(back.policy.normalized(), p.normalized());
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["architectures"][1], "SCMP_ARCH_X86");
    assert_eq!(v["listenerPath"], "/run/seccomp-agent.sock");
    assert!(v.get("archMap").is_none() && v.get("includes").is_none());
}

#[test]
fn a_config_json_is_read_through_its_linux_seccomp() {
    let p = moby_default();
    let config = serde_json::json!({
        "ociVersion": "1.0.2",
        "process": {"args": ["sh"]},
        "linux": {"seccomp": oci::to_value(&p).unwrap()}
    });
    let back = oci::import(&config.to_string(), "config.json")
        .unwrap()
        .policy;
    assert_eq!(back.normalized(), p.normalized());
    let err = oci::import(r#"{"ociVersion":"1.0.2","linux":{}}"#, "config.json").unwrap_err();
    assert_eq!(
        err.to_string(),
        "config.json: linux.seccomp: this config.json has no seccomp section"
    );
}

#[test]
fn moby_extensions_are_refused_in_oci_input() {
    let text = r#"{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[
        {"names":["reboot"],"action":"SCMP_ACT_ALLOW","includes":{"caps":["CAP_SYS_BOOT"]}}]}"#;
    let err = oci::import(text, "s.json").unwrap_err().to_string();
    assert!(
        err.starts_with("s.json: syscalls[0]: `includes`/`excludes`"),
        "{err}"
    );
}

#[test]
fn default_errno_ret_and_errno_ret_are_kept() {
    let text = r#"{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":38,"syscalls":[
        {"names":["read"],"action":"SCMP_ACT_ERRNO","errnoRet":5},
        {"names":["write"],"action":"SCMP_ACT_TRACE"}]}"#;
    let p = oci::import(text, "s.json").unwrap().policy;
    assert_eq!(p.default_action, Action::Errno(38));
    assert_eq!(p.rules[0].action, Action::Errno(5));
    assert_eq!(p.rules[1].action, Action::Trace(1));
    let back = oci::import(&oci::export(&p).unwrap(), "again.json")
        .unwrap()
        .policy;
    assert_eq!(back.normalized(), p.normalized());
}
