//! The decoding tables checked as data: coverage of the syscall tables' flag sets, shape,
//! and every value against an independent source (CPython's os/socket/signal/mmap/fcntl/
//! select/resource/time/termios modules, built against glibc's headers).

mod common;

use common::{PYTHON3, require};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

use syscalls::{Arch, ArgKind, XlatKind, xlat_set, xlat_sets, xlat_subset};

/// Flag sets the syscall tables name that have no table yet, and why.
const WITHOUT_TABLE: &[(&str, &str)] = &[
    (
        "sockopt_name",
        "depends on the level: xlat_subset(\"socket_level\", level)",
    ),
    (
        "socket_protocol",
        "depends on the family: xlat_subset(\"address_family\", family)",
    ),
    (
        "quotactl_cmd",
        "QCMD(cmd, type) encoding needs its own decoder",
    ),
    (
        "quotactl_fd_cmd",
        "QCMD(cmd, type) encoding needs its own decoder",
    ),
    ("sysfs_option", "options 1..3 have no names in the kernel"),
    ("cachestat_flags", "Linux 6.18 defines no flags (must be 0)"),
    (
        "copy_file_range_flags",
        "Linux 6.18 defines no flags (must be 0)",
    ),
    (
        "futex_requeue_flags",
        "Linux 6.18 defines no flags (must be 0)",
    ),
    (
        "futex_waitv_flags",
        "Linux 6.18 defines no flags (must be 0)",
    ),
    (
        "landlock_add_rule_flags",
        "Linux 6.18 defines no flags (must be 0)",
    ),
    (
        "lsm_list_modules_flags",
        "Linux 6.18 defines no flags (must be 0)",
    ),
    ("mseal_flags", "Linux 6.18 defines no flags (must be 0)"),
    (
        "pidfd_getfd_flags",
        "Linux 6.18 defines no flags (must be 0)",
    ),
    (
        "pkey_alloc_flags",
        "Linux 6.18 defines no flags (must be 0)",
    ),
    (
        "process_madvise_flags",
        "Linux 6.18 defines no flags (must be 0)",
    ),
    (
        "process_mrelease_flags",
        "Linux 6.18 defines no flags (must be 0)",
    ),
    (
        "process_vm_readv_flags",
        "Linux 6.18 defines no flags (must be 0)",
    ),
    (
        "process_vm_writev_flags",
        "Linux 6.18 defines no flags (must be 0)",
    ),
    (
        "sched_getattr_flags",
        "Linux 6.18 defines no flags (must be 0)",
    ),
    (
        "sched_setattr_flags",
        "Linux 6.18 defines no flags (must be 0)",
    ),
    (
        "set_mempolicy_home_node_flags",
        "Linux 6.18 defines no flags (must be 0)",
    ),
    ("statmount_flags", "Linux 6.18 defines no flags (must be 0)"),
];

const ARCHES: [Arch; 4] = [Arch::X86_64, Arch::I386, Arch::X32, Arch::Aarch64];

fn flag_sets_in_syscall_tables() -> BTreeMap<&'static str, BTreeSet<String>> {
    let mut sets: BTreeMap<&'static str, BTreeSet<String>> = BTreeMap::new();
    for arch in ARCHES {
        for sc in arch.table().entries() {
            for arg in sc.args {
                if let ArgKind::Flags { set } = arg.kind {
                    sets.entry(set)
                        .or_default()
                        .insert(format!("{}.{}", sc.name, arg.name));
                }
            }
        }
    }
    sets
}

