//! Reading sysfence's JSON Lines events: a cheap peek at what an event is (its `type`,
//! syscall `name` and pid) without parsing the rest, and the full, borrowed parse for the
//! events some rule needs, with strace's argument text decoded into values.

use crate::scan::quote_or_backslash;
use memchr::memmem::Finder;
use serde::Deserialize;
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::sync::LazyLock;

/// What an event is, read without parsing its arguments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Peek<'a> {
    /// The `type` field (`syscall`, `exec`, `fork`, ...).
    pub kind: &'a str,
    /// The syscall name, for `type: syscall`.
    pub name: Option<&'a str>,
    /// The `pid` field, when it came before `type` and `name` (sysfence writes it so).
    pub pid: Option<i64>,
    /// Where the peek stopped: after a member of the top-level object, or past its end.
    pub rest: usize,
}

impl<'a> Peek<'a> {
    /// The name rules use in `events:`: the syscall's name, else the type.
    pub fn event(&self) -> &'a str {
        match (self.kind, self.name) {
            ("syscall", Some(name)) => name,
            (kind, _) => kind,
        }
    }
}

/// Reads the top-level `type`, `name` and `pid` of a JSON object, skipping the values of
/// other keys without decoding them, and stopping as soon as it knows the event. `None`
/// when the line is not such an object (the caller then parses it fully to report why).
pub fn peek(line: &str) -> Option<Peek<'_>> {
    written_peek(line).or_else(|| any_peek(line))
}

/// [`peek`] of a line that starts as sysfence writes its events (`{"v":1,"ts":T,"pid":P,
/// "tid":T,"type":"K"`, then `,"name":"N"` for a syscall): read by matching that shape,
/// `None` at the first byte that differs.
pub(crate) fn written_peek(line: &str) -> Option<Peek<'_>> {
    let bytes = line.as_bytes();
    let at = literal(bytes, 0, b"{\"v\":")?;
    let at = literal(bytes, digits(bytes, at)?, b",\"ts\":")?;
    let at = literal(bytes, number(bytes, at)?, b",\"pid\":")?;
    let pid_at = at;
    let at = digits(bytes, at)?;
    let pid = line[pid_at..at].parse().ok();
    let at = literal(bytes, at, b",\"tid\":")?;
    let at = literal(bytes, digits(bytes, at)?, b",\"type\":")?;
    let (kind, rest) = string_at(line, at)?;
    if kind != "syscall" {
        return Some(Peek {
            kind,
            name: None,
            pid,
            rest,
        });
    }
    let at = literal(bytes, rest, b",\"name\":")?;
    let (name, rest) = string_at(line, at)?;
    Some(Peek {
        kind,
        name: Some(name),
        pid,
        rest,
    })
}

/// The string with no escapes at `at`, and the index after it.
fn string_at(line: &str, at: usize) -> Option<(&str, usize)> {
    (line.as_bytes().get(at) == Some(&b'"')).then_some(())?;
    plain_string(line, at)
}

/// `at` past `word` when the line has it there.
fn literal(bytes: &[u8], at: usize, word: &[u8]) -> Option<usize> {
    let end = at + word.len();
    (bytes.get(at..end)? == word).then_some(end)
}

/// `at` past one or more ASCII digits.
fn digits(bytes: &[u8], at: usize) -> Option<usize> {
    run_of(bytes, at, |b| b.is_ascii_digit())
}

/// `at` past the characters of a JSON number (one or more).
fn number(bytes: &[u8], at: usize) -> Option<usize> {
    run_of(bytes, at, |b| {
        matches!(b, b'0'..=b'9' | b'.' | b'e' | b'E' | b'+' | b'-')
    })
}

/// `at` past one or more bytes that `accept` takes.
fn run_of(bytes: &[u8], at: usize, accept: impl Fn(u8) -> bool) -> Option<usize> {
    let n = bytes[at.min(bytes.len())..]
        .iter()
        .take_while(|&&b| accept(b))
        .count();
    (n > 0).then_some(at + n)
}

