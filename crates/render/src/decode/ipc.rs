//! System V and POSIX IPC: keys, flags and commands, semop's operations, messages, the
//! message queues' `struct mq_attr`; and i386's ipc(2) as the call it makes.

use super::basic::{ArgPlan, complete, in_struct, layout};
use super::decoder::{CallView, Decoder, Shape};
use crate::prim::{Layout, bracket_list, ptr, set_text, styled};
use crate::prim::{u16_at, u32_at, u64_at};
use crate::specs::{self, Fmt, Ret};
use crate::xlat::{Style, hex};
use events::{Capture, Mem, MemReader, SyscallEntry};
use syscalls::Arch;

impl Decoder {
    /// Argument `i` in an IPC format: a key, flags, a command, semop's operations, a
    /// message, a *ctl call's structure, a message queue's attributes, an ipc call.
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
            Fmt::SemunPtr => match complete(v.entry_mem(i as u32)).filter(|_| raw != 0) {
                Some(b) => {
                    let buf = l.ulong(b, 0);
                    let at_entry = v.entry_mem(IPC_SEMUN_KEY);
                    self.ctl_buf_text(IpcObj::Sem, buf, at_entry, v, i, true)
                }
                None => ptr(raw),
            },
            Fmt::SemctlArg => {
                let at_entry = v.entry_mem(i as u32);
                self.ctl_buf_text(IpcObj::Sem, raw, at_entry, v, i, false)
            }
            Fmt::MsgctlBuf | Fmt::ShmctlBuf => {
                let obj = if matches!(fmt, Fmt::MsgctlBuf) {
                    IpcObj::Msg
                } else {
                    IpcObj::Shm
                };
                let at_entry = v.entry_mem(i as u32);
                self.ctl_buf_text(obj, raw, at_entry, v, i, false)
            }
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

