//! Talking to the kernel: NO_NEW_PRIVS, installing a filter on all threads, exec'ing under
//! it, and the user-notification calls a supervisor needs. The only module with `unsafe`.

use crate::bpf::Program;
use std::ffi::{CStr, CString};
use std::io;
use std::os::fd::{FromRawFd, OwnedFd, RawFd};
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

/// `SECCOMP_FILTER_FLAG_*` bits the runner uses.
pub mod flags {
    /// Install on every thread of the process, or fail.
    pub const TSYNC: u32 = libc::SECCOMP_FILTER_FLAG_TSYNC as u32;
    /// Return a notification fd for `SECCOMP_RET_USER_NOTIF`.
    pub const NEW_LISTENER: u32 = libc::SECCOMP_FILTER_FLAG_NEW_LISTENER as u32;
    /// With NEW_LISTENER: once the supervisor has received a notification, the caller
    /// waits for the answer killably, not interruptibly (Linux 5.19).
    pub const WAIT_KILLABLE_RECV: u32 = libc::SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV as u32;
    /// With TSYNC and NEW_LISTENER: report a TSYNC failure as ESRCH, not a thread id.
    pub const TSYNC_ESRCH: u32 = libc::SECCOMP_FILTER_FLAG_TSYNC_ESRCH as u32;
    /// Log every action but ALLOW (the audit log), as OCI's `SECCOMP_FILTER_FLAG_LOG`.
    pub const LOG: u32 = libc::SECCOMP_FILTER_FLAG_LOG as u32;
    /// Keep speculative store bypass mitigation off (`SECCOMP_FILTER_FLAG_SPEC_ALLOW`).
    pub const SPEC_ALLOW: u32 = libc::SECCOMP_FILTER_FLAG_SPEC_ALLOW as u32;

    /// The flags a profile may ask `run` for (OCI `flags`), by name; TSYNC is always on.
    pub fn for_profile(name: &str) -> Option<u32> {
        match name {
            "SECCOMP_FILTER_FLAG_TSYNC" => Some(TSYNC),
            "SECCOMP_FILTER_FLAG_LOG" => Some(LOG),
            "SECCOMP_FILTER_FLAG_SPEC_ALLOW" => Some(SPEC_ALLOW),
            _ => None,
        }
    }
}

/// Sets NO_NEW_PRIVS, which an unprivileged filter install requires and which keeps exec
/// from gaining privileges the filter did not foresee.
pub fn set_no_new_privs() -> io::Result<()> {
    // SAFETY: prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) takes no pointers.
    let rc = unsafe { libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// The kernel's form of `program`: `struct sock_filter[]`, ready for `sock_fprog`. Build it
/// before a fork when the child may only make async-signal-safe calls.
pub fn sock_filters(program: &Program) -> Vec<libc::sock_filter> {
    program
        .insns
        .iter()
        .map(|i| libc::sock_filter {
            code: i.code,
            jt: i.jt,
            jf: i.jf,
            k: i.k,
        })
        .collect()
}

/// The program a kernel-form filter (`struct sock_filter[]`, as installed or as
/// PTRACE_SECCOMP_GET_FILTER returns it) holds: [`sock_filters`] the other way round.
pub fn from_sock_filters(filters: &[libc::sock_filter]) -> Program {
    Program {
        insns: filters
            .iter()
            .map(|i| crate::bpf::Insn {
                code: i.code,
                jt: i.jt,
                jf: i.jf,
                k: i.k,
            })
            .collect(),
    }
}

/// The `sock_fprog` describing `filter`, which must outlive every use of the result.
fn sock_fprog(filter: &[libc::sock_filter]) -> io::Result<libc::sock_fprog> {
    Ok(libc::sock_fprog {
        len: u16::try_from(filter.len())
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "program too long"))?,
        filter: filter.as_ptr().cast_mut(),
    })
}

/// Installs `program` with `seccomp(SECCOMP_SET_MODE_FILTER, flags)`; returns the syscall's
/// result (the listener fd with NEW_LISTENER, else 0). With TSYNC alone, a positive result
/// names a thread that could not be synchronised: that is an error too.
fn install_raw(program: &Program, flags: u32) -> io::Result<i64> {
    let filter = sock_filters(program);
    let prog = sock_fprog(&filter)?;
    // SAFETY: `prog` points at `filter`, alive for the call; the kernel copies the program.
    let rc = unsafe {
        libc::syscall(
            libc::SYS_seccomp,
            libc::SECCOMP_SET_MODE_FILTER,
            flags,
            &prog as *const libc::sock_fprog,
        )
    };
    if rc < 0 {
        return Err(io::Error::last_os_error());
    }
    if flags & flags::TSYNC != 0 && flags & flags::NEW_LISTENER == 0 && rc > 0 {
        return Err(io::Error::other(format!(
            "thread {rc} could not be synchronised to the filter"
        )));
    }
    Ok(rc)
}

