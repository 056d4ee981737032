//! The records and configuration of `bpf/events.h`, field for field, as the kernel side
//! writes and reads them. The tests check every offset against the BTF the compiled
//! object carries, so a change on one side without the other fails.

/// `SF_COMM_LEN`: a task's comm, NUL-padded.
pub const COMM_LEN: usize = 16;
/// `SF_CAP_MAX`: bytes of one captured argument (a string's NUL included).
pub const CAP_MAX: usize = 256;
/// `SF_NR_SLOTS`: syscall numbers per ABI in the selection maps.
pub const NR_SLOTS: u32 = 1024;
/// `SF_MAX_CMPS`: uid comparisons a scope may OR together.
pub const MAX_CMPS: usize = 4;
/// `SF_ARGV_MAX`: bytes of an exec's argv read.
pub const ARGV_MAX: usize = 1024;
/// `SF_ENV_MAX`: bytes of an exec's environment read.
pub const ENV_MAX: usize = 8192;
/// `SF_MAX_COMM_PATTERNS`: comm patterns (`comm=py*`) a scope may hold.
pub const MAX_COMM_PATTERNS: usize = 8;
/// `SF_MAX_PATTERNS`: executable patterns a scope may hold.
pub const MAX_PATTERNS: usize = 8;
/// `SF_PATTERN_MAX`: bytes of one pattern.
pub const PATTERN_MAX: usize = 256;

/// `SF_PAT_*`: how a [`Pattern`] matches (none: the file by its inode).
pub mod pat {
    /// `DIR/NAME*`: a file of the directory (dev, ino) whose name starts with the text.
    pub const PREFIX: u32 = 1;
    /// `*NAME`: a file whose name ends with the text.
    pub const SUFFIX: u32 = 2;
    /// A `!=` pattern.
    pub const NOT: u32 = 4;
}

/// `SF_COUNT_*`: how calls are counted (the object's `sf_count_mode`, set at load).
pub mod count {
    /// At exit, with the time from entry.
    pub const TIMED: u32 = 1;
    /// At entry, which calls are made.
    pub const AT_ENTRY: u32 = 2;
}

/// `SF_COMM_*`: a thread's `comm_class` bits.
pub mod comm {
    /// The comm matched a `comm=` pattern.
    pub const IN: u8 = 1;
    /// It matched a `comm!=` pattern.
    pub const OUT: u8 = 2;
}

/// `SF_EXE_*`: a process's `exe_class` bits.
pub mod exe {
    /// The executable matched an `executable=` pattern.
    pub const IN: u8 = 1;
    /// It matched an `executable!=` pattern.
    pub const OUT: u8 = 2;
}

/// `enum sf_kind`: which record follows the header.
pub mod kind {
    /// A finished syscall ([`super::SyscallEvent`]).
    pub const SYSCALL: u32 = 1;
    /// A new process or thread ([`super::ProcEvent`]).
    pub const FORK: u32 = 2;
    /// A new program image.
    pub const EXEC: u32 = 3;
    /// A thread exits.
    pub const EXIT: u32 = 4;
    /// A signal is delivered.
    pub const SIGNAL: u32 = 5;
    /// An io_uring request completed ([`super::IoUringEvent`]).
    pub const IO_URING: u32 = 6;
    /// A cgroup was made ([`super::CgroupEvent`]).
    pub const CGROUP: u32 = 7;
}

/// `enum sf_abi`: which ABI a call was made in.
pub mod abi {
    /// x86_64.
    pub const X86_64: u32 = 0;
    /// i386 (int 0x80 or a 32-bit program).
    pub const I386: u32 = 1;
    /// x32.
    pub const X32: u32 = 2;
}

/// `enum sf_cap_kind` and `SF_CAP_AT_ENTRY`: what the probes capture of a call.
pub mod cap_kind {
    /// Nothing.
    pub const NONE: u32 = 0;
    /// A NUL-terminated string.
    pub const STR: u32 = 1;
    /// Bytes, as many as the length argument says (at most `CAP_MAX`).
    pub const LEN_ARG: u32 = 2;
    /// Bytes, as many as the call returned (at most `CAP_MAX`).
    pub const LEN_RET: u32 = 3;
    /// Bytes, 8 times the length field (a structure's size).
    pub const FIXED: u32 = 4;
    /// An iovec array (the length field: the argument holding its count) and the start
    /// of each of its buffers; see [`super::SyscallEvent::segments`].
    pub const IOV: u32 = 5;
    /// The same, in the compat layout (32-bit base and length).
    pub const IOV32: u32 = 6;
    /// A getdents buffer's record count, a u32 (the length field: the offset of
    /// `d_reclen` in a record), counted at exit in the bytes the call returned, in place
    /// of the bytes; see [`super::SyscallEvent::dirents`].
    pub const DIRENTS: u32 = 7;
    /// What clone3 stored through its `struct clone_args` (pidfd, parent_tid), read at
    /// exit; see [`super::SyscallEvent::stored`].
    pub const CLONE3_OUT: u32 = 8;
    /// `SF_STORED_SIZE`: the bytes of one stored value in a `CLONE3_OUT` capture (its
    /// u64 address, the u32 stored, 4 zero bytes).
    pub const STORED_SIZE: usize = 16;
    /// `SF_IOV_MAX`: the iovec entries an iovec capture holds.
    pub const IOV_MAX: usize = 4;
    /// `SF_IOV_DATA`: the bytes of each entry's buffer it holds.
    pub const IOV_DATA: usize = 48;
    /// A `struct msghdr` with the start of its name and its control messages, read at
    /// exit (the length field 1: the call writes the header back, so `msg_namelen` as it
    /// went in is kept at entry too); see [`super::MsghdrCapture`].
    pub const MSGHDR: u32 = 9;
    /// The same, in the compat layout (seven 32-bit fields).
    pub const MSGHDR32: u32 = 10;
    /// The iovec array a `struct msghdr` argument points to, as [`IOV`] lays it out,
    /// read at exit (a second capture, beside [`MSGHDR`]).
    pub const MSG_IOV: u32 = 11;
    /// The same, in the compat layout.
    pub const MSG_IOV32: u32 = 12;
    /// Read at entry (exec), not at exit.
    pub const AT_ENTRY: u32 = 1 << 24;
}

