//! strace's `--seccomp-bpf` trick: a seccomp filter in the started command returns
//! SECCOMP_RET_TRACE for the selected syscalls only, so every other syscall runs without
//! stopping the tracee. The filter is inherited by children and survives execve, and a
//! SECCOMP_RET_TRACE without a tracer fails the call with ENOSYS: the tracer therefore
//! follows every child (hiding those not asked for) and tracees die with the tracer
//! (PTRACE_O_EXITKILL).

const LD_W_ABS: u16 = 0x20;
const JEQ_K: u16 = 0x15;
const JGE_K: u16 = 0x35;
const RET_K: u16 = 0x06;
const RET_ALLOW: u32 = 0x7fff_0000;
const RET_TRACE: u32 = 0x7ff0_0000;
const AUDIT_ARCH_X86_64: u32 = 0xc000_003e;
const X32_BIT: u32 = 0x4000_0000;

/// The most numbers one filter lists (BPF jump offsets are 8 bits).
const MAX_LISTED: usize = 240;

/// A compiled filter program.
#[derive(Debug, Clone)]
pub struct Filter {
    insns: Vec<libc::sock_filter>,
}

fn insn(code: u16, jt: u8, jf: u8, k: u32) -> libc::sock_filter {
    libc::sock_filter { code, jt, jf, k }
}

impl Filter {
    /// A filter that traces the x86_64 syscalls `traced` (sorted, deduplicated) out of
    /// `all`, and every call of another ABI (i386 via int 0x80, x32), which it cannot
    /// tell apart cheaply. `None` when the list is too long for one linear filter.
    pub fn for_numbers(traced: &[u32], all: &[u32]) -> Option<Filter> {
        let untraced: Vec<u32> = all
            .iter()
            .copied()
            .filter(|n| !traced.contains(n))
            .collect();
        // List the smaller side; the other one is the default.
        let (listed, on_match, otherwise) = if traced.len() <= untraced.len() {
            (traced.to_vec(), RET_TRACE, RET_ALLOW)
        } else {
            (untraced, RET_ALLOW, RET_TRACE)
        };
        if listed.len() > MAX_LISTED {
            return None;
        }
        // Layout: 0 ld arch; 1 jeq x86_64; 2 ld nr; 3 jge x32 bit; 4.. jeq n;
        // then `otherwise`, `on_match`, `trace`.
        let n = listed.len();
        let ret_otherwise = 4 + n;
        let ret_match = ret_otherwise + 1;
        let ret_trace = ret_match + 1;
        let mut insns = vec![
            insn(LD_W_ABS, 0, 0, 4),
            insn(JEQ_K, 0, (ret_trace - 2) as u8, AUDIT_ARCH_X86_64),
            insn(LD_W_ABS, 0, 0, 0),
            insn(JGE_K, (ret_trace - 4) as u8, 0, X32_BIT),
        ];
        for (i, nr) in listed.iter().enumerate() {
            let at = 4 + i;
            insns.push(insn(JEQ_K, (ret_match - at - 1) as u8, 0, *nr));
        }
        insns.push(insn(RET_K, 0, 0, otherwise));
        insns.push(insn(RET_K, 0, 0, on_match));
        insns.push(insn(RET_K, 0, 0, RET_TRACE));
        Some(Filter { insns })
    }

    /// Installs the filter in the calling process (the child, before execve). Sets
    /// no_new_privs first unless we are root. Only async-signal-safe calls are made.
    pub fn install(&self) -> bool {
        let prog = libc::sock_fprog {
            len: self.insns.len() as u16,
            filter: self.insns.as_ptr() as *mut libc::sock_filter,
        };
        // SAFETY: prog points to the live instruction vector for the duration of the
        // call; prctl and seccomp take plain integers otherwise.
        unsafe {
            if libc::geteuid() != 0 {
                libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
            }
            libc::syscall(
                libc::SYS_seccomp,
                libc::SECCOMP_SET_MODE_FILTER,
                0,
                &prog as *const libc::sock_fprog,
            ) == 0
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(f: &Filter, arch: u32, nr: u32) -> u32 {
        let mut pc = 0;
        let mut acc = 0u32;
        loop {
            let i = f.insns[pc];
            match i.code {
                LD_W_ABS => acc = if i.k == 4 { arch } else { nr },
                JEQ_K => {
                    pc += usize::from(if acc == i.k { i.jt } else { i.jf });
                }
                JGE_K => {
                    pc += usize::from(if acc >= i.k { i.jt } else { i.jf });
                }
                RET_K => return i.k,
                _ => panic!("unexpected instruction"),
            }
            pc += 1;
        }
    }

    #[test]
    fn traces_only_the_selected_numbers_and_foreign_abis() {
        let all: Vec<u32> = (0..460).collect();
        let f = Filter::for_numbers(&[2, 257], &all).expect("fits");
        assert_eq!(run(&f, AUDIT_ARCH_X86_64, 257), RET_TRACE);
        assert_eq!(run(&f, AUDIT_ARCH_X86_64, 2), RET_TRACE);
        assert_eq!(run(&f, AUDIT_ARCH_X86_64, 0), RET_ALLOW);
        assert_eq!(run(&f, AUDIT_ARCH_X86_64, 257 | X32_BIT), RET_TRACE);
        assert_eq!(run(&f, 0x4000_0003, 3), RET_TRACE);
        let most: Vec<u32> = (0..460).filter(|&n| n != 202).collect();
        let g = Filter::for_numbers(&most, &all).expect("fits by listing the complement");
        assert_eq!(run(&g, AUDIT_ARCH_X86_64, 202), RET_ALLOW);
        assert_eq!(run(&g, AUDIT_ARCH_X86_64, 0), RET_TRACE);
    }
}
