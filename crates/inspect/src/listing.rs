//! The listing `dump` prints: the disassembler's, with each comparison of the syscall
//! number named as a syscall of the ABIs whose paths reach it (`; x86_64: openat`).

use crate::decisions::FOREIGN_ARCH;
use seccomp::bpf::{Insn, data, op};
use seccomp::{Program, disasm};
use std::collections::{BTreeMap, BTreeSet, HashSet};
use syscalls::Arch;

/// The listing of `program` with syscall names on the number comparisons.
pub fn disassemble_named(program: &Program) -> String {
    let notes = nr_compares(program);
    let mut out = String::new();
    for (pc, line) in disasm::disassemble(program).lines().enumerate() {
        let names = notes
            .get(&pc)
            .map(|arches| name_note(program.insns[pc], arches));
        match names {
            Some(n) if !n.is_empty() => {
                let sep = if line.contains(" ; ") { ", " } else { " ; " };
                let padded = if line.contains(" ; ") {
                    line.to_string()
                } else {
                    format!("{line:<42}")
                };
                out.push_str(&format!("{padded}{sep}{n}\n"));
            }
            _ => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    out
}

/// `x86_64: read` or `x86_64: read, i386: restart_syscall`; `x86_64: >= getpid` for a
/// range jump (the names of the number compared).
fn name_note(insn: Insn, arches: &BTreeSet<u32>) -> String {
    let names: Vec<String> = Arch::ALL
        .iter()
        .filter(|a| arches.contains(&a.audit_arch()))
        .filter_map(|a| {
            let nr = insn.k;
            // x32's numbers carry bit 30; under the x86_64 arch value the number decides.
            let belongs = Arch::from_audit(a.audit_arch(), nr) == Some(*a);
            let s = a.table().lookup_nr(nr).filter(|_| belongs)?;
            let relation = match insn.code & 0xf0 {
                op::JGE => ">= ",
                op::JGT => "> ",
                op::JSET => "& ",
                _ => "",
            };
            Some(format!("{}: {relation}{}", a.name(), s.name))
        })
        .collect();
    names.join(", ")
}

/// For each jump on the syscall number, the AUDIT_ARCH values under which it is reached.
fn nr_compares(program: &Program) -> BTreeMap<usize, BTreeSet<u32>> {
    let mut out: BTreeMap<usize, BTreeSet<u32>> = BTreeMap::new();
    let mut arches: BTreeSet<u32> = Arch::ALL.iter().map(|a| a.audit_arch()).collect();
    arches.insert(FOREIGN_ARCH);
    for arch in arches {
        // The accumulator: Some(true) holds nr, Some(false) something else known or not.
        let mut seen = HashSet::new();
        let mut stack = vec![(0usize, None::<u32>, false)];
        while let Some((pc, known, is_nr)) = stack.pop() {
            if !seen.insert((pc, known, is_nr)) {
                continue;
            }
            let Some(&insn) = program.insns.get(pc) else {
                continue;
            };
            let Insn { code, jt, jf, k } = insn;
            let next = pc + 1;
            match code & 0x07 {
                op::RET => {}
                op::LD => {
                    let state = match (code & 0xe0, k) {
                        (op::ABS, data::NR) => (None, true),
                        (op::ABS, data::ARCH) => (Some(arch), false),
                        (op::IMM, _) => (Some(k), false),
                        _ => (None, false),
                    };
                    stack.push((next, state.0, state.1));
                }
                op::JMP if code & 0xf0 == op::JA => stack.push((next + k as usize, known, is_nr)),
                op::JMP => {
                    if is_nr && code & op::X == 0 {
                        out.entry(pc).or_default().insert(arch);
                    }
                    let taken = match (known, code & op::X, code & 0xf0) {
                        (Some(v), op::K, op::JEQ) => Some(v == k),
                        (Some(v), op::K, op::JGT) => Some(v > k),
                        (Some(v), op::K, op::JGE) => Some(v >= k),
                        (Some(v), op::K, op::JSET) => Some(v & k != 0),
                        _ => None,
                    };
                    let (t, f) = (next + usize::from(jt), next + usize::from(jf));
                    match taken {
                        Some(true) => stack.push((t, known, is_nr)),
                        Some(false) => stack.push((f, known, is_nr)),
                        None => {
                            stack.push((t, known, is_nr));
                            stack.push((f, known, is_nr));
                        }
                    }
                }
                // ALU and the rest change what the accumulator holds.
                op::ALU | op::MISC => stack.push((next, None, false)),
                _ => stack.push((next, known, is_nr)),
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use policy::{Action, Policy, Rule};

    #[test]
    fn number_comparisons_are_named_per_abi() {
        let mut p = Policy::new(Action::Errno(1), vec![Arch::X86_64, Arch::I386]);
        p.rules = vec![Rule::new("openat", Action::Allow)];
        let program = seccomp::compile(&p, &seccomp::Target::for_policy(&p)).unwrap();
        let text = disassemble_named(&program);
        let x = Arch::X86_64.table().lookup_name("openat").unwrap().nr;
        let i = Arch::I386.table().lookup_name("openat").unwrap().nr;
        let named = |nr: u32, abi: &str| {
            text.lines().any(|l| {
                l.contains(&format!("#{nr:#x} "))
                    && l.contains(&format!("{abi}: "))
                    && l.ends_with("openat")
            })
        };
        assert!(named(x, "x86_64") && named(i, "i386"), "{text}");
    }
}
