//! The JSON Lines printer: one object per event, a syscall as one object (schema in
//! [`events::schema`]).

use crate::decode::{CallView, Decoder};
use crate::prim::signal;
use crate::select::{SignalSet, Status, StatusSet};
use crate::siginfo;
use events::schema::{JsonArg, JsonBody, JsonEvent, SCHEMA_VERSION};
use events::{Event, EventKind, Sink, SyscallExit, Timestamp};
use std::io::{self, Write};
use std::sync::Arc;

/// Writes one JSON object per line.
pub struct JsonSink {
    decoder: Arc<Decoder>,
    out: Box<dyn Write + Send>,
    status: StatusSet,
    signals: SignalSet,
    /// One line, reused: written whole, at once.
    line: Vec<u8>,
}

impl JsonSink {
    /// A JSON Lines printer writing to `out`, filtered like the text printer.
    pub fn new(
        decoder: Arc<Decoder>,
        out: Box<dyn Write + Send>,
        status: StatusSet,
        signals: SignalSet,
    ) -> JsonSink {
        JsonSink {
            decoder,
            out,
            status,
            signals,
            line: Vec::new(),
        }
    }

    fn syscall(&self, exit: &SyscallExit, ts: Timestamp) -> Option<JsonBody> {
        let status = match exit.result {
            None if exit.detached => Status::Detached,
            None => Status::Unfinished,
            Some(r) if r.is_error => Status::Failed,
            Some(_) => Status::Successful,
        };
        if !self.status.contains(status) || !self.decoder.touches_paths(&exit.entry) {
            return None;
        }
        Some(syscall_body(&self.decoder, exit, ts))
    }
}

/// The JSON body of a finished (or never finished) syscall, its arguments decoded as
/// strace decodes them; `ts` is the exit's time.
pub fn syscall_body(decoder: &Decoder, exit: &SyscallExit, ts: Timestamp) -> JsonBody {
    let call = decoder.call(&exit.entry);
    let (shape, entry) = (&call.shape, &*call.entry);
    let view = CallView {
        entry,
        result: exit.result,
        exit_mem: &exit.mem,
    };
    let args = (0..shape.fmts.len())
        .filter_map(|i| {
            let text = decoder.args(shape, &view, i..i + 1).pop()?;
            Some(JsonArg {
                name: shape.arg_names.get(i).copied().unwrap_or("arg").to_string(),
                text,
                raw: entry.args[i],
            })
        })
        .collect();
    let errno = exit.result.and_then(|r| r.errno()).map(|code| {
        syscalls::errno_by_code(code).map_or_else(|| format!("E{code}"), |e| e.name.to_string())
    });
    JsonBody::Syscall {
        name: shape.name.clone(),
        nr: entry.nr,
        arch: entry.arch.name(),
        args,
        ret: exit.result.map(|r| r.rval),
        errno,
        ret_text: exit.result.map(|_| decoder.ret(shape, &view)),
        duration: exit
            .result
            .map(|_| ts.mono_ns.saturating_sub(entry.ts.mono_ns) as f64 / 1e9),
    }
}

fn seconds(ts: Timestamp) -> f64 {
    ts.real_ns as f64 / 1e9
}

impl JsonSink {
    /// The object `ev` is printed as; `None` for an event not printed (one the -e
    /// status= or signal= filters leave out, or that has no JSON form). For consumers of
    /// the same stream, such as detection rules, so that they see exactly these lines.
    pub fn object(&self, ev: &Event) -> Option<JsonEvent> {
        let (ts, body) = match &ev.kind {
            EventKind::SyscallExit(exit) => (exit.entry.ts, self.syscall(exit, ev.ts)?),
            EventKind::Signal(sig) if self.signals.contains(sig.signo) => (
                ev.ts,
                JsonBody::Signal {
                    signal: signal(sig.signo),
                    signo: sig.signo,
                    siginfo: sig.siginfo.as_deref().map(|b| {
                        siginfo::format(b, crate::xlat::Style::Abbrev, crate::prim::Layout::LP64)
                    }),
                },
            ),
            EventKind::Exited { code } => (ev.ts, JsonBody::Exit { code: *code }),
            EventKind::Killed {
                signal: s,
                core_dumped,
            } => (
                ev.ts,
                JsonBody::Killed {
                    signal: signal(*s),
                    core_dumped: *core_dumped,
                },
            ),
            _ => return None,
        };
        Some(JsonEvent {
            v: SCHEMA_VERSION,
            ts: seconds(ts),
            pid: ev.pid,
            tid: ev.tid,
            body,
            task: None,
        })
    }
}

impl Sink for JsonSink {
    fn event(&mut self, ev: &Event) -> io::Result<()> {
        let Some(obj) = self.object(ev) else {
            return Ok(());
        };
        self.line.clear();
        obj.write_json(&mut self.line);
        self.line.push(b'\n');
        self.out.write_all(&self.line)
    }

    fn idle(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    fn finish(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}