/// [`peek`] of any JSON object: its members walked until the event is known.
pub(crate) fn any_peek(line: &str) -> Option<Peek<'_>> {
    let bytes = line.as_bytes();
    let mut at = skip_ws(bytes, 0);
    if bytes.get(at) != Some(&b'{') {
        return None;
    }
    at += 1;
    let mut kind = None;
    let mut name = None;
    let mut pid = None;
    while let Some((key, value)) = next_member(line, &mut at)? {
        match key {
            "type" | "name" if bytes.get(value) == Some(&b'"') => {
                let (text, after) = plain_string(line, value)?;
                if key == "type" {
                    kind = Some(text);
                } else {
                    name = Some(text);
                }
                at = after;
            }
            "pid" => {
                at = skip_value(bytes, value)?;
                pid = line[value..at].trim().parse().ok();
            }
            _ => at = skip_value(bytes, value)?,
        }
        if let Some(kind) = kind
            && (kind != "syscall" || name.is_some())
        {
            return Some(Peek {
                kind,
                name,
                pid,
                rest: at,
            });
        }
    }
    kind.map(|kind| Peek {
        kind,
        name,
        pid,
        rest: at,
    })
}

/// The next member of an object, from `at` (after its `{` or after a value): its key and
/// where its value starts, `Some(None)` at the object's `}` (with `at` past it), `None`
/// when the text is no object sysfence writes (a key with escapes, say).
fn next_member<'a>(line: &'a str, at: &mut usize) -> Option<Option<(&'a str, usize)>> {
    let bytes = line.as_bytes();
    loop {
        *at = skip_ws(bytes, *at);
        match bytes.get(*at)? {
            b'}' => {
                *at += 1;
                return Some(None);
            }
            b',' => *at += 1,
            b'"' => break,
            _ => return None,
        }
    }
    let (key, after) = plain_string(line, *at)?;
    let colon = skip_ws(bytes, after);
    (bytes.get(colon) == Some(&b':')).then_some(())?;
    Some(Some((key, skip_ws(bytes, colon + 1))))
}

/// The path a syscall event is about ([`crate::context`]'s first `filename`, `pathname`
/// or `path` argument), read from a line without parsing it, from where [`peek`] stopped
/// (`from`, [`Peek::rest`]): the top-level members are skipped up to `args`, whose
/// objects' `name` and `text` are read. `Some("")` when no argument has one of those
/// names; `None` when the first that has is not a plain quoted string (`"\"/a/path\""`),
/// when the line has a `path` key of its own (io_uring's open: a top-level `path` met on
/// the way to the arguments, or any `"path"` outside that walk), has no `args`, or is
/// in a shape sysfence does not write (the caller then parses the line). The shape
/// sysfence writes is matched directly ([`written_args`], [`written_arg`]), any other is
/// walked. Only for lines without `\\` or `\u` escapes ([`LineNeed::applies_to`]).
///
/// [`LineNeed::applies_to`]: crate::guard::LineNeed::applies_to
pub fn line_path(line: &str, from: usize) -> Option<&str> {
    const NAMES: [&str; 3] = ["filename", "pathname", "path"];
    static PATH_KEY: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new("\"path\""));
    let bytes = line.as_bytes();
    // The first argument of each name, by its text's span.
    let mut found: [Option<(usize, usize)>; 3] = [None; 3];
    let mut at = match written_args(bytes, from) {
        Some(at) => at,
        None => {
            let mut at = from;
            loop {
                let (key, value) = next_member(line, &mut at)??;
                match key {
                    "args" => break value,
                    "path" => return None,
                    _ => at = skip_value(bytes, value)?,
                }
            }
        }
    };
    (bytes.get(at) == Some(&b'[')).then_some(())?;
    at += 1;
    loop {
        at = skip_ws(bytes, at);
        match bytes.get(at)? {
            b']' => break,
            b',' => at += 1,
            b'{' => {
                let (name, text) = match written_arg(line, at) {
                    Some((name, text, end)) => {
                        at = end;
                        (Some(name), Some(text))
                    }
                    None => {
                        at += 1;
                        arg_parts(line, &mut at)?
                    }
                };
                if let Some(i) = NAMES.iter().position(|&n| Some(n) == name) {
                    found[i] = found[i].or(text.or(Some((0, 0))));
                }
                // The first name's first argument is the answer.
                if found[0].is_some() {
                    break;
                }
            }
            _ => return None,
        }
    }
    // Without escapes, a `path` key the walk did not see (before `from`, or after the
    // arguments; with or without spaces before its colon) is written as is, so any
    // `"path"` there sends the line to the parser; a second `args` is no event.
    if PATH_KEY.find(&bytes[..from]).is_some() || PATH_KEY.find(&bytes[at..]).is_some() {
        return None;
    }
    let Some((from, to)) = found.into_iter().flatten().next() else {
        return Some("");
    };
    // `"\"/a/path\""`: a quoted string whose only escapes are strace's quotes.
    line.get(from..to)?
        .trim_end()
        .strip_prefix("\"\\\"")?
        .strip_suffix("\\\"\"")
        .filter(|middle| !middle.contains('\\'))
}

