//! The compiler against the policy model's meaning, on rules with numbers built here (no
//! syscall table needed): every program must give, for every call, the answer of the most
//! restrictive matching rule, keep argument checks off unconditional paths, and stay small.

mod common;

use common::Rng;
use policy::{Action, CmpOp, Condition};
use seccomp::{ArchRules, Resolved, ResolvedRule, SeccompData, lower, run};
use std::collections::BTreeMap;
use syscalls::Arch;

const ACTIONS: [Action; 8] = [
    Action::Allow,
    Action::Errno(1),
    Action::Errno(38),
    Action::KillProcess,
    Action::KillThread,
    Action::Trap,
    Action::Trace(3),
    Action::Log,
];

/// Interesting constants: edges of the 32-bit halves, small numbers, random values.
fn value(rng: &mut Rng) -> u64 {
    match rng.below(6) {
        0 => rng.below(8),
        1 => 0xffff_ffff,
        2 => 0x1_0000_0000 + rng.below(3),
        3 => u64::MAX - rng.below(2),
        4 => rng.next() & 0xffff_ffff,
        _ => rng.next(),
    }
}

fn condition(rng: &mut Rng, arg: u8) -> Condition {
    let op = match rng.below(7) {
        0 => CmpOp::Eq,
        1 => CmpOp::Ne,
        2 => CmpOp::Lt,
        3 => CmpOp::Le,
        4 => CmpOp::Ge,
        5 => CmpOp::Gt,
        _ => CmpOp::MaskedEq { mask: value(rng) },
    };
    let mut v = value(rng);
    if let CmpOp::MaskedEq { mask } = op
        && rng.below(2) == 0
    {
        v &= mask;
    }
    Condition { arg, op, value: v }
}

fn random_resolved(rng: &mut Rng) -> Resolved {
    let all = [Arch::X86_64, Arch::I386, Arch::X32, Arch::Aarch64];
    let mut arches: Vec<Arch> = all.iter().copied().filter(|_| rng.below(2) == 0).collect();
    if arches.is_empty() {
        arches.push(Arch::X86_64);
    }
    let arches = arches
        .into_iter()
        .map(|arch| {
            let mut syscalls = BTreeMap::new();
            for _ in 0..rng.below(60) {
                let nr = arch.nr_base() + rng.below(64) as u32;
                let rules: &mut Vec<ResolvedRule> = syscalls.entry(nr).or_default();
                for _ in 0..1 + rng.below(3) {
                    let arg = rng.below(3) as u8;
                    let conditions = (0..rng.below(3)).map(|_| condition(rng, arg)).collect();
                    rules.push(ResolvedRule {
                        action: rng.pick(&ACTIONS),
                        conditions,
                    });
                }
            }
            ArchRules { arch, syscalls }
        })
        .collect();
    Resolved {
        default_action: rng.pick(&ACTIONS),
        foreign_action: Action::KillProcess,
        arches,
    }
}

/// The model's answer: foreign ABI → kill; else the most restrictive matching rule (the
/// first among equals), else the default.
fn expected(res: &Resolved, data: &SeccompData) -> Action {
    let Some(arch) = Arch::from_audit(data.arch, data.nr) else {
        return Action::KillProcess;
    };
    let Some(rules) = res.arches.iter().find(|a| a.arch == arch) else {
        return Action::KillProcess;
    };
    let mut best: Option<Action> = None;
    for r in rules.syscalls.get(&data.nr).into_iter().flatten() {
        let hit = r
            .conditions
            .iter()
            .all(|c| c.matches(data.args[usize::from(c.arg)], arch.is_32bit()));
        if hit && best.is_none_or(|b| r.action.severity() > b.severity()) {
            best = Some(r.action);
        }
    }
    best.unwrap_or(res.default_action)
}

/// The resolved rules of syscall `nr` on `abi` (none when the policy has none).
fn rules_for(res: &Resolved, abi: Arch, nr: u32) -> Vec<ResolvedRule> {
    res.arches
        .iter()
        .find(|a| a.arch == abi)
        .and_then(|a| a.syscalls.get(&nr))
        .cloned()
        .unwrap_or_default()
}

fn args_near(rng: &mut Rng, rules: &[ResolvedRule]) -> [u64; 6] {
    let mut args = [0u64; 6];
    for a in &mut args {
        *a = value(rng);
    }
    // Often hit a constant exactly, or one off, so boundaries get exercised.
    for r in rules {
        for c in &r.conditions {
            if rng.below(2) == 0 {
                let delta = rng.pick(&[0u64, 1, u64::MAX]);
                args[usize::from(c.arg)] = c.value.wrapping_add(delta);
            }
        }
    }
    args
}

