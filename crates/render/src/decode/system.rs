//! The system as a whole: uname's `struct utsname`, `struct sysinfo`, kexec_load's
//! segments and perf_event_open's `struct perf_event_attr`.

use super::basic::{ArgPlan, in_struct, layout};
use super::decoder::{CallView, Decoder};
use crate::escape::Hex;
use crate::prim::{Layout, u16_at, u32_at, u64_at};
use crate::prim::{fixed_cstring, ptr, set_text};
use crate::specs::Fmt;
use crate::xlat::{Style, hex};
use events::{Mem, MemReader};

impl Decoder {
    /// Argument `i` in a system format: a utsname, a sysinfo, kexec_load's segments, a
    /// perf_event_attr.
    pub(super) fn system_arg(&self, fmt: Fmt, i: usize, v: &CallView<'_>) -> Option<String> {
        let raw = v.arg(i);
        let st = self.opts.style;
        let l = layout(v.entry);
        Some(match fmt {
            Fmt::Utsname => {
                self.out_struct(raw, v, i, |b| utsname(b, self.opts.verbose, self.opts.hex))
            }
            Fmt::KexecSegmentsIn(n) => match v.entry_mem(i as u32) {
                Some(Mem::Bytes { bytes, .. }) if v.arg(n as usize) <= KEXEC_SEGMENT_MAX => {
                    let items = bytes.chunks_exact(4 * l.long).map(|seg| {
                        let field = |k: usize| l.ulong(seg, k * l.long);
                        format!(
                            "{{buf={}, bufsz={}, mem={}, memsz={}}}",
                            ptr(field(0)),
                            field(1),
                            ptr(field(2)),
                            field(3)
                        )
                    });
                    self.array_text(items, v.arg(n as usize))
                }
                _ => ptr(raw),
            },
            Fmt::SysinfoOut => self.out_struct(raw, v, i, |b| sysinfo(b, l)),
            Fmt::PerfEventAttr => in_struct(raw, v.entry_mem(i as u32), |b| {
                perf_event_attr(b, self.opts.verbose, st)
            }),
            _ => unreachable!("{fmt:?} is not a format of the system family"),
        })
    }

    /// What a system argument needs read: the structure, as much of a perf_event_attr as
    /// prints, kexec_load's segments.
    pub(super) fn plan_system(
        &self,
        fmt: Fmt,
        p: ArgPlan<'_>,
        mem: &mut dyn MemReader,
    ) -> Option<Mem> {
        let ArgPlan { entry, addr, l, .. } = p;
        Some(match fmt {
            Fmt::PerfEventAttr => {
                // As much of the caller's structure as is known (all of it under -v).
                let size = match mem.read_bytes(addr, 8) {
                    Mem::Bytes { bytes, .. } if bytes.len() == 8 => {
                        u32::from_le_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]) as usize
                    }
                    _ => 0,
                };
                let want = if self.opts.verbose {
                    perf_attr_fetch_size(size)
                } else {
                    PERF_ATTR_HEAD
                };
                mem.read_bytes(addr, want)
            }
            // The fields it prints: all six under -v, else the first two (so that the
            // probes, which read 256 bytes at most, hold them).
            Fmt::Utsname if self.opts.verbose => mem.read_bytes(addr, 6 * 65),
            Fmt::Utsname => mem.read_bytes(addr, 2 * 65),
            Fmt::SysinfoOut => mem.read_bytes(addr, sysinfo_size(l)),
            Fmt::KexecSegmentsIn(n) if entry.args[n as usize] > KEXEC_SEGMENT_MAX => return None,
            Fmt::KexecSegmentsIn(n) => {
                let shown = self.array_shown(entry.args[n as usize]);
                mem.read_bytes(addr, shown * 4 * l.long)
            }
            _ => return None,
        })
    }
}

/// The most segments kexec_load takes (KEXEC_SEGMENT_MAX): strace prints a longer array's
/// address.
const KEXEC_SEGMENT_MAX: u64 = 16;

/// `struct utsname` (six 65-byte fields), the names escaped as `strings` says.
fn utsname(b: &[u8], verbose: bool, strings: Hex) -> String {
    let field = |i: usize| fixed_cstring(b.get(i * 65..(i + 1) * 65).unwrap_or(&[]), strings);
    if verbose {
        format!(
            "{{sysname={}, nodename={}, release={}, version={}, machine={}, domainname={}}}",
            field(0),
            field(1),
            field(2),
            field(3),
            field(4),
            field(5)
        )
    } else {
        format!("{{sysname={}, nodename={}, ...}}", field(0), field(1))
    }
}