/// `SF_MSG_HDR`: the bytes a message header capture keeps for the header (x86_64's; the
/// compat one is 28).
pub const MSG_HDR: usize = 56;
/// `SF_MSG_NAME_MAX`: the most of `msg_name` it keeps.
pub const MSG_NAME_MAX: usize = 128;
/// `SF_MSG_CONTROL_MAX`: the longest `msg_control` it keeps (a longer one is not read).
pub const MSG_CONTROL_MAX: usize = 64;
/// `SF_MSG_WRITTEN`: the call writes the header back (recvmsg), so its `msg_namelen` at
/// entry was kept.
pub const MSG_WRITTEN: u16 = 1;
/// `SF_MSG_NAMELEN_IN`: [`MsghdrCapture::namelen_in`] holds `msg_namelen` as it went in.
pub const MSG_NAMELEN_IN: u16 = 2;

/// `struct sf_msghdr_cap`: a message header capture, in [`SyscallEvent::cap`]; a part
/// that could not be read (or was too long, for the control) has length 0.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct MsghdrCapture {
    /// The header as the program laid it out (`cap_len` bytes of it).
    pub hdr: [u8; MSG_HDR],
    /// The first `name_len` bytes of `msg_name`.
    pub name: [u8; MSG_NAME_MAX],
    /// `msg_control`'s bytes, `control_len` of them: all of `msg_controllen`.
    pub control: [u8; MSG_CONTROL_MAX],
    /// `msg_namelen` as it went in, with [`MSG_NAMELEN_IN`].
    pub namelen_in: u32,
    /// Bytes of `name` read.
    pub name_len: u8,
    /// Bytes of `control` read.
    pub control_len: u8,
    /// `SF_MSG_*` bits.
    pub flags: u16,
}

/// `struct sf_capture_plan`: a call's captures (map `captures`, per ABI slot), each a
/// [`cap_kind`] in bits 0-7, its argument in 8-15, its length field in 16-23 (0: none).
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CapturePlan {
    /// The first capture ([`SyscallEvent::cap`]), at exit or with [`cap_kind::AT_ENTRY`].
    pub how: u32,
    /// The second ([`SyscallEvent::cap2`]), at exit.
    pub how2: u32,
    /// The third ([`SyscallEvent::cap3`]), at exit: a string or bytes at the argument
    /// ([`cap_kind::STR`], [`cap_kind::LEN_ARG`], [`cap_kind::LEN_RET`],
    /// [`cap_kind::FIXED`]).
    pub how3: u32,
    /// Padding.
    pub pad: u32,
}

// SAFETY: plain integers, no padding.
unsafe impl aya::Pod for CapturePlan {}

/// `SF_SYSCALL_NO_RETURN`: the call never returned (exit, exit_group, its task killed
/// inside it); sent at the thread's exit, `ret` meaningless.
pub const NO_RETURN: u32 = 1;
/// `SF_SYSCALL_SOCKETCALL`: the call was i386's socketcall, told as its sub-call.
pub const SOCKETCALL: u32 = 2;

/// `enum sf_cap_state`.
pub mod cap_state {
    /// Nothing was captured.
    pub const NONE: u32 = 0;
    /// Read: `cap_len` bytes (a string's NUL included when the string ended within
    /// them; a string cut short has none).
    pub const OK: u32 = 1;
    /// The read failed (not resident, or not mapped).
    pub const FAULT: u32 = 2;
    /// Read in part: `cap_len` bytes, up to a page that could not be read.
    pub const PART: u32 = 3;
}

/// `enum sf_counter`: the slots of the per-CPU `counters` array.
pub mod counter {
    /// Events written to the ring buffer.
    pub const SENT: u32 = 0;
    /// Events lost because the ring buffer was full.
    pub const LOST: u32 = 1;
    /// Syscalls of tasks outside the scope, dropped in the kernel.
    pub const FILTERED: u32 = 2;
    /// Syscalls in scope but not among the events asked for.
    pub const UNSELECTED: u32 = 3;
    /// Argument reads that failed.
    pub const CAP_FAULT: u32 = 4;
    /// Entries that found no room to wait for their exit.
    pub const INFLIGHT_FULL: u32 = 5;
    /// The array's size.
    pub const COUNT: u32 = 8;
}

