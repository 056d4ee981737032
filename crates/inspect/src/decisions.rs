//! What a stack of seccomp filters decides, as a table: for every (ABI, nr) — each
//! number the knowledge base names and each one the programs compare — and, where the
//! answer depends on arguments, for the argument values the programs compare (and their
//! neighbours), the value the kernel would act on. Two stacks that make the same decisions
//! have the same table whatever their bytes (libseccomp versions, capability sets and
//! stubs change the bytes); the table's hash is a filter's fingerprint.

use seccomp::bpf::{data, op};
use seccomp::emulator::EmulatorError;
use seccomp::{Insn, Program, SeccompData};
use std::collections::{BTreeMap, BTreeSet, HashSet};
use syscalls::Arch;

/// A comparison a program makes on a word of `seccomp_data`, after an optional AND mask.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Compare {
    /// The word's offset in `seccomp_data`.
    pub offset: u32,
    /// The mask ANDed into the word first (`u32::MAX` for none).
    pub mask: u32,
    /// The jump: `op::JEQ`, `op::JGT`, `op::JGE` or `op::JSET`.
    pub jump: u16,
    /// The constant.
    pub k: u32,
}

/// What the accumulator holds during the exploration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Acc {
    Known(u32),
    /// A word of seccomp_data, ANDed with a mask.
    Word(u32, u32),
    Unknown,
}

/// The comparisons reachable in `program` for calls on `arch` (an AUDIT_ARCH value); with
/// `nr` `None` the number is unknown too (so its comparisons are found).
pub fn comparisons(
    program: &Program,
    arch: u32,
    nr: Option<u32>,
) -> Result<BTreeSet<Compare>, EmulatorError> {
    let mut found = BTreeSet::new();
    let mut seen = HashSet::new();
    let mut stack = vec![(0usize, Acc::Unknown)];
    while let Some((pc, acc)) = stack.pop() {
        if !seen.insert((pc, acc)) {
            continue;
        }
        let Some(&insn) = program.insns.get(pc) else {
            return Err(EmulatorError::Invalid {
                pc,
                problem: "control runs past the end of the program".into(),
            });
        };
        let Insn { code, jt, jf, k } = insn;
        let next = pc + 1;
        match code & 0x07 {
            op::RET => {}
            op::LD => {
                let acc = match code & 0xe0 {
                    op::ABS if k == data::ARCH => Acc::Known(arch),
                    op::ABS if k == data::NR => nr.map_or(Acc::Word(k, u32::MAX), Acc::Known),
                    op::ABS => Acc::Word(k, u32::MAX),
                    op::IMM => Acc::Known(k),
                    op::LEN => Acc::Known(data::SIZE),
                    _ => Acc::Unknown,
                };
                stack.push((next, acc));
            }
            op::ALU => {
                let acc = match (acc, code & op::X, code & 0xf0) {
                    (Acc::Known(v), op::K, op::AND) => Acc::Known(v & k),
                    (Acc::Known(v), op::K, op::OR) => Acc::Known(v | k),
                    (Acc::Known(v), op::K, op::ADD) => Acc::Known(v.wrapping_add(k)),
                    (Acc::Known(v), op::K, op::SUB) => Acc::Known(v.wrapping_sub(k)),
                    (Acc::Word(o, m), op::K, op::AND) => Acc::Word(o, m & k),
                    _ => Acc::Unknown,
                };
                stack.push((next, acc));
            }
            op::JMP if code & 0xf0 == op::JA => stack.push((next + k as usize, acc)),
            op::JMP => {
                let (t, f) = (next + usize::from(jt), next + usize::from(jf));
                let jump = code & 0xf0;
                let taken = match (acc, code & op::X) {
                    (Acc::Known(v), op::K) => match jump {
                        op::JEQ => Some(v == k),
                        op::JGT => Some(v > k),
                        op::JGE => Some(v >= k),
                        op::JSET => Some(v & k != 0),
                        _ => None,
                    },
                    (Acc::Word(offset, mask), op::K) => {
                        found.insert(Compare {
                            offset,
                            mask,
                            jump,
                            k,
                        });
                        None
                    }
                    _ => None,
                };
                match taken {
                    Some(true) => stack.push((t, acc)),
                    Some(false) => stack.push((f, acc)),
                    None => {
                        stack.push((t, acc));
                        stack.push((f, acc));
                    }
                }
            }
            op::MISC if code & 0xf8 == op::TXA => stack.push((next, Acc::Unknown)),
            // LDX, ST, STX, TAX: the accumulator is unchanged.
            _ => stack.push((next, acc)),
        }
    }
    Ok(found)
}

