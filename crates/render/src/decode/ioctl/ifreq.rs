//! ioctl on network interfaces (SIOCGIF*, SIOCSIF*): `struct ifreq`'s name and the member
//! of its union the command reads or writes, SIOCGIFCONF's `struct ifconf`.

use super::IOCTL_ARRAY_KEY;
use crate::decode::basic::{in_struct, le_word, le64};
use crate::decode::decoder::{CallView, Decoder};
use crate::decode::sockaddr::sockaddr;
use crate::escape::{Hex, quote};
use crate::prim::{bracket_list, fixed_cstring, ptr, set_text};
use crate::prim::{u16_at, u32_at, u64_at};
use crate::specs::{self, IfreqField};
use crate::xlat::{Style, hex};
use events::Mem;

impl Decoder {
    /// A `struct ifreq` of SIOCGIF*: what the kernel read (the name, SIOCGIFNAME's index),
    /// then on success the member it wrote.
    pub(super) fn ifreq_out(
        &self,
        raw: u64,
        v: &CallView<'_>,
        i: usize,
        field: specs::IfreqField,
    ) -> String {
        in_struct(raw, v.entry_mem(i as u32), |b| {
            let head = match field {
                specs::IfreqField::Name => {
                    format!("ifr_ifindex={}", le_word(b, 16, 4) as i32)
                }
                _ => ifreq_name(b, self.opts.hex),
            };
            match v.written(i as u32) {
                Some(bytes) => format!(
                    "{{{head}, {}}}",
                    ifreq_field(bytes, field, self.opts.style, self.opts.hex)
                ),
                _ => format!("{{{head}}}"),
            }
        })
    }

    /// SIOCGIFCONF's `struct ifconf`: the length going in and coming out, and the
    /// interfaces written (only the buffer's address when there is none or on failure).
    pub(super) fn ifconf(&self, raw: u64, v: &CallView<'_>, i: usize) -> String {
        let Some(Mem::Bytes {
            bytes: before,
            complete: true,
        }) = v.entry_mem(i as u32)
        else {
            return ptr(raw);
        };
        let len_in = le_word(before, 0, 4) as i32;
        let buf_in = le64(before, 8);
        let after = match v.exit_mem(i as u32) {
            Some(Mem::Bytes {
                bytes,
                complete: true,
            }) if v.result.is_some() => bytes,
            _ => {
                let len = if buf_in == 0 {
                    format!("{}, ", ifc_len(len_in))
                } else {
                    String::new()
                };
                return format!("{{{len}ifc_buf={}}}", ptr(buf_in));
            }
        };
        let len_out = le_word(after, 0, 4) as i32;
        let len = match (buf_in, len_in == len_out) {
            (0, _) => ifc_len(len_out),
            (_, true) => ifc_len(len_in),
            (_, false) => format!("{} => {}", ifc_len(len_in), ifc_len(len_out)),
        };
        let buf = if buf_in == 0 || v.ok_ret().is_none() {
            ptr(buf_in)
        } else {
            let count = len_out.max(0) as u64 / specs::IFREQ_SIZE as u64;
            match v.exit_mem(IOCTL_ARRAY_KEY) {
                Some(Mem::Bytes { bytes, .. }) => {
                    let more = (bytes.len() / specs::IFREQ_SIZE) < count as usize;
                    ifconf_reqs(bytes, more, self.opts.style, self.opts.hex)
                }
                _ => ptr(buf_in),
            }
        };
        format!("{{ifc_len={len}, ifc_buf={buf}}}")
    }
}

/// `struct ifreq`'s name: `ifr_name="lo"`.
pub(super) fn ifreq_name(b: &[u8], strings: Hex) -> String {
    format!(
        "ifr_name={}",
        fixed_cstring(b.get(..16).unwrap_or(b), strings)
    )
}

/// The member of `struct ifreq`'s union that `field` says: `ifr_mtu=65536`.
pub(super) fn ifreq_field(b: &[u8], field: IfreqField, st: Style, strings: Hex) -> String {
    let u = b.get(16..).unwrap_or_default();
    match field {
        IfreqField::Addr(name) => {
            format!("{name}={}", sockaddr(u.get(..16).unwrap_or(u), st, strings))
        }
        IfreqField::Hwaddr => format!("ifr_hwaddr={}", hwaddr(u, st)),
        IfreqField::Flags => format!("ifr_flags={}", set_text("iff_flags", u16_at(u, 0), st)),
        IfreqField::Int(name) => format!("{name}={}", u32_at(u, 0) as i32),
        IfreqField::Str(name) => format!(
            "{name}={}",
            fixed_cstring(u.get(..16).unwrap_or(u), strings)
        ),
        IfreqField::Name => ifreq_name(b, strings),
        IfreqField::Map => format!(
            "ifr_map={{mem_start={}, mem_end={}, base_addr={}, irq={}, dma={}, port={}}}",
            hex(u64_at(u, 0)),
            hex(u64_at(u, 8)),
            hex(u16_at(u, 16)),
            hex(u.get(18).copied().unwrap_or(0).into()),
            hex(u.get(19).copied().unwrap_or(0).into()),
            hex(u.get(20).copied().unwrap_or(0).into())
        ),
    }
}

