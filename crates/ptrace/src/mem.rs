//! Reading tracee memory for capture plans, page by page so that a string ending just
//! before an unmapped page is still read whole; a string that runs into an unreadable
//! page before its NUL and its limit is a fault, as strace's umovestr makes it.

use crate::sys;
use events::{Mem, MemReader};

const PAGE: u64 = 4096;
/// How much of a string one read asks for (most paths and -s strings fit).
const CHUNK: usize = 1024;

/// Reads the memory of one stopped task.
pub struct TaskMemory {
    pid: i32,
}

impl TaskMemory {
    /// A reader for task `pid` (which must be in a ptrace-stop).
    pub fn new(pid: i32) -> TaskMemory {
        TaskMemory { pid }
    }

    /// Reads as many bytes as possible into `buf`, stopping at the first unreadable page.
    fn read_partial(&self, addr: u64, buf: &mut [u8]) -> usize {
        if addr == 0 {
            return 0;
        }
        sys::read_memory(self.pid, addr, buf).unwrap_or_default()
    }
}

impl MemReader for TaskMemory {
    fn socket_details(&mut self, fd: i32, inode: u64) -> Mem {
        match crate::sockets::describe(self.pid, fd, inode) {
            Some(text) => Mem::Str {
                bytes: text.into_bytes(),
                terminated: true,
            },
            None => Mem::Fault,
        }
    }

    fn fd_details(&mut self, fd: i32) -> Mem {
        use std::os::unix::fs::{FileTypeExt, MetadataExt};
        let link = format!("/proc/{}/fd/{fd}", self.pid);
        let text = match std::fs::metadata(&link) {
            Ok(md) if md.file_type().is_char_device() || md.file_type().is_block_device() => {
                let kind = if md.file_type().is_char_device() {
                    "char"
                } else {
                    "block"
                };
                let (major, minor) = (libc::major(md.rdev()), libc::minor(md.rdev()));
                Some(format!("{kind} {major}:{minor}"))
            }
            _ if std::fs::read_link(&link).is_ok_and(|t| t.as_os_str() == "anon_inode:[pidfd]") => {
                std::fs::read_to_string(format!("/proc/{}/fdinfo/{fd}", self.pid))
                    .ok()
                    .and_then(|info| {
                        let pid = info.lines().find_map(|l| l.strip_prefix("Pid:"))?;
                        // -1 once the process is gone: then the plain anon inode.
                        let pid: i32 = pid.trim().parse().ok().filter(|&p| p > 0)?;
                        Some(format!("pid:{pid}"))
                    })
            }
            _ => None,
        };
        match text {
            Some(text) => Mem::Str {
                bytes: text.into_bytes(),
                terminated: true,
            },
            None => Mem::Fault,
        }
    }

    fn fd_path(&mut self, fd: i32) -> Mem {
        let link = if fd == libc::AT_FDCWD {
            format!("/proc/{}/cwd", self.pid)
        } else {
            format!("/proc/{}/fd/{fd}", self.pid)
        };
        match std::fs::read_link(link) {
            Ok(target) => Mem::Str {
                bytes: std::os::unix::ffi::OsStringExt::into_vec(target.into_os_string()),
                terminated: true,
            },
            Err(_) => Mem::Fault,
        }
    }

    fn read_bytes(&mut self, addr: u64, len: usize) -> Mem {
        if addr == 0 {
            return Mem::Fault;
        }
        let mut bytes = vec![0u8; len];
        let n = self.read_partial(addr, &mut bytes);
        if n == 0 && len > 0 {
            return Mem::Fault;
        }
        bytes.truncate(n);
        Mem::Bytes {
            complete: n == len,
            bytes,
        }
    }

    fn read_str(&mut self, addr: u64, max: usize) -> Mem {
        if addr == 0 {
            return Mem::Fault;
        }
        let mut out = Vec::new();
        let mut at = addr;
        while out.len() < max {
            let to_page_end = (PAGE - at % PAGE) as usize;
            let chunk = to_page_end.min(max - out.len()).min(CHUNK);
            let mut buf = [0u8; CHUNK];
            let n = self.read_partial(at, &mut buf[..chunk]);
            if n == 0 {
                // Unreadable before the NUL and the limit: strace prints the address.
                return Mem::Fault;
            }
            if let Some(nul) = buf[..n].iter().position(|&b| b == 0) {
                out.extend_from_slice(&buf[..nul]);
                return Mem::Str {
                    bytes: out,
                    terminated: true,
                };
            }
            out.extend_from_slice(&buf[..n]);
            at += n as u64;
        }
        Mem::Str {
            bytes: out,
            terminated: false,
        }
    }

    fn read_str_array(
        &mut self,
        addr: u64,
        ptr_size: usize,
        max_items: usize,
        max_len: usize,
    ) -> Mem {
        if addr == 0 {
            return Mem::Fault;
        }
        let mut items = Vec::new();
        let mut count = 0usize;
        let mut at = addr;
        // Count every entry (envp may be long) but read strings only for the first few;
        // pointers are read a page at a time, not one by one.
        'outer: loop {
            let to_page_end = (PAGE - at % PAGE) as usize;
            let mut block = vec![0u8; to_page_end.min(512)];
            let n = self.read_partial(at, &mut block) / ptr_size * ptr_size;
            if n == 0 {
                if count == 0 {
                    return Mem::Fault;
                }
                break;
            }
            for raw in block[..n].chunks_exact(ptr_size) {
                let ptr = if ptr_size == 4 {
                    u32::from_le_bytes([raw[0], raw[1], raw[2], raw[3]]) as u64
                } else {
                    u64::from_le_bytes([
                        raw[0], raw[1], raw[2], raw[3], raw[4], raw[5], raw[6], raw[7],
                    ])
                };
                if ptr == 0 {
                    break 'outer;
                }
                if items.len() < max_items {
                    items.push(self.read_str(ptr, max_len));
                }
                count += 1;
            }
            at += n as u64;
            if count > 1_000_000 {
                break;
            }
        }
        Mem::StrArray { items, count }
    }
}
