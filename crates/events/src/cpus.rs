//! CPU affinity of threads: sources keep themselves next to their tracees, and sinks
//! with threads of their own keep those apart from the source.

use std::io;

/// The CPUs thread `tid` (0: the calling thread) may run on, ascending; empty if the
/// kernel will not say.
pub fn allowed(tid: i32) -> Vec<usize> {
    // SAFETY: cpu_set_t is plain data; zero is the empty set.
    let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
    // SAFETY: set is a live, writable cpu_set_t of the size passed.
    let ret =
        unsafe { libc::sched_getaffinity(tid, std::mem::size_of::<libc::cpu_set_t>(), &mut set) };
    if ret != 0 {
        return Vec::new();
    }
    // SAFETY: CPU_ISSET only reads the live local set.
    (0..libc::CPU_SETSIZE as usize)
        .filter(|&c| unsafe { libc::CPU_ISSET(c, &set) })
        .collect()
}

/// Lets thread `tid` (0: the calling thread) run on `cpus` only.
pub fn restrict(tid: i32, cpus: &[usize]) -> io::Result<()> {
    // SAFETY: cpu_set_t is plain data; zero is the empty set.
    let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
    for &c in cpus {
        // SAFETY: CPU_SET writes a bit inside the live local set (it checks the index).
        unsafe { libc::CPU_SET(c, &mut set) };
    }
    // SAFETY: set is a live, initialised cpu_set_t of the size passed.
    let ret = unsafe { libc::sched_setaffinity(tid, std::mem::size_of::<libc::cpu_set_t>(), &set) };
    if ret == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// The CPU task `tid` last ran on (field 39 of /proc/TID/stat), read with one open and
/// one read of at most 1 KiB.
pub fn last_cpu(tid: i32) -> Option<usize> {
    use std::io::Read;
    let mut buf = [0u8; 1024];
    let n = std::fs::File::open(format!("/proc/{tid}/stat"))
        .ok()?
        .read(&mut buf)
        .ok()?;
    let stat = String::from_utf8_lossy(&buf[..n]);
    stat.rsplit_once(')')?
        .1
        .split_whitespace()
        .nth(36)?
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_thread_restricted_to_one_allowed_cpu_reports_just_it() {
        let all = allowed(0);
        assert!(!all.is_empty(), "sched_getaffinity gave no CPU");
        let last = *all.last().unwrap();
        // A thread of its own, so the test harness's threads keep their CPUs.
        let seen = std::thread::spawn(move || {
            restrict(0, &[last]).unwrap();
            allowed(0)
        })
        .join()
        .unwrap();
        assert_eq!(seen, vec![last]);
    }
}
