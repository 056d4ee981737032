//! Memory: mmap's and memfd_create's flags, mremap's new address, mincore's vector, the
//! NUMA node masks and policies, move_pages's arrays, and the segment descriptors of the
//! thread areas.

use super::basic::{ArgPlan, complete, in_struct, layout, le_word, mem_u32};
use super::decoder::{CallView, Decoder};
use crate::prim::{Layout, bracket_list, ptr, set_text, styled, u32_at, word_at};
use crate::specs::Fmt;
use crate::xlat::{Style, hex};
use events::{Mem, MemReader};

impl Decoder {
    /// Argument `i` in a memory format: mapping flags, an address, a page vector, a node
    /// mask or policy, move_pages's arrays.
    pub(super) fn memory_arg(&self, fmt: Fmt, i: usize, v: &CallView<'_>) -> Option<String> {
        let raw = v.arg(i);
        let st = self.opts.style;
        let l = layout(v.entry);
        Some(match fmt {
            Fmt::MremapNewAddr => {
                let fixed = ["MREMAP_MAYMOVE", "MREMAP_FIXED"]
                    .iter()
                    .filter_map(|name| syscalls::xlat_set("mremap_flags")?.value_of(name))
                    .fold(0, |all, bit| all | bit);
                if fixed == 0 || v.arg(3) & fixed != fixed {
                    return None;
                }
                ptr(raw)
            }
            Fmt::NodemaskIn(maxnode) => {
                self.nodemask(raw, v.arg(maxnode as usize), v.entry_mem(i as u32), l)
            }
            Fmt::NodemaskOut(maxnode) => match v.ok_ret() {
                Some(_) => self.nodemask(raw, v.arg(maxnode as usize), v.exit_mem(i as u32), l),
                None => ptr(raw),
            },
            Fmt::MempolicyOut => match (v.ok_ret(), v.exit_mem(i as u32)) {
                (Some(_), Some(m)) => match mem_u32(m) {
                    Some(mode) => format!("[{}]", set_text("mempolicy_mode", mode as u64, st)),
                    None => ptr(raw),
                },
                _ => ptr(raw),
            },
            Fmt::MincoreOut => {
                let pages = v.arg(1).div_ceil(4096) as usize;
                let more = pages > self.array_shown(pages as u64);
                self.out_struct(raw, v, i, |b| mincore_vec(b, more))
            }
            Fmt::PtrArrayIn(n) => match v.entry_mem(i as u32) {
                Some(Mem::Bytes { bytes, .. }) => {
                    let items = bytes.chunks_exact(l.long).map(|c| ptr(l.ulong(c, 0)));
                    self.array_text(items, v.arg(n as usize))
                }
                _ => ptr(raw),
            },
            Fmt::IntArrayIn(n) => match v.entry_mem(i as u32) {
                Some(Mem::Bytes { bytes, .. }) => {
                    let items = bytes
                        .chunks_exact(4)
                        .map(|c| (le_word(c, 0, 4) as i32).to_string());
                    self.array_text(items, v.arg(n as usize))
                }
                _ => ptr(raw),
            },
            Fmt::PageStatusOut(n) => match (v.ok_ret(), v.exit_mem(i as u32)) {
                (Some(_), Some(Mem::Bytes { bytes, .. })) => {
                    let items = bytes
                        .chunks_exact(4)
                        .map(|c| match le_word(c, 0, 4) as i32 {
                            e if e < 0 => syscalls::errno_by_code(-e).map_or(e.to_string(), |x| {
                                styled(format!("-{}", x.name), &e.to_string(), st)
                            }),
                            node => node.to_string(),
                        });
                    self.array_text(items, v.arg(n as usize))
                }
                _ => ptr(raw),
            },
            Fmt::MmapFlags => mmap_flags(raw, st),
            // strace's old_mmap: the six words it points to, as mmap's arguments.
            Fmt::OldMmapArgs => match v.entry_mem(i as u32) {
                Some(Mem::Bytes {
                    bytes,
                    complete: true,
                }) if bytes.len() == 24 => {
                    let word = |k: usize| le_word(bytes, 4 * k, 4);
                    format!(
                        "{}, {}, {}, {}, {}, {}",
                        ptr(word(0)),
                        word(1),
                        set_text("mmap_prot", word(2), st),
                        mmap_flags(word(3), st),
                        word(4) as u32 as i32,
                        hex(word(5))
                    )
                }
                _ => ptr(raw),
            },
            Fmt::MemfdFlags => memfd_flags(raw, st),
            Fmt::UserDescIn => in_struct(raw, v.entry_mem(i as u32), |b| {
                format!("{{entry_number={}{}", entry_number(b), user_desc_rest(b, l))
            }),
            Fmt::UserDescInOut => self.user_desc_in_out(raw, i, v, l),
            _ => unreachable!("{fmt:?} is not a format of the memory family"),
        })
    }

