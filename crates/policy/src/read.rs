//! Reading a parsed profile document (a JSON value, whether it came from JSON or YAML) into
//! the raw moby/OCI structures. Every type error names the field path (`syscalls[3].names[0]`)
//! and says, in profile terms, what was expected and what was found.

use crate::PolicyError;
use crate::docker::{RawArchMap, RawArg, RawFilter, RawProfile, RawSyscall};
use crate::keys::{UnknownKey, unknown_keys};
use crate::node::Node;
use std::cell::RefCell;
use std::fmt;

/// Where a value sits in the document: built on the stack, formatted only for an error.
#[derive(Clone, Copy)]
pub(crate) enum Path<'a> {
    /// The object the profile is read from: `""`, `linux.seccomp` or `spec`.
    Root(&'a str),
    /// A field of an object.
    Field(&'a Path<'a>, &'a str),
    /// An element of a list.
    Index(&'a Path<'a>, usize),
}

impl Path<'_> {
    /// The path of field `name` under this one.
    fn field<'b>(&'b self, name: &'b str) -> Path<'b> {
        Path::Field(self, name)
    }

    /// The path of element `i` under this one.
    fn index(&self, i: usize) -> Path<'_> {
        Path::Index(self, i)
    }
}

impl fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Path::Root(prefix) => f.write_str(prefix),
            Path::Field(Path::Root(""), name) => f.write_str(name),
            Path::Field(parent, name) => write!(f, "{parent}.{name}"),
            Path::Index(parent, i) => write!(f, "{parent}[{i}]"),
        }
    }
}

/// What a value is, for "expected X, found Y" (long strings cut short).
pub(crate) fn describe(value: &Node) -> String {
    match value {
        Node::Null => "null".into(),
        Node::Bool(b) => format!("`{b}`"),
        Node::Number(n) => format!("the number {n}"),
        Node::String(s) => format!("the string \"{}\"", crate::docker::shown(s)),
        Node::Array(_) => "a list".into(),
        Node::Object(_) => "an object".into(),
    }
}

/// Reads the fields of one document, noting the keys the format does not define.
struct Reader<'f> {
    file: &'f str,
    /// The keys a profile object has in this format: [`PROFILE_KEYS`] and a format's own.
    profile_keys: Vec<&'static str>,
    unknown: RefCell<Vec<UnknownKey>>,
}