/// `SF_SCOPE_*`: the conditions a task must meet, ANDed.
pub mod scope {
    /// comm in `scope_comms`.
    pub const COMM: u32 = 1 << 0;
    /// tgid in `scope_pids`.
    pub const PID: u32 = 1 << 1;
    /// uid meets one of the comparisons.
    pub const UID: u32 = 1 << 2;
    /// comm not in `scope_not_comms`.
    pub const NOT_COMM: u32 = 1 << 3;
    /// tgid not in `scope_not_pids`.
    pub const NOT_PID: u32 = 1 << 4;
    /// tgid in `scope_tree`, which the fork probe extends.
    pub const TREE: u32 = 1 << 5;
    /// cgroup id in `scope_cgroups` (containers).
    pub const CGROUP: u32 = 1 << 6;
    /// tgid in `new_pids`: forked after the start.
    pub const NEW_PID: u32 = 1 << 7;
    /// Mount namespace in `scope_mntns`.
    pub const MNTNS: u32 = 1 << 8;
    /// Mount namespace not in `scope_not_mntns`.
    pub const NOT_MNTNS: u32 = 1 << 9;
    /// Pid namespace in `scope_pidns`.
    pub const PIDNS: u32 = 1 << 10;
    /// Pid namespace not in `scope_not_pidns`.
    pub const NOT_PIDNS: u32 = 1 << 11;
    /// tgid not in `scope_not_tree`.
    pub const NOT_TREE: u32 = 1 << 12;
    /// cgroup id not in `scope_not_cgroups`.
    pub const NOT_CGROUP: u32 = 1 << 13;
    /// The process's `exe_class` has [`super::exe::IN`].
    pub const EXE: u32 = 1 << 14;
    /// Its `exe_class` lacks [`super::exe::OUT`].
    pub const NOT_EXE: u32 = 1 << 15;
    /// The thread's id in `scope_tids`.
    pub const TID: u32 = 1 << 16;
    /// The thread's id not in `scope_not_tids`.
    pub const NOT_TID: u32 = 1 << 17;
}

/// `struct sf_pattern`: one pattern of `--scope executable`.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pattern {
    /// Exact: the file's inode; [`pat::PREFIX`]: its directory's.
    pub ino: u64,
    /// Their device, in the kernel's encoding (major << 20 | minor).
    pub dev: u32,
    /// The [`pat`] bits.
    pub how: u32,
    /// Bytes of `s`.
    pub len: u32,
    /// Padding.
    pub pad: u32,
    /// The name's start or end, without the `*`.
    pub s: [u8; PATTERN_MAX],
}

impl Default for Pattern {
    fn default() -> Pattern {
        Pattern {
            ino: 0,
            dev: 0,
            how: 0,
            len: 0,
            pad: 0,
            s: [0; PATTERN_MAX],
        }
    }
}

// SAFETY: plain integers and bytes, no padding.
unsafe impl aya::Pod for Pattern {}

/// `struct sf_cmp`: one comparison, `enum sf_cmp_op` in `op`.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cmp {
    /// 0 `==`, 1 `!=`, 2 `<`, 3 `>`, 4 `<=`, 5 `>=`.
    pub op: u32,
    /// The value compared with.
    pub value: u32,
}

/// `struct sf_config`: what the probes read at every call.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Config {
    /// The [`scope`] bits.
    pub scope: u32,
    /// sysfence's own pid: never watched.
    pub self_tgid: u32,
    /// 1 when every syscall is selected (the `selected` map is then not read).
    pub all_syscalls: u32,
    /// How many of `uid_cmp` hold.
    pub n_uid_cmp: u32,
    /// uid comparisons, ORed.
    pub uid_cmp: [Cmp; MAX_CMPS],
    /// Which [`kind`]s of lifecycle record are sent: bit `1 << kind`.
    pub lifecycle: u32,
    /// 1 when map `watchers` holds other sysfence watches (never watched).
    pub has_watchers: u32,
    /// 1: every cgroup made from now on goes into `scope_cgroups`.
    pub new_cgroups: u32,
    /// 1: the descendants of tasks in scope are in scope too.
    pub follow: u32,
    /// 1: every process forked from now on goes into `new_pids`.
    pub new_pids: u32,
    /// Executable patterns in map `patterns`.
    pub exe_patterns: u32,
    /// 1: exec records carry the environment.
    pub exec_env: u32,
    /// How many of `comm_pat` hold.
    pub comm_patterns: u32,
    /// The comm patterns.
    pub comm_pat: [CommPattern; MAX_COMM_PATTERNS],
}

/// `struct sf_stat`: the calls of one ABI slot on one CPU, counted in the kernel.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stat {
    /// Calls that returned.
    pub calls: u64,
    /// Of which failed.
    pub errors: u64,
    /// Entry to exit, summed, ns.
    pub ns: u64,
    /// Calls that never returned (exit_group, a kill inside the call).
    pub unfinished: u64,
}

// SAFETY: plain integers, no padding.
unsafe impl aya::Pod for Stat {}

/// `struct sf_socketcall`: what i386's socketcall sub-call N is as a syscall of its own.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SocketCall {
    /// The i386 syscall of the same meaning (0: none, the call stays socketcall).
    pub nr: u32,
    /// How many arguments the sub-call reads from socketcall's array.
    pub nargs: u32,
}

// SAFETY: plain integers.
unsafe impl aya::Pod for SocketCall {}

/// `SF_SOCKETCALLS`: socketcall's sub-call numbers are below it.
pub const SOCKETCALLS: u32 = 21;

/// `struct sf_comm_pattern`: one `--scope comm=` pattern with a `*`.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CommPattern {
    /// [`pat::PREFIX`] or [`pat::SUFFIX`], with [`pat::NOT`].
    pub how: u32,
    /// Bytes of `s` (below [`COMM_LEN`]).
    pub len: u32,
    /// The comm's start or end, without the `*`.
    pub s: [u8; COMM_LEN],
}