#[test]
fn every_flag_set_named_by_a_syscall_has_a_table_or_is_allowed() {
    let used = flag_sets_in_syscall_tables();
    let allowed: BTreeMap<_, _> = WITHOUT_TABLE.iter().copied().collect();
    let missing: Vec<String> = used
        .iter()
        .filter(|(set, _)| xlat_set(set).is_none() && !allowed.contains_key(*set))
        .map(|(set, args)| {
            format!(
                "{set} ({})",
                args.iter().cloned().collect::<Vec<_>>().join(", ")
            )
        })
        .collect();
    assert!(
        missing.is_empty(),
        "flag sets without a table: {missing:#?}"
    );
    for (set, why) in WITHOUT_TABLE {
        assert!(
            xlat_set(set).is_none(),
            "{set} has a table now: drop it from WITHOUT_TABLE"
        );
        assert!(
            used.contains_key(set),
            "{set} ({why}) is no longer used by any syscall"
        );
    }
    let with_table = used.keys().filter(|s| xlat_set(s).is_some()).count();
    println!(
        "{} flag sets named by the syscall tables: {with_table} with a table, {} without ({} tables in all)",
        used.len(),
        WITHOUT_TABLE.len(),
        xlat_sets().len()
    );
}

#[test]
fn sets_are_sorted_and_names_are_unique_within_a_set() {
    let sets = xlat_sets();
    for pair in sets.windows(2) {
        assert!(
            pair[0].name < pair[1].name,
            "{} / {} out of order",
            pair[0].name,
            pair[1].name
        );
    }
    for set in sets {
        assert!(!set.entries.is_empty(), "{} is empty", set.name);
        assert!(!set.doc.is_empty(), "{} has no description", set.name);
        let mut names = BTreeSet::new();
        for e in set.entries {
            assert!(
                names.insert(e.name),
                "{}: {} listed twice",
                set.name,
                e.name
            );
        }
        assert!(set.fields.len() <= 4, "{}: too many fields", set.name);
        for e in set.entries.iter().filter(|e| e.field > 0) {
            let field = &set.fields[usize::from(e.field) - 1];
            assert_eq!(
                e.value & !field.mask,
                0,
                "{}: {} outside its field",
                set.name,
                e.name
            );
        }
        if set.kind == XlatKind::Value {
            assert!(
                set.fields.is_empty(),
                "{}: a value set has no fields",
                set.name
            );
        }
        for o in set.overrides {
            assert!(
                set.value_of(o.name).is_some(),
                "{}: override of unknown {}",
                set.name,
                o.name
            );
        }
    }
}

#[test]
fn dependent_sets_name_an_existing_parent_value() {
    for set in xlat_sets() {
        for parent in set.parents {
            let parent_set = xlat_set(parent.set)
                .unwrap_or_else(|| panic!("{}: no set {}", set.name, parent.set));
            assert!(
                parent_set.name_of(parent.value).is_some(),
                "{}: {} has no name for {:#x}",
                set.name,
                parent.set,
                parent.value
            );
            assert_eq!(
                xlat_subset(parent.set, parent.value).map(|s| s.name),
                Some(set.name)
            );
        }
    }
}

#[test]
fn signal_table_agrees_with_the_signal_names() {
    let set = xlat_set("signal").unwrap();
    for e in set.entries {
        let number = i32::try_from(e.value).unwrap();
        let name = syscalls::signal_name(number).unwrap();
        // strace prints SIGIO for 29 (SIGPOLL is its alias) and SIGABRT for 6 (SIGIOT).
        assert_eq!(name, e.name, "signal {number}");
    }
}

/// Names whose CPython value legitimately differs from the kernel's.
const PYTHON_DIFFERS: &[(&str, &str)] = &[
    // glibc defines O_LARGEFILE as 0 on 64-bit ABIs (the kernel forces it there); strace
    // prints the kernel's bit, which a 32-bit tracee passes.
    ("O_LARGEFILE", "glibc's 64-bit value is 0"),
    // glibc's 64-bit F_*LK64 are its F_*LK (5, 6, 7); fcntl_lk64_cmd holds the kernel's
    // 32-bit commands (12, 13, 14), which only i386 tracees pass.
    ("F_GETLK64", "glibc's 64-bit value is F_GETLK's"),
    ("F_SETLK64", "glibc's 64-bit value is F_SETLK's"),
    ("F_SETLKW64", "glibc's 64-bit value is F_SETLKW's"),
];

