//! The capture plan as a table ([`events::PlannedRead`]), for a source that reads a
//! call's memory once, where the call is, without asking the decoders at each stop (the
//! eBPF probes): derived from the decoders' own plan, so that both sources read what
//! the same decoders print. Formats whose length comes from another argument, the
//! return value or a count the kernel wrote say so here; for every other argument the
//! decoders' plan is asked, and what it reads at the argument's address is the table's.

use super::Decoder;
use crate::specs::Fmt;
use events::{ArgRead, Mem, MemReader, PlannedRead, SyscallEntry, SyscallResult, Timestamp};
use syscalls::Arch;

/// Where the plan is asked, argument `i` at `SENTINEL * (i + 1)` (within 32 bits, for
/// the compat ABIs): addresses no length, count or command equals, far enough apart
/// that a read at one is known for its own.
const SENTINEL: u64 = 0x1000_0000;

/// The commands a call's first two arguments are asked with besides their addresses:
/// futex's FUTEX_WAIT (0), which reads its timeout, the first few of other calls',
/// prctl's PR_SET_NAME and PR_GET_NAME, and every flag set (clone's, which store tids).
const COMMANDS: [u64; 7] = [0, 1, 2, 3, 15, 16, u64::MAX];

/// The returns the exit plan is asked with: successes of a few and of many bytes or
/// records (an array the return counts is read to the most a capture holds), and a sleep a
/// signal interrupted (its time left prints).
const RETURNS: [i64; 3] = [8, 64, -516];

/// The most bytes of `struct sockaddr_storage`, which a socket address written back
/// may hold (its length is what the kernel wrote, known only at exit).
const SOCKADDR_MAX: usize = 128;

/// The most bytes a `struct file_handle` holds (MAX_HANDLE_SZ and its two fields).
const FILE_HANDLE_MAX: usize = 136;

/// The most bytes of capget's and capset's data (two 12-byte structures, version 2
/// and 3 headers).
const CAP_DATA_MAX: usize = 24;

/// A `struct clone_args` as clone3's decoder reads it (CLONE_ARGS_SIZE_VER2).
const CLONE_ARGS_SIZE: usize = 88;

impl Decoder {
    /// How a source that reads memory where the call is (the eBPF probes) reads call
    /// `nr` of `arch` for this decoder: each argument printed from memory, in argument
    /// order; empty for a call printed from its registers alone.
    pub fn planned_reads(&self, arch: Arch, nr: u32) -> Vec<PlannedRead> {
        if !self.reads(arch, nr, false) && !self.reads(arch, nr, true) {
            return Vec::new();
        }
        let shape = self.shape(arch, nr);
        let exec = shape.name.starts_with("execve");
        // i386's ipc prints as the call it makes, whose arguments its own shape does not
        // describe: each is asked of the plan, for every call ipc makes.
        let ipc = matches!(shape.fmts.first(), Some(Fmt::IpcCall));
        let mut out = Vec::new();
        let mut asked = None;
        for i in 0..6 {
            let fmt = shape.fmts.get(i).copied();
            let read = match fmt.and_then(|f| stated(f, arch, nr)) {
                _ if ipc && i == 0 => None,
                _ if ipc => asked
                    .get_or_insert_with(|| self.ask(arch, nr, &ipc_cases()))
                    .read_at(SENTINEL * (i as u64 + 1)),
                Some(read) => read,
                // argv and envp: the exec's record holds them.
                None if matches!(fmt, Some(Fmt::Argv | Fmt::Envp)) => None,
                None if fmt.is_some_and(Fmt::value_only) => None,
                None => asked
                    .get_or_insert_with(|| self.ask(arch, nr, &command_cases()))
                    .read_at(SENTINEL * (i as u64 + 1)),
            };
            if let Some(read) = read {
                out.push(PlannedRead {
                    arg: i,
                    read,
                    at_entry: exec && read == ArgRead::Str,
                });
            }
        }
        out
    }

    /// What the decoders' plan reads of call `nr` on `arch` with the arguments of each
    /// of `cases`, at entry and at exit.
    fn ask(&self, arch: Arch, nr: u32, cases: &[[u64; 6]]) -> AskedMemory {
        let mut asked = AskedMemory::default();
        for &args in cases {
            asked.ask(self, arch, nr, args, &RETURNS);
        }
        asked
    }
}

/// Every argument at its sentinel address (argument `i` at `SENTINEL * (i + 1)`).
fn sentinels() -> [u64; 6] {
    std::array::from_fn(|i| SENTINEL * (i as u64 + 1))
}

