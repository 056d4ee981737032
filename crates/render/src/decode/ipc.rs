//! System V and POSIX IPC: keys, flags and commands, semop's operations, messages, the
//! message queues' `struct mq_attr`; and i386's ipc(2) as the call it makes.

use super::basic::{ArgPlan, complete, in_struct, layout};
use super::decoder::{CallView, Decoder, Shape};
use crate::prim::{Layout, bracket_list, ptr, set_text, styled};
use crate::prim::{u16_at, u64_at};
use crate::specs::{self, Fmt, Ret};
use crate::xlat::{Style, hex};
use events::{Capture, Mem, MemReader, SyscallEntry};
use syscalls::Arch;

impl Decoder {
    /// Argument `i` in an IPC format: a key, shmget's flags, semop's operations or a
    /// message queue's attributes.
    pub(super) fn ipc_arg(&self, fmt: Fmt, i: usize, v: &CallView<'_>) -> Option<String> {
        let raw = v.arg(i);
        let st = self.opts.style;
        let l = layout(v.entry);
        Some(match fmt {
            Fmt::SembufsIn(n) => match v.entry_mem(i as u32) {
                Some(Mem::Bytes { bytes, .. }) => {
                    sembufs(bytes, st, self.array_more(v.arg(n as usize)))
                }
                _ => ptr(raw),
            },
            Fmt::MqAttrIn => in_struct(raw, v.entry_mem(i as u32), |b| mq_attr(b, st)),
            Fmt::MqAttrOut => self.out_struct(raw, v, i, |b| mq_attr(b, st)),
            Fmt::IpcKey if raw as u32 == 0 => styled("IPC_PRIVATE".into(), "0", st),
            Fmt::IpcKey => hex(raw as u32 as u64),
            Fmt::ShmgetFlags => shmget_flags(raw as u32, st),
            Fmt::MqOpenAttr(flags_arg) if v.arg(flags_arg as usize) & 0o100 == 0 => return None,
            Fmt::MqOpenAttr(_) => in_struct(raw, v.entry_mem(i as u32), |b| mq_attr(b, st)),
            Fmt::IpcCall => ipc_call(raw as u32, st),
            Fmt::IpcFlags => resource_flags(raw as u32, st),
            Fmt::IpcCtlCmd(set) => ctl_cmd(raw as u32, set, st),
            Fmt::SemunPtr => in_struct(raw, v.entry_mem(i as u32), |b| {
                format!("[{}]", ptr(l.ulong(b, 0)))
            }),
            Fmt::MsgbufIn(n) => self.msgbuf(raw, v.arg(n as usize), v.entry_mem(i as u32), l),
            Fmt::MsgbufOut(n) if v.ok_ret().is_some() => {
                self.msgbuf(raw, v.arg(n as usize), v.exit_mem(i as u32), l)
            }
            Fmt::MsgbufOut(_) => ptr(raw),
            Fmt::MsgKludgeBuf(n) => match kludge(v, i, l) {
                Some((msgp, _)) => {
                    self.msgbuf(msgp, v.arg(n as usize), v.exit_mem(IPC_MSGBUF_KEY), l)
                }
                None => ptr(raw),
            },
            Fmt::MsgKludgeType(k) => kludge(v, k as usize, l)?.1.to_string(),
            _ => unreachable!("{fmt:?} is not a format of the ipc family"),
        })
    }

    /// A `struct msgbuf` at `addr` whose text is `len` bytes, from `mem` (read by
    /// [`Decoder::plan_msgbuf`]): `{mtype=5, mtext="hello\0"}`, as strace's
    /// tprint_msgbuf, or the address when its header cannot be read.
    fn msgbuf(&self, addr: u64, len: u64, mem: Option<&Mem>, l: Layout) -> String {
        let Some(Mem::Bytes { bytes, complete }) = mem else {
            return ptr(addr);
        };
        // The header is `struct msgbuf` itself: the long and mtext's first byte, padded.
        if addr == 0 || bytes.len() < 2 * l.long {
            return ptr(addr);
        }
        let text_at = addr + l.long as u64;
        // Read to the header's end at least: no more than `len` of it is text.
        let text = Mem::Bytes {
            bytes: bytes[l.long..].iter().take(len as usize).copied().collect(),
            complete: *complete,
        };
        format!(
            "{{mtype={}, mtext={}}}",
            l.slong(bytes, 0),
            self.buf(text_at, len, Some(&text), false)
        )
    }

