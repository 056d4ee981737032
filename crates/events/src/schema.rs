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

/// Appends JSON to a buffer piece by piece: keys and punctuation as one slice each,
/// integers through itoa, strings and floats through serde_json (so that escaping and
/// float formatting are serde_json's exactly).
struct Writer<'a>(&'a mut Vec<u8>);

impl Writer<'_> {
    /// `,"KEY":` (`KEY` is one of ours: plain ASCII, nothing to escape).
    fn key(&mut self, key: &str) {
        self.0.extend_from_slice(b",\"");
        self.0.extend_from_slice(key.as_bytes());
        self.0.extend_from_slice(b"\":");
    }

    fn int(&mut self, v: impl itoa::Integer) {
        self.0
            .extend_from_slice(itoa::Buffer::new().format(v).as_bytes());
    }

    fn str(&mut self, s: &str) {
        // Writing into a Vec cannot fail.
        let _ = serde_json::to_writer(&mut *self.0, s);
    }

    fn float(&mut self, v: f64) {
        let _ = serde_json::to_writer(&mut *self.0, &v);
    }

    fn bool(&mut self, v: bool) {
        self.0.extend_from_slice(if v { b"true" } else { b"false" });
    }

    fn strs(&mut self, list: &[String]) {
        self.0.push(b'[');
        for (i, s) in list.iter().enumerate() {
            if i > 0 {
                self.0.push(b',');
            }
            self.str(s);
        }
        self.0.push(b']');
    }

    fn key_str(&mut self, key: &str, s: &str) {
        self.key(key);
        self.str(s);
    }

    fn key_int(&mut self, key: &str, v: impl itoa::Integer) {
        self.key(key);
        self.int(v);
    }
}

impl JsonEvent {
    /// Appends the event as one JSON object (no newline) to `out`: the bytes
    /// `serde_json::to_writer` writes for it, without serde's flattening and tagging
    /// machinery, which was most of `sysfence watch`'s time per event.
    pub fn write_json(&self, out: &mut Vec<u8>) {
        let mut w = Writer(out);
        w.0.extend_from_slice(b"{\"v\":");
        w.int(self.v);
        w.key("ts");
        w.float(self.ts);
        w.key_int("pid", self.pid);
        w.key_int("tid", self.tid);
        self.body.write_json(&mut w);
        if let Some(t) = &self.task {
            w.key_str("comm", &t.comm);
            w.key_int("uid", t.uid);
            w.key_int("gid", t.gid);
            w.key_int("ppid", t.ppid);
            w.key_int("cgroup_id", t.cgroup_id);
            w.key_int("mntns", t.mntns);
            w.key_int("pidns", t.pidns);
            if let Some(c) = &t.container {
                w.key_str("container", c);
            }
            if let Some(r) = t.runtime {
                w.key_str("runtime", r);
            }
        }
        w.0.push(b'}');
    }
}

impl JsonBody {
    /// Its `type` and fields, as `JsonEvent::write_json` says.
    fn write_json(&self, w: &mut Writer<'_>) {
        match self {
            JsonBody::Syscall {
                name,
                nr,
                arch,
                args,
                ret,
                errno,
                ret_text,
                duration,
            } => {
                w.key_str("type", "syscall");
                w.key_str("name", name);
                w.key_int("nr", *nr);
                w.key_str("arch", arch);
                w.key("args");
                w.0.push(b'[');
                for (i, a) in args.iter().enumerate() {
                    w.0.extend_from_slice(if i > 0 { b",{\"name\":" } else { b"{\"name\":" });
                    w.str(&a.name);
                    w.key_str("text", &a.text);
                    w.key_int("raw", a.raw);
                    w.0.push(b'}');
                }
                w.0.push(b']');
                if let Some(ret) = ret {
                    w.key_int("ret", *ret);
                }
                if let Some(errno) = errno {
                    w.key_str("errno", errno);
                }
                if let Some(text) = ret_text {
                    w.key_str("ret_text", text);
                }
                if let Some(d) = duration {
                    w.key("duration");
                    w.float(*d);
                }
            }
            JsonBody::Signal {
                signal,
                signo,
                siginfo,
            } => {
                w.key_str("type", "signal");
                w.key_str("signal", signal);
                w.key_int("signo", *signo);
                if let Some(info) = siginfo {
                    w.key_str("siginfo", info);
                }
            }
            JsonBody::Exit { code } => {
                w.key_str("type", "exit");
                w.key_int("code", *code);
            }
            JsonBody::Exec {
                filename,
                argv,
                argv_complete,
                env,
                env_complete,
            } => {
                w.key_str("type", "exec");
                w.key_str("filename", filename);
                w.key("argv");
                w.strs(argv);
                w.key("argv_complete");
                w.bool(*argv_complete);
                if let Some(env) = env {
                    w.key("env");
                    w.strs(env);
                }
                if let Some(done) = env_complete {
                    w.key("env_complete");
                    w.bool(*done);
                }
            }
            JsonBody::Fork {
                child_pid,
                child_tid,
            } => {
                w.key_str("type", "fork");
                w.key_int("child_pid", *child_pid);
                w.key_int("child_tid", *child_tid);
            }
            JsonBody::IoUring {
                op,
                opcode,
                fd,
                path,
                flags,
                res,
                errno,
                user_data,
                sq_thread,
            } => {
                w.key_str("type", "io_uring");
                w.key_str("op", op);
                w.key_int("opcode", *opcode);
                w.key_int("fd", *fd);
                if let Some(path) = path {
                    w.key_str("path", path);
                }
                if let Some(flags) = flags {
                    w.key_str("flags", flags);
                }
                w.key_int("res", *res);
                if let Some(errno) = errno {
                    w.key_str("errno", errno);
                }
                w.key_int("user_data", *user_data);
                w.key("sq_thread");
                w.bool(*sq_thread);
            }
            JsonBody::Lost { count, total } => {
                w.key_str("type", "lost");
                w.key_int("count", *count);
                w.key_int("total", *total);
            }
            JsonBody::Killed {
                signal,
                core_dumped,
            } => {
                w.key_str("type", "killed");
                w.key_str("signal", signal);
                w.key("core_dumped");
                w.bool(*core_dumped);
            }
        }
    }
}

#[cfg(test)]
mod tests;
