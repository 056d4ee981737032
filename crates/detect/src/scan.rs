//! The borrowed scan of one JSON line into an [`Event`], in place of serde for the lines
//! sysfence writes: one pass, no intermediate values, every string borrowed from the line.
//!
//! It reads strictly (the JSON grammar, duplicate fields, the fields' types) and gives up
//! on anything it is not certain to read exactly as serde would (a `\u` escape, a control
//! character, a number with a fraction where an integer goes, nesting deeper than serde
//! allows): [`Event::parse`] then hands the line to serde, which decides. So an answer of
//! the scan is always serde's answer (proven over every fixture line and mutations of them
//! in the tests below).

use crate::event::{Event, RawArg};
use std::borrow::Cow;

/// Scans `line` into the event serde would parse from it; `None` when it is not certain
/// (the line may still be valid) or the line is not one event.
pub fn scan(line: &str) -> Option<Event<'_>> {
    let mut at = Cursor {
        line,
        bytes: line.as_bytes(),
        at: 0,
    };
    let event = at.event()?;
    at.ws();
    (at.at == at.bytes.len()).then_some(event)
}

/// serde's recursion limit; deeper nesting is left to serde.
const MAX_DEPTH: usize = 100;

struct Cursor<'a> {
    line: &'a str,
    bytes: &'a [u8],
    at: usize,
}

/// A field seen twice is an error to serde: each field has a bit.
struct Seen(u32);

impl Seen {
    fn first(&mut self, bit: u32) -> Option<()> {
        let mask = 1 << bit;
        (self.0 & mask == 0).then(|| self.0 |= mask)
    }
}

