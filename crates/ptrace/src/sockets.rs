//! What a socket is connected to, for `-yy`: inet endpoints from the tracee's
//! /proc/PID/net tables, unix peers and names from the kernel's sock_diag netlink
//! interface, in strace's words (`TCP:[127.0.0.1:5000->127.0.0.1:80]`,
//! `UNIX-STREAM:[1234->1235]`).

use std::net::{Ipv4Addr, Ipv6Addr};

/// The endpoint description of socket `inode`, descriptor `fd` of task `pid`, as strace's
/// -yy prints it: the kernel's protocol name for the socket (its `system.sockprotoname`
/// attribute: `TCP`, `UDPv6`, `UNIX-STREAM`, `NETLINK`...) and what the protocol's table
/// or sock_diag tells of its endpoints, or the inode alone (`UDP:[1234]`).
pub fn describe(pid: i32, fd: i32, inode: u64) -> Option<String> {
    let Some(proto) = protocol_name(pid, fd) else {
        // No attribute (an old kernel): look the inode up in every table.
        return [
            ("tcp", "TCP", false),
            ("tcp6", "TCPv6", true),
            ("udp", "UDP", false),
            ("udp6", "UDPv6", true),
        ]
        .iter()
        .find_map(|&(file, proto, v6)| inet(pid, file, proto, v6, inode))
        .or_else(|| unix(pid, None, inode));
    };
    if let Some(cached) = CACHE.with(|c| c.borrow().get(&inode).cloned()) {
        return Some(cached);
    }
    let table = match proto.as_str() {
        "TCP" => Some(("tcp", false)),
        "TCPv6" => Some(("tcp6", true)),
        "UDP" => Some(("udp", false)),
        "UDPv6" => Some(("udp6", true)),
        _ => None,
    };
    let found = match (table, proto.as_str()) {
        (Some((file, v6)), _) => inet(pid, file, &proto, v6, inode),
        (None, p) if p.starts_with("UNIX") => unix(pid, Some(&proto), inode),
        (None, "NETLINK") => netlink(pid, inode),
        _ => None,
    };
    match found {
        Some(details) => {
            CACHE.with(|c| c.borrow_mut().insert(inode, details.clone()));
            Some(details)
        }
        None if KNOWN_PROTOCOLS.contains(&proto.as_str()) => Some(format!("{proto}:[{inode}]")),
        // Protocols strace has no lookup for print as `socket:[inode]`.
        None => None,
    }
}

/// The protocols strace 6.1 looks sockets up for; their sockets print `PROTO:[inode]`
/// when the lookup finds nothing, others `socket:[inode]`.
const KNOWN_PROTOCOLS: &[&str] = &[
    "UNIX",
    "UNIX-STREAM",
    "TCP",
    "UDP",
    "UDPLITE",
    "DCCP",
    "SCTP",
    "L2TP/IP",
    "PING",
    "RAW",
    "TCPv6",
    "UDPv6",
    "UDPLITEv6",
    "DCCPv6",
    "SCTPv6",
    "L2TP/IPv6",
    "PINGv6",
    "RAWv6",
    "NETLINK",
];

thread_local! {
    /// What each socket was first found connected to: as strace, a socket keeps the
    /// description of its first successful lookup (so a close still shows the peer).
    static CACHE: std::cell::RefCell<std::collections::HashMap<u64, String>> =
        std::cell::RefCell::new(std::collections::HashMap::new());
}

/// The protocol name the kernel gives the socket behind descriptor `fd` of `pid`.
fn protocol_name(pid: i32, fd: i32) -> Option<String> {
    let path = std::ffi::CString::new(format!("/proc/{pid}/fd/{fd}")).ok()?;
    let mut buf = [0u8; 64];
    // SAFETY: path is NUL-terminated; buf is a live buffer of the length passed.
    let n = unsafe {
        libc::getxattr(
            path.as_ptr(),
            c"system.sockprotoname".as_ptr(),
            buf.as_mut_ptr().cast(),
            buf.len(),
        )
    };
    let name = buf.get(..usize::try_from(n).ok()?)?;
    let end = name.iter().position(|&c| c == 0).unwrap_or(name.len());
    Some(String::from_utf8_lossy(&name[..end]).into_owned())
}

