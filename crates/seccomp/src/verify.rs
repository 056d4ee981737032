//! What the kernel refuses to load: the checks `seccomp(SECCOMP_SET_MODE_FILTER)` makes
//! before a filter is installed, all answered with EINVAL. They are, in the kernel's order:
//! the length (`seccomp_prepare_filter`: 1 to 4096 instructions); classic BPF's own checks
//! (`bpf_check_classic`, net/core/filter.c: division by a zero constant, shifts by 32 or
//! more, scratch slots 0-15, jumps that stay inside the program, a return last, no scratch
//! slot read before every path to it has stored it); then seccomp's (`seccomp_check_filter`,
//! kernel/seccomp.c: only the opcodes listed in [`seccomp_allows`], and loads from
//! `seccomp_data` only as aligned 32-bit words inside its 64 bytes).

use crate::bpf::{Insn, MAX_INSNS, Program, data, op};
use std::fmt;

/// Why the kernel refuses a program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// The instruction at fault, when one is.
    pub pc: Option<usize>,
    /// What the kernel objects to.
    pub reason: String,
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.pc {
            Some(pc) => write!(f, "instruction {pc}: {}", self.reason),
            None => f.write_str(&self.reason),
        }
    }
}

fn reject(pc: Option<usize>, reason: impl Into<String>) -> Rejection {
    Rejection {
        pc,
        reason: reason.into(),
    }
}

/// Checks `program` as the kernel does when it is loaded as a seccomp filter.
pub fn kernel_accepts(program: &Program) -> Result<(), Rejection> {
    let insns = &program.insns;
    if insns.is_empty() || insns.len() > MAX_INSNS {
        return Err(reject(
            None,
            format!(
                "{} instructions: a filter has 1 to {MAX_INSNS}",
                insns.len()
            ),
        ));
    }
    for (pc, insn) in insns.iter().enumerate() {
        classic_check(pc, insn, insns.len()).map_err(|r| reject(Some(pc), r))?;
    }
    let last = insns[insns.len() - 1];
    if last.code != op::RET | op::K && last.code != op::RET | op::A {
        return Err(reject(
            Some(insns.len() - 1),
            "the last instruction is not a return: control could run off the end",
        ));
    }
    scratch_check(insns)?;
    for (pc, insn) in insns.iter().enumerate() {
        seccomp_check(insn).map_err(|r| reject(Some(pc), r))?;
    }
    Ok(())
}

/// `bpf_check_classic`'s checks of one instruction.
fn classic_check(pc: usize, insn: &Insn, len: usize) -> Result<(), String> {
    let Insn { code, jt, jf, k } = *insn;
    let alu = |o: u16| op::ALU | o | op::K;
    match code {
        c if (c == alu(op::DIV) || c == alu(op::MOD)) && k == 0 => {
            Err("division by the constant 0".into())
        }
        c if (c == alu(op::LSH) || c == alu(op::RSH)) && k >= 32 => {
            Err(format!("shift by {k}: at most 31"))
        }
        c if is_scratch_access(c) && k >= 16 => {
            Err(format!("scratch slot {k}: there are 16 (0-15)"))
        }
        c if c == op::JMP | op::JA && u64::from(k) >= (len - pc - 1) as u64 => {
            Err(format!("ja +{k} jumps past the end"))
        }
        c if is_cond_jump(c) && (pc + usize::from(jt.max(jf)) + 1 >= len) => {
            Err(format!("jt +{jt} / jf +{jf}: a branch jumps past the end"))
        }
        _ => Ok(()),
    }
}

/// `ld M[k]`, `ldx M[k]`, `st M[k]`, `stx M[k]`.
fn is_scratch_access(code: u16) -> bool {
    [op::LD | op::MEM, op::LDX | op::MEM, op::ST, op::STX].contains(&code)
}

/// The conditional jumps classic BPF has (against `k` or `x`).
fn is_cond_jump(code: u16) -> bool {
    let base = code & !op::X;
    code & 0x07 == op::JMP
        && code & !0xff == 0
        && [op::JEQ, op::JGT, op::JGE, op::JSET]
            .iter()
            .any(|&j| base == op::JMP | j)
}

