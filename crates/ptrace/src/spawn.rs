//! Starting the traced command: resolve it on PATH, fork, stop the child before execve
//! so the tracer can seize it, then let it exec.

use crate::TraceError;
use crate::seccomp::Filter;
use std::ffi::{CString, OsStr, OsString};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// Finds `program` as execvp would: a name with a slash is used as is, others are looked
/// up on PATH and must be executable regular files.
pub fn resolve(program: &OsStr) -> Result<PathBuf, TraceError> {
    let not_found = || TraceError::CommandNotFound(program.to_string_lossy().into_owned());
    if program.as_bytes().contains(&b'/') {
        let path = PathBuf::from(program);
        return if path.exists() {
            Ok(path)
        } else {
            Err(not_found())
        };
    }
    let path_var = std::env::var_os("PATH").unwrap_or_else(|| "/usr/bin:/bin".into());
    std::env::split_paths(&path_var)
        .map(|dir| dir.join(program))
        .find(|cand| is_executable(cand))
        .ok_or_else(not_found)
}

fn is_executable(path: &Path) -> bool {
    path.metadata()
        .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

/// errno values the child has a message for (the kernel's are below 134).
const EXEC_MESSAGES: usize = 134;

/// `sysfence: exec: <strerror>\n` (errno 0: a generic one).
fn exec_failure_message(errno: i32) -> Vec<u8> {
    let text = if errno == 0 {
        "cannot execute the command".to_string()
    } else {
        crate::os_text(&std::io::Error::from_raw_os_error(errno))
    };
    format!("sysfence: exec: {text}\n").into_bytes()
}

/// Forks a child that takes back the signal dispositions and mask sysfence started with
/// (not the tracer's handlers), stops itself with SIGSTOP, installs `filter` if any (once
/// the tracer, which continues it, has seized it) and then execs `path` with `argv`, with
/// `stdout` as its fd 1 if given; returns its pid once it is stopped.
pub fn spawn_stopped(
    path: &Path,
    argv: &[OsString],
    filter: Option<&Filter>,
    stdout: Option<std::os::fd::RawFd>,
) -> Result<i32, TraceError> {
    let cpath = CString::new(path.as_os_str().as_bytes().to_vec())
        .map_err(|_| TraceError::CommandNotFound(path.display().to_string()))?;
    let cargs: Vec<CString> = argv
        .iter()
        .map(|a| CString::new(a.clone().into_vec()))
        .collect::<Result<_, _>>()
        .map_err(|_| TraceError::CommandNotFound(path.display().to_string()))?;
    let mut ptrs: Vec<*const libc::c_char> = cargs.iter().map(|c| c.as_ptr()).collect();
    ptrs.push(std::ptr::null());
    // What the child says if execve fails, as strace's says it ("strace: exec: Permission
    // denied", then exit status 1); made here, as the child may not allocate.
    let messages: Vec<Vec<u8>> = (0..EXEC_MESSAGES)
        .map(|errno| exec_failure_message(errno as i32))
        .collect();

    // SAFETY: the child only calls async-signal-safe functions (sigaction, sigprocmask,
    // getpid, kill, execv, _exit) on memory prepared before the fork.
    let pid = unsafe { libc::fork() };
    if pid < 0 {
        return Err(TraceError::Spawn(std::io::Error::last_os_error()));
    }
    if pid == 0 {
        events::inherited::restore();
        // SAFETY: see above; the pointers stay valid in the child's copy of memory.
        unsafe {
            if let Some(fd) = stdout
                && libc::dup2(fd, 1) < 0
            {
                libc::_exit(126);
            }
            libc::kill(libc::getpid(), libc::SIGSTOP);
            if let Some(filter) = filter
                && !filter.install()
            {
                libc::_exit(126);
            }
            libc::execv(cpath.as_ptr(), ptrs.as_ptr());
            let errno = *libc::__errno_location();
            let msg = messages.get(errno as usize).unwrap_or(&messages[0]);
            libc::write(2, msg.as_ptr().cast(), msg.len());
            libc::_exit(1);
        }
    }
    let mut status = 0;
    // SAFETY: status is a live local; the pid is our own child.
    let ret = unsafe { libc::waitpid(pid, &mut status, libc::WSTOPPED) };
    if ret != pid || !libc::WIFSTOPPED(status) {
        return Err(TraceError::Spawn(std::io::Error::other(
            "the child did not stop before execve",
        )));
    }
    Ok(pid)
}