impl<'a> Cursor<'a> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\r' | b'\n')) {
            self.at += 1;
        }
    }

    /// Skips whitespace, then takes `byte`.
    fn eat(&mut self, byte: u8) -> Option<()> {
        self.ws();
        (self.peek()? == byte).then(|| self.at += 1)
    }

    /// Walks an object's members, calling `member` with each key (the cursor at its
    /// value); stops at `}`.
    fn members(&mut self, mut member: impl FnMut(&mut Self, &'a str) -> Option<()>) -> Option<()> {
        self.eat(b'{')?;
        self.ws();
        if self.peek()? == b'}' {
            self.at += 1;
            return Some(());
        }
        loop {
            self.ws();
            let (key, escaped) = self.string_span()?;
            if escaped {
                return None;
            }
            self.eat(b':')?;
            self.ws();
            member(self, key)?;
            self.ws();
            match self.peek()? {
                b',' => self.at += 1,
                b'}' => {
                    self.at += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    /// Walks an array's elements, calling `element` at each; stops at `]`.
    fn elements(&mut self, mut element: impl FnMut(&mut Self) -> Option<()>) -> Option<()> {
        self.eat(b'[')?;
        self.ws();
        if self.peek()? == b']' {
            self.at += 1;
            return Some(());
        }
        loop {
            self.ws();
            element(self)?;
            self.ws();
            match self.peek()? {
                b',' => self.at += 1,
                b']' => {
                    self.at += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    fn event(&mut self) -> Option<Event<'a>> {
        let mut ev = Event::default();
        let mut seen = Seen(0);
        self.members(|at, key| {
            match key {
                "ts" => {
                    seen.first(0)?;
                    ev.ts = at.float()?;
                }
                "pid" => {
                    seen.first(1)?;
                    ev.pid = at.int()?;
                }
                "tid" => {
                    seen.first(2)?;
                    ev.tid = at.int()?;
                }
                "type" => {
                    seen.first(3)?;
                    ev.kind = at.string()?;
                }
                "name" => {
                    seen.first(4)?;
                    ev.name = at.optional(Self::string)?;
                }
                "args" => {
                    seen.first(5)?;
                    at.elements(|at| {
                        ev.args.push(at.arg()?);
                        Some(())
                    })?;
                }
                "ret" => {
                    seen.first(6)?;
                    ev.ret = at.optional(Self::int)?;
                }
                "errno" => {
                    seen.first(7)?;
                    ev.errno = at.optional(Self::string)?;
                }
                "comm" => {
                    seen.first(8)?;
                    ev.comm = at.optional(Self::string)?;
                }
                "uid" => {
                    seen.first(9)?;
                    ev.uid = at.optional(Self::int)?;
                }
                "ppid" => {
                    seen.first(10)?;
                    ev.ppid = at.optional(Self::int)?;
                }
                "container" => {
                    seen.first(11)?;
                    ev.container = at.optional(Self::string)?;
                }
                "cwd" => {
                    seen.first(12)?;
                    ev.cwd = at.optional(Self::string)?;
                }
                "executable" => {
                    seen.first(13)?;
                    ev.executable = at.optional(Self::string)?;
                }
                "filename" => {
                    seen.first(14)?;
                    ev.filename = at.optional(Self::string)?;
                }
                "argv" => {
                    seen.first(15)?;
                    ev.argv = at.strings()?;
                }
                "env" => {
                    seen.first(16)?;
                    ev.env = at.strings()?;
                }
                "child_pid" => {
                    seen.first(17)?;
                    ev.child_pid = at.optional(Self::int)?;
                }
                "child_tid" => {
                    seen.first(18)?;
                    ev.child_tid = at.optional(Self::int)?;
                }
                "code" => {
                    seen.first(19)?;
                    ev.code = at.optional(Self::int)?;
                }
                "op" => {
                    seen.first(20)?;
                    ev.op = at.optional(Self::string)?;
                }
                "path" => {
                    seen.first(21)?;
                    ev.path = at.optional(Self::string)?;
                }
                "flags" => {
                    seen.first(22)?;
                    ev.flags = at.optional(Self::string)?;
                }
                "fd" => {
                    seen.first(23)?;
                    ev.fd = at.optional(Self::int)?;
                }
                "res" => {
                    seen.first(24)?;
                    ev.res = at.optional(Self::int)?;
                }
                _ => at.skip(0)?,
            }
            Some(())
        })?;
        Some(ev)
    }

    fn arg(&mut self) -> Option<RawArg<'a>> {
        let (mut name, mut text, mut raw) = (None, None, 0);
        let mut seen = Seen(0);
        self.members(|at, key| {
            match key {
                "name" => {
                    seen.first(0)?;
                    name = Some(at.string()?);
                }
                "text" => {
                    seen.first(1)?;
                    text = at.optional(Self::raw_value)?;
                }
                "raw" => {
                    seen.first(2)?;
                    raw = at.unsigned()?;
                }
                _ => at.skip(0)?,
            }
            Some(())
        })?;
        Some(RawArg::new(name?, text, raw))
    }

    /// `null` as `None`, else the value `read` reads.
    fn optional<T>(&mut self, read: impl FnOnce(&mut Self) -> Option<T>) -> Option<Option<T>> {
        if self.peek()? == b'n' {
            return self.literal("null").map(|()| None);
        }
        read(self).map(Some)
    }

    fn literal(&mut self, word: &str) -> Option<()> {
        let end = self.at + word.len();
        (self.bytes.get(self.at..end)? == word.as_bytes()).then(|| self.at = end)
    }

    /// The inside of the string at the cursor and whether it holds escapes; `None` for
    /// escapes other than the two-character ones, and for control characters.
    fn string_span(&mut self) -> Option<(&'a str, bool)> {
        if self.peek()? != b'"' {
            return None;
        }
        let start = self.at + 1;
        let mut i = start;
        let mut escaped = false;
        loop {
            i = string_stop(self.bytes, i);
            match *self.bytes.get(i)? {
                b'"' => break,
                b'\\' => {
                    match *self.bytes.get(i + 1)? {
                        b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => {}
                        _ => return None,
                    }
                    escaped = true;
                    i += 2;
                }
                _ => return None,
            }
        }
        self.at = i + 1;
        Some((&self.line[start..i], escaped))
    }

    fn string(&mut self) -> Option<Cow<'a, str>> {
        let start = self.at;
        let (inside, escaped) = self.string_span()?;
        if !escaped {
            return Some(Cow::Borrowed(inside));
        }
        serde_json::from_str(&self.line[start..self.at])
            .ok()
            .map(Cow::Owned)
    }

    fn strings(&mut self) -> Option<Vec<Cow<'a, str>>> {
        let mut out = Vec::new();
        self.elements(|at| {
            out.push(at.string()?);
            Some(())
        })?;
        Some(out)
    }

    /// The text of the JSON number at the cursor, checked against the grammar.
    fn number(&mut self) -> Option<&'a str> {
        let start = self.at;
        let digits = |at: &mut Self| {
            let from = at.at;
            while at.peek().is_some_and(|b| b.is_ascii_digit()) {
                at.at += 1;
            }
            (at.at > from).then_some(())
        };
        if self.peek()? == b'-' {
            self.at += 1;
        }
        match self.peek()? {
            b'0' => self.at += 1,
            b'1'..=b'9' => digits(self)?,
            _ => return None,
        }
        if self.peek() == Some(b'.') {
            self.at += 1;
            digits(self)?;
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.at += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.at += 1;
            }
            digits(self)?;
        }
        Some(&self.line[start..self.at])
    }

    /// An integer without fraction or exponent, small enough to need no overflow check;
    /// not `-0`, which serde reads as a float.
    fn int(&mut self) -> Option<i64> {
        let text = self.number()?;
        let digits = text.strip_prefix('-').unwrap_or(text);
        if digits.len() > 18 || text == "-0" || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        text.parse().ok()
    }

    fn unsigned(&mut self) -> Option<u64> {
        let text = self.number()?;
        if text.len() > 19 || !text.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        text.parse().ok()
    }

    /// A float read by serde itself: its rounding is serde's, not the standard library's.
    fn float(&mut self) -> Option<f64> {
        serde_json::from_str(self.number()?).ok()
    }

    /// The text of any value at the cursor, as serde's `RawValue` holds it.
    fn raw_value(&mut self) -> Option<&'a str> {
        let start = self.at;
        self.skip(0)?;
        Some(&self.line[start..self.at])
    }

    /// Skips one value, checking it as strictly as serde does.
    fn skip(&mut self, depth: usize) -> Option<()> {
        if depth > MAX_DEPTH {
            return None;
        }
        match self.peek()? {
            b'"' => self.string_span().map(drop),
            b'{' => self.members(|at, _| at.skip(depth + 1)),
            b'[' => self.elements(|at| at.skip(depth + 1)),
            b't' => self.literal("true"),
            b'f' => self.literal("false"),
            b'n' => self.literal("null"),
            _ => self.number().map(drop),
        }
    }
}

/// The index of the first `"`, `\\` or control character at or after `from` (the end
/// when there is none), eight bytes at a time: most of a line is string.
fn string_stop(bytes: &[u8], from: usize) -> usize {
    first_stop::<true>(bytes, from)
}

/// The index of the first `"` or `\\` at or after `from` (the end when there is none):
/// where a string may end, for walkers that let the parser judge the rest.
pub(crate) fn quote_or_backslash(bytes: &[u8], from: usize) -> usize {
    first_stop::<false>(bytes, from)
}

/// The first `"` or `\\` (and, with `CONTROLS`, byte below 0x20) at or after `from`, by
/// words of eight bytes: cheaper than a vector search on the short strings of a line.
#[inline(always)]
fn first_stop<const CONTROLS: bool>(bytes: &[u8], from: usize) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let mut at = from.min(bytes.len());
    while let Some(chunk) = bytes.get(at..at + 8) {
        let word = u64::from_le_bytes(chunk.try_into().expect("eight bytes"));
        let quote = word ^ (ONES * u64::from(b'"'));
        let backslash = word ^ (ONES * u64::from(b'\\'));
        // A byte's high bit is set where it is zero (below 0x20 for the last); a borrow
        // can mark bytes after a marked one, never before: the lowest mark is true.
        let mut marks =
            (quote.wrapping_sub(ONES) & !quote) | (backslash.wrapping_sub(ONES) & !backslash);
        if CONTROLS {
            marks |= word.wrapping_sub(ONES * 0x20) & !word;
        }
        let marks = marks & HIGHS;
        if marks != 0 {
            return at + (marks.trailing_zeros() / 8) as usize;
        }
        at += 8;
    }
    bytes[at..]
        .iter()
        .position(|&b| b == b'"' || b == b'\\' || (CONTROLS && b < 0x20))
        .map_or(bytes.len(), |i| at + i)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    /// The scan's answer, when it gives one, is serde's.
    fn agrees(line: &str) -> bool {
        let serde: Result<Event<'_>, _> = serde_json::from_str(line);
        match scan(line) {
            Some(ev) => {
                assert_eq!(serde.as_ref().ok(), Some(&ev), "{line}");
                true
            }
            None => false,
        }
    }

    pub(super) fn fixture_lines() -> Vec<String> {
        fn walk(dir: &Path, out: &mut Vec<String>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    walk(&path, out);
                } else if path.extension().is_some_and(|e| e == "jsonl") {
                    let text = std::fs::read_to_string(&path).unwrap();
                    out.extend(
                        text.lines()
                            .filter(|l| !l.trim().is_empty())
                            .map(String::from),
                    );
                }
            }
        }
        let mut out = Vec::new();
        walk(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures"),
            &mut out,
        );
        out
    }

    #[test]
    fn string_stops_are_the_first_quote_backslash_or_control_character_as_asked() {
        let slow = |b: &[u8], from: usize| {
            (from..b.len())
                .find(|&i| matches!(b[i], b'"' | b'\\' | 0..=0x1f))
                .unwrap_or(b.len())
        };
        let text = "abcdefgh\"ij\\klmnopqrstu\u{1}vé✓wxyz0123456789\"\t".as_bytes();
        let quotes = |b: &[u8], from: usize| {
            (from..b.len())
                .find(|&i| matches!(b[i], b'"' | b'\\'))
                .unwrap_or(b.len())
        };
        for from in 0..text.len() {
            assert_eq!(string_stop(text, from), slow(text, from), "{from}");
            assert_eq!(quote_or_backslash(text, from), quotes(text, from), "{from}");
        }
        for len in 0..20 {
            let plain = vec![b'a'; len];
            assert_eq!(string_stop(&plain, 0), len);
            for at in 0..len {
                for stop in [b'"', b'\\', 0, 0x1f, 0x0a] {
                    let mut one = plain.clone();
                    one[at] = stop;
                    assert_eq!(string_stop(&one, 0), at);
                    let quote = matches!(stop, b'"' | b'\\');
                    assert_eq!(quote_or_backslash(&one, 0), if quote { at } else { len });
                }
            }
        }
    }

    #[test]
    fn every_fixture_line_scans_to_what_serde_parses() {
        let lines = fixture_lines();
        assert!(lines.len() > 100, "{}", lines.len());
        for line in &lines {
            assert!(agrees(line), "the scan gave up on {line}");
        }
    }

    #[test]
    fn awkward_json_scans_as_serde_parses_it_or_is_left_to_serde() {
        let scanned = [
            r#"{"type":"exec","comm":"a\"b\\c\n\t\/","argv":["x\"y", "é✓", ""],"pid":-3}"#,
            r#" { "pid" : 3 , "type" : "syscall" , "name" : "openat" , "args" : [ { "raw" : 7 , "text" : "\"/é\"" , "name" : "filename" , "extra" : [1, {"a": null}] } ] } "#,
            r#"{"name":null,"type":"fork","comm":null,"ret":null,"uid":null,"child_pid":12}"#,
            r#"{"type":"syscall","args":[{"name":"a"},{"name":"b","text":null},{"name":"c","text":{"x":[true,false]}}]}"#,
            r#"{"ts":1796286059.7384725,"type":"x","duration":9.94e-6,"n":-1.5E+3,"o":0.0}"#,
            r#"{"ts":17,"type":"x"}"#,
            r#"{}"#,
            r#"{"argv":[],"env":[]}"#,
        ];
        for line in scanned {
            assert!(agrees(line), "the scan gave up on {line}");
        }
        let for_serde = [
            r#"{"type":"exec","comm":"\u00e9"}"#,
            r#"{"type":"exec","comm":"\ud83d\ude00"}"#,
            r#"{"type":"exec","comm":"\ud800"}"#,
            "{\"type\":\"exec\",\"comm\":\"a\tb\"}",
            r#"{"ts":1e400,"type":"x"}"#,
            r#"{"pid":1,"pid":2,"type":"x"}"#,
            r#"{"type":"x","name":"a","name":"b"}"#,
            r#"{"type":"syscall","args":[{"name":"a","raw":1,"raw":2}]}"#,
            r#"{"type":"syscall","args":[{"text":"1"}]}"#,
            r#"{"type":"syscall","args":[{"name":"a","raw":-1}]}"#,
            r#"{"type":"syscall","args":[{"name":"a","raw":1.0}]}"#,
            r#"{"type":"syscall","args":null}"#,
            r#"{"pid":1.0,"type":"x"}"#,
            r#"{"pid":-0,"type":"x"}"#,
            r#"{"pid":1e2,"type":"x"}"#,
            r#"{"pid":99999999999999999999,"type":"x"}"#,
            r#"{"pid":null,"type":"x"}"#,
            r#"{"type":null}"#,
            r#"{"type":"x","argv":null}"#,
            r#"{"type":"x","argv":["a",null]}"#,
            r#"{"type":"x","ts":"1"}"#,
            r#"{"type":"x"} x"#,
            r#"{"type":"x",}"#,
            r#"{"type":"x","a":[1,]}"#,
            r#"{"type":"x","a":01}"#,
            r#"{"type":"x","a":1.}"#,
            r#"{"type":"x","a":-}"#,
            r#"{"type":"x","a":tru}"#,
            r#"{"type":"x","a":"\q"}"#,
            r#"{"ty\u0070e":"x"}"#,
            r#"{"type":"x""#,
            r#"[{"type":"x"}]"#,
            "",
        ];
        for line in for_serde {
            assert!(!agrees(line), "the scan read {line}");
        }
        let deep = format!("{{\"a\":{}{}}}", "[".repeat(200), "]".repeat(200));
        assert!(!agrees(&deep));
    }

    #[test]
    fn mutated_fixture_lines_scan_as_serde_parses_them_or_are_left_to_serde() {
        let lines = fixture_lines();
        let inserts = [
            "\"", "\\", "{", "}", "[", "]", ",", ":", "0", "-", ".", "e", " ", "null", "\\u0041",
        ];
        for line in lines.iter().step_by(7) {
            for at in (0..line.len())
                .filter(|&i| line.is_char_boundary(i))
                .step_by(3)
            {
                let mut cut = line.clone();
                cut.remove(at);
                agrees(&cut);
                for insert in inserts {
                    let mut grown = line.clone();
                    grown.insert_str(at, insert);
                    agrees(&grown);
                }
            }
        }
    }
}