/// A netlink socket: `NETLINK:[ROUTE:1234]` (protocol and port id) once it has a port id.
fn netlink(pid: i32, inode: u64) -> Option<String> {
    let fields = proc_net_row(pid, "netlink", 9, inode)?;
    let (protocol, portid): (u64, u32) = (fields[1].parse().ok()?, fields[2].parse().ok()?);
    if portid == 0 {
        return None;
    }
    let name = syscalls::xlat_set("netlink_protocol")
        .and_then(|s| s.name_of(protocol))
        .map_or_else(
            || protocol.to_string(),
            |n| n.trim_start_matches("NETLINK_").to_string(),
        );
    Some(format!("NETLINK:[{name}:{portid}]"))
}

/// The row of /proc/PID/net/`file` whose column `inode_col` is `inode`, split in fields.
fn proc_net_row(pid: i32, file: &str, inode_col: usize, inode: u64) -> Option<Vec<String>> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/net/{file}")).ok()?;
    let want = inode.to_string();
    text.lines()
        .skip(1)
        .map(|l| l.split_whitespace().collect::<Vec<_>>())
        .find(|f| f.get(inode_col) == Some(&want.as_str()))
        .map(|f| f.into_iter().map(str::to_string).collect())
}

fn inet(pid: i32, file: &str, proto: &str, v6: bool, inode: u64) -> Option<String> {
    let fields = proc_net_row(pid, file, 9, inode)?;
    let local = endpoint(&fields[1], v6)?;
    let remote = endpoint(&fields[2], v6)?;
    let remote_is_zero = fields[2].chars().all(|c| c == '0' || c == ':');
    Some(if remote_is_zero {
        format!("{proto}:[{local}]")
    } else {
        format!("{proto}:[{local}->{remote}]")
    })
}

/// `0100007F:1F90` (little-endian words) to `127.0.0.1:8080`, `[::1]:8080` for v6.
fn endpoint(field: &str, v6: bool) -> Option<String> {
    let (addr, port) = field.split_once(':')?;
    let port = u16::from_str_radix(port, 16).ok()?;
    let words: Vec<u32> = (0..addr.len() / 8)
        .map(|i| u32::from_str_radix(&addr[i * 8..i * 8 + 8], 16))
        .collect::<Result<_, _>>()
        .ok()?;
    if v6 {
        let mut bytes = [0u8; 16];
        for (i, w) in words.iter().enumerate().take(4) {
            bytes[i * 4..i * 4 + 4].copy_from_slice(&w.to_le_bytes());
        }
        Some(format!("[{}]:{port}", Ipv6Addr::from(bytes)))
    } else {
        let b = words.first()?.to_le_bytes();
        Some(format!("{}:{port}", Ipv4Addr::new(b[0], b[1], b[2], b[3])))
    }
}

/// A unix socket: `UNIX-STREAM:[1234->1235,"/run/x.sock"]`, named `proto` (the kernel's
/// protocol name) or, without it, by its type in /proc/net/unix.
fn unix(pid: i32, proto: Option<&str>, inode: u64) -> Option<String> {
    let kind = match proto {
        Some(p) => p.to_string(),
        None => {
            let fields = proc_net_row(pid, "unix", 6, inode)?;
            match fields[4].as_str() {
                "0001" => "UNIX-STREAM",
                "0005" => "UNIX-SEQPACKET",
                _ => "UNIX",
            }
            .to_string()
        }
    };
    let (peer, name) = unix_diag(inode as u32).unwrap_or((0, None));
    if peer == 0 && name.is_none() {
        // Nothing to tell (strace's lookup fails and prints `UNIX:[inode]`).
        return None;
    }
    let mut s = format!("{kind}:[{inode}");
    if peer != 0 {
        s.push_str(&format!("->{peer}"));
    }
    if let Some(name) = name {
        if let Some(abs) = name.strip_prefix('\0') {
            s.push_str(&format!(",\"@{abs}\""));
        } else {
            s.push_str(&format!(",\"{name}\""));
        }
    }
    s.push(']');
    Some(s)
}

