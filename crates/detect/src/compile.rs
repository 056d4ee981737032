//! Compiling rule files: every check a rule must pass, and every CEL program compiled
//! once, with its guard, before any event is seen.

use crate::guard::Guard;
use crate::rule::{
    self, RuleError, RuleSpec, Scope, SequenceSpec, Severity, field_line, field_line_nth,
};
use cel::Program;
use cel::common::ast::{Expr, IdedExpr};
use std::collections::HashSet;
use syscalls::Arch;

/// The event types (besides syscall names) rules may name in `events`.
pub const EVENT_TYPES: &[&str] = &[
    "exec", "fork", "exit", "killed", "signal", "io_uring", "lost",
];

/// The variables a condition may use; see the crate docs for what each holds.
pub const VARIABLES: &[&str] = &[
    "event",
    "args",
    "raw",
    "retval",
    "errno",
    "comm",
    "pid",
    "tid",
    "ppid",
    "uid",
    "container",
    "executable",
    "parent",
    "cwd",
    "path",
    "ts",
    "sockets",
    "ancestors",
];

/// What a loaded rule is, for listing and for alerts.
#[derive(Debug, Clone)]
pub struct RuleInfo {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its description.
    pub description: String,
    /// Its severity.
    pub severity: Severity,
    /// Its MITRE ATT&CK techniques.
    pub mitre: Vec<String>,
    /// Its tags.
    pub tags: Vec<String>,
    /// Every event it needs (for a sequence, every step's).
    pub events: Vec<String>,
    /// The file it came from.
    pub file: String,
    /// The line it starts on.
    pub line: usize,
}

/// A compiled condition: the CEL program (none means true) and its guard.
pub struct Condition {
    /// The program.
    pub program: Option<Program>,
    /// What must hold for the program to be worth running.
    pub guard: Option<Guard>,
}

/// One compiled step of a sequence.
pub struct Step {
    /// The events it matches.
    pub events: Vec<String>,
    /// Its condition.
    pub condition: Condition,
    /// Its join key, under `scope: key`.
    pub key: Option<Program>,
    /// Whether that key is just `path`, read from the event without running CEL.
    pub key_is_path: bool,
}

/// How a rule decides.
pub enum Body {
    /// One event, one condition.
    Single(Condition),
    /// Several events in order.
    Sequence {
        /// What joins the steps.
        scope: Scope,
        /// Seconds the whole sequence may take.
        within: f64,
        /// The steps.
        steps: Vec<Step>,
    },
}

/// A rule ready to run.
pub struct CompiledRule {
    /// What it is.
    pub info: RuleInfo,
    /// How it decides.
    pub body: Body,
    /// Whether any of its programs reads `sockets`.
    pub uses_sockets: bool,
    /// Whether any of its programs reads `ancestors`.
    pub uses_ancestors: bool,
}

/// Whether `name` is an event rules can name: an event type or a syscall of any ABI.
pub fn is_event_name(name: &str) -> bool {
    EVENT_TYPES.contains(&name)
        || [Arch::X86_64, Arch::I386, Arch::X32, Arch::Aarch64]
            .iter()
            .any(|arch| arch.table().lookup_name(name).is_some())
}

/// Compiles every rule of one file; `seen` holds the ids of files loaded before.
pub fn compile_file(
    file: &str,
    text: &str,
    seen: &mut HashSet<String>,
) -> Result<Vec<CompiledRule>, RuleError> {
    let specs = rule::parse_file(file, text)?;
    let mut out = Vec::with_capacity(specs.len());
    for (line, spec) in specs {
        let at = |field: &str| field_line(text, line, field);
        let fail = |line: usize, problem: String| RuleError {
            file: file.to_string(),
            line,
            problem,
        };
        if spec.id.trim().is_empty() {
            return Err(fail(at("id"), "the rule's id is empty".into()));
        }
        if !seen.insert(spec.id.clone()) {
            return Err(fail(
                at("id"),
                format!("rule id {:?} is used by another rule", spec.id),
            ));
        }
        if spec.name.trim().is_empty() {
            return Err(fail(
                at("name"),
                format!("rule {}: the name is empty", spec.id),
            ));
        }
        let body = match (&spec.condition, &spec.sequence) {
            (Some(_), Some(_)) => {
                return Err(fail(
                    line,
                    format!(
                        "rule {}: has both `condition` and `sequence`; a sequence's conditions go in its steps",
                        spec.id
                    ),
                ));
            }
            (None, None) => {
                return Err(fail(
                    line,
                    format!("rule {}: needs a `condition` or a `sequence`", spec.id),
                ));
            }
            (Some(source), None) => {
                check_events(&spec.events, &spec.id, at("events"), file)?;
                Body::Single(condition(Some(source), &spec.id, at("condition"), file)?)
            }
            (None, Some(seq)) => {
                if !spec.events.is_empty() {
                    return Err(fail(
                        at("events"),
                        format!(
                            "rule {}: a sequence names its events in its steps, not at the top",
                            spec.id
                        ),
                    ));
                }
                sequence(seq, &spec, text, line, file)?
            }
        };
        out.push(finish(spec, body, file, line));
    }
    Ok(out)
}