// SAFETY: plain integers, no padding, any bit pattern valid.
unsafe impl aya::Pod for Config {}

/// `struct comm_key`.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CommKey {
    /// The comm, NUL-padded.
    pub comm: [u8; COMM_LEN],
}

// SAFETY: plain bytes.
unsafe impl aya::Pod for CommKey {}

/// `struct sf_header`: what every record says about its task.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct Header {
    /// CLOCK_BOOTTIME, ns (a syscall's: at exit).
    pub ts_ns: u64,
    /// The task's cgroup v2 id.
    pub cgroup_id: u64,
    /// The [`kind`] of record.
    pub kind: u32,
    /// Thread group id.
    pub pid: u32,
    /// Thread id.
    pub tid: u32,
    /// The parent's thread group id.
    pub ppid: u32,
    /// Real uid.
    pub uid: u32,
    /// Real gid.
    pub gid: u32,
    /// Mount namespace inode.
    pub mntns: u32,
    /// Pid namespace (for children) inode.
    pub pidns: u32,
    /// The task's comm.
    pub comm: [u8; COMM_LEN],
}

impl Header {
    /// The comm as text.
    pub fn comm(&self) -> String {
        let end = self.comm.iter().position(|&b| b == 0).unwrap_or(COMM_LEN);
        String::from_utf8_lossy(&self.comm[..end]).into_owned()
    }
}

/// `struct sf_proc_event`: a fork, exit or signal.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct ProcEvent {
    /// The task.
    pub h: Header,
    /// fork: the child's tgid.
    pub other_pid: u32,
    /// fork: the child's tid; exit: the thread whose exec ended this leader (0: none).
    pub other_tid: u32,
    /// exit: the wait status code; signal: the signal.
    pub code: i32,
    /// exit: 1 when the whole group is gone; signal: si_code.
    pub detail: i32,
    /// signal: the kernel's siginfo, the first `SIGINFO` bytes of siginfo_t's x86_64
    /// layout, which hold every field (zeroes for the other kinds).
    pub siginfo: [u8; SIGINFO],
}

/// `SF_SIGINFO`: the bytes of a signal's siginfo a record holds.
pub const SIGINFO: usize = 48;

/// `struct sf_exec_event`: a new program image.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct ExecEvent {
    /// The task.
    pub h: Header,
    /// The pid before exec.
    pub old_pid: u32,
    /// The number of arguments.
    pub argc: u32,
    /// The number of environment strings.
    pub envc: u32,
    /// Bytes in `filename`, NUL included.
    pub filename_len: u32,
    /// Bytes of `argv` read.
    pub argv_len: u32,
    /// The [`cap_state`] of `argv`.
    pub argv_state: u32,
    /// Bytes of `env` read.
    pub env_len: u32,
    /// The [`cap_state`] of `env`.
    pub env_state: u32,
    /// 1: the image is an interpreter's (a script's, binfmt_misc's), its argv the
    /// kernel's, not the one execve was given.
    pub interp: u32,
    /// Padding.
    pub pad: u32,
    /// The path as given to execve.
    pub filename: [u8; CAP_MAX],
    /// The arguments, NUL-separated.
    pub argv: [u8; ARGV_MAX],
    /// The environment, NUL-separated.
    pub env: [u8; ENV_MAX],
}

/// Text of a string field of `len` bytes (its NUL, when it ended within them, left out).
fn text(bytes: &[u8], len: u32) -> String {
    let bytes = &bytes[..(len as usize).min(bytes.len())];
    String::from_utf8_lossy(bytes.strip_suffix(&[0]).unwrap_or(bytes)).into_owned()
}

/// NUL-separated strings as read (`len` bytes), at most `count` of them, and whether
/// all `count` were read.
fn strings(bytes: &[u8], len: u32, state: u32, count: u32) -> (Vec<String>, bool) {
    let bytes = &bytes[..(len as usize).min(bytes.len())];
    let mut out: Vec<String> = bytes
        .split(|&b| b == 0)
        .map(|a| String::from_utf8_lossy(a).into_owned())
        .collect();
    if bytes.last() == Some(&0) || bytes.is_empty() {
        out.pop();
    }
    let whole = (state == cap_state::OK || count == 0) && out.len() == count as usize;
    out.truncate(count as usize);
    (out, whole)
}

impl ExecEvent {
    /// The filename as given to execve.
    pub fn filename(&self) -> String {
        text(&self.filename, self.filename_len)
    }

    /// The path as the kernel kept it, as read (its NUL included when it ended within).
    pub fn filename_bytes(&self) -> &[u8] {
        &self.filename[..(self.filename_len as usize).min(CAP_MAX)]
    }

    /// The arguments as read, and whether all of them were.
    pub fn argv(&self) -> (Vec<String>, bool) {
        strings(&self.argv, self.argv_len, self.argv_state, self.argc)
    }

    /// The arguments' bytes as read (each without its NUL, the last perhaps cut short),
    /// at most `argc` of them.
    pub fn argv_bytes(&self) -> Vec<&[u8]> {
        let bytes = &self.argv[..(self.argv_len as usize).min(ARGV_MAX)];
        let bytes = bytes.strip_suffix(&[0]).unwrap_or(bytes);
        if bytes.is_empty() {
            return Vec::new();
        }
        bytes.split(|&b| b == 0).take(self.argc as usize).collect()
    }