impl Reader<'_> {
    fn wrong(&self, at: &Path, expected: &str, found: &Node) -> PolicyError {
        PolicyError::invalid(
            self.file,
            at.to_string(),
            format!("expected {expected}, found {}", describe(found)),
        )
    }

    fn object(&self, value: Node, at: &Path, expected: &str) -> Result<Fields, PolicyError> {
        match value {
            Node::Object(fields) => Ok(Fields {
                fields,
                variants: Vec::new(),
            }),
            other => Err(self.wrong(at, expected, &other)),
        }
    }

    fn string(&self, value: Node, at: &Path, expected: &str) -> Result<String, PolicyError> {
        match value {
            Node::String(s) => Ok(s),
            other => Err(self.wrong(at, expected, &other)),
        }
    }

    /// An unsigned integer: `1e3`, `-1`, `null`, strings and integers beyond 64 bits are
    /// type errors.
    fn uint(&self, value: Node, at: &Path) -> Result<u64, PolicyError> {
        match &value {
            Node::Number(n) if n.is_u64() => Ok(n.as_u64().unwrap_or_default()),
            Node::Number(n) if n.is_f64() => Err(PolicyError::invalid(
                self.file,
                at.to_string(),
                format!(
                    "expected an unsigned integer, found the number {n} (written with a fraction or an exponent, or beyond 64 bits)"
                ),
            )),
            _ => Err(self.wrong(at, "an unsigned integer", &value)),
        }
    }

    /// A list read element by element; `null` counts as absent, as Go's encoding/json has it.
    fn list<T>(
        &self,
        value: Node,
        at: &Path,
        expected: &str,
        mut element: impl FnMut(Node, &Path) -> Result<T, PolicyError>,
    ) -> Result<Option<Vec<T>>, PolicyError> {
        match value {
            Node::Null => Ok(None),
            Node::Array(items) => items
                .into_iter()
                .enumerate()
                .map(|(i, v)| element(v, &at.index(i)))
                .collect::<Result<_, _>>()
                .map(Some),
            other => Err(self.wrong(at, expected, &other)),
        }
    }

    fn strings(
        &self,
        value: Node,
        at: &Path,
        list: &str,
        each: &str,
    ) -> Result<Option<Vec<String>>, PolicyError> {
        self.list(value, at, list, |v, p| self.string(v, p, each))
    }

    /// A string that may be absent or `null`.
    fn optional_string(
        &self,
        value: Option<Node>,
        at: &Path,
        expected: &str,
    ) -> Result<Option<String>, PolicyError> {
        match value {
            None | Some(Node::Null) => Ok(None),
            Some(v) => self.string(v, at, expected).map(Some),
        }
    }

    fn missing(&self, at: &Path, why: &str) -> PolicyError {
        PolicyError::invalid(self.file, at.to_string(), format!("missing: {why}"))
    }

    fn required(&self, value: Option<Node>, at: &Path, why: &str) -> Result<Node, PolicyError> {
        value.ok_or_else(|| self.missing(at, why))
    }

    fn profile(&self, value: Node, at: &Path) -> Result<RawProfile, PolicyError> {
        let mut o = self.object(
            value,
            at,
            "a seccomp profile (an object with `defaultAction`)",
        )?;
        let p = at.field("defaultAction");
        let default_action = self.required(
            o.take("defaultAction"),
            &p,
            &o.hint(
                "defaultAction",
                "a profile needs `defaultAction`, e.g. \"SCMP_ACT_ERRNO\"",
            ),
        )?;
        let p = at.field("defaultErrnoRet");
        let default_errno_ret = o
            .take("defaultErrnoRet")
            .map(|v| self.uint(v, &p))
            .transpose()?;
        let p = at.field("syscalls");
        let syscalls = match o.take("syscalls") {
            Some(v) => self.list(v, &p, "a list of syscall rules", |v, p| self.syscall(v, p))?,
            None => None,
        };
        let raw = RawProfile {
            default_action: self.string(default_action, &at.field("defaultAction"), ACTION)?,
            default_errno_ret,
            architectures: o.strings_at(self, at, "architectures", "a list of ABI names", ARCH)?,
            arch_map: self.arch_map(o.take("archMap"), at)?,
            flags: o.strings_at(self, at, "flags", "a list of flag names", FLAG)?,
            listener_path: self.optional_string(
                o.take("listenerPath"),
                &at.field("listenerPath"),
                "a socket path",
            )?,
            listener_metadata: self.optional_string(
                o.take("listenerMetadata"),
                &at.field("listenerMetadata"),
                "a string",
            )?,
            syscalls,
            unknown_keys: Vec::new(),
        };
        o.finish(self, at, &self.profile_keys);
        Ok(raw)
    }

    fn arch_map(
        &self,
        value: Option<Node>,
        at: &Path,
    ) -> Result<Option<Vec<RawArchMap>>, PolicyError> {
        let Some(value) = value else { return Ok(None) };
        let at = at.field("archMap");
        self.list(value, &at, "a list of architecture entries", |v, p| {
            let mut o = self.object(
                v,
                p,
                "an architecture entry (an object with `architecture`)",
            )?;
            let arch = self.required(
                o.take("architecture"),
                &p.field("architecture"),
                &o.hint("architecture", "an archMap entry needs `architecture`"),
            )?;
            let entry = RawArchMap {
                architecture: self.string(arch, &p.field("architecture"), ARCH)?,
                sub_architectures: o.strings_at(
                    self,
                    p,
                    "subArchitectures",
                    "a list of ABI names",
                    ARCH,
                )?,
            };
            o.finish(self, p, ARCH_MAP_KEYS);
            Ok(entry)
        })
    }

    fn syscall(&self, value: Node, at: &Path) -> Result<RawSyscall, PolicyError> {
        let mut o = self.object(
            value,
            at,
            "a syscall rule (an object with `names` and `action`)",
        )?;
        let action = self.required(
            o.take("action"),
            &at.field("action"),
            &o.hint(
                "action",
                "every syscall rule needs an `action`, e.g. \"SCMP_ACT_ALLOW\"",
            ),
        )?;
        let p = at.field("errnoRet");
        let errno_ret = o.take("errnoRet").map(|v| self.uint(v, &p)).transpose()?;
        let p = at.field("args");
        let args = match o.take("args") {
            Some(v) => self.list(v, &p, "a list of argument conditions", |v, p| {
                self.arg(v, p)
            })?,
            None => None,
        };
        let _comment = o.take("comment");
        let call = RawSyscall {
            name: self.optional_string(o.take("name"), &at.field("name"), NAME)?,
            names: o.strings_at(self, at, "names", "a list of syscall names", NAME)?,
            action: self.string(action, &at.field("action"), ACTION)?,
            errno_ret,
            args,
            includes: self.filter(o.take("includes"), &at.field("includes"))?,
            excludes: self.filter(o.take("excludes"), &at.field("excludes"))?,
        };
        o.finish(self, at, SYSCALL_KEYS);
        Ok(call)
    }

    fn arg(&self, value: Node, at: &Path) -> Result<RawArg, PolicyError> {
        let mut o = self.object(
            value,
            at,
            "an argument condition (an object with `index`, `value` and `op`)",
        )?;
        let why = "an argument condition needs `index`, `value` and `op`";
        let mut number = |name: &str, default: Option<u64>| {
            let p = at.field(name);
            match (o.take(name), default) {
                (Some(v), _) => self.uint(v, &p),
                (None, Some(d)) => Ok(d),
                (None, None) => Err(self.missing(&p, &o.hint(name, why))),
            }
        };
        let index = number("index", None)?;
        let value = number("value", None)?;
        let value_two = number("valueTwo", Some(0))?;
        let op = self.required(o.take("op"), &at.field("op"), &o.hint("op", why))?;
        let arg = RawArg {
            index,
            value,
            value_two,
            op: self.string(op, &at.field("op"), "an operator such as \"SCMP_CMP_EQ\"")?,
        };
        o.finish(self, at, ARG_KEYS);
        Ok(arg)
    }

    fn filter(&self, value: Option<Node>, at: &Path) -> Result<Option<RawFilter>, PolicyError> {
        let value = match value {
            None | Some(Node::Null) => return Ok(None),
            Some(v) => v,
        };
        let mut o = self.object(value, at, "an object with `caps`, `arches` or `minKernel`")?;
        let filter = RawFilter {
            caps: o.strings_at(
                self,
                at,
                "caps",
                "a list of capability names",
                "a capability name such as \"CAP_SYS_ADMIN\"",
            )?,
            arches: o.strings_at(
                self,
                at,
                "arches",
                "a list of architecture names",
                "an architecture name such as \"amd64\"",
            )?,
            min_kernel: self.optional_string(
                o.take("minKernel"),
                &at.field("minKernel"),
                "a kernel version such as \"4.8\"",
            )?,
        };
        o.finish(self, at, FILTER_KEYS);
        Ok(Some(filter))
    }
}

