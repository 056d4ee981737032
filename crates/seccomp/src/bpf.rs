//! Classic BPF as seccomp uses it: instructions, opcodes, programs and their byte form.

use std::fmt;

/// One classic BPF instruction (`struct sock_filter`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Insn {
    /// Opcode: class | size/op | mode/source.
    pub code: u16,
    /// Jump offset when the condition holds.
    pub jt: u8,
    /// Jump offset when it does not.
    pub jf: u8,
    /// The constant operand.
    pub k: u32,
}

/// Opcode parts (linux/bpf_common.h), named as there without the `BPF_` prefix.
pub mod op {
    /// `BPF_LD`.
    pub const LD: u16 = 0x00;
    /// `BPF_LDX`.
    pub const LDX: u16 = 0x01;
    /// `BPF_ST`.
    pub const ST: u16 = 0x02;
    /// `BPF_STX`.
    pub const STX: u16 = 0x03;
    /// `BPF_ALU`.
    pub const ALU: u16 = 0x04;
    /// `BPF_JMP`.
    pub const JMP: u16 = 0x05;
    /// `BPF_RET`.
    pub const RET: u16 = 0x06;
    /// `BPF_MISC`.
    pub const MISC: u16 = 0x07;
    /// `BPF_W`.
    pub const W: u16 = 0x00;
    /// `BPF_IMM`.
    pub const IMM: u16 = 0x00;
    /// `BPF_ABS`.
    pub const ABS: u16 = 0x20;
    /// `BPF_MEM`.
    pub const MEM: u16 = 0x60;
    /// `BPF_LEN`.
    pub const LEN: u16 = 0x80;
    /// `BPF_ADD`.
    pub const ADD: u16 = 0x00;
    /// `BPF_SUB`.
    pub const SUB: u16 = 0x10;
    /// `BPF_MUL`.
    pub const MUL: u16 = 0x20;
    /// `BPF_DIV`.
    pub const DIV: u16 = 0x30;
    /// `BPF_OR`.
    pub const OR: u16 = 0x40;
    /// `BPF_AND`.
    pub const AND: u16 = 0x50;
    /// `BPF_LSH`.
    pub const LSH: u16 = 0x60;
    /// `BPF_RSH`.
    pub const RSH: u16 = 0x70;
    /// `BPF_NEG`.
    pub const NEG: u16 = 0x80;
    /// `BPF_MOD`.
    pub const MOD: u16 = 0x90;
    /// `BPF_XOR`.
    pub const XOR: u16 = 0xa0;
    /// `BPF_JA`.
    pub const JA: u16 = 0x00;
    /// `BPF_JEQ`.
    pub const JEQ: u16 = 0x10;
    /// `BPF_JGT`.
    pub const JGT: u16 = 0x20;
    /// `BPF_JGE`.
    pub const JGE: u16 = 0x30;
    /// `BPF_JSET`.
    pub const JSET: u16 = 0x40;
    /// `BPF_K`.
    pub const K: u16 = 0x00;
    /// `BPF_X`.
    pub const X: u16 = 0x08;
    /// `BPF_A`.
    pub const A: u16 = 0x10;
    /// `BPF_TAX`.
    pub const TAX: u16 = 0x00;
    /// `BPF_TXA`.
    pub const TXA: u16 = 0x80;
}

/// Offsets in `struct seccomp_data`.
pub mod data {
    /// `nr`: the syscall number.
    pub const NR: u32 = 0;
    /// `arch`: the `AUDIT_ARCH_*` value.
    pub const ARCH: u32 = 4;
    /// `instruction_pointer` (64 bits).
    pub const IP: u32 = 8;
    /// Low 32 bits of argument `i` (little-endian ABIs).
    pub fn arg_lo(i: u8) -> u32 {
        16 + 8 * u32::from(i)
    }
    /// High 32 bits of argument `i` (little-endian ABIs).
    pub fn arg_hi(i: u8) -> u32 {
        arg_lo(i) + 4
    }
    /// Size of `struct seccomp_data`.
    pub const SIZE: u32 = 64;
}