/// Where a syscall's `args` array starts when the line goes on from `from` as sysfence
/// writes it (`,"nr":N,"arch":"A","args":[`).
fn written_args(bytes: &[u8], from: usize) -> Option<usize> {
    let at = literal(bytes, from, b",\"nr\":")?;
    let at = literal(bytes, digits(bytes, at)?, b",\"arch\":\"")?;
    let at = quote_or_backslash(bytes, at);
    literal(bytes, at, b"\",\"args\":").filter(|&at| bytes.get(at) == Some(&b'['))
}

/// An argument object at `at` written as sysfence writes it (`{"name":"N","text":T}` or
/// with `,"raw":R` after the text): its name, its text's span, and the index after it.
fn written_arg(line: &str, at: usize) -> Option<(&str, (usize, usize), usize)> {
    let bytes = line.as_bytes();
    let (name, at) = string_at(line, literal(bytes, at, b"{\"name\":")?)?;
    let text = literal(bytes, at, b",\"text\":").filter(|&at| bytes.get(at) == Some(&b'"'))?;
    let mut at = skip_string(bytes, text)?;
    let span = (text, at);
    if let Some(raw) = literal(bytes, at, b",\"raw\":") {
        at = digits(bytes, raw)?;
    }
    Some((name, span, literal(bytes, at, b"}")?))
}

/// An argument's `name` and the span of its `text` value.
type ArgParts<'a> = (Option<&'a str>, Option<(usize, usize)>);

/// An argument object's `name` and the span of its `text` value, read from just after
/// its `{` to just after its `}`.
fn arg_parts<'a>(line: &'a str, at: &mut usize) -> Option<ArgParts<'a>> {
    let bytes = line.as_bytes();
    let (mut name, mut text) = (None, None);
    while let Some((key, value)) = next_member(line, at)? {
        let end = skip_value(bytes, value)?;
        match key {
            "name" if bytes.get(value) == Some(&b'"') => name = Some(plain_string(line, value)?.0),
            "name" => return None,
            "text" => text = Some((value, end)),
            _ => {}
        }
        *at = end;
    }
    Some((name, text))
}

fn skip_ws(bytes: &[u8], mut at: usize) -> usize {
    while matches!(bytes.get(at), Some(b' ' | b'\t' | b'\r' | b'\n')) {
        at += 1;
    }
    at
}

/// A string at `at` with no escapes, and the index after its closing quote; `None` for
/// an escaped one (never a key or event name sysfence writes).
fn plain_string(line: &str, at: usize) -> Option<(&str, usize)> {
    let bytes = line.as_bytes();
    let end = quote_or_backslash(bytes, at + 1);
    (*bytes.get(end)? == b'"').then(|| (&line[at + 1..end], end + 1))
}

/// The index just after the JSON value starting at `at` (strings, numbers, literals,
/// nested objects and arrays), found by counting brackets outside strings.
fn skip_value(bytes: &[u8], at: usize) -> Option<usize> {
    match *bytes.get(at)? {
        b'"' => skip_string(bytes, at),
        b'{' | b'[' => {
            let (mut at, mut depth) = (at, 0usize);
            loop {
                match *bytes.get(at)? {
                    b'"' => at = skip_string(bytes, at)?,
                    b'{' | b'[' => {
                        depth += 1;
                        at += 1;
                    }
                    b'}' | b']' => {
                        depth -= 1;
                        at += 1;
                        if depth == 0 {
                            return Some(at);
                        }
                    }
                    _ => at += 1,
                }
            }
        }
        // A number or literal runs to the next `,`, `}` or `]`.
        _ => Some(
            at + bytes[at..]
                .iter()
                .position(|b| matches!(b, b',' | b'}' | b']'))?,
        ),
    }
}

/// The index just after the string starting at `at`.
fn skip_string(bytes: &[u8], mut at: usize) -> Option<usize> {
    at += 1;
    loop {
        at = quote_or_backslash(bytes, at);
        match *bytes.get(at)? {
            b'\\' => at += 2,
            _ => return Some(at + 1),
        }
    }
}

