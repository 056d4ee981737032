//! The few calls to the kernel this crate makes without a safe wrapper.

use std::ffi::CString;

/// The protocol name a socket's inode reports (`system.sockprotoname`: `TCP`, `NETLINK`),
/// read through a /proc/PID/fd/N link, as lsof names sockets no table lists.
pub fn socket_protocol(fd_link: &str) -> Option<String> {
    let path = CString::new(fd_link).ok()?;
    let name = c"system.sockprotoname";
    let mut buf = [0u8; 64];
    // SAFETY: both names are NUL-terminated C strings alive for the call; the kernel
    // writes at most `buf.len()` bytes into `buf`, which lives on this frame.
    let n = unsafe {
        libc::getxattr(
            path.as_ptr(),
            name.as_ptr(),
            buf.as_mut_ptr().cast(),
            buf.len(),
        )
    };
    let n = usize::try_from(n).ok()?;
    let text = String::from_utf8_lossy(&buf[..n]);
    Some(text.trim_end_matches('\0').to_string())
}
