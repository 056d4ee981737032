//! A filter stack back to a profile: the emulator walks every (ABI, nr) and the argument
//! values the programs compare (the decision table), and rules are written that give the
//! same decisions; what a profile cannot say (answers for unnamed numbers, for other ABIs,
//! per-ABI differences, argument tests no condition expresses) is reported, not guessed.

use crate::decisions::{self, Decision, FOREIGN_ARCH, Probe, UNNAMED_NR};
use policy::{Action, CmpOp, Condition, Policy, Rule};
use seccomp::Program;
use seccomp::bpf::{data, op};
use seccomp::emulator::EmulatorError;
use std::collections::{BTreeMap, BTreeSet};
use syscalls::Arch;

/// A profile rebuilt from filters, and what it could not express.
#[derive(Debug, Clone)]
pub struct Decompiled {
    /// The profile.
    pub policy: Policy,
    /// Each place where the program's shape cannot be expressed as a profile, and what
    /// the profile says instead.
    pub inexpressible: Vec<String>,
}

/// Rebuilds a profile that decides as the stack `filters` (newest first).
pub fn decompile(filters: &[&Program]) -> Result<Decompiled, EmulatorError> {
    let rows = decisions::table(filters, filters)?;
    let mut by_call: BTreeMap<(u32, u32), Vec<Decision>> = BTreeMap::new();
    for r in rows {
        by_call.entry((r.arch, r.nr)).or_default().push(r);
    }
    let mut notes = Vec::new();
    let foreign = by_call
        .get(&(FOREIGN_ARCH, 0))
        .and_then(|r| r.first())
        .map_or(Action::KillProcess.to_ret(), |r| r.ret);
    let accepted: Vec<Arch> = accepted_arches(&by_call, foreign);
    if action(foreign, &mut notes) != Action::KillProcess {
        notes.push(format!(
            "calls of ABIs the filter does not accept get {}, but a profile's other ABIs are always killed",
            describe(foreign)
        ));
    }
    let default_ret = default_answer(&by_call, &accepted).unwrap_or(foreign);
    let default_action = action(default_ret, &mut notes);
    // (ABI, answer) → numbers no syscall has that get it instead of the default.
    let mut unnamed: BTreeMap<(Arch, u32), Vec<u32>> = BTreeMap::new();
    // name → (arch → rules for that arch).
    let mut per_name: BTreeMap<&'static str, BTreeMap<Arch, Vec<Rule>>> = BTreeMap::new();
    for &arch in &accepted {
        let table = arch.table();
        for (&(audit, nr), rows) in
            by_call.range((arch.audit_arch(), 0)..=(arch.audit_arch(), u32::MAX))
        {
            if Arch::from_audit(audit, nr) != Some(arch) {
                continue;
            }
            let Some(syscall) = table.lookup_nr(nr) else {
                if rows.iter().any(|r| r.ret != default_ret) {
                    unnamed.entry((arch, rows[0].ret)).or_default().push(nr);
                }
                continue;
            };
            let rules = rules_for(
                syscall.name,
                arch,
                nr,
                rows,
                default_ret,
                filters,
                &mut notes,
            )?;
            per_name
                .entry(syscall.name)
                .or_default()
                .insert(arch, rules);
        }
    }
    notes.extend(unnamed_notes(unnamed, default_ret));
    let mut policy = Policy::new(default_action, accepted.clone());
    for (name, by_arch) in per_name {
        policy
            .rules
            .extend(one_answer_for_every_abi(name, by_arch, &mut notes));
    }
    verify(filters, &policy, &mut notes)?;
    Ok(Decompiled {
        policy,
        inexpressible: notes,
    })
}

/// The default: what the filter answers for the numbers between an accepted ABI's
/// syscalls that name none (a number above them all may get a stub's ENOSYS instead).
fn default_answer(by_call: &BTreeMap<(u32, u32), Vec<Decision>>, accepted: &[Arch]) -> Option<u32> {
    most_common(accepted.iter().flat_map(|a| {
        decisions::holes(*a)
            .into_iter()
            .chain([UNNAMED_NR])
            .filter_map(move |nr| Some(by_call.get(&(a.audit_arch(), nr))?[0].ret))
    }))
}

