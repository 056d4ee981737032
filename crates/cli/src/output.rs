//! Where sysfence's output goes, and how it is written there. Two kinds, two rules:
//!
//! - **Streams** (a trace, `-ff`'s per-task files, complain mode's log) are written in
//!   place as the run goes, as strace writes them: opened with O_CREAT|O_TRUNC (O_APPEND
//!   with `-A`), or piped into a command (`|cmd`, `!cmd`). A write that fails is reported
//!   as strace reports it (`sysfence: FILE: No space left on device`) and the run goes on;
//!   a closed pipe on stderr ends it as SIGPIPE would.
//! - **Documents** (profiles, BPF programs) replace their target atomically, so a crash
//!   never leaves half a profile, without ever turning a device into a file, a symlink
//!   into a file, or following a name someone else planted for the temporary file.

use anyhow::{Context, Result, bail};
use std::ffi::{CString, OsString};
use std::fs::{File, OpenOptions};
use std::io::{self, IsTerminal, Write};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};

/// The text of an OS error as strerror(3) gives it, without Rust's "(os error N)".
pub fn error_text(err: &io::Error) -> String {
    let text = err.to_string();
    match text.find(" (os error ") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

/// `eprintln!` that never panics: a diagnostic line on stderr, lost if stderr is closed.
macro_rules! diag {
    ($($arg:tt)*) => { $crate::output::print_diag(format_args!($($arg)*)) };
}
pub(crate) use diag;

/// Prints a diagnostic line on stderr; never panics when stderr is closed or full.
pub fn print_diag(args: std::fmt::Arguments) {
    let mut err = io::stderr().lock();
    let _ = err.write_fmt(args).and_then(|()| err.write_all(b"\n"));
}

/// What a failed stream write does.
#[derive(Clone)]
enum OnError {
    /// stderr: nothing is said (there is nowhere to say it), as strace says nothing.
    Quiet,
    /// A named file or pipe: `sysfence: NAME: error`, once per failed write.
    Report(String),
    /// The write fails with `NAME: error` for the caller to stop on (a watch, which
    /// harms nothing by ending, has no reason to go on writing nowhere).
    Fail(String),
}

/// A stream's writer: every write "succeeds", so printers never stop on an output error;
/// the failure is reported (or turned into SIGPIPE) here instead, unless made
/// [`StreamWriter::failing`].
pub struct StreamWriter {
    inner: Box<dyn Write + Send>,
    on_error: OnError,
}

impl StreamWriter {
    /// A writer to stderr.
    pub fn stderr() -> StreamWriter {
        StreamWriter {
            inner: Box::new(io::stderr()),
            on_error: OnError::Quiet,
        }
    }

    fn named(inner: impl Write + Send + 'static, name: String) -> StreamWriter {
        StreamWriter {
            inner: Box::new(inner),
            on_error: OnError::Report(name),
        }
    }

    /// This writer with its write errors returned, `NAME: error`, instead of reported
    /// and swallowed (a closed pipe is still SIGPIPE first).
    pub fn failing(mut self) -> StreamWriter {
        if let OnError::Report(name) = self.on_error {
            self.on_error = OnError::Fail(name);
        }
        self
    }

    /// Reports `err` as this writer's rule says; the error to return, if any.
    fn failed(&self, err: io::Error) -> io::Result<()> {
        if let OnError::Report(name) = &self.on_error {
            diag!("sysfence: {name}: {}", error_text(&err));
        }
        if err.kind() == io::ErrorKind::BrokenPipe {
            // What SIGPIPE does is the process's choice (a tracer stops on it unless the
            // trace goes to -o for a command it started, as strace's); the writing
            // thread may block it (the printing thread blocks every signal), so it goes
            // to the process, whose other threads act on it.
            // SAFETY: kill(2) on our own pid with a constant signal.
            unsafe { libc::kill(libc::getpid(), libc::SIGPIPE) };
        }
        match &self.on_error {
            OnError::Fail(name) => Err(io::Error::new(
                err.kind(),
                format!("{name}: {}", error_text(&err)),
            )),
            _ => Ok(()),
        }
    }
}

impl Write for StreamWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.write_all(buf).map(|()| buf.len())
    }
    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match self.inner.write_all(buf) {
            Err(e) => self.failed(e),
            Ok(()) => Ok(()),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match self.inner.flush() {
            Err(e) => self.failed(e),
            Ok(()) => Ok(()),
        }
    }
}

