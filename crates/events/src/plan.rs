//! The capture plan as a table: for each argument of a call a decoder prints from
//! memory, how a source that reads memory once, without asking the decoder at each
//! stop (the eBPF probes), reads it. The rendering side derives it from the same
//! decoders that answer a [`crate::CapturePlan`] at each ptrace stop: one plan, two
//! sources.

/// How one argument's memory is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgRead {
    /// A NUL-terminated string (a path, a name).
    Str,
    /// Bytes, as many as argument N says (an input buffer, a socket address).
    LenArg(u8),
    /// Bytes, as many as the call returned (an output buffer).
    LenRet,
    /// Bytes, a structure or an array of at most this many (what the decoder reads).
    Fixed(usize),
    /// An iovec array, its count in argument N, with the start of each buffer.
    Iov(u8),
    /// A `struct msghdr` with its name, its control messages and its iovec array;
    /// `written`: the kernel writes the header back (recvmsg), so what went in counts.
    Msghdr {
        /// Whether the call writes the header back.
        written: bool,
    },
    /// A getdents buffer: its head as bytes (the call's return its length), and its
    /// records counted where they are, each record's `d_reclen` at this offset.
    Dirents(u8),
    /// clone3's `struct clone_args` of this many bytes, and what the call stored where
    /// it points (the pidfd, the parent's tid).
    CloneArgs(usize),
}

/// One argument of a call's plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlannedRead {
    /// The argument's index.
    pub arg: usize,
    /// How it is read.
    pub read: ArgRead,
    /// Read at entry: the memory is gone at exit (an exec's path, in the old image).
    pub at_entry: bool,
}
