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

/// This process's seccomp mode (prctl(PR_GET_SECCOMP)); `None` when the kernel has no
/// seccomp at all (EINVAL).
pub fn own_seccomp_mode() -> Option<u32> {
    // SAFETY: PR_GET_SECCOMP takes no pointers.
    let rc = unsafe { libc::prctl(libc::PR_GET_SECCOMP, 0, 0, 0, 0) };
    u32::try_from(rc).ok()
}

/// seccomp(SECCOMP_GET_ACTION_AVAIL) for one SECCOMP_RET_* value: `Some(true)` available,
/// `Some(false)` not (EOPNOTSUPP), `None` when the call itself is missing.
pub fn seccomp_action_available(action: u32) -> Option<bool> {
    let value = action;
    // SAFETY: the kernel reads one u32 through the pointer, which points at a live local.
    let rc = unsafe {
        libc::syscall(
            libc::SYS_seccomp,
            libc::SECCOMP_GET_ACTION_AVAIL,
            0,
            &value as *const u32,
        )
    };
    if rc == 0 {
        return Some(true);
    }
    match std::io::Error::last_os_error().raw_os_error() {
        Some(libc::EOPNOTSUPP) => Some(false),
        _ => None,
    }
}

/// seccomp(SECCOMP_GET_NOTIF_SIZES): the notification structures' sizes.
pub fn notif_sizes() -> Option<crate::kernel::NotifSizes> {
    let mut sizes = libc::seccomp_notif_sizes {
        seccomp_notif: 0,
        seccomp_notif_resp: 0,
        seccomp_data: 0,
    };
    // SAFETY: the kernel writes a struct seccomp_notif_sizes into the live local.
    let rc = unsafe {
        libc::syscall(
            libc::SYS_seccomp,
            libc::SECCOMP_GET_NOTIF_SIZES,
            0,
            &mut sizes as *mut libc::seccomp_notif_sizes,
        )
    };
    (rc == 0).then_some(crate::kernel::NotifSizes {
        seccomp_notif: sizes.seccomp_notif,
        seccomp_notif_resp: sizes.seccomp_notif_resp,
        seccomp_data: sizes.seccomp_data,
    })
}

/// Whether bpf(2) exists: a command no kernel defines gets EINVAL (or EPERM), not ENOSYS.
pub fn bpf_syscall_exists() -> bool {
    // SAFETY: an invalid command with a NULL attribute pointer and size 0 is rejected
    // before the kernel reads anything.
    let rc = unsafe { libc::syscall(libc::SYS_bpf, u32::MAX, std::ptr::null::<u8>(), 0u32) };
    rc == 0 || std::io::Error::last_os_error().raw_os_error() != Some(libc::ENOSYS)
}

/// lsm_list_modules(2) (Linux 6.8+): the active LSMs' ids; `None` where the kernel or
/// the knowledge base has no such syscall.
pub fn lsm_list_modules() -> Option<Vec<u64>> {
    let nr = syscalls::Arch::native()
        .table()
        .lookup_name("lsm_list_modules")?
        .nr;
    let mut ids = [0u64; 64];
    let mut size = u32::try_from(std::mem::size_of_val(&ids)).ok()?;
    // SAFETY: `ids` has room for `size` bytes and `size` is a live u32; the kernel writes
    // at most `size` bytes and the count of ids it wrote into `size`.
    let rc = unsafe {
        libc::syscall(
            libc::c_long::from(nr),
            ids.as_mut_ptr(),
            &mut size as *mut u32,
            0u32,
        )
    };
    let n = usize::try_from(rc).ok()?;
    Some(ids[..n.min(ids.len())].to_vec())
}

/// `PTRACE_SECCOMP_GET_FILTER` (linux/ptrace.h).
const PTRACE_SECCOMP_GET_FILTER: libc::c_uint = 0x420c;
/// `PTRACE_GET_SECCOMP_METADATA` (linux/ptrace.h).
const PTRACE_GET_SECCOMP_METADATA: libc::c_uint = 0x420d;

fn last_error() -> std::io::Error {
    std::io::Error::last_os_error()
}

