//! A readable listing of a filter program: one line per instruction, jump targets as
//! absolute line numbers, seccomp_data fields, ABIs and actions named.

use crate::bpf::{Insn, Program, data, op};
use policy::Action;
use std::fmt::Write;
use syscalls::Arch;

/// The listing of `program`, one instruction per line, newline-terminated.
pub fn disassemble(program: &Program) -> String {
    let mut out = String::new();
    for (pc, insn) in program.insns.iter().enumerate() {
        let (text, note) = describe(pc, insn);
        let line = if note.is_empty() {
            format!("{pc:04}  {text}")
        } else {
            format!("{pc:04}  {text:<36} ; {note}")
        };
        let _ = writeln!(out, "{}", line.trim_end());
    }
    out
}

fn field(offset: u32) -> String {
    match offset {
        data::NR => "nr".to_string(),
        data::ARCH => "arch".to_string(),
        8 => "ip.lo".to_string(),
        12 => "ip.hi".to_string(),
        o if (16..64).contains(&o) => {
            let i = (o - 16) / 8;
            let half = if (o - 16) % 8 == 0 { "lo" } else { "hi" };
            format!("args[{i}].{half}")
        }
        o => format!("{o}"),
    }
}

fn arch_note(k: u32) -> String {
    Arch::ALL
        .iter()
        .filter(|a| **a != Arch::X32)
        .find(|a| a.audit_arch() == k)
        .map(|a| format!("AUDIT_ARCH_{}", a.name().to_ascii_uppercase()))
        .unwrap_or_default()
}

fn describe(pc: usize, insn: &Insn) -> (String, String) {
    let Insn { code, jt, jf, k } = *insn;
    let target = |off: u32| pc + 1 + off as usize;
    match code & 0x07 {
        op::LD | op::LDX => {
            let reg = if code & 0x07 == op::LD { "ld " } else { "ldx" };
            match code & 0xe0 {
                op::ABS => (format!("{reg}  [{k}]"), field(k)),
                op::IMM => (format!("{reg}  #{k:#x}"), String::new()),
                op::MEM => (format!("{reg}  M[{k}]"), String::new()),
                op::LEN => (format!("{reg}  #len"), String::new()),
                _ => (
                    format!(".word {code:#06x} {jt} {jf} {k:#x}"),
                    "invalid".into(),
                ),
            }
        }
        op::ST => (format!("st   M[{k}]"), String::new()),
        op::STX => (format!("stx  M[{k}]"), String::new()),
        op::ALU => {
            let name = match code & 0xf0 {
                op::ADD => "add",
                op::SUB => "sub",
                op::MUL => "mul",
                op::DIV => "div",
                op::MOD => "mod",
                op::OR => "or",
                op::AND => "and",
                op::XOR => "xor",
                op::LSH => "lsh",
                op::RSH => "rsh",
                op::NEG => return ("neg".into(), String::new()),
                _ => "alu?",
            };
            let src = if code & op::X != 0 {
                "x".to_string()
            } else {
                format!("#{k:#x}")
            };
            (format!("{name:<4} {src}"), String::new())
        }
        op::JMP => {
            let name = match code & 0xf0 {
                op::JA => return (format!("ja   {:04}", target(k)), String::new()),
                op::JEQ => "jeq",
                op::JGT => "jgt",
                op::JGE => "jge",
                op::JSET => "jset",
                _ => "jmp?",
            };
            let src = if code & op::X != 0 {
                "x".to_string()
            } else {
                format!("#{k:#x}")
            };
            (
                format!(
                    "{name:<4} {src:<12} jt {:04} jf {:04}",
                    target(u32::from(jt)),
                    target(u32::from(jf))
                ),
                arch_note(k),
            )
        }
        op::RET => {
            if code & 0x18 == op::A {
                return ("ret  a".into(), String::new());
            }
            let note = Action::from_ret(k)
                .map(|a| a.to_string())
                .unwrap_or_else(|| "unknown action".into());
            (format!("ret  #{k:#010x}"), note)
        }
        _ => match code & 0xf8 {
            op::TAX => ("tax".into(), String::new()),
            op::TXA => ("txa".into(), String::new()),
            _ => (
                format!(".word {code:#06x} {jt} {jf} {k:#x}"),
                "invalid".into(),
            ),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_fields_targets_and_actions() {
        let p = Program {
            insns: vec![
                Insn::load(data::ARCH),
                Insn::jump(op::JMP | op::JEQ | op::K, 0xc000_003e, 1, 0),
                Insn::ret(0x8000_0000),
                Insn::load(data::arg_hi(2)),
                Insn::ret(0x7fff_0000),
            ],
        };
        let text = disassemble(&p);
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].ends_with("; arch"), "{text}");
        assert!(lines[1].contains("jt 0003 jf 0002") && lines[1].contains("AUDIT_ARCH_X86_64"));
        assert!(lines[2].ends_with("; kill_process"));
        assert!(lines[3].ends_with("; args[2].hi"));
        assert!(lines[4].ends_with("; allow"));
    }
}