    /// Reads a `struct msgbuf` at `addr` whose text is `len` bytes: the header, and the
    /// text up to what -s prints.
    fn plan_msgbuf(&self, addr: u64, len: u64, l: Layout, mem: &mut dyn MemReader) -> Mem {
        mem.read_bytes(addr, (l.long + self.buf_read(len)).max(2 * l.long))
    }

    /// i386's `ipc(call, ...)` as the call it makes (strace's decode_ipc_subcall): that
    /// call's shape, and an entry holding its arguments, taken from ipc's, in its own
    /// order (with ipc's captures); None for any other call, a number that is no call,
    /// and under `-e raw=ipc`.
    pub(super) fn ipc_subcall(
        &self,
        shape: &Shape,
        entry: &SyscallEntry,
    ) -> Option<(Shape, SyscallEntry)> {
        if entry.arch != Arch::I386 || entry.nr != syscalls::multiplex::IPC || shape.ret == Ret::Raw
        {
            return None;
        }
        let sub = specs::ipc_subcall(entry.args[0])?;
        let mut args = [0; 6];
        for (arg, &from) in args.iter_mut().zip(sub.from) {
            *arg = entry.args[from as usize];
        }
        // i386 has numbers of its own for most of them, but not semop and semtimedop: the
        // names of the arguments are x86_64's.
        let names = Arch::X86_64
            .table()
            .lookup_name(sub.name)
            .map_or(&[][..], |sc| sc.args);
        let shape = Shape {
            name: sub.name.to_string(),
            arg_names: (0..sub.spec.args.len())
                .map(|i| names.get(i).map_or("arg", |a| a.name))
                .collect(),
            fmts: sub.spec.args.to_vec(),
            ret: sub.spec.ret,
        };
        Some((
            shape,
            SyscallEntry {
                args,
                ..entry.clone()
            },
        ))
    }

    /// What an IPC argument needs read: semop's operations, a `struct mq_attr`.
    pub(super) fn plan_ipc(
        &self,
        fmt: Fmt,
        p: ArgPlan<'_>,
        mem: &mut dyn MemReader,
        out: &mut Vec<Capture>,
    ) -> Option<Mem> {
        let ArgPlan { entry, addr, l, .. } = p;
        Some(match fmt {
            Fmt::MqAttrIn | Fmt::MqAttrOut | Fmt::MqOpenAttr(_) => mem.read_bytes(addr, 32),
            Fmt::SembufsIn(n) => {
                let shown = self.array_shown(entry.args[n as usize]);
                mem.read_bytes(addr, shown * SEMBUF_SIZE)
            }
            Fmt::SemunPtr => mem.read_bytes(addr, l.long),
            Fmt::MsgbufIn(n) | Fmt::MsgbufOut(n) => {
                self.plan_msgbuf(addr, entry.args[n as usize], l, mem)
            }
            Fmt::MsgKludgeBuf(n) => {
                let pair = mem.read_bytes(addr, 2 * l.long);
                if let Some(b) = complete(Some(&pair)) {
                    let msgp = l.ulong(b, 0);
                    let data = self.plan_msgbuf(msgp, entry.args[n as usize], l, mem);
                    out.push(Capture {
                        key: IPC_MSGBUF_KEY,
                        data,
                    });
                }
                pair
            }
            _ => return None,
        })
    }
}

/// Capture key of the message buffer msgrcv's `struct ipc_kludge` names.
const IPC_MSGBUF_KEY: u32 = 530;

/// Capture key of the address shmat through ipc wrote where its `third` points.
pub(super) const IPC_SHMAT_KEY: u32 = 531;

/// msgrcv's `struct ipc_kludge` (argument `i`), read at exit after a successful call:
/// the buffer's address and the message type.
fn kludge(v: &CallView<'_>, i: usize, l: Layout) -> Option<(u64, i64)> {
    v.ok_ret()?;
    let b = complete(v.exit_mem(i as u32))?;
    Some((l.ulong(b, 0), l.slong(b, l.long)))
}