    /// The environment as read, and whether all of it was.
    pub fn env(&self) -> (Vec<String>, bool) {
        strings(&self.env, self.env_len, self.env_state, self.envc)
    }
}

/// `struct sf_io_uring_event`: one io_uring request, at its completion.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct IoUringEvent {
    /// The submitter (its process's comm for an SQPOLL thread); ts_ns at completion.
    pub h: Header,
    /// The request's user_data.
    pub user_data: u64,
    /// Submission to completion, ns.
    pub duration_ns: u64,
    /// The completion's result (-errno on failure).
    pub res: i32,
    /// The request's fd (openat: the directory fd).
    pub fd: i32,
    /// IORING_OP_*.
    pub opcode: u32,
    /// openat, openat2: the open flags.
    pub open_flags: u32,
    /// openat, openat2: bytes in `path`, NUL included.
    pub path_len: u32,
    /// The [`cap_state`] of `path`.
    pub path_state: u32,
    /// 1: submitted by the ring's SQPOLL thread.
    pub sq_thread: u32,
    /// Padding.
    pub pad: u32,
    /// openat, openat2: the path.
    pub path: [u8; CAP_MAX],
}

impl IoUringEvent {
    /// The path an open request named, when it was read.
    pub fn path(&self) -> Option<String> {
        (self.path_state == cap_state::OK).then(|| text(&self.path, self.path_len))
    }
}

/// `struct sf_cgroup_event`: a cgroup made while a container scope is on.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct CgroupEvent {
    /// The task that made it.
    pub h: Header,
    /// Its id.
    pub id: u64,
    /// Bytes in `path`, NUL included.
    pub path_len: u32,
    /// Padding.
    pub pad: u32,
    /// Its path from the hierarchy's root.
    pub path: [u8; CAP_MAX],
}

impl CgroupEvent {
    /// The path as text.
    pub fn path(&self) -> String {
        text(&self.path, self.path_len)
    }
}

/// One record from the ring buffer.
// Read one at a time and handed on by reference: boxing would cost an allocation each.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum Record {
    /// A finished syscall.
    Syscall(SyscallEvent),
    /// A fork, exit or signal.
    Proc(ProcEvent),
    /// An exec: boxed, so that every other record is not as large as its 10 kB.
    Exec(Box<ExecEvent>),
    /// An io_uring request.
    IoUring(IoUringEvent),
    /// A cgroup made.
    Cgroup(CgroupEvent),
}

impl Record {
    /// Reads one record from ring buffer bytes; `None` when the bytes are not one.
    pub fn from_bytes(bytes: &[u8]) -> Option<Record> {
        let kind_at = std::mem::offset_of!(Header, kind);
        let kind = u32::from_ne_bytes(bytes.get(kind_at..kind_at + 4)?.try_into().ok()?);
        match kind {
            kind::SYSCALL => read_syscall(bytes).map(Record::Syscall),
            kind::EXEC => read(bytes).map(|e| Record::Exec(Box::new(e))),
            kind::FORK | kind::EXIT | kind::SIGNAL => read(bytes).map(Record::Proc),
            kind::IO_URING => read(bytes).map(Record::IoUring),
            kind::CGROUP => read(bytes).map(Record::Cgroup),
            _ => None,
        }
    }

    /// The header.
    pub fn header(&self) -> &Header {
        match self {
            Record::Syscall(e) => &e.h,
            Record::Proc(e) => &e.h,
            Record::Exec(e) => &e.h,
            Record::IoUring(e) => &e.h,
            Record::Cgroup(e) => &e.h,
        }
    }
}

/// Plain data valid for any bits, read from ring buffer bytes.
trait Plain: Copy {}
impl Plain for SyscallEvent {}
impl Plain for ProcEvent {}
impl Plain for ExecEvent {}
impl Plain for IoUringEvent {}
impl Plain for CgroupEvent {}

/// A syscall record: its head, and of each capture buffer the bytes the capture holds
/// (16 at least, all of an iovec or a message header capture's), the rest zero. The
/// rest of a buffer is what an earlier record left in the ring: a consumer that copied
/// it spent most of its time there (a record's 256-byte buffer for dd's one-byte reads).
fn read_syscall(bytes: &[u8]) -> Option<SyscallEvent> {
    if bytes.len() < SYSCALL_HEAD {
        return None;
    }
    // SAFETY: SyscallEvent is plain data valid for any bits, zero included (Plain).
    let mut e: SyscallEvent = unsafe { std::mem::zeroed() };
    let size = std::mem::size_of::<SyscallEvent>();
    // SAFETY: the event's own storage, as bytes; it stays borrowed only here.
    let dst =
        unsafe { std::slice::from_raw_parts_mut((&mut e as *mut SyscallEvent).cast::<u8>(), size) };
    let mut copy = |from: usize, to: usize| {
        let to = to.min(bytes.len()).min(size);
        if from < to {
            dst[from..to].copy_from_slice(&bytes[from..to]);
        }
    };
    let used = |kind: u32, len: u32| match kind {
        // Pieces laid out over the whole buffer, cap_len not their length.
        cap_kind::IOV
        | cap_kind::IOV32
        | cap_kind::MSGHDR
        | cap_kind::MSGHDR32
        | cap_kind::MSG_IOV
        | cap_kind::MSG_IOV32 => CAP_MAX,
        _ => ((len as usize).clamp(1, CAP_MAX).div_ceil(16) * 16).min(CAP_MAX),
    };
    copy(0, SYSCALL_HEAD);
    let head = |at: usize| u32::from_ne_bytes(bytes[at..at + 4].try_into().unwrap_or([0; 4]));
    let cap_at = SYSCALL_HEAD;
    let (kind_at, len_at) = (
        std::mem::offset_of!(SyscallEvent, cap_kind),
        std::mem::offset_of!(SyscallEvent, cap_len),
    );
    copy(cap_at, cap_at + used(head(kind_at), head(len_at)));
    let cap2_at = std::mem::offset_of!(SyscallEvent, cap2);
    if bytes.len() >= cap2_at {
        copy(SYSCALL_ONE, cap2_at);
        let (kind_at, len_at) = (
            std::mem::offset_of!(SyscallEvent, cap2_kind),
            std::mem::offset_of!(SyscallEvent, cap2_len),
        );
        copy(cap2_at, cap2_at + used(head(kind_at), head(len_at)));
    }
    let cap3_at = std::mem::offset_of!(SyscallEvent, cap3);
    if bytes.len() >= cap3_at {
        copy(SYSCALL_TWO, cap3_at);
        let (kind_at, len_at) = (
            std::mem::offset_of!(SyscallEvent, cap3_kind),
            std::mem::offset_of!(SyscallEvent, cap3_len),
        );
        copy(cap3_at, cap3_at + used(head(kind_at), head(len_at)));
    }
    Some(e)
}

