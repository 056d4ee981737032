//! What a rule sees of one event: the facts the process table adds to it, and the CEL
//! variables, made lazily (only those a condition reads, once per event for every rule)
//! through the cel crate's variable resolver. Guards read the same values through
//! [`Vars::field`], so a guard and its condition never disagree.

use crate::event::{Decoded, Event, RawArg};
use crate::guard::{Field, FieldValue};
use crate::process::{Ancestor, ProcessTable, basename};
use cel::Context;
use cel::common::value::CowVal;
use cel::context::VariableResolver;
use cel::objects::{Key, Map, Value};
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

/// The event's process as the table knows it at the event.
#[derive(Debug, Clone, Default)]
pub struct Facts<'a> {
    /// comm: the event's, else the table's.
    pub comm: Arc<str>,
    /// The executable: the exec's filename, else the table's, else the event's field.
    pub executable: Arc<str>,
    /// The parent's pid: the event's, else the table's.
    pub ppid: i64,
    /// The parent's comm.
    pub parent_comm: Arc<str>,
    /// The parent's executable.
    pub parent_executable: Arc<str>,
    /// The path the event is about, if any (borrowed from the line where it can be).
    pub path: Option<Cow<'a, str>>,
    /// The process's socket fds.
    pub sockets: Vec<i64>,
    /// The process's ancestry, nearest first.
    pub ancestors: Vec<Ancestor>,
}

impl<'a> Facts<'a> {
    /// Gathers the facts of `ev` (after the table learnt from it).
    pub fn of(ev: &Event<'a>, as_exec: bool, procs: &mut ProcessTable, ancestry: bool) -> Self {
        let ts = ev.ts;
        let known = procs.get(ev.pid, ts).cloned().unwrap_or_default();
        let ppid = ev.ppid.filter(|&p| p > 0).unwrap_or(known.ppid);
        // The parent's names only: its sockets are not the event's.
        let (parent_comm, parent_executable) = (ppid > 0)
            .then(|| procs.get(ppid, ts))
            .flatten()
            .map(|p| (p.comm.clone(), p.executable.clone()))
            .unwrap_or_default();
        // The table took the event's comm already (Engine::learn_before).
        let comm = match ev.comm.as_deref() {
            Some(c) if !c.is_empty() && *known.comm != *c => Arc::from(c),
            _ => known.comm,
        };
        let executable = match (&*ev.kind, ev.executable.as_deref()) {
            _ if as_exec || &*ev.kind == "exec" => known.executable,
            (_, Some(e)) if known.executable.is_empty() => Arc::from(e),
            _ => known.executable,
        };
        Facts {
            comm,
            executable,
            ppid,
            parent_comm,
            parent_executable,
            path: path_of(ev, as_exec),
            sockets: known.sockets,
            ancestors: if ancestry {
                procs.ancestry(ev.pid, ts)
            } else {
                Vec::new()
            },
        }
    }
}

/// The path an event is about: an exec's program, a syscall's first path argument
/// (`filename`, `pathname`, `path`), an io_uring open's path.
pub(crate) fn path_of<'a>(ev: &Event<'a>, as_exec: bool) -> Option<Cow<'a, str>> {
    if let Some(f) = ev.filename.as_ref().filter(|_| &*ev.kind == "exec") {
        return Some(f.clone());
    }
    if let Some(p) = &ev.path {
        return Some(p.clone());
    }
    let _ = as_exec;
    ["filename", "pathname", "path"]
        .iter()
        .find_map(|name| match ev.arg(name).map(RawArg::value) {
            Some(Decoded::Str(s)) => Some(s),
            _ => None,
        })
}

/// The CEL variables of one event, made on first use.
pub struct Vars<'e, 'a> {
    ev: &'e Event<'a>,
    facts: &'e Facts<'a>,
    as_exec: bool,
    args: OnceLock<Value>,
    raw: OnceLock<Value>,
}

fn string(s: &str) -> Value {
    Value::String(Arc::new(s.to_string()))
}

fn map(entries: Vec<(&str, Value)>) -> Value {
    let map: HashMap<Key, Value> = entries
        .into_iter()
        .map(|(k, v)| (Key::String(Arc::new(k.to_string())), v))
        .collect();
    Value::Map(Map { map: Arc::new(map) })
}