/// One note per (ABI, answer) for the numbers no syscall has that do not get the default.
fn unnamed_notes(unnamed: BTreeMap<(Arch, u32), Vec<u32>>, default_ret: u32) -> Vec<String> {
    unnamed
        .into_iter()
        .map(|((arch, ret), nrs)| {
            let shown: Vec<String> = nrs.iter().take(8).map(|n| format!("{n:#x}")).collect();
            let more = if nrs.len() > 8 {
                format!(" and {} more", nrs.len() - 8)
            } else {
                String::new()
            };
            format!(
                "{arch}: {} number(s) no syscall of the knowledge base has ({}{more}) get {}, not the default {}; a profile names syscalls, so they get the default",
                nrs.len(),
                shown.join(", "),
                describe(ret),
                describe(default_ret)
            )
        })
        .collect()
}

/// The rules of one syscall for every ABI: a profile applies a rule to every ABI, so
/// where the ABIs' rules differ the native ABI's are kept and the difference noted.
fn one_answer_for_every_abi(
    name: &str,
    by_arch: BTreeMap<Arch, Vec<Rule>>,
    notes: &mut Vec<String>,
) -> Vec<Rule> {
    let mut native = by_arch
        .get(&Arch::native())
        .or_else(|| by_arch.values().next())
        .cloned()
        .unwrap_or_default();
    let differing: Vec<&str> = by_arch
        .iter()
        .filter(|(_, r)| strip_arches(r) != strip_arches(&native))
        .map(|(a, _)| a.name())
        .collect();
    if !differing.is_empty() {
        let kept = by_arch
            .iter()
            .find(|(_, r)| strip_arches(r) == strip_arches(&native))
            .map_or("the first ABI", |(a, _)| a.name());
        notes.push(format!(
            "{name} is answered differently on {}: a profile applies one answer to every ABI; written with {kept}'s",
            differing.join(", ")
        ));
    }
    native.sort();
    native
}

/// Compiles the rebuilt profile and says where it still decides otherwise, so a profile
/// that is not the filter's equal never passes for one.
fn verify(
    filters: &[&Program],
    policy: &Policy,
    notes: &mut Vec<String>,
) -> Result<(), EmulatorError> {
    let program = match seccomp::compile(policy, &seccomp::Target::for_policy(policy)) {
        Ok(p) => p,
        Err(e) => {
            notes.push(format!("the rebuilt profile does not compile: {e}"));
            return Ok(());
        }
    };
    for (d, theirs) in decisions::differences(filters, &[&program], 10)? {
        let abi = Arch::from_audit(d.arch, d.nr).map_or("a foreign ABI", |a| a.name());
        let name = Arch::from_audit(d.arch, d.nr)
            .and_then(|a| a.table().lookup_nr(d.nr))
            .map_or(format!("{:#x}", d.nr), |s| s.name.to_string());
        notes.push(format!(
            "the rebuilt profile still differs at {name} ({abi}, argument words {:?}): the filter answers {}, the profile {}",
            d.probe,
            describe(d.ret),
            describe(theirs)
        ));
    }
    Ok(())
}

/// A call's rules as a set, for comparing ABIs.
fn strip_arches(rules: &[Rule]) -> BTreeSet<(Action, Vec<Condition>)> {
    rules
        .iter()
        .map(|r| (r.action, r.conditions.clone()))
        .collect()
}

/// The ABIs some call of which the filter answers otherwise than a foreign ABI's.
fn accepted_arches(by_call: &BTreeMap<(u32, u32), Vec<Decision>>, foreign: u32) -> Vec<Arch> {
    let mut accepted: Vec<Arch> = Arch::ALL
        .into_iter()
        .filter(|a| {
            a.table().entries().iter().any(|s| {
                by_call
                    .get(&(a.audit_arch(), s.nr))
                    .is_some_and(|rows| rows.iter().any(|r| r.ret != foreign))
            })
        })
        .collect();
    // The native ABI first: its arch check is the cheapest, as profiles list it first.
    accepted.sort_by_key(|a| *a != Arch::native());
    accepted
}

/// The most frequent value (the smallest among equals, for a stable answer).
fn most_common(values: impl Iterator<Item = u32>) -> Option<u32> {
    let mut counts: BTreeMap<u32, usize> = BTreeMap::new();
    for v in values {
        *counts.entry(v).or_default() += 1;
    }
    counts
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
        .map(|(v, _)| v)
}

fn describe(ret: u32) -> String {
    Action::from_ret(ret).map_or(format!("{ret:#010x}"), |a| a.to_string())
}