/// Watches stderr, when it is a pipe, for its reader going away, and then sends this
/// process SIGPIPE at once, as a write would: a trace whose reader is gone (`2>&1 | head`)
/// ends then, not when the traced command next makes a syscall. The watching thread
/// blocks every signal and sleeps in poll(2) until the pipe reports an error.
pub fn watch_stderr_reader() {
    // SAFETY: fstat into a zeroed, live stat buffer.
    let is_pipe = unsafe {
        let mut st: libc::stat = std::mem::zeroed();
        libc::fstat(2, &mut st) == 0 && st.st_mode & libc::S_IFMT == libc::S_IFIFO
    };
    if !is_pipe {
        return;
    }
    let _ = std::thread::Builder::new()
        .name("stderr-watch".into())
        .spawn(|| {
            // SAFETY: blocking every signal in this thread only; poll on fd 2, which
            // sysfence never closes, with a live pollfd.
            unsafe {
                let mut all: libc::sigset_t = std::mem::zeroed();
                libc::sigfillset(&mut all);
                libc::pthread_sigmask(libc::SIG_BLOCK, &all, std::ptr::null_mut());
                let mut pfd = libc::pollfd {
                    fd: 2,
                    events: 0,
                    revents: 0,
                };
                loop {
                    let n = libc::poll(&mut pfd, 1, -1);
                    if n > 0 && pfd.revents & (libc::POLLERR | libc::POLLHUP) != 0 {
                        libc::kill(libc::getpid(), libc::SIGPIPE);
                        return;
                    }
                    if n < 0 && *libc::__errno_location() != libc::EINTR {
                        return;
                    }
                }
            }
        });
}

/// Where a stream goes, as given to `-o`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamTarget {
    /// A file, written in place.
    File(PathBuf),
    /// `|cmd` or `!cmd`: the stream is piped into `sh -c cmd`.
    Pipe(OsString),
}

impl StreamTarget {
    /// Reads an `-o` argument as strace does: a leading `|` or `!` pipes into a command.
    pub fn parse(arg: &Path) -> StreamTarget {
        let bytes = arg.as_os_str().as_bytes();
        match bytes.first() {
            Some(b'|' | b'!') => StreamTarget::Pipe(OsString::from_vec(bytes[1..].to_vec())),
            _ => StreamTarget::File(arg.to_path_buf()),
        }
    }
}

/// An open stream and, for a pipe, the command that reads it (waited for at close, so
/// its output is complete when sysfence exits, as strace waits for its `|cmd`).
pub struct Stream {
    /// The writer; clone-free: give it to exactly one owner.
    pub writer: StreamWriter,
    reader: Option<Child>,
}

/// The reader of a piped stream, to wait for once every writer is gone.
pub struct PipeReader(Option<Child>);

impl PipeReader {
    /// Waits for the command reading the pipe to end (after the pipe was closed). A
    /// tracer that reaped it already (it waits for any child) leaves nothing to wait for.
    pub fn wait(mut self) {
        if let Some(mut child) = self.0.take() {
            let _ = child.wait();
        }
    }
}

