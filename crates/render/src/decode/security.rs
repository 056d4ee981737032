//! Security: capget's and capset's header and data, landlock's ruleset attributes.

use super::basic::{ArgPlan, in_struct};
use super::decoder::{CallView, Decoder};
use crate::prim::{ptr, set_text};
use crate::prim::{u32_at, u64_at};
use crate::specs::Fmt;
use crate::xlat::{Style, hex};
use events::{Mem, MemReader};

impl Decoder {
    /// Argument `i` in a security format: a capability header or data, a landlock ruleset's
    /// attributes.
    pub(super) fn security_arg(&self, fmt: Fmt, i: usize, v: &CallView<'_>) -> Option<String> {
        let raw = v.arg(i);
        let st = self.opts.style;
        Some(match fmt {
            Fmt::CapHeader => in_struct(raw, v.entry_mem(i as u32), |b| cap_header(b, st)),
            Fmt::CapDataIn => in_struct(raw, v.entry_mem(i as u32), |b| cap_data(b, st)),
            Fmt::CapDataOut => self.out_struct(raw, v, i, |b| cap_data(b, st)),
            Fmt::LandlockRulesetAttr(size_arg) if v.arg(size_arg as usize) < 8 => ptr(raw),
            Fmt::LandlockRulesetAttr(_) => {
                in_struct(raw, v.entry_mem(i as u32), |b| landlock_ruleset_attr(b, st))
            }
            _ => unreachable!("{fmt:?} is not a format of the security family"),
        })
    }

    /// What a security argument needs read: the capability header and as many data
    /// structures as its version has, the ruleset's attributes.
    pub(super) fn plan_security(
        &self,
        fmt: Fmt,
        p: ArgPlan<'_>,
        mem: &mut dyn MemReader,
    ) -> Option<Mem> {
        let ArgPlan { entry, addr, .. } = p;
        Some(match fmt {
            Fmt::CapHeader => mem.read_bytes(addr, 8),
            Fmt::CapDataIn | Fmt::CapDataOut => {
                let version = match mem.read_bytes(entry.args[0], 4) {
                    Mem::Bytes { bytes, .. } if bytes.len() == 4 => {
                        u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]])
                    }
                    _ => 0,
                };
                match cap_data_count(version) {
                    0 => return None,
                    n => mem.read_bytes(addr, 12 * n),
                }
            }
            Fmt::LandlockRulesetAttr(n) => {
                mem.read_bytes(addr, (entry.args[n as usize] as usize).min(16))
            }
            _ => return None,
        })
    }
}

/// `struct landlock_ruleset_attr`: the handled file system accesses, then the network
/// ones when the caller's structure has them.
fn landlock_ruleset_attr(b: &[u8], st: Style) -> String {
    let mut out = format!(
        "{{handled_access_fs={}",
        set_text("landlock_access_fs", u64_at(b, 0), st)
    );
    if b.len() >= 16 {
        out += &format!(
            ", handled_access_net={}",
            set_text("landlock_access_net", u64_at(b, 8), st)
        );
    }
    out + "}"
}

/// `struct __user_cap_header_struct`: `{version=_LINUX_CAPABILITY_VERSION_3, pid=0}`.
fn cap_header(b: &[u8], st: Style) -> String {
    format!(
        "{{version={}, pid={}}}",
        set_text("cap_version", u32_at(b, 0), st),
        u32_at(b, 4) as i32
    )
}

/// How many `struct __user_cap_data_struct`s a capability header's version has.
fn cap_data_count(version: u32) -> usize {
    match version {
        0x1998_0330 => 1,
        0x2007_1026 | 0x2008_0522 => 2,
        _ => 0,
    }
}

/// capget's and capset's data: each set (effective, permitted, inheritable) of the one
/// or two 32-bit structures, as `1<<CAP_CHOWN|1<<CAP_KILL`.
fn cap_data(b: &[u8], st: Style) -> String {
    let set = |field: usize| {
        let mut v = u32_at(b, field * 4);
        if b.len() >= 24 {
            v |= u32_at(b, 12 + field * 4) << 32;
        }
        cap_set(v, st)
    };
    format!(
        "{{effective={}, permitted={}, inheritable={}}}",
        set(0),
        set(1),
        set(2)
    )
}

fn cap_set(v: u64, st: Style) -> String {
    // As strace's print_cap_bits: the low word's capabilities, then the high word's, each
    // word a flags value of its own (so `0xfeffffff|0x1ff` under -X raw).
    let (lo, hi) = (v & 0xffff_ffff, v >> 32);
    let word = |w: u64, base: u64| {
        let mut names = Vec::new();
        let mut rest = w;
        for bit in 0..32 {
            if w & (1 << bit) == 0 {
                continue;
            }
            if let Some(name) = syscalls::xlat_set("capability").and_then(|s| s.name_of(base + bit))
            {
                names.push(format!("1<<{name}"));
                rest &= !(1 << bit);
            }
        }
        if rest != 0 || names.is_empty() {
            names.push(hex(rest));
        }
        let text = names.join("|");
        match st {
            Style::Abbrev => text,
            Style::Raw => hex(w),
            Style::Verbose if text == hex(w) => text,
            Style::Verbose => format!("{} /* {text} */", hex(w)),
        }
    };
    let mut parts = Vec::new();
    if lo != 0 || hi == 0 {
        parts.push(word(lo, 0));
    }
    if hi != 0 {
        parts.push(word(hi, 32));
    }
    parts.join("|")
}
