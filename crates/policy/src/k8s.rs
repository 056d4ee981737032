//! Kubernetes Security Profiles Operator `SeccompProfile` (YAML). Exported as
//! `security-profiles-operator.x-k8s.io/v1beta1`, the version SPO releases serve; v1beta1
//! and v1 are imported. The CRD stores argument values as int64, so values above 2^63-1
//! cannot be expressed and are refused both ways.

use crate::docker::{self, Imported, RawProfile};
use crate::{Policy, PolicyError, oci};
use serde_json::Value;

/// The API group of SPO's custom resources.
pub const GROUP: &str = "security-profiles-operator.x-k8s.io";

/// The apiVersion written on export.
pub const EXPORT_VERSION: &str = "security-profiles-operator.x-k8s.io/v1beta1";

const MAX_VALUE: u64 = i64::MAX as u64;

/// Parses a `SeccompProfile` resource.
pub fn import(text: &str, file: &str) -> Result<Imported, PolicyError> {
    let yaml: yaml_serde::Value = yaml_serde::from_str(text).map_err(|e| {
        let location = e
            .location()
            .map(|l| format!("line {} column {}", l.line(), l.column()))
            .unwrap_or_default();
        PolicyError::invalid(file, location, e.to_string())
    })?;
    let value = serde_json::to_value(&yaml)
        .map_err(|e| PolicyError::invalid(file, "", format!("not a SeccompProfile: {e}")))?;
    let api = value
        .get("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or("");
    let version = api.strip_prefix(GROUP).and_then(|v| v.strip_prefix('/'));
    if !matches!(version, Some("v1beta1" | "v1")) {
        return Err(PolicyError::invalid(
            file,
            "apiVersion",
            format!(
                "`{api}` is not a supported SeccompProfile version: use {GROUP}/v1beta1 (or v1)"
            ),
        ));
    }
    let kind = value.get("kind").and_then(Value::as_str).unwrap_or("");
    if kind != "SeccompProfile" {
        return Err(PolicyError::invalid(
            file,
            "kind",
            format!("kind `{kind}` is not SeccompProfile"),
        ));
    }
    let spec = value.get("spec").cloned().ok_or_else(|| {
        PolicyError::invalid(file, "spec", "missing: a SeccompProfile needs a spec")
    })?;
    check_values(&spec, file)?;
    let base = spec
        .get("baseProfileName")
        .and_then(Value::as_str)
        .map(str::to_string);
    let raw: RawProfile = serde_json::from_value(spec)
        .map_err(|e| PolicyError::invalid(file, "spec", e.to_string()))?;
    let mut imported = docker::from_raw(raw, file, None)?;
    if let Some(base) = base {
        imported.warnings.push(crate::Warning {
            location: "spec.baseProfileName".into(),
            message: format!(
                "base profile `{base}` is not merged in (SPO does that in the cluster): this policy holds only this resource's rules"
            ),
        });
    }
    Ok(imported)
}

/// Refuses argument values that do not fit the CRD's int64 (and negative ones).
fn check_values(spec: &Value, file: &str) -> Result<(), PolicyError> {
    let calls = spec.get("syscalls").and_then(Value::as_array);
    for (i, call) in calls.into_iter().flatten().enumerate() {
        let args = call.get("args").and_then(Value::as_array);
        for (j, arg) in args.into_iter().flatten().enumerate() {
            for field in ["value", "valueTwo"] {
                let Some(v) = arg.get(field) else { continue };
                let ok = v.as_u64().is_some_and(|n| n <= MAX_VALUE);
                if !ok {
                    return Err(PolicyError::invalid(
                        file,
                        format!("spec.syscalls[{i}].args[{j}].{field}"),
                        format!(
                            "{v} is outside 0..=9223372036854775807: the SeccompProfile CRD stores int64; use the Docker or OCI format for larger values"
                        ),
                    ));
                }
            }
        }
    }
    Ok(())
}

/// Writes a policy as a `SeccompProfile` named `name` (YAML).
pub fn export(policy: &Policy, name: &str) -> Result<String, PolicyError> {
    let mut spec = oci::to_value(policy)?;
    // The CRD has no defaultErrnoRet: a default ERRNO is EPERM there.
    if let Some(object) = spec.as_object_mut()
        && let Some(ret) = object.remove("defaultErrnoRet")
        && ret != 1
    {
        return Err(PolicyError::invalid(
            "",
            "defaultAction",
            format!(
                "the default action returns errno {ret}, but a SeccompProfile's default ERRNO is always EPERM: use the Docker or OCI format"
            ),
        ));
    }
    check_values(&spec, "").map_err(|e| PolicyError {
        location: e.location.replace("spec.syscalls", "exported syscalls"),
        ..e
    })?;
    let resource = serde_json::json!({
        "apiVersion": EXPORT_VERSION,
        "kind": "SeccompProfile",
        "metadata": {"name": name},
        "spec": spec,
    });
    yaml_serde::to_string(&resource)
        .map_err(|e| PolicyError::invalid("", "", format!("cannot write YAML: {e}")))
}
