//! `siginfo_t` as strace prints it, in `--- SIGX {...} ---` lines (always x86_64's
//! layout: PTRACE_GETSIGINFO gives the tracer its own) and in syscall arguments (i386's
//! compat_siginfo for i386 calls).

use crate::prim::Layout;
use crate::prim::{ptr, signal, styled};
use crate::xlat::{self, Style};

fn i32_at(b: &[u8], off: usize) -> i32 {
    b.get(off..off + 4)
        .map_or(0, |s| i32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}

/// The si_code table of a signal's own codes (`CLD_EXITED` for SIGCHLD).
fn code_table(signo: i32) -> Option<&'static syscalls::XlatSet> {
    syscalls::xlat_subset("signal", signo as u64)
}

/// Signal numbers this module interprets (generic Linux numbering).
mod libc_sig {
    pub const SIGILL: i32 = 4;
    pub const SIGTRAP: i32 = 5;
    pub const SIGBUS: i32 = 7;
    pub const SIGFPE: i32 = 8;
    pub const SIGSEGV: i32 = 11;
    pub const SIGCHLD: i32 = 17;
    pub const SIGIO: i32 = 29;
    pub const SIGSYS: i32 = 31;
}

/// The braces part of a signal line, from the raw 128-byte siginfo of layout `l` (its
/// union follows the three ints at the alignment of a long); under -X raw the signal and
/// code print as numbers, under -X verbose with their names as comments.
pub fn format(b: &[u8], st: Style, l: Layout) -> String {
    // The union's offset and its fields': a pid and uid, then a long-aligned word.
    let u = if l.long == 4 { 12 } else { 16 };
    let long_at = |off: usize| l.ulong(b, off);
    let signo = i32_at(b, 0);
    if signo == 0 {
        // strace prints nothing of a siginfo without a signal.
        return "{}".to_string();
    }
    let errno = i32_at(b, 4);
    let code = i32_at(b, 8);
    let mut parts = vec![format!(
        "si_signo={}",
        styled(signal(signo), &signo.to_string(), st)
    )];
    if errno != 0 {
        let name = syscalls::errno_by_code(errno).map_or(errno.to_string(), |e| e.name.to_string());
        parts.push(format!("si_errno={name}"));
    }
    let generic = code <= 0 || code == 0x80;
    let code_text = if generic {
        syscalls::xlat_set("si_code")
            .and_then(|t| t.name_of(code as i64 as u64))
            .map(str::to_string)
    } else {
        code_table(signo)
            .and_then(|t| t.name_of(code as u64))
            .map(str::to_string)
    };
    let code_text = match (code_text, st) {
        (Some(name), _) => styled(name, &xlat::hex(code as u32 as u64), st),
        (None, Style::Abbrev) => code.to_string(),
        (None, _) => xlat::hex(code as u32 as u64),
    };
    parts.push(format!("si_code={code_text}"));
    let pid_uid = |parts: &mut Vec<String>| {
        parts.push(format!("si_pid={}", i32_at(b, u)));
        parts.push(format!("si_uid={}", i32_at(b, u + 4) as u32));
    };
    if generic {
        match code {
            0 | -6 => pid_uid(&mut parts),
            -1 | -3 | -4 => {
                pid_uid(&mut parts);
                // strace prints the value a sender queued only when it is not zero.
                if long_at(u + 8) != 0 {
                    parts.push(format!("si_int={}", i32_at(b, u + 8)));
                    parts.push(format!("si_ptr={}", ptr(long_at(u + 8))));
                }
            }
            -2 => {
                parts.push(format!("si_timerid={:#x}", i32_at(b, u)));
                parts.push(format!("si_overrun={}", i32_at(b, u + 4)));
                parts.push(format!("si_int={}", i32_at(b, u + 8)));
                parts.push(format!("si_ptr={}", ptr(long_at(u + 8))));
            }
            _ => {}
        }
        return format!("{{{}}}", parts.join(", "));
    }
    match signo {
        libc_sig::SIGCHLD => {
            pid_uid(&mut parts);
            let status = i32_at(b, u + 8);
            // CLD_EXITED's is an exit code; the others' a signal, named as -X says.
            let status_text = if code == 1 {
                status.to_string()
            } else {
                styled(signal(status), &status.to_string(), st)
            };
            parts.push(format!("si_status={status_text}"));
            parts.push(format!(
                "si_utime={}",
                crate::prim::clock_ticks(l.slong(b, u + 8 + l.long), st)
            ));
            parts.push(format!(
                "si_stime={}",
                crate::prim::clock_ticks(l.slong(b, u + 8 + 2 * l.long), st)
            ));
        }
        libc_sig::SIGSEGV
        | libc_sig::SIGBUS
        | libc_sig::SIGFPE
        | libc_sig::SIGILL
        | libc_sig::SIGTRAP => {
            parts.push(format!("si_addr={}", ptr(long_at(u))));
        }
        libc_sig::SIGIO => {
            parts.push(format!("si_band={}", l.slong(b, u)));
            parts.push(format!("si_fd={}", i32_at(b, u + l.long)));
        }
        libc_sig::SIGSYS => {
            parts.push(format!("si_call_addr={}", ptr(long_at(u))));
            parts.push(format!("si_syscall={}", i32_at(b, u + l.long)));
            let arch = i32_at(b, u + l.long + 4) as u32 as u64;
            parts.push(format!(
                "si_arch={}",
                xlat::AUDIT_ARCHES.format_value(arch, Style::Abbrev, |v| format!("{v:#x}"))
            ));
        }
        _ => {}
    }
    format!("{{{}}}", parts.join(", "))
}
