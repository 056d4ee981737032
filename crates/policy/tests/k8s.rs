//! Kubernetes Security Profiles Operator SeccompProfile import/export.

use policy::docker::{self, Resolve};
use policy::{Action, CmpOp, Policy, Rule, k8s};
use syscalls::Arch;

fn moby_default() -> Policy {
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
fn export_is_v1beta1_and_imports_back_to_the_same_policy() {
    let p = moby_default();
    let yaml = k8s::export(&p, "moby-default").unwrap();
    assert!(yaml.starts_with(
        "apiVersion: security-profiles-operator.x-k8s.io/v1beta1\nkind: SeccompProfile\nmetadata:\n  name: moby-default\n"
    ), "{yaml}");
    assert!(
        !yaml.contains("defaultErrnoRet"),
        "the CRD has no such field"
    );
    let back = k8s::import(&yaml, "p.yaml").unwrap();
    assert!(back.warnings.is_empty());
    assert_eq!(back.policy.normalized(), p.normalized());
}

#[test]
fn v1_resources_import_and_other_kinds_do_not() {
    let text = "apiVersion: security-profiles-operator.x-k8s.io/v1\nkind: SeccompProfile\nmetadata:\n  name: x\nspec:\n  defaultAction: SCMP_ACT_LOG\n  architectures: [SCMP_ARCH_X86_64]\n  syscalls:\n  - names: [mount]\n    action: SCMP_ACT_ERRNO\n    errnoRet: 13\n  - names: [personality]\n    action: SCMP_ACT_ALLOW\n    args:\n    - {index: 0, value: 8, op: SCMP_CMP_EQ}\n";
    let p = k8s::import(text, "v1.yaml").unwrap().policy;
    assert_eq!(p.default_action, Action::Log);
    assert_eq!(p.rules[0], Rule::new("mount", Action::Errno(13)));
    assert_eq!(
        p.rules[1],
        Rule::new("personality", Action::Allow).with(0, CmpOp::Eq, 8)
    );
    let err = k8s::import(&text.replace("/v1\n", "/v1alpha9\n"), "v.yaml").unwrap_err();
    assert!(
        err.to_string().starts_with(
            "v.yaml: apiVersion: `security-profiles-operator.x-k8s.io/v1alpha9` is not a supported"
        ),
        "{err}"
    );
    let err =
        k8s::import(&text.replace("kind: SeccompProfile", "kind: Pod"), "v.yaml").unwrap_err();
    assert_eq!(
        err.to_string(),
        "v.yaml: kind: kind `Pod` is not SeccompProfile"
    );
}

#[test]
fn values_above_int64_are_refused_both_ways() {
    let text = "apiVersion: security-profiles-operator.x-k8s.io/v1beta1\nkind: SeccompProfile\nmetadata: {name: x}\nspec:\n  defaultAction: SCMP_ACT_ERRNO\n  syscalls:\n  - names: [personality]\n    action: SCMP_ACT_ALLOW\n    args:\n    - {index: 0, value: 9223372036854775808, op: SCMP_CMP_EQ}\n";
    let err = k8s::import(text, "big.yaml").unwrap_err().to_string();
    assert!(
        err.starts_with("big.yaml: spec.syscalls[0].args[0].value: 9223372036854775808 is outside"),
        "{err}"
    );
    let ok = text.replace("9223372036854775808", "9223372036854775807");
    assert!(k8s::import(&ok, "max.yaml").is_ok());
    let mut p = Policy::new(Action::Errno(1), vec![Arch::X86_64]);
    p.rules
        .push(Rule::new("personality", Action::Allow).with(0, CmpOp::Eq, u64::MAX));
    assert!(
        k8s::export(&p, "x")
            .unwrap_err()
            .to_string()
            .contains("is outside")
    );
}

#[test]
fn malformed_yaml_names_line_and_column() {
    let err = k8s::import("apiVersion: [unclosed\nkind: x\n", "bad.yaml").unwrap_err();
    assert_eq!(err.file, "bad.yaml");
    assert!(err.location.starts_with("line "), "{err}");
}