/// The arguments a call is asked with: each at its address, or a command in the first
/// or the second.
fn command_cases() -> Vec<[u64; 6]> {
    let mut cases = vec![sentinels()];
    for c in COMMANDS {
        for pos in [0, 1] {
            let mut args = sentinels();
            args[pos] = c;
            cases.push(args);
        }
    }
    cases
}

/// The arguments i386's ipc is asked with: each call it makes, its other arguments at
/// their addresses, or IPC_STAT (2) and IPC_SET (1) where msgctl's and shmctl's command
/// (the third) and semctl's (the fourth) are.
fn ipc_cases() -> Vec<[u64; 6]> {
    let mut cases = Vec::new();
    for (_, call) in syscalls::multiplex::IPC_CALLS {
        let mut args = sentinels();
        args[0] = u64::from(call);
        cases.push(args);
        for cmd in [1, 2] {
            let mut with = args;
            with[2] = cmd;
            with[3] = cmd;
            cases.push(with);
        }
    }
    cases
}

/// How an argument of format `fmt` is read when its format says more than a read of
/// it shows: its length in another argument, in the return value or in what the kernel
/// writes, or memory beside it (`Some(None)`: never read); None for the others (asked
/// of the plan).
fn stated(fmt: Fmt, arch: Arch, nr: u32) -> Option<Option<ArgRead>> {
    Some(Some(match fmt {
        Fmt::Path | Fmt::Str => ArgRead::Str,
        Fmt::WBuf(n) | Fmt::SockaddrIn(n) => ArgRead::LenArg(n),
        Fmt::RBuf(_) | Fmt::RBufHex(_) | Fmt::XattrList(_) | Fmt::RStr => ArgRead::LenRet,
        Fmt::IovIn(n) | Fmt::IovOut(n) => ArgRead::Iov(n),
        Fmt::MsghdrIn => ArgRead::Msghdr { written: false },
        Fmt::MsghdrOut => ArgRead::Msghdr { written: true },
        // d_reclen follows two u64s in linux_dirent64, two longs in linux_dirent.
        Fmt::Dirents if arch.is_compat_call(nr) => ArgRead::Dirents(8),
        Fmt::Dirents | Fmt::Dirents64 => ArgRead::Dirents(16),
        Fmt::CloneArgs => ArgRead::CloneArgs(CLONE_ARGS_SIZE),
        Fmt::SockaddrOut(_) => ArgRead::Fixed(SOCKADDR_MAX),
        Fmt::FileHandleIn | Fmt::FileHandleOut => ArgRead::Fixed(FILE_HANDLE_MAX),
        // Two `struct __user_cap_data_struct`s, as many as the header's version says.
        Fmt::CapDataIn | Fmt::CapDataOut => ArgRead::Fixed(CAP_DATA_MAX),
        // A number for most commands: read as memory for all, most reads would fail.
        Fmt::FcntlArg | Fmt::IoctlArg => return Some(None),
        _ => return None,
    }))
}

/// Memory that answers every read with plausible data (small numbers, so that lengths
/// and counts read from memory are small and pointers not NULL, at most a page of them)
/// and notes what was asked: how the table, and tests, see what a plan reads.
#[derive(Debug, Default)]
pub struct AskedMemory {
    /// Each read: its address, and the bytes asked for (None for a string or an array
    /// of strings).
    pub reads: Vec<(u64, Option<usize>)>,
}

impl AskedMemory {
    /// Notes what `decoder`'s plan reads of call `nr` on `arch` called with `args`, at
    /// entry and at exit after each of `returns`.
    pub fn ask(&mut self, decoder: &Decoder, arch: Arch, nr: u32, args: [u64; 6], returns: &[i64]) {
        let entry = SyscallEntry {
            arch,
            nr,
            args,
            ip: 0,
            sp: 0,
            mem: Vec::new(),
            ts: Timestamp::default(),
        };
        decoder.plan(&entry, None, self);
        for &rval in returns {
            let result = SyscallResult {
                rval,
                is_error: rval < 0,
            };
            decoder.plan(&entry, Some(result), self);
        }
    }

    /// How the plan read the memory at `addr`: as a string, or the most bytes it asked.
    fn read_at(&self, addr: u64) -> Option<ArgRead> {
        let at = self.reads.iter().filter(|r| r.0 == addr);
        if at.clone().any(|r| r.1.is_none()) {
            return Some(ArgRead::Str);
        }
        at.filter_map(|r| r.1).max().map(ArgRead::Fixed)
    }
}