/// Every integer constant of CPython's system modules: name -> values seen.
fn python_constants(python: &Path) -> BTreeMap<String, BTreeSet<i128>> {
    const SCRIPT: &str = r#"
import os, socket, signal, mmap, fcntl, select, resource, time, termios, errno
for mod in (os, socket, signal, mmap, fcntl, select, resource, time, termios):
    for name in dir(mod):
        value = getattr(mod, name)
        if name.isupper() and isinstance(value, int) and not isinstance(value, bool):
            print(name, int(value))
"#;
    let out = Command::new(python)
        .arg("-c")
        .arg(SCRIPT)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "python3 failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut map: BTreeMap<String, BTreeSet<i128>> = BTreeMap::new();
    for line in String::from_utf8(out.stdout).unwrap().lines() {
        let (name, value) = line.split_once(' ').unwrap();
        map.entry(name.to_string())
            .or_default()
            .insert(value.parse().unwrap());
    }
    map
}

#[test]
fn values_agree_with_python() {
    let Some(python) = require(PYTHON3) else {
        return;
    };
    let python = python_constants(&python);
    let differs: BTreeMap<_, _> = PYTHON_DIFFERS.iter().copied().collect();
    let mut checked = BTreeSet::new();
    let mut mismatches = Vec::new();
    for set in xlat_sets() {
        let mask = set.width_mask();
        for e in set.entries {
            let Some(values) = python.get(e.name) else {
                continue;
            };
            if differs.contains_key(e.name) {
                continue;
            }
            let ours = e.value & mask;
            if !values.iter().any(|&v| (v as u64) & mask == ours) {
                mismatches.push(format!(
                    "{}: {} = {:#x}, python says {:?}",
                    set.name, e.name, ours, values
                ));
            }
            checked.insert(e.name);
        }
    }
    println!("{} constants compared with python3", checked.len());
    assert!(mismatches.is_empty(), "{mismatches:#?}");
    assert!(
        checked.len() > 400,
        "only {} constants compared: the comparison lost its reach",
        checked.len()
    );
    for name in [
        "O_CLOEXEC",
        "MAP_ANONYMOUS",
        "SO_REUSEADDR",
        "TCP_NODELAY",
        "WNOHANG",
        "SIGCHLD",
        "TIOCGWINSZ",
        "RLIMIT_NOFILE",
        "CLOCK_MONOTONIC",
        "EPOLLIN",
        "F_SETFD",
    ] {
        assert!(checked.contains(name), "{name} was not compared");
    }
    for (name, _) in PYTHON_DIFFERS {
        assert!(
            python.contains_key(*name),
            "{name} no longer differs: drop it"
        );
    }
}

#[test]
fn generated_tables_match_the_set_files() {
    // The checked-in Rust must list exactly what crates/syscalls/xlat/*.in lists, in the same
    // order: a hand edit of one without regenerating (scripts/gen-xlat) shows up here.
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("xlat");
    let mut files = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "in") {
            continue;
        }
        files += 1;
        let name = path.file_stem().unwrap().to_str().unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let listed: Vec<&str> = text
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
            .map(|l| l.split_whitespace().next().unwrap())
            .collect();
        let kind = if text.lines().any(|l| l.trim() == "#kind flags") {
            XlatKind::Flags
        } else {
            XlatKind::Value
        };
        let set = xlat_set(name).unwrap_or_else(|| panic!("{name}.in has no generated table"));
        let generated: Vec<&str> = set.entries.iter().map(|e| e.name).collect();
        if set.sorted {
            // `#table ioctls`: the file's entries merged into the headers' requests, sorted
            // by value then by name (scripts/gen-ioctls).
            for name in &listed {
                assert!(
                    generated.contains(name),
                    "{name}: regenerate with scripts/gen-ioctls"
                );
            }
            assert!(
                set.entries
                    .windows(2)
                    .all(|w| (w[0].value, w[0].name) < (w[1].value, w[1].name)),
                "{name}: entries not sorted by value then name"
            );
        } else {
            assert_eq!(
                generated, listed,
                "{name}: regenerate with scripts/gen-xlat"
            );
        }
        assert_eq!(set.kind, kind, "{name}: kind differs from its .in file");
    }
    assert_eq!(
        files,
        xlat_sets().len(),
        "a generated table has no .in file"
    );
}