    /// What a memory argument needs read: mincore's vector, a node mask, a policy, the
    /// arrays of move_pages.
    pub(super) fn plan_memory(
        &self,
        fmt: Fmt,
        p: ArgPlan<'_>,
        mem: &mut dyn MemReader,
    ) -> Option<Mem> {
        let ArgPlan { entry, addr, l, .. } = p;
        Some(match fmt {
            Fmt::OldMmapArgs => mem.read_bytes(addr, 24),
            // get_thread_area reads the entry number only.
            Fmt::UserDescInOut if !p.at_exit => mem.read_bytes(addr, 4),
            Fmt::UserDescIn | Fmt::UserDescInOut => mem.read_bytes(addr, USER_DESC_SIZE),
            Fmt::MincoreOut => {
                let pages = entry.args[1].div_ceil(4096);
                mem.read_bytes(addr, self.array_shown(pages))
            }
            Fmt::PtrArrayIn(n) | Fmt::IntArrayIn(n) | Fmt::PageStatusOut(n) => {
                let width = if matches!(fmt, Fmt::PtrArrayIn(_)) {
                    l.long
                } else {
                    4
                };
                mem.read_bytes(addr, width * self.array_shown(entry.args[n as usize]))
            }
            Fmt::NodemaskIn(maxnode) | Fmt::NodemaskOut(maxnode) => {
                let (_, shown) = self.nodemask_longs(entry.args[maxnode as usize], l.long);
                mem.read_bytes(addr, shown * l.long)
            }
            Fmt::MempolicyOut => mem.read_bytes(addr, 4),
            _ => return None,
        })
    }

    /// get_thread_area's `struct user_desc`, as strace's print_user_desc prints it at both
    /// ends: the entry number read at entry (` => ` the one written, if another), then the
    /// descriptor the kernel wrote, or `...` when it wrote none.
    fn user_desc_in_out(&self, raw: u64, i: usize, v: &CallView<'_>, l: Layout) -> String {
        let Some(before) = complete(v.entry_mem(i as u32)).filter(|_| raw != 0) else {
            return ptr(raw);
        };
        let mut s = format!("{{entry_number={}", entry_number(before));
        match (v.ok_ret(), complete(v.exit_mem(i as u32))) {
            (Some(_), Some(after)) => {
                if u32_at(after, 0) != u32_at(before, 0) {
                    s.push_str(&format!(" => {}", entry_number(after)));
                }
                s.push_str(&user_desc_rest(after, l));
            }
            _ => s.push_str(", ...}"),
        }
        s
    }

    /// How many longs of a node mask to read: all of them under -v, else up to -s, as
    /// strace's print_array abbreviates.
    fn nodemask_longs(&self, maxnode: u64, long: usize) -> (u64, usize) {
        let bits = 8 * long as u64;
        let total = maxnode.saturating_sub(1).div_ceil(bits);
        let limit = if self.opts.verbose {
            NODEMASK_MAX_LONGS
        } else {
            self.strsize().min(NODEMASK_MAX_LONGS)
        };
        (total, (total as usize).min(limit))
    }

    fn nodemask(&self, raw: u64, maxnode: u64, mem: Option<&Mem>, l: Layout) -> String {
        let (total, shown) = self.nodemask_longs(maxnode, l.long);
        match mem {
            Some(Mem::Bytes { bytes, .. })
                if raw != 0 && shown > 0 && bytes.len() == shown * l.long =>
            {
                nodemask(bytes, total as usize > shown, l.long)
            }
            _ => ptr(raw),
        }
    }
}

/// The most longs of a node mask read (64 Ki nodes), even under -v.
const NODEMASK_MAX_LONGS: usize = 1024;

/// mmap's flags as strace prints them: the MAP_HUGE_* field (the log2 of the huge page
/// size, bits 26..31) apart, as `MAP_PRIVATE|MAP_HUGETLB|21<<MAP_HUGE_SHIFT`.
fn mmap_flags(value: u64, st: Style) -> String {
    const SHIFT: u32 = 26;
    let huge = (value >> SHIFT) & 0x3f;
    if huge == 0 {
        return set_text("mmap_flags", value, st);
    }
    let rest = set_text("mmap_flags", value & !(0x3f << SHIFT), Style::Abbrev);
    styled(format!("{rest}|{huge}<<MAP_HUGE_SHIFT"), &hex(value), st)
}

