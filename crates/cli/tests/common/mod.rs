//! Helpers shared by the integration tests: the binary, the fixture programs, and turning
//! expected strace lines with placeholders into patterns.

#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Command, Output};
use std::sync::Once;

pub mod processes;
pub mod runc;
pub mod sequences;
pub mod watching;

/// Builds the C program `source` (a path) with `gcc -O1 -Wall -Werror FLAGS` as `out`;
/// None after a loud skip (a failure under CI) when gcc, or with -m32 its i386 libraries,
/// is missing.
pub fn build_c(source: &str, out: &std::path::Path, flags: &[&str]) -> Option<PathBuf> {
    use sysfence_fixtures::tools::{GCC_MULTILIB, require, skip_or_fail};
    let gcc = require(GCC_MULTILIB)?;
    let built = Command::new(gcc)
        .args(["-O1", "-Wall", "-Werror"])
        .args(flags)
        .arg("-o")
        .arg(out)
        .arg(source)
        .output()
        .unwrap();
    if !built.status.success() {
        skip_or_fail(&format!(
            "gcc {flags:?} cannot build {source} (apt-get install gcc-multilib): {}",
            String::from_utf8_lossy(&built.stderr)
        ));
        return None;
    }
    Some(out.to_path_buf())
}

/// The `gcc -m32` build of `socketcall_connect.c` (socket and connect through i386's
/// socketcall) as `dir/name`; None after build_c's loud skip.
pub fn socketcall_connect(dir: &std::path::Path, name: &str) -> Option<PathBuf> {
    let source = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../fixtures/c/socketcall_connect.c"
    );
    build_c(source, &dir.join(name), &["-m32"])
}

/// `sysfence record ARGS -- COMMAND`, run to its end.
pub fn record(args: &[&str], command: &[&str]) -> Output {
    sysfence()
        .arg("record")
        .args(args)
        .arg("--")
        .args(command)
        .output()
        .unwrap()
}

/// `sysfence run --profile PROFILE -- COMMAND`, run to its end.
pub fn run_under(profile: &std::path::Path, command: &[&str]) -> Output {
    sysfence()
        .arg("run")
        .arg("--profile")
        .arg(profile)
        .arg("--")
        .args(command)
        .output()
        .unwrap()
}

/// The `sysfence` binary under test.
pub fn sysfence() -> Command {
    Command::new(env!("CARGO_BIN_EXE_sysfence"))
}

fn target_dir() -> PathBuf {
    // <target>/<profile>/deps/<test binary>
    let exe = std::env::current_exe().expect("test binary path");
    exe.parent()
        .and_then(|p| p.parent())
        .and_then(|p| p.parent())
        .expect("target directory")
        .to_path_buf()
}

/// The path of fixture program `name`, built on first use.
pub fn fixture(name: &str) -> PathBuf {
    static BUILD: Once = Once::new();
    let target = target_dir();
    BUILD.call_once(|| {
        let status = Command::new(env!("CARGO"))
            .args([
                "build",
                "-q",
                "-p",
                "sysfence-fixtures",
                "--bins",
                "--target-dir",
            ])
            .arg(&target)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .status()
            .expect("cargo runs");
        assert!(status.success(), "building the fixtures failed");
    });
    target.join("debug").join(name)
}

/// Runs `sysfence trace ARGS...`, returning its output.
pub fn trace(args: &[&str]) -> Output {
    sysfence()
        .arg("trace")
        .args(args)
        .output()
        .expect("sysfence runs")
}

/// The descriptors this process passes on to the programs it starts: the open ones without
/// close-on-exec (a shell's `3</dev/null`, a make jobserver's pipe).
pub fn inherited_fds() -> Vec<i32> {
    let mut fds: Vec<i32> = std::fs::read_dir("/proc/self/fd")
        .expect("/proc/self/fd")
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
        .filter(|&fd| {
            // SAFETY: F_GETFD only reads a descriptor's flags; a closed one fails (EBADF).
            let flags = unsafe { libc::fcntl(fd, libc::F_GETFD) };
            flags >= 0 && flags & libc::FD_CLOEXEC == 0
        })
        .collect();
    fds.sort_unstable();
    fds
}

/// The first `n` descriptors a program started now gets from open(), socket(), dup()...:
/// the lowest numbers above stderr that it does not inherit (3, 4, 5... when none is).
pub fn next_fds(n: usize) -> Vec<i32> {
    let taken = inherited_fds();
    (3..).filter(|fd| !taken.contains(fd)).take(n).collect()
}

/// Set in the run of `passes_with_descriptors_3_and_4_taken`.
const FDS_TAKEN: &str = "SYSFENCE_TEST_FDS_TAKEN";

