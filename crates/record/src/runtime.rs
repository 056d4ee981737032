//! What a container runtime's own init calls after it has installed the container's
//! filter and before it execs the container's program. A profile recorded on the host
//! never sees those calls, yet inside a container the filter answers them: without them
//! the runtime fails before the program starts. Written down as data, as measured.

use policy::{Action, Policy, Rule};
use syscalls::Arch;

/// A container runtime whose init runs under the container's filter for a while.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Runtime {
    /// runc (also what Docker, containerd and CRI-O run by default).
    Runc,
}

/// The calls runc's init (`runc:[2:INIT]`, a Go program) makes under the container's
/// filter, by their x86_64 names.
///
/// Measured on 2026-12-02 with runc 1.1.5+ds1 (Debian 12, libseccomp 2.5.4, go1.19.8) on
/// Linux 6.18 x86_64: a busybox-static bundle from `runc spec` running `busybox echo hi`
/// with `linux.seccomp` = `{"defaultAction": "SCMP_ACT_LOG", "syscalls": []}`, so every
/// call after the filter is installed is allowed and logged (audit type=1326 lines in
/// `dmesg`, with `kernel.printk_ratelimit_burst` raised so none is dropped); the calls of
/// processes whose comm starts with `runc` are runc's, those of `busybox` the
/// container's. 30 `runc run`s and 15 `runc create` + `runc start`s for each of
/// `process.noNewPrivileges` true and false, on a quiet machine and with both CPUs busy.
///
/// With noNewPrivileges true (runc's own default) runc installs the filter as late as it
/// can and makes only write, close, getpid, execve, fstatfs, getdents64, epoll_ctl and
/// openat (closing the descriptors it must not leak, then exec). With noNewPrivileges
/// false (Docker's and Kubernetes' default) it installs the filter before it drops
/// privileges, so the credential and working-directory calls come after it too. futex
/// appeared in 2 to 21 of 30 runs (the Go runtime parking a thread) and rt_sigreturn in
/// 1 to 5 (the Go runtime's preemption signal; always allowed anyway): both are in.
///
/// Then each call taken out of a busybox profile recorded on the host plus this set, one
/// at a time: runc fails to start the container without any of close, fstatfs,
/// getdents64, openat, write or execve, and with noNewPrivileges false also without
/// capget, capset, chdir, fstat, getcwd, getppid, newfstatat, prctl, read, setgid,
/// setgroups or setuid. Without epoll_ctl, getpid, futex, faccessat2 or fcntl it still
/// starts (runc 1.1.5 ignores those failures); they stay in, as calls it was seen to make.
pub const RUNC_CALLS: [&str; 23] = [
    // Every run, either noNewPrivileges.
    "close",
    "epoll_ctl",
    "execve",
    "fstatfs",
    "getdents64",
    "getpid",
    "openat",
    "write",
    // Some runs: the Go runtime.
    "futex",
    // Every run with noNewPrivileges false.
    "capget",
    "capset",
    "chdir",
    "faccessat2",
    "fcntl",
    "fstat",
    "getcwd",
    "getppid",
    "newfstatat",
    "prctl",
    "read",
    "setgid",
    "setgroups",
    "setuid",
];

impl Runtime {
    /// The runtime's name, as `--runtime` takes it.
    pub fn name(self) -> &'static str {
        match self {
            Runtime::Runc => "runc",
        }
    }

    /// The calls the runtime's init makes under the container's filter, by their names
    /// on the ABI the runtime itself runs as (x86_64).
    pub fn calls(self) -> &'static [&'static str] {
        match self {
            Runtime::Runc => &RUNC_CALLS,
        }
    }

    /// Adds to `policy` an unconditional allow rule for each of the runtime's calls it
    /// does not already allow unconditionally on the native ABI, and returns their names.
    /// Unconditional because the runtime's arguments are not the program's (with `--args`
    /// the program's fcntl or prctl may be allowed for some values only). With `per_abi`
    /// (formats that keep each ABI's set apart) the rules apply to the native ABI only,
    /// the one the runtime runs as.
    pub fn admit(self, policy: &mut Policy, per_abi: bool) -> Vec<&'static str> {
        let native = Arch::native();
        let table = native.table();
        let mut added = Vec::new();
        for &name in self.calls() {
            let allowed = policy.rules.iter().any(|r| {
                r.syscall == name
                    && r.applies_to(native)
                    && r.conditions.is_empty()
                    && r.action == Action::Allow
            });
            if allowed || table.lookup_name(name).is_none() {
                continue;
            }
            let mut rule = Rule::new(name, Action::Allow);
            if per_abi && policy.arches.len() > 1 {
                rule.arches = vec![native];
            }
            policy.rules.push(rule);
            added.push(name);
        }
        added
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_runc_call_is_a_syscall_of_the_abi_runc_runs_as() {
        for name in RUNC_CALLS {
            assert!(Arch::X86_64.table().lookup_name(name).is_some(), "{name}");
        }
    }

    #[test]
    fn admitting_adds_only_what_the_policy_does_not_already_allow_unconditionally() {
        let mut policy = Policy::new(Action::Errno(1), vec![Arch::X86_64]);
        policy.rules.push(Rule::new("write", Action::Allow));
        policy
            .rules
            .push(Rule::new("fcntl", Action::Allow).with(1, policy::CmpOp::Eq, 1));
        let added = Runtime::Runc.admit(&mut policy, false);
        assert!(!added.contains(&"write"), "{added:?}");
        assert!(added.contains(&"fcntl") && added.contains(&"openat"));
        for name in RUNC_CALLS {
            assert_eq!(
                policy.evaluate(Arch::X86_64, name, &[0; 6]),
                Action::Allow,
                "{name}"
            );
        }
        assert_eq!(Runtime::Runc.admit(&mut policy, false), Vec::<&str>::new());
    }

    #[test]
    fn per_abi_the_runtime_calls_are_the_native_abis_only() {
        let mut policy = Policy::new(Action::Errno(1), vec![Arch::X86_64, Arch::I386]);
        Runtime::Runc.admit(&mut policy, true);
        assert_eq!(
            policy.evaluate(Arch::X86_64, "getdents64", &[0; 6]),
            Action::Allow
        );
        assert_eq!(
            policy.evaluate(Arch::I386, "getdents64", &[0; 6]),
            Action::Errno(1)
        );
    }
}
