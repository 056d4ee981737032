//! Open files, as lsof lists them: each process's cwd, rtd, txt and mem rows and its
//! numbered descriptors, with lsof's TYPE, DEVICE, SIZE/OFF, NODE and NAME, and
//! selections that answer lsof's everyday questions (`-p`, `-u`, `-i`, a path, `+D`).

use crate::sockets::{NetTables, Socket, Transport};
use crate::users::Users;
use procfs::process::{FDPermissions, FDTarget, MMapPath, Process};
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::fs::Metadata;
use std::net::{IpAddr, ToSocketAddrs};
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};

/// Why a selection could not be made.
#[derive(Debug, thiserror::Error)]
pub enum FilesError {
    /// `-i` was given something that is not `[46][tcp|udp][@HOST][:PORT]`.
    #[error(
        "-i {spec}: {problem} (expected [4|6][tcp|udp][@HOST][:PORT], e.g. `tcp:8000`, `@127.0.0.1`, `6udp:53`)"
    )]
    BadInetSpec {
        /// What was given.
        spec: String,
        /// What is wrong.
        problem: String,
    },
    /// A user that /etc/passwd does not know.
    #[error("-u {0}: no such user in /etc/passwd (give a name it lists or a uid)")]
    UnknownUser(String),
    /// A PATH or +D DIR that cannot be looked at.
    #[error("{path}: {} (give a path that exists)", crate::os_text(.error))]
    BadPath {
        /// The path.
        path: PathBuf,
        /// The OS error.
        error: std::io::Error,
    },
    /// /proc could not be read at all.
    #[error("cannot read /proc: {0} (is procfs mounted?)")]
    Proc(String),
}

/// The FD column: what the row is to the process.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FdKind {
    /// The current directory (`cwd`).
    Cwd,
    /// The root directory (`rtd`).
    Rtd,
    /// The program text (`txt`).
    Txt,
    /// A mapped file (`mem`).
    Mem,
    /// A mapped file that was deleted (`DEL`).
    Del,
    /// A descriptor, with its access mode letter (`r`, `w`, `u`, or ` ` for neither) and
    /// its lock letter (`R`/`W` a read/write lock on the whole file, `r`/`w` on part of
    /// it, ` ` none), as lsof prints them.
    Fd(i32, char, char),
    /// The descriptors could not be listed (`NOFD`, NAME says why).
    NoFd,
}

impl FdKind {
    /// lsof's text: `cwd`, `mem`, `3u`.
    pub fn lsof_text(&self) -> String {
        match self {
            FdKind::Cwd => "cwd".into(),
            FdKind::Rtd => "rtd".into(),
            FdKind::Txt => "txt".into(),
            FdKind::Mem => "mem".into(),
            FdKind::Del => "DEL".into(),
            FdKind::NoFd => "NOFD".into(),
            FdKind::Fd(n, mode, lock) => format!("{n}{mode}{lock}").trim_end().to_string(),
        }
    }
}

impl Serialize for FdKind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.lsof_text())
    }
}

/// One row of the listing.
#[derive(Debug, Clone, Serialize)]
pub struct OpenFile {
    /// The process's command name (comm, up to 15 bytes).
    pub command: String,
    /// The process id.
    pub pid: i32,
    /// The process's user name (its uid when /etc/passwd has none).
    pub user: String,
    /// The process's uid.
    pub uid: u32,
    /// The FD column.
    pub fd: FdKind,
    /// The TYPE column: REG, DIR, CHR, BLK, FIFO, LINK, unix, IPv4, IPv6, sock, netlink,
    /// pack, a_inode, unknown.
    #[serde(rename = "type")]
    pub file_type: String,
    /// The DEVICE column: `major,minor`, a socket's inode or a Unix socket's address.
    pub device: String,
    /// The SIZE/OFF column: a size, or an offset as `0tN`.
    pub size_off: String,
    /// The NODE column: an inode, or TCP/UDP for internet sockets.
    pub node: String,
    /// The NAME column.
    pub name: String,
    /// The socket behind the row, when it is one the namespace's tables list.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub socket: Option<Socket>,
    /// The file's (device, inode), for matching a PATH.
    #[serde(skip)]
    pub dev_ino: Option<(u64, u64)>,
}

