//! The event model shared by every sysfence source (ptrace, eBPF, recorded files) and
//! every sink (strace text, JSON Lines, the `-c` summary, profile recorders).
//!
//! A source captures raw values and the tracee memory a decoder will need (strings,
//! structs, buffers) at stop time; sinks decode and format. Which memory to capture is
//! decided by a [`CapturePlan`] that the rendering side provides, so the source never
//! knows how a syscall is printed.

pub mod cpus;
mod idmap;
pub mod inherited;
mod pipeline;
mod plan;
pub mod schema;

pub use idmap::{IdHasher, IdMap, IdSet};
pub use pipeline::Pipelined;
pub use plan::{ArgRead, PlannedRead};

use std::sync::Arc;
use syscalls::Arch;

/// When an event happened, on two clocks: wall time for `-t`, monotonic for durations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Timestamp {
    /// Nanoseconds since the Unix epoch (CLOCK_REALTIME).
    pub real_ns: u64,
    /// Nanoseconds on CLOCK_MONOTONIC, for intervals (`-r`, `-T`, `-c -w`).
    pub mono_ns: u64,
}

/// One thing that happened to one traced task.
#[derive(Debug, Clone)]
pub struct Event {
    /// When the source observed it.
    pub ts: Timestamp,
    /// The thread group (process) id.
    pub pid: i32,
    /// The thread id (equal to `pid` for the main thread).
    pub tid: i32,
    /// What happened.
    pub kind: EventKind,
}

/// The kinds of events.
#[derive(Debug, Clone)]
pub enum EventKind {
    /// A task entered a syscall. Text printers use it to print the first half of a line
    /// that another task interrupts; JSON and summary sinks wait for [`EventKind::SyscallExit`].
    SyscallEnter(Arc<SyscallEntry>),
    /// A syscall finished, or will never finish (exit_group, execve's old image, detach).
    SyscallExit(SyscallExit),
    /// A signal is being delivered to the task.
    Signal(SignalDelivery),
    /// The task's process exited normally (reported for each traced thread group leader
    /// and thread).
    Exited {
        /// The exit code (0..=255).
        code: i32,
    },
    /// The task was killed by a signal.
    Killed {
        /// The signal number.
        signal: i32,
        /// Whether a core dump was written.
        core_dumped: bool,
    },
    /// The task entered a group-stop (SIGSTOP, SIGTSTP, ...); printed `--- stopped by SIG ---`.
    GroupStop {
        /// The stopping signal.
        signal: i32,
    },
    /// A non-leader thread called execve and took over the leader's pid; the event is
    /// reported on the leader (`+++ superseded by execve in pid N +++`).
    Superseded {
        /// The thread id the execve was made from.
        old_tid: i32,
    },
    /// The command the tracer started is being traced (no notice is printed for it).
    Started,
    /// A running process was attached (`-p`), or a new child or thread is followed (`-f`).
    Attached {
        /// How many of its threads were attached with it (strace's "attached with N
        /// threads"); 1 for a single thread or a followed child.
        threads: usize,
    },
    /// The tracer let go of the task; it keeps running.
    Detached,
    /// The task made a syscall of another ABI than its previous one (a 64-bit program
    /// using `int 0x80`, a 32-bit program after execve): strace's personality notice.
    AbiChanged {
        /// The ABI of the new call.
        arch: Arch,
    },
}

/// Everything known about a syscall when it is entered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyscallEntry {
    /// The ABI the call was made with.
    pub arch: Arch,
    /// The number as the kernel sees it (x32 numbers include bit 30).
    pub nr: u32,
    /// The six argument registers.
    pub args: [u64; 6],
    /// The instruction pointer at entry (for `-i`).
    pub ip: u64,
    /// The stack pointer at entry (rt_sigreturn's frame lies there).
    pub sp: u64,
    /// Tracee memory captured at entry, as the capture plan asked.
    pub mem: Vec<Capture>,
    /// Entry time.
    pub ts: Timestamp,
}