    /// A *ctl call's buffer `buf`, as strace's semctl, msgctl and shmctl decoders print
    /// it for the call's command: the structure the command reads (from `at_entry`) or
    /// writes (from argument `i`'s exit capture, after a successful call), or its
    /// address; in brackets when it is semctl's union through ipc (`indirect`), where
    /// strace brackets what it prints of the union but a structure.
    fn ctl_buf_text(
        &self,
        obj: IpcObj,
        buf: u64,
        at_entry: Option<&Mem>,
        v: &CallView<'_>,
        i: usize,
        indirect: bool,
    ) -> String {
        let l = layout(v.entry);
        let cmd = v.arg(ctl_cmd_arg(obj));
        let addr = || {
            if indirect {
                format!("[{}]", ptr(buf))
            } else {
                ptr(buf)
            }
        };
        let what = ctl_buf(obj, cmd as u32);
        let bytes = match what {
            CtlBuf::Addr => return addr(),
            CtlBuf::DsIn => complete(at_entry),
            _ if v.ok_ret().is_none() => None,
            _ => complete(v.exit_mem(i as u32)),
        };
        match bytes.filter(|_| buf != 0) {
            Some(b) => ctl_struct(obj, what, b, l),
            // strace's print_seminfo prints the address unbracketed (umove_or_printaddr).
            None if what == CtlBuf::Info && obj == IpcObj::Sem => ptr(buf),
            None => addr(),
        }
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

    /// What an IPC argument needs read: semop's operations, a message (through msgrcv's
    /// kludge too), a *ctl call's structure (through semctl's union), a `struct
    /// mq_attr`.
    pub(super) fn plan_ipc(
        &self,
        fmt: Fmt,
        p: ArgPlan<'_>,
        mem: &mut dyn MemReader,
        out: &mut Vec<Capture>,
    ) -> Option<Mem> {
        let ArgPlan {
            entry,
            addr,
            at_exit,
            l,
            ..
        } = p;
        Some(match fmt {
            Fmt::MqAttrIn | Fmt::MqAttrOut | Fmt::MqOpenAttr(_) => mem.read_bytes(addr, 32),
            Fmt::SembufsIn(n) => {
                let shown = self.array_shown(entry.args[n as usize]);
                mem.read_bytes(addr, shown * SEMBUF_SIZE)
            }
            Fmt::SemunPtr if !at_exit => {
                // The union; IPC_SET's structure where it points.
                let word = mem.read_bytes(addr, l.long);
                if let Some(b) = complete(Some(&word))
                    && ctl_buf(IpcObj::Sem, entry.args[ctl_cmd_arg(IpcObj::Sem)] as u32)
                        == CtlBuf::DsIn
                {
                    let buf = l.ulong(b, 0);
                    out.push(Capture {
                        key: IPC_SEMUN_KEY,
                        data: mem.read_bytes(buf, ds_size(IpcObj::Sem, l)),
                    });
                }
                word
            }
            Fmt::SemunPtr => {
                // The structure the union, read at entry, points to.
                let b = complete(Capture::find(&entry.mem, p.i as u32))?;
                let cmd = entry.args[ctl_cmd_arg(IpcObj::Sem)] as u32;
                let size = ctl_read(IpcObj::Sem, cmd, true, l)?;
                mem.read_bytes(l.ulong(b, 0), size)
            }
            Fmt::SemctlArg | Fmt::MsgctlBuf | Fmt::ShmctlBuf => {
                let obj = match fmt {
                    Fmt::SemctlArg => IpcObj::Sem,
                    Fmt::MsgctlBuf => IpcObj::Msg,
                    _ => IpcObj::Shm,
                };
                let cmd = entry.args[ctl_cmd_arg(obj)] as u32;
                mem.read_bytes(addr, ctl_read(obj, cmd, at_exit, l)?)
            }
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

/// Capture key of the `struct semid_ds` semctl's union through ipc points to (IPC_SET).
const IPC_SEMUN_KEY: u32 = 532;

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

/// The SysV IPC object a *ctl call works on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum IpcObj {
    /// A semaphore set (semctl).
    Sem,
    /// A message queue (msgctl).
    Msg,
    /// A shared memory segment (shmctl).
    Shm,
}

/// What a *ctl call's buffer holds for its command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CtlBuf {
    /// Nothing strace decodes: printed as an address (semctl's SETVAL value too).
    Addr,
    /// The object's `*id_ds`, read by the kernel (IPC_SET): its settable fields.
    DsIn,
    /// The object's `*id_ds`, written by the kernel (IPC_STAT, *_STAT, *_STAT_ANY).
    DsOut,
    /// The limits, written by the kernel (IPC_INFO; SEM_INFO and MSG_INFO, in the same
    /// structure).
    Info,
    /// shmctl's SHM_INFO: `struct shm_info`, the segments' use.
    ShmInfo,
}

/// Which argument of a *ctl call on `obj` is its command: semctl's third (after the
/// semaphore's number), msgctl's and shmctl's second.
fn ctl_cmd_arg(obj: IpcObj) -> usize {
    if obj == IpcObj::Sem { 2 } else { 1 }
}

/// The bit of a *ctl command that asks for the 64-bit structures.
const IPC_64: u32 = 0x100;

/// What the buffer of a *ctl call on `obj` holds for `cmd` (linux/ipc.h, sem.h, msg.h,
/// shm.h: IPC_SET 1, IPC_STAT 2, IPC_INFO 3; SEM_STAT 18, SEM_INFO 19, SEM_STAT_ANY 20;
/// MSG_STAT 11, MSG_INFO 12, MSG_STAT_ANY 13; SHM_STAT 13, SHM_INFO 14, SHM_STAT_ANY 15).
fn ctl_buf(obj: IpcObj, cmd: u32) -> CtlBuf {
    match (obj, cmd & !IPC_64) {
        (_, 1) => CtlBuf::DsIn,
        (_, 2) | (IpcObj::Sem, 18 | 20) | (IpcObj::Msg, 11 | 13) | (IpcObj::Shm, 13 | 15) => {
            CtlBuf::DsOut
        }
        (_, 3) | (IpcObj::Sem, 19) | (IpcObj::Msg, 12) => CtlBuf::Info,
        (IpcObj::Shm, 14) => CtlBuf::ShmInfo,
        _ => CtlBuf::Addr,
    }
}

/// How many bytes of a *ctl call's buffer to read at entry (`at_exit` false) or exit:
/// the structure its command makes the kernel read or write then, if any.
fn ctl_read(obj: IpcObj, cmd: u32, at_exit: bool, l: Layout) -> Option<usize> {
    match ctl_buf(obj, cmd) {
        CtlBuf::DsIn if !at_exit => Some(ds_size(obj, l)),
        CtlBuf::DsOut if at_exit => Some(ds_size(obj, l)),
        CtlBuf::Info if at_exit => Some(match obj {
            IpcObj::Sem => 40,
            IpcObj::Msg => 32,
            IpcObj::Shm => 9 * l.long,
        }),
        CtlBuf::ShmInfo if at_exit => Some(6 * l.long),
        _ => None,
    }
}

/// Bytes of `struct ipc_perm` (glibc's, the kernel's `ipc64_perm`): five 32-bit ids and
/// keys, the mode and sequence in 16-bit halves of their words (x86_64's mode a whole
/// word), then two reserved longs.
fn perm_size(l: Layout) -> usize {
    28usize.next_multiple_of(l.long) + 2 * l.long
}

/// Bytes of the object's `*id_ds` (glibc's, the kernel's `*id64_ds`, whose times take
/// two 32-bit words on i386).
fn ds_size(obj: IpcObj, l: Layout) -> usize {
    perm_size(l)
        + match obj {
            IpcObj::Sem => 7 * l.long,
            IpcObj::Msg => 32 + 5 * l.long,
            IpcObj::Shm => 32 + 4 * l.long,
        }
}

/// A *ctl call's structure `b` (of kind `what`) as strace prints it.
fn ctl_struct(obj: IpcObj, what: CtlBuf, b: &[u8], l: Layout) -> String {
    let set = what == CtlBuf::DsIn;
    let p = perm_size(l);
    let word = |off: usize| l.ulong(b, off);
    let int = |off: usize| u32_at(b, off) as i32;
    let field = |name: &str, v: String| format!("{name}={v}");
    let fields: Vec<String> = match (obj, what) {
        (IpcObj::Sem, CtlBuf::Info) | (IpcObj::Msg, CtlBuf::Info) => {
            let names: &[&str] = if obj == IpcObj::Sem {
                &[
                    "semmap", "semmni", "semmns", "semmnu", "semmsl", "semopm", "semume", "semusz",
                    "semvmx", "semaem",
                ]
            } else {
                &[
                    "msgpool", "msgmap", "msgmax", "msgmnb", "msgmni", "msgssz", "msgtql",
                ]
            };
            let mut f: Vec<String> = names
                .iter()
                .enumerate()
                .map(|(k, name)| field(name, int(4 * k).to_string()))
                .collect();
            if obj == IpcObj::Msg {
                f.push(field("msgseg", u16_at(b, 28).to_string()));
            }
            f
        }
        (IpcObj::Shm, CtlBuf::Info) => ["shmmax", "shmmin", "shmmni", "shmseg", "shmall"]
            .iter()
            .enumerate()
            .map(|(k, name)| field(name, word(k * l.long).to_string()))
            .collect(),
        (_, CtlBuf::ShmInfo) => {
            let mut f = vec![field("used_ids", int(0).to_string())];
            f.extend(
                [
                    "shm_tot",
                    "shm_rss",
                    "shm_swp",
                    "swap_attempts",
                    "swap_successes",
                ]
                .iter()
                .enumerate()
                .map(|(k, name)| field(name, word((k + 1) * l.long).to_string())),
            );
            f
        }
        (IpcObj::Sem, _) => {
            let mut f = vec![field("sem_perm", ipc_perm(b, set))];
            if !set {
                // Each time takes two longs (x86_64: a reserved one; i386: the high half).
                f.push(field("sem_otime", word(p).to_string()));
                f.push(field("sem_ctime", word(p + 2 * l.long).to_string()));
                f.push(field("sem_nsems", word(p + 4 * l.long).to_string()));
            }
            f
        }
        (IpcObj::Msg, _) => {
            // Three 8-byte times (i386's in two words), then the counts.
            let counts = p + 24;
            let mut f = vec![field("msg_perm", ipc_perm(b, set))];
            if !set {
                for (k, name) in ["msg_stime", "msg_rtime", "msg_ctime"].iter().enumerate() {
                    f.push(field(name, word(p + 8 * k).to_string()));
                }
                f.push(field("msg_qnum", word(counts + l.long).to_string()));
            }
            f.push(field("msg_qbytes", word(counts + 2 * l.long).to_string()));
            if !set {
                let pids = counts + 3 * l.long;
                f.push(field("msg_lspid", int(pids).to_string()));
                f.push(field("msg_lrpid", int(pids + 4).to_string()));
            }
            f
        }
        (IpcObj::Shm, _) => {
            let mut f = vec![field("shm_perm", ipc_perm(b, set))];
            if !set {
                // The size, three 8-byte times (i386's in two words), the pids, the count.
                let times = p + l.long;
                f.push(field("shm_segsz", word(p).to_string()));
                f.push(field("shm_cpid", int(times + 24).to_string()));
                f.push(field("shm_lpid", int(times + 28).to_string()));
                f.push(field("shm_nattch", word(times + 32).to_string()));
                for (k, name) in ["shm_atime", "shm_dtime", "shm_ctime"].iter().enumerate() {
                    f.push(field(name, word(times + 8 * k).to_string()));
                }
            }
            f
        }
    };
    format!("{{{}}}", fields.join(", "))
}

/// `struct ipc_perm` as strace's print_ipc_perm: the owner and mode, then (but for
/// IPC_SET, which sets only those) the key and creator.
fn ipc_perm(b: &[u8], set: bool) -> String {
    let id = |off: usize| match u32_at(b, off) as u32 {
        u32::MAX => "-1".to_string(),
        n => n.to_string(),
    };
    let mode = octal_mode(u16_at(b, 20) as u32);
    let mut s = format!("{{uid={}, gid={}, mode={mode}", id(4), id(8));
    if !set {
        s.push_str(&format!(
            ", key={}, cuid={}, cgid={}",
            u32_at(b, 0),
            id(12),
            id(16)
        ));
    }
    s.push('}');
    s
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A structure of `size` bytes with the 32-bit `words` at their offsets.
    fn with_words(size: usize, words: &[(usize, u32)]) -> Vec<u8> {
        let mut b = vec![0; size];
        for &(off, w) in words {
            b[off..off + 4].copy_from_slice(&w.to_le_bytes());
        }
        b
    }

    /// An `ipc_perm` of key 7, owner 1/2, creator 3/4 and mode 0600.
    const PERM: [(usize, u32); 6] = [(0, 7), (4, 1), (8, 2), (12, 3), (16, 4), (20, 0o600)];

    // Expected strings: the forms strace 6.1 (i386) and 7.2 (x86_64) printed for IPC_STAT,
    // on values made up to tell the fields apart.
    #[test]
    fn ipc_structures_take_the_layout_of_the_calls_abi() {
        let perm = "{uid=1, gid=2, mode=0600, key=7, cuid=3, cgid=4}";
        let mut words = PERM.to_vec();
        words.extend([(36, 10), (44, 11), (52, 2)]);
        let sem = with_words(ds_size(IpcObj::Sem, Layout::I386), &words);
        assert_eq!(
            ctl_struct(IpcObj::Sem, CtlBuf::DsOut, &sem, Layout::I386),
            format!("{{sem_perm={perm}, sem_otime=10, sem_ctime=11, sem_nsems=2}}")
        );
        assert_eq!(
            ctl_struct(IpcObj::Sem, CtlBuf::DsIn, &sem, Layout::I386),
            "{sem_perm={uid=1, gid=2, mode=0600}}"
        );
        let mut words = PERM.to_vec();
        words.extend([
            (36, 10),
            (44, 11),
            (52, 12),
            (64, 1),
            (68, 16384),
            (72, 40),
            (76, 41),
        ]);
        let msq = with_words(ds_size(IpcObj::Msg, Layout::I386), &words);
        assert_eq!(
            ctl_struct(IpcObj::Msg, CtlBuf::DsOut, &msq, Layout::I386),
            format!(
                "{{msg_perm={perm}, msg_stime=10, msg_rtime=11, msg_ctime=12, msg_qnum=1, \
                 msg_qbytes=16384, msg_lspid=40, msg_lrpid=41}}"
            )
        );
        let mut words = PERM.to_vec();
        words.extend([
            (48, 4096),
            (56, 10),
            (64, 11),
            (72, 12),
            (80, 40),
            (84, 41),
            (88, 3),
        ]);
        let shm = with_words(ds_size(IpcObj::Shm, Layout::LP64), &words);
        assert_eq!(
            ctl_struct(IpcObj::Shm, CtlBuf::DsOut, &shm, Layout::LP64),
            format!(
                "{{shm_perm={perm}, shm_segsz=4096, shm_cpid=40, shm_lpid=41, shm_nattch=3, \
                 shm_atime=10, shm_dtime=11, shm_ctime=12}}"
            )
        );
        let info = with_words(6 * 8, &[(0, 1), (8, 2), (16, 3), (24, 4), (32, 5), (40, 6)]);
        assert_eq!(
            ctl_struct(IpcObj::Shm, CtlBuf::ShmInfo, &info, Layout::LP64),
            "{used_ids=1, shm_tot=2, shm_rss=3, shm_swp=4, swap_attempts=5, swap_successes=6}"
        );
    }

    #[test]
    fn ctl_commands_name_ipc_64_first_and_choose_their_buffers() {
        assert_eq!(
            ctl_cmd(0x102, "semctl_cmd", Style::Abbrev),
            "IPC_64|IPC_STAT"
        );
        assert_eq!(ctl_cmd(2, "semctl_cmd", Style::Abbrev), "IPC_STAT");
        assert_eq!(ctl_buf(IpcObj::Sem, 0x100 | 18), CtlBuf::DsOut);
        assert_eq!(ctl_buf(IpcObj::Msg, 13), CtlBuf::DsOut);
        assert_eq!(ctl_buf(IpcObj::Shm, 14), CtlBuf::ShmInfo);
        assert_eq!(ctl_buf(IpcObj::Sem, 16), CtlBuf::Addr);
        assert_eq!(resource_flags(0o1600, Style::Abbrev), "IPC_CREAT|0600");
        assert_eq!(resource_flags(0, Style::Abbrev), "000");
        assert_eq!(ipc_call(0x1_0063, Style::Abbrev), "1<<16|99");
    }
}
