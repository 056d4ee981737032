//! The JSON Lines schema (`"v": 1`) that `sysfence trace --json` writes: one object per
//! event, a syscall as one object with its arguments and its result. Field names are a
//! contract; add fields freely, rename or remove only with a new `v`.

use serde::Serialize;

/// The schema version written in every object's `v` field.
pub const SCHEMA_VERSION: u32 = 1;

/// One line of JSON output.
#[derive(Debug, Clone, Serialize)]
pub struct JsonEvent {
    /// Always [`SCHEMA_VERSION`].
    pub v: u32,
    /// Wall-clock time of the event (syscall entry), seconds since the epoch.
    pub ts: f64,
    /// Thread group id.
    pub pid: i32,
    /// Thread id.
    pub tid: i32,
    /// What happened.
    #[serde(flatten)]
    pub body: JsonBody,
    /// Who did it, where the source knows (`sysfence watch`); absent from `trace --json`.
    #[serde(flatten)]
    pub task: Option<JsonTask>,
}

/// The task fields the eBPF source adds (Tracee's processName, userId, parentProcessId,
/// cgroupId, mountNamespace, pidNamespace).
#[derive(Debug, Clone, Serialize)]
pub struct JsonTask {
    /// The task's comm at the event.
    pub comm: String,
    /// Real uid.
    pub uid: u32,
    /// Real gid.
    pub gid: u32,
    /// The parent's pid.
    pub ppid: u32,
    /// The cgroup v2 id.
    pub cgroup_id: u64,
    /// Mount namespace inode.
    pub mntns: u32,
    /// Pid namespace inode.
    pub pidns: u32,
    /// The container's id, for a task in one (Tracee's containerId).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub container: Option<String>,
    /// The runtime that made the container (`docker`, `containerd`, `cri-o`, `podman`,
    /// `kubernetes`, `runc`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub runtime: Option<&'static str>,
}

/// The type-specific part of a JSON event; `type` names the variant.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum JsonBody {
    /// A syscall, complete or never returned (then `ret` is absent).
    Syscall {
        /// The syscall name (`syscall_0x...` when unknown).
        name: String,
        /// Its number.
        nr: u32,
        /// The ABI (`x86_64`, `i386`, `x32`, `aarch64`).
        arch: &'static str,
        /// The arguments, in order.
        args: Vec<JsonArg>,
        /// The return value as the kernel gave it (-errno on failure); absent when the
        /// call did not return.
        #[serde(skip_serializing_if = "Option::is_none")]
        ret: Option<i64>,
        /// The errno name when the call failed.
        #[serde(skip_serializing_if = "Option::is_none")]
        errno: Option<String>,
        /// The return value as strace prints it (e.g. `0x7f..` for mmap).
        #[serde(skip_serializing_if = "Option::is_none")]
        ret_text: Option<String>,
        /// Wall time between entry and exit, in seconds.
        #[serde(skip_serializing_if = "Option::is_none")]
        duration: Option<f64>,
    },
    /// A signal delivered to the task.
    Signal {
        /// Its name (`SIGCHLD`).
        signal: String,
        /// Its number.
        signo: i32,
        /// The siginfo as strace prints it between braces.
        #[serde(skip_serializing_if = "Option::is_none")]
        siginfo: Option<String>,
    },
    /// The task exited.
    Exit {
        /// The exit code.
        code: i32,
    },
    /// A process started a new program (`sysfence watch`).
    Exec {
        /// The program's path as the kernel resolved it.
        filename: String,
        /// Its arguments, as read from the new image.
        argv: Vec<String>,
        /// Whether every argument was read (false: more than the probe reads).
        argv_complete: bool,
        /// The new program's environment (`watch --exec-env`), `K=V` strings.
        #[serde(skip_serializing_if = "Option::is_none")]
        env: Option<Vec<String>>,
        /// With `env`: whether all of it was read (false: more than the probe reads).
        #[serde(skip_serializing_if = "Option::is_none")]
        env_complete: Option<bool>,
    },
    /// A process or thread was created (`sysfence watch`).
    Fork {
        /// The new process's pid (the parent's for a thread).
        child_pid: u32,
        /// The new task's thread id.
        child_tid: u32,
    },
    /// An io_uring request, at its completion (`sysfence watch`), attributed to the task
    /// that submitted it.
    IoUring {
        /// The operation (`IORING_OP_OPENAT`).
        op: String,
        /// Its number.
        opcode: u32,
        /// The request's fd (openat: the directory fd).
        fd: i32,
        /// openat, openat2: the path.
        #[serde(skip_serializing_if = "Option::is_none")]
        path: Option<String>,
        /// openat, openat2: the open flags by name.
        #[serde(skip_serializing_if = "Option::is_none")]
        flags: Option<String>,
        /// The completion's result (-errno on failure: the new fd for an open).
        res: i32,
        /// The errno name when it failed.
        #[serde(skip_serializing_if = "Option::is_none")]
        errno: Option<String>,
        /// The request's user_data.
        user_data: u64,
        /// Whether the ring's SQPOLL thread submitted it.
        sq_thread: bool,
    },
    /// Events the source could not deliver (`sysfence watch`: its ring buffer was full).
    Lost {
        /// How many since the previous report.
        count: u64,
        /// How many since the start.
        total: u64,
    },
    /// The task was killed by a signal.
    Killed {
        /// The signal name.
        signal: String,
        /// Whether it dumped core.
        core_dumped: bool,
    },
}

/// One decoded syscall argument.
#[derive(Debug, Clone, Serialize)]
pub struct JsonArg {
    /// The kernel's parameter name (`arg0`.. when unknown).
    pub name: String,
    /// The value as strace prints it (`AT_FDCWD`, `"/etc/passwd"`, `O_RDONLY|O_CLOEXEC`).
    pub text: String,
    /// The raw register value.
    pub raw: u64,
}