/// The end of a syscall.
#[derive(Debug, Clone)]
pub struct SyscallExit {
    /// The entry this exit completes.
    pub entry: Arc<SyscallEntry>,
    /// The result; `None` when the call never returned (exit_group, a task killed or
    /// detached inside the call).
    pub result: Option<SyscallResult>,
    /// Tracee memory captured at exit (output structs and buffers).
    pub mem: Vec<Capture>,
    /// System CPU time the task spent in the call, in nanoseconds, when the source can
    /// measure it (`-c` without `-w`).
    pub system_ns: Option<u64>,
    /// The tracer let go of the task inside the call (no result, and the task runs on).
    pub detached: bool,
}

/// A syscall's return value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyscallResult {
    /// The raw return value (a negated errno when `is_error`).
    pub rval: i64,
    /// Whether the kernel reported an error.
    pub is_error: bool,
}

impl SyscallResult {
    /// The positive errno when the call failed.
    pub fn errno(&self) -> Option<i32> {
        self.is_error.then(|| (-self.rval) as i32)
    }
}

/// A signal delivered to a task, with its siginfo as the kernel laid it out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignalDelivery {
    /// The signal number.
    pub signo: i32,
    /// The raw 128-byte `siginfo_t`, when the source could read it.
    pub siginfo: Option<Vec<u8>>,
}

/// One piece of tracee memory captured for a decoder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Capture {
    /// What the plan called it (usually the argument index; plans may use higher keys
    /// for derived reads such as iovec elements).
    pub key: u32,
    /// The memory read.
    pub data: Mem,
}

/// The result of one memory read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mem {
    /// Bytes read from an address; `complete` is false when fewer bytes than asked could
    /// be read.
    Bytes {
        /// The bytes.
        bytes: Vec<u8>,
        /// Whether every requested byte was read.
        complete: bool,
    },
    /// A NUL-terminated string; `terminated` is false when the limit was hit first.
    Str {
        /// The bytes, without the NUL.
        bytes: Vec<u8>,
        /// Whether the NUL was found within the limit.
        terminated: bool,
    },
    /// A NULL-terminated array of string pointers (argv, envp).
    StrArray {
        /// The strings read (at most the plan's limit).
        items: Vec<Mem>,
        /// The total number of entries up to the NULL (may exceed `items.len()`).
        count: usize,
    },
    /// How many records the source counted where they are, in place of their bytes
    /// (the eBPF probes count a getdents buffer's entries in the kernel).
    Count(usize),
    /// The address could not be read.
    Fault,
}

impl Capture {
    /// The first capture with `key`.
    pub fn find(mem: &[Capture], key: u32) -> Option<&Mem> {
        mem.iter().find(|c| c.key == key).map(|c| &c.data)
    }
}

/// Reads tracee memory for a capture plan; implemented by each source.
pub trait MemReader {
    /// Reads up to `len` bytes at `addr`.
    fn read_bytes(&mut self, addr: u64, len: usize) -> Mem;
    /// Reads a NUL-terminated string of at most `max` bytes at `addr`.
    fn read_str(&mut self, addr: u64, max: usize) -> Mem;
    /// Reads a NULL-terminated array of pointers of `ptr_size` bytes, following at
    /// most `max_items` of them with `read_str(ptr, max_len)`, counting all.
    fn read_str_array(
        &mut self,
        addr: u64,
        ptr_size: usize,
        max_items: usize,
        max_len: usize,
    ) -> Mem;
    /// The directory entries of a getdents buffer of `len` bytes at `addr`, for a
    /// decoder that prints only how many there are:
    /// their bytes, which the decoder counts, or [`Mem::Count`] from a source that
    /// counted them where they are.
    fn read_dirents(&mut self, addr: u64, len: usize) -> Mem {
        self.read_bytes(addr, len)
    }
    /// What file descriptor `fd` of the task refers to (its /proc fd link), for `-y`;
    /// for AT_FDCWD (-100), the task's current directory.
    fn fd_path(&mut self, _fd: i32) -> Mem {
        Mem::Fault
    }
    /// What socket `inode` (descriptor `fd`) is connected to, in strace's `-yy` words
    /// (`TCP:[127.0.0.1:5000->127.0.0.1:80]`).
    fn socket_details(&mut self, _fd: i32, _inode: u64) -> Mem {
        Mem::Fault
    }
    /// What `-yy` adds for a descriptor that is not a socket: a device's `char 1:3`, a
    /// pidfd's `pid:1234`.
    fn fd_details(&mut self, _fd: i32) -> Mem {
        Mem::Fault
    }
}