/// lsof's `-i [4|6][tcp|udp][@HOST][:PORT[,PORT|-PORT]]`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InetSpec {
    /// 4 or 6; `None` for both.
    pub version: Option<u8>,
    /// TCP or UDP; `None` for both.
    pub transport: Option<Transport>,
    /// The addresses HOST resolved to; empty for any.
    pub hosts: Vec<IpAddr>,
    /// Port ranges (inclusive); empty for any.
    pub ports: Vec<(u16, u16)>,
}

impl InetSpec {
    /// Parses lsof's syntax; HOST may be a name, an IPv4 address or `[IPv6]`, PORT a
    /// number, a range `1-1024`, a /etc/services name, or a list of them.
    pub fn parse(spec: &str) -> Result<InetSpec, FilesError> {
        let bad = |problem: String| FilesError::BadInetSpec {
            spec: spec.to_string(),
            problem,
        };
        let mut rest = spec;
        let mut out = InetSpec::default();
        if let Some(r) = rest.strip_prefix('4') {
            out.version = Some(4);
            rest = r;
        } else if let Some(r) = rest.strip_prefix('6') {
            out.version = Some(6);
            rest = r;
        }
        let lower = rest.to_ascii_lowercase();
        if lower.starts_with("tcp") {
            out.transport = Some(Transport::Tcp);
            rest = &rest[3..];
        } else if lower.starts_with("udp") {
            out.transport = Some(Transport::Udp);
            rest = &rest[3..];
        }
        let (host, port) = split_host_port(rest).map_err(bad)?;
        if let Some(host) = host {
            out.hosts = resolve_host(host).map_err(bad)?;
        }
        if let Some(port) = port {
            out.ports = parse_ports(port, out.transport).map_err(bad)?;
        }
        Ok(out)
    }

    /// Whether `socket` is one this spec selects.
    pub fn matches(&self, socket: &Socket) -> bool {
        let Socket::Inet(s) = socket else {
            return false;
        };
        let version_ok = match self.version {
            None => true,
            Some(4) => !s.ipv6 || is_v4_mapped(s.local.ip()),
            Some(_) => s.ipv6,
        };
        let transport_ok = self.transport.is_none_or(|t| t == s.transport);
        let host_ok = self.hosts.is_empty() || self.hosts.iter().any(|h| s.has_addr(*h));
        let port_ok = self.ports.is_empty()
            || self
                .ports
                .iter()
                .any(|(lo, hi)| (*lo..=*hi).any(|p| s.has_port(p)));
        version_ok && transport_ok && host_ok && port_ok
    }
}

fn is_v4_mapped(ip: IpAddr) -> bool {
    matches!(ip, IpAddr::V6(v6) if v6.to_ipv4_mapped().is_some())
}

/// `@HOST:PORT`, `@[::1]:PORT`, `:PORT`, `@HOST` or nothing.
fn split_host_port(rest: &str) -> Result<(Option<&str>, Option<&str>), String> {
    if rest.is_empty() {
        return Ok((None, None));
    }
    if let Some(port) = rest.strip_prefix(':') {
        return Ok((None, Some(port)));
    }
    let Some(host) = rest.strip_prefix('@') else {
        return Err(format!("`{rest}` is neither @HOST nor :PORT"));
    };
    if let Some(v6) = host.strip_prefix('[') {
        let (addr, after) = v6.split_once(']').ok_or("an IPv6 address in [ has no ]")?;
        return match after {
            "" => Ok((Some(addr), None)),
            a => match a.strip_prefix(':') {
                Some(port) => Ok((Some(addr), Some(port))),
                None => Err(format!("`{a}` after the address is not :PORT")),
            },
        };
    }
    Ok(match host.split_once(':') {
        Some((h, p)) => (Some(h), Some(p)),
        None => (Some(host), None),
    })
}

