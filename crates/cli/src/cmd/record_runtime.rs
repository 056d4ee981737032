//! `sysfence record --runtime`: the container runtime a profile is for, whose own init
//! makes calls under the container's filter that no host recording sees.

use super::profile::OutputFormat;
use crate::output::diag;
use policy::Policy;
use record::runtime::Runtime;

/// The values of `--runtime`.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(super) enum RuntimeArg {
    /// runc (Docker's, containerd's and CRI-O's default): allow what its init calls
    /// after it installs the filter.
    Runc,
    /// No runtime: only what the command called (for a profile `sysfence run` or
    /// systemd installs, or a runtime that installs the filter at exec).
    None,
}

/// The runtime whose calls go into the profile: the one given, else runc for the formats
/// containers read (oci, k8s), else none.
pub(super) fn chosen(arg: Option<RuntimeArg>, format: OutputFormat) -> Option<Runtime> {
    match arg {
        Some(RuntimeArg::Runc) => Some(Runtime::Runc),
        Some(RuntimeArg::None) => None,
        None if matches!(format, OutputFormat::Oci | OutputFormat::K8s) => Some(Runtime::Runc),
        None => None,
    }
}

/// Adds `runtime`'s calls to `policy`, says on stderr which ones it added and returns
/// them.
pub(super) fn admit(
    runtime: Option<Runtime>,
    policy: &mut Policy,
    per_abi: bool,
) -> Vec<&'static str> {
    let Some(runtime) = runtime else {
        return Vec::new();
    };
    let added = runtime.admit(policy, per_abi);
    if !added.is_empty() {
        diag!(
            "sysfence: --runtime {}: also allowed, for what its init calls under the container's filter: {}",
            runtime.name(),
            added.join(", ")
        );
    }
    added
}
