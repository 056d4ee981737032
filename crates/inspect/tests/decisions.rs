//! Decision tables and fingerprints of real profiles: moby's default.

use inspect::decisions::{fingerprint, same_decisions, table};
use inspect::profiles::{MOBY_DEFAULT_JSON, docker_resolve, moby_default};
use policy::docker::Resolve;
use seccomp::Target;
use syscalls::Arch;

fn compile(resolve: &Resolve, shuffle: bool) -> seccomp::Program {
    let mut p = policy::docker::import(MOBY_DEFAULT_JSON, "default.json", resolve)
        .unwrap()
        .policy;
    if shuffle {
        p.rules.reverse();
    }
    seccomp::compile(&p, &Target::for_policy(&p)).unwrap()
}

#[test]
fn moby_default_keeps_its_fingerprint_when_its_rules_are_reordered() {
    let moby = moby_default();
    let reordered = compile(&docker_resolve(), true);
    assert_eq!(
        fingerprint(&[&moby.program]).unwrap(),
        fingerprint(&[&reordered]).unwrap()
    );
    assert!(same_decisions(&[&moby.program], &[&reordered]).unwrap());
}

#[test]
fn moby_default_with_every_capability_decides_differently() {
    let moby = moby_default();
    let mut all_caps = docker_resolve();
    all_caps.caps = vec!["CAP_SYS_ADMIN".into(), "CAP_SYS_PTRACE".into()];
    all_caps.caps.extend(docker_resolve().caps);
    let privileged = compile(&all_caps, false);
    assert!(!same_decisions(&[&moby.program], &[&privileged]).unwrap());
    assert_ne!(
        fingerprint(&[&moby.program]).unwrap(),
        fingerprint(&[&privileged]).unwrap()
    );
}

#[test]
fn moby_defaults_table_probes_the_personality_values_it_allows() {
    let moby = moby_default();
    let rows = table(&[&moby.program], &[&moby.program]).unwrap();
    let personality = Arch::X86_64.table().lookup_name("personality").unwrap().nr;
    let allowed: Vec<u32> = rows
        .iter()
        .filter(|r| r.arch == Arch::X86_64.audit_arch() && r.nr == personality)
        .filter(|r| r.ret == 0x7fff_0000)
        .map(|r| r.probe.get(&16).copied().unwrap_or(0))
        .collect();
    // Exactly the values moby's rules allow (0, 8, 0x20000, 0x20008, 0xffffffff).
    let p = policy::docker::import(MOBY_DEFAULT_JSON, "default.json", &docker_resolve())
        .unwrap()
        .policy;
    let mut want: Vec<u32> = p
        .rules
        .iter()
        .filter(|r| r.syscall == "personality" && r.action == policy::Action::Allow)
        .map(|r| r.conditions[0].value as u32)
        .collect();
    want.sort_unstable();
    assert!(want.len() >= 4, "{want:?}");
    assert_eq!(allowed, want);
}

#[test]
fn moby_default_decompiles_to_a_profile_with_the_same_decisions() {
    let moby = moby_default();
    let d = inspect::decompile::decompile(&[&moby.program]).unwrap();
    assert!(d.inexpressible.is_empty(), "{:#?}", d.inexpressible);
    let back = seccomp::compile(&d.policy, &Target::for_policy(&d.policy)).unwrap();
    let diffs = inspect::decisions::differences(&[&moby.program], &[&back], 5).unwrap();
    assert!(diffs.is_empty(), "{diffs:#?}");
    // And it is a Docker profile again.
    let json = policy::docker::export(&d.policy).unwrap();
    let again = policy::docker::import(&json, "decompiled.json", &docker_resolve()).unwrap();
    let third = seccomp::compile(&again.policy, &Target::for_policy(&again.policy)).unwrap();
    assert!(same_decisions(&[&moby.program], &[&third]).unwrap());
}