/// Installs `program` on every thread of this process (TSYNC, plus `extra` flags), failing if
/// any thread cannot take it.
pub fn install_all_threads(program: &Program, extra: u32) -> io::Result<()> {
    install_raw(program, flags::TSYNC | extra).map(|_| ())
}

/// Sets NO_NEW_PRIVS, installs `program` on all threads (with `extra` flags) and execs `path`
/// with `argv` and `envp`, with the signal dispositions and mask sysfence started with
/// (given back before the filter, which may deny rt_sigaction). Returns only on failure.
/// Everything is prepared by the caller, so nothing but `execve` runs between the install
/// and the new program.
pub fn exec_filtered(
    program: &Program,
    extra: u32,
    path: &CStr,
    argv: &[CString],
    envp: &[CString],
) -> io::Error {
    if let Err(e) = set_no_new_privs() {
        return e;
    }
    let argv_ptrs = null_terminated(argv);
    let envp_ptrs = null_terminated(envp);
    events::inherited::restore();
    if let Err(e) = install_all_threads(program, extra) {
        return e;
    }
    // SAFETY: both arrays are NULL-terminated and point at CStrings alive for the call.
    unsafe { libc::execve(path.as_ptr(), argv_ptrs.as_ptr(), envp_ptrs.as_ptr()) };
    io::Error::last_os_error()
}

fn null_terminated(items: &[CString]) -> Vec<*const libc::c_char> {
    items
        .iter()
        .map(|s| s.as_ptr())
        .chain(std::iter::once(std::ptr::null()))
        .collect()
}

/// What to start under a supervised filter, and how.
#[derive(Debug, Clone, Copy)]
pub struct Launch<'a> {
    /// The program.
    pub path: &'a CStr,
    /// Its arguments, argv\[0\] first.
    pub argv: &'a [CString],
    /// Its environment.
    pub envp: &'a [CString],
    /// Set NO_NEW_PRIVS first (needed without CAP_SYS_ADMIN; it disables setuid programs).
    pub no_new_privs: bool,
    /// An fd to be the program's stdin, or ours.
    pub stdin: Option<RawFd>,
    /// An fd to be the program's stdout (a pipe the caller reads), or ours.
    pub stdout: Option<RawFd>,
}

/// A child started under a filter whose notifications this process receives.
#[derive(Debug)]
pub struct Supervised {
    /// The child's pid.
    pub pid: libc::pid_t,
    /// The notification fd of the child's filter.
    pub listener: OwnedFd,
    /// Where the child says its execve failed.
    pub exec: ExecReport,
}

/// A page shared with a supervised child, where it writes the errno of an execve that
/// failed (the program never ran: no profile or report should be made of the run).
#[derive(Debug)]
pub struct ExecReport {
    page: *mut libc::c_void,
}

impl ExecReport {
    fn word(&self) -> &AtomicI64 {
        // SAFETY: the page is mapped for as long as self lives; the word is aligned.
        unsafe { &*(self.page.cast::<AtomicI64>().add(1)) }
    }

    /// Why the child's execve failed, if it did (read once the child has ended).
    pub fn error(&self) -> Option<io::Error> {
        let errno = self.word().load(Ordering::SeqCst);
        (errno > 0).then(|| io::Error::from_raw_os_error(errno as i32))
    }
}

impl Drop for ExecReport {
    fn drop(&mut self) {
        // SAFETY: unmapping the page this report owns; nothing else uses our mapping.
        unsafe { libc::munmap(self.page, 4096) };
    }
}

