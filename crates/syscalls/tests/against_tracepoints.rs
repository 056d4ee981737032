//! Every x86_64 arity agrees with the running kernel's syscall tracepoint formats
//! (/sys/kernel/tracing/events/syscalls/sys_enter_*/format); syscalls without a
//! tracepoint are listed.

mod common;

use common::skip_or_fail;
use std::fs;
use std::path::Path;
use std::process::Command;
use syscalls::Arch;

const EVENTS: &str = "/sys/kernel/tracing/events/syscalls";

/// Tracepoints named after the kernel function rather than the syscall.
fn syscall_name(tracepoint: &str) -> &str {
    match tracepoint {
        "newstat" => "stat",
        "newlstat" => "lstat",
        "newfstat" => "fstat",
        "newuname" => "uname",
        "sendfile64" => "sendfile",
        "umount" => "umount2",
        other => other,
    }
}

/// Mounts tracefs if a fresh machine has not; says loudly why the test cannot run.
fn tracepoints_available() -> bool {
    if !Path::new(EVENTS).exists() {
        let _ = Command::new("mount")
            .args(["-t", "tracefs", "tracefs", "/sys/kernel/tracing"])
            .status();
    }
    let ok = Path::new(EVENTS).exists() && Arch::native() == Arch::X86_64;
    if !ok {
        skip_or_fail(&format!(
            "{EVENTS} unavailable (needs root, tracefs and an x86_64 kernel)"
        ));
    }
    ok
}

/// The number of argument fields in a sys_enter format file.
fn arity_of(format: &str) -> usize {
    format
        .lines()
        .filter(|l| l.trim_start().starts_with("field:"))
        .filter(|l| !l.contains("common_") && !l.contains("__syscall_nr"))
        .count()
}

#[test]
fn x86_64_arities_agree_with_kernel_tracepoints() {
    if !tracepoints_available() {
        return;
    }
    let table = Arch::X86_64.table();
    let mut checked = 0;
    let mut mismatches = Vec::new();
    let mut unknown_to_us = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for entry in fs::read_dir(EVENTS).unwrap() {
        let entry = entry.unwrap();
        let dir = entry.file_name().to_string_lossy().to_string();
        let Some(tp) = dir.strip_prefix("sys_enter_") else {
            continue;
        };
        let name = syscall_name(tp);
        let format = fs::read_to_string(entry.path().join("format")).unwrap();
        match table.lookup_name(name) {
            Some(s) => {
                checked += 1;
                seen.insert(s.name);
                if s.arity() != arity_of(&format) {
                    mismatches.push(format!(
                        "{name}: ours {}, kernel {}",
                        s.arity(),
                        arity_of(&format)
                    ));
                }
            }
            None => unknown_to_us.push(name.to_string()),
        }
    }
    let without: Vec<&str> = table
        .entries()
        .iter()
        .map(|s| s.name)
        .filter(|n| !seen.contains(n))
        .collect();
    eprintln!("checked {checked} x86_64 arities against tracepoints");
    eprintln!(
        "x86_64 syscalls without a tracepoint on this kernel ({}): {}",
        without.len(),
        without.join(" ")
    );
    assert!(
        unknown_to_us.is_empty(),
        "tracepoints for syscalls we lack: {unknown_to_us:?}"
    );
    assert!(checked > 340, "only {checked} tracepoints matched");
    assert!(
        mismatches.is_empty(),
        "arity mismatches:\n{}",
        mismatches.join("\n")
    );
}
