//! What `profile` and `run` share: reading a profile (with moby's includes resolved for this
//! host).

use crate::output::diag;
use anyhow::{Context, Result};
use policy::docker::{DOCKER_DEFAULT_CAPS, Resolve};
use policy::{Policy, UnknownKeys, Warning};
use std::path::Path;
use syscalls::Arch;

/// How a profile is read: how a moby profile's `includes`/`excludes` are resolved, and
/// whether a misspelt key may pass.
#[derive(clap::Args, Clone)]
pub struct ResolveArgs {
    /// Capabilities the container has, comma separated, as Docker writes them (CAP_SYS_ADMIN;
    /// prefix and case optional; ALL for every one, "" for none). Default: Docker's default set.
    #[arg(long, value_name = "CAP,...", value_delimiter = ',')]
    caps: Option<Vec<String>>,
    /// Kernel version MAJOR.MINOR compared with `minKernel` (default: the running kernel).
    #[arg(long, value_name = "X.Y")]
    kernel: Option<String>,
    /// Read a profile with a key that looks like a misspelt known key (`sycalls`) anyway,
    /// ignoring the key with a warning, as Docker and runc do. Without it that is an error.
    #[arg(long)]
    allow_unknown_keys: bool,
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
    let keys = if resolve.allow_unknown_keys {
        UnknownKeys::Warn
    } else {
        UnknownKeys::RefuseTypos
    };
    let resolve = resolve.resolve()?;
    let imported = policy::load_bytes_with(bytes, &file.display().to_string(), &resolve, keys)?;
    Ok((imported.policy, imported.warnings))
}

/// Prints import warnings as `sysfence: warning: FILE: PLACE: MESSAGE`.
pub fn print_warnings(file: &Path, warnings: &[Warning]) {
    for w in warnings {
        diag!("sysfence: warning: {}: {w}", file.display());
    }
}