impl Insn {
    /// A non-jump instruction.
    pub const fn stmt(code: u16, k: u32) -> Insn {
        Insn {
            code,
            jt: 0,
            jf: 0,
            k,
        }
    }

    /// A conditional jump.
    pub const fn jump(code: u16, k: u32, jt: u8, jf: u8) -> Insn {
        Insn { code, jt, jf, k }
    }

    /// `ld [offset]`: load a 32-bit word of seccomp_data.
    pub const fn load(offset: u32) -> Insn {
        Insn::stmt(op::LD | op::W | op::ABS, offset)
    }

    /// `ret #value`.
    pub const fn ret(value: u32) -> Insn {
        Insn::stmt(op::RET | op::K, value)
    }

    /// `ja +offset`.
    pub const fn ja(offset: u32) -> Insn {
        Insn::stmt(op::JMP | op::JA, offset)
    }

    /// Whether this is `ret #k`.
    pub fn is_ret_k(&self) -> bool {
        self.code == op::RET | op::K
    }

    /// Whether this is a conditional jump.
    pub fn is_cond_jump(&self) -> bool {
        self.code & 0x07 == op::JMP && self.code & 0xf0 != op::JA
    }

    /// Whether the kernel's action cache can evaluate this instruction (it only follows
    /// loads of nr/arch, constant compares, `ja`, `and #k` and `ret #k`).
    pub fn cache_evaluable(&self) -> bool {
        match self.code {
            c if c == op::LD | op::W | op::ABS => self.k == data::NR || self.k == data::ARCH,
            c if c == op::JMP | op::JA => true,
            c if c == op::JMP | op::JEQ | op::K
                || c == op::JMP | op::JGE | op::K
                || c == op::JMP | op::JGT | op::K
                || c == op::JMP | op::JSET | op::K =>
            {
                true
            }
            c if c == op::ALU | op::AND | op::K => true,
            c if c == op::RET | op::K => true,
            _ => false,
        }
    }
}

/// A complete filter program.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Program {
    /// The instructions, executed from the first.
    pub insns: Vec<Insn>,
}

/// Most instructions the kernel accepts in one filter (`BPF_MAXINSNS`).
pub const MAX_INSNS: usize = 4096;

/// The error for a byte string that is not a whole number of instructions.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{len} bytes is not a BPF program: a program is a non-empty sequence of 8-byte instructions (at most 4096)"
)]
pub struct BadProgramBytes {
    /// The length of the input.
    pub len: usize,
}

impl Program {
    /// Number of instructions.
    pub fn len(&self) -> usize {
        self.insns.len()
    }

    /// Whether the program has no instruction (the kernel refuses such a filter).
    pub fn is_empty(&self) -> bool {
        self.insns.is_empty()
    }

    /// The `sock_filter[]` bytes, little endian, 8 bytes each (`bwrap --seccomp FD` reads this).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.insns.len() * 8);
        for i in &self.insns {
            out.extend_from_slice(&i.code.to_le_bytes());
            out.push(i.jt);
            out.push(i.jf);
            out.extend_from_slice(&i.k.to_le_bytes());
        }
        out
    }

    /// Parses `sock_filter[]` bytes as written by `to_bytes` (or libseccomp's export).
    pub fn from_bytes(bytes: &[u8]) -> Result<Program, BadProgramBytes> {
        if bytes.is_empty() || !bytes.len().is_multiple_of(8) || bytes.len() / 8 > MAX_INSNS {
            return Err(BadProgramBytes { len: bytes.len() });
        }
        let insns = bytes
            .chunks_exact(8)
            .map(|c| Insn {
                code: u16::from_le_bytes([c[0], c[1]]),
                jt: c[2],
                jf: c[3],
                k: u32::from_le_bytes([c[4], c[5], c[6], c[7]]),
            })
            .collect();
        Ok(Program { insns })
    }
}

impl fmt::Display for Program {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&crate::disasm::disassemble(self))
    }
}