fn read<T: Plain>(bytes: &[u8]) -> Option<T> {
    if bytes.len() < std::mem::size_of::<T>() {
        return None;
    }
    // SAFETY: the length is checked; T is plain data valid for any bits (Plain);
    // read_unaligned needs no alignment.
    Some(unsafe { std::ptr::read_unaligned(bytes.as_ptr().cast::<T>()) })
}

/// `struct sf_syscall_event`: one finished syscall.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct SyscallEvent {
    /// The task (ts_ns at exit).
    pub h: Header,
    /// Exit minus entry, ns.
    pub duration_ns: u64,
    /// The six argument registers (i386's zero-extended from 32 bits).
    pub args: [u64; 6],
    /// The return value.
    pub ret: i64,
    /// The number as the kernel saw it.
    pub nr: u32,
    /// The [`abi`].
    pub abi: u32,
    /// The [`cap_kind`] of `cap` (without its flags).
    pub cap_kind: u32,
    /// Which argument `cap` holds.
    pub cap_arg: u32,
    /// The [`cap_state`].
    pub cap_state: u32,
    /// Bytes in `cap` (a string's NUL included when it ended within them).
    pub cap_len: u32,
    /// [`NO_RETURN`], [`SOCKETCALL`].
    pub flags: u32,
    /// Padding.
    pub pad: u32,
    /// The captured argument.
    pub cap: [u8; CAP_MAX],
    /// The [`cap_kind`] of `cap2` (0 when the record stops before it).
    pub cap2_kind: u32,
    /// Which argument `cap2` holds.
    pub cap2_arg: u32,
    /// The [`cap_state`] of `cap2`.
    pub cap2_state: u32,
    /// Bytes in `cap2`.
    pub cap2_len: u32,
    /// A second argument, read at exit (a string, a structure or an array).
    pub cap2: [u8; CAP_MAX],
    /// The [`cap_kind`] of `cap3` (0 when the record stops before it).
    pub cap3_kind: u32,
    /// Which argument `cap3` holds.
    pub cap3_arg: u32,
    /// The [`cap_state`] of `cap3`.
    pub cap3_state: u32,
    /// Bytes in `cap3`.
    pub cap3_len: u32,
    /// A third argument, read at exit (a string or a structure: mount's target).
    pub cap3: [u8; CAP_MAX],
}

/// The size of a syscall record the kernel sent without its capture (nothing to capture).
pub const SYSCALL_HEAD: usize = std::mem::offset_of!(SyscallEvent, cap);
/// The size of one sent with its first capture only.
pub const SYSCALL_ONE: usize = std::mem::offset_of!(SyscallEvent, cap2_kind);
/// The size of one sent with its first two captures (no third).
pub const SYSCALL_TWO: usize = std::mem::offset_of!(SyscallEvent, cap3_kind);

impl SyscallEvent {
    /// The captured argument's bytes (a string without its NUL), when it was read as
    /// one piece (an iovec capture is [`SyscallEvent::segments`]).
    pub fn captured(&self) -> Option<&[u8]> {
        if !matches!(self.cap_state, cap_state::OK | cap_state::PART) || self.is_iov() {
            return None;
        }
        let bytes = &self.cap[..(self.cap_len as usize).min(CAP_MAX)];
        match self.cap_kind {
            cap_kind::STR => Some(bytes.strip_suffix(&[0]).unwrap_or(bytes)),
            _ => Some(bytes),
        }
    }

