//! Keeping the tracer's CPU pinning invisible to the tracee. A pinned task that asks
//! sched_getaffinity gets the mask it had before we pinned it (programs size their
//! thread pools and buffers by it: `nproc`, `xz -T0`, Go, the JVM); a task that sets an
//! affinity itself gets exactly what it asked for and is never pinned again.

use syscalls::Arch;

/// The two affinity calls the tracer watches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Call {
    /// sched_getaffinity(pid, len, mask): its answer is rewritten for a pinned task.
    Get,
    /// sched_setaffinity(pid, len, mask): the task placed itself; pinning ends for good.
    Set,
}

/// An affinity call seen at entry, to act on at its exit.
#[derive(Debug, Clone, Copy)]
pub struct Pending {
    /// Which call.
    pub call: Call,
    /// Its pid argument (0: the calling thread).
    pub target: i32,
    /// Its mask pointer in the tracee.
    pub mask: u64,
}

/// The calls' numbers in each ABI a tracee can call in.
pub struct Numbers {
    by_abi: Vec<(Arch, u32, u32)>,
}

impl Numbers {
    /// Looks the numbers up in the knowledge base for every ABI a tracee can call in.
    pub fn new() -> Numbers {
        let by_abi = Arch::callable()
            .into_iter()
            .filter_map(|arch| {
                let table = arch.table();
                let get = table.lookup_name("sched_getaffinity")?.nr;
                let set = table.lookup_name("sched_setaffinity")?.nr;
                Some((arch, get, set))
            })
            .collect();
        Numbers { by_abi }
    }

    /// Which affinity call `nr` is in `arch`, if any.
    pub fn call(&self, arch: Arch, nr: u32) -> Option<Call> {
        let &(_, get, set) = self.by_abi.iter().find(|(a, _, _)| *a == arch)?;
        match nr {
            n if n == get => Some(Call::Get),
            n if n == set => Some(Call::Set),
            _ => None,
        }
    }

    /// Whether `nr` is an affinity call in `arch` (for the seccomp-bpf stop set).
    pub fn is_affinity(&self, arch: Arch, nr: u32) -> bool {
        self.call(arch, nr).is_some()
    }
}

/// `cpus` as the kernel's cpumask bytes (a little-endian bitmap, the layout both the
/// 64-bit and the compat calls copy out on x86).
pub fn mask_bytes(cpus: &[usize]) -> Vec<u8> {
    let mut bytes = vec![0u8; libc::CPU_SETSIZE as usize / 8];
    for &c in cpus.iter().filter(|&&c| c < libc::CPU_SETSIZE as usize) {
        bytes[c / 8] |= 1 << (c % 8);
    }
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_are_little_endian_bitmaps() {
        let m = mask_bytes(&[0, 1, 9]);
        assert_eq!(&m[..2], &[0b11, 0b10]);
        assert!(m[2..].iter().all(|&b| b == 0));
    }

    #[test]
    fn the_calls_are_found_in_every_abi() {
        let n = Numbers::new();
        if Arch::native() == Arch::X86_64 {
            assert_eq!(n.call(Arch::X86_64, 204), Some(Call::Get));
            assert_eq!(n.call(Arch::X86_64, 203), Some(Call::Set));
            assert_eq!(n.call(Arch::I386, 242), Some(Call::Get));
            assert_eq!(n.call(Arch::I386, 241), Some(Call::Set));
            assert_eq!(n.call(Arch::X86_64, 39), None);
        }
    }
}
