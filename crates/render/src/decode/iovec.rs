//! I/O vectors: readv's and writev's `struct iovec` arrays with their buffers (cut at the
//! call's result), and process_vm_readv's and process_vm_writev's as addresses; msghdrs'
//! iovecs print with these too.

use super::basic::{ArgPlan, layout, le_word};
use super::decoder::{CallView, Decoder};
use crate::prim::{bracket_list, ptr};
use crate::specs::Fmt;
use events::{Capture, Mem, MemReader};

impl Decoder {
    /// Argument `i` in an iovec format: an array with its buffers, or with its bases as
    /// addresses.
    pub(super) fn iov_arg(&self, fmt: Fmt, i: usize, v: &CallView<'_>) -> Option<String> {
        let raw = v.arg(i);
        let l = layout(v.entry);
        Some(match fmt {
            Fmt::IovIn(count_arg) => self.iovec(raw, v.arg(count_arg as usize), v, false, i),
            Fmt::IovOut(count_arg) => match (v.ok_ret(), v.exit_mem(i as u32)) {
                (Some(_), _) => self.iovec(raw, v.arg(count_arg as usize), v, true, i),
                // A failed call's iovec, its bases as addresses, as strace's readv prints.
                (None, Some(Mem::Bytes { bytes, .. })) => {
                    iov_addrs(bytes, l.long, v.arg(count_arg as usize))
                }
                (None, _) => ptr(raw),
            },
            Fmt::IovAddrs(count_arg) => match v.entry_mem(i as u32) {
                Some(Mem::Bytes { bytes, .. }) => {
                    iov_addrs(bytes, l.long, v.arg(count_arg as usize))
                }
                _ => ptr(raw),
            },
            _ => unreachable!("{fmt:?} is not a format of the iov family"),
        })
    }

    /// What argument `i` in an iovec format needs read: the array, and its buffers (up to
    /// the call's result at exit).
    pub(super) fn plan_iov(
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
            Fmt::IovAddrs(c) => {
                mem.read_bytes(addr, 2 * l.long * self.iov_items(entry.args[c as usize]))
            }
            Fmt::IovIn(c) | Fmt::IovOut(c) => {
                let left = if at_exit {
                    ok.unwrap_or(0).max(0) as u64
                } else {
                    u64::MAX
                };
                let iov = IovPlan {
                    slot: i,
                    max,
                    items: self.iov_items(entry.args[c as usize]),
                    word: l.long,
                };
                capture_iov(mem, addr, entry.args[c as usize], left, iov, out)
            }
            _ => return None,
        })
    }

    /// How many entries of an iovec array of `count` print: -s of them, all under -v (up
    /// to the kernel's limit), as strace's print_array abbreviates.
    pub(super) fn iov_items(&self, count: u64) -> usize {
        self.array_shown(count).min(IOV_MAX_ITEMS)
    }

    /// Argument `i`'s iovec array of `count` entries: at entry what goes in, at exit
    /// (`out`) what came back, cut at the call's result.
    fn iovec(&self, raw: u64, count: u64, v: &CallView<'_>, out: bool, i: usize) -> String {
        let (mem, total) = if out {
            (v.exit_mem, Some(v.ok_ret().unwrap_or(0).max(0) as u64))
        } else {
            (&v.entry.mem[..], None)
        };
        self.iovec_at(raw, count, mem, i as u32, i, total, layout(v.entry).long)
    }

    /// An iovec array captured under `array_key`, its buffers under slot `slot`; its
    /// base and length fields are `ptr_size` bytes each.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn iovec_at(
        &self,
        raw: u64,
        count: u64,
        mem: &[Capture],
        array_key: u32,
        i: usize,
        total: Option<u64>,
        ptr_size: usize,
    ) -> String {
        let Some(Mem::Bytes { bytes, .. }) = Capture::find(mem, array_key) else {
            return ptr(raw);
        };
        let mut left = total.unwrap_or(u64::MAX);
        let mut parts = Vec::new();
        for (k, chunk) in bytes.chunks_exact(2 * ptr_size).enumerate() {
            let (base, len) = (
                le_word(chunk, 0, ptr_size),
                le_word(chunk, ptr_size, ptr_size),
            );
            let shown_len = len.min(left);
            left -= shown_len;
            let data = Capture::find(mem, iov_key(i, k));
            // strace prints `""` for buffers past the returned length too.
            let base_text = match (base, shown_len) {
                (0, _) => "NULL".to_string(),
                (_, 0) if total.is_some() => "\"\"".to_string(),
                _ => self.buf(base, shown_len, data, false),
            };
            parts.push(format!("{{iov_base={base_text}, iov_len={len}}}"));
        }
        let more = count as usize > parts.len();
        bracket_list(parts, more)
    }
}

/// Where an iovec array's buffers are captured and how: slot, -s, how many entries to
/// read, field width in bytes.
#[derive(Clone, Copy)]
pub(super) struct IovPlan {
    pub(super) slot: usize,
    pub(super) max: usize,
    pub(super) items: usize,
    pub(super) word: usize,
}

/// The most iovec entries read, even under -v: the kernel's UIO_MAXIOV.
pub(super) const IOV_MAX_ITEMS: usize = 1024;

/// Reads an iovec array of `count` entries at `addr` (the first `plan.items`) and up to
/// `left` bytes of its buffers (each cut one byte past `plan.max`, -s, as strace's
/// printstr reads them), pushing the buffers under slot
/// `plan.slot`; returns the array.
pub(super) fn capture_iov(
    mem: &mut dyn MemReader,
    addr: u64,
    count: u64,
    mut left: u64,
    plan: IovPlan,
    out: &mut Vec<Capture>,
) -> Mem {
    let IovPlan {
        slot,
        max,
        items,
        word,
    } = plan;
    let count = (count as usize).min(items);
    let arr = mem.read_bytes(addr, count * 2 * word);
    if let Mem::Bytes { bytes, .. } = &arr {
        for (k, chunk) in bytes.chunks_exact(2 * word).enumerate() {
            let base = le_word(chunk, 0, word);
            let len = le_word(chunk, word, word).min(left);
            left -= len;
            if base != 0 && len > 0 {
                out.push(Capture {
                    key: iov_key(slot, k),
                    data: mem.read_bytes(base, len.min(max as u64 + 1) as usize),
                });
            }
        }
    }
    arr
}

/// An iovec array of `count` entries, of which `bytes` holds the ones shown, each field
/// `word` bytes: `[{iov_base=0x..., iov_len=N}, ...]`, the bases as addresses.
pub(super) fn iov_addrs(bytes: &[u8], word: usize, count: u64) -> String {
    let parts: Vec<String> = bytes
        .chunks_exact(2 * word)
        .map(|c| {
            let (base, len) = (le_word(c, 0, word), le_word(c, word, word));
            format!("{{iov_base={}, iov_len={len}}}", ptr(base))
        })
        .collect();
    let more = count as usize > parts.len();
    bracket_list(parts, more)
}

/// The capture key of buffer `k` of the iovec array in slot `arg`.
fn iov_key(arg: usize, k: usize) -> u32 {
    (1 + arg as u32) * IOV_MAX_ITEMS as u32 + k as u32
}