/// Values of a word that reach every side of the comparisons made on it.
fn probe_values(compares: &[&Compare]) -> BTreeSet<u32> {
    let mut values = BTreeSet::from([0u32]);
    for c in compares {
        let low_bit = |m: u32| m & m.wrapping_neg();
        match c.jump {
            op::JSET => {
                values.insert(c.k & c.mask);
                values.insert(low_bit(c.k & c.mask));
            }
            // Both neighbours, so `< k`, `!= k` and `<= k` get different answers.
            op::JGT | op::JGE => {
                values.insert(c.k.wrapping_sub(1));
                values.insert(c.k);
                values.insert(c.k.wrapping_add(1));
            }
            _ if c.mask == u32::MAX => {
                values.insert(c.k);
                values.insert(c.k ^ 1);
            }
            _ => {
                values.insert(c.k);
                values.insert(c.k ^ low_bit(c.mask));
            }
        }
    }
    values
}

/// One probe: the words of `seccomp_data` beyond nr and arch (offset → value; absent
/// words are 0).
pub type Probe = BTreeMap<u32, u32>;

/// Most probes per (ABI, nr); beyond it each word varies alone.
const MAX_PROBES: usize = 4096;

/// The probes for one (arch, nr) from the comparisons the programs make there. On ILP32
/// ABIs argument high words stay 0, as the kernel passes them.
fn probes(compares: &BTreeSet<Compare>, is_32bit: bool) -> Vec<Probe> {
    let mut by_word: BTreeMap<u32, Vec<&Compare>> = BTreeMap::new();
    for c in compares {
        let hi_word = c.offset >= 16 && (c.offset - 16) % 8 == 4;
        if c.offset == data::NR || c.offset == data::ARCH || (is_32bit && hi_word) {
            continue;
        }
        by_word.entry(c.offset).or_default().push(c);
    }
    let words: Vec<(u32, Vec<u32>)> = by_word
        .iter()
        .map(|(w, cs)| (*w, probe_values(cs).into_iter().collect()))
        .collect();
    let total = words
        .iter()
        .try_fold(1usize, |n, (_, vs)| n.checked_mul(vs.len()));
    let mut out = vec![Probe::new()];
    match total {
        Some(n) if n <= MAX_PROBES => {
            for (w, vs) in &words {
                out = out
                    .iter()
                    .flat_map(|p| {
                        vs.iter().map(move |v| {
                            let mut p = p.clone();
                            if *v != 0 {
                                p.insert(*w, *v);
                            }
                            p
                        })
                    })
                    .collect();
            }
        }
        _ => {
            for (w, vs) in &words {
                out.extend(
                    vs.iter()
                        .filter(|v| **v != 0)
                        .map(|v| Probe::from([(*w, *v)])),
                );
            }
        }
    }
    out
}

/// The value the kernel acts on when `rets` (newest filter first) answer one call: the
/// strongest action (smallest as a signed number: KILL_PROCESS first), the newest filter
/// winning ties, as kernel/seccomp.c's seccomp_run_filters.
pub fn combine(rets: &[u32]) -> u32 {
    let action = |r: u32| (r & 0xffff_0000) as i32;
    let mut ret = 0x7fff_0000u32;
    for &r in rets {
        if action(r) < action(ret) {
            ret = r;
        }
    }
    ret
}