impl Stream {
    /// Opens `target` for writing: a file is created or truncated (appended to with
    /// `append`), a pipe's command started. Fails before anything runs, naming the file.
    pub fn open(target: &StreamTarget, append: bool) -> Result<Stream> {
        match target {
            StreamTarget::File(path) => {
                let file = open_stream_file(path, append)?;
                Ok(Stream {
                    writer: StreamWriter::named(file, path.display().to_string()),
                    reader: None,
                })
            }
            StreamTarget::Pipe(cmd) => {
                let mut child = Command::new("/bin/sh")
                    .arg("-c")
                    .arg(cmd)
                    .stdin(Stdio::piped())
                    .spawn()
                    .with_context(|| {
                        format!(
                            "cannot start the output command `{}`",
                            cmd.to_string_lossy()
                        )
                    })?;
                let stdin = child.stdin.take().expect("stdin was piped");
                let name = format!("|{}", cmd.to_string_lossy());
                Ok(Stream {
                    writer: StreamWriter::named(stdin, name),
                    reader: Some(child),
                })
            }
        }
    }

    /// Splits the stream into its writer and the reader to wait for at the end.
    pub fn into_parts(self) -> (StreamWriter, PipeReader) {
        (self.writer, PipeReader(self.reader))
    }
}

/// Opens a stream's file as strace's fopen does (mode 0666 minus the umask).
pub fn open_stream_file(path: &Path, append: bool) -> Result<File> {
    let mut opts = OpenOptions::new();
    opts.write(true).create(true);
    if append {
        opts.append(true);
    } else {
        opts.truncate(true);
    }
    opts.open(path)
        .map_err(|e| anyhow::anyhow!("cannot create {}: {}", path.display(), error_text(&e)))
}

/// A per-task stream file (`-ff`'s FILE.PID), reported as strace reports it if it cannot be
/// created; the trace of that task is then lost, the run goes on.
pub fn open_task_file(base: &Path, tid: i32, append: bool) -> StreamWriter {
    let mut name = base.as_os_str().to_os_string();
    name.push(format!(".{tid}"));
    let path = PathBuf::from(name);
    match open_stream_file(&path, append) {
        Ok(file) => StreamWriter::named(file, path.display().to_string()),
        Err(e) => {
            diag!("sysfence: {e:#}");
            StreamWriter::named(io::sink(), path.display().to_string())
        }
    }
}

/// Checks, before a command starts, that files named `BASE.SUFFIX` can be created: the
/// directory exists, is a directory and is writable.
pub fn check_creatable_in(base: &Path) -> Result<()> {
    let dir = dir_of(base);
    writable_dir(dir).map_err(|e| match e.raw_os_error() {
        Some(libc::ENOTDIR) => anyhow::anyhow!(
            "cannot create {}.PID: {} is not a directory",
            base.display(),
            dir.display()
        ),
        _ => anyhow::anyhow!(
            "cannot create {}.PID: {}: {}",
            base.display(),
            dir.display(),
            error_text(&e)
        ),
    })
}

/// Checks, before a long run, that a document can be written to `path` at its end: the
/// target (through its links) is no directory, and a new file could be made beside it.
pub fn check_document_target(path: &Path) -> Result<()> {
    let fail =
        |e: io::Error| anyhow::anyhow!("cannot write {}: {}", path.display(), error_text(&e));
    match placement(path).map_err(fail)? {
        Placement::InPlace(_) => Ok(()),
        Placement::Replace { path: target, .. } => writable_dir(dir_of(&target)).map_err(fail),
    }
}

