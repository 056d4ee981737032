//! Signals: signal sets (alone or with their size), `struct sigaction`, siginfo,
//! `stack_t`, `struct sigevent` and rt_sigreturn's restored mask.

use super::basic::{ArgPlan, in_struct, layout};
use super::decoder::{CallView, Decoder};
use crate::prim::{Layout, ptr, set_text, signal, styled, u32_at, u64_at};
use crate::specs::Fmt;
use crate::xlat::{Style, hex};
use events::{Capture, Mem, MemReader, SyscallEntry};

impl Decoder {
    /// Argument `i` in a signal format: a signal set, an action, a siginfo, a stack, a
    /// sigevent, the mask rt_sigreturn restores.
    pub(super) fn signal_arg(&self, fmt: Fmt, i: usize, v: &CallView<'_>) -> Option<String> {
        let raw = v.arg(i);
        let st = self.opts.style;
        let l = layout(v.entry);
        Some(match fmt {
            Fmt::SigsetIn => in_struct(raw, v.entry_mem(i as u32), |b| sigset(b, st)),
            Fmt::SigsetOut => self.out_struct(raw, v, i, |b| sigset(b, st)),
            Fmt::SigactionIn if l.long == 4 => {
                in_struct(raw, v.entry_mem(i as u32), |b| sigaction_i386(b, st))
            }
            Fmt::SigactionOut if l.long == 4 => {
                self.out_struct(raw, v, i, |b| sigaction_i386(b, st))
            }
            Fmt::SigactionIn => in_struct(raw, v.entry_mem(i as u32), |b| sigaction(b, st)),
            Fmt::SigactionOut => self.out_struct(raw, v, i, |b| sigaction(b, st)),
            Fmt::SiginfoOut => match v.written(i as u32) {
                Some(bytes) => crate::siginfo::format(bytes, st, l),
                _ => ptr(raw),
            },
            Fmt::SiginfoIn => in_struct(raw, v.entry_mem(i as u32), |b| {
                crate::siginfo::format(b, st, l)
            }),
            Fmt::StackIn => in_struct(raw, v.entry_mem(i as u32), |b| stack(b, st, l)),
            Fmt::StackOut => self.out_struct(raw, v, i, |b| stack(b, st, l)),
            Fmt::SigsetAddrSizeIn => in_struct(raw, v.entry_mem(i as u32), |b| {
                let (mask, size) = (l.ulong(b, 0), l.ulong(b, l.long));
                let mask_text = match v.entry_mem(SIGSET_ADDR_KEY) {
                    Some(Mem::Bytes {
                        bytes,
                        complete: true,
                    }) if mask != 0 => {
                        let mut set = bytes.clone();
                        set.resize(8, 0);
                        sigset(&set, st)
                    }
                    _ => ptr(mask),
                };
                format!("{{sigmask={mask_text}, sigsetsize={size}}}")
            }),
            Fmt::SigreturnMask => match v.entry_mem(SIGRETURN_KEY) {
                Some(Mem::Bytes {
                    bytes,
                    complete: true,
                }) => format!("{{mask={}}}", sigset(bytes, self.opts.style)),
                _ => return None,
            },
            Fmt::SigeventIn => in_struct(raw, v.entry_mem(i as u32), |b| sigevent(b, st, l)),
            Fmt::OldSigmask => sigmask(raw, 8 * l.long as u32, st),
            Fmt::SigHandler => match sa_handler_name(raw, v.entry) {
                Some(name) => styled(name.to_string(), &hex(raw), st),
                None => ptr(raw),
            },
            _ => unreachable!("{fmt:?} is not a format of the signal family"),
        })
    }