/// A row of the decision table: one call and the value the filters answer.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Decision {
    /// The AUDIT_ARCH value.
    pub arch: u32,
    /// The syscall number.
    pub nr: u32,
    /// The argument words, when the answer depends on them.
    pub probe: Probe,
    /// The combined SECCOMP_RET_* value.
    pub ret: u32,
}

/// An AUDIT_ARCH value that no ABI has: what a filter answers for foreign ABIs.
pub const FOREIGN_ARCH: u32 = 0;

/// A syscall number no ABI has (below x32's bit 30): what a filter answers for calls it
/// does not name, its default.
pub const UNNAMED_NR: u32 = 0x3fff_0000;

/// One call to ask a stack about: (AUDIT_ARCH value, nr, argument words).
pub type Call = (u32, u32, Probe);

/// The calls to probe where any of `programs` compares: every (ABI, nr) the knowledge
/// base names, the numbers compared, a number no ABI has, a foreign ABI, and for each, the
/// argument values compared and their neighbours.
pub fn calls(programs: &[&Program]) -> Result<Vec<Call>, EmulatorError> {
    let mut arches: BTreeSet<u32> = Arch::ALL.iter().map(|a| a.audit_arch()).collect();
    arches.insert(FOREIGN_ARCH);
    let mut out = Vec::new();
    for &arch in &arches {
        let mut nrs: BTreeSet<u32> = Arch::ALL
            .iter()
            .filter(|a| a.audit_arch() == arch)
            .flat_map(|a| a.table().entries().iter().map(|s| s.nr).chain(holes(*a)))
            .collect();
        nrs.insert(UNNAMED_NR);
        if arch == FOREIGN_ARCH {
            nrs.insert(0);
        }
        for p in programs {
            let on_nr: Vec<Compare> = comparisons(p, arch, None)?
                .into_iter()
                .filter(|c| c.offset == data::NR && c.mask == u32::MAX)
                .collect();
            let refs: Vec<&Compare> = on_nr.iter().collect();
            nrs.extend(probe_values(&refs));
        }
        for &nr in &nrs {
            let mut compares = BTreeSet::new();
            for p in programs {
                compares.extend(comparisons(p, arch, Some(nr))?);
            }
            let is_32bit = Arch::from_audit(arch, nr).is_some_and(Arch::is_32bit);
            out.extend(
                probes(&compares, is_32bit)
                    .into_iter()
                    .map(|p| (arch, nr, p)),
            );
        }
    }
    Ok(out)
}

/// The numbers between an ABI's first and last syscall that name none: what a filter
/// answers there is its default (numbers above the last may get a stub's ENOSYS).
pub fn holes(arch: Arch) -> Vec<u32> {
    let named: BTreeSet<u32> = arch.table().entries().iter().map(|s| s.nr).collect();
    let (Some(&first), Some(&last)) = (named.first(), named.last()) else {
        return Vec::new();
    };
    (first..last).filter(|n| !named.contains(n)).collect()
}

/// What the stack `filters` (newest first) answers for each of `calls`.
pub fn decide(filters: &[&Program], calls: &[Call]) -> Result<Vec<Decision>, EmulatorError> {
    calls
        .iter()
        .map(|(arch, nr, probe)| {
            let input = seccomp_data(*arch, *nr, probe);
            let mut rets = Vec::with_capacity(filters.len());
            for f in filters {
                rets.push(seccomp::run(f, &input)?.ret);
            }
            Ok(Decision {
                arch: *arch,
                nr: *nr,
                probe: probe.clone(),
                ret: combine(&rets),
            })
        })
        .collect()
}

/// The decision table of `filters` (newest first), probed where any of `probe_from`
/// compares (pass the same programs, or the union of two stacks to compare them).
pub fn table(
    filters: &[&Program],
    probe_from: &[&Program],
) -> Result<Vec<Decision>, EmulatorError> {
    decide(filters, &calls(probe_from)?)
}

