//! Sockets: socket's protocol, socket options (their names and values: ints, linger,
//! ucred, ip_mreq, socket filters), `struct msghdr` and `struct mmsghdr` with their names,
//! iovecs and control messages.

use super::basic::{ArgPlan, in_struct, layout, le_word, le64, mem_u32};
use super::decoder::{CallView, Decoder};
use super::iovec::{IOV_MAX_ITEMS, IovPlan, capture_iov};
use super::sockaddr::{AF_PACKET, htons_protocol, inet_addr, sockaddr};
use crate::escape::Hex;
use crate::prim::{Layout, u16_at, u32_at};
use crate::prim::{bracket_list, ptr, set_text, styled};
use crate::specs::Fmt;
use crate::xlat::{Style, hex};
use events::{Capture, Mem, MemReader};

impl Decoder {
    /// Argument `i` in a socket format: a protocol, an address, an option's name or value,
    /// a message header or an array of them.
    pub(super) fn net_arg(&self, fmt: Fmt, i: usize, v: &CallView<'_>) -> Option<String> {
        let raw = v.arg(i);
        let st = self.opts.style;
        let l = layout(v.entry);
        Some(match fmt {
            Fmt::SockoptName => {
                // SOL_SOCKET's option 26 is SO_ATTACH_FILTER to setsockopt, SO_GET_FILTER
                // to getsockopt.
                let own = match self.name(v.entry.arch, v.entry.nr).as_str() {
                    "getsockopt" => "sockopt_socket_get",
                    _ => "sockopt_socket_set",
                };
                let own_name = syscalls::xlat_set(own).and_then(|s| s.name_of(raw));
                match (syscalls::xlat_subset("socket_level", v.arg(1)), own_name) {
                    (Some(set), Some(name))
                        if set.name == "sockopt_socket" && set.name_of(raw).is_none() =>
                    {
                        styled(name.to_string(), &hex(raw), st)
                    }
                    (Some(set), _) => set.display(raw, st).to_string(),
                    (None, _) => (raw as i32).to_string(),
                }
            }
            Fmt::SocketProto if v.arg(0) == AF_PACKET => htons_protocol(raw as u16, st),
            Fmt::SocketProto => match syscalls::xlat_subset("address_family", v.arg(0)) {
                Some(protocols) => set_text(protocols.name, raw, st),
                None => (raw as i32).to_string(),
            },
            Fmt::SockaddrIn(_) => in_struct(raw, v.entry_mem(i as u32), |b| {
                sockaddr(b, st, self.opts.hex)
            }),
            Fmt::SockaddrOut(_) => match v.exit_mem(i as u32) {
                // Nothing written (an unnamed peer): the address.
                Some(Mem::Bytes { bytes, .. }) if bytes.is_empty() => ptr(raw),
                _ => self.out_struct(raw, v, i, |b| sockaddr(b, st, self.opts.hex)),
            },
            Fmt::MsghdrIn => self.msghdr(raw, v, i, false, st),
            Fmt::SockoptOut
                if is_sockopt(
                    v.arg(1),
                    v.arg(2),
                    "SOL_SOCKET",
                    "sockopt_socket",
                    &["SO_PEERCRED"],
                ) =>
            {
                self.out_struct(raw, v, i, ucred)
            }
            Fmt::SockoptOut if is_so_linger(v.arg(1), v.arg(2)) => {
                self.out_struct(raw, v, i, linger)
            }
            Fmt::SockoptOut => {
                // The length the kernel wrote back: an int prints as one, anything else as
                // the bytes it is.
                let len = v.exit_mem(4).and_then(mem_u32);
                match (v.ok_ret(), len, v.exit_mem(i as u32)) {
                    (Some(_), Some(4), Some(m)) => {
                        mem_u32(m).map_or(ptr(raw), |x| format!("[{}]", x as i32))
                    }
                    (Some(_), Some(n), mem @ Some(Mem::Bytes { .. })) => {
                        self.buf(raw, u64::from(n), mem, false)
                    }
                    _ => ptr(raw),
                }
            }
            Fmt::MmsgvecSent(vlen) => self.mmsgvec(raw, v, i, Some(v.arg(vlen as usize)), st),
            Fmt::MmsgvecReceived(_) => self.mmsgvec(raw, v, i, None, st),
            Fmt::MsghdrOut => match (v.ok_ret(), v.entry_mem(MSG_IN_KEY + i as u32)) {
                (Some(_), _) => self.msghdr(raw, v, i, true, st),
                // After an error, strace shows the name length that went in.
                (
                    None,
                    Some(Mem::Bytes {
                        bytes,
                        complete: true,
                    }),
                ) if v.result.is_some() => {
                    format!("{{msg_namelen={}}}", msghdr_field(bytes, 1, l) as u32)
                }
                _ => ptr(raw),
            },
            Fmt::IntIn(len) => match (v.arg(len as usize), v.entry_mem(i as u32)) {
                (
                    4,
                    Some(Mem::Bytes {
                        bytes,
                        complete: true,
                    }),
                ) => {
                    format!(
                        "[{}]",
                        i32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]])
                    )
                }
                (
                    8,
                    Some(Mem::Bytes {
                        bytes,
                        complete: true,
                    }),
                ) if is_so_linger(v.arg(1), v.arg(2)) => linger(bytes),
                (
                    8..,
                    Some(Mem::Bytes {
                        bytes,
                        complete: true,
                    }),
                ) if is_sockopt(v.arg(1), v.arg(2), "SOL_IP", "sockopt_ip", IP_MREQ_OPTS) => {
                    ip_mreq(bytes, st, self.opts.hex)
                }
                (
                    16..,
                    Some(Mem::Bytes {
                        bytes,
                        complete: true,
                    }),
                ) if is_socket_filter(v.arg(1), v.arg(2)) => {
                    let len = u16::from_le_bytes([bytes[0], bytes[1]]);
                    // The instructions themselves under -v, as strace prints them.
                    let filter = match v.entry_mem(FPROG_KEY) {
                        Some(Mem::Bytes { bytes: insns, .. }) if self.opts.verbose => {
                            let items = insns.chunks_exact(8).map(bpf_insn);
                            self.array_text(items, u64::from(len))
                        }
                        _ => ptr(le64(bytes, 8)),
                    };
                    format!("{{len={len}, filter={filter}}}")
                }
                // Other sizes print as the bytes they are, as strace's printstr does.
                (n, mem @ Some(Mem::Bytes { .. })) => self.buf(raw, n, mem, false),
                _ => ptr(raw),
            },
            // strace's printxval_d: the name, else the number in decimal.
            Fmt::SocketcallCall => {
                let call = raw as u32 as i32;
                match syscalls::xlat_set("socketcall_call").and_then(|s| s.name_of(raw)) {
                    Some(name) => styled(name.to_string(), &call.to_string(), st),
                    None => call.to_string(),
                }
            }
            _ => unreachable!("{fmt:?} is not a format of the net family"),
        })
    }

    /// What argument `i` in a socket format needs read: an address, an option's value (a
    /// socket filter's instructions too), a message header with its parts.
    pub(super) fn plan_net(
        &self,
        fmt: Fmt,
        p: ArgPlan<'_>,
        mem: &mut dyn MemReader,
        out: &mut Vec<Capture>,
    ) -> Option<Mem> {
        let ArgPlan {
            entry,
            i,
            addr,
            at_exit,
            ok,
            l,
            ..
        } = p;
        let max = self.strsize();
        Some(match fmt {
            Fmt::SockaddrIn(len) => {
                mem.read_bytes(addr, (entry.args[len as usize] as usize).min(128))
            }
            Fmt::SockaddrOut(lenp) => {
                let len = match mem.read_bytes(entry.args[lenp as usize], 4) {
                    Mem::Bytes { bytes, .. } if bytes.len() == 4 => {
                        u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) as usize
                    }
                    _ => 0,
                };
                // The kernel writes at most the caller's buffer: strace decodes the
                // smaller of the length going in and the one coming out.
                let given = Capture::find(&entry.mem, u32::from(lenp))
                    .and_then(mem_u32)
                    .map_or(len, |n| n as usize);
                mem.read_bytes(addr, len.min(given).min(128))
            }
            Fmt::IntIn(len) => {
                let value =
                    mem.read_bytes(addr, (entry.args[len as usize] as usize).min(max.max(16)));
                // A socket filter's instructions, printed under -v.
                if let Mem::Bytes { bytes, .. } = &value
                    && self.opts.verbose
                    && bytes.len() >= 16
                    && is_socket_filter(entry.args[1], entry.args[2])
                {
                    let count = u64::from(u16::from_le_bytes([bytes[0], bytes[1]]));
                    out.push(Capture {
                        key: FPROG_KEY,
                        data: mem.read_bytes(le64(bytes, 8), 8 * self.array_shown(count)),
                    });
                }
                value
            }
            Fmt::SockoptOut
                if is_sockopt(
                    entry.args[1],
                    entry.args[2],
                    "SOL_SOCKET",
                    "sockopt_socket",
                    &["SO_PEERCRED"],
                ) =>
            {
                mem.read_bytes(addr, 12)
            }
            Fmt::SockoptOut if is_so_linger(entry.args[1], entry.args[2]) => {
                mem.read_bytes(addr, 8)
            }
            Fmt::SockoptOut => {
                let len = match mem.read_bytes(entry.args[4], 4) {
                    Mem::Bytes { bytes, .. } if bytes.len() == 4 => {
                        u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) as usize
                    }
                    _ => 0,
                };
                mem.read_bytes(addr, len.min(max.max(4)))
            }
            Fmt::MsghdrIn | Fmt::MsghdrOut => {
                let hdr = mem.read_bytes(addr, 7 * l.long);
                if fmt.at_exit() != at_exit {
                    // recvmsg's header as it went in (for `msg_namelen=110 => 16`).
                    out.push(Capture {
                        key: MSG_IN_KEY + i as u32,
                        data: hdr,
                    });
                    return None;
                }
                if let Mem::Bytes {
                    bytes,
                    complete: true,
                } = &hdr
                {
                    let left = if at_exit {
                        ok.unwrap_or(0).max(0) as u64
                    } else {
                        u64::MAX
                    };
                    let keys = MsgKeys::of_arg(i);
                    self.capture_msghdr_parts(mem, bytes, keys, left, l, out);
                }
                hdr
            }
            Fmt::MmsgvecSent(vlen) | Fmt::MmsgvecReceived(vlen) => {
                let sent = matches!(fmt, Fmt::MmsgvecSent(_));
                let n = if sent || !at_exit {
                    entry.args[vlen as usize]
                } else {
                    ok.unwrap_or(0).max(0) as u64
                };
                let arr = mem.read_bytes(addr, self.mmsg_shown(n) * mmsghdr_size(l));
                if !at_exit {
                    // recvmmsg's headers as they went in (for the name lengths).
                    out.push(Capture {
                        key: MMSG_IN_KEY,
                        data: arr,
                    });
                    return None;
                }
                if let Mem::Bytes { bytes, .. } = &arr {
                    for (e, m) in bytes.chunks_exact(mmsghdr_size(l)).enumerate() {
                        let left = if sent {
                            u64::MAX
                        } else {
                            u64::from(mmsg_len(m, l))
                        };
                        let keys = MsgKeys::of_element(e);
                        self.capture_msghdr_parts(mem, m, keys, left, l, out);
                    }
                }
                arr
            }
            _ => return None,
        })
    }

    /// A `struct msghdr`: sendmsg's at entry, recvmsg's at exit (with the name length
    /// as it went in and came out).
    fn msghdr(&self, raw: u64, v: &CallView<'_>, i: usize, out: bool, st: Style) -> String {
        let mem: &[Capture] = if out { v.exit_mem } else { &v.entry.mem };
        let Some(Mem::Bytes {
            bytes: h,
            complete: true,
        }) = Capture::find(mem, i as u32)
        else {
            return ptr(raw);
        };
        let l = layout(v.entry);
        let namelen_in = match v.entry_mem(MSG_IN_KEY + i as u32) {
            Some(Mem::Bytes { bytes, .. }) if out => Some(msghdr_field(bytes, 1, l) as u32),
            _ => None,
        };
        let total = out.then(|| v.ok_ret().unwrap_or(0).max(0) as u64);
        let parts = MsgParts {
            mem,
            keys: MsgKeys::of_arg(i),
            namelen_in,
            total,
        };
        self.msghdr_fields(h, parts, l, st)
    }

    /// The braces of a `struct msghdr` whose parts were captured as `parts` says.
    fn msghdr_fields(&self, h: &[u8], parts: MsgParts<'_>, l: Layout, st: Style) -> String {
        let field = |k: usize| msghdr_field(h, k, l);
        let name = field(0);
        let namelen = field(1) as u32;
        let name_text = match Capture::find(parts.mem, parts.keys.name) {
            Some(Mem::Bytes { bytes, .. }) if name != 0 && namelen > 0 => {
                // recvmsg writes no more of the name than its buffer holds (the length
                // that went in); past that is what was there before, as strace's
                // `msg_namelen=3 => 16` prints only the 3 bytes.
                let written = parts.namelen_in.map_or(bytes.len(), |n| n as usize);
                sockaddr(&bytes[..bytes.len().min(written)], st, self.opts.hex)
            }
            _ => ptr(name),
        };
        let namelen_text = match parts.namelen_in {
            Some(before) if before != namelen => format!("{before} => {namelen}"),
            _ => namelen.to_string(),
        };
        let iovlen = field(3);
        let iov = self.iovec_at(
            field(2),
            iovlen,
            parts.mem,
            parts.keys.iov,
            parts.keys.slot,
            parts.total,
            l.long,
        );
        let control = field(4);
        let controllen = field(5);
        let control_text = match Capture::find(parts.mem, parts.keys.control) {
            _ if controllen == 0 => String::new(),
            Some(Mem::Bytes { bytes, .. }) if control != 0 => {
                let more = controllen as usize > bytes.len();
                let fd = |n: i64| {
                    let path = u32::try_from(n)
                        .ok()
                        .and_then(|n| Capture::find(parts.mem, CMSG_FD_KEY.checked_add(n)?));
                    self.fd_text(n, path)
                };
                format!("msg_control={}, ", cmsgs(bytes, more, control, l, st, &fd))
            }
            _ => format!("msg_control={}, ", ptr(control)),
        };
        format!(
            "{{msg_name={name_text}, msg_namelen={namelen_text}, msg_iov={iov}, msg_iovlen={iovlen}, {control_text}msg_controllen={controllen}, msg_flags={}}}",
            set_text("msg_flags", field(6) as u32 as u64, st)
        )
    }

    /// How many `struct mmsghdr`s of an array of `n` to print: as print_array
    /// abbreviates, and never more than the kernel's UIO_MAXIOV, as strace.
    fn mmsg_shown(&self, n: u64) -> usize {
        self.array_shown(n).min(IOV_MAX_ITEMS)
    }

    /// sendmmsg's or recvmmsg's `struct mmsghdr` array at exit: the `sent_vlen` messages
    /// sent (each with the msg_len the kernel wrote for the ones it sent), or when that is
    /// `None` the ones received (their data up to msg_len, their name length as it went
    /// in and came out).
    fn mmsgvec(
        &self,
        raw: u64,
        v: &CallView<'_>,
        i: usize,
        sent_vlen: Option<u64>,
        st: Style,
    ) -> String {
        // A failed sendmmsg still prints its messages, none of them sent, as strace's.
        let (Some(done), Some(Mem::Bytes { bytes, .. })) =
            (v.ok_ret().or(sent_vlen.map(|_| 0)), v.exit_mem(i as u32))
        else {
            return ptr(raw);
        };
        let sent = sent_vlen.is_some();
        let l = layout(v.entry);
        let size = mmsghdr_size(l);
        let entry_headers = match v.entry_mem(MMSG_IN_KEY) {
            Some(Mem::Bytes { bytes, .. }) if !sent => Some(bytes.as_slice()),
            _ => None,
        };
        let items: Vec<String> = bytes
            .chunks_exact(size)
            .enumerate()
            .map(|(e, m)| {
                let len = mmsg_len(m, l);
                let namelen_in = entry_headers
                    .and_then(|h| h.get(e * size..(e + 1) * size))
                    .map(|h| msghdr_field(h, 1, l) as u32);
                let parts = MsgParts {
                    mem: v.exit_mem,
                    keys: MsgKeys::of_element(e),
                    namelen_in,
                    total: (!sent).then_some(u64::from(len)),
                };
                let hdr = self.msghdr_fields(m, parts, l, st);
                if (e as i64) < done {
                    format!("{{msg_hdr={hdr}, msg_len={len}}}")
                } else {
                    format!("{{msg_hdr={hdr}}}")
                }
            })
            .collect();
        let n = sent_vlen.unwrap_or(done as u64);
        let more = n as usize > items.len();
        bracket_list(items, more)
    }

    /// Captures a msghdr's name and its iov array with up to `left` bytes of the buffers
    /// (each cut at -s), under `keys`.
    fn capture_msghdr_parts(
        &self,
        mem: &mut dyn MemReader,
        h: &[u8],
        keys: MsgKeys,
        left: u64,
        l: Layout,
        out: &mut Vec<Capture>,
    ) {
        let field = |k: usize| msghdr_field(h, k, l);
        let (name, namelen) = (field(0), field(1) as u32 as usize);
        if name != 0 && namelen > 0 {
            out.push(Capture {
                key: keys.name,
                data: mem.read_bytes(name, namelen.min(128)),
            });
        }
        let plan = IovPlan {
            slot: keys.slot,
            max: self.strsize(),
            items: self.iov_items(field(3)),
            word: l.long,
        };
        let arr = capture_iov(mem, field(2), field(3), left, plan, out);
        out.push(Capture {
            key: keys.iov,
            data: arr,
        });
        let (control, controllen) = (field(4), field(5) as usize);
        if control != 0 && controllen >= cmsghdr_size(l) {
            let data = mem.read_bytes(control, controllen.min(CONTROL_MAX));
            if let Mem::Bytes { bytes, .. } = &data
                && self.opts.decode_fds
            {
                // -y: what the descriptors passed in SCM_RIGHTS refer to (the sender's at
                // entry, the receiver's new ones at exit).
                for fd in scm_rights_fds(bytes, l) {
                    let data = self.fd_capture(fd, mem);
                    out.push(Capture {
                        key: CMSG_FD_KEY + fd as u32,
                        data,
                    });
                }
            }
            out.push(Capture {
                key: keys.control,
                data,
            });
        }
    }
}

