//! The sockets of one network namespace, by inode, as a process in it sees them in
//! /proc/PID/net: TCP and UDP (v4 and v6) and Unix sockets through the `procfs` crate;
//! netlink and packet sockets, which `procfs` does not read, from their two-line tables.

use procfs::net::{TcpState, UnixState};
use procfs::process::Process;
use serde::Serialize;
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};

/// The transport of an internet socket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Transport {
    /// TCP.
    #[serde(rename = "TCP")]
    Tcp,
    /// UDP.
    #[serde(rename = "UDP")]
    Udp,
}

/// An internet socket: what `lsof -i` shows and matches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InetSocket {
    /// TCP or UDP.
    pub transport: Transport,
    /// Whether it is an AF_INET6 socket (v4-mapped addresses included).
    pub ipv6: bool,
    /// The local address and port.
    pub local: SocketAddr,
    /// The peer's address and port (unspecified, port 0, when not connected).
    pub remote: SocketAddr,
    /// The TCP state as lsof prints it (`LISTEN`, `ESTABLISHED`...); `None` for UDP.
    pub state: Option<&'static str>,
}

impl InetSocket {
    /// lsof's NAME: `127.0.0.1:8000 (LISTEN)`, `[::1]:5->[::1]:6 (ESTABLISHED)`, `*:53`.
    pub fn lsof_name(&self) -> String {
        let mut name = endpoint(&self.local);
        if !(self.remote.ip().is_unspecified() && self.remote.port() == 0) {
            name.push_str("->");
            name.push_str(&endpoint(&self.remote));
        }
        if let Some(state) = self.state {
            name.push_str(&format!(" ({state})"));
        }
        name
    }

    /// Whether either end is `port`.
    pub fn has_port(&self, port: u16) -> bool {
        self.local.port() == port || self.remote.port() == port
    }

    /// Whether either end is `addr`.
    pub fn has_addr(&self, addr: IpAddr) -> bool {
        let same = |a: IpAddr| a == addr || canonical(a) == canonical(addr);
        same(self.local.ip()) || same(self.remote.ip())
    }
}

/// A v4-mapped IPv6 address as the IPv4 address it carries.
fn canonical(a: IpAddr) -> IpAddr {
    match a {
        IpAddr::V6(v6) => v6
            .to_ipv4_mapped()
            .map(IpAddr::V4)
            .unwrap_or(IpAddr::V6(v6)),
        v4 => v4,
    }
}

/// `addr:port` as lsof writes it: `*` for the unspecified address or port 0, IPv6 in brackets.
fn endpoint(a: &SocketAddr) -> String {
    let host = match a.ip() {
        ip if ip.is_unspecified() => "*".to_string(),
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => format!("[{v6}]"),
    };
    let port = match a.port() {
        0 => "*".to_string(),
        p => p.to_string(),
    };
    format!("{host}:{port}")
}

/// A Unix socket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnixSocket {
    /// The kernel address of the socket (/proc/net/unix's `Num`), lsof's DEVICE.
    pub address: String,
    /// `STREAM`, `DGRAM` or `SEQPACKET`.
    pub kind: &'static str,
    /// `UNCONNECTED`, `CONNECTING`, `CONNECTED`, `DISCONNECTING`, or `LISTEN`.
    pub state: &'static str,
    /// The bound path (`@name` for the abstract namespace).
    pub path: Option<String>,
}

impl UnixSocket {
    /// lsof's NAME: `/run/x.sock type=STREAM (LISTEN)`.
    pub fn lsof_name(&self) -> String {
        let path = self
            .path
            .as_deref()
            .map(|p| format!("{p} "))
            .unwrap_or_default();
        format!("{path}type={} ({})", self.kind, self.state)
    }
}

/// A socket of another family found in its table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OtherSocket {
    /// lsof's TYPE: `netlink`, `pack`.
    pub lsof_type: &'static str,
    /// lsof's NODE column for it (a packet socket's protocol).
    pub node: Option<String>,
    /// lsof's NAME: a netlink protocol (`ROUTE`), a packet socket's `type=SOCK_RAW`.
    pub name: String,
}

/// What a socket inode is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "family", rename_all = "lowercase")]
pub enum Socket {
    /// TCP or UDP over IPv4 or IPv6.
    Inet(InetSocket),
    /// AF_UNIX.
    Unix(UnixSocket),
    /// Netlink or packet.
    Other(OtherSocket),
}

