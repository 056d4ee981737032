//! OCI runtime-spec `linux.seccomp`: the object runc reads from `config.json`. It is moby's
//! format without `includes`/`excludes`/`archMap`, plus `flags` and `listenerPath`.

use crate::docker::{self, Imported, RawProfile};
use crate::{Policy, PolicyError};

/// Parses an OCI seccomp object, or a whole `config.json` (its `linux.seccomp` is used).
pub fn import(text: &str, file: &str) -> Result<Imported, PolicyError> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| PolicyError::from_json(file, &e))?;
    let object = match value.pointer("/linux/seccomp") {
        Some(inner) => inner.clone(),
        None if value.get("ociVersion").is_some() => {
            return Err(PolicyError::invalid(
                file,
                "linux.seccomp",
                "this config.json has no seccomp section",
            ));
        }
        None => value,
    };
    let raw: RawProfile = serde_json::from_value(object)
        .map_err(|e| PolicyError::invalid(file, "linux.seccomp", e.to_string()))?;
    docker::from_raw(raw, file, None)
}

/// The `linux.seccomp` object for a policy, as a JSON value to embed in a `config.json`.
pub fn to_value(policy: &Policy) -> Result<serde_json::Value, PolicyError> {
    let raw = docker::to_raw(policy)?;
    Ok(serde_json::to_value(raw).expect("a profile always serialises"))
}

/// Writes the `linux.seccomp` object for a policy (pretty JSON, newline-terminated).
pub fn export(policy: &Policy) -> Result<String, PolicyError> {
    let mut text =
        serde_json::to_string_pretty(&to_value(policy)?).expect("a profile always serialises");
    text.push('\n');
    Ok(text)
}
