//! Kubernetes Security Profiles Operator `SeccompProfile` (YAML). Exported as
//! `security-profiles-operator.x-k8s.io/v1beta1`, the version SPO releases serve; v1beta1
//! and v1 are imported. The CRD stores argument values as int64, so values above 2^63-1
//! cannot be expressed and are refused both ways.

use crate::docker::{self, Imported, RawProfile};
use crate::node::Node;
use crate::read::describe;
use crate::{Policy, PolicyError, UnknownKeys};

/// The API group of SPO's custom resources.
pub const GROUP: &str = "security-profiles-operator.x-k8s.io";

/// The apiVersion written on export.
pub const EXPORT_VERSION: &str = "security-profiles-operator.x-k8s.io/v1beta1";

const MAX_VALUE: u64 = i64::MAX as u64;

/// Parses a `SeccompProfile` resource. Errors name the line and column (YAML syntax) or
/// the field path (`spec.syscalls[0].names[1]`); a misspelt key is an error.
pub fn import(text: &str, file: &str) -> Result<Imported, PolicyError> {
    import_with(text, file, UnknownKeys::default())
}

/// The keys of a `SeccompProfile` resource.
const RESOURCE_KEYS: &[&str] = &["apiVersion", "kind", "metadata", "spec", "status"];

/// The keys SPO's spec adds to a seccomp profile's (`baseProfileName` is taken apart).
const SPEC_KEYS: &[&str] = &["disabled", "baseProfileName"];

/// Parses a `SeccompProfile` resource, treating unknown keys as `keys` says.
pub(crate) fn import_with(
    text: &str,
    file: &str,
    keys: UnknownKeys,
) -> Result<Imported, PolicyError> {
    check_nesting(text, file)?;
    // Straight into JSON values: no intermediate YAML tree, so a large file is held once.
    let value: Node = yaml_serde::from_str(text).map_err(|e| yaml_error(text, file, &e))?;
    let Node::Object(mut resource) = value else {
        return Err(crate::load::not_a_profile(
            file,
            text,
            &format!(
                "expected a JSON object with `defaultAction` or a SeccompProfile YAML resource, found {}",
                describe(&value)
            ),
        ));
    };
    let api = header(&mut resource, "apiVersion", file)?;
    let version = api.strip_prefix(GROUP).and_then(|v| v.strip_prefix('/'));
    if !matches!(version, Some("v1beta1" | "v1")) {
        return Err(PolicyError::invalid(
            file,
            "apiVersion",
            format!(
                "`{}` is not a supported SeccompProfile version: use {GROUP}/v1beta1 (or v1)",
                docker::shown(&api)
            ),
        ));
    }
    let kind = header(&mut resource, "kind", file)?;
    if kind != "SeccompProfile" {
        return Err(PolicyError::invalid(
            file,
            "kind",
            format!("kind `{}` is not SeccompProfile", docker::shown(&kind)),
        ));
    }
    let mut spec = crate::node::take(&mut resource, "spec").ok_or_else(|| {
        PolicyError::invalid(file, "spec", "missing: a SeccompProfile needs a spec")
    })?;
    let base = match spec.take("baseProfileName") {
        None | Some(Node::Null) => None,
        Some(Node::String(s)) => Some(s),
        Some(other) => {
            return Err(PolicyError::invalid(
                file,
                "spec.baseProfileName",
                format!("expected a profile name, found {}", describe(&other)),
            ));
        }
    };
    let _disabled = spec.take("disabled");
    let mut raw = crate::read::profile(spec, "spec", file, SPEC_KEYS)?;
    let others = resource
        .iter()
        .map(|(k, _)| k.as_str())
        .filter(|k| !matches!(*k, "metadata" | "status"));
    raw.unknown_keys
        .extend(crate::keys::unknown_keys(others, RESOURCE_KEYS, ""));
    check_values(&raw, "spec.syscalls", file)?;
    let mut imported = docker::from_raw(raw, file, None, "spec", keys)?;
    if let Some(base) = base {
        imported.warnings.push(crate::Warning {
            location: "spec.baseProfileName".into(),
            message: format!(
                "base profile `{}` is not merged in (SPO does that in the cluster): this policy holds only this resource's rules",
                docker::shown(&base)
            ),
        });
    }
    Ok(imported)
}

