//! Time: `struct timespec` and `struct timeval` arguments, the interval timers, the
//! timezone and adjtimex's `struct timex`.

use super::basic::{ArgPlan, in_struct, layout};
use super::decoder::{CallView, Decoder};
use super::desc::SELECT_LEFT_KEY;
use crate::dates::{date_comment, date_text, utc_offset_at};
use crate::prim::{Layout, set_text, signed, u32_at, word_at};
use crate::specs::Fmt;
use crate::xlat::Style;
use events::{Capture, Mem, MemReader, SyscallEntry, SyscallResult};

impl Decoder {
    /// Argument `i` in a time format: a timespec, a timeval, an interval timer, a
    /// timezone, a `struct timex`.
    pub(super) fn time_arg(&self, fmt: Fmt, i: usize, v: &CallView<'_>) -> Option<String> {
        let raw = v.arg(i);
        let st = self.opts.style;
        let l = layout(v.entry);
        Some(match fmt {
            Fmt::TimespecIn => in_struct(raw, v.entry_mem(i as u32), |b| timespec(b, l)),
            Fmt::TimespecOut => self.out_struct(raw, v, i, |b| timespec(b, l)),
            Fmt::ItimerspecIn => in_struct(raw, v.entry_mem(i as u32), |b| itimerspec(b, l)),
            Fmt::ItimerspecOut => self.out_struct(raw, v, i, |b| itimerspec(b, l)),
            Fmt::ItimervalIn => in_struct(raw, v.entry_mem(i as u32), |b| itimerval(b, l)),
            Fmt::ItimervalOut => self.out_struct(raw, v, i, |b| itimerval(b, l)),
            // struct timex's longs are time-sized: 32-bit only in i386's old_timex32.
            Fmt::TimexOut => self.out_struct(raw, v, i, |b| timex(b, st, l.time)),
            Fmt::TimevalIn => in_struct(raw, v.entry_mem(i as u32), |b| timeval(b, 0, l)),
            Fmt::TimevalOut => self.out_struct(raw, v, i, |b| timeval(b, 0, l)),
            Fmt::TimevalPairIn => in_struct(raw, v.entry_mem(i as u32), |b| timeval_pair(b, l)),
            Fmt::TimezoneIn => in_struct(raw, v.entry_mem(i as u32), timezone),
            Fmt::TimezoneOut => self.out_struct(raw, v, i, timezone),
            Fmt::RemainOut if remain_written(v.entry, i, v.result) => {
                in_struct(raw, v.exit_mem(i as u32), |b| timespec(b, l))
            }
            Fmt::RemainOut => crate::prim::ptr(raw),
            Fmt::TimeOut => self.out_struct(raw, v, i, |b| {
                let secs = l.time_field(b, 0);
                format!("[{secs}{}]", date_comment(secs, 0, 0))
            }),
            _ => unreachable!("{fmt:?} is not a format of the time family"),
        })
    }

    /// What a time argument needs read; pselect6's, ppoll's and select's timeouts are read
    /// again at exit, as the kernel left them.
    pub(super) fn plan_time(
        &self,
        fmt: Fmt,
        p: ArgPlan<'_>,
        mem: &mut dyn MemReader,
        out: &mut Vec<Capture>,
    ) -> Option<Mem> {
        let ArgPlan {
            addr, at_exit, l, ..
        } = p;
        Some(match fmt {
            Fmt::ItimerspecIn | Fmt::ItimerspecOut | Fmt::ItimervalIn | Fmt::ItimervalOut => {
                mem.read_bytes(addr, 2 * l.timespec_size())
            }
            Fmt::TimespecIn | Fmt::TimespecOut => {
                let ts = mem.read_bytes(addr, l.timespec_size());
                if at_exit && matches!(fmt, Fmt::TimespecIn) {
                    // pselect6's and ppoll's timeout as the kernel left it.
                    out.push(Capture {
                        key: SELECT_LEFT_KEY + 1,
                        data: ts,
                    });
                    return None;
                }
                ts
            }
            Fmt::TimezoneIn | Fmt::TimezoneOut => mem.read_bytes(addr, 8),
            Fmt::RemainOut if remain_written(p.entry, p.i, p.result) => {
                mem.read_bytes(addr, l.timespec_size())
            }
            Fmt::RemainOut => return None,
            Fmt::TimevalOut => mem.read_bytes(addr, l.timespec_size()),
            Fmt::TimevalPairIn => mem.read_bytes(addr, 2 * l.timespec_size()),
            Fmt::TimevalIn => {
                let tv = mem.read_bytes(addr, l.timespec_size());
                if at_exit {
                    out.push(Capture {
                        key: SELECT_LEFT_KEY,
                        data: tv,
                    });
                    return None;
                }
                tv
            }
            Fmt::TimexOut => mem.read_bytes(addr, timex_size(l.time)),
            Fmt::TimeOut => mem.read_bytes(addr, l.time),
            _ => return None,
        })
    }
}

/// `struct itimerspec`: `{it_interval={tv_sec=0, tv_nsec=0}, it_value={tv_sec=1, tv_nsec=0}}`.
fn itimerspec(b: &[u8], l: Layout) -> String {
    format!(
        "{{it_interval={}, it_value={}}}",
        timespec(b, l),
        timespec(b.get(l.timespec_size()..).unwrap_or_default(), l)
    )
}

/// `struct itimerval`: `{it_interval={tv_sec=0, tv_usec=0}, it_value={tv_sec=1, tv_usec=0}}`.
fn itimerval(b: &[u8], l: Layout) -> String {
    format!(
        "{{it_interval={}, it_value={}}}",
        timeval(b, 0, l),
        timeval(b, l.timespec_size(), l)
    )
}

