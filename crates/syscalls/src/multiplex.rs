//! i386's socket and SysV IPC multiplexers: `socketcall(call, args)` (102) and
//! `ipc(call, first, second, third, ptr, fifth)` (117) reach every socket and IPC call
//! through one number; the kernel's call numbers for each, and how many argument words
//! socketcall's array holds for it (linux/net.h's `nargs`). The seccomp compiler, the
//! eBPF probes and the ptrace tracer all tell the sub-call from these.

/// i386's `socketcall`.
pub const SOCKETCALL: u32 = 102;
/// i386's `ipc`.
pub const IPC: u32 = 117;

/// Socket calls in `SYS_*` order (SYS_SOCKET = 1 ... SYS_SENDMMSG = 20), each with the
/// number of argument words it reads from socketcall's array.
pub const SOCKET_CALLS: [(&str, u32); 20] = [
    ("socket", 3),
    ("bind", 3),
    ("connect", 3),
    ("listen", 2),
    ("accept", 3),
    ("getsockname", 3),
    ("getpeername", 3),
    ("socketpair", 4),
    ("send", 4),
    ("recv", 4),
    ("sendto", 6),
    ("recvfrom", 6),
    ("shutdown", 2),
    ("setsockopt", 5),
    ("getsockopt", 5),
    ("sendmsg", 3),
    ("recvmsg", 3),
    ("accept4", 4),
    ("recvmmsg", 5),
    ("sendmmsg", 4),
];

/// SysV IPC calls and their `ipc` call numbers (linux/ipc.h, `SEMOP` ... `SHMCTL`).
pub const IPC_CALLS: [(&str, u32); 12] = [
    ("semop", 1),
    ("semget", 2),
    ("semctl", 3),
    ("semtimedop", 4),
    ("msgsnd", 11),
    ("msgrcv", 12),
    ("msgget", 13),
    ("msgctl", 14),
    ("shmat", 21),
    ("shmdt", 22),
    ("shmget", 23),
    ("shmctl", 24),
];

/// The socket call `socketcall(call, args)` makes: its name and how many argument words
/// it reads from `args`.
pub fn socket_call(call: u32) -> Option<(&'static str, u32)> {
    SOCKET_CALLS
        .get(usize::try_from(call).ok()?.checked_sub(1)?)
        .copied()
}

/// The socketcall number (`SYS_*`) of socket call `name`.
pub fn socket_call_number(name: &str) -> Option<u32> {
    SOCKET_CALLS
        .iter()
        .position(|&(n, _)| n == name)
        .map(|i| i as u32 + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_have_the_kernels_numbers() {
        assert_eq!(socket_call(1), Some(("socket", 3)));
        assert_eq!(socket_call(3), Some(("connect", 3)));
        assert_eq!(socket_call(20), Some(("sendmmsg", 4)));
        assert_eq!(socket_call(0), None);
        assert_eq!(socket_call(21), None);
        assert_eq!(socket_call_number("accept4"), Some(18));
        assert_eq!(socket_call_number("read"), None);
    }
}