/// A socket filter's instructions (setsockopt SO_ATTACH_FILTER), read under -v.
const FPROG_KEY: u32 = 520;

/// Whether a setsockopt option takes a `struct sock_fprog` (a classic BPF program).
fn is_socket_filter(level: u64, name: u64) -> bool {
    is_sockopt(
        level,
        name,
        "SOL_SOCKET",
        "sockopt_socket_set",
        &["SO_ATTACH_FILTER"],
    ) || is_sockopt(
        level,
        name,
        "SOL_SOCKET",
        "sockopt_socket",
        &["SO_ATTACH_REUSEPORT_CBPF"],
    )
}

/// The IP options whose value is a `struct ip_mreq`.
const IP_MREQ_OPTS: &[&str] = &["IP_ADD_MEMBERSHIP", "IP_DROP_MEMBERSHIP"];

/// Whether a socket option is one of `names` (of set `names_set`) at level `level_name`.
fn is_sockopt(level: u64, name: u64, level_name: &str, names_set: &str, names: &[&str]) -> bool {
    let named = |set: &str, n: &str| syscalls::xlat_set(set).and_then(|s| s.value_of(n));
    named("socket_level", level_name) == Some(level)
        && names.iter().any(|n| named(names_set, n) == Some(name))
}

/// Whether a socket option is SOL_SOCKET's SO_LINGER, whose value is a `struct linger`.
fn is_so_linger(level: u64, name: u64) -> bool {
    let named = |set: &str, name: &str| syscalls::xlat_set(set).and_then(|s| s.value_of(name));
    named("socket_level", "SOL_SOCKET") == Some(level)
        && named("sockopt_socket", "SO_LINGER") == Some(name)
}

