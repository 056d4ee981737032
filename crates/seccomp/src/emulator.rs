//! Runs a filter program on a `seccomp_data`, as the kernel would, and reports what the run
//! touched: how many instructions, and whether the kernel's action cache could have
//! evaluated the path.

use crate::bpf::{Insn, Program, data, op};
use syscalls::Arch;

/// The input of a filter: `struct seccomp_data`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SeccompData {
    /// The syscall number (x32 numbers carry bit 30).
    pub nr: u32,
    /// The `AUDIT_ARCH_*` value.
    pub arch: u32,
    /// The instruction pointer at the call.
    pub instruction_pointer: u64,
    /// The six argument registers.
    pub args: [u64; 6],
}

impl SeccompData {
    /// A call of syscall `nr` (as the kernel sees it) on `arch` with these arguments.
    pub fn new(arch: Arch, nr: u32, args: [u64; 6]) -> SeccompData {
        SeccompData {
            nr,
            arch: arch.audit_arch(),
            instruction_pointer: 0,
            args,
        }
    }

    /// The 32-bit word at `offset`, as a little-endian machine lays the struct out.
    fn word(&self, offset: u32) -> Option<u32> {
        if !offset.is_multiple_of(4) || offset >= data::SIZE {
            return None;
        }
        let v = match offset {
            0 => self.nr,
            4 => self.arch,
            8 => self.instruction_pointer as u32,
            12 => (self.instruction_pointer >> 32) as u32,
            o => {
                let arg = self.args[((o - 16) / 8) as usize];
                if (o - 16) % 8 == 0 {
                    arg as u32
                } else {
                    (arg >> 32) as u32
                }
            }
        };
        Some(v)
    }
}

/// What one run of a program did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Run {
    /// The value the program returned.
    pub ret: u32,
    /// How many instructions executed, the `ret` included.
    pub executed: usize,
    /// Whether every executed instruction is one the kernel's action cache can evaluate
    /// (so an ALLOW on this path costs nothing per call).
    pub cacheable: bool,
}

/// Why a program could not be run to a return.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmulatorError {
    /// Control left the program or an opcode is invalid.
    #[error("instruction {pc}: {problem}")]
    Invalid {
        /// The faulting instruction's index.
        pc: usize,
        /// What is wrong.
        problem: String,
    },
}