/// `check_load_and_stores`: a scratch slot is read only after every path to the read
/// stored it (the kernel's linear pass: a jump target keeps only the slots valid on
/// every jump to it and on the fall-through into it).
fn scratch_check(insns: &[Insn]) -> Result<(), Rejection> {
    let mut masks = vec![u16::MAX; insns.len()];
    let mut valid: u16 = 0;
    for (pc, insn) in insns.iter().enumerate() {
        valid &= masks[pc];
        let slot = 1u16 << (insn.k & 15);
        match insn.code {
            c if c == op::ST || c == op::STX => valid |= slot,
            c if (c == op::LD | op::MEM || c == op::LDX | op::MEM) && valid & slot == 0 => {
                return Err(reject(
                    Some(pc),
                    format!("scratch slot {} is read before it is stored", insn.k),
                ));
            }
            c if c == op::JMP | op::JA => {
                masks[pc + 1 + insn.k as usize] &= valid;
                valid = u16::MAX;
            }
            c if is_cond_jump(c) => {
                masks[pc + 1 + usize::from(insn.jt)] &= valid;
                masks[pc + 1 + usize::from(insn.jf)] &= valid;
                valid = u16::MAX;
            }
            _ => {}
        }
    }
    Ok(())
}

/// `seccomp_check_filter`'s check of one instruction.
fn seccomp_check(insn: &Insn) -> Result<(), String> {
    if insn.code == op::LD | op::W | op::ABS {
        return if insn.k >= data::SIZE || !insn.k.is_multiple_of(4) {
            Err(format!(
                "ld [{}]: seccomp_data is read as aligned 32-bit words at offsets 0-60",
                insn.k
            ))
        } else {
            Ok(())
        };
    }
    if seccomp_allows(insn.code) {
        Ok(())
    } else {
        Err(format!(
            "opcode {:#06x} is not one seccomp allows",
            insn.code
        ))
    }
}

/// The opcodes seccomp accepts besides `ld [k]` (whose offset it checks): returns,
/// ALU operations other than `mod`, immediate/length/scratch loads, stores, `tax`/`txa`,
/// and every jump.
pub fn seccomp_allows(code: u16) -> bool {
    let alu_ops = [
        op::ADD,
        op::SUB,
        op::MUL,
        op::DIV,
        op::AND,
        op::OR,
        op::XOR,
        op::LSH,
        op::RSH,
    ];
    let jumps = [op::JEQ, op::JGE, op::JGT, op::JSET];
    let fixed = [
        op::RET | op::K,
        op::RET | op::A,
        op::ALU | op::NEG,
        op::LD | op::W | op::LEN,
        op::LDX | op::W | op::LEN,
        op::LD | op::IMM,
        op::LDX | op::IMM,
        op::MISC | op::TAX,
        op::MISC | op::TXA,
        op::LD | op::MEM,
        op::LDX | op::MEM,
        op::ST,
        op::STX,
        op::JMP | op::JA,
    ];
    fixed.contains(&code)
        || alu_ops
            .iter()
            .any(|&o| code == op::ALU | o | op::K || code == op::ALU | o | op::X)
        || jumps
            .iter()
            .any(|&j| code == op::JMP | j | op::K || code == op::JMP | j | op::X)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prog(insns: Vec<Insn>) -> Program {
        Program { insns }
    }

    #[test]
    fn the_kernels_refusals_are_found() {
        let ret = Insn::ret(0x7fff_0000);
        assert!(kernel_accepts(&prog(vec![ret])).is_ok());
        assert!(kernel_accepts(&prog(vec![])).is_err());
        // No return last, a load past seccomp_data, an unaligned load, a jump past the end.
        assert!(kernel_accepts(&prog(vec![Insn::load(0)])).is_err());
        assert!(kernel_accepts(&prog(vec![Insn::load(64), ret])).is_err());
        assert!(kernel_accepts(&prog(vec![Insn::load(2), ret])).is_err());
        let far = Insn::jump(op::JMP | op::JEQ | op::K, 0, 1, 0);
        assert!(kernel_accepts(&prog(vec![far, ret])).is_err());
        assert!(kernel_accepts(&prog(vec![Insn::ja(1), ret])).is_err());
        // mod is classic BPF but not seccomp's; a scratch slot read before any store.
        let modulo = Insn::stmt(op::ALU | op::MOD | op::K, 3);
        assert!(kernel_accepts(&prog(vec![modulo, ret])).is_err());
        let read = Insn::stmt(op::LD | op::MEM, 2);
        assert!(kernel_accepts(&prog(vec![read, ret])).is_err());
        let store = Insn::stmt(op::ST, 2);
        assert!(kernel_accepts(&prog(vec![store, read, ret])).is_ok());
    }
}
