//! Kubernetes Security Profiles Operator `SeccompProfile` (YAML). Exported as
//! `security-profiles-operator.x-k8s.io/v1beta1`, the version SPO releases serve; v1beta1
//! and v1 are imported. The CRD stores argument values as int64, so values above 2^63-1
//! cannot be expressed and are refused both ways.

use crate::docker::{self, Imported, RawProfile};
use crate::read::describe;
use crate::{Policy, PolicyError};
use serde_json::Value;

/// The API group of SPO's custom resources.
pub const GROUP: &str = "security-profiles-operator.x-k8s.io";

/// The apiVersion written on export.
pub const EXPORT_VERSION: &str = "security-profiles-operator.x-k8s.io/v1beta1";

const MAX_VALUE: u64 = i64::MAX as u64;

/// Parses a `SeccompProfile` resource. Errors name the line and column (YAML syntax) or
/// the field path (`spec.syscalls[0].names[1]`).
pub fn import(text: &str, file: &str) -> Result<Imported, PolicyError> {
    check_nesting(text, file)?;
    // Straight into JSON values: no intermediate YAML tree, so a large file is held once.
    let FromYaml(value) = yaml_serde::from_str(text).map_err(|e| yaml_error(text, file, &e))?;
    let Value::Object(mut resource) = value else {
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
    let mut spec = resource.remove("spec").ok_or_else(|| {
        PolicyError::invalid(file, "spec", "missing: a SeccompProfile needs a spec")
    })?;
    let base = match spec
        .as_object_mut()
        .and_then(|s| s.remove("baseProfileName"))
    {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s),
        Some(other) => {
            return Err(PolicyError::invalid(
                file,
                "spec.baseProfileName",
                format!("expected a profile name, found {}", describe(&other)),
            ));
        }
    };
    let raw = crate::read::profile(spec, "spec", file)?;
    check_values(&raw, "spec.syscalls", file)?;
    let mut imported = docker::from_raw(raw, file, None, "spec")?;
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
    resource: &mut serde_json::Map<String, Value>,
    field: &str,
    file: &str,
) -> Result<String, PolicyError> {
    match resource.remove(field) {
        Some(Value::String(s)) => Ok(s),
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

/// A JSON value read from YAML. Integers beyond 64 bits become floats, as serde_json reads
/// them from JSON, so both formats give them the same "expected an unsigned integer" error.
struct FromYaml(Value);

impl<'de> serde::Deserialize<'de> for FromYaml {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<FromYaml, D::Error> {
        d.deserialize_any(YamlVisitor).map(FromYaml)
    }
}

/// A mapping key as a field name (scalars spelt as written: `1`, `true`, `null`).
struct YamlKey(String);

impl<'de> serde::Deserialize<'de> for YamlKey {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<YamlKey, D::Error> {
        match d.deserialize_any(YamlVisitor)? {
            Value::String(s) => Ok(YamlKey(s)),
            key @ (Value::Array(_) | Value::Object(_)) => Err(serde::de::Error::custom(format!(
                "expected a field name as a mapping key, found {}",
                describe(&key)
            ))),
            other => Ok(YamlKey(other.to_string())),
        }
    }
}

struct YamlVisitor;

impl<'de> serde::de::Visitor<'de> for YamlVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a plain YAML value (no tags)")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_i128<E>(self, v: i128) -> Result<Value, E> {
        Ok(float(v as f64))
    }

    fn visit_u128<E>(self, v: u128) -> Result<Value, E> {
        Ok(float(v as f64))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        // JSON has no NaN or infinity: keep `.nan`/`.inf` as the text YAML wrote.
        Ok(serde_json::Number::from_f64(v)
            .map_or_else(|| Value::String(v.to_string()), Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(YamlVisitor)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(FromYaml(v)) = seq.next_element()? {
            items.push(v);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut fields = serde_json::Map::new();
        while let Some(YamlKey(k)) = map.next_key()? {
            let FromYaml(v) = map.next_value()?;
            fields.insert(k, v);
        }
        Ok(Value::Object(fields))
    }
}

/// A float as a JSON number; JSON has no NaN or infinity, so those stay text (`inf`).
fn float(v: f64) -> Value {
    serde_json::Number::from_f64(v).map_or_else(|| Value::String(v.to_string()), Value::Number)
}
