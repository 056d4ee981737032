//! Reading a profile whose format is not named: moby JSON, an OCI `linux.seccomp` object,
//! a whole OCI `config.json`, or a Kubernetes `SeccompProfile` (YAML).

use crate::docker::{self, Imported, Resolve};
use crate::{PolicyError, k8s, oci};

/// Detects the format of `text` and imports it; `resolve` applies to moby profiles.
pub fn load(text: &str, file: &str, resolve: &Resolve) -> Result<Imported, PolicyError> {
    if !looks_like_json(text.as_bytes()) {
        return k8s::import(text, file);
    }
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

/// Whether `bytes` are a profile (text) rather than a raw BPF program (which always holds
/// NUL bytes: every instruction's opcode has a zero high byte).
pub fn is_profile_text(bytes: &[u8]) -> bool {
    !bytes.contains(&0) && std::str::from_utf8(bytes).is_ok()
}