    /// The addresses of the captures read in part, up to a page that could not be read.
    pub fn parts(&self) -> Vec<u64> {
        let at = |arg: u32| self.args.get(arg as usize).copied();
        let mut parts: Vec<u64> = [
            (self.cap_state, self.cap_arg),
            (self.cap2_state, self.cap2_arg),
            (self.cap3_state, self.cap3_arg),
        ]
        .into_iter()
        .filter(|&(state, _)| state == cap_state::PART)
        .filter_map(|(_, arg)| at(arg))
        .collect();
        // An iovec array's buffers, the call's own or a message header's.
        let ok = |state: u32| state == cap_state::OK;
        match self.cap_kind {
            cap_kind::IOV if ok(self.cap_state) => {
                parts.extend(iov_parts(&self.cap, self.cap_len, 8))
            }
            cap_kind::IOV32 if ok(self.cap_state) => {
                parts.extend(iov_parts(&self.cap, self.cap_len, 4))
            }
            _ => {}
        }
        match self.cap2_kind {
            cap_kind::MSG_IOV if ok(self.cap2_state) => {
                parts.extend(iov_parts(&self.cap2, self.cap2_len, 8))
            }
            cap_kind::MSG_IOV32 if ok(self.cap2_state) => {
                parts.extend(iov_parts(&self.cap2, self.cap2_len, 4))
            }
            _ => {}
        }
        parts
    }

    /// Whether `cap` holds pieces of memory at several addresses, not the argument's
    /// alone ([`SyscallEvent::segments`]).
    fn is_iov(&self) -> bool {
        matches!(
            self.cap_kind,
            cap_kind::IOV | cap_kind::IOV32 | cap_kind::MSGHDR | cap_kind::MSGHDR32
        )
    }

    /// The memory an iovec or a message header capture holds, as (address, bytes,
    /// whether they are all there is): an iovec array at its argument's address, then
    /// the start of each entry's buffer that could be read; a message header at its
    /// argument's address, its name, its control messages and its iovec array (the
    /// second capture) at theirs. Empty for any other capture.
    pub fn segments(&self) -> Vec<(u64, &[u8], bool)> {
        if self.cap_state != cap_state::OK {
            return Vec::new();
        }
        let Some(&at) = self.args.get(self.cap_arg as usize) else {
            return Vec::new();
        };
        match self.cap_kind {
            cap_kind::IOV => iov_segments(&self.cap, self.cap_len, 8, at),
            cap_kind::IOV32 => iov_segments(&self.cap, self.cap_len, 4, at),
            cap_kind::MSGHDR | cap_kind::MSGHDR32 => self.msghdr_segments(at),
            _ => Vec::new(),
        }
    }

    /// A message header capture's pieces (the header at `at`); see
    /// [`SyscallEvent::segments`].
    fn msghdr_segments(&self, at: u64) -> Vec<(u64, &[u8], bool)> {
        let word = self.msghdr_word();
        let hdr = &self.cap[..(self.cap_len as usize).min(MSG_HDR)];
        if hdr.len() < 7 * word {
            return Vec::new();
        }
        let field = |k: usize| le_word(hdr, k * word, word);
        let (name_len, control_len) = (self.cap[NAME_LEN_AT], self.cap[CONTROL_LEN_AT]);
        let mut out = vec![(at, hdr, true)];
        let part = |off: usize, len: u8| &self.cap[off..off + usize::from(len)];
        if name_len > 0 {
            out.push((field(0), part(NAME_AT, name_len), true));
        }
        if control_len > 0 {
            out.push((field(4), part(CONTROL_AT, control_len), true));
        }
        let iov = matches!(self.cap2_kind, cap_kind::MSG_IOV | cap_kind::MSG_IOV32);
        if iov && self.cap2_state == cap_state::OK {
            out.extend(iov_segments(&self.cap2, self.cap2_len, word, field(2)));
        }
        out
    }

    /// The bytes of a message header capture's fields (8, or 4 in the compat layout).
    fn msghdr_word(&self) -> usize {
        if self.cap_kind == cap_kind::MSGHDR32 {
            4
        } else {
            8
        }
    }

    /// recvmsg's message header as it went in, which the decoders read at entry (the
    /// kernel writes `msg_namelen` back): its address, and the header captured at exit
    /// with the `msg_namelen` kept at entry (None when that could not be read). None for
    /// any other call.
    pub fn msghdr_in(&self) -> Option<(u64, Option<Vec<u8>>)> {
        let flags = u16::from_le_bytes([self.cap[FLAGS_AT], self.cap[FLAGS_AT + 1]]);
        let written = matches!(self.cap_kind, cap_kind::MSGHDR | cap_kind::MSGHDR32)
            && self.cap_state == cap_state::OK
            && flags & MSG_WRITTEN != 0;
        if !written {
            return None;
        }
        let at = *self.args.get(self.cap_arg as usize)?;
        let word = self.msghdr_word();
        let mut hdr = self.cap[..(self.cap_len as usize).min(MSG_HDR)].to_vec();
        let kept = (flags & MSG_NAMELEN_IN != 0 && hdr.len() >= 2 * word).then(|| {
            let at_entry = &self.cap[NAMELEN_IN_AT..NAMELEN_IN_AT + 4];
            hdr[word..word + 4].copy_from_slice(at_entry);
            hdr
        });
        Some((at, kept))
    }

    /// The second captured argument's bytes and its index, when it was read as the
    /// memory at the argument (not a count or what clone3 stored).
    pub fn captured2(&self) -> Option<(usize, &[u8])> {
        let memory = !matches!(
            self.cap2_kind,
            cap_kind::NONE
                | cap_kind::DIRENTS
                | cap_kind::CLONE3_OUT
                | cap_kind::MSG_IOV
                | cap_kind::MSG_IOV32
        );
        let read = matches!(self.cap2_state, cap_state::OK | cap_state::PART);
        (memory && read).then(|| {
            (
                self.cap2_arg as usize,
                &self.cap2[..(self.cap2_len as usize).min(CAP_MAX)],
            )
        })
    }

