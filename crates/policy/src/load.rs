//! Reading a profile whose format is not named: moby JSON, an OCI `linux.seccomp` object
//! or a whole OCI `config.json`.

use crate::docker::{self, Imported, Resolve};
use crate::{PolicyError, oci};

/// The profile formats sysfence reads and writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Docker/moby seccomp JSON (`includes`/`excludes` resolved on import).
    Docker,
    /// OCI runtime-spec `linux.seccomp`.
    Oci,
}

/// Detects the format of `text` and imports it; `resolve` applies to moby profiles.
pub fn load(text: &str, file: &str, resolve: &Resolve) -> Result<Imported, PolicyError> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| PolicyError::from_json(file, &e))?;
    if value.get("ociVersion").is_some() || value.get("linux").is_some() {
        return oci::import(text, file);
    }
    if !value.is_object() {
        return Err(PolicyError::invalid(
            file,
            "",
            "not a seccomp profile: expected a JSON object with `defaultAction`",
        ));
    }
    docker::import(text, file, resolve)
}

/// Whether `bytes` look like a JSON document rather than raw BPF.
pub fn looks_like_json(bytes: &[u8]) -> bool {
    bytes
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| *b == b'{')
}