/// ipc's call when it makes none strace knows, as its SYS_FUNC(ipc): the version in the
/// upper half as `1<<16|`, then the name or the number in decimal.
fn ipc_call(value: u32, st: Style) -> String {
    let (call, version) = (value & 0xffff, value >> 16);
    let name = syscalls::xlat_set("ipc_call").and_then(|s| s.name_of(u64::from(call)));
    let call_text = match name {
        Some(name) => styled(name.to_string(), &call.to_string(), st),
        None => call.to_string(),
    };
    if version == 0 {
        return call_text;
    }
    format!("{version}<<16|{call_text}")
}

/// semget's and msgget's flags as strace prints them: the IPC_* flags, then the mode in
/// octal: `IPC_CREAT|0600`, `000`.
fn resource_flags(value: u32, st: Style) -> String {
    let flags = value & !0o777;
    let mode = octal_mode(value & 0o777);
    if flags == 0 {
        return mode;
    }
    format!(
        "{}|{mode}",
        set_text("ipc_resource_flags", u64::from(flags), st)
    )
}

/// A *ctl command as strace's PRINTCTL: `IPC_64|` when that bit (the layout of the
/// structures) is set, then the command of the table `set`.
fn ctl_cmd(value: u32, set: &str, st: Style) -> String {
    const IPC_64: u32 = 0x100;
    let cmd = set_text(set, u64::from(value & !IPC_64), st);
    if value & IPC_64 == 0 {
        return cmd;
    }
    format!("{}|{cmd}", styled("IPC_64".into(), "0x100", st))
}

/// A mode as strace's print_numeric_umode_t: `%#03o`.
fn octal_mode(mode: u32) -> String {
    match mode {
        0 => "000".to_string(),
        m => format!("0{m:02o}"),
    }
}

/// shmget's flags as strace prints them: the IPC_* and SHM_* flags, the huge page size
/// field as `N<<SHM_HUGE_SHIFT`, then the mode in octal: `IPC_CREAT|0600`.
fn shmget_flags(value: u32, st: Style) -> String {
    const HUGE_SHIFT: u32 = 26;
    let huge = (value >> HUGE_SHIFT) & 0x3f;
    let flags = value & !0o777 & !(0x3f << HUGE_SHIFT);
    let mut parts = Vec::new();
    if flags != 0 {
        parts.push(set_text("shm_resource_flags", u64::from(flags), st));
    }
    if huge != 0 {
        let shift = styled("SHM_HUGE_SHIFT".into(), "26", st);
        parts.push(format!("{huge}<<{shift}"));
    }
    let mode = octal_mode(value & 0o777);
    if flags == 0 && huge == 0 {
        return mode;
    }
    parts.push(mode);
    parts.join("|")
}

/// A `struct sembuf` array (three 16-bit fields each), `...` closing it when `more`
/// follow than were read: `[{sem_num=0, sem_op=1, sem_flg=SEM_UNDO}]`.
fn sembufs(b: &[u8], st: Style, more: bool) -> String {
    let items: Vec<String> = b
        .chunks_exact(SEMBUF_SIZE)
        .map(|op| {
            let flags = u16_at(op, 4);
            let flags_text = if flags == 0 {
                "0".to_string()
            } else {
                set_text("semop_flags", flags, st)
            };
            format!(
                "{{sem_num={}, sem_op={}, sem_flg={flags_text}}}",
                u16_at(op, 0),
                u16_at(op, 2) as i16
            )
        })
        .collect();
    bracket_list(items, more)
}

/// Bytes of a `struct sembuf`.
const SEMBUF_SIZE: usize = 6;

/// `struct mq_attr`: `{mq_flags=O_NONBLOCK, mq_maxmsg=2, mq_msgsize=16, mq_curmsgs=0}`.
fn mq_attr(b: &[u8], st: Style) -> String {
    let flags = u64_at(b, 0);
    let flags_text = if flags == 0 {
        "0".to_string()
    } else {
        set_text("open_mode_flags", flags, st)
    };
    format!(
        "{{mq_flags={flags_text}, mq_maxmsg={}, mq_msgsize={}, mq_curmsgs={}}}",
        u64_at(b, 8) as i64,
        u64_at(b, 16) as i64,
        u64_at(b, 24) as i64
    )
}