/// Starts `launch.path` in a child process under `program`, installed with NEW_LISTENER
/// (plus TSYNC and TSYNC_ESRCH), and returns the child and the listener fd. With
/// `no_new_privs` the child sets NO_NEW_PRIVS first (needed without CAP_SYS_ADMIN; it
/// disables setuid programs, so a recorder running as root leaves it off). The child shares
/// our fd table until its exec (CLONE_FILES), so the listener it creates is ours too; with
/// a `stdin` or `stdout` of its own it needs its own table, and the listener is taken from it with
/// pidfd_getfd. The fd is close-on-exec, so the program itself never holds it. The child's
/// execve already reaches the filter: the caller must start answering notifications at once.
pub fn spawn_supervised(program: &Program, launch: &Launch) -> io::Result<Supervised> {
    let Launch {
        path,
        argv,
        envp,
        no_new_privs,
        stdin,
        stdout,
    } = *launch;
    let own_table = stdin.is_some() || stdout.is_some();
    let argv_ptrs = null_terminated(argv);
    let envp_ptrs = null_terminated(envp);
    let filter = sock_filters(program);
    let prog = sock_fprog(&filter)?;
    // Shared words: the first 0 while pending, fd + 1 on success, -errno on failure; the
    // second the errno of a failed execve (ExecReport).
    // SAFETY: an anonymous shared mapping of one page; checked for MAP_FAILED below.
    let page = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            4096,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_SHARED | libc::MAP_ANONYMOUS,
            -1,
            0,
        )
    };
    if page == libc::MAP_FAILED {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: the page is mapped, zeroed, aligned and outlives every use below.
    let slot: &AtomicI64 = unsafe { &*(page as *const AtomicI64) };
    let clone_flags = (libc::CLONE_FILES | libc::SIGCHLD) as libc::c_ulong;
    // SAFETY: a fork-like clone (no CLONE_VM, no new stack): the child gets a copy of our
    // memory and runs only the async-signal-safe calls below before execve or _exit.
    let pid =
        unsafe { libc::syscall(libc::SYS_clone, clone_flags, 0usize, 0usize, 0usize, 0usize) };
    if pid < 0 {
        let err = io::Error::last_os_error();
        // SAFETY: unmapping the page mapped above; nothing else uses it.
        unsafe { libc::munmap(page, 4096) };
        return Err(err);
    }
    if pid == 0 {
        // The child: the signal dispositions and mask sysfence started with first, before
        // the filter (which may deny rt_sigaction) and not the supervisor's.
        events::inherited::restore();
        let fail = |slot: &AtomicI64| -> ! {
            let errno = io::Error::last_os_error()
                .raw_os_error()
                .unwrap_or(libc::EIO);
            slot.store(-i64::from(errno), Ordering::SeqCst);
            // SAFETY: leaving the child without running the parent's destructors.
            unsafe { libc::_exit(127) }
        };
        // A stdout of its own needs an fd table of its own (ours is shared until exec);
        // made before the filter, so none of it is notified.
        // SAFETY: unshare and dup2 take no pointers.
        let own = [(stdin, 0), (stdout, 1)];
        if own_table && unsafe { libc::unshare(libc::CLONE_FILES) } != 0 {
            fail(slot);
        }
        for (fd, to) in own {
            // SAFETY: as above.
            if let Some(fd) = fd
                && unsafe { libc::dup2(fd, to) } < 0
            {
                fail(slot);
            }
        }
        // SAFETY: prctl without pointers.
        if no_new_privs && unsafe { libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) } != 0 {
            fail(slot);
        }
        // A signal that comes while a call waits for its answer ends the wait with
        // ERESTARTSYS, which a handler without SA_RESTART turns into EINTR, even for
        // calls that never fail so untraced (fork: 298 of 3,000 forks of a program with
        // a SIGCHLD handler failed under the recorder). WAIT_KILLABLE_RECV keeps the
        // wait once the supervisor has received the notification (40-67 of 3,000 still
        // fail: the signal came before the supervisor's receive). Kernels before 5.19
        // refuse the flag (EINVAL): then without it.
        let base = flags::NEW_LISTENER | flags::TSYNC | flags::TSYNC_ESRCH;
        let install = |f: u32| {
            // SAFETY: `prog` points at `filter`, both copied into the child and alive here.
            unsafe {
                libc::syscall(
                    libc::SYS_seccomp,
                    libc::SECCOMP_SET_MODE_FILTER,
                    f,
                    &prog as *const libc::sock_fprog,
                )
            }
        };
        let mut fd = install(base | flags::WAIT_KILLABLE_RECV);
        // SAFETY: errno of this thread.
        if fd < 0 && unsafe { *libc::__errno_location() } == libc::EINVAL {
            fd = install(base);
        }
        if fd < 0 {
            fail(slot);
        }
        slot.store(fd + 1, Ordering::SeqCst);
        if own_table {
            // Our listener is in our table only: wait, making no syscall (the filter may
            // deny any), until the supervisor has taken it, as an execve the filter allows
            // would close it first.
            while slot.load(Ordering::SeqCst) != TAKEN {
                std::hint::spin_loop();
            }
        }
        // SAFETY: NULL-terminated arrays of live CStrings (copied into the child).
        unsafe { libc::execve(path.as_ptr(), argv_ptrs.as_ptr(), envp_ptrs.as_ptr()) };
        // The supervisor says why, from the report.
        let errno = io::Error::last_os_error()
            .raw_os_error()
            .unwrap_or(libc::EIO);
        // SAFETY: the page is mapped in the child (its copy of the mapping); aligned.
        let report: &AtomicI64 = unsafe { &*((page as *const AtomicI64).add(1)) };
        report.store(i64::from(errno), Ordering::SeqCst);
        // SAFETY: leaving the child without running the parent's destructors.
        unsafe { libc::_exit(127) }
    }
    let pid = pid as libc::pid_t;
    let outcome = loop {
        let v = slot.load(Ordering::SeqCst);
        if v != 0 {
            break v;
        }
        std::thread::sleep(Duration::from_micros(50));
    };
    let taken = match outcome {
        o if o > 0 && own_table => Some(take_fd(pid, (o - 1) as RawFd)),
        _ => None,
    };
    slot.store(TAKEN, Ordering::SeqCst);
    // The page stays mapped for the exec report; unmapped when the report goes.
    let exec = ExecReport { page };
    if outcome < 0 {
        let mut status = 0;
        // SAFETY: reaping our own child; `status` is a valid out pointer.
        unsafe { libc::waitpid(pid, &mut status, 0) };
        return Err(io::Error::from_raw_os_error((-outcome) as i32));
    }
    let fd = (outcome - 1) as RawFd;
    let listener = if let Some(taken) = taken {
        // The fd was in the child's own table: taken from there while the child waited.
        taken.inspect_err(|_| {
            // SAFETY: killing and reaping our own child, stopped at its first notification.
            unsafe {
                libc::kill(pid, libc::SIGKILL);
                libc::waitpid(pid, std::ptr::null_mut(), 0);
            }
        })?
    } else {
        // SAFETY: the child created this fd in the table we share and nothing else owns it.
        unsafe { OwnedFd::from_raw_fd(fd) }
    };
    Ok(Supervised {
        pid,
        listener,
        exec,
    })
}