const NETLINK_SOCK_DIAG: i32 = 4;
const SOCK_DIAG_BY_FAMILY: u16 = 20;
const UDIAG_SHOW_NAME: u32 = 1;
const UDIAG_SHOW_PEER: u32 = 4;
const UNIX_DIAG_NAME: u16 = 0;
const UNIX_DIAG_PEER: u16 = 2;

/// Asks sock_diag for a unix socket's peer inode and bound name.
fn unix_diag(inode: u32) -> Option<(u32, Option<String>)> {
    // nlmsghdr (16) + unix_diag_req (24).
    let mut req = [0u8; 40];
    req[0..4].copy_from_slice(&40u32.to_ne_bytes());
    req[4..6].copy_from_slice(&SOCK_DIAG_BY_FAMILY.to_ne_bytes());
    req[6..8].copy_from_slice(&(libc::NLM_F_REQUEST as u16).to_ne_bytes());
    req[16] = libc::AF_UNIX as u8;
    req[20..24].copy_from_slice(&u32::MAX.to_ne_bytes()); // every state
    req[24..28].copy_from_slice(&inode.to_ne_bytes());
    req[28..32].copy_from_slice(&(UDIAG_SHOW_NAME | UDIAG_SHOW_PEER).to_ne_bytes());
    req[32..40].copy_from_slice(&[0xff; 8]); // no cookie
    // SAFETY: socket/send/recv/close on a descriptor we own, with live buffers of the
    // lengths passed.
    let (n, buf) = unsafe {
        let fd = libc::socket(
            libc::AF_NETLINK,
            libc::SOCK_DGRAM | libc::SOCK_CLOEXEC,
            NETLINK_SOCK_DIAG,
        );
        if fd < 0 {
            return None;
        }
        let mut buf = [0u8; 4096];
        let sent = libc::send(fd, req.as_ptr().cast(), req.len(), 0);
        let n = if sent == req.len() as isize {
            libc::recv(fd, buf.as_mut_ptr().cast(), buf.len(), 0)
        } else {
            -1
        };
        libc::close(fd);
        (n, buf)
    };
    let msg = buf.get(..usize::try_from(n).ok()?)?;
    let len = u32::from_ne_bytes(msg.get(0..4)?.try_into().ok()?) as usize;
    let ty = u16::from_ne_bytes(msg.get(4..6)?.try_into().ok()?);
    if ty != SOCK_DIAG_BY_FAMILY || len > msg.len() {
        return None;
    }
    // unix_diag_msg is 16 bytes after the header; attributes follow, 4-byte aligned.
    let mut at = 16 + 16;
    let (mut peer, mut name) = (0, None);
    while at + 4 <= len {
        let alen = u16::from_ne_bytes(msg[at..at + 2].try_into().ok()?) as usize;
        let aty = u16::from_ne_bytes(msg[at + 2..at + 4].try_into().ok()?);
        if alen < 4 || at + alen > len {
            break;
        }
        let data = &msg[at + 4..at + alen];
        match aty {
            UNIX_DIAG_PEER if data.len() >= 4 => {
                peer = u32::from_ne_bytes(data[..4].try_into().ok()?);
            }
            UNIX_DIAG_NAME => {
                let end = if data.first() == Some(&0) {
                    data.len()
                } else {
                    data.iter().position(|&c| c == 0).unwrap_or(data.len())
                };
                name = Some(String::from_utf8_lossy(&data[..end]).into_owned());
            }
            _ => {}
        }
        at += (alen + 3) & !3;
    }
    Some((peer, name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proc_net_endpoints_read_as_addresses() {
        assert_eq!(
            endpoint("0100007F:1F90", false).as_deref(),
            Some("127.0.0.1:8080")
        );
        assert_eq!(
            endpoint("00000000000000000000000001000000:0016", true).as_deref(),
            Some("[::1]:22")
        );
    }
}