    /// What a signal argument needs read, and the set a `{sigset_t *, size_t}` pair points
    /// to.
    pub(super) fn plan_signal(
        &self,
        fmt: Fmt,
        p: ArgPlan<'_>,
        mem: &mut dyn MemReader,
        out: &mut Vec<Capture>,
    ) -> Option<Mem> {
        let ArgPlan { addr, l, .. } = p;
        Some(match fmt {
            Fmt::SigsetIn | Fmt::SigsetOut => mem.read_bytes(addr, 8),
            Fmt::SigactionIn | Fmt::SigactionOut if l.long == 4 => mem.read_bytes(addr, 20),
            Fmt::SigactionIn | Fmt::SigactionOut => mem.read_bytes(addr, 32),
            Fmt::SigeventIn => mem.read_bytes(addr, 32),
            Fmt::SigsetAddrSizeIn => {
                let pair = mem.read_bytes(addr, 2 * l.long);
                if let Mem::Bytes {
                    bytes,
                    complete: true,
                } = &pair
                {
                    let (mask, size) = (l.ulong(bytes, 0), l.ulong(bytes, l.long));
                    // As strace: a size of whole longs up to 64 signals, else the
                    // address alone.
                    if mask != 0 && size >= l.long as u64 && size <= 8 && size % l.long as u64 == 0
                    {
                        out.push(Capture {
                            key: SIGSET_ADDR_KEY,
                            data: mem.read_bytes(mask, size as usize),
                        });
                    }
                }
                pair
            }
            Fmt::SiginfoIn | Fmt::SiginfoOut => mem.read_bytes(addr, 128),
            Fmt::StackIn | Fmt::StackOut => mem.read_bytes(addr, 3 * l.long),
            _ => return None,
        })
    }
}

/// The name of a special signal handler (`SIG_DFL`, `SIG_IGN`, `SIG_ERR`), as strace's
/// sa_handler_values, of a handler (or signal's result) of the call's ABI: 32 bits wide
/// for an i386 call, whose SIG_ERR (0xffffffff) strace's 64-bit build does not name
/// either.
pub(super) fn sa_handler_name(handler: u64, entry: &SyscallEntry) -> Option<&'static str> {
    let handler = if layout(entry).long == 4 {
        handler & 0xffff_ffff
    } else {
        handler
    };
    syscalls::xlat_set("sa_handler")?.name_of(handler)
}

/// Capture key of rt_sigreturn's restored mask.
pub(super) const SIGRETURN_KEY: u32 = 302;

/// Capture key of the signal set a `{sigset_t *, size_t}` pair points to.
const SIGSET_ADDR_KEY: u32 = 304;

/// The kernel's `struct sigaction` (x86_64: handler, flags, restorer, mask).
fn sigaction(b: &[u8], st: Style) -> String {
    sigaction_fields(
        u64_at(b, 0),
        u64_at(b, 8),
        u64_at(b, 16),
        &b[24.min(b.len())..],
        st,
    )
}

/// i386's compat `struct sigaction` (20 bytes): handler, flags, restorer 4 bytes each,
/// then the 8-byte mask.
fn sigaction_i386(b: &[u8], st: Style) -> String {
    sigaction_fields(
        u32_at(b, 0),
        u32_at(b, 4),
        u32_at(b, 8),
        &b[12.min(b.len())..],
        st,
    )
}

fn sigaction_fields(handler: u64, flags: u64, restorer: u64, mask: &[u8], st: Style) -> String {
    let handler_text = match handler {
        0 => styled("SIG_DFL".into(), "0", st),
        1 => styled("SIG_IGN".into(), "0x1", st),
        h => hex(h),
    };
    let mut s = format!(
        "{{sa_handler={handler_text}, sa_mask={}, sa_flags={}",
        sigset(mask, st),
        set_text("sigaction_flags", flags, st)
    );
    if flags & 0x0400_0000 != 0 {
        s.push_str(&format!(", sa_restorer={}", ptr(restorer)));
    }
    s.push('}');
    s
}

/// `struct sigevent` as strace prints it: the value when set, the signal, how to notify,
/// and the thread id or function the notification names.
fn sigevent(b: &[u8], st: Style, l: Layout) -> String {
    // The value is a pointer-sized union; the notification's union follows two ints.
    let value = l.ulong(b, 0);
    let signo = u32_at(b, l.long) as i32;
    let notify = u32_at(b, l.long + 4) as i32;
    let rest = l.long + 8;
    let mut f = Vec::new();
    if value != 0 {
        f.push(format!(
            "sigev_value={{sival_int={}, sival_ptr={}}}",
            value as u32 as i32,
            ptr(value)
        ));
    }
    let name = |n: &str| {
        syscalls::xlat_set("sigev_notify")
            .and_then(|s| s.value_of(n))
            .map(|v| v as i32)
    };
    let (signal_kinds, thread_id, thread) = (
        [
            name("SIGEV_SIGNAL"),
            name("SIGEV_THREAD"),
            name("SIGEV_THREAD_ID"),
        ],
        name("SIGEV_THREAD_ID"),
        name("SIGEV_THREAD"),
    );
    if signal_kinds.contains(&Some(notify)) {
        f.push(format!(
            "sigev_signo={}",
            styled(signal(signo), &signo.to_string(), st)
        ));
    } else {
        f.push(format!("sigev_signo={}", signo as u32));
    }
    f.push(format!(
        "sigev_notify={}",
        set_text("sigev_notify", notify as u32 as u64, st)
    ));
    if Some(notify) == thread_id {
        f.push(format!("sigev_notify_thread_id={}", u32_at(b, rest) as i32));
    } else if Some(notify) == thread {
        f.push(format!("sigev_notify_function={}", ptr(l.ulong(b, rest))));
        f.push(format!(
            "sigev_notify_attributes={}",
            ptr(l.ulong(b, rest + l.long))
        ));
    }
    format!("{{{}}}", f.join(", "))
}

