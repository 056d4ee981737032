//! Socket addresses: unix, inet, inet6, packet and netlink ones (others by family), and
//! the network interface indexes inside them, as strace prints them.

use crate::escape::{Hex, quote};
use crate::prim::{set_text, styled};
use crate::prim::{u16_at, u32_at};
use crate::xlat::{Style, hex};

/// A socket address (inet, inet6, unix; others by family), its strings escaped as `strings`
/// says.
pub(super) fn sockaddr(b: &[u8], st: Style, strings: Hex) -> String {
    let family = u16_at(b, 0);
    let fam = set_text("address_family", family, st);
    match family {
        1 if b.len() <= 2 => format!("{{sa_family={fam}}}"),
        1 => format!(
            "{{sa_family={fam}, sun_path={}}}",
            sun_path(&b[2..], strings)
        ),
        2 if b.len() >= 8 => {
            let port = u16::from_be_bytes([b[2], b[3]]);
            format!(
                "{{sa_family={fam}, sin_port={}, sin_addr={}}}",
                net_field(&b[2..4], format!("htons({port})"), st),
                inet_addr(&b[4..8], st, strings)
            )
        }
        10 if b.len() >= 28 => {
            let port = u16::from_be_bytes([b[2], b[3]]);
            let flow = u32::from_be_bytes([b[4], b[5], b[6], b[7]]);
            let mut a = [0u8; 16];
            a.copy_from_slice(&b[8..24]);
            let addr = quote(std::net::Ipv6Addr::from(a).to_string().as_bytes(), strings);
            let addr_text = match st {
                Style::Abbrev => format!("inet_pton({fam}, {addr}, &sin6_addr)"),
                _ => format!(
                    "sin6_addr={}",
                    net_field(&b[8..24], format!("inet_pton(AF_INET6, {addr})"), st)
                ),
            };
            format!(
                "{{sa_family={fam}, sin6_port={}, sin6_flowinfo={}, {addr_text}, sin6_scope_id={}}}",
                net_field(&b[2..4], format!("htons({port})"), st),
                net_field(&b[4..8], format!("htonl({flow})"), st),
                scope_id(u32_at(b, 24) as i32, st, strings)
            )
        }
        AF_PACKET if b.len() >= 20 => sockaddr_ll(b, &fam, st, strings),
        16 if b.len() >= 12 => format!(
            "{{sa_family={fam}, nl_pid={}, nl_groups={:08x}}}",
            u32_at(b, 4),
            u32_at(b, 8)
        ),
        _ => format!(
            "{{sa_family={fam}, sa_data={}}}",
            quote(&b[2.min(b.len())..], strings)
        ),
    }
}

/// The bytes of `sun_path` in a `sockaddr_un`.
const SUN_PATH_SIZE: usize = 108;

/// `sun_path` as strace prints it from the address's bytes after the family (at most
/// its 108): a file name up to its NUL, an abstract one (a leading NUL) as `@` and all
/// its bytes, embedded NULs too.
fn sun_path(path: &[u8], strings: Hex) -> String {
    let path = &path[..path.len().min(SUN_PATH_SIZE)];
    match path.split_first() {
        Some((0, name)) => format!("@{}", quote(name, strings)),
        _ => {
            let end = path.iter().position(|&c| c == 0).unwrap_or(path.len());
            quote(&path[..end], strings)
        }
    }
}

/// An IPv4 address field: `inet_addr("127.0.0.1")`, the dotted text escaped as `strings`
/// says (strace quotes it as any string, so -xx prints it in `\xNN`); its bytes under
/// -X raw, both under -X verbose.
pub(super) fn inet_addr(b: &[u8], st: Style, strings: Hex) -> String {
    let a = std::net::Ipv4Addr::new(b[0], b[1], b[2], b[3]);
    let text = quote(a.to_string().as_bytes(), strings);
    net_field(&b[..4], format!("inet_addr({text})"), st)
}

/// A network-order field of a socket address: strace's decoded form (`htons(80)`), its
/// bytes under -X raw (`"\x00\x50"`), both under -X verbose.
fn net_field(bytes: &[u8], decoded: String, st: Style) -> String {
    let raw = || quote(bytes, Hex::All);
    match st {
        Style::Abbrev => decoded,
        Style::Raw => raw(),
        Style::Verbose => format!("{} /* {decoded} */", raw()),
    }
}

/// The address family of packet sockets.
pub(super) const AF_PACKET: u64 = 17;

/// An AF_PACKET protocol, a network-order ethernet protocol id held in a host-order
/// argument: `htons(ETH_P_ALL)`.
pub(super) fn htons_protocol(proto: u16, st: Style) -> String {
    let host = u16::from_be(proto);
    let name = syscalls::xlat_set("ethernet_protocols").and_then(|s| s.name_of(u64::from(host)));
    let inner = match name {
        Some(n) => styled(n.to_string(), &hex(u64::from(host)), st),
        None => hex(u64::from(host)),
    };
    format!("htons({inner})")
}