/// The slot's value once the supervisor has taken the listener from the child's own table.
const TAKEN: i64 = i64::MIN;

/// A duplicate of process `pid`'s fd `fd` (pidfd_getfd), which a parent may take from its
/// child.
fn take_fd(pid: libc::pid_t, fd: RawFd) -> io::Result<OwnedFd> {
    // SAFETY: pidfd_open takes a pid and flags.
    let pidfd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
    if pidfd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: the kernel returned a new fd that nothing else owns.
    let pidfd = unsafe { OwnedFd::from_raw_fd(pidfd as RawFd) };
    use std::os::fd::AsRawFd;
    // SAFETY: pidfd_getfd takes fds and flags.
    let got = unsafe { libc::syscall(libc::SYS_pidfd_getfd, pidfd.as_raw_fd(), fd, 0) };
    if got < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: as above: a new fd (close-on-exec, as pidfd_getfd makes them).
    Ok(unsafe { OwnedFd::from_raw_fd(got as RawFd) })
}

/// One syscall a filter handed to user space.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Notification {
    /// The kernel's cookie, needed to answer.
    pub id: u64,
    /// The calling thread's id.
    pub pid: u32,
    /// The syscall number.
    pub nr: i32,
    /// The `AUDIT_ARCH_*` value.
    pub arch: u32,
    /// The arguments.
    pub args: [u64; 6],
}