/// Where a msghdr's parts were captured: its name, its iov array, and the slot of the
/// iov's buffers.
#[derive(Debug, Clone, Copy)]
struct MsgKeys {
    name: u32,
    iov: u32,
    control: u32,
    slot: usize,
}

impl MsgKeys {
    /// The msghdr argument `i` points to.
    fn of_arg(i: usize) -> MsgKeys {
        MsgKeys {
            name: MSG_NAME_KEY + i as u32,
            iov: MSG_IOV_KEY + i as u32,
            control: MSG_CONTROL_KEY + i as u32,
            slot: MSG_SLOT + i,
        }
    }

    /// Element `e` of a `struct mmsghdr` array.
    fn of_element(e: usize) -> MsgKeys {
        MsgKeys {
            name: MMSG_NAME_KEY + e as u32,
            iov: MMSG_IOV_KEY + e as u32,
            control: MMSG_CONTROL_KEY + e as u32,
            slot: MMSG_SLOT + e,
        }
    }
}

/// What a msghdr prints from: the captures holding its parts, the name length it went in
/// with (recvmsg), and how many bytes its buffers hold (received ones: the byte count).
struct MsgParts<'a> {
    mem: &'a [Capture],
    keys: MsgKeys,
    namelen_in: Option<u32>,
    total: Option<u64>,
}

