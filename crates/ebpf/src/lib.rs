//! The eBPF engine: C probes under `bpf/` (CO-RE against a checked-in vmlinux.h), their
//! compiled objects embedded, loaded by aya; filters that run in the kernel, so that
//! unmatched events never reach user space (and are counted there); a ring buffer whose
//! overflows are counted, never silent.

#![warn(missing_docs)]

pub mod layout;

pub use layout::{CgroupEvent, ExecEvent, Header, IoUringEvent, ProcEvent, Record, SyscallEvent};

use aya::maps::{Array, HashMap, MapData, PerCpuArray, RingBuf};
use aya::programs::BtfTracePoint;
use aya::{Btf, Ebpf, EbpfLoader};
use events::{ArgRead, PlannedRead};
use std::os::fd::AsRawFd;
use std::time::Duration;
use syscalls::Arch;

/// The compiled watch probes (`bpf/watch.bpf.c`, built by `scripts/build-ebpf`).
pub static WATCH_OBJECT: &[u8] = aya::include_bytes_aligned!("../bpf/watch.bpf.o");

/// The ring buffer's size when calls are counted, not sent: room for the lifecycle
/// records of a busy tree (the consumer drains it at once).
const COUNT_RING_BYTES: u32 = 1 << 20;

/// The ring buffer's size for a trace: a trace's reader must miss no call, and a
/// consumer that keeps up on average still falls behind for a few ms when the
/// scheduler puts it beside the traced program (8 MB is 20,000 calls, 17 ms of a dd
/// bs=1; this is 70 ms).
const TRACE_RING_BYTES: u32 = 32 << 20;

/// Why the engine could not start, naming what is missing.
#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    /// Not root.
    #[error(
        "eBPF needs root (CAP_BPF, CAP_PERFMON and CAP_SYS_ADMIN to read what other users' processes do): run it as root"
    )]
    NotRoot,
    /// The kernel exposes no BTF.
    #[error(
        "this kernel has no BTF (/sys/kernel/btf/vmlinux is missing): the probes need a kernel built with CONFIG_DEBUG_INFO_BTF=y"
    )]
    NoBtf,
    /// The kernel refused the object or one of its maps or programs.
    #[error("the kernel refused the eBPF probes: {0}")]
    Load(String),
    /// A hook could not be attached.
    #[error("cannot attach to {hook}: {reason}")]
    Attach {
        /// The hook.
        hook: &'static str,
        /// What the kernel said.
        reason: String,
    },
    /// A scope names more values than the kernel maps hold.
    #[error("{0}")]
    Scope(String),
    /// Reading the ring buffer failed.
    #[error("cannot read events: {0}")]
    Io(#[from] std::io::Error),
}

/// A comparison of a number (uid) in a scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    /// `=`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `>`
    Gt,
    /// `<=`
    Le,
    /// `>=`
    Ge,
}

impl CmpOp {
    fn code(self) -> u32 {
        match self {
            CmpOp::Eq => 0,
            CmpOp::Ne => 1,
            CmpOp::Lt => 2,
            CmpOp::Gt => 3,
            CmpOp::Le => 4,
            CmpOp::Ge => 5,
        }
    }
}

/// A comm pattern of `--scope comm=`: `NAME*` a comm that starts with NAME, `*NAME` one
/// that ends with it, compared with the comm as the kernel keeps it (15 bytes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommPattern {
    /// As the user gave it.
    pub text: String,
    kernel: layout::CommPattern,
}

impl CommPattern {
    /// Reads `value` (one `*`, leading or trailing); `negate` for `comm!=`. The error
    /// says what is wrong with it.
    pub fn parse(value: &str, negate: bool) -> Result<CommPattern, String> {
        let (how, text) = match (value.strip_suffix('*'), value.strip_prefix('*')) {
            (Some(head), None) => (layout::pat::PREFIX, head),
            (None, Some(tail)) => (layout::pat::SUFFIX, tail),
            _ => {
                return Err(
                    "a comm pattern has one `*`, at its start (`*d`) or its end (`py*`)".into(),
                );
            }
        };
        if text.is_empty() || text.contains('*') {
            return Err("a comm pattern has one `*`, at its start (`*d`) or its end (`py*`), and text beside it".into());
        }
        if text.len() >= layout::COMM_LEN {
            return Err(format!(
                "the kernel keeps {} bytes of a comm: `{text}` is longer",
                layout::COMM_LEN - 1
            ));
        }
        let mut kernel = layout::CommPattern {
            how,
            len: text.len() as u32,
            ..Default::default()
        };
        kernel.s[..text.len()].copy_from_slice(text.as_bytes());
        if negate {
            kernel.how |= layout::pat::NOT;
        }
        Ok(CommPattern {
            text: value.to_string(),
            kernel,
        })
    }

    /// Whether this is a `comm!=` pattern.
    pub fn negated(&self) -> bool {
        self.kernel.how & layout::pat::NOT != 0
    }

    /// Whether `comm` (as /proc/TID/comm gives it, without its newline) matches, as the
    /// probes decide it.
    pub fn matches(&self, comm: &[u8]) -> bool {
        let comm = &comm[..comm.len().min(layout::COMM_LEN - 1)];
        let text = &self.kernel.s[..self.kernel.len as usize];
        if self.kernel.how & layout::pat::SUFFIX != 0 {
            comm.ends_with(text)
        } else {
            comm.starts_with(text)
        }
    }
}

/// A pattern of `--scope executable`, resolved against the filesystem at the start so
/// that the probes compare inodes, not strings: `PATH` is that file (reached by any
/// name: hard links and symlinks to it match), `DIR/NAME*` a file in DIR whose name
/// starts with NAME, `*NAME` a file anywhere whose name ends with NAME.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExePattern {
    /// As the user gave it.
    pub text: String,
    kernel: layout::Pattern,
}

/// A device number in the kernel's encoding (MAJOR << 20 | MINOR).
fn kernel_dev(dev: u64) -> u32 {
    let (major, minor) = (libc::major(dev), libc::minor(dev));
    (major << 20) | (minor & 0xfffff)
}

