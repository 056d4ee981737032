//! OCI runtime-spec `linux.seccomp`: the object runc reads from `config.json`. It is moby's
//! format without `includes`/`excludes`/`archMap`, plus `flags` and `listenerPath`.

use crate::docker::{self, Imported};
use crate::node::Node;
use crate::{Policy, PolicyError, UnknownKeys};
use serde_json::Value;

/// Parses an OCI seccomp object, or a whole `config.json` (its `linux.seccomp` is used).
pub fn import(text: &str, file: &str) -> Result<Imported, PolicyError> {
    let value: Node = serde_json::from_str(text).map_err(|e| PolicyError::from_json(file, &e))?;
    from_value(value, file, UnknownKeys::default())
}

/// Imports a parsed seccomp object or `config.json`; errors name paths inside it
/// (`linux.seccomp.syscalls[3].names[0]` in a `config.json`).
pub(crate) fn from_value(
    mut value: Node,
    file: &str,
    keys: UnknownKeys,
) -> Result<Imported, PolicyError> {
    let whole_config = value.get("ociVersion").is_some() || value.get("linux").is_some();
    if !whole_config {
        let raw = crate::read::profile(value, "", file, &[])?;
        return docker::from_raw(raw, file, None, "", keys);
    }
    let mut misspelt = None;
    let seccomp = match value.take("linux") {
        Some(Node::Object(mut linux)) => {
            misspelt = linux
                .iter()
                .map(|(k, _)| k)
                .find(|k| *k != "seccomp" && crate::keys::looks_misspelt(k, "seccomp"))
                .cloned();
            crate::node::take(&mut linux, "seccomp")
        }
        Some(other) => {
            return Err(PolicyError::invalid(
                file,
                "linux",
                format!(
                    "expected an object (with `seccomp`), found {}",
                    crate::read::describe(&other)
                ),
            ));
        }
        None => None,
    };
    let Some(seccomp) = seccomp.filter(|s| *s != Node::Null) else {
        let hint = match misspelt {
            Some(k) => format!(
                " (`linux.{}` looks like a misspelt `linux.seccomp`: fix the spelling)",
                docker::shown(&k)
            ),
            None => String::new(),
        };
        return Err(PolicyError::invalid(
            file,
            "linux.seccomp",
            format!("this config.json has no seccomp section{hint}"),
        ));
    };
    let raw = crate::read::profile(seccomp, "linux.seccomp", file, &[])?;
    docker::from_raw(raw, file, None, "linux.seccomp", keys)
}

/// The `linux.seccomp` object for a policy, as a JSON value to embed in a `config.json`.
pub fn to_value(policy: &Policy) -> Result<Value, PolicyError> {
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