/// Runs every test of this test binary again with descriptors 3 and 4 inherited (open on
/// /dev/null, as a shell's `3</dev/null 4</dev/null` leaves them), and asserts they pass:
/// no expectation may take 3 for the first descriptor a traced program gets. In that run
/// the calling test asserts that 3 and 4 are inherited indeed.
pub fn passes_with_descriptors_3_and_4_taken() {
    use std::os::fd::AsRawFd;
    use std::os::unix::process::CommandExt;
    if std::env::var_os(FDS_TAKEN).is_some() {
        let fds = inherited_fds();
        assert!(fds.contains(&3) && fds.contains(&4), "inherited: {fds:?}");
        return;
    }
    let null = std::fs::File::open("/dev/null").expect("/dev/null");
    let null_fd = null.as_raw_fd();
    let mut run = Command::new(std::env::current_exe().expect("test binary path"));
    run.env(FDS_TAKEN, "1").arg("-q");
    // SAFETY: between fork and exec only async-signal-safe calls (fcntl, dup2, close) on
    // descriptor numbers; a copy above 4 first, as /dev/null may itself be 3 or 4.
    unsafe {
        run.pre_exec(move || {
            let copy = libc::fcntl(null_fd, libc::F_DUPFD, 64);
            if copy < 0 || libc::dup2(copy, 3) < 0 || libc::dup2(copy, 4) < 0 {
                return Err(std::io::Error::last_os_error());
            }
            libc::close(copy);
            Ok(())
        });
    }
    let out = run.output().expect("the test binary runs again");
    assert!(
        out.status.success(),
        "with descriptors 3 and 4 inherited:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `expected` with `{FD0}`, `{FD1}`... replaced by the descriptors a program started now
/// gets first (`next_fds`) and `{FD1+1}` by one more (select's nfds); where the line was
/// aligned, its ` = ` is re-aligned to strace's column 40 for the new length.
pub fn with_fds(expected: &str) -> String {
    let placeholder = regex::Regex::new(r"\{FD(\d+)(?:\+(\d+))?\}").expect("valid pattern");
    if !placeholder.is_match(expected) {
        return expected.to_string();
    }
    let fds = next_fds(10);
    let line = placeholder.replace_all(expected, |c: &regex::Captures<'_>| {
        let fd = fds[c[1].parse::<usize>().expect("index")];
        let more: i32 = c.get(2).map_or(0, |m| m.as_str().parse().expect("offset"));
        (fd + more).to_string()
    });
    // strace prints `CALL ` and pads to column 40 before `= `; a single space means the
    // call reached the column already, and still does with a longer number.
    let aligned = regex::Regex::new(r"^(.*?\))  +(= .*)$").expect("valid pattern");
    match aligned.captures(&line) {
        Some(c) => format!("{:<40}{}", format!("{} ", &c[1]), &c[2]),
        None => line.into_owned(),
    }
}

/// Turns an expected line with placeholders into an anchored regex: `{ADDR}` a hex
/// address, `{PID}` and `{N}` a decimal number (after any of these the padding before `=`
/// is free), `{ANY}` anything, and `{FD0}`, `{FD1}`... the descriptors of `with_fds`.
pub fn line_pattern(expected: &str) -> regex::Regex {
    let expected = with_fds(expected);
    let expected = expected.as_str();
    let mut re = regex::escape(expected);
    if ["{ADDR}", "{PID}", "{N}"]
        .iter()
        .any(|p| expected.contains(p))
    {
        // The alignment padding depends on the number's length: accept any, also where
        // the expected line is aligned for a one-digit number.
        let pad = regex::Regex::new(r"\\\) +=\s").expect("valid pattern");
        re = pad.replace_all(&re, r"\) +=\s").into_owned();
    }
    for (ph, pat) in [
        (r"\{ADDR\}", "0x[0-9a-f]+"),
        (r"\{PID\}", "[0-9]+"),
        (r"\{N\}", "[0-9]+"),
        (r"\{ANY\}", ".*"),
    ] {
        re = re.replace(ph, pat);
    }
    regex::Regex::new(&format!("^{re}$")).expect("valid pattern")
}

/// Asserts that `text` has a line matching each of `expected` (placeholders allowed), in order.
pub fn assert_lines_in_order(text: &str, expected: &[&str]) {
    let mut lines = text.lines();
    for want in expected {
        let re = line_pattern(want);
        assert!(
            lines.any(|l| re.is_match(l)),
            "no line matching\n  {want}\n(in order) in the trace:\n{text}"
        );
    }
}

/// The state letter of /proc/PID/stat (R, S, t, T, Z...), or None when gone.
pub fn proc_state(pid: u32) -> Option<char> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after = stat.rsplit_once(')')?.1;
    after.trim_start().chars().next()
}

/// The TracerPid of a process.
pub fn tracer_pid(pid: u32) -> Option<u32> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("TracerPid:"))
        .and_then(|v| v.trim().parse().ok())
}

#[allow(unused_imports)]
pub use sysfence_fixtures::tools::{BUSYBOX, RUNC, STRACE, Tool, in_path, require, skip_or_fail};