impl ExePattern {
    /// Reads and resolves `value`; `negate` for `executable!=`. The error says what is
    /// wrong with it.
    pub fn parse(value: &str, negate: bool) -> Result<ExePattern, String> {
        use std::os::unix::fs::MetadataExt;
        let mut p = layout::Pattern::default();
        let name = if let Some(name) = value.strip_prefix('*') {
            if name.contains(['*', '/']) || name.is_empty() {
                return Err(
                    "a leading `*` takes a file name's end (`*sh`), without `/` or another `*`"
                        .into(),
                );
            }
            p.how = layout::pat::SUFFIX;
            name
        } else if let Some(head) = value.strip_suffix('*') {
            let (dir, name) = head.rsplit_once('/').ok_or(
                "a trailing `*` takes an absolute directory and a name's start (`/usr/bin/py*`)",
            )?;
            if name.contains('*') || !value.starts_with('/') {
                return Err("a trailing `*` takes an absolute directory and a name's start (`/usr/bin/py*`)".into());
            }
            let dir = if dir.is_empty() { "/" } else { dir };
            let meta = std::fs::metadata(dir).map_err(|e| format!("{dir}: {e}"))?;
            p.ino = meta.ino();
            p.dev = kernel_dev(meta.dev());
            p.how = layout::pat::PREFIX;
            name
        } else {
            if value.contains('*') {
                return Err("`*` goes at the start (`*sh`) or the end (`/usr/bin/py*`)".into());
            }
            let meta = std::fs::metadata(value).map_err(|e| format!("{value}: {e}"))?;
            p.ino = meta.ino();
            p.dev = kernel_dev(meta.dev());
            ""
        };
        if name.len() >= layout::PATTERN_MAX {
            return Err(format!(
                "a name is at most {} bytes",
                layout::PATTERN_MAX - 1
            ));
        }
        p.s[..name.len()].copy_from_slice(name.as_bytes());
        p.len = name.len() as u32;
        if negate {
            p.how |= layout::pat::NOT;
        }
        Ok(ExePattern {
            text: value.to_string(),
            kernel: p,
        })
    }

    /// Whether this is an `executable!=` pattern.
    pub fn negated(&self) -> bool {
        self.kernel.how & layout::pat::NOT != 0
    }

    /// Whether the program a process runs matches, as the probes decide it: `exe` is its
    /// `/proc/PID/exe`, whose metadata is the running file's own (in any mount
    /// namespace, deleted or not), as the kernel sees it at exec.
    pub fn matches(&self, exe: &std::path::Path) -> bool {
        use std::os::unix::fs::MetadataExt;
        let k = &self.kernel;
        let same = |p: &std::path::Path| {
            std::fs::metadata(p).is_ok_and(|m| m.ino() == k.ino && kernel_dev(m.dev()) == k.dev)
        };
        if k.how & (layout::pat::SUFFIX | layout::pat::PREFIX) == 0 {
            return same(exe);
        }
        let Ok(path) = std::fs::read_link(exe) else {
            return false;
        };
        let name = path
            .file_name()
            .map(|n| n.as_encoded_bytes())
            .unwrap_or_default();
        let text = &k.s[..k.len as usize];
        if k.how & layout::pat::SUFFIX != 0 {
            name.ends_with(text)
        } else {
            name.starts_with(text) && path.parent().is_some_and(same)
        }
    }
}

/// Which tasks are watched: each non-empty list is a condition (ANDed); within a list,
/// values are ORed. An empty scope watches every task but sysfence itself.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    /// comm equal to one of these (at most 15 bytes each, as the kernel keeps them).
    pub comms: Vec<String>,
    /// comm equal to none of these.
    pub not_comms: Vec<String>,
    /// Comm patterns: a `=` one ORs with `comms`; the comm must match no `!=` one.
    pub comm_patterns: Vec<CommPattern>,
    /// Thread group id among these.
    pub pids: Vec<u32>,
    /// Thread group id none of these.
    pub not_pids: Vec<u32>,
    /// Thread id among these.
    pub tids: Vec<u32>,
    /// Thread id none of these.
    pub not_tids: Vec<u32>,
    /// uid meeting one of these.
    pub uids: Vec<(CmpOp, u32)>,
    /// Processes of these trees: each of these processes and its descendants, those
    /// living at the start and those forked after.
    pub trees: Vec<u32>,
    /// Tasks in these cgroups (v2 ids: containers found at the start).
    pub cgroups: Vec<u64>,
    /// And in every cgroup made after the start (containers started later; the caller
    /// tells containers from other cgroups by their events' cgroup ids).
    pub new_cgroups: bool,
    /// Only processes forked after the start (`pid=new`).
    pub new_pids: bool,
    /// Mount namespaces (inode numbers) the task must be in.
    pub mntns: Vec<u32>,
    /// Mount namespaces it must not be in.
    pub not_mntns: Vec<u32>,
    /// Pid namespaces the task must be in (those it makes children in).
    pub pidns: Vec<u32>,
    /// Pid namespaces it must not be in.
    pub not_pidns: Vec<u32>,
    /// Also the descendants, forked after the start, of the tasks in scope (`follow`).
    pub follow: bool,
    /// Processes of none of these trees (`tree!=PID`).
    pub not_trees: Vec<u32>,
    /// Tasks in none of these cgroups (`not-container`, `container!=`).
    pub not_cgroups: Vec<u64>,
    /// Cgroups made after the start are reported (as with `new_cgroups`) without
    /// entering the scope, so that the caller can leave out new containers
    /// ([`Watcher::exclude_cgroup`]).
    pub exclude_new_containers: bool,
    /// Cgroups made after the start are reported, the scope unchanged: the caller names
    /// the containers among them.
    pub report_new_cgroups: bool,
    /// Executable patterns: the process's program must match one `=` pattern (when any)
    /// and no `!=` pattern.
    pub exe_patterns: Vec<ExePattern>,
}

/// Which lifecycle records are sent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Lifecycle {
    /// New processes and threads.
    pub fork: bool,
    /// New program images, with filename and argv.
    pub exec: bool,
    /// And their environment.
    pub exec_env: bool,
    /// Threads ending, with their status.
    pub exit: bool,
    /// Signals delivered.
    pub signal: bool,
    /// io_uring requests, at their completion.
    pub io_uring: bool,
}

impl Lifecycle {
    /// All of them.
    pub const ALL: Lifecycle = Lifecycle {
        fork: true,
        exec: true,
        exec_env: false,
        exit: true,
        signal: true,
        io_uring: true,
    };