/// Field `k` of a `struct msghdr`: seven fields, each in a long's place (x86_64 pads
/// namelen and flags).
fn msghdr_field(h: &[u8], k: usize, l: Layout) -> u64 {
    l.ulong(h, k * l.long)
}

/// Bytes of a `struct mmsghdr`: a msghdr and the u32 msg_len, padded to a long.
fn mmsghdr_size(l: Layout) -> usize {
    8 * l.long
}

/// msg_len of a `struct mmsghdr`.
fn mmsg_len(m: &[u8], l: Layout) -> u32 {
    le_word(m, 7 * l.long, 4) as u32
}

/// Capture keys of what a descriptor passed in SCM_RIGHTS refers to (`+ fd`), for -y.
const CMSG_FD_KEY: u32 = 8_000_000;

/// Capture keys of msghdr parts: the name, the iov array, the header at entry, and the
/// slot its iov buffers use.
const MSG_NAME_KEY: u32 = 400;
const MSG_IOV_KEY: u32 = 420;

/// The control messages of a msghdr argument (plus its index).
const MSG_CONTROL_KEY: u32 = 510;

/// At most this many bytes of control messages are read (strace: the optmem_max sysctl).
const CONTROL_MAX: usize = 4096;
const MSG_IN_KEY: u32 = 440;
const MSG_SLOT: usize = 50;