#[cfg(test)]
mod line_path_tests {
    use crate::context::path_of;
    use crate::event::{Event, any_peek, line_path, peek, written_peek};
    use crate::guard::LineNeed;

    /// Whether `line_path`, where it answers, gives the path the parsed event is about.
    fn agrees(line: &str) -> bool {
        let Some(peeked) = peek(line).filter(|p| p.kind == "syscall") else {
            return false;
        };
        let (Some(read), true) = (line_path(line, peeked.rest), LineNeed::applies_to(line)) else {
            return false;
        };
        let Ok(ev) = Event::parse(line) else {
            return false;
        };
        assert_eq!(path_of(&ev, false).unwrap_or_default(), read, "{line}");
        true
    }

    fn path(line: &str) -> Option<&str> {
        line_path(line, peek(line)?.rest)
    }

    #[test]
    fn the_path_read_from_a_line_is_the_parsed_events_path() {
        let lines = super::tests::fixture_lines();
        let answered = lines.iter().filter(|l| agrees(l)).count();
        assert!(
            answered > 100,
            "only {answered} fixture lines had a path read"
        );
        let with_path = lines
            .iter()
            .filter(|l| path(l).is_some_and(|p| !p.is_empty()));
        assert!(with_path.count() > 20);
        each_bent_line(|bent| {
            agrees(bent);
        });
    }