fn resolve_host(host: &str) -> Result<Vec<IpAddr>, String> {
    if host.is_empty() {
        return Err("@ names no host".into());
    }
    if let Ok(ip) = host.parse::<IpAddr>() {
        return Ok(vec![ip]);
    }
    let addrs: Vec<IpAddr> = (host, 0)
        .to_socket_addrs()
        .map_err(|e| format!("host `{host}` does not resolve: {e}"))?
        .map(|a| a.ip())
        .collect();
    Ok(addrs)
}

fn parse_ports(list: &str, transport: Option<Transport>) -> Result<Vec<(u16, u16)>, String> {
    list.split(',')
        .map(|item| match item.split_once('-') {
            Some((lo, hi)) => {
                let (lo, hi) = (port_number(lo, transport)?, port_number(hi, transport)?);
                if lo > hi {
                    return Err(format!("port range {item} runs backwards"));
                }
                Ok((lo, hi))
            }
            None => port_number(item, transport).map(|p| (p, p)),
        })
        .collect()
}

fn port_number(text: &str, transport: Option<Transport>) -> Result<u16, String> {
    if let Ok(p) = text.parse::<u16>() {
        return Ok(p);
    }
    if text.is_empty() || text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("`{text}` is not a port number (0-65535)"));
    }
    let services = std::fs::read_to_string("/etc/services").unwrap_or_default();
    let proto = match transport {
        Some(Transport::Udp) => "udp",
        _ => "tcp",
    };
    services
        .lines()
        .filter_map(|l| {
            let mut f = l.split('#').next()?.split_ascii_whitespace();
            let name = f.next()?;
            let (port, p) = f.next()?.split_once('/')?;
            let aliases: Vec<&str> = f.collect();
            ((name == text || aliases.contains(&text)) && p == proto)
                .then(|| port.parse().ok())
                .flatten()
        })
        .next()
        .ok_or_else(|| format!("`{text}` is neither a port number nor a service in /etc/services"))
}

/// Which rows to list: lsof's selections, any of which selects a row (lsof ORs them);
/// none selects everything.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// `-p PID`: every row of these processes.
    pub pids: Vec<i32>,
    /// `-u USER`: every row of these users' processes.
    pub uids: Vec<u32>,
    /// `-i`: internet sockets matching any spec (an empty spec: every internet socket).
    pub inet: Vec<InetSpec>,
    /// `PATH`: rows whose file is this (device, inode).
    pub files: Vec<(u64, u64)>,
    /// `+D DIR`: rows whose NAME is DIR or below it.
    pub dirs: Vec<PathBuf>,
}

impl Selection {
    /// Adds a user given by name or uid.
    pub fn add_user(&mut self, users: &Users, user: &str) -> Result<(), FilesError> {
        let uid = users
            .lookup(user)
            .ok_or_else(|| FilesError::UnknownUser(user.to_string()))?;
        self.uids.push(uid);
        Ok(())
    }

    /// Adds a PATH whose holders to list.
    pub fn add_file(&mut self, path: &Path) -> Result<(), FilesError> {
        let md = std::fs::metadata(path).map_err(|error| FilesError::BadPath {
            path: path.to_path_buf(),
            error,
        })?;
        self.files.push((md.dev(), md.ino()));
        Ok(())
    }

    /// Adds a +D DIR (made absolute and free of symlinks, as NAMEs are).
    pub fn add_dir(&mut self, dir: &Path) -> Result<(), FilesError> {
        let canonical = dir.canonicalize().map_err(|error| FilesError::BadPath {
            path: dir.to_path_buf(),
            error,
        })?;
        self.dirs.push(canonical);
        Ok(())
    }

    fn is_empty(&self) -> bool {
        self.pids.is_empty()
            && self.uids.is_empty()
            && self.inet.is_empty()
            && self.files.is_empty()
            && self.dirs.is_empty()
    }

    /// Whether only whole processes are selected (so only they need reading).
    fn only_pids(&self) -> bool {
        !self.pids.is_empty()
            && self.uids.is_empty()
            && self.inet.is_empty()
            && self.files.is_empty()
            && self.dirs.is_empty()
    }