fn action(ret: u32, notes: &mut Vec<String>) -> Action {
    Action::from_ret(ret).unwrap_or_else(|| {
        notes.push(format!(
            "the filter returns {ret:#010x}, which is no seccomp action; written as kill_process, as the kernel treats it"
        ));
        Action::KillProcess
    })
}

/// The rules giving one call's decisions: none when it gets the default, one
/// unconditional rule, or rules with argument conditions.
fn rules_for(
    name: &str,
    arch: Arch,
    nr: u32,
    rows: &[Decision],
    default_ret: u32,
    filters: &[&Program],
    notes: &mut Vec<String>,
) -> Result<Vec<Rule>, EmulatorError> {
    if rows.len() == 1 {
        let ret = rows[0].ret;
        return Ok(if ret == default_ret {
            vec![]
        } else {
            vec![Rule::new(name, action(ret, notes))]
        });
    }
    let args = arguments(rows);
    if args.iter().any(|a| a.is_none()) {
        notes.push(format!(
            "{name} ({arch}): the answer depends on the instruction pointer, which profiles cannot test; written as {}",
            describe(rows[0].ret)
        ));
        return Ok(unconditional(name, rows[0].ret, default_ret, notes));
    }
    let args: Vec<u8> = args
        .into_iter()
        .flatten()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let candidates: Vec<Vec<Condition>> = args
        .iter()
        .map(|&a| candidates(filters, arch, nr, a))
        .collect::<Result<_, _>>()?;
    // The answer no condition selects: the default's where it can be, so the rules read
    // as exceptions to the profile's default; another where only that expresses them all.
    let mut bases: Vec<u32> = rows
        .iter()
        .map(|r| r.ret)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let first = most_common_preferring(rows, default_ret);
    bases.sort_by_key(|b| (*b != default_ret, *b != first));
    let mut fallback = None;
    for &base in &bases {
        let mut attempt_notes = Vec::new();
        let rules = rules_with_base(
            name,
            arch,
            rows,
            &args,
            &candidates,
            base,
            default_ret,
            &mut attempt_notes,
        );
        if attempt_notes.is_empty() {
            return Ok(rules);
        }
        fallback.get_or_insert((rules, attempt_notes));
    }
    let (rules, attempt_notes) = fallback.unwrap_or_default();
    notes.extend(attempt_notes);
    Ok(rules)
}

/// The rules for one call when `base` is the answer no condition selects; what cannot
/// be expressed goes to `notes`.
#[allow(clippy::too_many_arguments)]
fn rules_with_base(
    name: &str,
    arch: Arch,
    rows: &[Decision],
    args: &[u8],
    candidates: &[Vec<Condition>],
    base: u32,
    default_ret: u32,
    notes: &mut Vec<String>,
) -> Vec<Rule> {
    let mut rules = Vec::new();
    let actions: BTreeSet<u32> = rows.iter().map(|r| r.ret).filter(|r| *r != base).collect();
    for &ret in &actions {
        let wanted: Vec<bool> = rows.iter().map(|r| r.ret == ret).collect();
        match express(rows, args, candidates, &wanted, arch) {
            Some(condition_sets) => {
                for conds in condition_sets {
                    let mut rule = Rule::new(name, action(ret, notes));
                    rule.conditions = conds;
                    rules.push(rule);
                }
            }
            None => notes.push(format!(
                "{name} ({arch}): {} for some values of argument(s) {args:?} that no profile condition (==, !=, <, <=, >, >=, masked ==) selects; left out",
                describe(ret),
            )),
        }
    }
    if base != default_ret {
        let base_action = action(base, notes);
        let weaker = rules
            .iter()
            .any(|r| r.action.severity() < base_action.severity());
        if !weaker {
            rules.push(Rule::new(name, base_action));
        } else {
            // An unconditional rule would win over the weaker exceptions: the base's own
            // values must be selected instead.
            let wanted: Vec<bool> = rows.iter().map(|r| r.ret == base).collect();
            match express(rows, args, candidates, &wanted, arch) {
                Some(sets) => {
                    for conds in sets {
                        let mut rule = Rule::new(name, base_action);
                        rule.conditions = conds;
                        rules.push(rule);
                    }
                }
                None => notes.push(format!(
                    "{name} ({arch}): {} for most values, with weaker exceptions, which a profile cannot combine; the exceptions stand, the rest gets the default",
                    describe(base)
                )),
            }
        }
    }
    rules
}