/// Runs `program` on `input`.
pub fn run(program: &Program, input: &SeccompData) -> Result<Run, EmulatorError> {
    let insns = &program.insns;
    let (mut a, mut x) = (0u32, 0u32);
    let mut mem = [0u32; 16];
    let mut pc = 0usize;
    let mut executed = 0usize;
    let mut cacheable = true;
    let bad = |pc: usize, problem: &str| EmulatorError::Invalid {
        pc,
        problem: problem.to_string(),
    };
    loop {
        let Some(&insn) = insns.get(pc) else {
            return Err(bad(pc, "control runs past the end of the program"));
        };
        executed += 1;
        cacheable &= insn.cache_evaluable();
        let Insn { code, jt, jf, k } = insn;
        let mut next = pc + 1;
        match code & 0x07 {
            op::LD => {
                a = match code & 0xe0 {
                    op::ABS => input
                        .word(k)
                        .ok_or_else(|| bad(pc, "load outside seccomp_data"))?,
                    op::IMM => k,
                    op::MEM => *mem
                        .get(k as usize)
                        .ok_or_else(|| bad(pc, "bad scratch slot"))?,
                    op::LEN => data::SIZE,
                    _ => return Err(bad(pc, "unsupported load mode")),
                }
            }
            op::LDX => {
                x = match code & 0xe0 {
                    op::IMM => k,
                    op::MEM => *mem
                        .get(k as usize)
                        .ok_or_else(|| bad(pc, "bad scratch slot"))?,
                    op::LEN => data::SIZE,
                    _ => return Err(bad(pc, "unsupported load mode")),
                }
            }
            op::ST => {
                *mem.get_mut(k as usize)
                    .ok_or_else(|| bad(pc, "bad scratch slot"))? = a
            }
            op::STX => {
                *mem.get_mut(k as usize)
                    .ok_or_else(|| bad(pc, "bad scratch slot"))? = x
            }
            op::ALU => {
                let src = if code & op::X != 0 { x } else { k };
                a = match code & 0xf0 {
                    op::ADD => a.wrapping_add(src),
                    op::SUB => a.wrapping_sub(src),
                    op::MUL => a.wrapping_mul(src),
                    op::DIV => a
                        .checked_div(src)
                        .ok_or_else(|| bad(pc, "division by zero"))?,
                    op::MOD => a
                        .checked_rem(src)
                        .ok_or_else(|| bad(pc, "division by zero"))?,
                    op::OR => a | src,
                    op::AND => a & src,
                    op::XOR => a ^ src,
                    op::LSH => a.checked_shl(src).unwrap_or(0),
                    op::RSH => a.checked_shr(src).unwrap_or(0),
                    op::NEG => a.wrapping_neg(),
                    _ => return Err(bad(pc, "unsupported ALU operation")),
                }
            }
            op::JMP => {
                let src = if code & op::X != 0 { x } else { k };
                let taken = match code & 0xf0 {
                    op::JA => {
                        next = pc + 1 + k as usize;
                        None
                    }
                    op::JEQ => Some(a == src),
                    op::JGT => Some(a > src),
                    op::JGE => Some(a >= src),
                    op::JSET => Some(a & src != 0),
                    _ => return Err(bad(pc, "unsupported jump")),
                };
                if let Some(t) = taken {
                    next = pc + 1 + usize::from(if t { jt } else { jf });
                }
            }
            op::RET => {
                let ret = match code & 0x18 {
                    op::K => k,
                    op::A => a,
                    _ => return Err(bad(pc, "unsupported return source")),
                };
                return Ok(Run {
                    ret,
                    executed,
                    cacheable,
                });
            }
            op::MISC => match code & 0xf8 {
                op::TAX => x = a,
                op::TXA => a = x,
                _ => return Err(bad(pc, "unsupported misc operation")),
            },
            _ => unreachable!("code & 7 has eight values, all matched"),
        }
        pc = next;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_an_arch_check_and_reports_cacheability() {
        let p = Program {
            insns: vec![
                Insn::load(data::ARCH),
                Insn::jump(op::JMP | op::JEQ | op::K, 0xc000_003e, 1, 0),
                Insn::ret(0x8000_0000),
                Insn::load(data::arg_lo(0)),
                Insn::jump(op::JMP | op::JEQ | op::K, 7, 0, 1),
                Insn::ret(0x7fff_0000),
                Insn::ret(0x0005_0001),
            ],
        };
        let r = run(&p, &SeccompData::new(Arch::I386, 1, [0; 6])).unwrap();
        assert_eq!((r.ret, r.executed, r.cacheable), (0x8000_0000, 3, true));
        let r = run(&p, &SeccompData::new(Arch::X86_64, 1, [7, 0, 0, 0, 0, 0])).unwrap();
        assert_eq!((r.ret, r.executed, r.cacheable), (0x7fff_0000, 5, false));
        let r = run(&p, &SeccompData::new(Arch::X86_64, 1, [8, 0, 0, 0, 0, 0])).unwrap();
        assert_eq!(r.ret, 0x0005_0001);
    }

    #[test]
    fn reads_argument_halves_little_endian() {
        let d = SeccompData::new(Arch::X86_64, 0, [0x1122_3344_5566_7788, 0, 0, 0, 0, 9]);
        assert_eq!(d.word(data::arg_lo(0)), Some(0x5566_7788));
        assert_eq!(d.word(data::arg_hi(0)), Some(0x1122_3344));
        assert_eq!(d.word(data::arg_lo(5)), Some(9));
        assert_eq!(d.word(64), None);
    }

    #[test]
    fn running_off_the_end_is_an_error() {
        let p = Program {
            insns: vec![Insn::load(data::NR)],
        };
        assert!(run(&p, &SeccompData::default()).is_err());
    }
}

/// Every value the program can return for a call of `nr` on `arch`, whatever the arguments
/// and instruction pointer, and whether some path reads them. Loads of anything but nr and
/// arch make the accumulator unknown, and a jump on an unknown value takes both branches.
pub fn outcomes(program: &Program, arch: u32, nr: u32) -> Result<Outcomes, EmulatorError> {
    let mut memo = std::collections::HashMap::new();
    explore(program, 0, Some(0), arch, nr, &mut memo)
}

/// The answers a program can give for one (arch, nr), over all argument values.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Outcomes {
    /// The return values reachable.
    pub rets: std::collections::BTreeSet<u32>,
    /// Whether a reachable path reads something other than nr/arch (or uses X, scratch
    /// memory or other operations the kernel's action cache cannot evaluate).
    pub reads_args: bool,
}

