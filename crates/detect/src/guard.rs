//! Guards: the literal tests a CEL condition cannot be true without, read from its syntax
//! tree when the rule compiles, and checked in Rust before CEL runs. A condition
//! `args.filename.startsWith("/etc/") && comm != "vi"` has the guard "the filename
//! starts with /etc/": an event whose filename does not is skipped without building a
//! CEL context. A guard is only ever a necessary condition (for `a && b` both sides'
//! guards, for `a || b` a guard only where both sides have one), so skipping on it never
//! changes a rule's answer; an expression it cannot read contributes no guard.

use crate::process::basename;
use cel::common::ast::{CallExpr, Expr, IdedExpr, ListExpr, LiteralValue, operators};
use memchr::memmem::Finder;
use std::borrow::Cow;

/// A field of the event a guard can read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Field {
    /// `event`.
    Event,
    /// `comm`.
    Comm,
    /// `executable`.
    Executable,
    /// `path`.
    Path,
    /// `container`.
    Container,
    /// `cwd`.
    Cwd,
    /// `errno`.
    Errno,
    /// `parent.comm`.
    ParentComm,
    /// `parent.executable`.
    ParentExecutable,
    /// `args.NAME`.
    Arg(String),
    /// `retval`.
    Retval,
    /// `uid`.
    Uid,
    /// `raw.NAME`.
    Raw(String),
    /// `basename(FIELD)`.
    Basename(Box<Field>),
    /// `FIELD in sockets`, as an integer: 1 when the process holds a socket on that fd.
    Socket(Box<Field>),
}

/// A value a guard compares.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldValue<'a> {
    /// A string.
    Str(Cow<'a, str>),
    /// An integer.
    Int(i64),
}

/// A string test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StrOp {
    /// `==`.
    Equals,
    /// `.startsWith()`.
    StartsWith,
    /// `.endsWith()`.
    EndsWith,
    /// `.contains()`.
    Contains,
    /// `hasFlag(FIELD, "FLAG")`: one of the `|`-separated names.
    HasFlag,
    /// `glob(FIELD, "PATTERN")`.
    Glob,
}

/// An integer comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntOp {
    /// `<`.
    Less,
    /// `<=`.
    LessEq,
    /// `>`.
    Greater,
    /// `>=`.
    GreaterEq,
}

/// A necessary condition of a rule's CEL condition.
#[derive(Debug, Clone, PartialEq)]
pub enum Guard {
    /// Every one holds.
    All(Vec<Guard>),
    /// At least one holds.
    Any(Vec<Guard>),
    /// The field is a string passing the test against one of the literals.
    Str(Field, StrOp, Vec<String>),
    /// The field is an integer equal to one of the literals.
    Int(Field, Vec<i64>),
    /// The field is an integer comparing so with the literal (a field that is no
    /// integer is admitted: CEL decides).
    Compare(Field, IntOp, i64),
    /// `anyBit(FIELD, MASK)`: the integer field has a bit of the mask.
    AnyBit(Field, i64),
}

/// A guard for the events of one name, whose `event` tests are decided already.
#[derive(Debug, Clone, PartialEq)]
pub enum Specialized {
    /// Every event of the name is admitted: no guard to check.
    Always,
    /// No event of the name is admitted.
    Never,
    /// What is left to check.
    Check(Guard),
}

/// A test of an event's path (the `path` variable, empty when the event has none); a
/// rule's guard may need one of several to hold, checked once per event for every rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathTest {
    /// The path is this.
    Is(String),
    /// The path starts with this.
    Prefix(String),
    /// The path ends with this.
    Suffix(String),
    /// The path contains this.
    Contains(String),
    /// The path's basename is this.
    BasenameIs(String),
    /// The path's basename starts with this.
    BasenamePrefix(String),
}