/// PTRACE_SEIZE `pid` without options: it keeps running until interrupted.
pub fn ptrace_seize(pid: i32) -> std::io::Result<()> {
    // SAFETY: PTRACE_SEIZE takes no pointers (addr 0, data 0: no options).
    let rc = unsafe { libc::ptrace(libc::PTRACE_SEIZE, pid, 0usize, 0usize) };
    if rc < 0 { Err(last_error()) } else { Ok(()) }
}

/// PTRACE_INTERRUPT a seized `pid`: it enters a ptrace-stop at once.
pub fn ptrace_interrupt(pid: i32) -> std::io::Result<()> {
    // SAFETY: PTRACE_INTERRUPT takes no pointers.
    let rc = unsafe { libc::ptrace(libc::PTRACE_INTERRUPT, pid, 0usize, 0usize) };
    if rc < 0 { Err(last_error()) } else { Ok(()) }
}

/// PTRACE_DETACH `pid`, delivering `signal` (0 for none) as it resumes.
pub fn ptrace_detach(pid: i32, signal: i32) -> std::io::Result<()> {
    // SAFETY: PTRACE_DETACH takes the signal to deliver as its data argument, no pointers.
    let rc = unsafe { libc::ptrace(libc::PTRACE_DETACH, pid, 0usize, signal as usize) };
    if rc < 0 { Err(last_error()) } else { Ok(()) }
}

/// waitpid(pid, __WALL | WNOHANG): `Some(status)` when `pid` has changed state.
pub fn wait_nohang(pid: i32) -> std::io::Result<Option<i32>> {
    let mut status = 0;
    // SAFETY: waitpid writes the status into a live local.
    let rc = unsafe { libc::waitpid(pid, &mut status, libc::__WALL | libc::WNOHANG) };
    match rc {
        r if r < 0 => Err(last_error()),
        0 => Ok(None),
        _ => Ok(Some(status)),
    }
}

/// PTRACE_SECCOMP_GET_FILTER: the instructions of filter `index` (0 the newest) of the
/// stopped tracee `pid`.
pub fn seccomp_get_filter(pid: i32, index: usize) -> std::io::Result<Vec<libc::sock_filter>> {
    // SAFETY: with a NULL buffer the kernel only returns the instruction count.
    let n = unsafe {
        libc::ptrace(
            PTRACE_SECCOMP_GET_FILTER,
            pid,
            index,
            std::ptr::null_mut::<libc::sock_filter>(),
        )
    };
    let n = usize::try_from(n).map_err(|_| last_error())?;
    let empty = libc::sock_filter {
        code: 0,
        jt: 0,
        jf: 0,
        k: 0,
    };
    let mut insns = vec![empty; n];
    // SAFETY: the buffer has room for the `n` instructions the kernel just reported; the
    // filter cannot change (filters are immutable once installed).
    let got = unsafe { libc::ptrace(PTRACE_SECCOMP_GET_FILTER, pid, index, insns.as_mut_ptr()) };
    let got = usize::try_from(got).map_err(|_| last_error())?;
    insns.truncate(got);
    Ok(insns)
}

/// PTRACE_GET_SECCOMP_METADATA: the flags filter `index` was installed with (only
/// SECCOMP_FILTER_FLAG_LOG is reported by the kernel).
pub fn seccomp_filter_flags(pid: i32, index: usize) -> std::io::Result<u64> {
    #[repr(C)]
    struct Metadata {
        filter_off: u64,
        flags: u64,
    }
    let mut md = Metadata {
        filter_off: index as u64,
        flags: 0,
    };
    // SAFETY: the kernel reads `filter_off` and writes `flags` of the live local, whose
    // size is passed as the address argument, as the API takes it.
    let rc = unsafe {
        libc::ptrace(
            PTRACE_GET_SECCOMP_METADATA,
            pid,
            std::mem::size_of::<Metadata>(),
            &mut md as *mut Metadata,
        )
    };
    if rc < 0 {
        Err(last_error())
    } else {
        Ok(md.flags)
    }
}