#[test]
fn compiled_programs_answer_as_the_model_for_random_policies() {
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    let mut checked = 0usize;
    for _ in 0..400 {
        let res = random_resolved(&mut rng);
        let program = lower(&res).expect("random policies compile");
        for abi in [Arch::X86_64, Arch::I386, Arch::X32, Arch::Aarch64] {
            for low in 0..70u32 {
                let nr = abi.nr_base() + low;
                let rules = rules_for(&res, abi, nr);
                for _ in 0..4 {
                    let data = SeccompData::new(abi, nr, args_near(&mut rng, &rules));
                    let got = run(&program, &data).expect("programs run to a ret");
                    let want = expected(&res, &data);
                    assert_eq!(
                        Action::from_ret(got.ret),
                        Some(want),
                        "{abi} nr {nr:#x} args {:x?}\nrules {rules:?}\n{program}",
                        data.args
                    );
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 400_000);
}

#[test]
fn x32_numbers_are_a_foreign_abi_unless_x32_is_targeted() {
    let mut syscalls = BTreeMap::new();
    syscalls.insert(
        1,
        vec![ResolvedRule {
            action: Action::Allow,
            conditions: vec![],
        }],
    );
    let res = Resolved {
        default_action: Action::Allow,
        foreign_action: Action::KillProcess,
        arches: vec![ArchRules {
            arch: Arch::X86_64,
            syscalls,
        }],
    };
    let p = lower(&res).unwrap();
    let x32_write = SeccompData::new(Arch::X86_64, 0x4000_0001, [0; 6]);
    assert_eq!(
        run(&p, &x32_write).unwrap().ret,
        Action::KillProcess.to_ret()
    );
    let i386 = SeccompData::new(Arch::I386, 1, [0; 6]);
    assert_eq!(run(&p, &i386).unwrap().ret, Action::KillProcess.to_ret());
    let native = SeccompData::new(Arch::X86_64, 1, [0; 6]);
    assert_eq!(run(&p, &native).unwrap().ret, Action::Allow.to_ret());
}

#[test]
fn unconditional_paths_stay_cacheable_and_argument_loads_stay_on_their_syscall() {
    let mut rng = Rng(77);
    for _ in 0..200 {
        let res = random_resolved(&mut rng);
        let program = lower(&res).unwrap();
        for rules in &res.arches {
            for low in 0..70u32 {
                let nr = rules.arch.nr_base() + low;
                let conditional = rules
                    .syscalls
                    .get(&nr)
                    .is_some_and(|rs| rs.iter().any(|r| !r.conditions.is_empty()));
                if conditional {
                    continue;
                }
                let data = SeccompData::new(rules.arch, nr, [u64::MAX; 6]);
                let r = run(&program, &data).unwrap();
                assert!(
                    r.cacheable,
                    "{} nr {nr:#x} loads an argument\n{program}",
                    rules.arch
                );
            }
        }
    }
}

#[test]
fn a_thousand_syscall_numbers_search_in_few_steps() {
    // Every other number allowed: the worst case for interval merging.
    let syscalls: BTreeMap<u32, Vec<ResolvedRule>> = (0..1000)
        .step_by(2)
        .map(|nr| {
            (
                nr,
                vec![ResolvedRule {
                    action: Action::Allow,
                    conditions: vec![],
                }],
            )
        })
        .collect();
    let res = Resolved {
        default_action: Action::Errno(1),
        foreign_action: Action::KillProcess,
        arches: vec![ArchRules {
            arch: Arch::X86_64,
            syscalls,
        }],
    };
    let p = lower(&res).unwrap();
    let worst = (0..1100)
        .map(|nr| {
            run(&p, &SeccompData::new(Arch::X86_64, nr, [0; 6]))
                .unwrap()
                .executed
        })
        .max()
        .unwrap();
    // 1001 intervals: depth 10, plus arch load/check, nr load, x32 check and ret.
    assert!(worst <= 16, "worst path {worst}");
    assert!(p.len() < 2 * 1001 + 16, "size {}", p.len());
}

#[test]
fn large_programs_with_far_jumps_answer_as_the_model() {
    let mut rng = Rng(0xfa7_0ff5e7);
    for _ in 0..6 {
        let arches = [Arch::X86_64, Arch::I386, Arch::X32]
            .into_iter()
            .map(|arch| {
                let mut syscalls = BTreeMap::new();
                for low in 0..700u32 {
                    if rng.below(3) == 0 {
                        continue;
                    }
                    let conditional = rng.below(8) == 0;
                    let conditions = if conditional {
                        let arg = rng.below(6) as u8;
                        (0..1 + rng.below(2))
                            .map(|_| condition(&mut rng, arg))
                            .collect()
                    } else {
                        vec![]
                    };
                    syscalls.insert(
                        arch.nr_base() + low,
                        vec![ResolvedRule {
                            action: rng.pick(&ACTIONS),
                            conditions,
                        }],
                    );
                }
                ArchRules { arch, syscalls }
            })
            .collect();
        let res = Resolved {
            default_action: Action::Errno(1),
            foreign_action: Action::KillProcess,
            arches,
        };
        let program = lower(&res).unwrap();
        assert!(
            program.len() > 1000,
            "big enough to need far jumps: {}",
            program.len()
        );
        let ja = seccomp::bpf::op::JMP | seccomp::bpf::op::JA;
        assert!(
            program.insns.iter().any(|i| i.code == ja),
            "no trampoline was needed"
        );
        for abi in [Arch::X86_64, Arch::I386, Arch::X32, Arch::Aarch64] {
            for low in 0..760u32 {
                let nr = abi.nr_base() + low;
                let rules = rules_for(&res, abi, nr);
                for _ in 0..3 {
                    let data = SeccompData::new(abi, nr, args_near(&mut rng, &rules));
                    let got = run(&program, &data).unwrap();
                    assert_eq!(Action::from_ret(got.ret), Some(expected(&res, &data)));
                }
            }
        }
    }
}