/// One syscall argument as sysfence writes it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct RawArg<'a> {
    /// The kernel's parameter name.
    #[serde(borrow)]
    pub name: Cow<'a, str>,
    /// strace's text of the value, still a JSON string: decoded only when read, and
    /// then mostly without a copy ([`RawArg::text`], [`RawArg::value`]).
    #[serde(borrow, default, deserialize_with = "raw_text")]
    text: Option<&'a str>,
    /// The register.
    #[serde(default)]
    pub raw: u64,
}

/// The JSON text of a value, as serde's [`RawValue`] holds it.
fn raw_text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<&'de str>, D::Error> {
    let raw: Option<&'de RawValue> = Deserialize::deserialize(d)?;
    Ok(raw.map(RawValue::get))
}

impl<'a> RawArg<'a> {
    /// An argument from its parts: `text` is the JSON text of the value, if any.
    pub(crate) fn new(name: Cow<'a, str>, text: Option<&'a str>, raw: u64) -> Self {
        RawArg { name, text, raw }
    }

    /// strace's text of the value (`"\"/etc/passwd\""` is `"/etc/passwd"` with its quotes).
    pub fn text(&self) -> Cow<'a, str> {
        let Some(json) = self.text else {
            return Cow::Borrowed("");
        };
        match json.strip_prefix('"').and_then(|j| j.strip_suffix('"')) {
            Some(inner) if !inner.contains('\\') => Cow::Borrowed(inner),
            _ => Cow::Owned(serde_json::from_str::<String>(json).unwrap_or_default()),
        }
    }

    /// The value decoded ([`decode`]); a plain quoted path is borrowed from the line.
    pub fn value(&self) -> Decoded<'a> {
        let json = self.text.unwrap_or("\"\"");
        // `"\"/etc/passwd\""`: the JSON escapes only strace's quotes.
        if let Some(middle) = json
            .strip_prefix("\"\\\"")
            .and_then(|j| j.strip_suffix("\\\"\""))
            .filter(|m| !m.contains('\\'))
        {
            return Decoded::Str(Cow::Borrowed(middle));
        }
        match self.text() {
            Cow::Borrowed(text) => decode(text),
            Cow::Owned(text) => decode(&text).into_owned(),
        }
    }
}

/// Every field of an event that rules can see, borrowed from the line where possible.
/// Fields a source does not write (`trace --json` has no comm, uid, ppid...) are absent.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Event<'a> {
    /// Seconds since the epoch.
    pub ts: f64,
    /// Thread group id.
    pub pid: i64,
    /// Thread id.
    pub tid: i64,
    /// `syscall`, `exec`, `fork`, `exit`, ...
    #[serde(rename = "type", borrow)]
    pub kind: Cow<'a, str>,
    /// The syscall name.
    #[serde(borrow)]
    pub name: Option<Cow<'a, str>>,
    /// The syscall's arguments.
    #[serde(borrow)]
    pub args: Vec<RawArg<'a>>,
    /// The syscall's return value.
    pub ret: Option<i64>,
    /// The errno name of a failed call or io_uring request.
    #[serde(borrow)]
    pub errno: Option<Cow<'a, str>>,
    /// The task's comm.
    #[serde(borrow)]
    pub comm: Option<Cow<'a, str>>,
    /// Real uid.
    pub uid: Option<i64>,
    /// The parent's pid.
    pub ppid: Option<i64>,
    /// The container id.
    #[serde(borrow)]
    pub container: Option<Cow<'a, str>>,
    /// The working directory, where a source writes it.
    #[serde(borrow)]
    pub cwd: Option<Cow<'a, str>>,
    /// The executable's path, where a source writes it.
    #[serde(borrow)]
    pub executable: Option<Cow<'a, str>>,
    /// exec: the program.
    #[serde(borrow)]
    pub filename: Option<Cow<'a, str>>,
    /// exec: its arguments.
    #[serde(borrow)]
    pub argv: Vec<Cow<'a, str>>,
    /// exec: its environment (`K=V`), where the source reads it.
    #[serde(borrow)]
    pub env: Vec<Cow<'a, str>>,
    /// fork: the new process.
    pub child_pid: Option<i64>,
    /// fork: the new task.
    pub child_tid: Option<i64>,
    /// exit: the code.
    pub code: Option<i64>,
    /// io_uring: the operation.
    #[serde(borrow)]
    pub op: Option<Cow<'a, str>>,
    /// io_uring: the path of an open.
    #[serde(borrow)]
    pub path: Option<Cow<'a, str>>,
    /// io_uring: the open flags.
    #[serde(borrow)]
    pub flags: Option<Cow<'a, str>>,
    /// io_uring: the request's fd.
    pub fd: Option<i64>,
    /// io_uring: the completion's result.
    pub res: Option<i64>,
}