/// Every socket of one network namespace, by inode.
#[derive(Debug, Default)]
pub struct NetTables {
    by_inode: HashMap<u64, Socket>,
}

impl NetTables {
    /// Reads the tables of the namespace `process` is in. A table that cannot be read (no
    /// IPv6, a process that just exited) contributes nothing.
    pub fn read(process: &Process) -> NetTables {
        let mut by_inode = HashMap::new();
        let tcp = [(process.tcp(), false), (process.tcp6(), true)];
        for (entries, ipv6) in tcp {
            for e in entries.into_iter().flatten() {
                let s = InetSocket {
                    transport: Transport::Tcp,
                    ipv6,
                    local: e.local_address,
                    remote: e.remote_address,
                    state: Some(tcp_state(&e.state)),
                };
                by_inode.insert(e.inode, Socket::Inet(s));
            }
        }
        let udp = [(process.udp(), false), (process.udp6(), true)];
        for (entries, ipv6) in udp {
            for e in entries.into_iter().flatten() {
                let s = InetSocket {
                    transport: Transport::Udp,
                    ipv6,
                    local: e.local_address,
                    remote: e.remote_address,
                    state: None,
                };
                by_inode.insert(e.inode, Socket::Inet(s));
            }
        }
        let addresses = unix_addresses(process);
        for e in process.unix().into_iter().flatten() {
            let listening = e.state == UnixState::UNCONNECTED && addresses.listening(e.inode);
            let s = UnixSocket {
                address: addresses.address(e.inode),
                kind: match i32::from(e.socket_type) {
                    libc::SOCK_STREAM => "STREAM",
                    libc::SOCK_DGRAM => "DGRAM",
                    libc::SOCK_SEQPACKET => "SEQPACKET",
                    _ => "UNKNOWN",
                },
                state: if listening {
                    "LISTEN"
                } else {
                    unix_state(&e.state)
                },
                path: e.path.map(|p| p.to_string_lossy().into_owned()),
            };
            by_inode.insert(e.inode, Socket::Unix(s));
        }
        for (inode, s) in netlink(process).into_iter().chain(packet(process)) {
            by_inode.insert(inode, Socket::Other(s));
        }
        NetTables { by_inode }
    }

    /// The socket with this inode, if the namespace's tables list it.
    pub fn get(&self, inode: u64) -> Option<&Socket> {
        self.by_inode.get(&inode)
    }
}

fn tcp_state(s: &TcpState) -> &'static str {
    match s {
        TcpState::Established => "ESTABLISHED",
        TcpState::SynSent => "SYN_SENT",
        TcpState::SynRecv => "SYN_RECV",
        TcpState::FinWait1 => "FIN_WAIT1",
        TcpState::FinWait2 => "FIN_WAIT2",
        TcpState::TimeWait => "TIME_WAIT",
        TcpState::Close => "CLOSE",
        TcpState::CloseWait => "CLOSE_WAIT",
        TcpState::LastAck => "LAST_ACK",
        TcpState::Listen => "LISTEN",
        TcpState::Closing => "CLOSING",
        TcpState::NewSynRecv => "NEW_SYN_RECV",
    }
}

fn unix_state(s: &UnixState) -> &'static str {
    match s {
        UnixState::UNCONNECTED => "UNCONNECTED",
        UnixState::CONNECTING => "CONNECTING",
        UnixState::CONNECTED => "CONNECTED",
        UnixState::DISCONNECTING => "DISCONNECTING",
    }
}

/// The columns of /proc/PID/net/unix that `procfs` does not keep: the kernel address
/// (`Num`) and the `__SO_ACCEPTCON` flag that marks a listening socket.
#[derive(Default)]
struct UnixAddresses {
    by_inode: HashMap<u64, (String, bool)>,
}

impl UnixAddresses {
    fn address(&self, inode: u64) -> String {
        self.by_inode
            .get(&inode)
            .map(|(a, _)| a.clone())
            .unwrap_or_default()
    }
    fn listening(&self, inode: u64) -> bool {
        self.by_inode.get(&inode).is_some_and(|(_, l)| *l)
    }
}