    /// Calls `check` with fixture lines bent at every place the readings rely on.
    fn each_bent_line(mut check: impl FnMut(&str)) {
        let inserts = [
            "\"",
            "\\\"",
            ",",
            " ",
            "}",
            "1",
            "-",
            "\"path\":\"/x\",",
            "\"path\" :\"/x\",",
            "\"filename\"",
        ];
        let lines = super::tests::fixture_lines();
        for line in lines
            .iter()
            .filter(|l| l.contains("\"filename\""))
            .step_by(5)
        {
            for at in (0..line.len()).filter(|&i| line.is_char_boundary(i)) {
                for insert in inserts {
                    let mut bent = line.clone();
                    bent.insert_str(at, insert);
                    check(&bent);
                }
            }
        }
    }

    #[test]
    fn a_line_in_the_shape_sysfence_writes_peeks_as_any_object_does() {
        let (mut written, mut lines) = (0, 0);
        each_bent_line(|bent| {
            lines += 1;
            if let Some(fast) = written_peek(bent) {
                written += 1;
                assert_eq!(Some(fast), any_peek(bent), "{bent}");
            }
        });
        assert!(
            written * 2 > lines,
            "{written} of {lines} bent lines in the written shape"
        );
    }

    #[test]
    fn a_path_in_any_other_shape_is_left_to_the_parser() {
        let line_path = path;
        let line = |args: &str| format!(r#"{{"type":"syscall","name":"openat","args":[{args}]}}"#);
        let plain = line(r#"{"name":"filename","text":"\"/etc/passwd\"","raw":1}"#);
        assert_eq!(line_path(&plain), Some("/etc/passwd"));
        let cut = line(r#"{"name":"filename","text":"\"/etc/pas\"...","raw":1}"#);
        assert_eq!(line_path(&cut), None);
        let spaced = line(r#"{ "name" : "filename", "text" : "\"/etc/passwd\"" }"#);
        assert_eq!(line_path(&spaced), Some("/etc/passwd"));
        let second = line(r#"{"name":"fd","raw":3},{"name":"pathname","text":"\"/a\""}"#);
        assert_eq!(line_path(&second), Some("/a"));
        let own = r#"{"type":"syscall","path":"/x","args":[]}"#;
        assert_eq!(line_path(own), None);
        let spaced_key = r#"{"type":"syscall","name":"openat","args":[{"name":"filename","text":"\"/etc/passwd\"","raw":1}],"ret":3,"path" :"/x"}"#;
        assert_eq!(line_path(spaced_key), None);
        let pointer = line(r#"{"name":"filename","text":"0x1000","raw":4096}"#);
        assert_eq!(line_path(&pointer), None);
        assert_eq!(
            line_path(&line(r#"{"name":"fd","text":"3","raw":3}"#)),
            Some("")
        );
    }
}