    fn selects(&self, row: &OpenFile) -> bool {
        self.is_empty()
            || self.pids.contains(&row.pid)
            || self.uids.contains(&row.uid)
            || row
                .socket
                .as_ref()
                .is_some_and(|s| self.inet.iter().any(|spec| spec.matches(s)))
            || row.dev_ino.is_some_and(|di| self.files.contains(&di))
            || self.dirs.iter().any(|d| {
                let name = Path::new(&row.name);
                name.is_absolute() && name.starts_with(d)
            })
    }
}

/// Lists the selected rows of every process (or only the `-p` ones when nothing else is
/// selected), ordered by PID, then cwd, rtd, txt, mem, and descriptors by number. A
/// process that exits while it is read is skipped, as lsof skips it.
pub fn list(selection: &Selection) -> Result<Vec<OpenFile>, FilesError> {
    let users = Users::load();
    let mut pids: Vec<i32> = if selection.only_pids() {
        selection.pids.clone()
    } else {
        procfs::process::all_processes()
            .map_err(|e| FilesError::Proc(e.to_string()))?
            .filter_map(|p| p.ok().map(|p| p.pid))
            .collect()
    };
    pids.sort_unstable();
    pids.dedup();
    let mut nets = NetCache::default();
    let locks = Locks::read();
    let mut rows = Vec::new();
    for pid in pids {
        let Ok(process) = Process::new(pid) else {
            continue;
        };
        rows.extend(
            process_rows(&process, &users, &mut nets, &locks)
                .into_iter()
                .filter(|r| selection.selects(r)),
        );
    }
    Ok(rows)
}

/// The network tables, read once per namespace.
#[derive(Default)]
struct NetCache {
    by_ns: HashMap<u64, NetTables>,
}

impl NetCache {
    fn for_process(&mut self, process: &Process) -> &NetTables {
        let ns = std::fs::metadata(format!("/proc/{}/ns/net", process.pid))
            .map(|m| m.ino())
            .unwrap_or(0);
        self.by_ns
            .entry(ns)
            .or_insert_with(|| NetTables::read(process))
    }
}

/// Every row of one process.
pub fn process_rows(
    process: &Process,
    users: &Users,
    nets: &mut impl SocketSource,
    locks: &Locks,
) -> Vec<OpenFile> {
    let pid = process.pid;
    let command = process
        .stat()
        .map(|s| s.comm)
        .unwrap_or_else(|_| "?".into());
    let uid = process.uid().unwrap_or(u32::MAX);
    let base = RowBase {
        command,
        pid,
        user: users.name(uid),
        uid,
    };
    let mut rows = Vec::new();
    let exe_id = std::fs::metadata(format!("/proc/{pid}/exe"))
        .ok()
        .map(|m| (m.dev(), m.ino()));
    for (kind, link) in [
        (FdKind::Cwd, "cwd"),
        (FdKind::Rtd, "root"),
        (FdKind::Txt, "exe"),
    ] {
        rows.extend(base.special(kind, pid, link));
    }
    rows.extend(mem_rows(process, &base, exe_id));
    let mut fds: Vec<_> = match std::fs::read_dir(format!("/proc/{pid}/fd")) {
        Ok(_) => match process.fd() {
            Ok(iter) => iter.filter_map(Result::ok).collect(),
            Err(_) => Vec::new(),
        },
        // As lsof: one NOFD row saying why (Permission denied without CAP_SYS_PTRACE).
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            let mut row = base.row(FdKind::NoFd);
            row.name = format!("/proc/{pid}/fd (opendir: {})", crate::os_text(&e));
            rows.push(row);
            Vec::new()
        }
        Err(_) => Vec::new(),
    };
    fds.sort_by_key(|f| f.fd);
    let has_socket = fds.iter().any(|f| matches!(f.target, FDTarget::Socket(_)));
    let tables: Option<&NetTables> = has_socket.then(|| nets.tables(process));
    for fd in fds {
        let mode = match (
            fd.mode().contains(FDPermissions::READ),
            fd.mode().contains(FDPermissions::WRITE),
        ) {
            (true, true) => 'u',
            (true, false) => 'r',
            (false, true) => 'w',
            (false, false) => ' ',
        };
        let mut row = if let FDTarget::Socket(inode) = fd.target {
            base.socket(fd.fd, mode, inode, tables.and_then(|t| t.get(inode)))
        } else {
            base.descriptor(fd.fd, mode, &fd.target)
        };
        if let Some(dev_ino) = row.dev_ino {
            row.fd = FdKind::Fd(fd.fd, mode, locks.letter(pid, dev_ino));
        }
        rows.push(row);
    }
    rows
}