/// `struct timezone`: `{tz_minuteswest=0, tz_dsttime=0}`.
fn timezone(b: &[u8]) -> String {
    format!(
        "{{tz_minuteswest={}, tz_dsttime={}}}",
        u32_at(b, 0) as i32,
        u32_at(b, 4) as i32
    )
}

/// `struct timex` (adjtimex, clock_adjtime): after the 32-bit modes, 20 slots of
/// `width` bytes (x86_64 and i386's `__kernel_timex`: 8; i386's `old_timex32`: 4), the
/// int fields padded to a slot.
fn timex(b: &[u8], st: Style, width: usize) -> String {
    let slot = |k: usize| signed(word_at(b, k * width, width), width);
    let flags = |set: &str, v: u64| {
        if v == 0 {
            "0".to_string()
        } else {
            set_text(set, v, st)
        }
    };
    let named = |first: usize, names: &[&str]| -> Vec<String> {
        names
            .iter()
            .enumerate()
            .map(|(k, name)| format!("{name}={}", slot(first + k)))
            .collect()
    };
    let mut parts = vec![format!("modes={}", flags("adjtimex_modes", u32_at(b, 0)))];
    parts.extend(named(1, &["offset", "freq", "maxerror", "esterror"]));
    parts.push(format!(
        "status={}",
        flags("adjtimex_status", slot(5) as u32 as u64)
    ));
    parts.extend(named(6, &["constant", "precision", "tolerance"]));
    parts.push(format!("time={{tv_sec={}, tv_usec={}}}", slot(9), slot(10)));
    parts.extend(named(11, &["tick", "ppsfreq", "jitter"]));
    parts.push(format!("shift={}", slot(14) as i32));
    parts.extend(named(
        15,
        &["stabil", "jitcnt", "calcnt", "errcnt", "stbcnt"],
    ));
    parts.push(format!("tai={}", slot(20) as i32));
    format!("{{{}}}", parts.join(", "))
}

/// Bytes of `struct timex` read for its printed fields, by slot width.
fn timex_size(width: usize) -> usize {
    21 * width
}

/// `struct timespec` (i386: `old_timespec32`, or `__kernel_timespec` in time64 calls).
pub(super) fn timespec(b: &[u8], l: Layout) -> String {
    format!(
        "{{tv_sec={}, tv_nsec={}}}",
        l.time_field(b, 0),
        l.time_field(b, l.time)
    )
}

/// `struct timeval` at `off`.
pub(super) fn timeval(b: &[u8], off: usize, l: Layout) -> String {
    format!(
        "{{tv_sec={}, tv_usec={}}}",
        l.time_field(b, off),
        l.time_field(b, off + l.time)
    )
}

/// utimes's `struct timeval[2]`, each with strace's date comment:
/// `[{tv_sec=1, tv_usec=2} /* 1970-01-01T00:00:01.000002+0000 */, ...]`.
fn timeval_pair(b: &[u8], l: Layout) -> String {
    let one = |off: usize| {
        let (sec, usec) = (l.time_field(b, off), l.time_field(b, off + l.time));
        format!("{}{}", timeval(b, off, l), date_comment(sec, usec, 6))
    };
    format!("[{}, {}]", one(0), one(2 * l.time))
}

/// The date of time's result, as strace prints it after it: `2026-12-07T01:43:20+0000`;
/// none for the epoch itself (strace's sprinttime).
pub(super) fn date_of(secs: i64, entry: &SyscallEntry) -> Option<String> {
    // i386's time_t is 32 bits.
    let secs = crate::prim::signed(secs as u64, layout(entry).time);
    (secs != 0).then(|| date_text(secs, 0, 0, utc_offset_at(secs)))
}

/// Whether the call ended in one of the restart errors a signal interrupting it leaves
/// (ERESTARTSYS, ERESTARTNOINTR, ERESTARTNOHAND, ERESTART_RESTARTBLOCK): strace's
/// is_erestart.
pub(super) fn is_erestart(result: Option<SyscallResult>) -> bool {
    matches!(result.and_then(|r| r.errno()), Some(512 | 513 | 514 | 516))
}

/// Whether a sleep's remaining time (argument `i`) holds what the kernel wrote: the call
/// was interrupted, and for clock_nanosleep (the remain its fourth argument) without
/// flags (TIMER_ABSTIME writes none), as strace's nanosleep and clock_nanosleep decoders
/// tell.
fn remain_written(entry: &SyscallEntry, i: usize, result: Option<SyscallResult>) -> bool {
    is_erestart(result) && (i != 3 || entry.args[1] == 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    // Expected strings: the forms strace 6.1 printed for trace_i386's calls, on values made
    // up to tell the field widths apart.
    #[test]
    fn time_fields_take_the_width_of_the_calls_abi() {
        let times: Vec<u8> = [1u32, 2, 3, 4]
            .iter()
            .flat_map(|w| w.to_le_bytes())
            .collect();
        assert_eq!(
            timeval_pair(&times, Layout::I386),
            "[{tv_sec=1, tv_usec=2} /* 1970-01-01T00:00:01.000002+0000 */, {tv_sec=3, tv_usec=4} /* 1970-01-01T00:00:03.000004+0000 */]"
        );
        assert_eq!(
            timespec(&times, Layout::I386_TIME64),
            "{tv_sec=8589934593, tv_nsec=17179869187}"
        );
    }
}
