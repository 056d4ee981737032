//! The layout of every mirrored struct, checked against the BTF of the compiled object:
//! the C compiler's own account of sizes and offsets.

use super::*;
use std::collections::HashMap;
use std::mem::{offset_of, size_of};

/// A struct as BTF describes it: its size and its members' byte offsets.
struct BtfStruct {
    size: usize,
    members: HashMap<String, usize>,
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().unwrap())
}

/// Every named struct in a `.BTF` section (the subset of the format a struct needs).
fn btf_structs(btf: &[u8]) -> HashMap<String, BtfStruct> {
    assert_eq!(u16::from_le_bytes([btf[0], btf[1]]), 0xeb9f, "BTF magic");
    let hdr_len = u32_at(btf, 4) as usize;
    let (type_off, type_len) = (u32_at(btf, 8) as usize, u32_at(btf, 12) as usize);
    let str_off = u32_at(btf, 16) as usize;
    let strings = &btf[hdr_len + str_off..];
    let name = |off: u32| {
        let s = &strings[off as usize..];
        String::from_utf8_lossy(&s[..s.iter().position(|&c| c == 0).unwrap()]).into_owned()
    };
    let types = &btf[hdr_len + type_off..hdr_len + type_off + type_len];
    let mut out = HashMap::new();
    let mut at = 0;
    while at < types.len() {
        let (name_off, info) = (u32_at(types, at), u32_at(types, at + 4));
        let size = u32_at(types, at + 8);
        let (vlen, kind, kind_flag) = ((info & 0xffff) as usize, (info >> 24) & 0x1f, info >> 31);
        at += 12;
        let extra = match kind {
            1 | 14 | 17 => 4,
            3 => 12,
            4 | 5 | 15 | 19 => 12 * vlen,
            6 | 13 => 8 * vlen,
            _ => 0,
        };
        if kind == 4 && name_off != 0 {
            let members = (0..vlen)
                .map(|i| {
                    let m = at + 12 * i;
                    let bits = u32_at(types, m + 8);
                    let bits = if kind_flag == 1 {
                        bits & 0xff_ffff
                    } else {
                        bits
                    };
                    (name(u32_at(types, m)), (bits / 8) as usize)
                })
                .collect();
            let size = size as usize;
            out.insert(name(name_off), BtfStruct { size, members });
        }
        at += extra;
    }
    out
}

fn object_btf() -> HashMap<String, BtfStruct> {
    use object::{Object, ObjectSection};
    let file = object::File::parse(crate::WATCH_OBJECT).expect("the embedded object is ELF");
    let section = file
        .section_by_name(".BTF")
        .expect("the object carries BTF");
    btf_structs(section.data().unwrap())
}

macro_rules! check {
    ($structs:expr, $c:literal, $rust:ty, [$($field:ident),* $(,)?]) => {{
        let s = $structs.get($c).unwrap_or_else(|| panic!("struct {} not in the BTF", $c));
        assert_eq!(s.size, size_of::<$rust>(), "size of struct {}", $c);
        $(
            assert_eq!(
                s.members.get(stringify!($field)).copied(),
                Some(offset_of!($rust, $field)),
                "offset of {}.{}", $c, stringify!($field)
            );
        )*
        assert_eq!(s.members.len(), [$(stringify!($field)),*].len(), "members of struct {}", $c);
    }};
}

#[test]
fn every_mirrored_struct_matches_the_compiled_objects_layout() {
    let structs = object_btf();
    check!(structs, "sf_cmp", Cmp, [op, value]);
    check!(structs, "comm_key", CommKey, [comm]);
    check!(
        structs,
        "sf_config",
        Config,
        [
            scope,
            self_tgid,
            all_syscalls,
            n_uid_cmp,
            uid_cmp,
            lifecycle,
            has_watchers,
            new_cgroups,
            follow,
            new_pids,
            exe_patterns,
            exec_env,
            comm_patterns,
            comm_pat
        ]
    );
    check!(structs, "sf_comm_pattern", CommPattern, [how, len, s]);
    check!(structs, "sf_stat", Stat, [calls, errors, ns, unfinished]);
    check!(structs, "sf_socketcall", SocketCall, [nr, nargs]);
    check!(
        structs,
        "sf_msghdr_cap",
        MsghdrCapture,
        [hdr, name, control, namelen_in, name_len, control_len, flags]
    );
    check!(
        structs,
        "sf_header",
        Header,
        [
            ts_ns, cgroup_id, kind, pid, tid, ppid, uid, gid, mntns, pidns, comm
        ]
    );
    check!(
        structs,
        "sf_proc_event",
        ProcEvent,
        [h, other_pid, other_tid, code, detail, siginfo]
    );
    check!(structs, "sf_pattern", Pattern, [ino, dev, how, len, pad, s]);
    check!(
        structs,
        "sf_exec_event",
        ExecEvent,
        [
            h,
            old_pid,
            argc,
            envc,
            filename_len,
            argv_len,
            argv_state,
            env_len,
            env_state,
            interp,
            pad,
            filename,
            argv,
            env
        ]
    );
    check!(
        structs,
        "sf_cgroup_event",
        CgroupEvent,
        [h, id, path_len, pad, path]
    );
    check!(
        structs,
        "sf_io_uring_event",
        IoUringEvent,
        [
            h,
            user_data,
            duration_ns,
            res,
            fd,
            opcode,
            open_flags,
            path_len,
            path_state,
            sq_thread,
            pad,
            path
        ]
    );
    check!(
        structs,
        "sf_syscall_event",
        SyscallEvent,
        [
            h,
            duration_ns,
            args,
            ret,
            nr,
            abi,
            cap_kind,
            cap_arg,
            cap_state,
            cap_len,
            flags,
            pad,
            cap,
            cap2_kind,
            cap2_arg,
            cap2_state,
            cap2_len,
            cap2,
            cap3_kind,
            cap3_arg,
            cap3_state,
            cap3_len,
            cap3
        ]
    );
    check!(
        structs,
        "sf_capture_plan",
        CapturePlan,
        [how, how2, how3, pad]
    );
}

