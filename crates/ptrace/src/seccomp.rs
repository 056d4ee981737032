//! strace's `--seccomp-bpf` trick: a seccomp filter in the started command returns
//! SECCOMP_RET_TRACE for the selected syscalls only, so every other syscall runs without
//! stopping the tracee. The filter is inherited by children and survives execve, and a
//! SECCOMP_RET_TRACE without a tracer fails the call with ENOSYS: the tracer therefore
//! follows every child (hiding those not asked for) and tracees die with the tracer
//! (PTRACE_O_EXITKILL).
//!
//! The program comes from the project's compiler (`seccomp::compile`), fed a policy that
//! allows everything but the selected syscalls of each ABI; this module only converts it
//! to the kernel's layout before fork and installs it in the child.

use policy::{Action, Policy, Rule};
use seccomp::{CompileError, Target};
use syscalls::Arch;

/// What the filter answers for a call the tracer must see (SECCOMP_RET_TRACE, no data).
const TRACE: Action = Action::Trace(0);

/// The fast path's policy: every syscall runs, except those `selected(arch, nr)` picks
/// in each ABI's table, which stop the tracee.
pub fn trace_policy(selected: &dyn Fn(Arch, u32) -> bool) -> Policy {
    let arches = Arch::callable();
    let mut policy = Policy::new(Action::Allow, arches.clone());
    for arch in arches {
        let picked = arch
            .table()
            .entries()
            .iter()
            .filter(|s| selected(arch, s.nr));
        policy.rules.extend(picked.map(|s| Rule {
            arches: vec![arch],
            ..Rule::new(s.name, TRACE)
        }));
    }
    policy
}

/// The ABIs the policy names; a call of any other ABI is traced rather than killed, so
/// nothing the tracee does escapes the tracer.
fn target() -> Target {
    Target {
        arches: Arch::callable(),
        foreign_action: TRACE,
    }
}

/// A compiled filter program, in the kernel's layout, ready to install after fork.
#[derive(Debug, Clone)]
pub struct Filter {
    insns: Vec<libc::sock_filter>,
}

impl Filter {
    /// The filter that stops the tracee only for the syscalls `selected(arch, nr)` picks
    /// (and for every call of an ABI the tracer does not know). Fails only when the
    /// program exceeds the kernel's 4096 instructions.
    pub fn for_selection(selected: &dyn Fn(Arch, u32) -> bool) -> Result<Filter, CompileError> {
        let program = seccomp::compile(&trace_policy(selected), &target())?;
        // Converted here, in the parent: the child may not allocate after fork.
        Ok(Filter {
            insns: seccomp::install::sock_filters(&program),
        })
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
    use seccomp::SeccompData;

    /// Runs the installed form of the filter through the compiler's emulator.
    fn answer(filter: &Filter, arch: u32, nr: u32) -> Action {
        let program = seccomp::install::from_sock_filters(&filter.insns);
        let input = SeccompData {
            nr,
            arch,
            ..SeccompData::default()
        };
        let run = seccomp::run(&program, &input).expect("the program runs to a return");
        Action::from_ret(run.ret).expect("a defined action")
    }

    fn nr(arch: Arch, name: &str) -> u32 {
        arch.table().lookup_name(name).expect("known name").nr
    }

    #[test]
    fn traces_the_selected_syscalls_of_every_abi_and_allows_the_rest() {
        let picked = ["openat", "open"];
        let f = Filter::for_selection(&|arch, n| {
            picked
                .iter()
                .any(|p| arch.table().lookup_name(p).is_some_and(|s| s.nr == n))
        })
        .expect("compiles");
        for arch in [Arch::X86_64, Arch::I386, Arch::X32] {
            let audit = arch.audit_arch();
            assert_eq!(answer(&f, audit, nr(arch, "openat")), TRACE, "{arch}");
            assert_eq!(answer(&f, audit, nr(arch, "open")), TRACE, "{arch}");
            assert_eq!(answer(&f, audit, nr(arch, "read")), Action::Allow, "{arch}");
            assert_eq!(
                answer(&f, audit, nr(arch, "getpid")),
                Action::Allow,
                "{arch}"
            );
        }
        // i386 and x86_64 number openat differently: each ABI uses its own table.
        assert_eq!(
            answer(&f, Arch::I386.audit_arch(), nr(Arch::X86_64, "openat")),
            Action::Allow
        );
        assert_eq!(answer(&f, Arch::Aarch64.audit_arch(), 56), TRACE);
        assert_eq!(answer(&f, 0x1234_5678, 0), TRACE);
    }

    #[test]
    fn a_selection_of_all_but_one_fits_and_leaves_only_that_one_untraced() {
        let futex = |arch: Arch| nr(arch, "futex");
        let f = Filter::for_selection(&|arch, n| n != futex(arch)).expect("compiles");
        for arch in [Arch::X86_64, Arch::I386, Arch::X32] {
            for s in arch.table().entries() {
                let want = if s.nr == futex(arch) {
                    Action::Allow
                } else {
                    TRACE
                };
                assert_eq!(
                    answer(&f, arch.audit_arch(), s.nr),
                    want,
                    "{arch} {}",
                    s.name
                );
            }
        }
    }

    #[test]
    fn selected_calls_reach_the_filter_through_the_policy_by_name() {
        let p = trace_policy(&|arch, n| arch == Arch::I386 && n == nr(Arch::I386, "socketcall"));
        assert_eq!(p.rules.len(), 1);
        assert_eq!(p.rules[0].syscall, "socketcall");
        assert_eq!(p.rules[0].arches, vec![Arch::I386]);
        assert_eq!(p.default_action, Action::Allow);
    }
}