/// Capture keys of a `struct mmsghdr` array's elements (`+ e`): their names, their iov
/// arrays, and at entry the whole array; and the first slot of their iov buffers.
const MMSG_NAME_KEY: u32 = 2_000_000;
const MMSG_IOV_KEY: u32 = 3_000_000;

/// The control messages of element N of a `struct mmsghdr` array (plus N).
const MMSG_CONTROL_KEY: u32 = 5_000_000;
const MMSG_IN_KEY: u32 = 4_000_000;
const MMSG_SLOT: usize = 5_000;

/// `struct linger` (SO_LINGER): `{l_onoff=1, l_linger=5}`.
fn linger(b: &[u8]) -> String {
    format!(
        "{{l_onoff={}, l_linger={}}}",
        u32_at(b, 0) as i32,
        u32_at(b, 4) as i32
    )
}

/// The size of `struct cmsghdr` (a length word, level and type ints).
fn cmsghdr_size(l: Layout) -> usize {
    l.long + 8
}

/// A msghdr's control messages as strace prints them: `[{cmsg_len=20, cmsg_level=SOL_SOCKET,
/// cmsg_type=SCM_RIGHTS, cmsg_data=[3]}]`; descriptors through `fd` (for -y). `addr` is the
/// buffer's address, for the comment after data that does not hold a whole header.
fn cmsgs(
    b: &[u8],
    more: bool,
    addr: u64,
    l: Layout,
    st: Style,
    fd: &dyn Fn(i64) -> String,
) -> String {
    let (records, at) = cmsg_records(b, l);
    let mut parts: Vec<String> = records
        .iter()
        .map(|c| {
            format!(
                "{{cmsg_len={}, cmsg_level={}, cmsg_type={}}}",
                c.len,
                set_text("socket_level", c.level as u32 as u64, st),
                cmsg_type_data(c.level, c.kind, c.data, st, fd)
            )
        })
        .collect();
    if at < b.len() {
        parts.push(format!("... /* {} */", hex(addr + at as u64)));
    } else if more {
        parts.push("...".into());
    }
    format!("[{}]", parts.join(", "))
}

