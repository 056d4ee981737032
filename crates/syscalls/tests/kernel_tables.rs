//! The x86 tables of the knowledge base against the kernel's own: every x86_64, x32 and
//! i386 number and name as Linux 6.18's `arch/x86/entry/syscalls/syscall_{64,32}.tbl`
//! give them (`tests/data/`, see their headers). In `syscall_64.tbl` an entry of ABI
//! `common` belongs to x86_64 and x32, `64` to x86_64 only, `x32` to x32 only (at its
//! number | 0x40000000); every entry of `syscall_32.tbl` is i386's.

use std::collections::BTreeMap;
use syscalls::Arch;

/// Bit 30: x32 numbers as seccomp sees them.
const X32_BIT: u32 = 0x4000_0000;

/// (number, ABI column, name) of every entry of one table file.
fn entries(file: &str) -> Vec<(u32, String, String)> {
    let path = format!("{}/tests/data/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let mut cols = l.split_whitespace();
            let mut next = || {
                cols.next()
                    .unwrap_or_else(|| panic!("{file}: short line {l:?}"))
            };
            let nr = next()
                .parse()
                .unwrap_or_else(|_| panic!("{file}: bad number in {l:?}"));
            (nr, next().to_string(), next().to_string())
        })
        .collect()
}

/// The kernel's (number → name) map for one ABI.
fn kernel(arch: Arch) -> BTreeMap<u32, String> {
    let (file, abis, base): (&str, &[&str], u32) = match arch {
        Arch::X86_64 => ("syscall_64.tbl", &["common", "64"], 0),
        Arch::X32 => ("syscall_64.tbl", &["common", "x32"], X32_BIT),
        Arch::I386 => ("syscall_32.tbl", &["i386"], 0),
        Arch::Aarch64 => unreachable!("not an x86 table"),
    };
    entries(file)
        .into_iter()
        .filter(|(_, abi, _)| abis.contains(&abi.as_str()))
        .map(|(nr, _, name)| (nr | base, name))
        .collect()
}

/// Every (number, ours, kernel's) where the knowledge base and the kernel differ.
fn differences(arch: Arch) -> Vec<(u32, Option<&'static str>, Option<String>)> {
    let theirs = kernel(arch);
    let ours: BTreeMap<u32, &'static str> = arch
        .table()
        .entries()
        .iter()
        .map(|s| (s.nr, s.name))
        .collect();
    let numbers: std::collections::BTreeSet<u32> =
        ours.keys().chain(theirs.keys()).copied().collect();
    numbers
        .into_iter()
        .filter(|nr| ours.get(nr).copied() != theirs.get(nr).map(String::as_str))
        .map(|nr| (nr, ours.get(&nr).copied(), theirs.get(&nr).cloned()))
        .collect()
}

#[test]
fn every_x86_entry_has_the_kernels_number_name_and_abi() {
    for arch in [Arch::X86_64, Arch::X32, Arch::I386] {
        let diffs = differences(arch);
        assert!(
            diffs.is_empty(),
            "{arch}: {} entries differ from the kernel's table (number, ours, kernel's): {diffs:x?}",
            diffs.len()
        );
        eprintln!(
            "{arch}: {} entries, all as the kernel's table has them",
            arch.table().entries().len()
        );
    }
}

#[test]
fn the_abi_column_decides_x32_membership() {
    // "64" entries are x86_64's alone; "common" ones x32's too, at number | bit 30.
    let x32 = Arch::X32.table();
    for (nr, abi, name) in entries("syscall_64.tbl") {
        let found = x32.lookup_nr(nr | X32_BIT).map(|s| s.name);
        match abi.as_str() {
            "64" => assert_eq!(found, None, "x32 must not have {name} at {nr}"),
            "common" | "x32" => assert_eq!(found, Some(name.as_str()), "x32 {nr}"),
            other => panic!("unknown ABI column {other:?} for {name}"),
        }
    }
    // Linux 6.18 gives map_shadow_stack, uretprobe and uprobe to x32 as well.
    for (name, nr) in [
        ("map_shadow_stack", 453),
        ("uretprobe", 335),
        ("uprobe", 336),
    ] {
        assert_eq!(x32.lookup_name(name).map(|s| s.nr), Some(nr | X32_BIT));
    }
}
