//! Every (arch, name, number) of the knowledge base agrees with libseccomp's
//! `scmp_sys_resolver`, in both directions; names one side lacks are listed.

mod common;

use common::{SCMP_SYS_RESOLVER, require};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::thread;
use syscalls::Arch;

/// Runs `RESOLVER -a ARCH QUERY` for many queries on a few threads.
fn resolve_all(resolver: &Path, arch: Arch, queries: Vec<String>) -> BTreeMap<String, String> {
    let chunks: Vec<Vec<String>> = queries.chunks(64).map(<[String]>::to_vec).collect();
    let handles: Vec<_> = chunks
        .into_iter()
        .map(|chunk| {
            let resolver = resolver.to_path_buf();
            thread::spawn(move || {
                chunk
                    .into_iter()
                    .map(|q| {
                        let out = Command::new(&resolver)
                            .args(["-a", arch.libseccomp_name(), &q])
                            .output()
                            .expect("run scmp_sys_resolver");
                        let answer = String::from_utf8_lossy(&out.stdout).trim().to_string();
                        (q, answer)
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    handles
        .into_iter()
        .flat_map(|h| h.join().expect("resolver thread"))
        .collect()
}

#[test]
fn numbers_agree_with_libseccomp_on_every_arch() {
    let Some(resolver) = require(SCMP_SYS_RESOLVER) else {
        return;
    };
    let mut mismatches = Vec::new();
    for arch in Arch::ALL {
        let table = arch.table();
        // The other direction: every number libseccomp names must be ours, with that name.
        let top = table.entries().last().unwrap().nr;
        let numbers: Vec<String> = (arch.nr_base()..=top + 16).map(|n| n.to_string()).collect();
        let by_number = resolve_all(&resolver, arch, numbers);
        let mut we_lack = Vec::new();
        for (nr, name) in &by_number {
            let nr: u32 = nr.parse().unwrap();
            if name.is_empty() || name == "UNKNOWN" || name.parse::<i64>().is_ok() {
                continue;
            }
            match table.lookup_nr(nr) {
                Some(s) if s.name == name => {}
                Some(s) => mismatches.push(format!(
                    "{arch} {nr:#x}: ours {}, libseccomp {name}",
                    s.name
                )),
                None => we_lack.push(format!("{name}={nr:#x}")),
            }
        }
        let names: Vec<String> = table.entries().iter().map(|s| s.name.to_string()).collect();
        let by_name = resolve_all(&resolver, arch, names);
        let mut libseccomp_lacks = Vec::new();
        for s in table.entries() {
            match by_name[s.name].parse::<i64>() {
                Ok(n) if n >= 0 => {
                    if n != i64::from(s.nr) {
                        mismatches.push(format!(
                            "{arch} {}: ours {:#x}, libseccomp {n:#x}",
                            s.name, s.nr
                        ));
                    }
                }
                // i386 socket and IPC calls resolve to libseccomp's socketcall/ipc
                // pseudo numbers by name; by number they must still be ours.
                _ if by_number.get(&s.nr.to_string()).map(String::as_str) == Some(s.name) => {}
                _ => libseccomp_lacks.push(s.name),
            }
        }
        eprintln!(
            "{arch}: {} syscalls; libseccomp 2.5 lacks {}: {}",
            table.entries().len(),
            libseccomp_lacks.len(),
            libseccomp_lacks.join(" ")
        );
        eprintln!(
            "{arch}: numbers libseccomp has and we lack: {}",
            we_lack.join(" ")
        );
        assert!(we_lack.is_empty(), "{arch}: missing syscalls {we_lack:?}");
    }
    assert!(
        mismatches.is_empty(),
        "{} mismatches:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}