/// One control message of a msghdr's control buffer.
struct Cmsg<'a> {
    len: u64,
    level: i32,
    kind: i32,
    data: &'a [u8],
}

/// The control messages of buffer `b` as the kernel walks them (CMSG_NXTHDR), and the
/// offset where the walk stopped (`b.len()` when it used the whole buffer).
fn cmsg_records(b: &[u8], l: Layout) -> (Vec<Cmsg<'_>>, usize) {
    let head = cmsghdr_size(l);
    let mut records = Vec::new();
    let mut at = 0usize;
    while b.len() - at >= head {
        let m = &b[at..];
        let len = l.ulong(m, 0);
        let shown = (len as usize).min(m.len());
        records.push(Cmsg {
            len,
            level: u32_at(m, l.long) as i32,
            kind: u32_at(m, l.long + 4) as i32,
            data: m.get(head..shown).unwrap_or_default(),
        });
        if shown < head {
            at += head;
            break;
        }
        let step = (len as usize).div_ceil(l.long) * l.long;
        if step >= b.len() - at {
            at = b.len();
            break;
        }
        at += step;
    }
    (records, at)
}

/// The descriptors passed in a control buffer's SCM_RIGHTS messages.
fn scm_rights_fds(b: &[u8], l: Layout) -> Vec<i32> {
    cmsg_records(b, l)
        .0
        .iter()
        .filter(|c| (c.level, c.kind) == (1, 1))
        .flat_map(|c| c.data.chunks_exact(4).map(|d| u32_at(d, 0) as i32))
        .collect()
}

