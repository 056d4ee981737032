//! Docker/moby JSON import and export, on moby's own default profile and fixtures.

use policy::docker::{self, Resolve};
use policy::{Action, CmpOp, Policy};
use std::collections::BTreeSet;
use syscalls::Arch;

fn data(name: &str) -> String {
    let path = format!("{}/tests/data/moby/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn moby_default() -> docker::Imported {
    let res = Resolve::docker_default(Arch::X86_64, (6, 18));
    docker::import(&data("default.json"), "default.json", &res).expect("default.json imports")
}

/// The x86_64 syscalls with at least one rule.
fn x86_64_names(p: &Policy) -> BTreeSet<&str> {
    let table = Arch::X86_64.table();
    p.rules
        .iter()
        .filter(|r| table.lookup_name(&r.syscall).is_some())
        .map(|r| r.syscall.as_str())
        .collect()
}

#[test]
fn moby_default_gives_what_docker_allows_on_x86_64() {
    let imported = moby_default();
    let p = &imported.policy;
    assert_eq!(p.default_action, Action::Errno(1));
    assert_eq!(p.arches, vec![Arch::X86_64, Arch::I386, Arch::X32]);
    let names = x86_64_names(p);
    let allowed = names
        .iter()
        .filter(|n| {
            p.rules
                .iter()
                .any(|r| r.syscall == **n && r.action == Action::Allow)
        })
        .count();
    // 306 unconditional, socket/personality/clone under argument checks; clone3 → ENOSYS.
    assert_eq!(allowed, 309, "{names:?}");
    assert_eq!(names.len(), 310);
    let conditional: BTreeSet<&str> = p
        .rules
        .iter()
        .filter(|r| !r.conditions.is_empty())
        .map(|r| r.syscall.as_str())
        .collect();
    assert_eq!(
        conditional,
        BTreeSet::from(["clone", "personality", "socket"])
    );
    let clone3: Vec<Action> = p
        .rules
        .iter()
        .filter(|r| r.syscall == "clone3")
        .map(|r| r.action)
        .collect();
    assert_eq!(clone3, vec![Action::Errno(38)]);
    let unconditional_allow = names
        .iter()
        .filter(|n| {
            p.rules
                .iter()
                .any(|r| r.syscall == **n && r.conditions.is_empty() && r.action == Action::Allow)
        })
        .count();
    assert_eq!(unconditional_allow, 306);
    // Capability-gated entries are out, arch-gated ones for amd64 are in.
    assert!(!names.contains("reboot") && !names.contains("bpf") && !names.contains("kcmp"));
    assert!(names.contains("ptrace"), "allowed from kernel 4.8 on");
    assert!(
        names.contains("arch_prctl") && names.contains("modify_ldt") && names.contains("chroot")
    );
    assert!(imported.warnings.is_empty(), "{:?}", imported.warnings);
}

#[test]
fn capabilities_and_kernel_version_select_entries() {
    let mut res = Resolve::docker_default(Arch::X86_64, (4, 4));
    res.caps.push("CAP_SYS_ADMIN".into());
    res.caps.push("SYS_PTRACE".into());
    let p = docker::import(&data("default.json"), "default.json", &res)
        .unwrap()
        .policy;
    let has = |n: &str| p.rules.iter().any(|r| r.syscall == n);
    assert!(has("mount") && has("bpf") && has("kcmp"));
    // Under CAP_SYS_ADMIN clone is allowed without the namespace-flags check, clone3 too.
    assert!(
        p.rules
            .iter()
            .filter(|r| r.syscall == "clone")
            .all(|r| r.conditions.is_empty())
    );
    assert!(
        !p.rules
            .iter()
            .any(|r| r.syscall == "clone3" && r.action != Action::Allow)
    );
    // ptrace comes from CAP_SYS_PTRACE, not from the minKernel 4.8 entry (kernel 4.4 here).
    let res = Resolve::docker_default(Arch::X86_64, (4, 4));
    let p = docker::import(&data("default.json"), "default.json", &res)
        .unwrap()
        .policy;
    assert!(!p.rules.iter().any(|r| r.syscall == "ptrace"));
}

#[test]
fn the_conditional_include_fixture_follows_caps() {
    let text = data("conditional_include.json");
    let plain = Resolve::docker_default(Arch::X86_64, (6, 18));
    let p = docker::import(&text, "c.json", &plain).unwrap().policy;
    let names: Vec<&str> = p.rules.iter().map(|r| r.syscall.as_str()).collect();
    assert_eq!(names, vec!["chmod", "ptrace"]);
    let mut admin = plain.clone();
    admin
        .caps
        .extend(["CAP_SYSLOG".to_string(), "CAP_SYS_ADMIN".to_string()]);
    let p = docker::import(&text, "c.json", &admin).unwrap().policy;
    let names: Vec<&str> = p.rules.iter().map(|r| r.syscall.as_str()).collect();
    assert_eq!(names, vec!["chmod", "syslog"]);
}

#[test]
fn the_old_format_and_example_fixtures_import() {
    let res = Resolve::docker_default(Arch::X86_64, (6, 18));
    let old = docker::import(&data("default-old-format.json"), "old.json", &res).unwrap();
    assert_eq!(old.policy.arches, vec![Arch::X86_64, Arch::I386, Arch::X32]);
    assert!(old.policy.rules.len() > 250);
    let ex = docker::import(&data("example.json"), "example.json", &res)
        .unwrap()
        .policy;
    let clone = ex.rules.iter().find(|r| r.syscall == "clone").unwrap();
    assert_eq!(clone.conditions[0].op, CmpOp::MaskedEq { mask: 2114060288 });
    assert_eq!(clone.conditions[0].value, 0);
    let syslog = ex.rules.iter().find(|r| r.syscall == "syslog").unwrap();
    assert_eq!(syslog.action, Action::Errno(12345));
}

#[test]
fn export_then_import_gives_the_same_policy() {
    let res = Resolve::docker_default(Arch::X86_64, (6, 18));
    for file in ["default.json", "example.json", "default-old-format.json"] {
        let p = docker::import(&data(file), file, &res).unwrap().policy;
        let text = docker::export(&p).unwrap();
        let back = docker::import(&text, "exported.json", &res).unwrap().policy;
        assert_eq!(back.normalized(), p.normalized(), "{file}");
    }
}

#[test]
fn a_typo_is_a_warning_with_the_closest_names() {
    let text = r#"{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[
        {"names":["read","wirte","arm_fadvise64_64"],"action":"SCMP_ACT_ALLOW"}]}"#;
    let res = Resolve::docker_default(Arch::X86_64, (6, 18));
    let imported = docker::import(text, "p.json", &res).unwrap();
    assert_eq!(imported.policy.rules.len(), 1);
    assert_eq!(imported.warnings.len(), 1, "{:?}", imported.warnings);
    let w = imported.warnings[0].to_string();
    assert!(
        w.starts_with("syscalls[0].names[1]: unknown syscall `wirte`"),
        "{w}"
    );
    assert!(w.contains("`write`"), "{w}");
}