/// The `seccomp_data` of a probe.
pub fn seccomp_data(arch: u32, nr: u32, probe: &Probe) -> SeccompData {
    let mut d = SeccompData {
        nr,
        arch,
        ..SeccompData::default()
    };
    for (&offset, &v) in probe {
        match offset {
            8 => d.instruction_pointer = (d.instruction_pointer & !0xffff_ffff) | u64::from(v),
            12 => {
                d.instruction_pointer = (d.instruction_pointer & 0xffff_ffff) | u64::from(v) << 32
            }
            o if (16..64).contains(&o) => {
                let i = ((o - 16) / 8) as usize;
                if (o - 16) % 8 == 0 {
                    d.args[i] = (d.args[i] & !0xffff_ffff) | u64::from(v);
                } else {
                    d.args[i] = (d.args[i] & 0xffff_ffff) | u64::from(v) << 32;
                }
            }
            _ => {}
        }
    }
    d
}

/// A stack's fingerprint: 16 hex digits of the FNV-1a hash of its canonical decision
/// table, so that stacks deciding alike share it whatever constants they compare on the
/// way: only the numbers every table probes count (named ones, the holes between them, a
/// number none has, a foreign ABI), and argument values that decide alike are merged into
/// one (the smallest), so a redundant comparison or another compiler's search changes
/// nothing.
pub fn fingerprint(filters: &[&Program]) -> Result<String, EmulatorError> {
    let rows = canonical(table(filters, filters)?);
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |v: u32| {
        for b in v.to_le_bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    };
    for r in &rows {
        eat(r.arch);
        eat(r.nr);
        eat(r.probe.len() as u32);
        for (w, v) in &r.probe {
            eat(*w);
            eat(*v);
        }
        eat(r.ret);
    }
    Ok(format!("{h:016x}"))
}

/// The (AUDIT_ARCH, nr) calls every table probes, whatever the programs compare.
fn universe() -> HashSet<(u32, u32)> {
    let mut calls: HashSet<(u32, u32)> = Arch::ALL
        .iter()
        .flat_map(|a| {
            let arch = a.audit_arch();
            a.table()
                .entries()
                .iter()
                .map(|s| s.nr)
                .chain(holes(*a))
                .chain([UNNAMED_NR])
                .map(move |nr| (arch, nr))
        })
        .collect();
    calls.insert((FOREIGN_ARCH, 0));
    calls.insert((FOREIGN_ARCH, UNNAMED_NR));
    calls
}

/// The table with program-specific numbers dropped and, per call, argument values that
/// decide alike merged (see [`fingerprint`]).
pub fn canonical(rows: Vec<Decision>) -> Vec<Decision> {
    let universe = universe();
    let mut groups: BTreeMap<(u32, u32), Vec<Decision>> = BTreeMap::new();
    for r in rows
        .into_iter()
        .filter(|r| universe.contains(&(r.arch, r.nr)))
    {
        groups.entry((r.arch, r.nr)).or_default().push(r);
    }
    groups.into_values().flat_map(merge_alike_values).collect()
}