fn finish(spec: RuleSpec, body: Body, file: &str, line: usize) -> CompiledRule {
    let mut events = spec.events.clone();
    let mut programs: Vec<&Program> = Vec::new();
    match &body {
        Body::Single(c) => programs.extend(c.program.iter()),
        Body::Sequence { steps, .. } => {
            for step in steps {
                for e in &step.events {
                    if !events.contains(e) {
                        events.push(e.clone());
                    }
                }
                programs.extend(step.condition.program.iter());
                programs.extend(step.key.iter());
            }
        }
    }
    let uses = |var: &str| programs.iter().any(|p| p.references().has_variable(var));
    let (uses_sockets, uses_ancestors) = (uses("sockets"), uses("ancestors"));
    CompiledRule {
        info: RuleInfo {
            id: spec.id,
            name: spec.name,
            description: spec.description,
            severity: spec.severity,
            mitre: spec.mitre,
            tags: spec.tags,
            events,
            file: file.to_string(),
            line,
        },
        body,
        uses_sockets,
        uses_ancestors,
    }
}

fn sequence(
    seq: &SequenceSpec,
    spec: &RuleSpec,
    text: &str,
    line: usize,
    file: &str,
) -> Result<Body, RuleError> {
    let fail = |line: usize, problem: String| RuleError {
        file: file.to_string(),
        line,
        problem,
    };
    let within = rule::parse_duration(&seq.within).ok_or_else(|| {
        fail(
            field_line(text, line, "within"),
            format!(
                "rule {}: within {:?} is no duration (write e.g. 30s, 5m, 1h, 500ms)",
                spec.id, seq.within
            ),
        )
    })?;
    if seq.steps.len() < 2 {
        return Err(fail(
            field_line(text, line, "steps"),
            format!("rule {}: a sequence needs at least two steps", spec.id),
        ));
    }
    let mut steps = Vec::with_capacity(seq.steps.len());
    for (i, step) in seq.steps.iter().enumerate() {
        let events_line = field_line_nth(text, line, "events", i);
        check_events(&step.events, &spec.id, events_line, file)?;
        let cond_line = field_line_nth(text, events_line, "condition", 0);
        let key_line = field_line_nth(text, events_line, "key", 0);
        let key = match (&step.key, seq.scope) {
            (Some(source), Scope::Key) => compile(source, &spec.id, key_line, file)?,
            (None, Scope::Key) => {
                return Err(fail(
                    events_line,
                    format!(
                        "rule {}: step {} needs a `key` under scope: key",
                        spec.id,
                        i + 1
                    ),
                ));
            }
            (Some(_), _) => {
                return Err(fail(
                    key_line,
                    format!(
                        "rule {}: step {} has a `key`, which only scope: key uses",
                        spec.id,
                        i + 1
                    ),
                ));
            }
            (None, _) => None,
        };
        steps.push(crate::compile::Step {
            events: step.events.clone(),
            condition: condition(step.condition.as_deref(), &spec.id, cond_line, file)?,
            key_is_path: step.key.as_deref().is_some_and(|k| k.trim() == "path"),
            key,
        });
    }
    Ok(Body::Sequence {
        scope: seq.scope,
        within,
        steps,
    })
}

