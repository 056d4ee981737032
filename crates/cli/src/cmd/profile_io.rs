//! What `profile` and `run` share: reading a profile (with moby's includes resolved for this
//! host) and writing output files atomically.

use anyhow::{Context, Result, bail};
use policy::docker::{DOCKER_DEFAULT_CAPS, Resolve};
use policy::{Policy, Warning};
use std::io::Write;
use std::path::Path;
use syscalls::Arch;

/// How a moby profile's `includes`/`excludes` are resolved.
#[derive(clap::Args, Clone)]
pub struct ResolveArgs {
    /// Capabilities the container has, comma separated, as Docker writes them (CAP_SYS_ADMIN;
    /// prefix and case optional; ALL for every one, "" for none). Default: Docker's default set.
    #[arg(long, value_name = "CAP,...", value_delimiter = ',')]
    caps: Option<Vec<String>>,
    /// Kernel version MAJOR.MINOR compared with `minKernel` (default: the running kernel).
    #[arg(long, value_name = "X.Y")]
    kernel: Option<String>,
}

impl ResolveArgs {
    fn resolve(&self) -> Result<Resolve> {
        let kernel = match &self.kernel {
            Some(k) => parse_kernel(k)
                .with_context(|| format!("--kernel {k}: expected MAJOR.MINOR, e.g. 6.18"))?,
            None => running_kernel().unwrap_or((0, 0)),
        };
        let caps = match &self.caps {
            Some(c) => policy::docker::capabilities(c)
                .map_err(|e| anyhow::anyhow!("--caps {}: {e}", e.name))?,
            None => DOCKER_DEFAULT_CAPS.iter().map(|c| c.to_string()).collect(),
        };
        Ok(Resolve {
            host: Arch::native(),
            caps,
            kernel,
        })
    }
}

fn parse_kernel(text: &str) -> Option<(u32, u32)> {
    let mut parts = text.split(['.', '-']);
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    Some((major, minor))
}

fn running_kernel() -> Option<(u32, u32)> {
    parse_kernel(
        std::fs::read_to_string("/proc/sys/kernel/osrelease")
            .ok()?
            .trim(),
    )
}

/// Reads and imports a profile; warnings go to stderr.
pub fn load_policy(file: &Path, resolve: &ResolveArgs) -> Result<Policy> {
    let (policy, warnings) = load_policy_quietly(file, resolve)?;
    print_warnings(file, &warnings);
    Ok(policy)
}

/// Reads and imports a profile, returning the import warnings instead of printing them.
pub fn load_policy_quietly(file: &Path, resolve: &ResolveArgs) -> Result<(Policy, Vec<Warning>)> {
    import_policy(&read_profile(file)?, file, resolve)
}

/// The bytes of a profile file (a profile or raw BPF).
pub fn read_profile(file: &Path) -> Result<Vec<u8>> {
    std::fs::read(file).with_context(|| format!("cannot read profile {}", file.display()))
}

/// Imports a profile already read from `file`: errors name the file and the place.
pub fn import_policy(
    bytes: &[u8],
    file: &Path,
    resolve: &ResolveArgs,
) -> Result<(Policy, Vec<Warning>)> {
    let resolve = resolve.resolve()?;
    let imported = policy::load_bytes(bytes, &file.display().to_string(), &resolve)?;
    Ok((imported.policy, imported.warnings))
}

/// Prints import warnings as `sysfence: warning: FILE: PLACE: MESSAGE`.
pub fn print_warnings(file: &Path, warnings: &[Warning]) {
    for w in warnings {
        eprintln!("sysfence: warning: {}: {w}", file.display());
    }
}

/// Writes `bytes` to `path` atomically (temp file in the same directory, then rename), or to
/// stdout when there is no path (a closed pipe there is not an error).
pub fn write_output(path: Option<&Path>, bytes: &[u8]) -> Result<()> {
    let Some(path) = path else {
        let mut out = std::io::stdout().lock();
        return match out.write_all(bytes).and_then(|()| out.flush()) {
            // A reader that stopped early (`| head`) is not our failure.
            Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
            _ => Ok(()),
        };
    };
    write_atomic(path, bytes)
}

/// Writes a file so that readers see either the old or the whole new content.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let Some(base) = path.file_name() else {
        bail!("{} is not a file name", path.display());
    };
    let tmp = dir.join(format!(
        ".{}.tmp{}",
        base.to_string_lossy(),
        std::process::id()
    ));
    let result = (|| -> std::io::Result<()> {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(e).with_context(|| format!("cannot write {}", path.display()));
    }
    Ok(())
}