/// One call's rows with argument values that give the same answers merged. Only a full
/// grid (every combination of every word's values probed) is merged; others are kept.
fn merge_alike_values(rows: Vec<Decision>) -> Vec<Decision> {
    if rows.len() < 2 {
        return rows;
    }
    let words: Vec<u32> = rows
        .iter()
        .flat_map(|r| r.probe.keys().copied())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let value = |r: &Decision, w: u32| r.probe.get(&w).copied().unwrap_or(0);
    let mut values: Vec<Vec<u32>> = words
        .iter()
        .map(|&w| {
            rows.iter()
                .map(|r| value(r, w))
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect()
        })
        .collect();
    let grid: BTreeMap<Vec<u32>, u32> = rows
        .iter()
        .map(|r| (words.iter().map(|&w| value(r, w)).collect(), r.ret))
        .collect();
    if grid.len() != rows.len() || values.iter().map(Vec::len).product::<usize>() != grid.len() {
        return rows;
    }
    let (arch, nr) = (rows[0].arch, rows[0].nr);
    // Merge until no word has two values deciding alike on every combination of the rest.
    loop {
        let mut changed = false;
        for i in 0..words.len() {
            let others = combinations(&values, i);
            let column = |v: u32| -> Vec<u32> {
                others
                    .iter()
                    .map(|c| {
                        let mut c = c.clone();
                        c[i] = v;
                        grid[&c]
                    })
                    .collect()
            };
            let mut seen: Vec<Vec<u32>> = Vec::new();
            let before = values[i].len();
            values[i].retain(|&v| {
                let col = column(v);
                if seen.contains(&col) {
                    false
                } else {
                    seen.push(col);
                    true
                }
            });
            changed |= values[i].len() != before;
        }
        if !changed {
            break;
        }
    }
    combinations(&values, usize::MAX)
        .into_iter()
        .map(|c| Decision {
            arch,
            nr,
            probe: words
                .iter()
                .zip(&c)
                .filter(|(_, v)| **v != 0)
                .map(|(w, v)| (*w, *v))
                .collect(),
            ret: grid[&c],
        })
        .collect()
}

/// Every combination of one value per word (word `skip`'s taken as its first value).
fn combinations(values: &[Vec<u32>], skip: usize) -> Vec<Vec<u32>> {
    let mut out = vec![Vec::new()];
    for (i, vs) in values.iter().enumerate() {
        let choices: &[u32] = if i == skip { &vs[..1] } else { vs };
        out = out
            .into_iter()
            .flat_map(|c| {
                choices.iter().map(move |v| {
                    let mut c = c.clone();
                    c.push(*v);
                    c
                })
            })
            .collect();
    }
    out
}

/// Whether two stacks decide alike on every call either of them distinguishes.
pub fn same_decisions(a: &[&Program], b: &[&Program]) -> Result<bool, EmulatorError> {
    Ok(differences(a, b, 1)?.is_empty())
}