/// How deep `[`/`{` may nest: yaml_serde refuses more when deserializing, but only after
/// its parser has read every event, which for 100,000 levels takes seconds.
const MAX_FLOW_DEPTH: usize = 128;

/// Refuses flow collections nested deeper than [`MAX_FLOW_DEPTH`], before parsing. Quoted
/// text and comments are skipped; a bracket inside a plain word counts (erring on the side
/// of refusing only documents no profile resembles).
fn check_nesting(text: &str, file: &str) -> Result<(), PolicyError> {
    let bytes = text.as_bytes();
    let (mut depth, mut quote, mut comment) = (0usize, None, false);
    for (i, &b) in bytes.iter().enumerate() {
        match (quote, b) {
            _ if comment => comment = b != b'\n',
            (Some(q), _) if b == q => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') => quote = Some(b),
            (None, b'#') if i == 0 || bytes[i - 1].is_ascii_whitespace() => comment = true,
            (None, b'[' | b'{') => {
                depth += 1;
                if depth > MAX_FLOW_DEPTH {
                    return Err(PolicyError::invalid(
                        file,
                        crate::load::line_column(text, i),
                        format!(
                            "YAML nested deeper than {MAX_FLOW_DEPTH} levels: recursion limit exceeded"
                        ),
                    ));
                }
            }
            (None, b']' | b'}') => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

/// `apiVersion` or `kind`: a string that must be there.
fn header(
    resource: &mut Vec<(String, Node)>,
    field: &str,
    file: &str,
) -> Result<String, PolicyError> {
    match crate::node::take(resource, field) {
        Some(Node::String(s)) => Ok(s),
        None => Err(PolicyError::invalid(
            file,
            field,
            format!(
                "missing: a SeccompProfile resource starts with apiVersion: {EXPORT_VERSION} and kind: SeccompProfile"
            ),
        )),
        Some(other) => Err(PolicyError::invalid(
            file,
            field,
            format!("expected a string, found {}", describe(&other)),
        )),
    }
}

/// A YAML syntax error (or an alias bomb) at its line and column.
fn yaml_error(text: &str, file: &str, err: &yaml_serde::Error) -> PolicyError {
    let message = err.to_string();
    let Some(at) = err.location() else {
        // Errors without a position (too many alias expansions, several documents) are
        // about the document as a whole: place them where it starts.
        let why = if message.contains("repetition limit") {
            "its aliases (*name) expand to too many values: repetition limit exceeded".to_string()
        } else {
            message
        };
        return PolicyError::invalid(file, crate::load::start_of(text), format!("YAML: {why}"));
    };
    let location = format!("line {} column {}", at.line(), at.column());
    let problem = message.replacen(&format!(" at {location}"), "", 1);
    PolicyError::invalid(file, location, problem)
}

/// Refuses argument values that do not fit the CRD's int64; `at` names the syscalls list.
fn check_values(raw: &RawProfile, at: &str, file: &str) -> Result<(), PolicyError> {
    for (i, call) in raw.syscalls.iter().flatten().enumerate() {
        for (j, arg) in call.args.iter().flatten().enumerate() {
            for (field, v) in [("value", arg.value), ("valueTwo", arg.value_two)] {
                if v > MAX_VALUE {
                    return Err(PolicyError::invalid(
                        file,
                        format!("{at}[{i}].args[{j}].{field}"),
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
    let raw = docker::to_raw(policy)?;
    check_values(&raw, "exported syscalls", "")?;
    let mut spec = serde_json::to_value(raw).expect("a profile always serialises");
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
    let resource = serde_json::json!({
        "apiVersion": EXPORT_VERSION,
        "kind": "SeccompProfile",
        "metadata": {"name": name},
        "spec": spec,
    });
    yaml_serde::to_string(&resource)
        .map_err(|e| PolicyError::invalid("", "", format!("cannot write YAML: {e}")))
}