/// Where a process's sockets are looked up (one table set per network namespace).
pub trait SocketSource {
    /// The tables of the namespace `process` is in.
    fn tables(&mut self, process: &Process) -> &NetTables;
}

impl SocketSource for NetCache {
    fn tables(&mut self, process: &Process) -> &NetTables {
        self.for_process(process)
    }
}

/// The columns every row of a process shares.
struct RowBase {
    command: String,
    pid: i32,
    user: String,
    uid: u32,
}

impl RowBase {
    fn row(&self, fd: FdKind) -> OpenFile {
        OpenFile {
            command: self.command.clone(),
            pid: self.pid,
            user: self.user.clone(),
            uid: self.uid,
            fd,
            file_type: String::new(),
            device: String::new(),
            size_off: String::new(),
            node: String::new(),
            name: String::new(),
            socket: None,
            dev_ino: None,
        }
    }

    /// cwd, rtd or txt: the link's target, stat'ed through the link. A kernel thread has
    /// no program (its exe link does not resolve): no txt row, as lsof prints none.
    fn special(&self, kind: FdKind, pid: i32, link: &str) -> Option<OpenFile> {
        let path = format!("/proc/{pid}/{link}");
        let mut row = self.row(kind);
        match (std::fs::read_link(&path), std::fs::metadata(&path)) {
            (Ok(target), Ok(md)) => {
                row.fill_from_metadata(&md, false, 0);
                row.name = target.to_string_lossy().into_owned();
            }
            (Err(e), _) if kind == FdKind::Txt && e.kind() == std::io::ErrorKind::NotFound => {
                return None;
            }
            (Err(e), _) | (_, Err(e)) => {
                row.file_type = "unknown".into();
                row.name = format!("{path} (readlink: {})", crate::os_text(&e));
            }
        }
        Some(row)
    }

    fn descriptor(&self, fd: i32, mode: char, target: &FDTarget) -> OpenFile {
        let path = format!("/proc/{}/fd/{fd}", self.pid);
        let mut row = self.row(FdKind::Fd(fd, mode, ' '));
        let link = std::fs::read_link(&path)
            .map(|l| l.to_string_lossy().into_owned())
            .unwrap_or_default();
        let pos = fdinfo_field(self.pid, fd, "pos").unwrap_or(0);
        match std::fs::metadata(&path) {
            Ok(md) => row.fill_from_metadata(&md, true, pos),
            Err(_) => row.file_type = "unknown".into(),
        }
        row.name = match target {
            FDTarget::Pipe(_) => "pipe".into(),
            FDTarget::AnonInode(kind) => {
                row.file_type = "a_inode".into();
                anon_inode_name(self.pid, fd, kind)
            }
            _ => link,
        };
        row
    }