fn unconditional(name: &str, ret: u32, default_ret: u32, notes: &mut Vec<String>) -> Vec<Rule> {
    if ret == default_ret {
        vec![]
    } else {
        vec![Rule::new(name, action(ret, notes))]
    }
}

/// The most frequent answer, the default's when it is among the most frequent.
fn most_common_preferring(rows: &[Decision], default_ret: u32) -> u32 {
    let mut counts: BTreeMap<u32, usize> = BTreeMap::new();
    for r in rows {
        *counts.entry(r.ret).or_default() += 1;
    }
    let top = counts.values().copied().max().unwrap_or(0);
    if counts.get(&default_ret) == Some(&top) {
        return default_ret;
    }
    most_common(rows.iter().map(|r| r.ret)).unwrap_or(default_ret)
}

/// The argument of each probed word (`None` for the instruction pointer).
fn arguments(rows: &[Decision]) -> Vec<Option<u8>> {
    rows.iter()
        .flat_map(|r| r.probe.keys().copied())
        .collect::<BTreeSet<u32>>()
        .into_iter()
        .map(|w| (w >= 16).then(|| ((w - 16) / 8) as u8))
        .collect()
}

/// The 64-bit value of argument `arg` in a probe.
fn arg_value(probe: &Probe, arg: u8) -> u64 {
    let lo = probe.get(&data::arg_lo(arg)).copied().unwrap_or(0);
    let hi = probe.get(&data::arg_hi(arg)).copied().unwrap_or(0);
    u64::from(hi) << 32 | u64::from(lo)
}

/// The conditions on `arg` the programs' comparisons suggest: every comparison's
/// constant (high and low words joined) under each operator, and each masked compare.
fn candidates(
    filters: &[&Program],
    arch: Arch,
    nr: u32,
    arg: u8,
) -> Result<Vec<Condition>, EmulatorError> {
    let mut compares = BTreeSet::new();
    for f in filters {
        compares.extend(decisions::comparisons(f, arch.audit_arch(), Some(nr))?);
    }
    let on = |offset: u32| -> Vec<(u32, u32, u16)> {
        compares
            .iter()
            .filter(|c| c.offset == offset)
            .map(|c| (c.mask, c.k, c.jump))
            .collect()
    };
    let (lo, hi) = (on(data::arg_lo(arg)), on(data::arg_hi(arg)));
    let his: BTreeSet<u32> = if arch.is_32bit() {
        BTreeSet::from([0])
    } else {
        hi.iter()
            .filter(|c| c.0 == u32::MAX)
            .map(|c| c.1)
            .chain([0])
            .collect()
    };
    let mut out = BTreeSet::new();
    for &(mask, k, jump) in &lo {
        if mask == u32::MAX && jump != op::JSET {
            for &h in &his {
                let v = u64::from(h) << 32 | u64::from(k);
                for o in [
                    CmpOp::Eq,
                    CmpOp::Ne,
                    CmpOp::Lt,
                    CmpOp::Le,
                    CmpOp::Gt,
                    CmpOp::Ge,
                ] {
                    out.insert(Condition {
                        arg,
                        op: o,
                        value: v,
                    });
                }
            }
        } else {
            let m = if jump == op::JSET { k & mask } else { mask };
            let v = if jump == op::JSET { 0 } else { k };
            let hi_masks: Vec<(u32, u32)> = hi
                .iter()
                .filter(|c| c.0 != u32::MAX || c.2 == op::JEQ)
                .map(|c| (c.0, c.1))
                .chain([(0, 0)])
                .collect();
            for (hm, hk) in hi_masks {
                let mask = u64::from(hm) << 32 | u64::from(m);
                let value = (u64::from(hk) << 32 | u64::from(v)) & mask;
                out.insert(Condition {
                    arg,
                    op: CmpOp::MaskedEq { mask },
                    value,
                });
            }
        }
    }
    Ok(out.into_iter().collect())
}