/// The keys of a profile object: OCI's `LinuxSeccomp` and moby's `archMap`.
pub(crate) const PROFILE_KEYS: &[&str] = &[
    "defaultAction",
    "defaultErrnoRet",
    "architectures",
    "archMap",
    "flags",
    "listenerPath",
    "listenerMetadata",
    "syscalls",
];
/// The keys of an `archMap` entry.
const ARCH_MAP_KEYS: &[&str] = &["architecture", "subArchitectures"];
/// The keys of a syscall rule: OCI's `LinuxSyscall` and moby's additions.
const SYSCALL_KEYS: &[&str] = &[
    "names", "action", "errnoRet", "args", "name", "comment", "includes", "excludes",
];
/// The keys of an argument condition (OCI's `LinuxSeccompArg`).
const ARG_KEYS: &[&str] = &["index", "value", "valueTwo", "op"];
/// The keys of moby's `includes`/`excludes`.
const FILTER_KEYS: &[&str] = &["caps", "arches", "minKernel"];

const ACTION: &str = "an action name such as \"SCMP_ACT_ERRNO\"";
const ARCH: &str = "an ABI name such as \"SCMP_ARCH_X86_64\"";
const FLAG: &str = "a flag name such as \"SECCOMP_FILTER_FLAG_LOG\"";
const NAME: &str = "a syscall name";

/// An object's fields, taken out one by one; what is left at the end the format does not
/// define (Docker and runc ignore it; we note it).
struct Fields {
    fields: Vec<(String, Node)>,
    /// Keys taken for a known key spelt in other case (`errnoret` for `errnoRet`).
    variants: Vec<String>,
}