impl PathTest {
    /// Whether it holds of `path`.
    pub fn holds(&self, path: &str) -> bool {
        match self {
            PathTest::Is(s) => path == s,
            PathTest::Prefix(s) => path.starts_with(s.as_str()),
            PathTest::Suffix(s) => path.ends_with(s.as_str()),
            PathTest::Contains(s) => path.contains(s.as_str()),
            PathTest::BasenameIs(s) => basename(path) == s,
            PathTest::BasenamePrefix(s) => basename(path).starts_with(s.as_str()),
        }
    }
}

/// Path tests checked together once per event, each first against a word of its text
/// (the path's first or last eight bytes, or its basename's first), where most fail.
#[derive(Debug, Clone, Default)]
pub struct PathTests {
    tests: Vec<PathTest>,
    /// Per test: which word of the path it is checked against first (see
    /// [`PathTests::hits`]), and the word and mask that word must match.
    words: Vec<(usize, u64, u64)>,
    /// Per test: the prebuilt search of a `Contains` test.
    finders: Vec<Option<Finder<'static>>>,
}

/// The first bytes of `text` (up to eight) as a little-endian word, and the mask of them.
fn head_word(text: &[u8]) -> (u64, u64) {
    let n = text.len().min(8);
    let mut word = [0u8; 8];
    word[..n].copy_from_slice(&text[..n]);
    (u64::from_le_bytes(word), low_bytes(n))
}

/// The last bytes of `text` (up to eight) at the top of a word, and the mask of them.
fn tail_word(text: &[u8]) -> (u64, u64) {
    let n = text.len().min(8);
    let mut word = [0u8; 8];
    word[8 - n..].copy_from_slice(&text[text.len() - n..]);
    (u64::from_le_bytes(word), !low_bytes(8 - n))
}

fn low_bytes(n: usize) -> u64 {
    if n >= 8 { !0 } else { (1u64 << (8 * n)) - 1 }
}

impl PathTests {
    /// Adds a test (if new); its bit in [`PathTests::hits`], `None` past 64 tests.
    pub fn bit(&mut self, test: PathTest) -> Option<u64> {
        if let Some(at) = self.tests.iter().position(|t| *t == test) {
            return Some(1 << at);
        }
        if self.tests.len() == 64 {
            return None;
        }
        // Words: 0 the path's head, 1 its tail, 2 its basename's head, 3 none (zero).
        let (from, (word, mask)) = match &test {
            PathTest::Is(s) | PathTest::Prefix(s) => (0, head_word(s.as_bytes())),
            PathTest::Suffix(s) => (1, tail_word(s.as_bytes())),
            PathTest::BasenameIs(s) | PathTest::BasenamePrefix(s) => (2, head_word(s.as_bytes())),
            PathTest::Contains(_) => (3, (0, 0)),
        };
        self.finders.push(match &test {
            PathTest::Contains(s) => Some(Finder::new(s.as_bytes()).into_owned()),
            _ => None,
        });
        self.words.push((from, word, mask));
        self.tests.push(test);
        Some(1 << (self.tests.len() - 1))
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.tests.is_empty()
    }

    /// The bits of the tests that hold of `path`.
    pub fn hits(&self, path: &str) -> u64 {
        let words = [
            head_word(path.as_bytes()).0,
            tail_word(path.as_bytes()).0,
            head_word(basename(path).as_bytes()).0,
            0,
        ];
        let mut hits = 0;
        for (at, &(from, word, mask)) in self.words.iter().enumerate() {
            if words[from] & mask == word {
                let holds = match &self.finders[at] {
                    Some(finder) => finder.find(path.as_bytes()).is_some(),
                    None => self.tests[at].holds(path),
                };
                hits |= u64::from(holds) << at;
            }
        }
        hits
    }
}

/// Text a line must contain for a guard to admit its event: a necessary condition
/// checked on the raw JSON line, before it is parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineNeed {
    /// Every one holds.
    All(Vec<LineNeed>),
    /// At least one holds.
    Any(Vec<LineNeed>),
    /// The line contains this text.
    Text(Box<NeedText>),
}

