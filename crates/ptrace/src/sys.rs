//! Thin, checked wrappers over the kernel calls the tracer makes. Every `unsafe` block of
//! the crate that issues a ptrace or wait call lives here.

use std::io;

/// `PTRACE_EVENT_STOP`: group-stop or PTRACE_INTERRUPT trap of a seized tracee.
pub const EVENT_STOP: i32 = 128;

/// The op of a `ptrace_syscall_info` (`PTRACE_SYSCALL_INFO_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InfoOp {
    /// Not a syscall stop.
    None,
    /// Syscall-entry stop.
    Entry,
    /// Syscall-exit stop.
    Exit,
    /// Seccomp (`SECCOMP_RET_TRACE`) stop, which is also an entry.
    Seccomp,
}

/// The decoded `struct ptrace_syscall_info`.
#[derive(Debug, Clone, Copy)]
pub struct SyscallInfo {
    /// Which kind of stop this is.
    pub op: InfoOp,
    /// `AUDIT_ARCH_*` of the call.
    pub arch: u32,
    /// Instruction pointer.
    pub ip: u64,
    /// Stack pointer.
    pub sp: u64,
    /// Syscall number (entry and seccomp stops).
    pub nr: u64,
    /// Arguments (entry and seccomp stops).
    pub args: [u64; 6],
    /// Return value (exit stops).
    pub rval: i64,
    /// Whether the return value is an error (exit stops).
    pub is_error: bool,
}

#[repr(C)]
#[derive(Default)]
struct RawSyscallInfo {
    op: u8,
    pad: [u8; 3],
    arch: u32,
    ip: u64,
    sp: u64,
    data: [u64; 8],
}

fn check(ret: libc::c_long) -> io::Result<libc::c_long> {
    if ret == -1 {
        Err(io::Error::last_os_error())
    } else {
        Ok(ret)
    }
}

fn ptrace(req: libc::c_uint, pid: i32, addr: usize, data: usize) -> io::Result<libc::c_long> {
    // SAFETY: every caller passes a request whose addr/data are either plain integers or
    // pointers to live buffers of the size the request expects.
    check(unsafe { libc::ptrace(req, pid, addr, data) })
}

/// `PTRACE_SEIZE` with `options`.
pub fn seize(pid: i32, options: u32) -> io::Result<()> {
    ptrace(libc::PTRACE_SEIZE, pid, 0, options as usize).map(drop)
}

/// `PTRACE_INTERRUPT`: make a seized tracee stop.
pub fn interrupt(pid: i32) -> io::Result<()> {
    ptrace(libc::PTRACE_INTERRUPT, pid, 0, 0).map(drop)
}

/// `PTRACE_SYSCALL`: resume until the next syscall stop, delivering `sig`.
pub fn resume_syscall(pid: i32, sig: i32) -> io::Result<()> {
    ptrace(libc::PTRACE_SYSCALL, pid, 0, sig as usize).map(drop)
}

/// `PTRACE_CONT`: resume without syscall stops (seccomp-bpf mode), delivering `sig`.
pub fn resume_cont(pid: i32, sig: i32) -> io::Result<()> {
    ptrace(libc::PTRACE_CONT, pid, 0, sig as usize).map(drop)
}

/// `PTRACE_LISTEN`: leave a group-stopped tracee stopped but let SIGCONT wake it.
pub fn listen(pid: i32) -> io::Result<()> {
    ptrace(libc::PTRACE_LISTEN, pid, 0, 0).map(drop)
}

/// `PTRACE_DETACH`, delivering `sig`.
pub fn detach(pid: i32, sig: i32) -> io::Result<()> {
    ptrace(libc::PTRACE_DETACH, pid, 0, sig as usize).map(drop)
}

/// `PTRACE_GETEVENTMSG`.
pub fn event_msg(pid: i32) -> io::Result<u64> {
    let mut msg: libc::c_ulong = 0;
    ptrace(
        libc::PTRACE_GETEVENTMSG,
        pid,
        0,
        &mut msg as *mut libc::c_ulong as usize,
    )?;
    Ok(msg as u64)
}

/// `PTRACE_GETSIGINFO`: the raw 128-byte siginfo of a signal-delivery-stop.
pub fn siginfo(pid: i32) -> io::Result<Vec<u8>> {
    let mut buf = vec![0u8; 128];
    ptrace(libc::PTRACE_GETSIGINFO, pid, 0, buf.as_mut_ptr() as usize)?;
    Ok(buf)
}

/// `PTRACE_GET_SYSCALL_INFO`.
pub fn syscall_info(pid: i32) -> io::Result<SyscallInfo> {
    let mut raw = RawSyscallInfo::default();
    ptrace(
        libc::PTRACE_GET_SYSCALL_INFO,
        pid,
        std::mem::size_of::<RawSyscallInfo>(),
        &mut raw as *mut RawSyscallInfo as usize,
    )?;
    let op = match raw.op {
        1 => InfoOp::Entry,
        2 => InfoOp::Exit,
        3 => InfoOp::Seccomp,
        _ => InfoOp::None,
    };
    let mut args = [0u64; 6];
    args.copy_from_slice(&raw.data[1..7]);
    Ok(SyscallInfo {
        op,
        arch: raw.arch,
        ip: raw.ip,
        sp: raw.sp,
        nr: raw.data[0],
        args,
        rval: raw.data[0] as i64,
        is_error: raw.data[1] as u8 != 0,
    })
}