    /// The third captured argument's bytes and its index, when it was read (always the
    /// memory at the argument: a third capture is a string or plain bytes).
    pub fn captured3(&self) -> Option<(usize, &[u8])> {
        let read = matches!(self.cap3_state, cap_state::OK | cap_state::PART);
        (self.cap3_kind != cap_kind::NONE && read).then(|| {
            (
                self.cap3_arg as usize,
                &self.cap3[..(self.cap3_len as usize).min(CAP_MAX)],
            )
        })
    }

    /// A getdents call's directory entries as the probes counted them: (the buffer's
    /// address, how many records the bytes it returned hold).
    pub fn dirents(&self) -> Option<(u64, usize)> {
        if self.cap2_kind != cap_kind::DIRENTS || self.cap2_state != cap_state::OK {
            return None;
        }
        let n = u32::from_le_bytes(self.cap2[..4].try_into().unwrap());
        Some((*self.args.get(self.cap2_arg as usize)?, n as usize))
    }

    /// What clone3 stored that the probes read back at exit, as (address, the u32's
    /// bytes there): its pidfd and its parent tid, those it was asked to store.
    pub fn stored(&self) -> Vec<(u64, &[u8])> {
        if self.cap2_kind != cap_kind::CLONE3_OUT || self.cap2_state != cap_state::OK {
            return Vec::new();
        }
        let len = (self.cap2_len as usize).min(2 * cap_kind::STORED_SIZE);
        self.cap2[..len]
            .chunks_exact(cap_kind::STORED_SIZE)
            .map(|s| (u64::from_le_bytes(s[..8].try_into().unwrap()), &s[8..12]))
            .collect()
    }

    /// Whether the capture holds all of the argument (a string ended within `CAP_MAX`,
    /// a buffer no longer than it).
    pub fn captured_whole(&self) -> bool {
        let len = (self.cap_len as usize).min(CAP_MAX);
        if self.cap_state == cap_state::PART {
            return false;
        }
        match self.cap_kind {
            // A string ended within what was read: its NUL is there.
            cap_kind::STR => len > 0 && self.cap[len - 1] == 0,
            cap_kind::LEN_RET => (self.ret.max(0) as usize) <= CAP_MAX,
            // Bytes of a length argument the record does not carry: whole when shorter
            // than the most the probe reads.
            _ => len < CAP_MAX,
        }
    }
}

/// Where [`MsghdrCapture`]'s parts lie in a capture buffer.
const NAME_AT: usize = std::mem::offset_of!(MsghdrCapture, name);
const CONTROL_AT: usize = std::mem::offset_of!(MsghdrCapture, control);
const NAMELEN_IN_AT: usize = std::mem::offset_of!(MsghdrCapture, namelen_in);
const NAME_LEN_AT: usize = std::mem::offset_of!(MsghdrCapture, name_len);
const CONTROL_LEN_AT: usize = std::mem::offset_of!(MsghdrCapture, control_len);
const FLAGS_AT: usize = std::mem::offset_of!(MsghdrCapture, flags);
const _: () = assert!(std::mem::size_of::<MsghdrCapture>() == CAP_MAX);

/// The little-endian word of `width` bytes (4 or 8) at `at`.
fn le_word(b: &[u8], at: usize, width: usize) -> u64 {
    let mut w = [0u8; 8];
    w[..width].copy_from_slice(&b[at..at + width]);
    u64::from_le_bytes(w)
}

/// The pieces of an iovec capture (`cap_len` as the probes set it: the entries read,
/// bit 8 + k when entry k's buffer could not be read, bit 16 + k when it was read in
/// part) whose entries' fields are `word` bytes, its array at `array`: the array, then
/// the start of each entry's buffer that could be read (in part: up to the page that
/// could not be).
fn iov_segments(
    cap: &[u8; CAP_MAX],
    cap_len: u32,
    word: usize,
    array: u64,
) -> Vec<(u64, &[u8], bool)> {
    let size = 2 * word;
    let n = ((cap_len & 0xff) as usize).min(cap_kind::IOV_MAX);
    let mut out = vec![(array, &cap[..n * size], true)];
    for k in 0..n {
        if cap_len & (1 << (8 + k)) != 0 {
            continue;
        }
        let entry = &cap[k * size..(k + 1) * size];
        let (base, len) = (le_word(entry, 0, word), le_word(entry, word, word));
        let mut kept = (len as usize).min(cap_kind::IOV_DATA);
        if cap_len & (1 << (16 + k)) != 0 {
            // Up to the page that could not be read, or all of it when that page is
            // the one past the capture.
            kept = kept.min(4096 - (base & 4095) as usize);
        }
        let at = cap_kind::IOV_MAX * 16 + k * cap_kind::IOV_DATA;
        out.push((base, &cap[at..at + kept], len as usize <= kept));
    }
    out
}

/// The buffers of an iovec capture (as [`iov_segments`] reads it) read in part: up to
/// a page that could not be read, or all but the byte past them.
fn iov_parts(cap: &[u8; CAP_MAX], cap_len: u32, word: usize) -> impl Iterator<Item = u64> + '_ {
    let n = ((cap_len & 0xff) as usize).min(cap_kind::IOV_MAX);
    (0..n)
        .filter(move |k| cap_len & (1 << (16 + k)) != 0)
        .map(move |k| le_word(&cap[k * 2 * word..], 0, word))
}

#[cfg(test)]
mod tests;