#[test]
fn malformed_input_names_file_location_and_problem() {
    let res = Resolve::docker_default(Arch::X86_64, (6, 18));
    let cases = [
        (
            "{\"defaultAction\": \"SCMP_ACT_ERRNO\",\n  \"syscalls\": [ }",
            "p.json: line 2 column",
        ),
        (
            r#"{"defaultAction":"SCMP_ACT_DENY"}"#,
            "p.json: defaultAction: unknown action `SCMP_ACT_DENY`",
        ),
        (
            r#"{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":1,"op":"SCMP_CMP_SAME"}]}]}"#,
            "p.json: syscalls[0].args[0].op: unknown operator `SCMP_CMP_SAME`",
        ),
        (
            r#"{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW","args":[{"index":6,"value":1,"op":"SCMP_CMP_EQ"}]}]}"#,
            "p.json: syscalls[0].args[0].index: argument index 6 is out of range",
        ),
        (
            r#"{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW","args":[
              {"index":0,"value":1,"op":"SCMP_CMP_EQ"},{"index":1,"value":1,"op":"SCMP_CMP_EQ"},
              {"index":2,"value":1,"op":"SCMP_CMP_EQ"},{"index":3,"value":1,"op":"SCMP_CMP_EQ"},
              {"index":4,"value":1,"op":"SCMP_CMP_EQ"},{"index":5,"value":1,"op":"SCMP_CMP_EQ"},
              {"index":0,"value":2,"op":"SCMP_CMP_EQ"}]}]}"#,
            "p.json: syscalls[0].args: 7 argument conditions",
        ),
        (
            r#"{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"action":"SCMP_ACT_ALLOW"}]}"#,
            "p.json: syscalls[0]: no syscall named",
        ),
    ];
    for (text, want) in cases {
        let err = docker::import(text, "p.json", &res)
            .unwrap_err()
            .to_string();
        assert!(err.starts_with(want), "got {err:?}, want {want:?}");
    }
}