    fn bits(self) -> u32 {
        use layout::kind;
        [
            (self.fork, kind::FORK),
            (self.exec, kind::EXEC),
            (self.exit, kind::EXIT),
            (self.signal, kind::SIGNAL),
            (self.io_uring, kind::IO_URING),
        ]
        .iter()
        .filter(|(on, _)| *on)
        .map(|(_, k)| 1u32 << k)
        .sum()
    }
}

/// What the engine counted, summed over CPUs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counters {
    /// Events written to the ring buffer.
    pub sent: u64,
    /// Events lost because the ring buffer was full (each is reported).
    pub lost: u64,
    /// Selected syscalls of tasks outside the scope, dropped in the kernel.
    pub filtered: u64,
    /// Syscalls not among the events asked for (of any task: this is checked first),
    /// dropped in the kernel.
    pub unselected: u64,
    /// Arguments that could not be read (marked in their events).
    pub cap_faults: u64,
    /// Calls whose entry found no room to wait for its exit (their events are missing,
    /// and counted here).
    pub inflight_full: u64,
}

/// The ABIs the probes tell apart, with their slot in the selection maps.
const ABIS: [(Arch, u32); 3] = [
    (Arch::X86_64, layout::abi::X86_64),
    (Arch::I386, layout::abi::I386),
    (Arch::X32, layout::abi::X32),
];

/// The ABI of a record's `abi` field.
pub fn arch_of(abi: u32) -> Option<Arch> {
    ABIS.iter().find(|(_, a)| *a == abi).map(|(arch, _)| *arch)
}

/// Which program a watch needs, decided before loading: a program not loaded costs
/// neither the verifier's time at the start nor a probe's time per event. In the order
/// they are attached: sys_enter last, so that no call is kept at its entry before the
/// probes that end it (its exit, its thread's exit) are there.
fn hooks(scope: &Scope, calls: bool, exits: bool, l: Lifecycle) -> Vec<&'static str> {
    let containers = scope.new_cgroups || scope.exclude_new_containers || scope.report_new_cgroups;
    let exe = !scope.exe_patterns.is_empty();
    [
        (containers, ("cgroup_mkdir")),
        (exits, ("sys_exit")),
        // Always: it follows trees and keeps new_pids, followed and exe_class.
        (true, ("sched_process_fork")),
        (l.exec || exe, ("sched_process_exec")),
        (!scope.comm_patterns.is_empty(), ("task_rename")),
        // Always: it sends calls that never return and forgets exited processes.
        (true, ("sched_process_exit")),
        (l.signal, ("signal_deliver")),
        (l.signal, ("signal_generate")),
        (l.io_uring, ("io_uring_submit_req")),
        (l.io_uring, ("io_uring_complete")),
        (calls, ("sys_enter")),
    ]
    .into_iter()
    .filter(|(on, _)| *on)
    .map(|(_, h)| h)
    .collect()
}

/// The running probes: attached until dropped.
pub struct Watcher {
    bpf: Ebpf,
    ring: RingBuf<MapData>,
    counters: PerCpuArray<MapData, u64>,
    /// The last poll found a few records: the next one lets more gather first.
    busy: bool,
}

/// How long a busy consumer lets records gather before it drains the ring again. The
/// kernel wakes the consumer (an interrupt raised on the producer's CPU) at each record
/// that finds it caught up: a consumer that drains as soon as it can keeps up record
/// by record and costs the traced program an interrupt per call (a dd bs=1 under
/// `trace --backend ebpf -o FILE` spent an eighth of its time raising them). A pause
/// makes it one per batch; at 3,000,000 records/s it gathers about 200 KB of the 8 MB
/// ring, and it adds at most this much to an event's latency.
const GATHER: Duration = Duration::from_micros(500);

/// A drain of this many records or more is a consumer that is behind, not caught up.
const GATHER_BELOW: usize = 1024;

impl Watcher {
    /// Loads and attaches the probes for `scope`, selecting the syscalls for which
    /// `select(arch, nr)` holds (`None`: every syscall of every ABI) and the `lifecycle`
    /// records, capturing what `plan` says the decoders read.
    pub fn start(
        scope: &Scope,
        select: Option<&dyn Fn(Arch, u32) -> bool>,
        lifecycle: Lifecycle,
        plan: PlanOf<'_>,
    ) -> Result<Watcher, WatchError> {
        Prepared::load_as(Build::default())?.start(scope, select, lifecycle, Some(plan))
    }

    /// As [`Watcher::start`], but every record's header holds the pid, the tid and the
    /// time only (its other fields zero): what a trace's sinks read, at a tenth less of
    /// each traced call's cost than the parent, ids, namespaces and comm a watch reads.
    /// Not `timed`: no time either (times and durations 0), another tenth. The
    /// arguments are captured as `plan` says the decoders read them.
    pub fn start_lean(
        scope: &Scope,
        select: Option<&dyn Fn(Arch, u32) -> bool>,
        lifecycle: Lifecycle,
        timed: bool,
        plan: PlanOf<'_>,
    ) -> Result<Watcher, WatchError> {
        let build = Build {
            lean: true,
            untimed: !timed,
            ..Build::default()
        };
        Prepared::load_as(build)?.start(scope, select, lifecycle, Some(plan))
    }

    /// As [`Watcher::start`], but the selected calls are counted in the kernel (read
    /// them with [`Watcher::call_counts`]) and never sent: a count costs no record.
    /// `timed`: at exit, with errors and the time from entry (`-c`); else at entry
    /// only, which calls were made (a recording), with no exit probe at all.
    pub fn start_counting(
        scope: &Scope,
        select: Option<&dyn Fn(Arch, u32) -> bool>,
        lifecycle: Lifecycle,
        timed: bool,
    ) -> Result<Watcher, WatchError> {
        let how = if timed {
            layout::count::TIMED
        } else {
            layout::count::AT_ENTRY
        };
        let build = Build {
            count_only: how,
            ..Build::default()
        };
        Prepared::load_as(build)?.start(scope, select, lifecycle, None)
    }