impl MemReader for AskedMemory {
    fn read_bytes(&mut self, addr: u64, len: usize) -> Mem {
        self.reads.push((addr, Some(len)));
        let bytes = (0..len.min(4096))
            .map(|i| if i % 4 == 0 { 8 } else { 0 })
            .collect();
        Mem::Bytes {
            bytes,
            complete: len <= 4096,
        }
    }
    fn read_str(&mut self, addr: u64, _: usize) -> Mem {
        self.reads.push((addr, None));
        Mem::Str {
            bytes: b"x".to_vec(),
            terminated: true,
        }
    }
    fn read_str_array(&mut self, addr: u64, _: usize, _: usize, _: usize) -> Mem {
        self.reads.push((addr, None));
        Mem::Fault
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DecodeOptions;

    /// The reads of `name` on `arch` as (argument, how).
    fn reads(d: &Decoder, arch: Arch, name: &str) -> Vec<(usize, ArgRead)> {
        let nr = arch.table().lookup_name(name).unwrap().nr;
        d.planned_reads(arch, nr)
            .into_iter()
            .map(|r| (r.arg, r.read))
            .collect()
    }

    /// The table says what the decoders read: by the format where the length is
    /// elsewhere, by the plan's own reads otherwise (their sizes in each ABI's layout),
    /// nothing for a call printed from its registers.
    #[test]
    fn the_table_is_what_the_decoders_read() {
        let d = Decoder::new(DecodeOptions::default());
        let x = Arch::X86_64;
        assert_eq!(reads(&d, x, "write"), [(1, ArgRead::LenArg(2))]);
        assert_eq!(reads(&d, x, "read"), [(1, ArgRead::LenRet)]);
        assert_eq!(reads(&d, x, "close"), []);
        assert_eq!(reads(&d, x, "set_tid_address"), []);
        assert_eq!(
            reads(&d, x, "newfstatat"),
            [(1, ArgRead::Str), (2, ArgRead::Fixed(144))]
        );
        assert_eq!(
            reads(&d, Arch::I386, "stat64"),
            [(0, ArgRead::Str), (1, ArgRead::Fixed(96))]
        );
        assert_eq!(
            reads(&d, x, "recvmsg"),
            [(1, ArgRead::Msghdr { written: true })]
        );
        assert_eq!(reads(&d, x, "getdents64"), [(1, ArgRead::Dirents(16))]);
        assert_eq!(
            reads(&d, Arch::I386, "getdents"),
            [(1, ArgRead::Dirents(8))]
        );
        // futex's timeout, past its shape's formats, read for FUTEX_WAIT.
        assert_eq!(reads(&d, x, "futex"), [(3, ArgRead::Fixed(16))]);
        // fcntl's third argument is a number for most commands.
        assert_eq!(reads(&d, x, "fcntl"), []);
        // prctl's name, for PR_SET_NAME and PR_GET_NAME.
        assert_eq!(reads(&d, x, "prctl"), [(1, ArgRead::Str)]);
        // uname's two fields printed, all six under -v.
        assert_eq!(reads(&d, x, "uname"), [(0, ArgRead::Fixed(130))]);
        let verbose = Decoder::new(DecodeOptions {
            verbose: true,
            ..DecodeOptions::default()
        });
        assert_eq!(reads(&verbose, x, "uname"), [(0, ArgRead::Fixed(390))]);
    }

    /// i386's ipc is asked for every call it makes: semop's operations and shmctl's
    /// structure at its fifth argument, shmat's result at its fourth.
    #[test]
    fn ipc_is_read_as_the_calls_it_makes_read() {
        let d = Decoder::new(DecodeOptions::default());
        let args: Vec<usize> = reads(&d, Arch::I386, "ipc").iter().map(|r| r.0).collect();
        assert!(args.contains(&3) && args.contains(&4), "{args:?}");
    }

    /// An exec's path is read at entry (the old image is gone at exit), its argv and
    /// envp not at all (the exec's record holds them).
    #[test]
    fn an_exec_path_is_read_at_entry_and_its_argv_by_the_exec() {
        let d = Decoder::new(DecodeOptions::default());
        let nr = Arch::X86_64.table().lookup_name("execve").unwrap().nr;
        assert_eq!(
            d.planned_reads(Arch::X86_64, nr),
            [PlannedRead {
                arg: 0,
                read: ArgRead::Str,
                at_entry: true
            }]
        );
    }
}