/// A control message's type and data: descriptors and credentials of SOL_SOCKET decoded,
/// other data as hex.
fn cmsg_type_data(
    level: i32,
    kind: i32,
    data: &[u8],
    st: Style,
    fd: &dyn Fn(i64) -> String,
) -> String {
    // SOL_SOCKET's SCM_RIGHTS and SCM_CREDENTIALS.
    let decoded = match (level, kind) {
        (1, 1) => Some((
            "SCM_RIGHTS",
            format!(
                "[{}]",
                data.chunks_exact(4)
                    .map(|c| fd(u32_at(c, 0) as i32 as i64))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )),
        (1, 2) if data.len() >= 12 => Some((
            "SCM_CREDENTIALS",
            format!(
                "{{pid={}, uid={}, gid={}}}",
                u32_at(data, 0) as i32,
                u32_at(data, 4) as u32,
                u32_at(data, 8) as u32
            ),
        )),
        _ => None,
    };
    match decoded {
        Some((name, text)) => format!(
            "{}, cmsg_data={text}",
            styled(name.to_string(), &hex(kind as u32 as u64), st)
        ),
        None if data.is_empty() => hex(kind as u32 as u64),
        None => format!(
            "{}, cmsg_data={}",
            hex(kind as u32 as u64),
            crate::escape::quote_hex(data)
        ),
    }
}

/// `struct ucred` (SO_PEERCRED): `{pid=1, uid=0, gid=0}`.
fn ucred(b: &[u8]) -> String {
    format!(
        "{{pid={}, uid={}, gid={}}}",
        u32_at(b, 0) as i32,
        u32_at(b, 4),
        u32_at(b, 8)
    )
}

/// `struct ip_mreq`: `{imr_multiaddr=inet_addr("224.0.0.1"), imr_interface=inet_addr("0.0.0.0")}`.
fn ip_mreq(b: &[u8], st: Style, strings: Hex) -> String {
    format!(
        "{{imr_multiaddr={}, imr_interface={}}}",
        inet_addr(&b[0..4], st, strings),
        inet_addr(&b[4..8], st, strings)
    )
}

/// One classic BPF instruction as strace prints it: `BPF_STMT(BPF_RET|BPF_K, 0xffff)`,
/// or `BPF_JUMP(code, k, jt, jf)` when it jumps.
fn bpf_insn(b: &[u8]) -> String {
    let (code, jt, jf, k) = (u16_at(b, 0), u64::from(b[2]), u64::from(b[3]), u32_at(b, 4));
    if jt != 0 || jf != 0 {
        format!(
            "BPF_JUMP({}, {}, {}, {})",
            bpf_code(code),
            hex(k),
            hex(jt),
            hex(jf)
        )
    } else {
        format!("BPF_STMT({}, {})", bpf_code(code), hex(k))
    }
}

/// A classic BPF code as its class and the fields that class uses, each by name.
fn bpf_code(code: u64) -> String {
    let name = |set: &str, v: u64| set_text(set, v, Style::Abbrev);
    let class = code & 0x07;
    let rest = code & !0x07;
    let mut parts = vec![name("bpf_class", class)];
    let leftover = |parts: &mut Vec<String>, bits: u64| {
        if bits != 0 {
            parts.push(format!("{} /* BPF_??? */", hex(bits)));
        }
    };
    match class {
        // BPF_LD, BPF_LDX: size and mode.
        0 | 1 => {
            parts.push(name("bpf_size", code & 0x18));
            parts.push(name("bpf_mode", code & 0xe0));
        }
        // BPF_ST, BPF_STX
        2 | 3 => leftover(&mut parts, rest),
        // BPF_ALU: source and operation.
        4 => {
            parts.push(name("bpf_src", code & 0x08));
            parts.push(name("bpf_op_alu", code & 0xf0));
        }
        // BPF_JMP
        5 => {
            parts.push(name("bpf_src", code & 0x08));
            parts.push(name("bpf_op_jmp", code & 0xf0));
        }
        // BPF_RET: where the value comes from.
        6 => {
            parts.push(name("bpf_rval", code & 0x18));
            leftover(&mut parts, rest & !0x18);
        }
        // BPF_MISC
        _ => {
            parts.push(name("bpf_miscop", code & 0xf8));
            leftover(&mut parts, rest & !0xf8);
        }
    }
    parts.join("|")
}
