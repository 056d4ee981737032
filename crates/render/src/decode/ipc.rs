//! System V and POSIX IPC: keys, shmget's flags, semop's operations and the message
//! queues' `struct mq_attr`.

use super::basic::{ArgPlan, in_struct};
use super::decoder::{CallView, Decoder};
use crate::prim::{bracket_list, ptr, set_text, styled};
use crate::prim::{u16_at, u64_at};
use crate::specs::Fmt;
use crate::xlat::{Style, hex};
use events::{Mem, MemReader};

impl Decoder {
    /// Argument `i` in an IPC format: a key, shmget's flags, semop's operations or a
    /// message queue's attributes.
    pub(super) fn ipc_arg(&self, fmt: Fmt, i: usize, v: &CallView<'_>) -> Option<String> {
        let raw = v.arg(i);
        let st = self.opts.style;
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
            _ => unreachable!("{fmt:?} is not a format of the ipc family"),
        })
    }

    /// What an IPC argument needs read: semop's operations, a `struct mq_attr`.
    pub(super) fn plan_ipc(
        &self,
        fmt: Fmt,
        p: ArgPlan<'_>,
        mem: &mut dyn MemReader,
    ) -> Option<Mem> {
        let ArgPlan { entry, addr, .. } = p;
        Some(match fmt {
            Fmt::MqAttrIn | Fmt::MqAttrOut | Fmt::MqOpenAttr(_) => mem.read_bytes(addr, 32),
            Fmt::SembufsIn(n) => {
                let shown = self.array_shown(entry.args[n as usize]);
                mem.read_bytes(addr, shown * SEMBUF_SIZE)
            }
            _ => return None,
        })
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
    // strace's %#03o.
    let mode = match value & 0o777 {
        0 => "000".to_string(),
        m => format!("0{m:02o}"),
    };
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