/// A text to look for in lines, with its searcher built once.
#[derive(Debug, Clone)]
pub struct NeedText(Finder<'static>);

impl NeedText {
    /// A searcher for `text`.
    pub fn new(text: &str) -> Self {
        NeedText(Finder::new(text.as_bytes()).into_owned())
    }
}

impl PartialEq for NeedText {
    fn eq(&self, other: &Self) -> bool {
        self.0.needle() == other.0.needle()
    }
}

impl Eq for NeedText {}

impl From<&str> for NeedText {
    fn from(text: &str) -> Self {
        NeedText::new(text)
    }
}

impl LineNeed {
    /// Whether `line` may hold an event the guard admits. Only for lines without
    /// escapes other than `\"` (see [`LineNeed::applies_to`]).
    pub fn admits(&self, line: &str) -> bool {
        match self {
            LineNeed::All(parts) => parts.iter().all(|n| n.admits(line)),
            LineNeed::Any(parts) => parts.iter().any(|n| n.admits(line)),
            LineNeed::Text(text) => text.0.find(line.as_bytes()).is_some(),
        }
    }

    /// Whether the line's strings are written verbatim (no `\\` and no `\u` escape), so
    /// that a decoded value containing a literal means the line contains it too.
    pub fn applies_to(line: &str) -> bool {
        // One pass from backslash to backslash (`\"` is common, the others rare).
        let bytes = line.as_bytes();
        !memchr::memchr_iter(b'\\', bytes).any(|at| matches!(bytes.get(at + 1), Some(b'\\' | b'u')))
    }

    /// How many texts it checks.
    pub fn texts(&self) -> usize {
        match self {
            LineNeed::All(parts) | LineNeed::Any(parts) => parts.iter().map(LineNeed::texts).sum(),
            LineNeed::Text(_) => 1,
        }
    }
}

/// Whether a field's value is read from the event's own line (not the process table).
fn from_line(field: &Field) -> bool {
    match field {
        Field::Event | Field::Path | Field::Container | Field::Cwd | Field::Errno => true,
        Field::Arg(_) => true,
        Field::Basename(inner) => from_line(inner),
        _ => false,
    }
}

/// Whether a literal appears in a JSON line exactly as written (printable ASCII, no
/// quote or backslash, which JSON or strace would escape).
fn verbatim(literal: &str) -> bool {
    literal
        .bytes()
        .all(|b| (0x20..0x7f).contains(&b) && b != b'"' && b != b'\\')
}

impl Guard {
    /// The text a line must contain for this guard to admit its event, if any.
    pub fn line_need(&self) -> Option<LineNeed> {
        match self {
            Guard::All(parts) => {
                let needs: Vec<LineNeed> = parts.iter().filter_map(Guard::line_need).collect();
                (!needs.is_empty()).then_some(LineNeed::All(needs))
            }
            Guard::Any(parts) => {
                let needs: Option<Vec<LineNeed>> = parts.iter().map(Guard::line_need).collect();
                Some(LineNeed::Any(needs?))
            }
            Guard::Str(field, op, literals) if from_line(field) => {
                let texts: Option<Vec<LineNeed>> = literals
                    .iter()
                    .map(|l| {
                        let text = match op {
                            // The longest run without wildcards.
                            StrOp::Glob => l.split(['*', '?']).max_by_key(|p| p.len())?,
                            _ => l.as_str(),
                        };
                        verbatim(text).then(|| LineNeed::Text(Box::new(text.into())))
                    })
                    .collect();
                Some(LineNeed::Any(texts?))
            }
            _ => None,
        }
    }

    /// This guard for events named `event`: its `event` tests decided (the variable
    /// holds the name the rules index the event by), what is left simplified.
    pub fn specialize(&self, event: &str) -> Specialized {
        match self {
            Guard::All(parts) => {
                let mut left = Vec::new();
                for part in parts {
                    match part.specialize(event) {
                        Specialized::Always => {}
                        Specialized::Never => return Specialized::Never,
                        Specialized::Check(g) => left.push(g),
                    }
                }
                match left.len() {
                    0 => Specialized::Always,
                    1 => Specialized::Check(left.remove(0)),
                    _ => Specialized::Check(Guard::All(left)),
                }
            }
            Guard::Any(parts) => {
                let mut left = Vec::new();
                for part in parts {
                    match part.specialize(event) {
                        Specialized::Always => return Specialized::Always,
                        Specialized::Never => {}
                        Specialized::Check(g) => left.push(g),
                    }
                }
                match left.len() {
                    0 => Specialized::Never,
                    1 => Specialized::Check(left.remove(0)),
                    _ => Specialized::Check(Guard::Any(left)),
                }
            }
            Guard::Str(Field::Event, ..) => {
                let read = |_: &Field| Some(FieldValue::Str(Cow::Borrowed(event)));
                if self.admits(&read) {
                    Specialized::Always
                } else {
                    Specialized::Never
                }
            }
            other => Specialized::Check(other.clone()),
        }
    }

    /// Path tests the guard cannot admit an event without, as clauses: in each clause,
    /// one test must hold. Empty when the guard needs nothing of the path.
    pub fn path_clauses(&self) -> Vec<Vec<PathTest>> {
        match self {
            Guard::All(parts) => parts.iter().flat_map(Guard::path_clauses).collect(),
            Guard::Any(parts) => {
                // Each alternative must need something of the path: one of its clauses.
                let mut clause = Vec::new();
                for part in parts {
                    match part.path_clauses().into_iter().next() {
                        Some(tests) => clause.extend(tests),
                        None => return Vec::new(),
                    }
                }
                vec![clause]
            }
            Guard::Str(field, op, literals) => {
                let test = |l: &String| -> Option<PathTest> {
                    let l = l.clone();
                    match (field, op) {
                        (Field::Path, StrOp::Equals) => Some(PathTest::Is(l)),
                        (Field::Path, StrOp::StartsWith) => Some(PathTest::Prefix(l)),
                        (Field::Path, StrOp::EndsWith) => Some(PathTest::Suffix(l)),
                        (Field::Path, StrOp::Contains) => Some(PathTest::Contains(l)),
                        // What comes before the first wildcard is matched as written.
                        (Field::Path, StrOp::Glob) => {
                            let prefix = l.split(['*', '?']).next().unwrap_or_default();
                            (!prefix.is_empty()).then(|| PathTest::Prefix(prefix.to_string()))
                        }
                        (Field::Basename(inner), StrOp::Equals) if **inner == Field::Path => {
                            Some(PathTest::BasenameIs(l))
                        }
                        (Field::Basename(inner), StrOp::StartsWith) if **inner == Field::Path => {
                            Some(PathTest::BasenamePrefix(l))
                        }
                        _ => None,
                    }
                };
                literals
                    .iter()
                    .map(test)
                    .collect::<Option<Vec<PathTest>>>()
                    .filter(|tests| !tests.is_empty())
                    .map(|tests| vec![tests])
                    .unwrap_or_default()
            }
            _ => Vec::new(),
        }
    }

    /// Reads the guard of a condition; `None` when nothing in it can be checked early.
    pub fn of(expr: &IdedExpr) -> Option<Guard> {
        let Expr::Call(call) = &expr.expr else {
            return None;
        };
        match call.func_name.as_str() {
            operators::LOGICAL_AND => {
                // `a && b && c` nests: one flat list.
                let parts: Vec<Guard> = call
                    .args
                    .iter()
                    .filter_map(Guard::of)
                    .flat_map(|g| match g {
                        Guard::All(inner) => inner,
                        other => vec![other],
                    })
                    .collect();
                match parts.len() {
                    0 => None,
                    1 => parts.into_iter().next(),
                    _ => Some(Guard::All(parts)),
                }
            }
            operators::LOGICAL_OR => {
                let parts: Option<Vec<Guard>> = call.args.iter().map(Guard::of).collect();
                Some(Guard::Any(parts?))
            }
            operators::EQUALS => equality(call),
            operators::LESS
            | operators::LESS_EQUALS
            | operators::GREATER
            | operators::GREATER_EQUALS => comparison(call),
            "hasFlag" | "anyBit" | "glob" | "startsWithAny" => helper(call),
            operators::IN => membership(call),
            "startsWith" | "endsWith" | "contains" => method(call),
            _ => None,
        }
    }

    /// Whether the event can pass the condition, given how to read its fields.
    pub fn admits<'a>(&self, read: &impl Fn(&Field) -> Option<FieldValue<'a>>) -> bool {
        match self {
            Guard::All(parts) => parts.iter().all(|g| g.admits(read)),
            Guard::Any(parts) => parts.iter().any(|g| g.admits(read)),
            Guard::Str(field, op, literals) => match read(field) {
                Some(FieldValue::Str(s)) => literals.iter().any(|l| match op {
                    StrOp::Equals => *s == **l,
                    StrOp::StartsWith => s.starts_with(l.as_str()),
                    StrOp::EndsWith => s.ends_with(l.as_str()),
                    StrOp::Contains => s.contains(l.as_str()),
                    StrOp::HasFlag => crate::functions::has_flag(&s, l),
                    StrOp::Glob => crate::functions::glob(l.as_bytes(), s.as_bytes()),
                }),
                _ => false,
            },
            Guard::Int(field, literals) => {
                matches!(read(field), Some(FieldValue::Int(n)) if literals.contains(&n))
            }
            Guard::Compare(field, op, literal) => match read(field) {
                Some(FieldValue::Int(n)) => match op {
                    IntOp::Less => n < *literal,
                    IntOp::LessEq => n <= *literal,
                    IntOp::Greater => n > *literal,
                    IntOp::GreaterEq => n >= *literal,
                },
                _ => true,
            },
            Guard::AnyBit(field, mask) => {
                matches!(read(field), Some(FieldValue::Int(n)) if n & mask != 0)
            }
        }
    }
}

