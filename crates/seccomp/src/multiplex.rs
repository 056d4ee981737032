//! i386's socket and SysV IPC multiplexers: `socketcall(call, args)` (102) and
//! `ipc(call, first, second, third, ptr, fifth)` (117) reach every socket and IPC call
//! through one number. A rule on such a call's name also governs its multiplexer, as in
//! libseccomp (`abi_rule_add`, 2.5.4): the rule is copied onto the multiplexer with its
//! argument-0 conditions replaced by `arg0 == call` (a 32-bit equality, so `ipc`'s version
//! bits in arg0's upper half do not match) and its other conditions kept on the same
//! argument indexes, which for the multiplexer are the words after `call`, not the call's
//! own arguments.

use policy::{CmpOp, Condition};
use syscalls::Arch;
pub use syscalls::multiplex::{IPC, SOCKETCALL};
use syscalls::multiplex::{IPC_CALLS, socket_call_number};

/// The multiplexer number and call number that reach `name` on `arch`, if any.
pub fn route(arch: Arch, name: &str) -> Option<(u32, u32)> {
    if arch != Arch::I386 {
        return None;
    }
    if let Some(call) = socket_call_number(name) {
        return Some((SOCKETCALL, call));
    }
    IPC_CALLS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|&(_, call)| (IPC, call))
}

/// Whether `name` is a socket or SysV IPC call some multiplexer reaches.
pub fn is_multiplexed(name: &str) -> bool {
    route(Arch::I386, name).is_some()
}

/// The conditions of the multiplexer's copy of a rule: `arg0 == call` instead of the
/// rule's own argument-0 conditions, the others as they are.
pub fn conditions(call: u32, own: &[Condition]) -> Vec<Condition> {
    let mut out = vec![Condition {
        arg: 0,
        op: CmpOp::Eq,
        value: u64::from(call),
    }];
    out.extend(own.iter().filter(|c| c.arg != 0).copied());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_have_the_kernels_numbers_on_i386_only() {
        assert_eq!(route(Arch::I386, "socket"), Some((SOCKETCALL, 1)));
        assert_eq!(route(Arch::I386, "sendmmsg"), Some((SOCKETCALL, 20)));
        assert_eq!(route(Arch::I386, "semop"), Some((IPC, 1)));
        assert_eq!(route(Arch::I386, "shmctl"), Some((IPC, 24)));
        assert_eq!(route(Arch::I386, "socketcall"), None);
        assert_eq!(route(Arch::X86_64, "socket"), None);
        assert!(is_multiplexed("recv") && !is_multiplexed("read"));
    }

    #[test]
    fn argument_zero_becomes_the_call_number() {
        let own = [
            Condition {
                arg: 0,
                op: CmpOp::Ne,
                value: 40,
            },
            Condition {
                arg: 2,
                op: CmpOp::Eq,
                value: 7,
            },
        ];
        let got = conditions(1, &own);
        assert_eq!(got.len(), 2);
        assert_eq!((got[0].arg, got[0].op, got[0].value), (0, CmpOp::Eq, 1));
        assert_eq!(got[1], own[1]);
    }
}
