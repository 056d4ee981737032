//! The recording sink: every (ABI, syscall) a program and its children made, from any
//! source (a user-notification supervisor today; ptrace and eBPF later), turned into the
//! tightest policy that still lets the program run. The source knows nothing of
//! profiles; this crate knows nothing of how calls were seen.

#![warn(missing_docs)]

pub mod runtime;

use policy::{Action, CmpOp, Policy, Rule};
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

/// A call whose argument decides what it can do: with `--args`, the values seen (masked)
/// become the rule's conditions, so the profile allows those and nothing else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArgumentRule {
    /// The syscall's name (on every ABI that has it).
    pub syscall: &'static str,
    /// The argument compared.
    pub arg: u8,
    /// The bits of it that take part: 32 for an `int` argument (the kernel reads no more,
    /// so garbage in a register's upper half changes nothing), the flags that matter for a
    /// flags argument.
    pub mask: u64,
    /// The table naming its values, for the summary.
    pub xlat: Option<&'static str>,
}

const INT: u64 = 0xffff_ffff;
/// clone's namespace flags (CLONE_NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID,
/// NEWNET) and what tells a thread or vfork from a fork (CLONE_THREAD, CLONE_VM).
const CLONE_MASK: u64 = 0x7e02_0000 | 0x1_0000 | 0x100;
const PROT_EXEC: u64 = 0x4;

/// The calls `--args` conditions, by the argument that decides what they do.
pub const ARGUMENT_RULES: [ArgumentRule; 11] = [
    ArgumentRule {
        syscall: "socket",
        arg: 0,
        mask: INT,
        xlat: Some("address_family"),
    },
    ArgumentRule {
        syscall: "socketpair",
        arg: 0,
        mask: INT,
        xlat: Some("address_family"),
    },
    ArgumentRule {
        syscall: "personality",
        arg: 0,
        mask: INT,
        xlat: Some("personality"),
    },
    ArgumentRule {
        syscall: "clone",
        arg: 0,
        mask: CLONE_MASK,
        xlat: Some("clone_flags"),
    },
    ArgumentRule {
        syscall: "prctl",
        arg: 0,
        mask: INT,
        xlat: Some("prctl_option"),
    },
    ArgumentRule {
        syscall: "ioctl",
        arg: 1,
        mask: INT,
        xlat: None,
    },
    ArgumentRule {
        syscall: "fcntl",
        arg: 1,
        mask: INT,
        xlat: Some("fcntl_cmd"),
    },
    ArgumentRule {
        syscall: "fcntl64",
        arg: 1,
        mask: INT,
        xlat: Some("fcntl_cmd"),
    },
    ArgumentRule {
        syscall: "mmap",
        arg: 2,
        mask: PROT_EXEC,
        xlat: Some("mmap_prot"),
    },
    ArgumentRule {
        syscall: "mmap2",
        arg: 2,
        mask: PROT_EXEC,
        xlat: Some("mmap_prot"),
    },
    ArgumentRule {
        syscall: "mprotect",
        arg: 2,
        mask: PROT_EXEC,
        xlat: Some("mmap_prot"),
    },
];

/// The rule `--args` applies to `syscall`, if any.
pub fn argument_rule(syscall: &str) -> Option<&'static ArgumentRule> {
    ARGUMENT_RULES.iter().find(|r| r.syscall == syscall)
}

/// What one used call is allowed with: anything, or only these (masked) argument values.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Allowed {
    Any,
    Values(BTreeSet<u64>),
}

impl Allowed {
    fn unite(&mut self, other: &Allowed) {
        match (&mut *self, other) {
            (Allowed::Values(a), Allowed::Values(b)) => a.extend(b),
            _ => *self = Allowed::Any,
        }
    }

    /// A one-bit mask seen both set and clear admits everything.
    fn simplified(self, rule: &ArgumentRule) -> Allowed {
        match self {
            Allowed::Values(v) if rule.mask.count_ones() == 1 && v.len() == 2 => Allowed::Any,
            other => other,
        }
    }
}

