//! The recording sink: every (ABI, syscall) a program and its children made, from any
//! source (a user-notification supervisor today; ptrace and eBPF later), turned into the
//! tightest policy that still lets the program run. The source knows nothing of
//! profiles; this crate knows nothing of how calls were seen.

#![warn(missing_docs)]

pub mod runtime;

use policy::{Action, Policy, Rule};
use std::collections::{BTreeMap, BTreeSet};
use syscalls::Arch;

/// Calls allowed whether seen or not: the kernel makes them on the program's behalf
/// (signal return, restarts) or the vDSO answers them without entering the kernel in one
/// build and not in another, and a program may end through any of them.
pub const ALWAYS_ALLOWED: [&str; 10] = [
    "rt_sigreturn",
    "sigreturn",
    "restart_syscall",
    "exit",
    "exit_group",
    "clock_gettime",
    "clock_gettime64",
    "gettimeofday",
    "time",
    "getcpu",
];

/// Calls that weaken a sandbox when allowed: the summary names each one the program used.
pub const WEAKENING: [&str; 20] = [
    "ptrace",
    "process_vm_writev",
    "bpf",
    "mount",
    "umount2",
    "unshare",
    "setns",
    "init_module",
    "finit_module",
    "kexec_load",
    "kexec_file_load",
    "io_uring_setup",
    "io_uring_enter",
    "io_uring_register",
    "personality",
    "keyctl",
    "add_key",
    "userfaultfd",
    "perf_event_open",
    "pidfd_getfd",
];

/// What a program was seen to call, per ABI.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Recording {
    seen: BTreeMap<Arch, BTreeSet<u32>>,
}

impl Recording {
    /// An empty recording.
    pub fn new() -> Recording {
        Recording::default()
    }

    /// Notes one call of `nr` on `arch` (repeats cost a set lookup).
    pub fn note(&mut self, arch: Arch, nr: u32) {
        self.seen.entry(arch).or_default().insert(nr);
    }

    /// The ABIs the program used, in a stable order.
    pub fn abis(&self) -> Vec<Arch> {
        self.seen.keys().copied().collect()
    }

    /// The names of the calls seen on `arch` (numbers the table does not know as `nr_N`).
    pub fn names(&self, arch: Arch) -> Vec<String> {
        let table = arch.table();
        self.seen
            .get(&arch)
            .into_iter()
            .flatten()
            .map(|&nr| {
                table
                    .lookup_nr(nr)
                    .map_or_else(|| format!("nr_{nr}"), |s| s.name.to_string())
            })
            .collect()
    }

    /// The union of the names over every ABI used.
    pub fn all_names(&self) -> BTreeSet<String> {
        self.abis()
            .into_iter()
            .flat_map(|a| self.names(a))
            .collect()
    }

    /// The policy that allows exactly what was seen (and [`ALWAYS_ALLOWED`]) on the ABIs
    /// used, answering `default` to everything else; any other ABI is killed. With
    /// `per_abi`, each ABI allows only its own calls (for formats that can say so, raw
    /// BPF); without, every ABI used allows the union (moby, OCI and SPO JSON share one
    /// list of names across the ABIs they name).
    pub fn to_policy(&self, default: Action, per_abi: bool) -> Policy {
        let abis = if self.seen.is_empty() {
            vec![Arch::native()]
        } else {
            self.abis()
        };
        let mut policy = Policy::new(default, abis.clone());
        let mut names: BTreeMap<String, BTreeSet<Arch>> = BTreeMap::new();
        for &arch in &abis {
            let table = arch.table();
            let always = ALWAYS_ALLOWED
                .iter()
                .filter(|n| table.lookup_name(n).is_some())
                .map(|n| n.to_string());
            let seen = self
                .names(arch)
                .into_iter()
                .filter(|n| !n.starts_with("nr_"));
            for name in always.chain(seen) {
                names.entry(name).or_default().insert(arch);
            }
        }
        for (name, arches) in names {
            let mut rule = Rule::new(&name, Action::Allow);
            if per_abi && arches.len() < abis.len() {
                rule.arches = arches.into_iter().collect();
            }
            policy.rules.push(rule);
        }
        policy
    }

    /// The calls used that weaken a sandbox, by name.
    pub fn weakening(&self) -> Vec<&'static str> {
        let used = self.all_names();
        WEAKENING
            .into_iter()
            .filter(|n| used.contains(*n))
            .collect()
    }
}

/// A recording is a sink too: any event source (the ptrace tracer) records into it.
impl events::Sink for Recording {
    fn event(&mut self, event: &events::Event) -> std::io::Result<()> {
        if let events::EventKind::SyscallEnter(entry) = &event.kind {
            self.note(entry.arch, entry.nr);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nr(arch: Arch, name: &str) -> u32 {
        arch.table().lookup_name(name).unwrap().nr
    }

    #[test]
    fn the_policy_allows_what_was_seen_and_the_calls_always_needed() {
        let mut r = Recording::new();
        r.note(Arch::X86_64, nr(Arch::X86_64, "openat"));
        r.note(Arch::X86_64, nr(Arch::X86_64, "openat"));
        let p = r.to_policy(Action::Errno(1), false);
        assert_eq!(p.arches, vec![Arch::X86_64]);
        let allow = |name| p.evaluate(Arch::X86_64, name, &[0; 6]) == Action::Allow;
        assert!(allow("openat") && allow("exit_group") && allow("rt_sigreturn"));
        assert!(!allow("mount"));
    }

    #[test]
    fn per_abi_policies_keep_each_abis_calls_apart() {
        let mut r = Recording::new();
        r.note(Arch::X86_64, nr(Arch::X86_64, "openat"));
        r.note(Arch::I386, nr(Arch::I386, "socketcall"));
        let exact = r.to_policy(Action::Errno(1), true);
        assert_eq!(
            exact.evaluate(Arch::I386, "openat", &[0; 6]),
            Action::Errno(1)
        );
        assert_eq!(
            exact.evaluate(Arch::I386, "socketcall", &[0; 6]),
            Action::Allow
        );
        assert_eq!(
            exact.evaluate(Arch::X86_64, "openat", &[0; 6]),
            Action::Allow
        );
        let union = r.to_policy(Action::Errno(1), false);
        assert_eq!(union.evaluate(Arch::I386, "openat", &[0; 6]), Action::Allow);
    }

    #[test]
    fn weakening_calls_are_named() {
        let mut r = Recording::new();
        r.note(Arch::X86_64, nr(Arch::X86_64, "ptrace"));
        r.note(Arch::X86_64, nr(Arch::X86_64, "read"));
        assert_eq!(r.weakening(), ["ptrace"]);
    }
}
