//! The decoder's state: the options, how each call of each ABI prints (its shape, resolved
//! once per ABI), the per-call qualifiers, and the view of a call the families format.

use crate::escape::Hex;
use crate::select::SyscallSet;
use crate::specs::{self, Fmt, Ret, Spec};
use crate::xlat::Style;
use events::{Capture, Mem, SyscallEntry, SyscallResult};
use std::sync::{Arc, OnceLock};
use syscalls::multiplex::IPC;
use syscalls::{Arch, ArgKind, Syscall};

/// How values are printed: strace's -s, -x/-xx, -v, -X, -y.
#[derive(Debug, Clone)]
pub struct DecodeOptions {
    /// Maximum string bytes printed (`-s`, default 32).
    pub strsize: usize,
    /// Hex escaping (`-x`, `-xx`).
    pub hex: Hex,
    /// Unabbreviated structures, argv/envp in full (`-v`).
    pub verbose: bool,
    /// How named constants print (`-X`).
    pub style: Style,
    /// Print the path of file descriptors (`-y`).
    pub decode_fds: bool,
    /// Print socket endpoints instead of `socket:[INODE]` (`-yy`).
    pub decode_sockets: bool,
    /// Only syscalls that touch one of these paths, by name or by descriptor (`-P`).
    pub trace_paths: Vec<Vec<u8>>,
    /// Which calls print undecoded, abbreviated, dereferenced (`-e raw=`, `-e abbrev=`,
    /// `-e verbose=`).
    pub per_call: PerCall,
}

/// strace's per-call qualifiers; `None` is strace's default for each.
#[derive(Debug, Clone, Default)]
pub struct PerCall {
    /// Calls whose arguments and return value print in hex, undecoded (`-e raw=`;
    /// default none).
    pub raw: Option<Arc<SyscallSet>>,
    /// Calls whose structures print abbreviated (`-e abbrev=`; default all, none under
    /// `-v`).
    pub abbrev: Option<Arc<SyscallSet>>,
    /// Calls whose structures and arrays print at all (`-e verbose=`; default all):
    /// the others print their addresses.
    pub verbose: Option<Arc<SyscallSet>>,
}

impl Default for DecodeOptions {
    fn default() -> Self {
        DecodeOptions {
            strsize: 32,
            hex: Hex::None,
            verbose: false,
            style: Style::Abbrev,
            decode_fds: false,
            decode_sockets: false,
            trace_paths: Vec::new(),
            per_call: PerCall::default(),
        }
    }
}

/// The decoded description of one syscall for an ABI: its name and argument formats.
#[derive(Debug, Clone)]
pub struct Shape {
    /// The name to print.
    pub name: String,
    /// Parameter names (for JSON).
    pub arg_names: Vec<&'static str>,
    /// One format per printed argument.
    pub fmts: Vec<Fmt>,
    /// How the return value prints.
    pub ret: Ret,
}

impl Shape {
    /// Index of the first argument that can only be printed at exit (strace prints the
    /// line up to there at entry).
    pub fn split(&self) -> usize {
        self.fmts
            .iter()
            .position(|f| f.at_exit())
            .unwrap_or(self.fmts.len())
    }
}

/// Decodes syscalls for the text and JSON printers and tells sources what to capture.
pub struct Decoder {
    /// The options in force.
    pub(super) opts: DecodeOptions,
    /// Per ABI (in `Arch::ALL` order), its calls, resolved at first use.
    abis: [OnceLock<AbiShapes>; Arch::ALL.len()],
    /// Structures print as addresses (a variant for calls outside `-e verbose=`).
    pub(super) shallow: bool,
    /// The decoders of calls qualified otherwise than the options say by default, by
    /// [`Quals`] bits, built at first use.
    variants: [OnceLock<Box<Decoder>>; 4],
}

/// Bits of a call's qualifiers, resolved once per ABI: printed unabbreviated, printed
/// without dereferencing.
type Quals = u8;

const QUAL_FULL: Quals = 1;

const QUAL_SHALLOW: Quals = 2;

/// The calls of one ABI, indexed by number less the ABI's base.
struct AbiShapes {
    /// How each prints.
    shapes: Vec<Option<Shape>>,
    /// When each may read tracee memory ([`READS_AT_ENTRY`], [`READS_AT_EXIT`]); a byte
    /// per call keeps the tracer's per-stop check in cache.
    phases: Vec<u8>,
    /// Each call's qualifiers ([`Quals`]).
    quals: Vec<Quals>,
}