/// The directory a new file named `path` goes into (`.` for a bare name).
fn dir_of(path: &Path) -> &Path {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

/// Whether we may create files in `dir`: it exists, is a directory (else ENOTDIR) and is
/// writable and searchable for our effective ids.
fn writable_dir(dir: &Path) -> io::Result<()> {
    if !std::fs::metadata(dir)?.is_dir() {
        return Err(io::Error::from_raw_os_error(libc::ENOTDIR));
    }
    let c = CString::new(dir.as_os_str().as_bytes())
        .map_err(|_| io::Error::from_raw_os_error(libc::EINVAL))?;
    // SAFETY: c is a live NUL-terminated string.
    let rc = unsafe {
        libc::faccessat(
            libc::AT_FDCWD,
            c.as_ptr(),
            libc::W_OK | libc::X_OK,
            libc::AT_EACCESS,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// Refuses to print binary data to a terminal (say: use `-o` or a pipe).
pub fn refuse_binary_to_terminal(what: &str) -> Result<()> {
    if io::stdout().is_terminal() {
        bail!("{what} is binary and stdout is a terminal: write it with -o FILE or into a pipe");
    }
    Ok(())
}

/// Writes a document to `path`, or to stdout when there is none (a reader that stopped
/// early is not an error there: the process ends as SIGPIPE would end it).
pub fn write_document(path: Option<&Path>, bytes: &[u8]) -> Result<()> {
    match path {
        None => {
            let mut out = io::stdout().lock();
            out.write_all(bytes)
                .and_then(|()| out.flush())
                .map_err(|e| anyhow::anyhow!("cannot write to stdout: {}", error_text(&e)))
        }
        Some(path) => replace_document(path, bytes)
            .map_err(|e| anyhow::anyhow!("cannot write {}: {}", path.display(), error_text(&e))),
    }
}

/// How a document reaches its target.
#[derive(Debug, PartialEq, Eq)]
enum Placement {
    /// Opened and written where it is (a device, a FIFO, a descriptor, a file with other
    /// hard links): never renamed over.
    InPlace(PathBuf),
    /// A new file (`existing` None), or a regular file replaced by a new one with the
    /// same mode and owner.
    Replace {
        path: PathBuf,
        existing: Option<Existing>,
    },
}

/// What a replaced file keeps.
#[derive(Debug, PartialEq, Eq)]
struct Existing {
    mode: u32,
    uid: u32,
    gid: u32,
}

/// Symlinks followed before a document gives up (the kernel's own limit).
const MAX_LINKS: usize = 40;

/// Decides where and how a document is written, following symlinks as shell redirection
/// does (the link stays a link; its final target is written).
fn placement(path: &Path) -> io::Result<Placement> {
    let mut current = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        // Descriptors of this or another process (/dev/stdout, /dev/fd/N, /proc/PID/fd/N)
        // are magic links to whatever is open there: write through them.
        if is_descriptor_path(&current) {
            return Ok(Placement::InPlace(current));
        }
        let meta = match std::fs::symlink_metadata(&current) {
            Ok(m) => m,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Ok(Placement::Replace {
                    path: current,
                    existing: None,
                });
            }
            Err(e) => return Err(e),
        };
        let kind = meta.file_type();
        if kind.is_symlink() {
            let link = std::fs::read_link(&current)?;
            current = match current.parent() {
                Some(dir) if link.is_relative() => dir.join(link),
                _ => link,
            };
            continue;
        }
        if kind.is_dir() {
            return Err(io::Error::from_raw_os_error(libc::EISDIR));
        }
        if !kind.is_file() || meta.nlink() > 1 {
            return Ok(Placement::InPlace(current));
        }
        return Ok(Placement::Replace {
            path: current,
            existing: Some(Existing {
                mode: meta.permissions().mode() & 0o7777,
                uid: meta.uid(),
                gid: meta.gid(),
            }),
        });
    }
    Err(io::Error::from_raw_os_error(libc::ELOOP))
}

fn is_descriptor_path(path: &Path) -> bool {
    let text = path.as_os_str().as_bytes();
    if matches!(text, b"/dev/stdin" | b"/dev/stdout" | b"/dev/stderr")
        || text.starts_with(b"/dev/fd/")
    {
        return true;
    }
    // /proc/self/fd/N, /proc/thread-self/fd/N, /proc/PID/fd/N, /proc/PID/task/TID/fd/N
    let mut parts = text.split(|&b| b == b'/').filter(|p| !p.is_empty());
    parts.next() == Some(b"proc".as_slice()) && parts.any(|p| p == b"fd")
}

/// The process's umask, read without changing it (/proc/self/status), else 022.
fn umask() -> u32 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("Umask:"))
                .and_then(|v| u32::from_str_radix(v.trim(), 8).ok())
        })
        .unwrap_or(0o022)
}

