#![warn(missing_docs)]
//! Detections over sysfence's event stream: rules in YAML with conditions in CEL (the
//! Common Expression Language, through the `cel` crate), Tracee's and Falco's host
//! behaviours built in, and alerts that are events themselves.
//!
//! See the README's "Detections" section for the rule format, the CEL context and the
//! built-in rules. In short:
//!
//! * [`RuleSet`] compiles rule files once (a malformed one is a [`RuleError`],
//!   `FILE:LINE: problem`); [`RuleSet::builtin`] holds the embedded rules.
//! * [`Engine`] runs a set over JSON lines ([`Engine::process`]): it indexes rules by
//!   event name, so an event no rule names is peeked at (`type`, `name`) and dropped
//!   unparsed; it builds a bounded [`ProcessTable`] from fork/exec/exit events (with a
//!   pluggable [`ProcessLookup`] for processes older than the stream), follows which
//!   fds are sockets where a rule reads `sockets`, and keeps bounded, expiring state for
//!   sequence rules.
//! * [`Alert`] is the result: a JSON line (`"type": "alert"`) and a table line.

mod alert;
mod builtin;
mod compile;
mod context;
mod engine;
pub mod event;
mod functions;
pub mod guard;
pub mod process;
pub mod rule;
mod scan;

pub use alert::{Alert, AlertRule};
pub use compile::{EVENT_TYPES, RuleInfo, VARIABLES, is_event_name};
pub use engine::{Engine, EventError, Limits, RuleSet, Stats};
pub use functions::HELPERS;
pub use process::{Ancestor, NoLookup, ProcLookup, ProcessInfo, ProcessLookup, ProcessTable};
pub use rule::{RuleError, Severity};