/// `Num: RefCount Protocol Flags Type St Inode Path`; Flags 0x10000 is __SO_ACCEPTCON.
fn unix_addresses(process: &Process) -> UnixAddresses {
    let text = read_table(process, "net/unix");
    let mut by_inode = HashMap::new();
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split_ascii_whitespace().collect();
        let (Some(num), Some(flags), Some(inode)) = (f.first(), f.get(3), f.get(6)) else {
            continue;
        };
        let (Ok(flags), Ok(inode)) = (u32::from_str_radix(flags, 16), inode.parse::<u64>()) else {
            continue;
        };
        let address = format!("0x{}", num.trim_end_matches(':'));
        by_inode.insert(inode, (address, flags & 0x10000 != 0));
    }
    UnixAddresses { by_inode }
}

fn read_table(process: &Process, name: &str) -> String {
    use std::io::Read;
    let mut text = String::new();
    if let Ok(mut f) = process.open_relative(name) {
        let _ = f.read_to_string(&mut text);
    }
    text
}

/// `sk Eth Pid Groups Rmem Wmem Dump Locks Drops Inode`: the protocol and the inode.
fn netlink(process: &Process) -> Vec<(u64, OtherSocket)> {
    read_table(process, "net/netlink")
        .lines()
        .skip(1)
        .filter_map(|line| {
            let f: Vec<&str> = line.split_ascii_whitespace().collect();
            let proto: u32 = f.get(1)?.parse().ok()?;
            let inode: u64 = f.get(9)?.parse().ok()?;
            let s = OtherSocket {
                lsof_type: "netlink",
                node: None,
                name: netlink_protocol(proto),
            };
            Some((inode, s))
        })
        .collect()
}

/// lsof's names of the netlink protocols (NETLINK_* without the prefix).
fn netlink_protocol(proto: u32) -> String {
    const NAMES: [&str; 23] = [
        "ROUTE",
        "UNUSED",
        "USERSOCK",
        "FIREWALL",
        "INET_DIAG",
        "NFLOG",
        "XFRM",
        "SELINUX",
        "ISCSI",
        "AUDIT",
        "FIB_LOOKUP",
        "CONNECTOR",
        "NETFILTER",
        "IP6_FW",
        "DNRTMSG",
        "KOBJECT_UEVENT",
        "GENERIC",
        "",
        "SCSITRANSPORT",
        "ECRYPTFS",
        "RDMA",
        "CRYPTO",
        "SMC",
    ];
    match NAMES.get(proto as usize) {
        Some(n) if !n.is_empty() => n.to_string(),
        _ => proto.to_string(),
    }
}

/// `sk RefCnt Type Proto Iface R Rmem User Inode`: the type, protocol and inode.
fn packet(process: &Process) -> Vec<(u64, OtherSocket)> {
    read_table(process, "net/packet")
        .lines()
        .skip(1)
        .filter_map(|line| {
            let f: Vec<&str> = line.split_ascii_whitespace().collect();
            let kind: i32 = f.get(2)?.parse().ok()?;
            let proto = u16::from_str_radix(f.get(3)?, 16).ok()?;
            let inode: u64 = f.get(8)?.parse().ok()?;
            let kind = match kind {
                libc::SOCK_RAW => "SOCK_RAW",
                libc::SOCK_DGRAM => "SOCK_DGRAM",
                // SOCK_PACKET, the obsolete form.
                10 => "SOCK_PACKET",
                _ => "SOCK_UNKNOWN",
            };
            // The kernel prints the protocol in host order (ntohs of what socket(2) took).
            let node = match proto {
                0x0003 => "ALL".to_string(),
                0x0800 => "IP".to_string(),
                0x0806 => "ARP".to_string(),
                0x86dd => "IPV6".to_string(),
                other => format!("{other}"),
            };
            let s = OtherSocket {
                lsof_type: "pack",
                node: Some(node),
                name: format!("type={kind}"),
            };
            Some((inode, s))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inet_names_are_lsofs() {
        let s = InetSocket {
            transport: Transport::Tcp,
            ipv6: false,
            local: "127.0.0.1:8000".parse().unwrap(),
            remote: "0.0.0.0:0".parse().unwrap(),
            state: Some("LISTEN"),
        };
        assert_eq!(s.lsof_name(), "127.0.0.1:8000 (LISTEN)");
        let s = InetSocket {
            transport: Transport::Udp,
            ipv6: true,
            local: "[::]:53".parse().unwrap(),
            remote: "[::1]:9".parse().unwrap(),
            state: None,
        };
        assert_eq!(s.lsof_name(), "*:53->[::1]:9");
        assert!(s.has_addr("::1".parse().unwrap()) && s.has_port(9) && !s.has_port(1));
    }
}