/// Sets of conditions (one rule each) that hold on exactly the `wanted` probes: one
/// condition, a conjunction over two arguments, or one equality per wanted value.
fn express(
    rows: &[Decision],
    args: &[u8],
    candidates: &[Vec<Condition>],
    wanted: &[bool],
    arch: Arch,
) -> Option<Vec<Vec<Condition>>> {
    let is_32 = arch.is_32bit();
    let holds = |c: &Condition, probe: &Probe| c.matches(arg_value(probe, c.arg), is_32);
    let exact = |conds: &[&Condition]| {
        rows.iter()
            .zip(wanted)
            .all(|(r, &w)| conds.iter().all(|c| holds(c, &r.probe)) == w)
    };
    for cands in candidates {
        if let Some(c) = cands.iter().find(|c| exact(&[c])) {
            return Some(vec![vec![*c]]);
        }
    }
    if let [a, b] = candidates {
        for ca in a {
            if let Some(cb) = b.iter().find(|cb| exact(&[ca, cb])) {
                return Some(vec![vec![*ca, *cb]]);
            }
        }
    }
    // A union of conditions (one rule each): conditions that hold only where wanted,
    // the one covering most first, until every wanted probe is covered.
    let mut left: Vec<bool> = wanted.to_vec();
    let subsets: Vec<&Condition> = candidates
        .iter()
        .flatten()
        .filter(|c| {
            rows.iter()
                .zip(wanted)
                .all(|(r, &w)| w || !holds(c, &r.probe))
        })
        .collect();
    let mut chosen = Vec::new();
    while left.iter().any(|l| *l) {
        let covers = |c: &Condition| {
            rows.iter()
                .zip(&left)
                .filter(|(r, l)| **l && holds(c, &r.probe))
                .count()
        };
        // The first of the widest (==, then !=, <, ...: the plainest reading wins ties).
        let mut best: Option<(&Condition, usize)> = None;
        for c in &subsets {
            let n = covers(c);
            if n > best.map_or(0, |b| b.1) {
                best = Some((c, n));
            }
        }
        let (best, _) = best?;
        for (r, l) in rows.iter().zip(left.iter_mut()) {
            if holds(best, &r.probe) {
                *l = false;
            }
        }
        chosen.push(vec![*best]);
    }
    let _ = args;
    Some(chosen)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compiled(p: &Policy) -> Program {
        seccomp::compile(p, &seccomp::Target::for_policy(p)).unwrap()
    }

    #[test]
    fn a_profile_with_every_operator_comes_back_with_the_same_decisions() {
        let mut p = Policy::new(Action::Errno(1), vec![Arch::X86_64, Arch::I386, Arch::X32]);
        p.rules = vec![
            Rule::new("read", Action::Allow),
            Rule::new("kill", Action::Trap),
            Rule::new("personality", Action::Allow).with(0, CmpOp::Eq, 8),
            Rule::new("personality", Action::Allow).with(0, CmpOp::Eq, 0xffff_ffff),
            Rule::new("socket", Action::Allow).with(0, CmpOp::Ne, 40),
            Rule::new("clone", Action::Allow).with(0, CmpOp::MaskedEq { mask: 0x7e02_0000 }, 0),
            Rule::new("mmap", Action::Allow).with(2, CmpOp::Lt, 4),
            Rule::new("setuid", Action::Allow).with(0, CmpOp::Ge, 1000),
            Rule::new("openat", Action::Errno(13)).with(2, CmpOp::MaskedEq { mask: 3 }, 1),
            Rule::new("openat", Action::Allow),
        ];
        let original = compiled(&p);
        let d = decompile(&[&original]).unwrap();
        assert!(d.inexpressible.is_empty(), "{:#?}", d.inexpressible);
        let back = compiled(&d.policy);
        let diffs = decisions::differences(&[&original], &[&back], 5).unwrap();
        assert!(diffs.is_empty(), "{diffs:#?}\n{:#?}", d.policy.rules);
        assert_eq!(d.policy.default_action, Action::Errno(1));
    }

    #[test]
    fn answers_for_foreign_abis_are_reported_not_hidden() {
        // Accepts only x86_64, and answers ERRNO (not kill) for other ABIs.
        let p = Program {
            insns: vec![
                seccomp::Insn::load(data::ARCH),
                seccomp::Insn::jump(op::JMP | op::JEQ | op::K, Arch::X86_64.audit_arch(), 1, 0),
                seccomp::Insn::ret(Action::Errno(38).to_ret()),
                seccomp::Insn::ret(Action::Allow.to_ret()),
            ],
        };
        let d = decompile(&[&p]).unwrap();
        assert_eq!(d.policy.default_action, Action::Allow);
        assert_eq!(d.policy.arches, [Arch::X86_64, Arch::X32]);
        assert!(
            d.inexpressible.iter().any(|n| n.contains("other ABIs")),
            "{:#?}",
            d.inexpressible
        );
    }
}