impl AbiShapes {
    fn of(arch: Arch, opts: &DecodeOptions) -> AbiShapes {
        let mut shapes = Vec::new();
        let mut quals = Vec::new();
        let per_call = &opts.per_call;
        let in_set = |set: &Option<Arc<SyscallSet>>, nr, dflt| {
            set.as_ref().map_or(dflt, |s| s.contains(arch, nr))
        };
        for sc in arch.table().entries() {
            let i = (sc.nr - arch.nr_base()) as usize;
            if shapes.len() <= i {
                shapes.resize(i + 1, None);
                quals.resize(i + 1, own_quals(opts));
            }
            if in_set(&per_call.raw, sc.nr, false) {
                // Undecoded: the decoder of the options says it all.
                shapes[i] = Some(raw_shape(sc));
                continue;
            }
            shapes[i] = Some(shape_of(arch, sc));
            let mut q = 0;
            if !in_set(&per_call.abbrev, sc.nr, !opts.verbose) {
                q |= QUAL_FULL;
            }
            if !in_set(&per_call.verbose, sc.nr, true) {
                q |= QUAL_SHALLOW;
            }
            quals[i] = q;
        }
        let phases = shapes
            .iter()
            .enumerate()
            .map(|(i, shape)| {
                let Some(shape) = shape else { return 0 };
                // ipc prints as the call it makes, which may read at either end (semop's
                // operations, msgrcv's message).
                let ipc = arch == Arch::I386 && i as u32 + arch.nr_base() == IPC;
                if ipc && shape.ret != Ret::Raw {
                    return READS_AT_ENTRY | READS_AT_EXIT;
                }
                // rt_sigreturn's restored mask and futex's timeout, read at entry outside
                // their arguments' own formats, count as those arguments' entry reads.
                let at = |exit| shape.fmts.iter().any(|&f| reads_at(f, shape.ret, exit));
                let mut bits = 0;
                if at(false) {
                    bits |= READS_AT_ENTRY;
                }
                if at(true) {
                    bits |= READS_AT_EXIT;
                }
                bits
            })
            .collect();
        AbiShapes {
            shapes,
            phases,
            quals,
        }
    }
}

/// The qualifiers a decoder with `opts` applies by itself.
fn own_quals(opts: &DecodeOptions) -> Quals {
    if opts.verbose { QUAL_FULL } else { 0 }
}

/// An undecoded call (`-e raw=`): every argument of its signature in hex, as strace's
/// printargs.
fn raw_shape(sc: &Syscall) -> Shape {
    Shape {
        name: sc.name.to_string(),
        arg_names: sc.args.iter().map(|a| a.name).collect(),
        fmts: vec![Fmt::Hex; sc.args.len()],
        ret: Ret::Raw,
    }
}

/// A call as it prints: its shape, and the entry whose arguments the shape's formats
/// print.
#[derive(Debug)]
pub struct Call<'a> {
    /// How it prints.
    pub shape: std::borrow::Cow<'a, Shape>,
    /// Its arguments in the order the shape prints them, with its entry captures.
    pub entry: std::borrow::Cow<'a, SyscallEntry>,
}

/// The per-argument view a decoder works on.
pub struct CallView<'a> {
    /// The entry.
    pub entry: &'a SyscallEntry,
    /// The result, at exit.
    pub result: Option<SyscallResult>,
    /// Exit captures.
    pub exit_mem: &'a [Capture],
}

impl CallView<'_> {
    pub(super) fn arg(&self, i: usize) -> u64 {
        self.entry.args[i]
    }
    pub(super) fn entry_mem(&self, key: u32) -> Option<&Mem> {
        Capture::find(&self.entry.mem, key)
    }
    pub(super) fn exit_mem(&self, key: u32) -> Option<&Mem> {
        Capture::find(self.exit_mem, key)
    }
    /// The successful return value, if any.
    pub(super) fn ok_ret(&self) -> Option<i64> {
        self.result.filter(|r| !r.is_error).map(|r| r.rval)
    }
    /// What a successful call wrote, read whole at exit under `key`.
    pub(super) fn written(&self, key: u32) -> Option<&[u8]> {
        self.ok_ret()?;
        match self.exit_mem(key)? {
            Mem::Bytes {
                bytes,
                complete: true,
            } => Some(bytes),
            _ => None,
        }
    }
}