/// `struct sockaddr_ll`, as strace prints it after the family.
fn sockaddr_ll(b: &[u8], fam: &str, st: Style, strings: Hex) -> String {
    let proto = u16::from_be_bytes([b[2], b[3]]);
    let proto_text = net_field(
        &b[2..4],
        match syscalls::xlat_set("ethernet_protocols").and_then(|s| s.name_of(u64::from(proto))) {
            Some(n) => format!("htons({n})"),
            None => format!("htons({} /* ETH_P_??? */)", hex(u64::from(proto))),
        },
        st,
    );
    let index = u32_at(b, 4) as i32;
    let index_text = ifindex(index, st, strings);
    let halen = b[11] as usize;
    let mut out = format!(
        "{{sa_family={fam}, sll_protocol={proto_text}, sll_ifindex={index_text}, sll_hatype={}, sll_pkttype={}, sll_halen={halen}",
        set_text("arp_hardware_types", u16_at(b, 8), st),
        set_text("af_packet_types", u64::from(b[10]), st)
    );
    if halen > 0 {
        let avail = b.len().saturating_sub(12);
        let mut bytes: Vec<String> = b[12..]
            .iter()
            .take(halen.min(avail))
            .map(|x| format!("{x:#04x}"))
            .collect();
        if halen > avail {
            bytes.push("...".into());
        }
        out += &format!(", sll_addr=[{}]", bytes.join(", "));
    }
    out + "}"
}

/// A network interface index as strace prints it: `if_nametoindex("lo")` when this
/// machine has an interface of that index, the number otherwise; the name escaped as
/// `strings` says.
pub(super) fn ifindex(index: i32, st: Style, strings: Hex) -> String {
    match interface_name(index) {
        Some(name) => styled(
            format!("if_nametoindex({})", quote(name.as_bytes(), strings)),
            &index.to_string(),
            st,
        ),
        None => index.to_string(),
    }
}

/// The name of network interface `index` on this machine, as if_indextoname finds it.
fn interface_name(index: i32) -> Option<String> {
    if index <= 0 {
        return None;
    }
    std::fs::read_dir("/sys/class/net")
        .ok()?
        .flatten()
        .find_map(|e| {
            let i = std::fs::read_to_string(e.path().join("ifindex")).ok()?;
            (i.trim().parse::<i32>().ok()? == index)
                .then(|| e.file_name().to_string_lossy().into_owned())
        })
}

/// An IPv6 scope id: the interface's name when this machine has one of that index.
fn scope_id(index: i32, st: Style, strings: Hex) -> String {
    match interface_name(index) {
        Some(_) => ifindex(index, st, strings),
        None => (index as u32).to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sockaddrs_print_as_strace() {
        let inet = [2, 0, 0, 80, 127, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0];
        assert_eq!(
            sockaddr(&inet, Style::Abbrev, Hex::None),
            "{sa_family=AF_INET, sin_port=htons(80), sin_addr=inet_addr(\"127.0.0.1\")}"
        );
        let mut unix = vec![1, 0];
        unix.extend_from_slice(b"/run/x\0");
        assert_eq!(
            sockaddr(&unix, Style::Abbrev, Hex::None),
            "{sa_family=AF_UNIX, sun_path=\"/run/x\"}"
        );
    }

    // Expected strings: strace 6.1 -xx, -x and default on trace_hex_structs's calls.
    #[test]
    fn sockaddr_strings_follow_the_hex_setting() {
        let inet = [2, 0, 0, 1, 127, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0];
        assert_eq!(
            sockaddr(&inet, Style::Abbrev, Hex::All),
            r#"{sa_family=AF_INET, sin_port=htons(1), sin_addr=inet_addr("\x31\x32\x37\x2e\x30\x2e\x30\x2e\x31")}"#
        );
        assert_eq!(
            sockaddr(&inet, Style::Abbrev, Hex::NonAscii),
            r#"{sa_family=AF_INET, sin_port=htons(1), sin_addr=inet_addr("127.0.0.1")}"#
        );
        let abstract_name = [1, 0, 0, b'a', 0xe9, 0, b'7'];
        assert_eq!(
            sockaddr(&abstract_name, Style::Abbrev, Hex::None),
            r#"{sa_family=AF_UNIX, sun_path=@"a\351\0007"}"#
        );
        assert_eq!(
            sockaddr(&abstract_name, Style::Abbrev, Hex::NonAscii),
            r#"{sa_family=AF_UNIX, sun_path=@"\x61\xe9\x00\x37"}"#
        );
        assert_eq!(
            sockaddr(&[1, 0, 0], Style::Abbrev, Hex::None),
            r#"{sa_family=AF_UNIX, sun_path=@""}"#
        );
        let mut storage = vec![1, 0, 0];
        storage.resize(128, b'z');
        let shown = format!(r#"{{sa_family=AF_UNIX, sun_path=@"{}"}}"#, "z".repeat(107));
        assert_eq!(sockaddr(&storage, Style::Abbrev, Hex::None), shown);
    }
}