fn equality(call: &CallExpr) -> Option<Guard> {
    let [left, right] = call.args.as_slice() else {
        return None;
    };
    let (field, literal) = match (field_of(left), field_of(right)) {
        (Some(f), None) => (f, right),
        (None, Some(f)) => (f, left),
        _ => return None,
    };
    match &literal.expr {
        Expr::Literal(LiteralValue::String(s)) => Some(Guard::Str(
            field,
            StrOp::Equals,
            vec![s.inner().to_string()],
        )),
        Expr::Literal(LiteralValue::Int(n)) => Some(Guard::Int(field, vec![*n.inner()])),
        _ => None,
    }
}

fn comparison(call: &CallExpr) -> Option<Guard> {
    let [left, right] = call.args.as_slice() else {
        return None;
    };
    let Expr::Literal(LiteralValue::Int(n)) = &right.expr else {
        return None;
    };
    let op = match call.func_name.as_str() {
        operators::LESS => IntOp::Less,
        operators::LESS_EQUALS => IntOp::LessEq,
        operators::GREATER => IntOp::Greater,
        _ => IntOp::GreaterEq,
    };
    Some(Guard::Compare(field_of(left)?, op, *n.inner()))
}

/// `hasFlag(FIELD, "FLAG")`, `anyBit(FIELD, MASK)`, `glob(FIELD, "PATTERN")` and
/// `startsWithAny(FIELD, [...])`, the helpers a guard can run.
fn helper(call: &CallExpr) -> Option<Guard> {
    if call.target.is_some() {
        return None;
    }
    let [field, literal] = call.args.as_slice() else {
        return None;
    };
    let field = field_of(field)?;
    match (call.func_name.as_str(), &literal.expr) {
        ("hasFlag", Expr::Literal(LiteralValue::String(s))) => Some(Guard::Str(
            field,
            StrOp::HasFlag,
            vec![s.inner().to_string()],
        )),
        ("anyBit", Expr::Literal(LiteralValue::Int(n))) => Some(Guard::AnyBit(field, *n.inner())),
        ("glob", Expr::Literal(LiteralValue::String(s))) => {
            Some(Guard::Str(field, StrOp::Glob, vec![s.inner().to_string()]))
        }
        ("startsWithAny", Expr::List(list)) => Some(Guard::Str(
            field,
            StrOp::StartsWith,
            literals(list, string_literal)?,
        )),
        _ => None,
    }
}