impl Decoder {
    /// A decoder with `opts`; each ABI's calls are resolved once, when the first of
    /// them is decoded (most traces meet one ABI, and a short run should not pay for four).
    pub fn new(opts: DecodeOptions) -> Decoder {
        Decoder {
            opts,
            abis: Default::default(),
            shallow: false,
            variants: Default::default(),
        }
    }

    /// The resolved calls of `arch`.
    fn abi(&self, arch: Arch) -> &AbiShapes {
        let i = Arch::ALL.iter().position(|&a| a == arch).unwrap_or(0);
        self.abis[i].get_or_init(|| AbiShapes::of(arch, &self.opts))
    }

    /// The decoder of call `nr` of `arch`: this one, or the variant its `-e abbrev=` and
    /// `-e verbose=` qualifiers call for (one table lookup on the way).
    pub(super) fn for_call(&self, arch: Arch, nr: u32) -> &Decoder {
        let own = own_quals(&self.opts);
        let q = self
            .abi(arch)
            .quals
            .get(nr.wrapping_sub(arch.nr_base()) as usize)
            .copied()
            .unwrap_or(own);
        if q == own {
            return self;
        }
        self.variants[q as usize].get_or_init(|| {
            let opts = DecodeOptions {
                verbose: q & QUAL_FULL != 0,
                per_call: PerCall::default(),
                ..self.opts.clone()
            };
            let mut variant = Decoder::new(opts);
            variant.shallow = q & QUAL_SHALLOW != 0;
            Box::new(variant)
        })
    }

    /// Whether stops capture what descriptors refer to (-y, -P), whatever the call.
    pub(super) fn captures_fds(&self) -> bool {
        self.opts.decode_fds || !self.opts.trace_paths.is_empty()
    }

    /// Whether call `nr` of `arch` may read tracee memory at entry or (`at_exit`) at exit;
    /// false for calls nothing is known of (they print their registers).
    pub(super) fn reads(&self, arch: Arch, nr: u32, at_exit: bool) -> bool {
        let bit = if at_exit {
            READS_AT_EXIT
        } else {
            READS_AT_ENTRY
        };
        self.abi(arch)
            .phases
            .get(nr.wrapping_sub(arch.nr_base()) as usize)
            .is_some_and(|&bits| bits & bit != 0)
    }

    /// The options in force.
    pub fn options(&self) -> &DecodeOptions {
        &self.opts
    }

    /// How syscall `nr` of `arch` prints (a `syscall_0x..` shape when unknown).
    pub fn shape(&self, arch: Arch, nr: u32) -> std::borrow::Cow<'_, Shape> {
        let known = self
            .abi(arch)
            .shapes
            .get(nr.wrapping_sub(arch.nr_base()) as usize)
            .and_then(Option::as_ref);
        match known {
            Some(s) => std::borrow::Cow::Borrowed(s),
            None => std::borrow::Cow::Owned(unknown_shape(nr)),
        }
    }

    /// How `entry` prints: i386's ipc as the call it makes, under that call's name and
    /// with its arguments (strace's decode_ipc_subcall), every other call as itself. The
    /// printers and the capture plan both take the call so, which keeps the captures'
    /// keys those of the arguments printed.
    pub fn call<'a>(&'a self, entry: &'a SyscallEntry) -> Call<'a> {
        use std::borrow::Cow;
        let shape = self.shape(entry.arch, entry.nr);
        match self.ipc_subcall(&shape, entry) {
            Some((shape, entry)) => Call {
                shape: Cow::Owned(shape),
                entry: Cow::Owned(entry),
            },
            None => Call {
                shape,
                entry: Cow::Borrowed(entry),
            },
        }
    }

    /// The syscall's name as printed.
    pub fn name(&self, arch: Arch, nr: u32) -> String {
        self.shape(arch, nr).name.clone()
    }

    /// Whether a path filter (`-P`) is in force, so lines can only print at exit.
    pub fn filters_paths(&self) -> bool {
        !self.opts.trace_paths.is_empty()
    }

    pub(super) fn strsize(&self) -> usize {
        self.opts.strsize
    }
}

fn shape_of(arch: Arch, sc: &Syscall) -> Shape {
    if let Some(spec) = specs::lookup_for(arch, sc.nr, sc.name) {
        return from_spec(sc.name, spec, sc);
    }
    let ret = if FD_RETURNING.contains(&sc.name) {
        Ret::Fd
    } else {
        Ret::Dec
    };
    Shape {
        name: sc.name.to_string(),
        arg_names: sc.args.iter().map(|a| a.name).collect(),
        fmts: sc.args.iter().map(|a| fmt_of_kind(a.kind)).collect(),
        ret,
    }
}

