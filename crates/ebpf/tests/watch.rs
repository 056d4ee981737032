//! The probes in the kernel, as root: the scope is applied in the kernel (other tasks'
//! calls are counted as filtered there, never sent), the selection too, and a watched
//! program's openat arrives with its path, pid, uid and comm.

use ebpf::{Lifecycle, Record, Scope, Watcher, arch_of};
use std::time::{Duration, Instant};
use syscalls::Arch;

/// A copy of /bin/cat under a comm no other process has.
fn unique_program(dir: &std::path::Path, name: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::copy("/bin/cat", &path).unwrap();
    path
}

#[test]
fn a_scoped_programs_open_arrives_with_its_path_and_others_are_dropped_in_the_kernel() {
    let dir = tempfile::tempdir().unwrap();
    let comm = format!("sfw{}", std::process::id() % 100_000);
    let program = unique_program(dir.path(), &comm);
    let target = dir.path().join("the-file-it-opens");
    std::fs::write(&target, "x").unwrap();
    let scope = Scope {
        comms: vec![comm.clone()],
        ..Default::default()
    };
    let openat = Arch::X86_64.table().lookup_name("openat").unwrap().nr;
    let only_openat = move |arch: Arch, nr: u32| arch == Arch::X86_64 && nr == openat;
    // openat's path, as the decoders read it.
    let plan = |_: Arch, _: u32| {
        vec![events::PlannedRead {
            arg: 1,
            read: events::ArgRead::Str,
            at_entry: false,
        }]
    };
    let mut watcher = Watcher::start(&scope, Some(&only_openat), Lifecycle::default(), &plan)
        .expect("probes load as root");
    let child = std::process::Command::new(&program)
        .arg(&target)
        .output()
        .unwrap();
    assert!(child.status.success());
    // Opens of another comm (cat's): selected, out of scope, dropped in the kernel.
    let other = std::process::Command::new("cat")
        .arg(&target)
        .output()
        .unwrap();
    assert!(other.status.success());
    let mut seen = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        watcher
            .poll(Duration::from_millis(100), |r| {
                if let Record::Syscall(e) = r {
                    seen.push(*e)
                }
            })
            .unwrap();
        if seen
            .iter()
            .any(|e| e.captured() == Some(target.as_os_str().as_encoded_bytes()))
        {
            break;
        }
    }
    let open = seen
        .iter()
        .find(|e| e.captured() == Some(target.as_os_str().as_encoded_bytes()))
        .unwrap_or_else(|| panic!("no openat of {} in {} events", target.display(), seen.len()));
    assert_eq!(open.h.comm(), comm);
    assert_eq!(arch_of(open.abi), Some(Arch::X86_64));
    assert_eq!(open.nr, openat);
    assert_eq!(open.h.uid, 0);
    assert!(open.ret >= 0, "{open:?}");
    assert!(seen.iter().all(|e| e.h.comm() == comm && e.nr == openat));
    let c = watcher.counters();
    assert!(
        c.filtered > 0,
        "other tasks' calls were dropped in the kernel: {c:?}"
    );
    assert!(c.unselected > 0, "its other calls too: {c:?}");
    assert_eq!(c.lost, 0);
    assert_eq!(c.sent as usize, seen.len(), "{c:?}");
}