fn string_literal(literal: &LiteralValue) -> Option<String> {
    match literal {
        LiteralValue::String(s) => Some(s.inner().to_string()),
        _ => None,
    }
}

/// Every element of a list literal through `take`; `None` if one is not a literal it takes.
fn literals<T>(list: &ListExpr, take: impl Fn(&LiteralValue) -> Option<T>) -> Option<Vec<T>> {
    list.elements
        .iter()
        .map(|e| match &e.expr {
            Expr::Literal(l) => take(l),
            _ => None,
        })
        .collect()
}

fn membership(call: &CallExpr) -> Option<Guard> {
    let [item, list] = call.args.as_slice() else {
        return None;
    };
    let field = field_of(item)?;
    let list = match &list.expr {
        Expr::Ident(name) if name == "sockets" => {
            return Some(Guard::Int(Field::Socket(Box::new(field)), vec![1]));
        }
        Expr::List(list) => list,
        _ => return None,
    };
    let strings = literals(list, string_literal);
    if let Some(strings) = strings.filter(|s| !s.is_empty()) {
        return Some(Guard::Str(field, StrOp::Equals, strings));
    }
    let ints = literals(list, |l| match l {
        LiteralValue::Int(n) => Some(*n.inner()),
        _ => None,
    });
    ints.filter(|i| !i.is_empty()).map(|i| Guard::Int(field, i))
}