impl<'a> Event<'a> {
    /// Parses one line: by the borrowed scan ([`crate::scan`]) when it is certain of
    /// the answer, else by serde (which also says why a line is no event).
    pub fn parse(line: &'a str) -> Result<Event<'a>, serde_json::Error> {
        match crate::scan::scan(line) {
            Some(event) => Ok(event),
            None => serde_json::from_str(line),
        }
    }

    /// The name rules use in `events:`.
    pub fn event(&self) -> &str {
        match (&*self.kind, &self.name) {
            ("syscall", Some(name)) => name,
            (kind, _) => kind,
        }
    }

    /// The argument called `name`.
    pub fn arg(&self, name: &str) -> Option<&RawArg<'a>> {
        self.args.iter().find(|a| a.name == name)
    }

    /// The argument's decoded value.
    pub fn arg_value(&self, name: &str) -> Option<Decoded<'_>> {
        self.arg(name).map(RawArg::value)
    }

    /// The argument's raw register value.
    pub fn arg_raw(&self, name: &str) -> Option<u64> {
        self.arg(name).map(|a| a.raw)
    }

    /// The result: `ret` of a syscall, `res` of an io_uring request.
    pub fn retval(&self) -> i64 {
        self.ret.or(self.res).unwrap_or(0)
    }

    /// Whether the syscall succeeded (returned and not negative).
    pub fn succeeded(&self) -> bool {
        self.ret.is_some_and(|r| r >= 0)
    }
}

/// An argument's value decoded from strace's text.
#[derive(Debug, Clone, PartialEq)]
pub enum Decoded<'a> {
    /// A number (decimal, `0x` hex, or `0`-prefixed octal as strace prints modes).
    Int(i64),
    /// A string without its quotes and escapes, or any other text as printed (flags
    /// `A|B`, structs `{...}`, constants).
    Str(Cow<'a, str>),
    /// An array of strings (`["sh", "-c"]`).
    List(Vec<String>),
}

impl Decoded<'_> {
    /// The same value owning its text.
    pub fn into_owned(self) -> Decoded<'static> {
        match self {
            Decoded::Int(n) => Decoded::Int(n),
            Decoded::Str(s) => Decoded::Str(Cow::Owned(s.into_owned())),
            Decoded::List(items) => Decoded::List(items),
        }
    }
}

/// Decodes strace's text of one value.
pub fn decode(text: &str) -> Decoded<'_> {
    if let Some(n) = parse_int(text) {
        return Decoded::Int(n);
    }
    if text.starts_with('"') {
        return Decoded::Str(unquote(text));
    }
    if text.starts_with("[\"") && text.ends_with(']') {
        return Decoded::List(split_strings(&text[1..text.len() - 1]));
    }
    Decoded::Str(Cow::Borrowed(text))
}

/// A number as strace prints one; `None` for anything else.
pub fn parse_int(text: &str) -> Option<i64> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let first = *digits.as_bytes().first()?;
    if !first.is_ascii_digit() {
        return None;
    }
    let value = if let Some(hex) = digits.strip_prefix("0x") {
        u64::from_str_radix(hex, 16).ok()? as i64
    } else if digits.len() > 1 && first == b'0' {
        i64::from_str_radix(&digits[1..], 8).ok()?
    } else {
        digits.parse::<u64>().ok()? as i64
    };
    Some(if negative {
        value.wrapping_neg()
    } else {
        value
    })
}