/// What a program was seen to call, per ABI (and with arguments, the values that decide
/// what the calls in [`ARGUMENT_RULES`] do).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Recording {
    seen: BTreeMap<Arch, BTreeSet<u32>>,
    /// With `--args`: per (ABI, nr) of a conditioned call, the masked values seen.
    values: Option<BTreeMap<(Arch, u32), BTreeSet<u64>>>,
}

impl Recording {
    /// An empty recording of syscall names only.
    pub fn new() -> Recording {
        Recording::default()
    }

    /// An empty recording that also keeps the argument values [`ARGUMENT_RULES`] name.
    pub fn with_arguments() -> Recording {
        Recording {
            seen: BTreeMap::new(),
            values: Some(BTreeMap::new()),
        }
    }

    /// Whether argument values are recorded.
    pub fn records_arguments(&self) -> bool {
        self.values.is_some()
    }

    /// Notes one call of `nr` on `arch` (repeats cost a set lookup).
    pub fn note(&mut self, arch: Arch, nr: u32) {
        self.seen.entry(arch).or_default().insert(nr);
    }

    /// Notes one call with its arguments: the name, and the deciding value where
    /// arguments are recorded.
    pub fn note_call(&mut self, arch: Arch, nr: u32, args: &[u64; 6]) {
        self.note(arch, nr);
        let Some(values) = &mut self.values else {
            return;
        };
        let Some(rule) = arch
            .table()
            .lookup_nr(nr)
            .and_then(|s| argument_rule(s.name))
        else {
            return;
        };
        let value = args[usize::from(rule.arg)] & rule.mask;
        values.entry((arch, nr)).or_default().insert(value);
    }