/// Decides which tracee memory a syscall's decoder needs; provided by the rendering side
/// so that sources stay ignorant of formats.
pub trait CapturePlan {
    /// Captures taken at syscall entry.
    fn at_entry(&self, entry: &SyscallEntry, mem: &mut dyn MemReader) -> Vec<Capture>;
    /// Captures taken at syscall exit (`result` is the return value).
    fn at_exit(
        &self,
        entry: &SyscallEntry,
        result: SyscallResult,
        mem: &mut dyn MemReader,
    ) -> Vec<Capture>;
}

/// A shared plan is a plan: the tracer and the printers can hold one decoder together.
impl<T: CapturePlan + ?Sized> CapturePlan for std::sync::Arc<T> {
    fn at_entry(&self, entry: &SyscallEntry, mem: &mut dyn MemReader) -> Vec<Capture> {
        (**self).at_entry(entry, mem)
    }
    fn at_exit(
        &self,
        entry: &SyscallEntry,
        result: SyscallResult,
        mem: &mut dyn MemReader,
    ) -> Vec<Capture> {
        (**self).at_exit(entry, result, mem)
    }
}

/// A plan that captures nothing (summary-only runs).
#[derive(Debug, Default, Clone, Copy)]
pub struct NoCapture;

impl CapturePlan for NoCapture {
    fn at_entry(&self, _: &SyscallEntry, _: &mut dyn MemReader) -> Vec<Capture> {
        Vec::new()
    }
    fn at_exit(&self, _: &SyscallEntry, _: SyscallResult, _: &mut dyn MemReader) -> Vec<Capture> {
        Vec::new()
    }
}

/// A consumer of events: a printer, a summary, a recorder.
pub trait Sink {
    /// Handles one event.
    fn event(&mut self, event: &Event) -> std::io::Result<()>;
    /// Handles one event the caller gives away (sinks that keep events avoid a copy).
    fn take(&mut self, event: Event) -> std::io::Result<()> {
        self.event(&event)
    }
    /// Called when the source has nothing more to deliver right now: flush buffers.
    fn idle(&mut self) -> std::io::Result<()> {
        Ok(())
    }
    /// Called once when tracing ends.
    fn finish(&mut self) -> std::io::Result<()> {
        Ok(())
    }
    /// The source has settled on CPU `cpu` (with its tracees): a sink with a thread of
    /// its own keeps that thread off it, so the two do not take turns on one CPU.
    fn source_cpu(&mut self, _cpu: usize) {}
}

/// Fans events out to several sinks in order.
#[derive(Default)]
pub struct Tee {
    sinks: Vec<Box<dyn Sink + Send>>,
}

impl Tee {
    /// A tee over `sinks`.
    pub fn new(sinks: Vec<Box<dyn Sink + Send>>) -> Tee {
        Tee { sinks }
    }
}

impl Sink for Tee {
    fn event(&mut self, event: &Event) -> std::io::Result<()> {
        self.sinks.iter_mut().try_for_each(|s| s.event(event))
    }
    fn idle(&mut self) -> std::io::Result<()> {
        self.sinks.iter_mut().try_for_each(|s| s.idle())
    }
    fn finish(&mut self) -> std::io::Result<()> {
        self.sinks.iter_mut().try_for_each(|s| s.finish())
    }
}