/// memfd_create's flags as strace prints them: the MFD_HUGE_* page size field (bits
/// 26..31) as `N<<MFD_HUGE_SHIFT` after the flags.
fn memfd_flags(value: u64, st: Style) -> String {
    const SHIFT: u32 = 26;
    let huge = (value >> SHIFT) & 0x3f;
    if huge == 0 {
        return set_text("memfd_flags", value, st);
    }
    let text = match value & !(0x3f << SHIFT) {
        0 => format!("{huge}<<MFD_HUGE_SHIFT"),
        rest => format!(
            "{}|{huge}<<MFD_HUGE_SHIFT",
            set_text("memfd_flags", rest, Style::Abbrev)
        ),
    };
    styled(text, &hex(value), st)
}

/// mincore's vector, one byte per page: `[1, 0, 0]` (strace prints the residency bit),
/// `...` after `shown` entries.
fn mincore_vec(b: &[u8], more: bool) -> String {
    let parts: Vec<String> = b.iter().map(|v| (v & 1).to_string()).collect();
    bracket_list(parts, more)
}

/// A NUMA node mask of `long`-byte longs as strace prints it: each long as C's `%#0*lx`
/// with twice its size as the width (`[0x00000000000003, 0000000000000000]`; i386:
/// `[0x000001, 00000000]`), `...` when more follow than were read.
fn nodemask(b: &[u8], more: bool, long: usize) -> String {
    let width = 2 * long;
    let parts: Vec<String> = b
        .chunks_exact(long)
        .map(|c| zero_padded_hex(word_at(c, 0, long), width))
        .collect();
    bracket_list(parts, more)
}

/// Bytes of `struct user_desc`: three 32-bit words, then the flag bits in a fourth.
const USER_DESC_SIZE: usize = 16;

/// A `struct user_desc`'s entry number, as strace's PRINT_FIELD_ID: `-1` for "any free".
fn entry_number(b: &[u8]) -> String {
    match u32_at(b, 0) as u32 {
        u32::MAX => "-1".to_string(),
        n => n.to_string(),
    }
}

/// A `struct user_desc` after its entry number: `, base_addr=0xf7f1f540, limit=0x0fffff,
/// seg_32bit=1, contents=0, ..., useable=1}`, the addresses as strace's %#08x (zero as
/// `00000000`), `lm` only for a 64-bit tracee (strace ignores it for i386's).
fn user_desc_rest(b: &[u8], l: Layout) -> String {
    let bits = u32_at(b, 12);
    let bit = |n: u32| (bits >> n) & 1;
    let mut s = format!(
        ", base_addr={}, limit={}, seg_32bit={}, contents={}, read_exec_only={}, \
         limit_in_pages={}, seg_not_present={}, useable={}",
        zero_padded_hex(u32_at(b, 4), 8),
        zero_padded_hex(u32_at(b, 8), 8),
        bit(0),
        (bits >> 1) & 3,
        bit(3),
        bit(4),
        bit(5),
        bit(6)
    );
    if l.long == 8 {
        s.push_str(&format!(", lm={}", bit(7)));
    }
    s.push('}');
    s
}

/// C's `%#0*x` with `width`: that many characters with the `0x` (8: `0x0fffff`), which
/// zero does not get (`00000000`).
fn zero_padded_hex(v: u64, width: usize) -> String {
    if v == 0 {
        "0".repeat(width)
    } else {
        format!("{v:#0width$x}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Expected strings: the forms strace 6.1 printed for trace_i386's calls, on values made
    // up to tell the field widths apart.
    #[test]
    fn node_masks_pad_each_long_to_twice_its_width() {
        let mask = [1u8, 0, 0, 0, 0, 0, 0, 0];
        assert_eq!(nodemask(&mask, false, 4), "[0x000001, 00000000]");
        assert_eq!(nodemask(&mask, true, 8), "[0x00000000000001, ...]");
    }

    // Expected strings: strace 6.1's set_thread_area line (i386) and strace 7.2's
    // (x86_64), on the descriptor i386b-style programs pass.
    #[test]
    fn user_descs_pad_their_addresses_and_add_lm_for_64_bit_tracees() {
        let desc: Vec<u8> = [u32::MAX, 0, 0xfffff, 0x51]
            .iter()
            .flat_map(|w| w.to_le_bytes())
            .collect();
        let rest = "base_addr=00000000, limit=0x0fffff, seg_32bit=1, contents=0, \
                    read_exec_only=0, limit_in_pages=1, seg_not_present=0, useable=1";
        assert_eq!(entry_number(&desc), "-1");
        assert_eq!(user_desc_rest(&desc, Layout::I386), format!(", {rest}}}"));
        assert_eq!(
            user_desc_rest(&desc, Layout::LP64),
            format!(", {rest}, lm=0}}")
        );
        assert_eq!(zero_padded_hex(0xf7f1_f540, 8), "0xf7f1f540");
    }
}