impl Fields {
    /// Notes the fields not taken, and those spelt in other case, as unknown keys of the
    /// object at `at`.
    fn finish(self, reader: &Reader, at: &Path, known: &[&'static str]) {
        if self.fields.is_empty() && self.variants.is_empty() {
            return;
        }
        let at = at.to_string();
        let left = self.fields.iter().map(|(k, _)| k.as_str());
        let mut keys = unknown_keys(left, known, &at);
        for v in &self.variants {
            keys.extend(unknown_keys(std::iter::once(v.as_str()), known, &at));
            if let Some(k) = keys.last_mut() {
                k.case_variant = true;
            }
        }
        reader.unknown.borrow_mut().extend(keys);
    }

    /// `why` a missing field `name` is needed, and which key left looks like it misspelt.
    fn hint(&self, name: &str, why: &str) -> String {
        match self
            .fields
            .iter()
            .find(|(k, _)| crate::keys::looks_misspelt(k, name))
        {
            Some((k, _)) => format!(
                "{why}; `{}` here looks like a misspelt `{name}`: fix the spelling",
                crate::docker::shown(k)
            ),
            None => why.to_string(),
        }
    }

    /// Field `name`: as Go's encoding/json (Docker's and runc's reader) has it, the last key
    /// equal to `name` ignoring ASCII case.
    fn take(&mut self, name: &str) -> Option<Node> {
        let i = self
            .fields
            .iter()
            .rposition(|(k, _)| k.eq_ignore_ascii_case(name))?;
        let (key, value) = self.fields.remove(i);
        if key != name {
            self.variants.push(key);
        }
        Some(value)
    }

    /// Field `name` as a list of strings.
    fn strings_at(
        &mut self,
        reader: &Reader,
        at: &Path,
        name: &str,
        list: &str,
        each: &str,
    ) -> Result<Option<Vec<String>>, PolicyError> {
        match self.take(name) {
            Some(v) => reader.strings(v, &at.field(name), list, each),
            None => Ok(None),
        }
    }
}

/// Reads a moby/OCI profile object found at `at` in `file`; the keys the format does not
/// define are in `unknown_keys`.
/// `extra_keys` are keys of the profile object a format adds (and its caller has taken).
pub(crate) fn profile(
    value: Node,
    at: &str,
    file: &str,
    extra_keys: &[&'static str],
) -> Result<RawProfile, PolicyError> {
    let reader = Reader {
        file,
        profile_keys: PROFILE_KEYS.iter().chain(extra_keys).copied().collect(),
        unknown: RefCell::default(),
    };
    let mut raw = reader.profile(value, &Path::Root(at))?;
    raw.unknown_keys = reader.unknown.into_inner();
    Ok(raw)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn node(value: serde_json::Value) -> Node {
        serde_json::from_value(value).unwrap()
    }

    fn err(value: serde_json::Value) -> String {
        let value = node(value);
        profile(value, "spec", "p.yaml", &[])
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn paths_name_the_field_and_element() {
        let e = err(
            json!({"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read", 5], "action": "SCMP_ACT_ALLOW"}]}),
        );
        assert_eq!(
            e,
            "p.yaml: spec.syscalls[0].names[1]: expected a syscall name, found the number 5"
        );
        let e = profile(node(json!({"defaultAction": 1})), "", "p.json", &[])
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "p.json: defaultAction: expected an action name such as \"SCMP_ACT_ERRNO\", found the number 1"
        );
    }

    #[test]
    fn numbers_must_be_unsigned_integers() {
        for bad in [
            json!(1e3),
            json!(null),
            json!(-1),
            json!("5"),
            json!(1.8446744073709552e19),
        ] {
            let e = err(
                json!({"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": bad, "op": "SCMP_CMP_EQ"}]}]}),
            );
            assert!(
                e.starts_with(
                    "p.yaml: spec.syscalls[0].args[0].value: expected an unsigned integer, found "
                ),
                "{e}"
            );
        }
    }

    #[test]
    fn missing_fields_say_what_is_needed() {
        let e = err(json!({"syscalls": []}));
        assert!(
            e.starts_with("p.yaml: spec.defaultAction: missing: "),
            "{e}"
        );
        let e = err(json!({"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"]}]}));
        assert!(
            e.starts_with("p.yaml: spec.syscalls[0].action: missing: "),
            "{e}"
        );
    }
}