    /// The calls counted so far (with [`Watcher::start_counting`]), summed over CPUs:
    /// each ABI and number with its count, errors and total time.
    pub fn call_counts(&self) -> Result<Vec<(Arch, u32, layout::Stat)>, WatchError> {
        let load = |e: &dyn std::fmt::Display| WatchError::Load(e.to_string());
        let stats: PerCpuArray<_, layout::Stat> =
            PerCpuArray::try_from(self.bpf.map("stats").ok_or_else(|| load(&"stats"))?)
                .map_err(|e| load(&e))?;
        let mut out = Vec::new();
        for (arch, abi, nr) in slots() {
            let per_cpu = stats.get(&slot(abi, nr), 0).map_err(|e| load(&e))?;
            let sum = per_cpu
                .iter()
                .fold(layout::Stat::default(), |a, s| layout::Stat {
                    calls: a.calls + s.calls,
                    errors: a.errors + s.errors,
                    ns: a.ns + s.ns,
                    unfinished: a.unfinished + s.unfinished,
                });
            if sum.calls + sum.unfinished > 0 {
                out.push((arch, nr, sum));
            }
        }
        Ok(out)
    }
}

/// How the probes are built for a use: the constants set in the object at load.
#[derive(Clone, Copy, Default)]
struct Build {
    /// The count mode (`layout::count`, 0: calls are sent).
    count_only: u32,
    /// Headers with pid, tid and time only.
    lean: bool,
    /// Records without times.
    untimed: bool,
}

/// The probes' object in the kernel, its maps made and its programs relocated against
/// the kernel's BTF, but nothing configured, verified or attached: the part of a
/// watch's start that depends on nothing the user asked, so that it can run while the
/// caller compiles its rules on the other CPU.
pub struct Prepared {
    bpf: Ebpf,
    btf: Btf,
    /// The count mode the object was loaded for (0: calls are sent).
    count_only: u32,
}

impl Prepared {
    /// Parses the kernel's BTF and loads the object; clear errors when not root or the
    /// kernel has no BTF.
    pub fn load() -> Result<Prepared, WatchError> {
        Prepared::load_as(Build::default())
    }

    /// As [`Prepared::load`], built as `build` says: constants in the object, so that the
    /// verifier walks that build's paths only.
    fn load_as(build: Build) -> Result<Prepared, WatchError> {
        let count_only = build.count_only;
        // SAFETY: geteuid takes no arguments and cannot fail.
        if unsafe { libc::geteuid() } != 0 {
            return Err(WatchError::NotRoot);
        }
        // aya's loader parses the kernel's BTF when made (tens of ms); the copy the
        // programs attach with is parsed meanwhile on the other CPU and given to the
        // loader too, so that `Ebpf::load` does not parse a third.
        let ours = std::thread::spawn(Btf::from_sys_fs);
        let mut loader = EbpfLoader::new();
        loader.override_global("sf_count_mode", &count_only, true);
        let lean = u32::from(build.lean);
        loader.override_global("sf_lean_header", &lean, true);
        let untimed = u32::from(build.untimed);
        loader.override_global("sf_untimed", &untimed, true);
        if count_only != 0 {
            // A count sends lifecycle records at most: 8 MB of ring is pages to clear
            // for nothing.
            loader.map_max_entries("events", COUNT_RING_BYTES);
        } else if build.lean {
            loader.map_max_entries("events", TRACE_RING_BYTES);
        }
        let btf = ours
            .join()
            .map_err(|_| WatchError::NoBtf)?
            .map_err(|_| WatchError::NoBtf)?;
        // The in-flight calls live in task storage, which aya makes but has no type for
        // (only the probes use it).
        let bpf = loader
            .btf(Some(&btf))
            .allow_unsupported_maps()
            .load(WATCH_OBJECT)
            .map_err(|e| WatchError::Load(e.to_string()))?;
        Ok(Prepared {
            bpf,
            btf,
            count_only,
        })
    }

    /// Configures, verifies and attaches the probes as [`Watcher::start`] says,
    /// capturing the arguments as `plan` says the decoders read them (`None`: none).
    pub fn start(
        self,
        scope: &Scope,
        select: Option<&dyn Fn(Arch, u32) -> bool>,
        lifecycle: Lifecycle,
        plan: Option<PlanOf<'_>>,
    ) -> Result<Watcher, WatchError> {
        let Prepared {
            mut bpf,
            btf,
            count_only,
        } = self;
        let load = |e: &dyn std::fmt::Display| WatchError::Load(e.to_string());
        configure(&mut bpf, scope, select, lifecycle, count_only, plan)?;
        let calls =
            select.is_none() || slots().any(|(arch, _, nr)| select.is_some_and(|s| s(arch, nr)));
        let exits = calls && count_only != layout::count::AT_ENTRY;
        let wanted = hooks(scope, calls, exits, lifecycle);
        load_programs(&mut bpf, &wanted, &btf)?;
        for &hook in &wanted {
            let attach = |e: &dyn std::fmt::Display| WatchError::Attach {
                hook,
                reason: e.to_string(),
            };
            let program: &mut BtfTracePoint = bpf
                .program_mut(hook)
                .ok_or_else(|| load(&format!("no program {hook}")))?
                .try_into()
                .map_err(|e| load(&e))?;
            program.attach().map_err(|e| attach(&e))?;
        }
        // The threads there now get their comm class once the probes that keep it are
        // attached; the probes' own entries (a fork or a rename since) win.
        if !scope.comm_patterns.is_empty() {
            seed_comm_classes(&mut bpf, &scope.comm_patterns)?;
        }
        // The kernel's BTF, parsed to attach, is tens of MB of heap no longer needed:
        // handed back to the system, not kept for the watch's whole life.
        drop(btf);
        // SAFETY: malloc_trim only returns free heap memory to the kernel.
        unsafe { libc::malloc_trim(0) };
        let ring = RingBuf::try_from(
            bpf.take_map("events")
                .ok_or_else(|| load(&"no map events"))?,
        )
        .map_err(|e| load(&e))?;
        let counters = PerCpuArray::try_from(
            bpf.take_map("counters")
                .ok_or_else(|| load(&"no map counters"))?,
        )
        .map_err(|e| load(&e))?;
        Ok(Watcher {
            bpf,
            ring,
            counters,
            busy: false,
        })
    }
}