fn list<T: AsRef<str>>(items: &[T]) -> Value {
    Value::List(Arc::new(items.iter().map(|s| string(s.as_ref())).collect()))
}

fn decoded(value: Decoded<'_>) -> Value {
    match value {
        Decoded::Int(n) => Value::Int(n),
        Decoded::Str(s) => string(&s),
        Decoded::List(items) => list(&items),
    }
}

impl<'e, 'a> Vars<'e, 'a> {
    /// The variables of `ev` with its `facts`; `as_exec` for an execve seen as exec.
    pub fn new(ev: &'e Event<'a>, facts: &'e Facts<'a>, as_exec: bool) -> Self {
        Vars {
            ev,
            facts,
            as_exec,
            args: OnceLock::new(),
            raw: OnceLock::new(),
        }
    }

    /// A CEL scope over `root` (which holds the helper functions) resolving to these.
    pub fn scope<'s>(&'s self, root: &'s Context<'s, 's>) -> Context<'s, 's> {
        let mut ctx = root.new_inner_scope();
        ctx.set_variable_resolver(self);
        ctx
    }

    fn event_name(&self) -> &str {
        if self.as_exec {
            "exec"
        } else {
            self.ev.event()
        }
    }

    fn args(&self) -> Value {
        let ev = self.ev;
        let entries: Vec<(&str, Value)> = match &*ev.kind {
            "exec" => vec![
                (
                    "filename",
                    string(ev.filename.as_deref().unwrap_or_default()),
                ),
                ("argv", list(&ev.argv)),
                ("env", list(&ev.env)),
            ],
            "syscall" if self.as_exec => {
                let argv = match ev.arg_value("argv") {
                    Some(Decoded::List(items)) => list(&items),
                    _ => list::<&str>(&[]),
                };
                vec![
                    (
                        "filename",
                        string(self.facts.path.as_deref().unwrap_or_default()),
                    ),
                    ("argv", argv),
                    ("env", list::<&str>(&[])),
                ]
            }
            "syscall" => ev
                .args
                .iter()
                .map(|a| (&*a.name, decoded(a.value())))
                .collect(),
            "fork" => vec![
                ("child_pid", Value::Int(ev.child_pid.unwrap_or_default())),
                ("child_tid", Value::Int(ev.child_tid.unwrap_or_default())),
            ],
            "exit" => vec![("code", Value::Int(ev.code.unwrap_or_default()))],
            "io_uring" => vec![
                ("op", string(ev.op.as_deref().unwrap_or_default())),
                ("fd", Value::Int(ev.fd.unwrap_or_default())),
                ("path", string(ev.path.as_deref().unwrap_or_default())),
                ("flags", string(ev.flags.as_deref().unwrap_or_default())),
            ],
            _ => Vec::new(),
        };
        map(entries)
    }

    fn value(&self, name: &str) -> Option<Value> {
        let (ev, facts) = (self.ev, self.facts);
        Some(match name {
            "event" => string(self.event_name()),
            "args" => self.args.get_or_init(|| self.args()).clone(),
            "raw" => self
                .raw
                .get_or_init(|| {
                    map(ev
                        .args
                        .iter()
                        .map(|a| (&*a.name, Value::Int(a.raw as i64)))
                        .collect())
                })
                .clone(),
            "retval" => Value::Int(ev.retval()),
            "errno" => string(ev.errno.as_deref().unwrap_or_default()),
            "comm" => string(&facts.comm),
            "pid" => Value::Int(ev.pid),
            "tid" => Value::Int(ev.tid),
            "ppid" => Value::Int(facts.ppid),
            "uid" => Value::Int(ev.uid.unwrap_or_default()),
            "container" => string(ev.container.as_deref().unwrap_or_default()),
            "executable" => string(&facts.executable),
            "cwd" => string(ev.cwd.as_deref().unwrap_or_default()),
            "path" => string(facts.path.as_deref().unwrap_or_default()),
            "ts" => Value::Float(ev.ts),
            "parent" => map(vec![
                ("pid", Value::Int(facts.ppid)),
                ("comm", string(&facts.parent_comm)),
                ("executable", string(&facts.parent_executable)),
            ]),
            "sockets" => Value::List(Arc::new(
                facts.sockets.iter().map(|&s| Value::Int(s)).collect(),
            )),
            "ancestors" => Value::List(Arc::new(
                facts
                    .ancestors
                    .iter()
                    .map(|a| {
                        map(vec![
                            ("pid", Value::Int(a.pid)),
                            ("comm", string(&a.comm)),
                            ("executable", string(&a.executable)),
                        ])
                    })
                    .collect(),
            )),
            _ => return None,
        })
    }

    /// A field as a guard reads it: the same value the CEL variable holds.
    pub fn field(&self, field: &Field) -> Option<FieldValue<'_>> {
        let facts = self.facts;
        let ev = self.ev;
        let text = |s: &'e str| Some(FieldValue::Str(Cow::Borrowed(s)));
        match field {
            Field::Event => Some(FieldValue::Str(Cow::Borrowed(self.event_name()))),
            Field::Comm => text(&self.facts.comm),
            Field::Executable => text(&self.facts.executable),
            Field::Path => text(self.facts.path.as_deref().unwrap_or_default()),
            Field::Container => Some(FieldValue::Str(Cow::Borrowed(
                ev.container.as_deref().unwrap_or_default(),
            ))),
            Field::Cwd => Some(FieldValue::Str(Cow::Borrowed(
                ev.cwd.as_deref().unwrap_or_default(),
            ))),
            Field::Errno => Some(FieldValue::Str(Cow::Borrowed(
                ev.errno.as_deref().unwrap_or_default(),
            ))),
            Field::ParentComm => text(&facts.parent_comm),
            Field::ParentExecutable => text(&facts.parent_executable),
            Field::Retval => Some(FieldValue::Int(ev.retval())),
            Field::Uid => Some(FieldValue::Int(ev.uid.unwrap_or_default())),
            Field::Arg(name) => self.arg_field(name),
            Field::Raw(name) => self.cel_arg(name).map(|a| FieldValue::Int(a.raw as i64)),
            Field::Basename(inner) => match self.field(inner)? {
                FieldValue::Str(Cow::Borrowed(s)) => {
                    Some(FieldValue::Str(Cow::Borrowed(basename(s))))
                }
                FieldValue::Str(Cow::Owned(s)) => {
                    Some(FieldValue::Str(Cow::Owned(basename(&s).to_string())))
                }
                FieldValue::Int(_) => None,
            },
            Field::Socket(inner) => match self.field(inner)? {
                FieldValue::Int(fd) => Some(FieldValue::Int(facts.sockets.contains(&fd).into())),
                FieldValue::Str(_) => None,
            },
        }
    }

    /// The syscall argument CEL's `args` and `raw` maps hold under `name`: the last of
    /// that name (guards read it too, so that they never refuse what CEL admits).
    fn cel_arg(&self, name: &str) -> Option<&'e RawArg<'a>> {
        self.ev.args.iter().rfind(|a| a.name == name)
    }

    fn arg_field(&self, name: &str) -> Option<FieldValue<'_>> {
        let ev = self.ev;
        if &*ev.kind == "exec" || self.as_exec {
            return match name {
                "filename" => Some(FieldValue::Str(Cow::Borrowed(
                    self.facts.path.as_deref().unwrap_or_default(),
                ))),
                _ => None,
            };
        }
        if &*ev.kind != "syscall" {
            return match self.args() {
                Value::Map(m) => match m.map.get(&Key::String(Arc::new(name.to_string()))) {
                    Some(Value::Int(n)) => Some(FieldValue::Int(*n)),
                    Some(Value::String(s)) => Some(FieldValue::Str(Cow::Owned(s.to_string()))),
                    _ => None,
                },
                _ => None,
            };
        }
        match self.cel_arg(name)?.value() {
            Decoded::Int(n) => Some(FieldValue::Int(n)),
            Decoded::Str(s) => Some(FieldValue::Str(s)),
            Decoded::List(_) => None,
        }
    }
}

impl VariableResolver for Vars<'_, '_> {
    fn resolve<'b>(&'b self, variable: &str) -> Option<CowVal<'b, 'b>> {
        let value = self.value(variable)?;
        value.try_into().ok().map(CowVal::Owned)
    }
}