/// Syscalls without a decoder of their own that return a new file descriptor (which -y
/// follows with its path, as strace's RVAL_FD).
const FD_RETURNING: &[&str] = &[
    "epoll_create",
    "eventfd",
    "eventfd2",
    "fsmount",
    "fsopen",
    "fspick",
    "inotify_init",
    "inotify_init1",
    "memfd_secret",
    "open_tree",
    "pidfd_getfd",
    "pidfd_open",
    "timerfd_create",
    "userfaultfd",
];

fn from_spec(name: &str, spec: &Spec, sc: &Syscall) -> Shape {
    let arg_names = (0..spec.args.len())
        .map(|i| sc.args.get(i).map_or("arg", |a| a.name))
        .collect();
    Shape {
        name: name.to_string(),
        arg_names,
        fmts: spec.args.to_vec(),
        ret: spec.ret,
    }
}

fn fmt_of_kind(kind: ArgKind) -> Fmt {
    match kind {
        ArgKind::Int | ArgKind::Pid => Fmt::Int,
        ArgKind::Uint | ArgKind::Size | ArgKind::Lo32 | ArgKind::Hi32 => Fmt::Uint,
        ArgKind::Fd => Fmt::Fd,
        ArgKind::Dirfd => Fmt::Dirfd,
        ArgKind::Path => Fmt::Path,
        ArgKind::Str => Fmt::Str,
        ArgKind::StrArray => Fmt::Argv,
        ArgKind::Buf { len_arg } => Fmt::WBuf(len_arg),
        ArgKind::OutBuf { len_arg } => Fmt::RBuf(len_arg),
        ArgKind::Flags { set } => specs::for_set(set),
        ArgKind::Mode => Fmt::Mode,
        ArgKind::Signal => Fmt::Signal,
        ArgKind::Ptr { .. } | ArgKind::Addr => Fmt::Ptr,
        ArgKind::Hex => Fmt::Hex,
    }
}

fn unknown_shape(nr: u32) -> Shape {
    Shape {
        name: format!("syscall_{nr:#x}"),
        arg_names: vec!["arg"; 6],
        fmts: vec![Fmt::Hex; 6],
        ret: Ret::Dec,
    }
}

/// Whether an argument of format `fmt`, of a call whose result prints as `ret`, may need
/// tracee memory at entry (`at_exit` false) or at exit.
fn reads_at(fmt: Fmt, ret: Ret, at_exit: bool) -> bool {
    !fmt.value_only() && in_phase(fmt, ret, at_exit)
}

/// Whether an argument of format `fmt` prints from what is in memory at entry (`at_exit`
/// false) or at exit, if it prints from memory at all: an input at entry, an output at
/// exit, and at both what the kernel reads and then rewrites.
pub(super) fn in_phase(fmt: Fmt, ret: Ret, at_exit: bool) -> bool {
    // pselect6's, ppoll's and recvmmsg's timeout: sent in, and the time left comes out.
    let select_timeout =
        matches!(ret, Ret::Select | Ret::Poll | Ret::Mmsg) && matches!(fmt, Fmt::TimespecIn);
    let both_ends = select_timeout
        || matches!(
            fmt,
            Fmt::FdSetIn
                | Fmt::TimevalIn
                | Fmt::LenInOut
                | Fmt::PollFds(_)
                | Fmt::PrctlRest
                | Fmt::MsghdrOut
                | Fmt::OffsetInOut
                | Fmt::CloneArgs
                | Fmt::Clone
                | Fmt::IoctlArg
                | Fmt::FcntlArg
                | Fmt::OldSelectArgs
                | Fmt::MmsgvecReceived(_)
                | Fmt::FileHandleOut
                | Fmt::QuotaRest(_)
                | Fmt::IoUringParams
                // The entry number going in, the descriptor (set_thread_area's number)
                // coming out.
                | Fmt::UserDescIn
                | Fmt::UserDescInOut
                // IPC_SET's structure going in, IPC_STAT's coming out (and semctl's
                // union through ipc's pointer to it, read at entry).
                | Fmt::SemunPtr
                | Fmt::SemctlArg
                | Fmt::MsgctlBuf
                | Fmt::ShmctlBuf
        );
    both_ends || fmt.at_exit() == at_exit
}

/// Bits of [`Decoder::phases`]: the call may read memory at entry, at exit.
const READS_AT_ENTRY: u8 = 1;

const READS_AT_EXIT: u8 = 2;