fn method(call: &CallExpr) -> Option<Guard> {
    let field = field_of(call.target.as_deref()?)?;
    let [arg] = call.args.as_slice() else {
        return None;
    };
    let Expr::Literal(LiteralValue::String(s)) = &arg.expr else {
        return None;
    };
    let op = match call.func_name.as_str() {
        "startsWith" => StrOp::StartsWith,
        "endsWith" => StrOp::EndsWith,
        _ => StrOp::Contains,
    };
    Some(Guard::Str(field, op, vec![s.inner().to_string()]))
}

/// The field an expression names, if it is one a guard can read.
fn field_of(expr: &IdedExpr) -> Option<Field> {
    match &expr.expr {
        Expr::Ident(name) => match name.as_str() {
            "event" => Some(Field::Event),
            "comm" => Some(Field::Comm),
            "executable" => Some(Field::Executable),
            "path" => Some(Field::Path),
            "container" => Some(Field::Container),
            "cwd" => Some(Field::Cwd),
            "errno" => Some(Field::Errno),
            "retval" => Some(Field::Retval),
            "uid" => Some(Field::Uid),
            _ => None,
        },
        Expr::Select(select) if !select.test => match (&select.operand.expr, select.field.as_str())
        {
            (Expr::Ident(root), field) if root == "args" => Some(Field::Arg(field.to_string())),
            (Expr::Ident(root), field) if root == "raw" => Some(Field::Raw(field.to_string())),
            (Expr::Ident(root), "comm") if root == "parent" => Some(Field::ParentComm),
            (Expr::Ident(root), "executable") if root == "parent" => Some(Field::ParentExecutable),
            _ => None,
        },
        Expr::Call(call) if call.func_name == "basename" && call.target.is_none() => {
            let [inner] = call.args.as_slice() else {
                return None;
            };
            Some(Field::Basename(Box::new(field_of(inner)?)))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guard(source: &str) -> Option<Guard> {
        let program = cel::Env::stdlib().compile(source).unwrap();
        Guard::of(program.expression())
    }

    #[test]
    fn conjunctions_keep_every_readable_side() {
        let g = guard(r#"args.filename.startsWith("/etc/") && size(comm) > 2"#).unwrap();
        assert_eq!(
            g,
            Guard::Str(
                Field::Arg("filename".into()),
                StrOp::StartsWith,
                vec!["/etc/".into()]
            )
        );
    }

    #[test]
    fn membership_in_the_processs_sockets_is_a_guard() {
        let g = guard("args.newfd in [0, 1, 2] && args.oldfd in sockets").unwrap();
        let socket = Field::Socket(Box::new(Field::Arg("oldfd".into())));
        assert_eq!(
            g,
            Guard::All(vec![
                Guard::Int(Field::Arg("newfd".into()), vec![0, 1, 2]),
                Guard::Int(socket.clone(), vec![1]),
            ])
        );
        let held = |held: bool| {
            move |f: &Field| match f {
                Field::Socket(_) => Some(FieldValue::Int(held.into())),
                _ => Some(FieldValue::Int(1)),
            }
        };
        assert!(g.admits(&held(true)));
        assert!(!g.admits(&held(false)));
    }

    #[test]
    fn a_disjunction_with_an_unreadable_side_has_no_guard() {
        assert_eq!(guard(r#"comm == "a" || size(comm) > 2"#), None);
        assert!(matches!(
            guard(r#"comm == "a" || basename(executable) in ["b", "c"]"#),
            Some(Guard::Any(_))
        ));
    }

    #[test]
    fn negations_contribute_nothing() {
        assert_eq!(guard(r#"!(comm == "a")"#), None);
        assert_eq!(guard(r#"comm != "a""#), None);
    }

    #[test]
    fn helpers_and_comparisons_have_guards() {
        let g = guard(r#"hasFlag(args.flags, "O_CREAT") && retval >= 0 && anyBit(raw.mode, 73)"#);
        let Some(Guard::All(parts)) = g else {
            panic!("{g:?}")
        };
        assert_eq!(parts.len(), 3);
        let read = |f: &Field| match f {
            Field::Arg(_) => Some(FieldValue::Str("O_WRONLY|O_CREAT".into())),
            Field::Retval => Some(FieldValue::Int(3)),
            _ => Some(FieldValue::Int(0o644)),
        };
        assert!(!Guard::All(parts.clone()).admits(&read));
        let read = |f: &Field| match f {
            Field::Arg(_) => Some(FieldValue::Str("O_WRONLY|O_CREAT".into())),
            Field::Retval => Some(FieldValue::Int(3)),
            _ => Some(FieldValue::Int(0o755)),
        };
        assert!(Guard::All(parts).admits(&read));
    }

    #[test]
    fn line_needs_come_from_fields_of_the_line_only() {
        let need = guard(r#"args.prot.contains("PROT_EXEC") && hasFlag(args.prot, "PROT_WRITE")"#)
            .and_then(|g| g.line_need())
            .unwrap();
        assert!(need.admits(r#"{"text":"PROT_READ|PROT_WRITE|PROT_EXEC"}"#));
        assert!(!need.admits(r#"{"text":"PROT_READ|PROT_EXEC"}"#));
        // comm may come from the process table: no need on the line.
        assert_eq!(guard(r#"comm == "sshd""#).and_then(|g| g.line_need()), None);
        // A literal JSON would escape cannot be looked for verbatim.
        assert_eq!(guard(r#"path == "a\"b""#).and_then(|g| g.line_need()), None);
        let glob = guard(r#"glob(path, "/proc/*/mem")"#).and_then(|g| g.line_need());
        assert_eq!(
            glob,
            Some(LineNeed::Any(vec![LineNeed::Text(Box::new(
                "/proc/".into()
            ))]))
        );
        assert!(LineNeed::applies_to(r#"{"text":"\"/etc\""}"#));
        assert!(!LineNeed::applies_to(r#"{"text":"\"a\\nb\""}"#));
        assert!(!LineNeed::applies_to(r#"{"text":"\u002f"}"#));
    }

    #[test]
    fn event_tests_are_decided_for_each_event_name() {
        let g = guard(r#"(event == "creat" || hasFlag(args.flags, "O_CREAT")) && retval >= 0"#)
            .unwrap();
        let Specialized::Check(open) = g.specialize("openat") else {
            panic!()
        };
        assert_eq!(
            open,
            Guard::All(vec![
                Guard::Str(
                    Field::Arg("flags".into()),
                    StrOp::HasFlag,
                    vec!["O_CREAT".into()]
                ),
                Guard::Compare(Field::Retval, IntOp::GreaterEq, 0),
            ])
        );
        assert_eq!(
            g.specialize("creat"),
            Specialized::Check(Guard::Compare(Field::Retval, IntOp::GreaterEq, 0))
        );
        let g = guard(r#"event.startsWith("rename") && path == "/a""#).unwrap();
        assert_eq!(g.specialize("openat"), Specialized::Never);
        assert_eq!(
            guard(r#"event == "x""#).unwrap().specialize("x"),
            Specialized::Always
        );
    }

    #[test]
    fn path_clauses_are_what_the_guard_needs_of_the_path() {
        let g = guard(
            r#"(path == "/etc/a" || glob(path, "/root/*/id") || basename(path).startsWith("."))
               && path.endsWith("x") && hasFlag(args.flags, "O_RDWR")"#,
        )
        .unwrap();
        let clauses = g.path_clauses();
        assert_eq!(
            clauses,
            vec![
                vec![
                    PathTest::Is("/etc/a".into()),
                    PathTest::Prefix("/root/".into()),
                    PathTest::BasenamePrefix(".".into())
                ],
                vec![PathTest::Suffix("x".into())]
            ]
        );
        let g = guard(r#"path == "/a" || hasFlag(args.flags, "O_RDWR")"#).unwrap();
        assert!(g.path_clauses().is_empty());
        assert!(PathTest::BasenameIs("sh".into()).holds("/bin/sh"));
        let tests = [
            PathTest::Is("/etc/shadow".into()),
            PathTest::Prefix("/proc/".into()),
            PathTest::Prefix("/etc/ssh/ssh_host_".into()),
            PathTest::Suffix("/mem".into()),
            PathTest::Suffix("/notify_on_release".into()),
            PathTest::Contains("../".into()),
            PathTest::BasenameIs("sh".into()),
            PathTest::BasenamePrefix(".".into()),
            PathTest::BasenamePrefix("ld-linux".into()),
        ];
        let mut set = PathTests::default();
        for test in &tests {
            set.bit(test.clone());
        }
        for path in [
            "",
            "/",
            "sh",
            "/bin/sh",
            "/etc/shadow",
            "/etc/shadow-",
            "/proc/1/mem",
            "/mem",
            "mem",
            "/etc/ssh/ssh_host_rsa_key",
            "/etc/ssh/",
            "a/../b",
            "/x/.hidden",
            "/lib64/ld-linux-x86-64.so.2",
            "/sys/fs/cgroup/notify_on_release",
            "/é✓/.sh",
        ] {
            let each = tests
                .iter()
                .enumerate()
                .filter(|(_, t)| t.holds(path))
                .fold(0, |hits, (at, _)| hits | 1 << at);
            assert_eq!(set.hits(path), each, "{path}");
        }
        assert!(!PathTest::Contains("../".into()).holds("/etc/passwd"));
    }

    #[test]
    fn applies_to_finds_the_escapes_substring_search_finds() {
        let by_search = |l: &str| !l.contains("\\\\") && !l.contains("\\u");
        for line in [
            "",
            "\\",
            "a\\",
            "\\\"",
            "\\\\",
            "x\\u",
            "\\\"\\\"",
            "\\\"\\",
            "\\n\\\\",
            "\\\\\\",
            r#"{"text":"\"/etc\""}"#,
        ] {
            assert_eq!(LineNeed::applies_to(line), by_search(line), "{line:?}");
        }
    }

    #[test]
    fn admits_reads_fields_through_the_callback() {
        let g = guard(r#"args.newfd in [0, 1, 2] && event == "dup2""#).unwrap();
        let read = |f: &Field| match f {
            Field::Arg(_) => Some(FieldValue::Int(1)),
            Field::Event => Some(FieldValue::Str("dup2".into())),
            _ => None,
        };
        assert!(g.admits(&read));
        let read = |f: &Field| match f {
            Field::Arg(_) => Some(FieldValue::Int(5)),
            _ => Some(FieldValue::Str("dup2".into())),
        };
        assert!(!g.admits(&read));
    }
}