/// What `wait4` reported.
#[derive(Debug, Clone, Copy)]
pub struct Waited {
    /// The task.
    pub pid: i32,
    /// The raw wait status.
    pub status: i32,
    /// The task's system CPU time so far, in nanoseconds (0 unless asked for).
    pub system_ns: u64,
}

/// `wait4(pid, __WALL [| WNOHANG])`; `Ok(None)` when nothing is ready with `nohang`.
/// With `cpu_time`, the task's system time comes too (the kernel sums it up per call).
pub fn wait(pid: i32, nohang: bool, cpu_time: bool) -> io::Result<Option<Waited>> {
    let mut status = 0;
    // SAFETY: rusage is plain data; zero is a valid value.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    let ru_ptr: *mut libc::rusage = if cpu_time {
        &mut ru
    } else {
        std::ptr::null_mut()
    };
    let flags = libc::__WALL | if nohang { libc::WNOHANG } else { 0 };
    // SAFETY: status is a live, writable local; ru_ptr is null or points at `ru`.
    let ret = unsafe { libc::wait4(pid, &mut status, flags, ru_ptr) };
    match ret {
        -1 => Err(io::Error::last_os_error()),
        0 => Ok(None),
        pid => Ok(Some(Waited {
            pid,
            status,
            system_ns: ru.ru_stime.tv_sec as u64 * 1_000_000_000
                + ru.ru_stime.tv_usec as u64 * 1000,
        })),
    }
}

/// CLOCK_REALTIME less CLOCK_MONOTONIC as of the last [`sync_clocks`] (`i64::MIN`: never).
static WALL_OFFSET: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(i64::MIN);

fn read_clock(clock: libc::clockid_t) -> u64 {
    // SAFETY: timespec is plain data; zero is valid.
    let mut ts: libc::timespec = unsafe { std::mem::zeroed() };
    // SAFETY: ts is a live, writable local.
    unsafe { libc::clock_gettime(clock, &mut ts) };
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

/// Reads the wall clock again. The tracer does so when it starts and at every 20 ms
/// tick: an event's wall time is then its monotonic time plus this offset, one clock
/// read per stop instead of two, and a wall clock that is set shows within a tick.
pub fn sync_clocks() -> i64 {
    let real = read_clock(libc::CLOCK_REALTIME) as i64;
    let offset = real.wrapping_sub(read_clock(libc::CLOCK_MONOTONIC) as i64);
    WALL_OFFSET.store(offset, std::sync::atomic::Ordering::Relaxed);
    offset
}

/// The time of an event, on both clocks (see [`sync_clocks`]).
pub fn now() -> events::Timestamp {
    let offset = match WALL_OFFSET.load(std::sync::atomic::Ordering::Relaxed) {
        i64::MIN => sync_clocks(),
        offset => offset,
    };
    let mono_ns = read_clock(libc::CLOCK_MONOTONIC);
    events::Timestamp {
        real_ns: mono_ns.wrapping_add_signed(offset),
        mono_ns,
    }
}

/// Sends `sig` to process `pid` (`kill(2)`).
pub fn kill(pid: i32, sig: i32) -> io::Result<()> {
    // SAFETY: kill takes plain integers.
    check(unsafe { libc::kill(pid, sig) } as libc::c_long).map(drop)
}

/// Reads tracee memory with `process_vm_readv`; returns how many bytes were read.
pub fn read_memory(pid: i32, addr: u64, buf: &mut [u8]) -> io::Result<usize> {
    vm_transfer(pid, addr, buf.as_mut_ptr(), buf.len(), false)
}

/// Writes `buf` into tracee memory with `process_vm_writev`; returns how many bytes
/// were written.
pub fn write_memory(pid: i32, addr: u64, buf: &[u8]) -> io::Result<usize> {
    vm_transfer(pid, addr, buf.as_ptr().cast_mut(), buf.len(), true)
}

/// One `process_vm_readv` (or, with `write`, `process_vm_writev`) of `len` bytes between
/// our `local` buffer and `addr` in the tracee.
fn vm_transfer(pid: i32, addr: u64, local: *mut u8, len: usize, write: bool) -> io::Result<usize> {
    let local = libc::iovec {
        iov_base: local.cast(),
        iov_len: len,
    };
    let remote = libc::iovec {
        iov_base: addr as *mut libc::c_void,
        iov_len: len,
    };
    // SAFETY: the local iovec describes a live buffer of `len` bytes (writable when we
    // read into it; only read by process_vm_writev); the remote address is only
    // interpreted by the kernel in the tracee's address space.
    let ret = unsafe {
        if write {
            libc::process_vm_writev(pid, &local, 1, &remote, 1, 0)
        } else {
            libc::process_vm_readv(pid, &local, 1, &remote, 1, 0)
        }
    };
    if ret < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(ret as usize)
    }
}

/// The CPU the calling thread runs on.
pub fn current_cpu() -> Option<usize> {
    // SAFETY: sched_getcpu takes no arguments.
    usize::try_from(unsafe { libc::sched_getcpu() }).ok()
}

/// `PTRACE_SETOPTIONS`.
pub fn set_options(pid: i32, options: u32) -> io::Result<()> {
    ptrace(libc::PTRACE_SETOPTIONS, pid, 0, options as usize).map(drop)
}

/// The first `N` bytes of a /proc file, with one open and one read (no size probe).
pub fn read_proc_head<const N: usize>(path: &str) -> Option<String> {
    use std::io::Read;
    let mut buf = [0u8; N];
    let n = std::fs::File::open(path).ok()?.read(&mut buf).ok()?;
    Some(String::from_utf8_lossy(&buf[..n]).into_owned())
}
