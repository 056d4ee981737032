//! bpf: the attributes of BPF_MAP_CREATE (with -y's paths of the descriptors in them);
//! other commands print their address.

use super::basic::{ArgPlan, in_struct};
use super::decoder::{CallView, Decoder};
use super::sockaddr::ifindex;
use crate::escape::Hex;
use crate::prim::{fixed_cstring, ptr, set_text};
use crate::prim::{u32_at, u64_at};
use crate::specs::Fmt;
use crate::xlat::Style;
use events::{Capture, Mem, MemReader};

impl Decoder {
    /// Argument `i` in bpf's format: its `union bpf_attr`.
    pub(super) fn bpf_arg(&self, fmt: Fmt, i: usize, v: &CallView<'_>) -> Option<String> {
        let raw = v.arg(i);
        let st = self.opts.style;
        Some(match fmt {
            Fmt::BpfAttr if v.arg(0) == BPF_MAP_CREATE => {
                let fd = |off: usize, fd: i32| {
                    self.fd_text(fd.into(), v.entry_mem(BPF_FD_KEY + off as u32))
                };
                in_struct(raw, v.entry_mem(i as u32), |b| {
                    bpf_map_create(b, st, self.opts.hex, &fd)
                })
            }
            Fmt::BpfAttr => ptr(raw),
            _ => unreachable!("{fmt:?} is not a format of the bpf family"),
        })
    }

    /// What bpf's attributes need read: BPF_MAP_CREATE's, and under -y what its
    /// descriptors refer to.
    pub(super) fn plan_bpf(
        &self,
        fmt: Fmt,
        p: ArgPlan<'_>,
        mem: &mut dyn MemReader,
        out: &mut Vec<Capture>,
    ) -> Option<Mem> {
        let ArgPlan { entry, addr, .. } = p;
        Some(match fmt {
            Fmt::BpfAttr if entry.args[0] == BPF_MAP_CREATE => {
                let size = (entry.args[2] as usize).min(BPF_MAP_CREATE_SIZE);
                let attr = mem.read_bytes(addr, size);
                if let Mem::Bytes { bytes, .. } = &attr
                    && self.opts.decode_fds
                {
                    // -y: inner_map_fd (at 20) and btf_fd (at 48).
                    for off in [20, 48] {
                        if let Some(fd) = bytes.get(off..off + 4) {
                            let fd = i32::from_le_bytes([fd[0], fd[1], fd[2], fd[3]]);
                            let data = self.fd_capture(fd, mem);
                            out.push(Capture {
                                key: BPF_FD_KEY + off as u32,
                                data,
                            });
                        }
                    }
                }
                attr
            }
            _ => return None,
        })
    }
}

/// Capture keys of what the descriptors inside BPF_MAP_CREATE's attributes refer to
/// (`+ offset`), for -y.
const BPF_FD_KEY: u32 = 9_000_000;

/// bpf's command that creates a map, the one whose attributes are decoded.
pub(super) const BPF_MAP_CREATE: u64 = 0;

/// The part of `union bpf_attr` BPF_MAP_CREATE uses, up to map_extra.
const BPF_MAP_CREATE_SIZE: usize = 72;

/// BPF_MAP_CREATE's attributes, as far as the caller's size `b.len()` reaches: each
/// field strace prints when the structure holds it; `fd(offset, fd)` prints the
/// descriptor fields (with -y's path).
fn bpf_map_create(b: &[u8], st: Style, strings: Hex, fd: &dyn Fn(usize, i32) -> String) -> String {
    let len = b.len();
    let mut f = vec![
        format!("map_type={}", set_text("bpf_map_types", u32_at(b, 0), st)),
        format!("key_size={}", u32_at(b, 4)),
        format!("value_size={}", u32_at(b, 8)),
        format!("max_entries={}", u32_at(b, 12)),
    ];
    let flags = u32_at(b, 16);
    let numa = syscalls::xlat_set("bpf_map_flags")
        .and_then(|s| s.value_of("BPF_F_NUMA_NODE"))
        .unwrap_or(0);
    let steps: [(usize, &dyn Fn() -> Option<String>); 9] = [
        (16, &|| {
            Some(format!(
                "map_flags={}",
                set_text("bpf_map_flags", flags, st)
            ))
        }),
        (20, &|| {
            Some(format!("inner_map_fd={}", fd(20, u32_at(b, 20) as i32)))
        }),
        (24, &|| {
            (flags & numa != 0).then(|| match u32_at(b, 24) {
                0xffff_ffff => "numa_node=4294967295 /* NUMA_NO_NODE */".to_string(),
                n => format!("numa_node={n}"),
            })
        }),
        (28, &|| {
            Some(format!(
                "map_name={}",
                fixed_cstring(&b[28..len.min(44)], strings)
            ))
        }),
        (44, &|| {
            Some(format!(
                "map_ifindex={}",
                ifindex(u32_at(b, 44) as i32, st, strings)
            ))
        }),
        (48, &|| {
            Some(format!(
                "btf_fd={}, btf_key_type_id={}, btf_value_type_id={}",
                fd(48, u32_at(b, 48) as i32),
                u32_at(b, 52),
                u32_at(b, 56)
            ))
        }),
        (60, &|| {
            Some(format!("btf_vmlinux_value_type_id={}", u32_at(b, 60)))
        }),
        (64, &|| Some(format!("map_extra={}", u64_at(b, 64)))),
        (usize::MAX, &|| None),
    ];
    for (offset, field) in steps {
        if len <= offset {
            break;
        }
        f.extend(field());
    }
    format!("{{{}}}", f.join(", "))
}