/// The first rows where two stacks decide differently (at most `limit`), for reports.
pub fn differences(
    a: &[&Program],
    b: &[&Program],
    limit: usize,
) -> Result<Vec<(Decision, u32)>, EmulatorError> {
    let both: Vec<&Program> = a.iter().chain(b).copied().collect();
    let calls = calls(&both)?;
    let (ta, tb) = (decide(a, &calls)?, decide(b, &calls)?);
    Ok(ta
        .into_iter()
        .zip(tb)
        .filter(|(x, y)| x.ret != y.ret)
        .map(|(x, y)| (x, y.ret))
        .take(limit)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use policy::{Action, CmpOp, Policy, Rule};

    fn compiled(p: &Policy) -> Program {
        seccomp::compile(p, &seccomp::Target::for_policy(p)).unwrap()
    }

    fn policy(rules: Vec<Rule>) -> Policy {
        let mut p = Policy::new(Action::Errno(1), vec![Arch::X86_64, Arch::I386]);
        p.rules = rules;
        p
    }

    #[test]
    fn the_newest_filter_wins_ties_and_the_strongest_action_wins() {
        assert_eq!(combine(&[0x7fff_0000, 0x0005_0001]), 0x0005_0001);
        assert_eq!(combine(&[0x0005_0002, 0x0005_0001]), 0x0005_0002);
        assert_eq!(combine(&[0x0005_0001, 0x8000_0000]), 0x8000_0000);
        assert_eq!(combine(&[0x0000_0000, 0x0003_0000]), 0);
    }

    #[test]
    fn equal_decisions_share_a_fingerprint_whatever_the_order_of_rules() {
        let a = policy(vec![
            Rule::new("read", Action::Allow),
            Rule::new("write", Action::Allow),
            Rule::new("personality", Action::Allow).with(0, CmpOp::Eq, 8),
        ]);
        let mut b = a.clone();
        b.rules.reverse();
        let (pa, pb) = (compiled(&a), compiled(&b));
        assert_eq!(fingerprint(&[&pa]).unwrap(), fingerprint(&[&pb]).unwrap());
        assert!(same_decisions(&[&pa], &[&pb]).unwrap());
    }

    #[test]
    fn a_comparison_that_changes_no_decision_leaves_the_fingerprint() {
        let a = policy(vec![Rule::new("personality", Action::Allow).with(
            0,
            CmpOp::Eq,
            8,
        )]);
        // Denying arg0 == 9 with the default's answer decides nothing new.
        let b = policy(vec![
            Rule::new("personality", Action::Allow).with(0, CmpOp::Eq, 8),
            Rule::new("personality", Action::Errno(1)).with(0, CmpOp::Eq, 9),
        ]);
        let (pa, pb) = (compiled(&a), compiled(&b));
        assert_ne!(pa, pb, "the programs differ");
        assert!(same_decisions(&[&pa], &[&pb]).unwrap());
        assert_eq!(fingerprint(&[&pa]).unwrap(), fingerprint(&[&pb]).unwrap());
    }

    #[test]
    fn a_linear_chain_and_a_binary_search_deciding_alike_share_a_fingerprint() {
        let mut p = Policy::new(Action::Errno(1), vec![Arch::X86_64]);
        p.rules = vec![
            Rule::new("read", Action::Allow),
            Rule::new("write", Action::Allow),
        ];
        let searched = compiled(&p);
        let x32_answer = seccomp::run(
            &searched,
            &SeccompData::new(Arch::X32, Arch::X32.table().entries()[0].nr, [0; 6]),
        )
        .unwrap()
        .ret;
        let nr = |name: &str| Arch::X86_64.table().lookup_name(name).unwrap().nr;
        let jeq = |k: u32, jt: u8, jf: u8| Insn::jump(op::JMP | op::JEQ | op::K, k, jt, jf);
        let linear = Program {
            insns: vec![
                Insn::load(data::ARCH),
                jeq(Arch::X86_64.audit_arch(), 1, 0),
                Insn::ret(Action::KillProcess.to_ret()),
                Insn::load(data::NR),
                Insn::jump(op::JMP | op::JGE | op::K, 0x4000_0000, 3, 0),
                jeq(nr("read"), 3, 0),
                jeq(nr("write"), 2, 0),
                Insn::ret(Action::Errno(1).to_ret()),
                Insn::ret(x32_answer),
                Insn::ret(Action::Allow.to_ret()),
            ],
        };
        assert!(same_decisions(&[&searched], &[&linear]).unwrap());
        assert_eq!(
            fingerprint(&[&searched]).unwrap(),
            fingerprint(&[&linear]).unwrap()
        );
    }

    #[test]
    fn an_argument_value_changes_the_fingerprint() {
        let a = policy(vec![Rule::new("personality", Action::Allow).with(
            0,
            CmpOp::Eq,
            8,
        )]);
        let b = policy(vec![Rule::new("personality", Action::Allow).with(
            0,
            CmpOp::Eq,
            9,
        )]);
        let (pa, pb) = (compiled(&a), compiled(&b));
        assert_ne!(fingerprint(&[&pa]).unwrap(), fingerprint(&[&pb]).unwrap());
        assert!(!same_decisions(&[&pa], &[&pb]).unwrap());
        let d = differences(&[&pa], &[&pb], 10).unwrap();
        assert!(!d.is_empty());
    }

    #[test]
    fn a_stack_decides_as_its_strongest_member() {
        let allow_all = policy(vec![]).clone();
        let mut allow_all = allow_all;
        allow_all.default_action = Action::Allow;
        let deny_read = {
            let mut p = allow_all.clone();
            p.rules = vec![Rule::new("read", Action::Errno(13))];
            p
        };
        let (a, d) = (compiled(&allow_all), compiled(&deny_read));
        assert!(same_decisions(&[&a, &d], &[&d]).unwrap());
        assert!(!same_decisions(&[&a], &[&d]).unwrap());
    }
}