/// A C string literal as strace prints it (`"a\nb"...`) without quotes and escapes.
pub fn unquote(text: &str) -> Cow<'_, str> {
    let body = text.strip_suffix("...").unwrap_or(text);
    let body = body
        .strip_prefix('"')
        .and_then(|b| b.strip_suffix('"'))
        .unwrap_or(body);
    if !body.contains('\\') {
        return Cow::Borrowed(body);
    }
    let mut out = Vec::with_capacity(body.len());
    let bytes = body.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'\\' || i + 1 == bytes.len() {
            out.push(bytes[i]);
            i += 1;
            continue;
        }
        i += 1;
        let c = bytes[i];
        i += 1;
        match c {
            b'n' => out.push(b'\n'),
            b't' => out.push(b'\t'),
            b'r' => out.push(b'\r'),
            b'v' => out.push(0x0b),
            b'f' => out.push(0x0c),
            b'x' => {
                let end = (i + 2).min(bytes.len());
                let digits = std::str::from_utf8(&bytes[i..end]).unwrap_or("");
                match u8::from_str_radix(digits, 16) {
                    Ok(b) => {
                        out.push(b);
                        i = end;
                    }
                    Err(_) => out.push(b'x'),
                }
            }
            b'0'..=b'7' => {
                let mut value = u32::from(c - b'0');
                let mut n = 1;
                while n < 3 && i < bytes.len() && (b'0'..=b'7').contains(&bytes[i]) {
                    value = value * 8 + u32::from(bytes[i] - b'0');
                    i += 1;
                    n += 1;
                }
                out.push(value as u8);
            }
            other => out.push(other),
        }
    }
    Cow::Owned(String::from_utf8_lossy(&out).into_owned())
}

/// The quoted strings of an array's inside (`"a", "b"`), decoded.
fn split_strings(inner: &str) -> Vec<String> {
    let bytes = inner.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'"' {
            i += 1;
            continue;
        }
        let start = i;
        i += 1;
        while i < bytes.len() && bytes[i] != b'"' {
            i += if bytes[i] == b'\\' { 2 } else { 1 };
        }
        let end = (i + 1).min(bytes.len());
        out.push(unquote(&inner[start..end]).into_owned());
        i = end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peek_stops_before_the_arguments() {
        let line = r#"{"v":1,"ts":1.5,"pid":7,"tid":7,"type":"syscall","name":"openat","args":[{"name":"x"#;
        let p = peek(line).unwrap();
        assert_eq!(
            (p.kind, p.name, p.pid),
            ("syscall", Some("openat"), Some(7))
        );
        assert_eq!(p.event(), "openat");
    }

    #[test]
    fn peek_reads_fields_in_any_order_and_skips_nested_values() {
        let line = r#"{"argv":["a}","b\"]"],"x":{"type":"no"},"type":"exec","pid":3}"#;
        let p = peek(line).unwrap();
        assert_eq!((p.kind, p.name), ("exec", None));
        assert_eq!(peek("[1]"), None);
        assert_eq!(peek("{\"v\":1}"), None);
    }

    #[test]
    fn arguments_decode_from_their_json_text() {
        let line = r#"{"type":"syscall","name":"openat","args":[{"name":"filename","text":"\"/etc/a b\"","raw":1},{"name":"flags","text":"O_RDONLY","raw":0},{"name":"x","text":"\"a\\nb\"","raw":0},{"name":"m","text":"0644","raw":420}]}"#;
        let ev = Event::parse(line).unwrap();
        assert_eq!(
            ev.arg_value("filename"),
            Some(Decoded::Str("/etc/a b".into()))
        );
        assert_eq!(ev.args[0].text(), "\"/etc/a b\"");
        assert_eq!(ev.arg_value("flags"), Some(Decoded::Str("O_RDONLY".into())));
        assert_eq!(ev.arg_value("x"), Some(Decoded::Str("a\nb".into())));
        assert_eq!(ev.arg_value("m"), Some(Decoded::Int(0o644)));
        assert_eq!(ev.arg_raw("m"), Some(420));
    }

    #[test]
    fn strace_text_decodes_to_values() {
        assert_eq!(decode("3"), Decoded::Int(3));
        assert_eq!(decode("-1"), Decoded::Int(-1));
        assert_eq!(decode("0755"), Decoded::Int(0o755));
        assert_eq!(decode("0x10"), Decoded::Int(16));
        assert_eq!(
            decode("\"/etc/a\\tb\\x41\\101\"..."),
            Decoded::Str("/etc/a\tbAA".into())
        );
        assert_eq!(
            decode("O_RDONLY|O_CLOEXEC"),
            Decoded::Str("O_RDONLY|O_CLOEXEC".into())
        );
        assert_eq!(
            decode(r#"["sh", "-c", "a \"b\""]"#),
            Decoded::List(vec!["sh".into(), "-c".into(), "a \"b\"".into()])
        );
    }
}