/// `struct sysinfo`: ten longs, the 16-bit procs, two longs, the 32-bit mem_unit
/// (x86_64: 112 bytes; i386: 64).
fn sysinfo(b: &[u8], l: Layout) -> String {
    let long = |k: usize| l.ulong(b, k * l.long);
    format!(
        "{{uptime={}, loads=[{}, {}, {}], totalram={}, freeram={}, sharedram={}, bufferram={}, totalswap={}, freeswap={}, procs={}, totalhigh={}, freehigh={}, mem_unit={}}}",
        l.slong(b, 0),
        long(1),
        long(2),
        long(3),
        long(4),
        long(5),
        long(6),
        long(7),
        long(8),
        long(9),
        u16_at(b, 10 * l.long),
        long(11),
        long(12),
        u32_at(b, 13 * l.long)
    )
}

/// Bytes of `struct sysinfo` read for its printed fields.
fn sysinfo_size(l: Layout) -> usize {
    14 * l.long
}

/// The bytes of `struct perf_event_attr` strace's abbreviated form shows: type through
/// the flag bits.
const PERF_ATTR_HEAD: usize = 48;

/// The one-bit fields of perf_event_attr's flag word by bit, in strace's order; bits
/// 15-16 are precise_ip, printed apart.
const PERF_ATTR_BITS: &[(u32, &str)] = &[
    (0, "disabled"),
    (1, "inherit"),
    (2, "pinned"),
    (3, "exclusive"),
    (4, "exclude_user"),
    (5, "exclude_kernel"),
    (6, "exclude_hv"),
    (7, "exclude_idle"),
    (8, "mmap"),
    (9, "comm"),
    (10, "freq"),
    (11, "inherit_stat"),
    (12, "enable_on_exec"),
    (13, "task"),
    (14, "watermark"),
    (17, "mmap_data"),
    (18, "sample_id_all"),
    (19, "exclude_host"),
    (20, "exclude_guest"),
    (21, "exclude_callchain_kernel"),
    (22, "exclude_callchain_user"),
    (23, "mmap2"),
    (24, "comm_exec"),
    (25, "use_clockid"),
    (26, "context_switch"),
    (27, "write_backward"),
    (28, "namespaces"),
    (29, "ksymbol"),
    (30, "bpf_event"),
    (31, "aux_output"),
    (32, "cgroup"),
    (33, "text_poke"),
    (34, "build_id"),
    (35, "inherit_thread"),
    (36, "remove_on_exec"),
    (37, "sigtrap"),
];

/// `struct perf_event_attr` as strace abbreviates it: type, size, config by type, the
/// sample period or frequency, sample and read formats, the flag bits that are set
/// (precise_ip always, with its meaning), then `...` for the fields strace shows only
/// under -v.
fn perf_event_attr(b: &[u8], verbose: bool, st: Style) -> String {
    let (kind, size, config) = (u32_at(b, 0), u32_at(b, 4), u64_at(b, 8));
    let bits = u64_at(b, 40);
    let mut f = vec![
        format!("type={}", set_text("perf_type_id", kind, st)),
        format!("size={}", set_text("perf_attr_size", size, st)),
        format!("config={}", perf_config(kind, config, st)),
    ];
    let freq = bits & (1 << 10) != 0;
    f.push(if freq {
        format!("sample_freq={}", u64_at(b, 16))
    } else {
        format!("sample_period={}", u64_at(b, 16))
    });
    f.push(format!(
        "sample_type={}",
        set_text("perf_sample_format", u64_at(b, 24), st)
    ));
    f.push(format!(
        "read_format={}",
        set_text("perf_read_format", u64_at(b, 32), st)
    ));
    for &(bit, name) in PERF_ATTR_BITS {
        if bit == 17 {
            let precise = (bits >> 15) & 3;
            let what = [
                "arbitrary skid",
                "constant skid",
                "requested to have 0 skid",
                "must have 0 skid",
            ][precise as usize];
            f.push(format!("precise_ip={precise} /* {what} */"));
        }
        if verbose || bits & (1 << bit) != 0 {
            f.push(format!("{name}={}", (bits >> bit) & 1));
        }
    }
    if bits >> 38 != 0 {
        f.push(format!(
            "__reserved_1={} /* Bits 63..38 */",
            hex(bits >> 38)
        ));
    }
    if !verbose {
        // strace 6.1 leaves the rest out whenever it abbreviates.
        f.push("...".into());
        return format!("{{{}}}", f.join(", "));
    }
    perf_attr_rest(b, kind, size, bits, &mut f, st);
    format!("{{{}}}", f.join(", "))
}