type Memo = std::collections::HashMap<(usize, Option<u32>), Outcomes>;

fn explore(
    program: &Program,
    pc: usize,
    a: Option<u32>,
    arch: u32,
    nr: u32,
    memo: &mut Memo,
) -> Result<Outcomes, EmulatorError> {
    if let Some(o) = memo.get(&(pc, a)) {
        return Ok(o.clone());
    }
    let Some(&insn) = program.insns.get(pc) else {
        return Err(EmulatorError::Invalid {
            pc,
            problem: "control runs past the end of the program".into(),
        });
    };
    let Insn { code, jt, jf, k } = insn;
    let mut out = Outcomes {
        reads_args: !insn.cache_evaluable(),
        ..Outcomes::default()
    };
    let mut follow =
        |next: usize, a: Option<u32>, out: &mut Outcomes| -> Result<(), EmulatorError> {
            let o = explore(program, next, a, arch, nr, memo)?;
            out.rets.extend(o.rets);
            out.reads_args |= o.reads_args;
            Ok(())
        };
    match code & 0x07 {
        op::RET => {
            if code & 0x18 == op::K {
                out.rets.insert(k);
            } else {
                out.reads_args = true;
                if let Some(v) = a {
                    out.rets.insert(v);
                }
            }
        }
        op::LD => {
            let v = match (code & 0xe0, k) {
                (op::ABS, data::NR) => Some(nr),
                (op::ABS, data::ARCH) => Some(arch),
                (op::IMM, _) => Some(k),
                (op::LEN, _) => Some(data::SIZE),
                _ => None,
            };
            follow(pc + 1, v, &mut out)?;
        }
        op::ALU => {
            let v = match (a, code & op::X) {
                (Some(v), op::K) => match code & 0xf0 {
                    op::AND => Some(v & k),
                    op::OR => Some(v | k),
                    op::ADD => Some(v.wrapping_add(k)),
                    op::SUB => Some(v.wrapping_sub(k)),
                    op::XOR => Some(v ^ k),
                    op::LSH => Some(v.checked_shl(k).unwrap_or(0)),
                    op::RSH => Some(v.checked_shr(k).unwrap_or(0)),
                    _ => None,
                },
                _ => None,
            };
            follow(pc + 1, v, &mut out)?;
        }
        op::JMP if code & 0xf0 == op::JA => follow(pc + 1 + k as usize, a, &mut out)?,
        op::JMP => {
            let taken = match (a, code & op::X) {
                (Some(v), op::K) => match code & 0xf0 {
                    op::JEQ => Some(v == k),
                    op::JGT => Some(v > k),
                    op::JGE => Some(v >= k),
                    op::JSET => Some(v & k != 0),
                    _ => None,
                },
                _ => None,
            };
            let (t, f) = (pc + 1 + usize::from(jt), pc + 1 + usize::from(jf));
            match taken {
                Some(true) => follow(t, a, &mut out)?,
                Some(false) => follow(f, a, &mut out)?,
                None => {
                    follow(t, a, &mut out)?;
                    follow(f, a, &mut out)?;
                }
            }
        }
        // LDX, ST, STX, MISC: the accumulator's knowledge is kept only where it cannot change.
        op::MISC if code & 0xf8 == op::TXA => follow(pc + 1, None, &mut out)?,
        _ => follow(pc + 1, a, &mut out)?,
    }
    memo.insert((pc, a), out.clone());
    Ok(out)
}