/// A zeroed syscall record, as one sent without its captures reads.
fn empty_syscall() -> SyscallEvent {
    read_syscall(&[0u8; SYSCALL_HEAD]).unwrap()
}

/// recvmsg's message header capture: the header, its name and its control at their
/// addresses, the second capture's iovec array at msg_iov with its buffer's start; and
/// the header as it went in, its msg_namelen the one kept at entry.
#[test]
fn a_message_header_capture_serves_each_part_at_its_address() {
    let mut e = empty_syscall();
    e.args[1] = 0x1000;
    (e.cap_kind, e.cap_arg, e.cap_state, e.cap_len) = (cap_kind::MSGHDR, 1, cap_state::OK, 56);
    // name, namelen, iov, iovlen, control, controllen, flags
    for (k, v) in [0x2000u64, 16, 0x3000, 1, 0x4000, 24, 0]
        .into_iter()
        .enumerate()
    {
        e.cap[8 * k..8 * k + 8].copy_from_slice(&v.to_le_bytes());
    }
    let m = std::mem::offset_of!(MsghdrCapture, namelen_in);
    e.cap[m..m + 4].copy_from_slice(&128u32.to_le_bytes());
    e.cap[offset_of!(MsghdrCapture, name_len)] = 16;
    e.cap[offset_of!(MsghdrCapture, control_len)] = 24;
    e.cap[offset_of!(MsghdrCapture, flags)] = (MSG_WRITTEN | MSG_NAMELEN_IN) as u8;
    (e.cap2_kind, e.cap2_arg, e.cap2_state, e.cap2_len) = (cap_kind::MSG_IOV, 1, cap_state::OK, 1);
    e.cap2[..8].copy_from_slice(&0x5000u64.to_le_bytes());
    e.cap2[8..16].copy_from_slice(&100u64.to_le_bytes());
    e.cap[NAME_AT..NAME_AT + 16].fill(b'n');
    // As the reader takes it from the ring: the buffers whole, cap_len not their length.
    // SAFETY: the record's own bytes, plain data, read while it lives.
    let bytes = unsafe {
        std::slice::from_raw_parts(
            (&e as *const SyscallEvent).cast::<u8>(),
            size_of::<SyscallEvent>(),
        )
    };
    let mut e = read_syscall(bytes).unwrap();
    assert_eq!(e.segments()[1].1, [b'n'; 16], "the name");
    let pieces: Vec<(u64, usize, bool)> = e
        .segments()
        .into_iter()
        .map(|(at, bytes, whole)| (at, bytes.len(), whole))
        .collect();
    assert_eq!(
        pieces,
        [
            (0x1000, 56, true),
            (0x2000, 16, true),
            (0x4000, 24, true),
            (0x3000, 16, true),
            (0x5000, cap_kind::IOV_DATA, false)
        ]
    );
    assert_eq!(e.captured(), None, "the header is not served as one piece");
    assert_eq!(e.captured2(), None, "nor the iovec capture");
    let (at, hdr) = e.msghdr_in().unwrap();
    let hdr = hdr.unwrap();
    assert_eq!((at, hdr.len()), (0x1000, 56));
    assert_eq!(u32_at(&hdr, 8), 128, "msg_namelen as it went in");
    assert_eq!(hdr[16..], e.cap[16..56], "the rest as at exit");
    // The entry's read failed: the header as it went in is unknown.
    e.cap[offset_of!(MsghdrCapture, flags)] = MSG_WRITTEN as u8;
    assert_eq!(e.msghdr_in(), Some((0x1000, None)));
    // sendmsg's is not written back: read at entry as at exit.
    e.cap[offset_of!(MsghdrCapture, flags)] = 0;
    assert_eq!(e.msghdr_in(), None);
}

/// A record's bytes as the ring holds them, `len` of them.
fn ring_bytes(e: &SyscallEvent, len: usize) -> Vec<u8> {
    // SAFETY: the record's own bytes, plain data, read while it lives.
    let bytes = unsafe {
        std::slice::from_raw_parts(
            (e as *const SyscallEvent).cast::<u8>(),
            size_of::<SyscallEvent>(),
        )
    };
    bytes[..len].to_vec()
}

/// mount's target, the third capture: read from a record sent whole, and absent from
/// one that stops before it (SF_SYSCALL_TWO bytes), whatever the ring held there.
#[test]
fn a_third_capture_is_read_when_the_record_carries_it() {
    let mut e = empty_syscall();
    e.args[1] = 0x7000;
    (e.cap3_kind, e.cap3_arg, e.cap3_state, e.cap3_len) = (cap_kind::STR, 1, cap_state::OK, 7);
    e.cap3[..7].copy_from_slice(b"/mnt/t\0");
    let whole = read_syscall(&ring_bytes(&e, size_of::<SyscallEvent>())).unwrap();
    assert_eq!(whole.captured3(), Some((1, &b"/mnt/t\0"[..])));
    e.cap3_state = cap_state::PART;
    let part = read_syscall(&ring_bytes(&e, size_of::<SyscallEvent>())).unwrap();
    assert_eq!(part.parts(), [0x7000], "a part's address");
    let two = read_syscall(&ring_bytes(&e, SYSCALL_TWO)).unwrap();
    assert_eq!((two.cap3_kind, two.captured3()), (cap_kind::NONE, None));
    assert_eq!(two.cap3, [0; CAP_MAX]);
}