    /// The errno a recorder answers `nr` on `arch` with instead of letting it run: with
    /// arguments, clone3 gets ENOSYS (its flags sit behind a pointer seccomp cannot read,
    /// so the profile answers it so too, and glibc falls back to clone, whose flags it can).
    /// A source that answers so does not note the call: noted, it counts as having run.
    pub fn refusal(&self, arch: Arch, nr: u32) -> Option<i32> {
        let clone3 = arch.table().lookup_name("clone3").map(|s| s.nr);
        (self.records_arguments() && clone3 == Some(nr)).then_some(ENOSYS)
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

    /// Whether clone3 ran (a source that cannot refuse it let it): clone's flags were then
    /// not all seen, so clone cannot be conditioned on them.
    fn clone3_ran(&self, arch: Arch) -> bool {
        self.names(arch).iter().any(|n| n == "clone3")
    }

    /// What each call used on `arch` is allowed with, by name.
    fn allowed(&self, arch: Arch) -> BTreeMap<String, Allowed> {
        let table = arch.table();
        let always = ALWAYS_ALLOWED
            .iter()
            .filter(|n| table.lookup_name(n).is_some())
            .map(|n| (n.to_string(), Allowed::Any));
        let seen = self
            .seen
            .get(&arch)
            .into_iter()
            .flatten()
            .filter_map(|&nr| {
                let name = table.lookup_nr(nr)?.name;
                if self.refusal(arch, nr).is_some() {
                    return None;
                }
                let values = self.values.as_ref().and_then(|v| v.get(&(arch, nr)));
                let allowed = match (values, argument_rule(name)) {
                    (Some(_), _) if name == "clone" && self.clone3_ran(arch) => Allowed::Any,
                    (Some(v), Some(_)) => Allowed::Values(v.clone()),
                    _ => Allowed::Any,
                };
                Some((name.to_string(), allowed))
            });
        let mut out: BTreeMap<String, Allowed> = BTreeMap::new();
        for (name, allowed) in always.chain(seen) {
            unite_into(&mut out, name, allowed);
        }
        out
    }

    /// The policy that allows exactly what was seen (and [`ALWAYS_ALLOWED`]) on the ABIs
    /// used, answering `default` to everything else; any other ABI is killed. With
    /// `per_abi`, each ABI allows only its own calls (for formats that can say so, raw
    /// BPF); without, every ABI used allows the union (moby, OCI and SPO JSON share one
    /// list of names across the ABIs they name). With arguments, the calls of
    /// [`ARGUMENT_RULES`] are allowed only with the values seen, and clone3 answers ENOSYS.
    pub fn to_policy(&self, default: Action, per_abi: bool) -> Policy {
        let abis = if self.seen.is_empty() {
            vec![Arch::native()]
        } else {
            self.abis()
        };
        let mut policy = Policy::new(default, abis.clone());
        // (name, what it is allowed with) -> the ABIs where that holds.
        let mut entries: BTreeMap<(String, Allowed), BTreeSet<Arch>> = BTreeMap::new();
        if per_abi {
            for &arch in &abis {
                for (name, allowed) in self.allowed(arch) {
                    entries.entry((name, allowed)).or_default().insert(arch);
                }
            }
        } else {
            let mut united: BTreeMap<String, Allowed> = BTreeMap::new();
            for &arch in &abis {
                for (name, allowed) in self.allowed(arch) {
                    unite_into(&mut united, name, allowed);
                }
            }
            for (name, allowed) in united {
                entries.insert((name, allowed), abis.iter().copied().collect());
            }
        }
        for ((name, allowed), arches) in entries {
            let arches: Vec<Arch> = if arches.len() < abis.len() {
                arches.into_iter().collect()
            } else {
                Vec::new()
            };
            let rule = argument_rule(&name);
            match (allowed, rule) {
                (allowed @ Allowed::Values(_), Some(rule)) => {
                    let Allowed::Values(values) = allowed.simplified(rule) else {
                        policy.rules.push(allow(&name, arches));
                        continue;
                    };
                    for v in values {
                        let mut r = allow(&name, arches.clone());
                        r = r.with(rule.arg, CmpOp::MaskedEq { mask: rule.mask }, v);
                        policy.rules.push(r);
                    }
                }
                _ => policy.rules.push(allow(&name, arches)),
            }
        }
        if self.records_arguments() {
            let enosys = Action::Errno(ENOSYS as u16);
            let arches: Vec<Arch> = abis
                .iter()
                .copied()
                .filter(|a| a.table().lookup_name("clone3").is_some())
                .collect();
            if !arches.is_empty() {
                let arches = if arches.len() < abis.len() {
                    arches
                } else {
                    Vec::new()
                };
                policy.rules.push(Rule {
                    arches,
                    ..Rule::new("clone3", enosys)
                });
            }
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

    /// With arguments: per ABI, each conditioned call used, the argument compared and the
    /// values the profile allows it with (none: it is allowed with any, and why).
    pub fn conditions(&self) -> Vec<Conditioned> {
        let mut out = Vec::new();
        if !self.records_arguments() {
            return out;
        }
        for arch in self.abis() {
            for (name, allowed) in self.allowed(arch) {
                let Some(rule) = argument_rule(&name) else {
                    continue;
                };
                let values = match allowed.simplified(rule) {
                    Allowed::Values(v) => Some(v.into_iter().collect()),
                    Allowed::Any => None,
                };
                out.push(Conditioned { arch, rule, values });
            }
        }
        out
    }
}

/// One call `--args` conditioned, for the summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conditioned {
    /// The ABI.
    pub arch: Arch,
    /// The call and its argument.
    pub rule: &'static ArgumentRule,
    /// The (masked) values allowed; `None` when every value is (all were seen, or clone3
    /// ran so clone's flags could not all be seen).
    pub values: Option<Vec<u64>>,
}

impl Conditioned {
    /// The allowed values by name where the knowledge base has them (`AF_UNIX`), else hex.
    pub fn value_names(&self) -> Vec<String> {
        let set = self.rule.xlat.and_then(syscalls::xlat_set);
        let bit = |v: u64| {
            let name = set.map_or_else(
                || format!("{:#x}", self.rule.mask),
                |s| {
                    s.display_on(self.arch, self.rule.mask, syscalls::XlatStyle::Abbrev)
                        .to_string()
                },
            );
            if v == 0 {
                format!("without {name}")
            } else {
                name
            }
        };
        self.values
            .iter()
            .flatten()
            .map(|&v| match set {
                _ if self.rule.mask.count_ones() == 1 => bit(v),
                Some(set) if v != 0 || set.name_of_on(self.arch, 0).is_some() => set
                    .display_on(self.arch, v, syscalls::XlatStyle::Abbrev)
                    .to_string(),
                _ if v == 0 => "0".to_string(),
                _ => format!("{v:#x}"),
            })
            .collect()
    }
}

fn allow(name: &str, arches: Vec<Arch>) -> Rule {
    Rule {
        arches,
        ..Rule::new(name, Action::Allow)
    }
}

/// Adds what `name` is allowed with to `map`, united with what it already had.
fn unite_into(map: &mut BTreeMap<String, Allowed>, name: String, allowed: Allowed) {
    match map.get_mut(&name) {
        Some(a) => a.unite(&allowed),
        None => {
            map.insert(name, allowed);
        }
    }
}

/// ENOSYS, the same on every Linux ABI.
const ENOSYS: i32 = 38;

/// A recording is a sink too: any event source (the ptrace tracer) records into it.
impl events::Sink for Recording {
    fn event(&mut self, event: &events::Event) -> std::io::Result<()> {
        if let events::EventKind::SyscallEnter(entry) = &event.kind {
            self.note_call(entry.arch, entry.nr, &entry.args);
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

    #[test]
    fn arguments_condition_the_calls_whose_argument_decides_what_they_do() {
        let mut r = Recording::with_arguments();
        let socket = nr(Arch::X86_64, "socket");
        r.note_call(Arch::X86_64, socket, &[1, 1, 0, 0, 0, 0]);
        // Garbage in the upper half of an int argument changes nothing.
        r.note_call(Arch::X86_64, socket, &[0xdead_0000_0002, 2, 0, 0, 0, 0]);
        let p = r.to_policy(Action::Errno(1), false);
        let at = |domain| p.evaluate(Arch::X86_64, "socket", &[domain, 0, 0, 0, 0, 0]);
        assert_eq!(at(1), Action::Allow);
        assert_eq!(at(2), Action::Allow);
        assert_eq!(at(17), Action::Errno(1), "AF_PACKET was never seen");
        let c = r.conditions();
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].value_names(), ["AF_UNIX", "AF_INET"]);
        // clone3 is refused, in the recorded run and in the profile.
        let clone3 = nr(Arch::X86_64, "clone3");
        assert_eq!(r.refusal(Arch::X86_64, clone3), Some(38));
        assert_eq!(
            p.evaluate(Arch::X86_64, "clone3", &[0; 6]),
            Action::Errno(38)
        );
        assert_eq!(Recording::new().refusal(Arch::X86_64, clone3), None);
    }

    #[test]
    fn a_one_bit_condition_seen_both_ways_allows_everything() {
        let mut r = Recording::with_arguments();
        let mmap = nr(Arch::X86_64, "mmap");
        r.note_call(Arch::X86_64, mmap, &[0, 4096, 1, 0, 0, 0]);
        let p = r.to_policy(Action::Errno(1), false);
        let prot = |p: &Policy, v| p.evaluate(Arch::X86_64, "mmap", &[0, 4096, v, 0, 0, 0]);
        assert_eq!(prot(&p, 3), Action::Allow);
        assert_eq!(prot(&p, 5), Action::Errno(1), "PROT_EXEC was never seen");
        r.note_call(Arch::X86_64, mmap, &[0, 4096, 5, 0, 0, 0]);
        let p = r.to_policy(Action::Errno(1), false);
        assert_eq!(prot(&p, 7), Action::Allow);
        assert!(p.rules.iter().all(|r| r.conditions.is_empty()));
    }

    #[test]
    fn clone_is_not_conditioned_when_clone3_ran() {
        let mut r = Recording::with_arguments();
        r.note_call(
            Arch::X86_64,
            nr(Arch::X86_64, "clone"),
            &[0x1200011, 0, 0, 0, 0, 0],
        );
        r.note_call(Arch::X86_64, nr(Arch::X86_64, "clone3"), &[0; 6]);
        let p = r.to_policy(Action::Errno(1), false);
        let thread = 0x3d0f00;
        assert_eq!(
            p.evaluate(Arch::X86_64, "clone", &[thread, 0, 0, 0, 0, 0]),
            Action::Allow
        );
    }
}