/// How many bytes of a hardware address strace shows for an ARPHRD_* type (its
/// print_mac.c table; types it does not list show all 14 bytes of sa_data).
fn hwaddr_len(hwtype: u64) -> usize {
    const LENGTHS: &[(&str, usize)] = &[
        ("ARPHRD_NETROM", 7),
        ("ARPHRD_ETHER", 6),
        ("ARPHRD_AX25", 7),
        ("ARPHRD_IEEE802", 6),
        ("ARPHRD_ARCNET", 1),
        ("ARPHRD_DLCI", 2),
        ("ARPHRD_IEEE1394", 16),
        ("ARPHRD_EUI64", 8),
        ("ARPHRD_INFINIBAND", 20),
        ("ARPHRD_SLIP", 0),
        ("ARPHRD_ROSE", 5),
        ("ARPHRD_X25", 0),
        ("ARPHRD_CAN", 0),
        ("ARPHRD_MCTP", 1),
        ("ARPHRD_PPP", 0),
        ("ARPHRD_RAWHDLC", 0),
        ("ARPHRD_RAWIP", 0),
        ("ARPHRD_TUNNEL", 4),
        ("ARPHRD_TUNNEL6", 16),
        ("ARPHRD_LOOPBACK", 6),
        ("ARPHRD_LOCALTLK", 1),
        ("ARPHRD_FDDI", 6),
        ("ARPHRD_SIT", 4),
        ("ARPHRD_IPDDP", 0),
        ("ARPHRD_IPGRE", 4),
        ("ARPHRD_PIMREG", 0),
        ("ARPHRD_HIPPI", 6),
        ("ARPHRD_IRDA", 4),
        ("ARPHRD_IEEE80211", 6),
        ("ARPHRD_IEEE80211_PRISM", 6),
        ("ARPHRD_IEEE80211_RADIOTAP", 6),
        ("ARPHRD_IEEE802154", 8),
        ("ARPHRD_IEEE802154_MONITOR", 8),
        ("ARPHRD_PHONET", 1),
        ("ARPHRD_PHONET_PIPE", 1),
        ("ARPHRD_CAIF", 0),
        ("ARPHRD_IP6GRE", 16),
        ("ARPHRD_NETLINK", 0),
        ("ARPHRD_6LOWPAN", 8),
        ("ARPHRD_VSOCKMON", 0),
    ];
    let set = syscalls::xlat_set("arp_hardware_types");
    LENGTHS
        .iter()
        .find(|(name, _)| set.and_then(|s| s.value_of(name)) == Some(hwtype))
        .map_or(14, |&(_, len)| len)
}

/// `ifr_hwaddr`: `{sa_family=ARPHRD_ETHER, sa_data=52:54:00:12:34:56}`; the bytes in hex
/// under -X raw, both under -X verbose.
fn hwaddr(b: &[u8], st: Style) -> String {
    let hwtype = u16_at(b, 0);
    let data = b.get(2..16).unwrap_or_default();
    let mac: Vec<String> = data[..hwaddr_len(hwtype).min(data.len())]
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    let mac = mac.join(":");
    let raw = quote(data, Hex::All);
    let data_text = match st {
        Style::Abbrev => mac,
        Style::Raw => raw,
        Style::Verbose => format!("{raw} /* {mac} */"),
    };
    format!(
        "{{sa_family={}, sa_data={data_text}}}",
        set_text("arp_hardware_types", hwtype, st)
    )
}

/// `ifc_len` with strace's count of whole `struct ifreq`s: `80 /* 2 * sizeof(struct
/// ifreq) */`.
pub(super) fn ifc_len(len: i32) -> String {
    let size = crate::specs::IFREQ_SIZE as i32;
    if len > 0 && len % size == 0 {
        format!("{len} /* {} * sizeof(struct ifreq) */", len / size)
    } else {
        len.to_string()
    }
}

/// The interfaces SIOCGIFCONF wrote: `[{ifr_name="lo", ifr_addr={...}}, ...]`.
pub(super) fn ifconf_reqs(b: &[u8], more: bool, st: Style, strings: Hex) -> String {
    let items: Vec<String> = b
        .chunks_exact(crate::specs::IFREQ_SIZE)
        .map(|r| {
            format!(
                "{{{}, {}}}",
                ifreq_name(r, strings),
                ifreq_field(r, IfreqField::Addr("ifr_addr"), st, strings)
            )
        })
        .collect();
    bracket_list(items, more)
}