fn check_events(events: &[String], id: &str, line: usize, file: &str) -> Result<(), RuleError> {
    let fail = |problem: String| RuleError {
        file: file.to_string(),
        line,
        problem,
    };
    if events.is_empty() {
        return Err(fail(format!(
            "rule {id}: `events` is empty; name the syscalls or event types the rule needs"
        )));
    }
    for name in events {
        if !is_event_name(name) {
            let hint = Arch::X86_64.table().suggest(name);
            let hint = match hint.first() {
                Some(best) => format!(" (did you mean {best}?)"),
                None => String::new(),
            };
            return Err(fail(format!(
                "rule {id}: event {name:?} is no syscall and no event type ({}){hint}",
                EVENT_TYPES.join(", ")
            )));
        }
    }
    Ok(())
}

fn condition(
    source: Option<&str>,
    id: &str,
    line: usize,
    file: &str,
) -> Result<Condition, RuleError> {
    let Some(source) = source else {
        return Ok(Condition {
            program: None,
            guard: None,
        });
    };
    let program = compile(source, id, line, file)?;
    let guard = program.as_ref().and_then(|p| Guard::of(p.expression()));
    Ok(Condition { program, guard })
}

/// Compiles one CEL expression, checking that it names only known variables.
fn compile(source: &str, id: &str, line: usize, file: &str) -> Result<Option<Program>, RuleError> {
    let fail = |problem: String| RuleError {
        file: file.to_string(),
        line,
        problem: format!("rule {id}: {problem}"),
    };
    if source.trim().is_empty() {
        return Err(fail("the CEL expression is empty".into()));
    }
    let parsed = std::panic::catch_unwind(|| cel::Env::stdlib().compile(source))
        .map_err(|_| fail("the CEL parser failed on this expression".into()))?;
    let program = parsed.map_err(|e| {
        let text = e.to_string();
        let first = text.lines().next().unwrap_or("syntax error").to_string();
        fail(format!("CEL syntax error: {first}"))
    })?;
    let mut bound = HashSet::new();
    comprehension_vars(program.expression(), &mut bound);
    let references = program.references();
    let mut unknown: Vec<&str> = references
        .variables()
        .into_iter()
        .filter(|v| !VARIABLES.contains(v) && !bound.contains(*v))
        .collect();
    unknown.sort_unstable();
    if let Some(name) = unknown.first() {
        return Err(fail(format!(
            "unknown variable {name:?} in the condition (known: {})",
            VARIABLES.join(", ")
        )));
    }
    let mut functions = references.functions();
    functions.sort_unstable();
    if let Some(name) = functions.into_iter().find(|f| !is_function(f)) {
        return Err(fail(format!(
            "unknown function {name:?} (the helpers: {}; and CEL's standard ones)",
            crate::functions::HELPERS.join(", ")
        )));
    }
    Ok(Some(program))
}

/// Whether a condition may call `name`: an operator, one of our helpers, or a function
/// of CEL's standard library (which the cel crate refuses to let a context redefine).
fn is_function(name: &str) -> bool {
    name.starts_with(['_', '@', '!', '-'])
        || crate::functions::HELPERS.contains(&name)
        || cel::Context::default()
            .add_function(name, |a: i64| a)
            .is_err()
}

/// The variables macros bind (`exists(x, ...)`'s `x`), which are no event fields.
fn comprehension_vars<'a>(expr: &'a IdedExpr, out: &mut HashSet<&'a str>) {
    match &expr.expr {
        Expr::Comprehension(c) => {
            out.insert(&c.iter_var);
            if let Some(v) = &c.iter_var2 {
                out.insert(v);
            }
            out.insert(&c.accu_var);
            for e in [
                &c.iter_range,
                &c.accu_init,
                &c.loop_cond,
                &c.loop_step,
                &c.result,
            ] {
                comprehension_vars(e, out);
            }
        }
        Expr::Call(call) => {
            call.target.iter().for_each(|t| comprehension_vars(t, out));
            call.args.iter().for_each(|a| comprehension_vars(a, out));
        }
        Expr::List(list) => list
            .elements
            .iter()
            .for_each(|e| comprehension_vars(e, out)),
        Expr::Select(s) => comprehension_vars(&s.operand, out),
        _ => {}
    }
}