/// Waits up to `timeout` for a notification on `listener`. `Ok(None)` on timeout;
/// `Err` of kind `BrokenPipe` when no filtered task is left.
pub fn receive(listener: &OwnedFd, timeout: Duration) -> io::Result<Option<Notification>> {
    use std::os::fd::AsRawFd;
    let fd = listener.as_raw_fd();
    let mut pfd = libc::pollfd {
        fd,
        events: libc::POLLIN,
        revents: 0,
    };
    let ms = i32::try_from(timeout.as_millis()).unwrap_or(i32::MAX);
    // SAFETY: one valid pollfd.
    let n = unsafe { libc::poll(&mut pfd, 1, ms) };
    if n < 0 {
        let e = io::Error::last_os_error();
        return if e.kind() == io::ErrorKind::Interrupted {
            Ok(None)
        } else {
            Err(e)
        };
    }
    if n == 0 {
        return Ok(None);
    }
    if pfd.revents & libc::POLLIN == 0 {
        return Err(io::Error::new(
            io::ErrorKind::BrokenPipe,
            "no filtered task left",
        ));
    }
    // SAFETY: seccomp_notif is plain data; zeroed as the kernel requires.
    let mut req: libc::seccomp_notif = unsafe { std::mem::zeroed() };
    // SAFETY: RECV fills `req`, a valid, correctly sized out buffer.
    let rc = unsafe { libc::ioctl(fd, libc::SECCOMP_IOCTL_NOTIF_RECV, &mut req) };
    if rc < 0 {
        let e = io::Error::last_os_error();
        // ENOENT: the task went away between poll and recv; EINTR: try again later.
        return match e.raw_os_error() {
            Some(libc::ENOENT) | Some(libc::EINTR) => Ok(None),
            _ => Err(e),
        };
    }
    Ok(Some(Notification {
        id: req.id,
        pid: req.pid,
        nr: req.data.nr,
        arch: req.data.arch,
        args: req.data.args,
    }))
}

/// Lets the notified syscall run as if the filter had allowed it. `Ok(false)` when the
/// call is no longer there to answer (ENOENT: the task was killed, or a signal
/// interrupted the call, which is then notified again when it restarts).
pub fn respond_continue(listener: &OwnedFd, id: u64) -> io::Result<bool> {
    send(
        listener,
        libc::seccomp_notif_resp {
            id,
            val: 0,
            error: 0,
            flags: libc::SECCOMP_USER_NOTIF_FLAG_CONTINUE as u32,
        },
    )
}

fn send(listener: &OwnedFd, mut resp: libc::seccomp_notif_resp) -> io::Result<bool> {
    use std::os::fd::AsRawFd;
    // SAFETY: SEND reads `resp`, a valid, correctly sized buffer.
    let rc = unsafe {
        libc::ioctl(
            listener.as_raw_fd(),
            libc::SECCOMP_IOCTL_NOTIF_SEND,
            &mut resp,
        )
    };
    if rc < 0 {
        let e = io::Error::last_os_error();
        if e.raw_os_error() == Some(libc::ENOENT) {
            return Ok(false);
        }
        return Err(e);
    }
    Ok(true)
}

/// Asks the kernel to wake supervisor and supervised task on the CPU of the one that
/// wakes the other (SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP, Linux 6.6): a notification's round
/// trip then stays on one CPU, several times cheaper than across two, without pinning
/// anything. False on a kernel without it.
pub fn sync_wake_up(listener: &OwnedFd) -> bool {
    use std::os::fd::AsRawFd;
    const SYNC_WAKE_UP: u64 = 1;
    // SAFETY: SET_FLAGS takes the flags by value.
    let rc = unsafe {
        libc::ioctl(
            listener.as_raw_fd(),
            libc::SECCOMP_IOCTL_NOTIF_SET_FLAGS,
            SYNC_WAKE_UP,
        )
    };
    rc == 0
}

/// Answers the notified syscall with failure `errno`, as a filter's SECCOMP_RET_ERRNO
/// would. `Ok(false)` as for [`respond_continue`].
pub fn respond_error(listener: &OwnedFd, id: u64, errno: i32) -> io::Result<bool> {
    send(
        listener,
        libc::seccomp_notif_resp {
            id,
            val: 0,
            error: -errno,
            flags: 0,
        },
    )
}

/// Waits for child `pid` and returns its raw wait status.
pub fn wait_child(pid: libc::pid_t) -> io::Result<i32> {
    let mut status = 0;
    loop {
        // SAFETY: waiting for our own child; `status` is a valid out pointer.
        let rc = unsafe { libc::waitpid(pid, &mut status, 0) };
        if rc == pid {
            return Ok(status);
        }
        let e = io::Error::last_os_error();
        if e.kind() != io::ErrorKind::Interrupted {
            return Err(e);
        }
    }
}

/// The child's raw wait status if it has ended, without blocking.
pub fn try_wait_child(pid: libc::pid_t) -> io::Result<Option<i32>> {
    let mut status = 0;
    // SAFETY: waiting for our own child with WNOHANG; `status` is a valid out pointer.
    let rc = unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) };
    match rc {
        0 => Ok(None),
        r if r == pid => Ok(Some(status)),
        _ => Err(io::Error::last_os_error()),
    }
}