    fn socket(&self, fd: i32, mode: char, inode: u64, socket: Option<&Socket>) -> OpenFile {
        let mut row = self.row(FdKind::Fd(fd, mode, ' '));
        row.size_off = "0t0".into();
        row.dev_ino = Some((sockfs_dev(self.pid, fd), inode));
        match socket {
            Some(Socket::Inet(s)) => {
                row.file_type = if s.ipv6 { "IPv6" } else { "IPv4" }.into();
                row.device = inode.to_string();
                row.node = match s.transport {
                    Transport::Tcp => "TCP",
                    Transport::Udp => "UDP",
                }
                .into();
                row.name = s.lsof_name();
            }
            Some(Socket::Unix(s)) => {
                row.file_type = "unix".into();
                row.device = s.address.clone();
                row.node = inode.to_string();
                row.name = s.lsof_name();
            }
            Some(Socket::Other(s)) => {
                row.file_type = s.lsof_type.into();
                row.node = inode.to_string();
                if let Some(node) = &s.node {
                    row.device = inode.to_string();
                    row.node = node.clone();
                }
                row.name = s.name.clone();
            }
            None => {
                // Not in any table (unbound, or a family without one): lsof names the
                // protocol the socket's inode reports.
                let (major, minor) = split_dev(row.dev_ino.map_or(0, |d| d.0));
                row.file_type = "sock".into();
                row.device = format!("{major},{minor}");
                row.node = inode.to_string();
                row.name = match crate::sys::socket_protocol(&format!("/proc/{}/fd/{fd}", self.pid))
                {
                    Some(p) => format!("protocol: {p}"),
                    None => "can't identify protocol".into(),
                };
            }
        }
        row.socket = socket.cloned();
        row
    }
}

impl OpenFile {
    /// TYPE, DEVICE, SIZE/OFF, NODE from a stat; `is_fd` rows of devices, FIFOs and
    /// sockets show the offset `pos` as lsof does (`0tN`), the others the size.
    fn fill_from_metadata(&mut self, md: &Metadata, is_fd: bool, pos: u64) {
        let ft = md.file_type();
        let (kind, offset_not_size) = if ft.is_file() {
            ("REG", false)
        } else if ft.is_dir() {
            ("DIR", false)
        } else if ft.is_char_device() {
            ("CHR", true)
        } else if ft.is_block_device() {
            ("BLK", true)
        } else if ft.is_fifo() {
            ("FIFO", true)
        } else if ft.is_symlink() {
            ("LINK", false)
        } else if ft.is_socket() {
            ("sock", true)
        } else {
            ("a_inode", false)
        };
        self.file_type = kind.into();
        let dev = if ft.is_char_device() || ft.is_block_device() {
            md.rdev()
        } else {
            md.dev()
        };
        let (major, minor) = split_dev(dev);
        self.device = format!("{major},{minor}");
        self.size_off = if offset_not_size && is_fd {
            format!("0t{pos}")
        } else if offset_not_size {
            "0t0".into()
        } else {
            md.size().to_string()
        };
        self.node = md.ino().to_string();
        self.dev_ino = Some((md.dev(), md.ino()));
    }
}

/// The file locks of /proc/locks, by holder and file, for the lock letter of the FD column.
#[derive(Debug, Default)]
pub struct Locks {
    by_holder: HashMap<(i32, u64, u64), char>,
}

impl Locks {
    /// Reads /proc/locks (no locks when it cannot be read).
    pub fn read() -> Locks {
        use procfs::LockKind;
        let mut by_holder = HashMap::new();
        for lock in procfs::locks().unwrap_or_default() {
            let Some(pid) = lock.pid else { continue };
            let whole = lock.offset_first == 0 && lock.offset_last.is_none();
            let letter = match (&lock.kind, whole) {
                (LockKind::Read, true) => 'R',
                (LockKind::Read, false) => 'r',
                (LockKind::Write, true) => 'W',
                (LockKind::Write, false) => 'w',
                (LockKind::Other(_), _) => continue,
            };
            let dev = libc::makedev(lock.devmaj, lock.devmin);
            by_holder.insert((pid, dev, lock.inode), letter);
        }
        Locks { by_holder }
    }

    /// The letter of the lock `pid` holds on the file (device, inode); ` ` for none.
    fn letter(&self, pid: i32, (dev, ino): (u64, u64)) -> char {
        self.by_holder.get(&(pid, dev, ino)).copied().unwrap_or(' ')
    }
}