impl Watcher {
    /// Waits up to `timeout` for events and hands each to `each`; returns how many.
    pub fn poll(
        &mut self,
        timeout: Duration,
        mut each: impl FnMut(&Record),
    ) -> Result<usize, WatchError> {
        if self.busy {
            std::thread::sleep(GATHER);
        }
        let mut handled = self.drain(&mut each);
        // A large batch says the consumer is behind: no interrupt is raised while it
        // is, and it drains again at once.
        self.busy = handled > 0 && handled < GATHER_BELOW;
        if handled > 0 {
            return Ok(handled);
        }
        let mut pfd = libc::pollfd {
            fd: self.ring.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        let ms = i32::try_from(timeout.as_millis()).unwrap_or(i32::MAX);
        // SAFETY: one valid pollfd.
        if unsafe { libc::poll(&mut pfd, 1, ms) } < 0 {
            let e = std::io::Error::last_os_error();
            if e.kind() != std::io::ErrorKind::Interrupted {
                return Err(e.into());
            }
        }
        handled += self.drain(&mut each);
        Ok(handled)
    }

    fn drain(&mut self, each: &mut impl FnMut(&Record)) -> usize {
        let mut n = 0;
        while let Some(item) = self.ring.next() {
            if let Some(event) = Record::from_bytes(&item) {
                each(&event);
                n += 1;
            }
        }
        n
    }

    /// Keeps the other sysfence watches running now out of this one (as sysfence itself
    /// is): found by their command line, so call it now and then to catch new ones.
    pub fn exclude_other_watches(&mut self) -> Result<(), WatchError> {
        if !add_watchers(&mut self.bpf)? {
            return Ok(());
        }
        let load = |e: &dyn std::fmt::Display| WatchError::Load(e.to_string());
        let mut config: Array<_, layout::Config> = Array::try_from(
            self.bpf
                .map_mut("sf_config_map")
                .ok_or_else(|| load(&"sf_config_map"))?,
        )
        .map_err(|e| load(&e))?;
        let mut c = config.get(&0, 0).map_err(|e| load(&e))?;
        if c.has_watchers == 0 {
            c.has_watchers = 1;
            config.set(0, c, 0).map_err(|e| load(&e))?;
        }
        Ok(())
    }

    /// Leaves the tasks of cgroup `id` out from now on (a container found during the
    /// watch, under `not-container`).
    pub fn exclude_cgroup(&mut self, id: u64) -> Result<(), WatchError> {
        mark(&mut self.bpf, "scope_not_cgroups", [id], "container")
    }

    /// The counters now, summed over CPUs.
    pub fn counters(&self) -> Counters {
        let get = |slot: u32| self.counter(slot);
        use layout::counter;
        Counters {
            sent: get(counter::SENT),
            lost: get(counter::LOST),
            filtered: get(counter::FILTERED),
            unselected: get(counter::UNSELECTED),
            cap_faults: get(counter::CAP_FAULT),
            inflight_full: get(counter::INFLIGHT_FULL),
        }
    }

    /// The records lost so far (as [`Watcher::counters`]'s `lost`, in one lookup, not
    /// six: a consumer asks after every batch).
    pub fn lost(&self) -> u64 {
        self.counter(layout::counter::LOST)
    }

    /// One of the probes' counters, summed over CPUs.
    fn counter(&self, slot: u32) -> u64 {
        self.counters
            .get(&slot, 0)
            .map(|v| v.iter().sum())
            .unwrap_or(0)
    }
}

/// Loads the programs named `wanted` into the kernel, on two threads: the verifier's
/// time is most of a watch's start, and these machines have two CPUs. Attaching is
/// left to the caller, in `wanted`'s order.
fn load_programs(bpf: &mut Ebpf, wanted: &[&'static str], btf: &Btf) -> Result<(), WatchError> {
    let load = |e: &dyn std::fmt::Display| WatchError::Load(e.to_string());
    let mut programs: Vec<(&'static str, &mut BtfTracePoint)> = Vec::new();
    for (name, program) in bpf.programs_mut() {
        if let Some(&hook) = wanted.iter().find(|&&h| h == name) {
            programs.push((hook, program.try_into().map_err(|e| load(&e))?));
        }
    }
    if let Some(missing) = wanted
        .iter()
        .find(|h| !programs.iter().any(|(n, _)| n == *h))
    {
        return Err(load(&format!("no program {missing}")));
    }
    // The largest first, so that the two threads end together; then in `wanted`'s
    // order (the object gives its programs in no particular order), so that a start
    // loads them the same way each time.
    let large = |name: &str| matches!(name, "sys_enter" | "sys_exit" | "sched_process_exec");
    programs.sort_by_key(|(name, _)| (!large(name), wanted.iter().position(|h| h == name)));
    let queue = std::sync::Mutex::new(programs.into_iter());
    let work = || -> Result<(), WatchError> {
        loop {
            let next = queue
                .lock()
                .map_err(|_| load(&"a loading thread failed"))?
                .next();
            let Some((hook, program)) = next else {
                return Ok(());
            };
            program.load(hook, btf).map_err(|e| WatchError::Attach {
                hook,
                reason: e.to_string(),
            })?;
        }
    };
    std::thread::scope(|s| {
        let other = s.spawn(work);
        let mine = work();
        let theirs = other
            .join()
            .unwrap_or_else(|_| Err(load(&"a loading thread failed")));
        mine.and(theirs)
    })
}

/// Fills the configuration, scope and selection maps before anything is attached.
fn configure(
    bpf: &mut Ebpf,
    scope: &Scope,
    select: Option<&dyn Fn(Arch, u32) -> bool>,
    lifecycle: Lifecycle,
    count_only: u32,
    plan: Option<PlanOf<'_>>,
) -> Result<(), WatchError> {
    let load = |e: &dyn std::fmt::Display| WatchError::Load(e.to_string());
    let mut config = layout::Config {
        self_tgid: std::process::id(),
        all_syscalls: u32::from(select.is_none()),
        lifecycle: lifecycle.bits(),
        ..Default::default()
    };
    if scope.uids.len() > layout::MAX_CMPS {
        return Err(WatchError::Scope(format!(
            "--scope: at most {} uid conditions, {} given",
            layout::MAX_CMPS,
            scope.uids.len()
        )));
    }
    for (i, (op, value)) in scope.uids.iter().enumerate() {
        config.uid_cmp[i] = layout::Cmp {
            op: op.code(),
            value: *value,
        };
    }
    config.n_uid_cmp = scope.uids.len() as u32;
    let exe_in = scope.exe_patterns.iter().any(|p| !p.negated());
    let exe_out = scope.exe_patterns.iter().any(|p| p.negated());
    if scope.exe_patterns.len() > layout::MAX_PATTERNS {
        return Err(WatchError::Scope(format!(
            "--scope executable: at most {} patterns, {} given",
            layout::MAX_PATTERNS,
            scope.exe_patterns.len()
        )));
    }
    config.exe_patterns = scope.exe_patterns.len() as u32;
    if scope.comm_patterns.len() > layout::MAX_COMM_PATTERNS {
        return Err(WatchError::Scope(format!(
            "--scope comm: at most {} patterns with `*`, {} given",
            layout::MAX_COMM_PATTERNS,
            scope.comm_patterns.len()
        )));
    }
    for (i, p) in scope.comm_patterns.iter().enumerate() {
        config.comm_pat[i] = p.kernel;
    }
    config.comm_patterns = scope.comm_patterns.len() as u32;
    let comm_pat_in = scope.comm_patterns.iter().any(|p| !p.negated());
    let comm_pat_out = scope.comm_patterns.iter().any(|p| p.negated());
    config.exec_env = u32::from(lifecycle.exec_env);
    let lists = [
        (!scope.comms.is_empty() || comm_pat_in, layout::scope::COMM),
        (
            !scope.not_comms.is_empty() || comm_pat_out,
            layout::scope::NOT_COMM,
        ),
        (!scope.pids.is_empty(), layout::scope::PID),
        (!scope.not_pids.is_empty(), layout::scope::NOT_PID),
        (!scope.tids.is_empty(), layout::scope::TID),
        (!scope.not_tids.is_empty(), layout::scope::NOT_TID),
        (!scope.uids.is_empty(), layout::scope::UID),
        (!scope.trees.is_empty(), layout::scope::TREE),
        (
            !scope.cgroups.is_empty() || scope.new_cgroups,
            layout::scope::CGROUP,
        ),
        (scope.new_pids, layout::scope::NEW_PID),
        (!scope.mntns.is_empty(), layout::scope::MNTNS),
        (!scope.not_mntns.is_empty(), layout::scope::NOT_MNTNS),
        (!scope.pidns.is_empty(), layout::scope::PIDNS),
        (!scope.not_pidns.is_empty(), layout::scope::NOT_PIDNS),
        (!scope.not_trees.is_empty(), layout::scope::NOT_TREE),
        (
            !scope.not_cgroups.is_empty() || scope.exclude_new_containers,
            layout::scope::NOT_CGROUP,
        ),
        (exe_in, layout::scope::EXE),
        (exe_out, layout::scope::NOT_EXE),
    ];
    config.new_cgroups = u32::from(scope.new_cgroups);
    config.new_pids = u32::from(scope.new_pids);
    config.follow = u32::from(scope.follow);

    config.scope = lists.iter().filter(|(on, _)| *on).map(|(_, bit)| bit).sum();
    let comm_key = |comm: &String| {
        let mut key = layout::CommKey::default();
        let n = comm.len().min(layout::COMM_LEN - 1);
        key.comm[..n].copy_from_slice(&comm.as_bytes()[..n]);
        key
    };
    mark(bpf, "scope_comms", scope.comms.iter().map(comm_key), "comm")?;
    mark(
        bpf,
        "scope_not_comms",
        scope.not_comms.iter().map(comm_key),
        "comm",
    )?;
    for (map, values, what) in [
        ("scope_pids", &scope.pids, "pid"),
        ("scope_not_pids", &scope.not_pids, "pid"),
        ("scope_tids", &scope.tids, "tid"),
        ("scope_not_tids", &scope.not_tids, "tid"),
        ("scope_mntns", &scope.mntns, "mntns"),
        ("scope_not_mntns", &scope.not_mntns, "mntns"),
        ("scope_pidns", &scope.pidns, "pidns"),
        ("scope_not_pidns", &scope.not_pidns, "pidns"),
    ] {
        mark(bpf, map, values.iter().copied(), what)?;
    }
    // Other watches running now are out from the first event (later ones:
    // Watcher::exclude_other_watches).
    config.has_watchers = u32::from(add_watchers(bpf)?);
    mark(
        bpf,
        "scope_cgroups",
        scope.cgroups.iter().copied(),
        "container",
    )?;
    mark(
        bpf,
        "scope_tree",
        descendants_and_self(&scope.trees),
        "tree",
    )?;
    mark(
        bpf,
        "scope_not_tree",
        descendants_and_self(&scope.not_trees),
        "tree",
    )?;
    mark(
        bpf,
        "scope_not_cgroups",
        scope.not_cgroups.iter().copied(),
        "container",
    )?;
    let mut patterns: Array<_, layout::Pattern> =
        Array::try_from(bpf.map_mut("patterns").ok_or_else(|| load(&"patterns"))?)
            .map_err(|e| load(&e))?;
    for (i, p) in scope.exe_patterns.iter().enumerate() {
        patterns.set(i as u32, p.kernel, 0).map_err(|e| load(&e))?;
    }
    if !scope.exe_patterns.is_empty() {
        let mut class: HashMap<_, u32, u8> =
            HashMap::try_from(bpf.map_mut("exe_class").ok_or_else(|| load(&"exe_class"))?)
                .map_err(|e| load(&e))?;
        for (pid, c) in exe_classes(&scope.exe_patterns) {
            class
                .insert(pid, c, 0)
                .map_err(|e| WatchError::Scope(format!("--scope executable: {e}")))?;
        }
    }
    let mut selected: Array<_, u8> =
        Array::try_from(bpf.map_mut("selected").ok_or_else(|| load(&"selected"))?)
            .map_err(|e| load(&e))?;
    for (arch, abi, nr) in slots() {
        if select.is_none_or(|s| s(arch, nr)) {
            selected.set(slot(abi, nr), 1, 0).map_err(|e| load(&e))?;
        }
    }
    let mut socketcalls: Array<_, layout::SocketCall> = Array::try_from(
        bpf.map_mut("socketcalls")
            .ok_or_else(|| load(&"socketcalls"))?,
    )
    .map_err(|e| load(&e))?;
    for (call, sc) in socketcall_table() {
        socketcalls.set(call, sc, 0).map_err(|e| load(&e))?;
    }
    // The capture table of the selected calls, from the decoders' plan; a count
    // captures nothing.
    let planned: Vec<(u32, [u32; 3])> = match plan {
        Some(plan) if count_only == 0 => slots()
            .filter(|&(arch, _, nr)| select.is_none_or(|s| s(arch, nr)))
            .map(|(arch, abi, nr)| (slot(abi, nr), capture_plan(arch, nr, &plan(arch, nr))))
            .filter(|(_, how)| how.iter().any(|&h| h != 0))
            .collect(),
        _ => Vec::new(),
    };
    let mut captures: Array<_, layout::CapturePlan> =
        Array::try_from(bpf.map_mut("captures").ok_or_else(|| load(&"captures"))?)
            .map_err(|e| load(&e))?;
    for &(at, [how, how2, how3]) in &planned {
        let plan = layout::CapturePlan {
            how,
            how2,
            how3,
            pad: 0,
        };
        captures.set(at, plan, 0).map_err(|e| load(&e))?;
    }
    let mut m: Array<_, layout::Config> = Array::try_from(
        bpf.map_mut("sf_config_map")
            .ok_or_else(|| load(&"sf_config_map"))?,
    )
    .map_err(|e| load(&e))?;
    m.set(0, config, 0).map_err(|e| load(&e))?;
    Ok(())
}

/// Sets each of `keys` in hash map `map` (the members of one scope list); `what` names
/// the scope in the error when the map is full.
fn mark<K: aya::Pod>(
    bpf: &mut Ebpf,
    map: &str,
    keys: impl IntoIterator<Item = K>,
    what: &str,
) -> Result<(), WatchError> {
    let load = |e: &dyn std::fmt::Display| WatchError::Load(e.to_string());
    let mut m: HashMap<_, K, u8> =
        HashMap::try_from(bpf.map_mut(map).ok_or_else(|| load(&map))?).map_err(|e| load(&e))?;
    for key in keys {
        m.insert(key, 1, 0)
            .map_err(|e| WatchError::Scope(format!("--scope {what}: {e}")))?;
    }
    Ok(())
}

/// Puts the other `sysfence watch` processes running now into map `watchers`; whether
/// there were any. A full map only lets more of another watch's events through.
fn add_watchers(bpf: &mut Ebpf) -> Result<bool, WatchError> {
    let others = other_watches();
    if others.is_empty() {
        return Ok(false);
    }
    if let Err(WatchError::Load(e)) = mark(bpf, "watchers", others, "watchers") {
        return Err(WatchError::Load(e));
    }
    Ok(true)
}

/// The processes running now: each pid with its /proc directory.
fn processes() -> impl Iterator<Item = (u32, std::path::PathBuf)> {
    std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| Some((entry.file_name().to_str()?.parse().ok()?, entry.path())))
}

/// The pids of the other `sysfence watch` processes running now.
fn other_watches() -> Vec<u32> {
    let me = std::process::id();
    processes()
        .filter_map(|(pid, dir)| {
            let cmdline = std::fs::read(dir.join("cmdline")).ok()?;
            let mut args = cmdline.split(|&b| b == 0);
            let program = args.next()?;
            let is_sysfence = program.rsplit(|&b| b == b'/').next() == Some(b"sysfence");
            (pid != me && is_sysfence && args.next() == Some(b"watch")).then_some(pid)
        })
        .collect()
}

/// The processes running now whose executable (/proc/PID/exe) matches a pattern, with
/// their `exe_class` bits.
fn exe_classes(patterns: &[ExePattern]) -> Vec<(u32, u8)> {
    processes()
        .filter_map(|(pid, dir)| {
            let exe = dir.join("exe");
            let class = patterns
                .iter()
                .filter(|p| p.matches(&exe))
                .map(|p| {
                    if p.negated() {
                        layout::exe::OUT
                    } else {
                        layout::exe::IN
                    }
                })
                .fold(0, |a, b| a | b);
            (class != 0).then_some((pid, class))
        })
        .collect()
}

/// Puts every thread running now whose comm matches a pattern into map `comm_class`,
/// leaving the entries the probes made since they were attached.
fn seed_comm_classes(bpf: &mut Ebpf, patterns: &[CommPattern]) -> Result<(), WatchError> {
    let load = |e: &dyn std::fmt::Display| WatchError::Load(e.to_string());
    let mut class: HashMap<_, u32, u8> = HashMap::try_from(
        bpf.map_mut("comm_class")
            .ok_or_else(|| load(&"comm_class"))?,
    )
    .map_err(|e| load(&e))?;
    for (_, dir) in processes() {
        let Ok(tasks) = std::fs::read_dir(dir.join("task")) else {
            continue;
        };
        for task in tasks.flatten() {
            let Some(tid) = task
                .file_name()
                .to_str()
                .and_then(|t| t.parse::<u32>().ok())
            else {
                continue;
            };
            let Ok(comm) = std::fs::read(task.path().join("comm")) else {
                continue;
            };
            let comm = comm.strip_suffix(b"\n").unwrap_or(&comm);
            let c = patterns
                .iter()
                .filter(|p| p.matches(comm))
                .map(|p| {
                    if p.negated() {
                        layout::comm::OUT
                    } else {
                        layout::comm::IN
                    }
                })
                .fold(0, |a, b| a | b);
            if c == 0 {
                continue;
            }
            // BPF_NOEXIST: an entry there is the probes', newer than this read.
            match class.insert(tid, c, 1) {
                Ok(()) => {}
                Err(aya::maps::MapError::SyscallError(e))
                    if e.io_error.raw_os_error() == Some(libc::EEXIST) => {}
                Err(e) => return Err(WatchError::Scope(format!("--scope comm: {e}"))),
            }
        }
    }
    Ok(())
}

/// `roots` and every process below them now, from /proc's parent links (those forked
/// later the fork probe adds).
fn descendants_and_self(roots: &[u32]) -> Vec<u32> {
    if roots.is_empty() {
        return Vec::new();
    }
    let links: Vec<(u32, u32)> = processes()
        .filter_map(|(pid, dir)| {
            let stat = std::fs::read_to_string(dir.join("stat")).ok()?;
            let ppid = stat
                .rsplit_once(')')?
                .1
                .split_whitespace()
                .nth(1)?
                .parse()
                .ok()?;
            Some((pid, ppid))
        })
        .collect();
    let mut found = roots.to_vec();
    let mut i = 0;
    while i < found.len() {
        let parent = found[i];
        let children: Vec<u32> = links
            .iter()
            .filter(|&&(pid, pp)| pp == parent && !found.contains(&pid))
            .map(|&(pid, _)| pid)
            .collect();
        found.extend(children);
        i += 1;
    }
    found
}

/// Every (ABI, ABI slot, number) the knowledge base has.
fn slots() -> impl Iterator<Item = (Arch, u32, u32)> {
    ABIS.into_iter().flat_map(|(arch, abi)| {
        arch.table()
            .entries()
            .iter()
            .map(move |s| (arch, abi, s.nr))
    })
}

/// A call's index in the per-(ABI, nr) maps.
fn slot(abi: u32, nr: u32) -> u32 {
    abi * layout::NR_SLOTS + (nr & (layout::NR_SLOTS - 1))
}

/// i386's socketcall sub-calls (linux/net.h's SYS_SOCKET = 1 ...) as the i386 syscalls
/// of the same meaning, from the knowledge base, with how many arguments each reads;
/// accept, send and recv have none of their own and stay socketcall.
fn socketcall_table() -> Vec<(u32, layout::SocketCall)> {
    let table = Arch::I386.table();
    syscalls::multiplex::SOCKET_CALLS
        .iter()
        .enumerate()
        .filter_map(|(i, (name, nargs))| {
            let nr = table.lookup_name(name)?.nr;
            Some((i as u32 + 1, layout::SocketCall { nr, nargs: *nargs }))
        })
        .collect()
}

/// How a trace's decoders read each call (`render::Decoder::planned_reads`): the table
/// the loader writes into the probes' capture maps.
pub type PlanOf<'a> = &'a dyn Fn(Arch, u32) -> Vec<PlannedRead>;

/// The probes' first, second and third captures for call `nr` on `arch` (map
/// `captures`, [`layout::CapturePlan`]), from how its decoders read it
/// (`layout::cap_kind`: the kind in bits 0-7, the argument in 8-15, a length or its
/// argument in 16-23; 0: nothing). The first capture is the
/// one read at entry or kept from it, and the only one holding an iovec array or a
/// message header; the second the only one counting, or reading what the first points
/// to (a message's iovecs, a getdents buffer's records, what clone3 stored); the others
/// fill the slots left in argument order. What finds no slot prints as its address.
pub fn capture_plan(arch: Arch, nr: u32, plan: &[PlannedRead]) -> [u32; 3] {
    use layout::cap_kind;
    let compat = arch.is_compat_call(nr);
    let word = |native: u32, compat_kind: u32| if compat { compat_kind } else { native };
    let pack = |kind: u32, arg: usize, field: usize| {
        kind | (arg as u32) << 8 | (field.min(0xff) as u32) << 16
    };
    let fixed =
        |arg: usize, n: usize| pack(cap_kind::FIXED, arg, n.min(layout::CAP_MAX).div_ceil(8));
    let plain = |r: &PlannedRead| match r.read {
        ArgRead::Str => pack(cap_kind::STR, r.arg, 0),
        ArgRead::LenArg(n) => pack(cap_kind::LEN_ARG, r.arg, usize::from(n)),
        ArgRead::LenRet => pack(cap_kind::LEN_RET, r.arg, 0),
        ArgRead::Fixed(n) => fixed(r.arg, n),
        _ => 0,
    };
    // (the first capture, what the second must be beside it), for the reads only the
    // first can take.
    let first_only = |r: &PlannedRead| -> Option<(u32, u32)> {
        let a = r.arg;
        Some(match r.read {
            ArgRead::Msghdr { written } => (
                pack(
                    word(cap_kind::MSGHDR, cap_kind::MSGHDR32),
                    a,
                    usize::from(written),
                ),
                pack(word(cap_kind::MSG_IOV, cap_kind::MSG_IOV32), a, 0),
            ),
            ArgRead::Dirents(reclen_at) => (
                pack(cap_kind::LEN_RET, a, 0),
                pack(cap_kind::DIRENTS, a, usize::from(reclen_at)),
            ),
            ArgRead::CloneArgs(n) => (fixed(a, n), pack(cap_kind::CLONE3_OUT, a, 0)),
            ArgRead::Iov(count) => (
                pack(word(cap_kind::IOV, cap_kind::IOV32), a, usize::from(count)),
                0,
            ),
            _ if r.at_entry => (plain(r) | cap_kind::AT_ENTRY, 0),
            _ => return None,
        })
    };
    let mut slots = [0u32; 3];
    if let Some((first, second)) = plan.iter().find_map(first_only) {
        slots[0] = first;
        slots[1] = second;
    }
    // The first-only reads after the first find no slot: they print as addresses.
    let rest = plan.iter().filter(|r| first_only(r).is_none()).map(plain);
    for how in rest {
        if let Some(free) = slots.iter_mut().find(|s| **s == 0) {
            *free = how;
        }
    }
    slots
}

#[cfg(test)]
mod tests {
    use super::*;
    use layout::cap_kind;

    /// A message header is the first capture (recvmsg's with what went in kept at
    /// entry), its iovec array the second, in each ABI's layout; what else the call
    /// reads fills the third.
    #[test]
    fn a_message_header_and_its_iovecs_are_the_two_captures() {
        for (arch, msghdr, iov) in [
            (Arch::X86_64, cap_kind::MSGHDR, cap_kind::MSG_IOV),
            (Arch::I386, cap_kind::MSGHDR32, cap_kind::MSG_IOV32),
        ] {
            for (name, written) in [("sendmsg", false), ("recvmsg", true)] {
                let nr = arch.table().lookup_name(name).unwrap().nr;
                let plan = [
                    PlannedRead {
                        arg: 0,
                        read: ArgRead::Fixed(16),
                        at_entry: false,
                    },
                    PlannedRead {
                        arg: 1,
                        read: ArgRead::Msghdr { written },
                        at_entry: false,
                    },
                ];
                assert_eq!(
                    capture_plan(arch, nr, &plan),
                    [
                        msghdr | 1 << 8 | u32::from(written) << 16,
                        iov | 1 << 8,
                        cap_kind::FIXED | 2 << 16
                    ],
                    "{arch:?} {name}"
                );
            }
        }
    }

    /// An exec's path is read at entry, in the first capture, the old image gone at
    /// exit; a structure's size is in 8-byte words, at most a capture's.
    #[test]
    fn an_exec_path_is_read_at_entry_and_sizes_are_words() {
        let plan = [
            PlannedRead {
                arg: 1,
                read: ArgRead::Fixed(1000),
                at_entry: false,
            },
            PlannedRead {
                arg: 3,
                read: ArgRead::Str,
                at_entry: true,
            },
        ];
        assert_eq!(
            capture_plan(Arch::X86_64, 59, &plan),
            [
                cap_kind::STR | cap_kind::AT_ENTRY | 3 << 8,
                cap_kind::FIXED | 1 << 8 | 32 << 16,
                0
            ]
        );
    }
}