/// A 64-bit `sigset_t`: `[CHLD]`, `~[RTMIN RT_1]`, `[]`; numbers under -X raw (`[17]`),
/// both under -X verbose (`[17 /* CHLD */]`).
fn sigset(b: &[u8], st: Style) -> String {
    sigmask(u64_at(b, 0), 64, st)
}

/// A signal mask of `bits` signals (64 for a `sigset_t`, 32 for i386's old masks), as
/// strace's sprintsigmask_n: the signals in it, or `~` and those not in it when it holds
/// two thirds of them or more.
pub(super) fn sigmask(set: u64, bits: u32, st: Style) -> String {
    let names = |want: bool| -> Vec<String> {
        (1..=bits as i32)
            .filter(|n| (set >> (n - 1)) & 1 == u64::from(want))
            .map(|n| {
                let s = signal(n);
                let name = s.strip_prefix("SIG").map(str::to_string).unwrap_or(s);
                styled(name, &n.to_string(), st)
            })
            .collect()
    };
    let set = if bits < 64 {
        set & ((1 << bits) - 1)
    } else {
        set
    };
    if set.count_ones() >= bits * 2 / 3 {
        format!("~[{}]", names(false).join(" "))
    } else {
        format!("[{}]", names(true).join(" "))
    }
}

/// `stack_t` (sigaltstack): the pointer, the int flags and the size, each in a long's
/// place (x86_64: 24 bytes; i386: 12).
fn stack(b: &[u8], st: Style, l: Layout) -> String {
    format!(
        "{{ss_sp={}, ss_flags={}, ss_size={}}}",
        ptr(l.ulong(b, 0)),
        set_text("sigaltstack_flags", u32_at(b, l.long), st),
        l.ulong(b, 2 * l.long)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sigsets_print_names_numbers_or_both_by_style() {
        assert_eq!(sigset(&0u64.to_le_bytes(), Style::Abbrev), "[]");
        assert_eq!(sigset(&(1u64 << 16).to_le_bytes(), Style::Raw), "[17]");
        assert_eq!(
            sigset(&(1u64 << 16).to_le_bytes(), Style::Verbose),
            "[17 /* CHLD */]"
        );
    }

    // Expected strings: strace 7.2's rt_sigprocmask lines for these masks (it inverts a
    // set of 42 signals or more, not one of 33).
    #[test]
    fn sigsets_invert_at_two_thirds_of_their_signals() {
        let no_kill_stop = (1u64 << 36) - 1 - (1 << 8) - (1 << 18);
        assert!(sigset(&no_kill_stop.to_le_bytes(), Style::Abbrev).starts_with("[HUP INT "));
        assert_eq!(
            sigset(&((1u64 << 42) - 1).to_le_bytes(), Style::Raw),
            format!(
                "~[{}]",
                (43..=64)
                    .map(|n| n.to_string())
                    .collect::<Vec<_>>()
                    .join(" ")
            )
        );
        assert_eq!(sigmask(1 << 9, 32, Style::Abbrev), "[USR1]");
        assert_eq!(sigmask(0, 32, Style::Abbrev), "[]");
        assert_eq!(sigmask(!(1 << 8), 32, Style::Raw), "~[9]");
    }

    // Expected strings: the forms strace 6.1 printed for trace_i386's calls, on values made
    // up to tell the field widths apart.
    #[test]
    fn i386_stacks_take_a_32_bit_long_per_field() {
        let ss: Vec<u8> = [0x1000u32, 0, 8192]
            .iter()
            .flat_map(|w| w.to_le_bytes())
            .collect();
        assert_eq!(
            stack(&ss, Style::Abbrev, Layout::I386),
            "{ss_sp=0x1000, ss_flags=0, ss_size=8192}"
        );
    }
}