/// The `mem` rows: each mapped file once (by device and inode), the program itself left
/// out (it is `txt`); a deleted mapped file is `DEL`.
fn mem_rows(process: &Process, base: &RowBase, exe: Option<(u64, u64)>) -> Vec<OpenFile> {
    let Ok(maps) = process.maps() else {
        return Vec::new();
    };
    let mut seen = HashSet::new();
    let mut rows = Vec::new();
    for map in maps {
        let MMapPath::Path(path) = &map.pathname else {
            continue;
        };
        if map.inode == 0 || !seen.insert((map.dev, map.inode)) {
            continue;
        }
        let text = path.to_string_lossy();
        let (name, deleted) = match text.strip_suffix(" (deleted)") {
            Some(n) => (n.to_string(), true),
            None => (text.into_owned(), false),
        };
        let md = std::fs::metadata(&name)
            .ok()
            .filter(|m| m.ino() == map.inode);
        if let (Some(md), Some(exe)) = (&md, exe)
            && (md.dev(), md.ino()) == exe
        {
            continue;
        }
        let mut row = base.row(if deleted { FdKind::Del } else { FdKind::Mem });
        row.file_type = "REG".into();
        row.device = format!("{},{}", map.dev.0, map.dev.1);
        row.node = map.inode.to_string();
        if let Some(md) = &md {
            row.size_off = md.size().to_string();
            row.dev_ino = Some((md.dev(), md.ino()));
        }
        row.name = name;
        rows.push(row);
    }
    rows
}

/// lsof's NAME of an anonymous inode: `[eventpoll]`, `[eventfd:ID]`, `[pidfd:PID]`.
fn anon_inode_name(pid: i32, fd: i32, kind: &str) -> String {
    let kind = kind.trim_start_matches('[').trim_end_matches(']');
    let extra = match kind {
        "eventfd" => fdinfo_text(pid, fd, "eventfd-id"),
        "pidfd" => fdinfo_text(pid, fd, "Pid"),
        _ => None,
    };
    match extra {
        Some(x) => format!("[{kind}:{x}]"),
        None => format!("[{kind}]"),
    }
}

fn fdinfo_text(pid: i32, fd: i32, key: &str) -> Option<String> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/fdinfo/{fd}")).ok()?;
    text.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        (k == key).then(|| v.trim().to_string())
    })
}

fn fdinfo_field(pid: i32, fd: i32, key: &str) -> Option<u64> {
    fdinfo_text(pid, fd, key)?.parse().ok()
}

fn sockfs_dev(pid: i32, fd: i32) -> u64 {
    std::fs::metadata(format!("/proc/{pid}/fd/{fd}")).map_or(0, |m| m.dev())
}

fn split_dev(dev: u64) -> (u32, u32) {
    (libc::major(dev), libc::minor(dev))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inet_specs_parse_as_lsof_reads_them() {
        let s = InetSpec::parse("6tcp@[::1]:80,8000-8080").unwrap();
        assert_eq!(s.version, Some(6));
        assert_eq!(s.transport, Some(Transport::Tcp));
        assert_eq!(s.hosts, vec!["::1".parse::<IpAddr>().unwrap()]);
        assert_eq!(s.ports, vec![(80, 80), (8000, 8080)]);
        let s = InetSpec::parse(":53").unwrap();
        assert_eq!(
            (s.version, s.transport, s.ports),
            (None, None, vec![(53, 53)])
        );
        assert_eq!(
            InetSpec::parse("UDP").unwrap().transport,
            Some(Transport::Udp)
        );
        assert_eq!(InetSpec::parse("").unwrap(), InetSpec::default());
        let s = InetSpec::parse("4@127.0.0.1").unwrap();
        assert_eq!(s.hosts, vec!["127.0.0.1".parse::<IpAddr>().unwrap()]);
    }

    #[test]
    fn bad_inet_specs_say_what_is_wrong() {
        for bad in ["tcp:99999", "sctp", ":9-1", "@[::1", "@"] {
            let e = InetSpec::parse(bad).unwrap_err().to_string();
            assert!(e.starts_with(&format!("-i {bad}: ")), "{e}");
        }
    }
}
