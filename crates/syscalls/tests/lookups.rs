//! The knowledge base answers the questions the rest of sysfence asks of it.

use syscalls::{Arch, ArgKind, Class};

#[test]
fn finds_syscalls_by_name_and_number_on_each_arch() {
    assert_eq!(Arch::X86_64.table().lookup_name("openat").unwrap().nr, 257);
    assert_eq!(Arch::I386.table().lookup_nr(5).unwrap().name, "open");
    assert_eq!(
        Arch::X32.table().lookup_name("openat").unwrap().nr,
        0x4000_0101
    );
    assert_eq!(Arch::Aarch64.table().lookup_name("openat").unwrap().nr, 56);
    assert!(Arch::Aarch64.table().lookup_name("open").is_none());
}

#[test]
fn x32_uses_its_own_numbers_for_the_legacy_range() {
    let x32 = Arch::X32.table();
    assert_eq!(x32.lookup_name("rt_sigaction").unwrap().nr, 0x4000_0200);
    assert!(
        x32.lookup_nr(0x4000_000d).is_none(),
        "13 is rt_sigaction only for x86_64"
    );
}

#[test]
fn x32_compat_calls_are_512_and_up_and_every_i386_call_is_one() {
    let x32 = Arch::X32.table();
    let compat = |name: &str| Arch::X32.is_compat_call(x32.lookup_name(name).unwrap().nr);
    for name in ["rt_sigaction", "writev", "execve", "io_submit", "pwritev2"] {
        assert!(compat(name), "x32 {name}");
    }
    for name in ["openat", "nanosleep", "stat", "read"] {
        assert!(!compat(name), "x32 {name}");
    }
    assert!(Arch::I386.is_compat_call(146));
    assert!(!Arch::X86_64.is_compat_call(20));
}

#[test]
fn argument_kinds_describe_how_to_decode() {
    let openat = Arch::X86_64.table().lookup_name("openat").unwrap();
    let kinds: Vec<ArgKind> = openat.args.iter().map(|a| a.kind).collect();
    assert_eq!(
        kinds,
        [
            ArgKind::Dirfd,
            ArgKind::Path,
            ArgKind::Flags { set: "open_flags" },
            ArgKind::Mode
        ]
    );
    let read = Arch::X86_64.table().lookup_name("read").unwrap();
    assert_eq!(read.args[1].kind, ArgKind::OutBuf { len_arg: 2 });
    let write = Arch::X86_64.table().lookup_name("write").unwrap();
    assert_eq!(write.args[1].kind, ArgKind::Buf { len_arg: 2 });
}

#[test]
fn i386_splits_64_bit_values_over_two_registers() {
    let pread = Arch::I386.table().lookup_name("pread64").unwrap();
    assert_eq!(pread.arity(), 5);
    assert_eq!(pread.args[3].kind, ArgKind::Lo32);
    assert_eq!(pread.args[4].kind, ArgKind::Hi32);
    assert_eq!(
        Arch::X86_64.table().lookup_name("pread64").unwrap().arity(),
        4
    );
}

#[test]
fn clone_argument_order_differs_by_arch() {
    let order = |arch: Arch| -> Vec<&str> {
        let clone = arch.table().lookup_name("clone").unwrap();
        clone.args.iter().map(|a| a.name).collect()
    };
    assert_eq!(order(Arch::X86_64)[3..], ["child_tidptr", "tls"]);
    assert_eq!(order(Arch::I386)[3..], ["tls", "child_tidptr"]);
    assert_eq!(order(Arch::Aarch64)[3..], ["tls", "child_tidptr"]);
}

#[test]
fn classes_match_strace() {
    let table = Arch::X86_64.table();
    let network: Vec<&str> = table.in_class(Class::Network).map(|s| s.name).collect();
    for name in ["socket", "connect", "accept4", "sendmsg", "recvmsg", "bind"] {
        assert!(network.contains(&name), "{name} not in %network");
    }
    assert!(!network.contains(&"openat"));
    let openat = table.lookup_name("openat").unwrap();
    assert!(openat.classes.contains(Class::File) && openat.classes.contains(Class::Desc));
    let getpid = table.lookup_name("getpid").unwrap();
    assert!(getpid.classes.contains(Class::Pure));
    assert_eq!("%net".parse::<Class>().unwrap(), Class::Network);
    assert_eq!("%%stat".parse::<Class>().unwrap(), Class::StatLike);
}

#[test]
fn tables_are_sorted_unique_and_stop_at_linux_6_18() {
    for arch in Arch::ALL {
        let entries = arch.table().entries();
        assert!(
            entries.windows(2).all(|w| w[0].nr < w[1].nr),
            "{arch} not sorted"
        );
        assert!(entries.iter().all(|s| s.nr & 0x4000_0000 == arch.nr_base()));
        assert!(
            arch.table().lookup_name("file_setattr").is_some(),
            "{arch} lacks 6.17's file_setattr"
        );
        assert!(
            arch.table().lookup_name("listns").is_none(),
            "{arch} has 6.19's listns"
        );
    }
}

#[test]
fn every_length_argument_index_is_in_range() {
    for arch in Arch::ALL {
        for s in arch.table().entries() {
            for arg in s.args {
                if let ArgKind::Buf { len_arg } | ArgKind::OutBuf { len_arg } = arg.kind {
                    assert!(
                        (len_arg as usize) < s.arity(),
                        "{arch} {}: {}",
                        s.name,
                        arg.name
                    );
                }
            }
            assert!(s.arity() <= 6, "{arch} {} has {} args", s.name, s.arity());
        }
    }
}

#[test]
fn suggests_close_names_for_typos() {
    assert_eq!(Arch::X86_64.table().suggest("openatt")[0], "openat");
}