fn replace_document(path: &Path, bytes: &[u8]) -> io::Result<()> {
    match placement(path)? {
        Placement::InPlace(target) => {
            let mut f = OpenOptions::new().write(true).truncate(true).open(target)?;
            f.write_all(bytes)?;
            f.flush()
        }
        Placement::Replace { path, existing } => {
            // A new document is 0644 minus the umask; a replaced one keeps its mode.
            let (mode, owner) = match existing {
                Some(e) => (e.mode, Some((e.uid, e.gid))),
                None => (0o644 & !umask(), None),
            };
            replace_atomically(&path, bytes, mode, owner)
        }
    }
}

/// Writes `bytes` to a fresh, unguessable temporary name beside `path` (created with
/// O_EXCL|O_NOFOLLOW, mode 0600, so no planted name or link is ever followed), gives it
/// `mode` and `owner`, and renames it over `path`. A SIGINT/SIGTERM/SIGHUP meanwhile
/// removes the temporary file before the signal ends us.
fn replace_atomically(
    path: &Path,
    bytes: &[u8],
    mode: u32,
    owner: Option<(u32, u32)>,
) -> io::Result<()> {
    let dir = dir_of(path);
    let base = path
        .file_name()
        .ok_or_else(|| io::Error::from_raw_os_error(libc::EISDIR))?;
    let (tmp, mut file) = create_temporary(dir, base.as_bytes())?;
    let guard = TempGuard::arm(&tmp);
    let result = (|| {
        file.write_all(bytes)?;
        if let Some((uid, gid)) = owner {
            // Only root can give a file away; anyone else keeps the new file as theirs.
            match std::os::unix::fs::fchown(&file, Some(uid), Some(gid)) {
                Err(e) if e.raw_os_error() == Some(libc::EPERM) => {}
                other => other?,
            }
        }
        file.set_permissions(std::fs::Permissions::from_mode(mode))?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    guard.disarm();
    result
}

/// Creates `.BASE.XXXXXXXXXXXXXXXX.tmp` in `dir` with a random suffix, exclusively.
fn create_temporary(dir: &Path, base: &[u8]) -> io::Result<(PathBuf, File)> {
    for _ in 0..16 {
        let mut name = b".".to_vec();
        name.extend_from_slice(&base[..base.len().min(200)]);
        name.extend_from_slice(format!(".{:016x}.tmp", random_u64()?).as_bytes());
        let tmp = dir.join(OsString::from_vec(name));
        match OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
            .open(&tmp)
        {
            Ok(f) => return Ok((tmp, f)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::from_raw_os_error(libc::EEXIST))
}

fn random_u64() -> io::Result<u64> {
    let mut buf = [0u8; 8];
    // SAFETY: buf is a live, writable 8-byte buffer.
    let n = unsafe { libc::getrandom(buf.as_mut_ptr().cast(), buf.len(), 0) };
    if n != buf.len() as isize {
        return Err(io::Error::last_os_error());
    }
    Ok(u64::from_ne_bytes(buf))
}

/// The temporary file's name, for the signal handler to remove (NUL-terminated).
static mut TEMP_NAME: [u8; 4096] = [0; 4096];
static TEMP_ARMED: AtomicBool = AtomicBool::new(false);
const CLEANUP_SIGNALS: [i32; 3] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP];

extern "C" fn remove_temp_and_die(sig: libc::c_int) {
    if TEMP_ARMED.swap(false, Ordering::SeqCst) {
        // SAFETY: TEMP_NAME was written before TEMP_ARMED was set and is not written
        // while armed; unlink, signal and raise are async-signal-safe.
        unsafe { libc::unlink(std::ptr::addr_of!(TEMP_NAME).cast()) };
    }
    // SAFETY: as above.
    unsafe {
        libc::signal(sig, libc::SIG_DFL);
        libc::raise(sig);
    }
}

/// While alive, a fatal signal removes the temporary file before ending the process.
struct TempGuard {
    old: Vec<(i32, libc::sigaction)>,
}

impl TempGuard {
    fn arm(tmp: &Path) -> TempGuard {
        let name = tmp.as_os_str().as_bytes();
        if name.len() >= 4096 {
            return TempGuard { old: Vec::new() };
        }
        // SAFETY: not armed yet, so no handler reads TEMP_NAME now; one writer (documents
        // are written from the main thread).
        unsafe {
            let buf = &mut *std::ptr::addr_of_mut!(TEMP_NAME);
            buf[..name.len()].copy_from_slice(name);
            buf[name.len()] = 0;
        }
        TEMP_ARMED.store(true, Ordering::SeqCst);
        let mut old = Vec::new();
        for sig in CLEANUP_SIGNALS {
            // SAFETY: sigaction is plain data; the handler is async-signal-safe.
            unsafe {
                let mut sa: libc::sigaction = std::mem::zeroed();
                sa.sa_sigaction = remove_temp_and_die as *const () as usize;
                libc::sigemptyset(&mut sa.sa_mask);
                let mut prev: libc::sigaction = std::mem::zeroed();
                if libc::sigaction(sig, &sa, &mut prev) == 0 {
                    old.push((sig, prev));
                }
            }
        }
        TempGuard { old }
    }

    fn disarm(self) {
        TEMP_ARMED.store(false, Ordering::SeqCst);
        for (sig, prev) in &self.old {
            // SAFETY: restoring the action sigaction gave us.
            unsafe { libc::sigaction(*sig, prev, std::ptr::null_mut()) };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptor_paths_are_written_through() {
        for p in [
            "/dev/stdout",
            "/dev/fd/5",
            "/proc/self/fd/1",
            "/proc/123/task/124/fd/2",
        ] {
            assert!(is_descriptor_path(Path::new(p)), "{p}");
        }
        for p in ["/dev/null", "/proc/self/status", "/tmp/fd/x"] {
            assert!(!is_descriptor_path(Path::new(p)), "{p}");
        }
    }

    #[test]
    fn pipe_targets_are_read_as_strace_reads_them() {
        assert_eq!(
            StreamTarget::parse(Path::new("|cat -n")),
            StreamTarget::Pipe("cat -n".into())
        );
        assert_eq!(
            StreamTarget::parse(Path::new("!wc")),
            StreamTarget::Pipe("wc".into())
        );
        assert_eq!(
            StreamTarget::parse(Path::new("a|b")),
            StreamTarget::File("a|b".into())
        );
    }

    /// A SIGTERM while a document's temporary file exists removes it before the signal
    /// ends the process (checked in a forked child, which the signal kills).
    #[test]
    fn a_fatal_signal_removes_the_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let (tmp, file) = create_temporary(dir.path(), b"doc.json").unwrap();
        drop(file);
        assert!(tmp.exists());
        // SAFETY: the child only arms the guard (which allocates a small Vec: glibc's
        // fork keeps malloc usable in the child) and raises a signal.
        let pid = unsafe { libc::fork() };
        if pid == 0 {
            let _guard = TempGuard::arm(&tmp);
            // SAFETY: raising a signal in the child.
            unsafe {
                libc::raise(libc::SIGTERM);
                libc::_exit(0);
            }
        }
        let mut status = 0;
        // SAFETY: waiting for our own child into a live local.
        assert_eq!(unsafe { libc::waitpid(pid, &mut status, 0) }, pid);
        assert!(libc::WIFSIGNALED(status) && libc::WTERMSIG(status) == libc::SIGTERM);
        assert!(!tmp.exists(), "the temporary file outlived the signal");
    }

    #[test]
    fn temporary_names_are_fresh_and_never_follow_links() {
        let dir = tempfile::tempdir().unwrap();
        let (a, _) = create_temporary(dir.path(), b"x").unwrap();
        let (b, _) = create_temporary(dir.path(), b"x").unwrap();
        assert_ne!(a, b);
        let meta = std::fs::metadata(&a).unwrap();
        assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    }

    #[test]
    fn error_text_drops_the_os_error_number() {
        let e = io::Error::from_raw_os_error(libc::ENOSPC);
        assert_eq!(error_text(&e), "No space left on device");
    }
}