/// The largest `struct perf_event_attr` strace 6.1 reads (PERF_ATTR_SIZE_VER7).
const PERF_ATTR_KNOWN: usize = 128;

/// How much of a caller's `struct perf_event_attr` of `size` to read: all of what is known
/// (PERF_ATTR_SIZE_VER0 for a size of 0, which the kernel reads as that).
fn perf_attr_fetch_size(size: usize) -> usize {
    match size {
        0 => 64,
        s => s.min(PERF_ATTR_KNOWN),
    }
}

/// The fields after the flag bits that strace prints under -v, each as far as the
/// caller's structure (what was read of it) holds it.
fn perf_attr_rest(b: &[u8], kind: u64, size: u64, bits: u64, f: &mut Vec<String>, st: Style) {
    let has = |off: usize| off < b.len();
    let breakpoint = kind == 5;
    let sample_type = u64_at(b, 24);
    f.push(if bits & (1 << 14) != 0 {
        format!("wakeup_watermark={}", u32_at(b, 48))
    } else {
        format!("wakeup_events={}", u32_at(b, 48))
    });
    if breakpoint {
        f.push(format!("bp_type={}", u32_at(b, 52)));
        f.push(format!("bp_addr={}", hex(u64_at(b, 56))));
    } else {
        f.push(format!("config1={}", hex(u64_at(b, 56))));
    }
    if has(64) {
        f.push(if breakpoint {
            format!("bp_len={}", u64_at(b, 64))
        } else {
            format!("config2={}", hex(u64_at(b, 64)))
        });
    }
    // PERF_SAMPLE_BRANCH_STACK
    if has(72) && sample_type & (1 << 11) != 0 {
        f.push(format!("branch_sample_type={}", hex(u64_at(b, 72))));
    }
    if has(80) {
        f.push(format!("sample_regs_user={}", hex(u64_at(b, 80))));
    }
    // PERF_SAMPLE_STACK_USER
    if has(88) && sample_type & (1 << 13) != 0 {
        f.push(format!("sample_stack_user={}", hex(u32_at(b, 88))));
    }
    if has(92) && bits & (1 << 25) != 0 {
        f.push(format!(
            "clockid={}",
            set_text("clockid", u32_at(b, 92), st)
        ));
    }
    if has(96) {
        f.push(format!("sample_regs_intr={}", hex(u64_at(b, 96))));
    }
    if has(104) {
        f.push(format!("aux_watermark={}", u32_at(b, 104)));
    }
    if has(108) {
        f.push(format!("sample_max_stack={}", u16_at(b, 108)));
    }
    if has(110) && u16_at(b, 110) != 0 {
        f.push(format!("/* bytes 110..111: {} */", hex(u16_at(b, 110))));
    }
    if has(112) {
        f.push(format!("aux_sample_size={}", u32_at(b, 112)));
    }
    if has(116) && u32_at(b, 116) != 0 {
        f.push(format!("__reserved_3={}", hex(u32_at(b, 116))));
    }
    if has(120) {
        f.push(format!("sig_data={}", hex(u64_at(b, 120))));
    }
    if size as usize > PERF_ATTR_KNOWN {
        f.push("...".into());
    }
}

/// perf_event_attr's config as strace prints it for event type `kind`.
fn perf_config(kind: u64, config: u64, st: Style) -> String {
    let pmu = |parts: &mut Vec<String>| {
        if config >> 32 != 0 {
            parts.push(format!("{}<<32", hex(config >> 32)));
        }
    };
    match kind {
        // PERF_TYPE_HARDWARE: a PMU type in the high half, a perf_hw_id in the low byte.
        0 => {
            let mut parts = Vec::new();
            pmu(&mut parts);
            parts.push(set_text("perf_hw_id", config & 0xffff_ffff, st));
            parts.join("|")
        }
        1 => set_text("perf_sw_ids", config, st),
        2 => config.to_string(),
        // PERF_TYPE_HW_CACHE: result<<16|op<<8|cache.
        3 => {
            let mut parts = Vec::new();
            pmu(&mut parts);
            if (config & 0xffff_ffff) >> 24 != 0 {
                parts.push(format!("{}<<24", hex((config & 0xffff_ffff) >> 24)));
            }
            parts.push(format!(
                "{}<<16",
                set_text("perf_hw_cache_op_result_id", (config >> 16) & 0xff, st)
            ));
            parts.push(format!(
                "{}<<8",
                set_text("perf_hw_cache_op_id", (config >> 8) & 0xff, st)
            ));
            parts.push(set_text("perf_hw_cache_id", config & 0xff, st));
            parts.join("|")
        }
        _ => hex(config),
    }
}
