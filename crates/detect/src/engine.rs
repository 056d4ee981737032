//! The engine: rules indexed by event name, the process table and the bounded state of
//! sequences, fed one JSON line at a time, producing alerts.
//!
//! The hot path: [`peek`] reads an event's `type` and `name`; an event no rule names,
//! that changes no process and carries no socket the engine follows, stops there,
//! unparsed. Otherwise the event is parsed once (borrowed), each rule that names it
//! checks its guard, and only then is the CEL context made (lazily, a variable at a time,
//! shared by every rule of that event) and the compiled program run.

use crate::alert::{Alert, AlertRule};
use crate::compile::{Body, CompiledRule, Condition, RuleInfo, compile_file};
use crate::context::{Facts, Vars};
use crate::event::{Decoded, Event, Peek, line_path, peek};
use crate::guard::{FieldValue, LineNeed, PathTests, Specialized};
use crate::process::{
    DEFAULT_PROCESS_CAP, DEFAULT_PROCESS_IDLE, MAX_SOCKETS, NoLookup, ProcessLookup, ProcessTable,
};
use crate::rule::{RuleError, Scope};
use cel::Context;
use cel::objects::Value;
use events::IdMap;
use serde_json::value::RawValue;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;

/// A set of compiled rules, from the built-in files and the user's.
#[derive(Default)]
pub struct RuleSet {
    rules: Vec<CompiledRule>,
    ids: HashSet<String>,
}

impl RuleSet {
    /// No rules.
    pub fn new() -> Self {
        RuleSet::default()
    }

    /// The built-in rules.
    pub fn builtin() -> Self {
        let mut set = RuleSet::new();
        for (name, text) in crate::builtin::FILES {
            set.add_file(&format!("<built-in>/{name}"), text)
                .expect("the built-in rules compile (tested)");
        }
        set
    }

    /// Compiles one rule file's text and adds its rules; `file` names it in errors.
    pub fn add_file(&mut self, file: &str, text: &str) -> Result<(), RuleError> {
        let mut ids = self.ids.clone();
        let rules = compile_file(file, text, &mut ids)?;
        self.ids = ids;
        self.rules.extend(rules);
        Ok(())
    }

    /// What each rule is, in load order.
    pub fn rules(&self) -> impl Iterator<Item = &RuleInfo> {
        self.rules.iter().map(|r| &r.info)
    }

    /// How many rules it holds.
    pub fn len(&self) -> usize {
        self.rules.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// Every event an [`Engine`] over this set must be given for its rules to see what
    /// they need, sorted: the events the rules name; the process lifecycle (`exec`,
    /// `fork`, `exit`), from which the engine knows each process's executable and parent
    /// even when it lived too briefly to be looked up; and, when a rule reads `sockets`,
    /// the calls through which it follows which fds are sockets. A source that selects
    /// events (eBPF's kernel selection) adds these to its own. Empty for an empty set.
    pub fn events_needed(&self) -> Vec<&str> {
        if self.rules.is_empty() {
            return Vec::new();
        }
        let mut needed: BTreeSet<&str> = ["exec", "fork", "exit"].into_iter().collect();
        for rule in &self.rules {
            needed.extend(rule.info.events.iter().map(String::as_str));
        }
        if self.rules.iter().any(|r| r.uses_sockets) {
            needed.extend(SOCKET_CALLS);
        }
        needed.into_iter().collect()
    }
}

/// How much state the engine may keep.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Processes in the table.
    pub processes: usize,
    /// Seconds (stream time) a process may go unseen before it is forgotten.
    pub process_idle: f64,
    /// Sequences in progress, over every rule.
    pub partials: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            processes: DEFAULT_PROCESS_CAP,
            process_idle: DEFAULT_PROCESS_IDLE,
            partials: 16_384,
        }
    }
}

/// Counters of the work done, for tests and benchmarks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// Lines given.
    pub lines: u64,
    /// Lines parsed beyond the peek.
    pub parsed: u64,
    /// Lines a rule names, left unparsed: they lack the text every guard needs.
    pub prefiltered: u64,
    /// Guards checked.
    pub guards: u64,
    /// CEL programs run.
    pub evaluations: u64,
    /// Alerts raised.
    pub alerts: u64,
}

/// A line that is not an event.
#[derive(Debug, thiserror::Error)]
#[error("not a sysfence event: {0}")]
pub struct EventError(#[from] serde_json::Error);

#[derive(Debug, Clone, Copy)]
struct Target {
    rule: usize,
    step: usize,
}

/// A target as events of one name reach it: its guard decided for the name, and the
/// path tests (bits of [`Plan::path_tests`]) of which one per clause must hold.
struct Reach {
    target: Target,
    guard: Specialized,
    clauses: Vec<u64>,
    /// Text the line must contain for the guard to admit it, when short enough to look for.
    need: Option<LineNeed>,
}

impl Reach {
    /// Whether every path clause of the guard has a test that holds, given the plan's
    /// path tests' `hits`.
    fn paths_hold(&self, hits: u64) -> bool {
        self.clauses.iter().all(|&clause| clause & hits != 0)
    }

    /// Whether the event may pass this guard, from its path tests' `hits` and the raw
    /// line alone (false only when the guard certainly refuses it).
    fn may_admit(&self, hits: u64, line: &str) -> bool {
        match &self.guard {
            Specialized::Never => false,
            Specialized::Always => true,
            Specialized::Check(_) => {
                self.paths_hold(hits) && self.need.as_ref().is_none_or(|need| need.admits(line))
            }
        }
    }
}

/// What an event of one name goes through: its targets in order, and the path tests
/// their guards need, checked once per event for them all.
struct Plan {
    reaches: Vec<Reach>,
    path_tests: PathTests,
    ancestry: bool,
}

impl Plan {
    fn new(name: &str, targets: &[Target], rules: &[CompiledRule]) -> Plan {
        let mut path_tests = PathTests::default();
        let reaches = targets
            .iter()
            .map(|&target| {
                let guard = match &condition_of(rules, target).guard {
                    Some(guard) => guard.specialize(name),
                    None => Specialized::Always,
                };
                let clauses = match &guard {
                    // A clause with a test past the cap is dropped: the rest still hold.
                    Specialized::Check(g) => g
                        .path_clauses()
                        .into_iter()
                        .filter_map(|tests| {
                            tests
                                .into_iter()
                                .try_fold(0, |mask, t| Some(mask | path_tests.bit(t)?))
                        })
                        .collect(),
                    _ => Vec::new(),
                };
                let need = match &guard {
                    Specialized::Check(g) => g.line_need().filter(|n| n.texts() <= MAX_LINE_TEXTS),
                    _ => None,
                };
                Reach {
                    target,
                    guard,
                    clauses,
                    need,
                }
            })
            .collect();
        Plan {
            reaches,
            path_tests,
            ancestry: targets.iter().any(|t| rules[t.rule].uses_ancestors),
        }
    }
}

fn condition_of(rules: &[CompiledRule], target: Target) -> &Condition {
    match &rules[target.rule].body {
        Body::Single(c) => c,
        Body::Sequence { steps, .. } => &steps[target.step].condition,
    }
}

struct Partial {
    next: usize,
    started: f64,
    lines: Vec<String>,
}

/// The sequences in progress, by rule and key, with how many each rule has: a later
/// step of a rule with none is not evaluated.
#[derive(Default)]
struct Partials {
    map: HashMap<(usize, String), Partial>,
    per_rule: HashMap<usize, usize>,
}

impl Partials {
    fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether the rule has a sequence in progress.
    fn any_of(&self, rule: usize) -> bool {
        self.per_rule.get(&rule).is_some_and(|&n| n > 0)
    }

    fn get(&self, slot: &(usize, String)) -> Option<&Partial> {
        self.map.get(slot)
    }

    fn get_mut(&mut self, slot: &(usize, String)) -> Option<&mut Partial> {
        self.map.get_mut(slot)
    }

    fn insert(&mut self, slot: (usize, String), partial: Partial) {
        let rule = slot.0;
        if self.map.insert(slot, partial).is_none() {
            *self.per_rule.entry(rule).or_default() += 1;
        }
    }

    fn remove(&mut self, slot: &(usize, String)) -> Option<Partial> {
        let removed = self.map.remove(slot);
        if removed.is_some()
            && let Some(n) = self.per_rule.get_mut(&slot.0)
        {
            *n -= 1;
        }
        removed
    }

    fn retain(&mut self, mut keep: impl FnMut(usize, &Partial) -> bool) {
        self.map.retain(|(rule, _), p| keep(*rule, p));
        self.per_rule.clear();
        for (rule, _) in self.map.keys() {
            *self.per_rule.entry(*rule).or_default() += 1;
        }
    }
}

/// Runs a rule set over events.
pub struct Engine {
    rules: Vec<CompiledRule>,
    index: IdMap<Box<str>, Arc<Plan>>,
    /// Per event name the engine reads: what it does with the line.
    routes: IdMap<Box<str>, Route>,
    root: Context<'static, 'static>,
    procs: ProcessTable,
    partials: Partials,
    limits: Limits,
    follow_sockets: bool,
    follow_ancestry: bool,
    guards: bool,
    exec_events: bool,
    fork_events: bool,
    stats: Stats,
}

/// What the engine does with the lines of one event name, looked up once per line; a
/// name without a route is dropped after the peek.
struct Route {
    /// It changes the process table.
    lifecycle: bool,
    /// It teaches which fds are sockets (when a rule reads `sockets`).
    socket_call: bool,
    /// Some rule names it.
    ruled: bool,
    /// Text a line must contain for any of its rules to match.
    need: Option<LineNeed>,
    /// The plan, when its path tests can be run on the raw line before parsing (it has
    /// path tests and no `need` of its own).
    gate: Option<Arc<Plan>>,
}

/// Syscalls whose results teach the engine which fds are sockets.
const SOCKET_CALLS: &[&str] = &[
    "socket", "accept", "accept4", "connect", "dup", "dup2", "dup3", "close",
];

/// Events that change the process table.
const LIFECYCLE: &[&str] = &[
    "exec", "fork", "exit", "killed", "execve", "execveat", "clone", "clone3", "fork", "vfork",
];

impl Engine {
    /// An engine over `set`, with an empty lookup (offline) and default limits.
    pub fn new(set: RuleSet) -> Self {
        Engine::with(set, Box::new(NoLookup), Limits::default())
    }

    /// An engine over `set` that asks `lookup` about processes older than the stream.
    pub fn with(set: RuleSet, lookup: Box<dyn ProcessLookup + Send>, limits: Limits) -> Self {
        let mut index: HashMap<String, Vec<Target>> = HashMap::new();
        for (rule, compiled) in set.rules.iter().enumerate() {
            match &compiled.body {
                Body::Single(_) => {
                    for e in &compiled.info.events {
                        index
                            .entry(e.clone())
                            .or_default()
                            .push(Target { rule, step: 0 });
                    }
                }
                // Later steps first: an event that advances a sequence does not also
                // restart it.
                Body::Sequence { steps, .. } => {
                    for (step, s) in steps.iter().enumerate().rev() {
                        for e in &s.events {
                            index
                                .entry(e.clone())
                                .or_default()
                                .push(Target { rule, step });
                        }
                    }
                }
            }
        }
        let mut root = Context::default();
        crate::functions::register(&mut root);
        let follow_sockets = set.rules.iter().any(|r| r.uses_sockets);
        let follow_ancestry = set.rules.iter().any(|r| r.uses_ancestors);
        let index: IdMap<Box<str>, Arc<Plan>> = index
            .into_iter()
            .map(|(name, targets)| {
                let plan = Plan::new(&name, &targets, &set.rules);
                (name.into_boxed_str(), Arc::new(plan))
            })
            .collect();
        let routes = routes(&index, follow_sockets);
        Engine {
            rules: set.rules,
            index,
            routes,
            root,
            procs: ProcessTable::new(limits.processes, limits.process_idle, lookup),
            partials: Partials::default(),
            limits,
            follow_sockets,
            follow_ancestry,
            guards: true,
            exec_events: false,
            fork_events: false,
            stats: Stats::default(),
        }
    }

    /// The same engine checking no guards: every condition runs in CEL. Slower, with the
    /// same answers; for differential tests of the guards.
    pub fn without_guards(mut self) -> Self {
        self.guards = false;
        self
    }

    /// The work done so far.
    pub fn stats(&self) -> Stats {
        self.stats
    }

    /// How many processes the table holds.
    pub fn processes(&self) -> usize {
        self.procs.len()
    }

    /// How many sequences are in progress.
    pub fn partials(&self) -> usize {
        self.partials.len()
    }

    /// Feeds one JSON line; alerts it raises are pushed onto `out`.
    pub fn process(&mut self, line: &str, out: &mut Vec<Alert>) -> Result<(), EventError> {
        self.stats.lines += 1;
        let Some(peeked) = peek(line) else {
            // Not the shape sysfence writes: parse it to say why (or accept it silently
            // when it is JSON without a type, which no rule can match).
            Event::parse(line)?;
            return Ok(());
        };
        let name = peeked.event();
        let Some(route) = self.routes.get(name) else {
            return Ok(());
        };
        let state =
            route.lifecycle || (route.socket_call && self.follows_socket_call(name, peeked.pid));
        if !state {
            if !route.ruled {
                return Ok(());
            }
            if self.guards && LineNeed::applies_to(line) && !may_admit(route, &peeked, line) {
                self.stats.prefiltered += 1;
                return Ok(());
            }
        }
        let event = Event::parse(line)?;
        self.stats.parsed += 1;
        self.handle(&event, line, out);
        Ok(())
    }

    fn follows_socket_call(&self, name: &str, pid: Option<i64>) -> bool {
        match name {
            // A close matters only to a process with sockets the engine follows.
            "close" => {
                pid.is_none_or(|pid| self.procs.known(pid).is_some_and(|p| !p.sockets.is_empty()))
            }
            _ => SOCKET_CALLS.contains(&name),
        }
    }

    fn handle(&mut self, ev: &Event<'_>, line: &str, out: &mut Vec<Alert>) {
        let as_exec = self.learn_before(ev);
        let name = if as_exec { "exec" } else { ev.event() };
        if let Some(plan) = self.index.get(name) {
            let plan = Arc::clone(plan);
            // Ancestry only for an event some rule reading `ancestors` names.
            let ancestry = self.follow_ancestry && plan.ancestry;
            let facts = Facts::of(ev, as_exec, &mut self.procs, ancestry);
            let vars = Vars::new(ev, &facts, as_exec);
            let hits = match self.guards && !plan.path_tests.is_empty() {
                true => plan
                    .path_tests
                    .hits(facts.path.as_deref().unwrap_or_default()),
                false => 0,
            };
            for reach in &plan.reaches {
                let admitted = !self.guards || admits(reach, hits, &vars, &mut self.stats);
                if admitted {
                    self.run_target(reach.target, ev, &facts, &vars, line, out);
                }
            }
        }
        self.learn_after(ev);
    }

    /// Updates the process table and fd kinds from the event before rules see it;
    /// returns whether the event is an exec (a successful execve when the stream has no
    /// exec events of its own, as `trace --json` has none).
    fn learn_before(&mut self, ev: &Event<'_>) -> bool {
        let (pid, ts) = (ev.pid, ev.ts);
        if let Some(entry) =
            (ev.ppid.is_some() || ev.comm.is_some()).then(|| self.procs.entry(pid, ts))
        {
            if let Some(ppid) = ev.ppid.filter(|&p| p > 0) {
                entry.ppid = ppid;
            }
            if let Some(comm) = ev.comm.as_deref().filter(|c| !c.is_empty())
                && *entry.comm != *comm
            {
                entry.comm = comm.into();
            }
        }
        let mut as_exec = false;
        match (&*ev.kind, ev.name.as_deref()) {
            ("exec", _) => {
                self.exec_events = true;
                let filename = ev.filename.as_deref().unwrap_or_default();
                self.procs.exec(pid, filename, ev.comm.as_deref(), ts);
            }
            ("fork", _) => {
                self.fork_events = true;
                if let Some(child) = ev.child_pid.filter(|&c| c != pid && c > 0) {
                    self.procs.fork(pid, child, ts);
                }
            }
            ("syscall", Some("execve" | "execveat")) if !self.exec_events && ev.ret == Some(0) => {
                as_exec = true;
                let filename = match ev.arg_value("filename") {
                    Some(Decoded::Str(s)) => s.into_owned(),
                    _ => String::new(),
                };
                self.procs.exec(pid, &filename, ev.comm.as_deref(), ts);
            }
            ("syscall", Some("clone" | "clone3" | "fork" | "vfork")) if !self.fork_events => {
                let thread = ev.args.iter().any(|a| a.text().contains("CLONE_THREAD"));
                if let Some(child) = ev.ret.filter(|&r| r > 0 && !thread) {
                    self.procs.fork(pid, child, ts);
                }
            }
            ("syscall", Some(call)) if self.follow_sockets => self.learn_socket(ev, call),
            _ => {}
        }
        as_exec
    }

    fn learn_socket(&mut self, ev: &Event<'_>, call: &str) {
        let int = |name: &str| match ev.arg_value(name) {
            Some(Decoded::Int(n)) => Some(n),
            _ => ev.arg_raw(name).map(|r| r as i32 as i64),
        };
        let ret = ev.ret.filter(|&r| r >= 0);
        let sockets = &mut self.procs.entry(ev.pid, ev.ts).sockets;
        let is_socket = |fd: Option<i64>, s: &Vec<i64>| fd.is_some_and(|fd| s.contains(&fd));
        let (add, remove) = match call {
            "socket" | "accept" | "accept4" => (ret, None),
            "connect" => (int("fd"), None),
            "dup" if is_socket(int("fildes"), sockets) => (ret, None),
            "dup" => (None, ret),
            "dup2" | "dup3" if ret.is_none() => (None, None),
            "dup2" | "dup3" if is_socket(int("oldfd"), sockets) => (int("newfd"), None),
            "dup2" | "dup3" => (None, int("newfd")),
            "close" if ev.succeeded() => (None, int("fd")),
            _ => (None, None),
        };
        if let Some(fd) = remove {
            sockets.retain(|&s| s != fd);
        }
        if let Some(fd) = add.filter(|fd| !sockets.contains(fd)) {
            if sockets.len() >= MAX_SOCKETS {
                sockets.remove(0);
            }
            sockets.push(fd);
        }
    }

    fn learn_after(&mut self, ev: &Event<'_>) {
        if matches!(&*ev.kind, "exit" | "killed") && (ev.tid == ev.pid || ev.tid == 0) {
            self.procs.exit(ev.pid);
        }
    }

    fn run_target(
        &mut self,
        target: Target,
        ev: &Event<'_>,
        facts: &Facts<'_>,
        vars: &Vars<'_, '_>,
        line: &str,
        out: &mut Vec<Alert>,
    ) {
        // A later step of a sequence none of whose first steps happened cannot advance.
        if target.step > 0 && !self.partials.any_of(target.rule) {
            return;
        }
        let rule = &self.rules[target.rule];
        if !passes(
            condition_of(&self.rules, target),
            vars,
            &self.root,
            &mut self.stats,
        ) {
            return;
        }
        match &rule.body {
            Body::Single(_) => {
                let alert = make_alert(
                    &rule.info,
                    ev,
                    facts,
                    vec![line.to_string()],
                    &mut self.procs,
                );
                self.stats.alerts += 1;
                out.push(alert);
            }
            Body::Sequence {
                scope,
                within,
                steps,
            } => {
                let step = &steps[target.step];
                let key = match (&step.key, scope) {
                    (Some(_), _) if step.key_is_path => {
                        facts.path.as_deref().unwrap_or_default().to_string()
                    }
                    (Some(program), _) => {
                        self.stats.evaluations += 1;
                        let ctx = vars.scope(&self.root);
                        match program.execute(&ctx) {
                            Ok(value) => key_text(&value),
                            Err(_) => return,
                        }
                    }
                    (None, _) => ev.pid.to_string(),
                };
                let (scope, within, len) = (*scope, *within, steps.len());
                self.advance(target, key, scope, within, len, ev, facts, line, out);
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn advance(
        &mut self,
        target: Target,
        key: String,
        scope: Scope,
        within: f64,
        len: usize,
        ev: &Event<'_>,
        facts: &Facts<'_>,
        line: &str,
        out: &mut Vec<Alert>,
    ) {
        let ts = ev.ts;
        if target.step == 0 {
            let slot = (target.rule, key);
            let fresh = self
                .partials
                .get(&slot)
                .is_none_or(|p| ts - p.started > within);
            if fresh {
                self.partials.insert(
                    slot,
                    Partial {
                        next: 1,
                        started: ts,
                        lines: vec![line.to_string()],
                    },
                );
                self.bound_partials(ts);
            }
            return;
        }
        let mut keys = vec![key];
        if scope == Scope::Tree {
            keys.extend(
                self.procs
                    .ancestry(ev.pid, ts)
                    .iter()
                    .map(|a| a.pid.to_string()),
            );
        }
        for key in keys {
            let slot = (target.rule, key);
            let Some(partial) = self.partials.get_mut(&slot) else {
                continue;
            };
            if ts - partial.started > within {
                self.partials.remove(&slot);
                continue;
            }
            if partial.next != target.step {
                continue;
            }
            partial.lines.push(line.to_string());
            partial.next += 1;
            if partial.next == len {
                let lines = self
                    .partials
                    .remove(&slot)
                    .map(|p| p.lines)
                    .unwrap_or_default();
                let info = &self.rules[target.rule].info;
                let alert = make_alert(info, ev, facts, lines, &mut self.procs);
                self.stats.alerts += 1;
                out.push(alert);
            }
            return;
        }
    }

    /// Drops expired sequences, then the oldest quarter while over the cap.
    fn bound_partials(&mut self, now: f64) {
        if self.partials.len() <= self.limits.partials {
            return;
        }
        let rules = &self.rules;
        self.partials.retain(|rule, p| match &rules[rule].body {
            Body::Sequence { within, .. } => now - p.started <= *within,
            Body::Single(_) => false,
        });
        if self.partials.len() > self.limits.partials {
            let mut starts: Vec<f64> = self.partials.map.values().map(|p| p.started).collect();
            let cut = self.partials.len() - (self.limits.partials - self.limits.partials / 4);
            let (_, threshold, _) = starts.select_nth_unstable_by(cut, f64::total_cmp);
            let threshold = *threshold;
            self.partials.retain(|_, p| p.started >= threshold);
        }
    }
}

/// The most texts a line is searched for before parsing it; past that, parsing and
/// checking guards is cheaper.
const MAX_LINE_TEXTS: usize = 8;

/// The route of every event name the engine reads: the lifecycle, the socket calls
/// (when followed) and the names rules name.
fn routes(index: &IdMap<Box<str>, Arc<Plan>>, follow_sockets: bool) -> IdMap<Box<str>, Route> {
    let mut names: BTreeSet<&str> = LIFECYCLE.iter().copied().collect();
    if follow_sockets {
        names.extend(SOCKET_CALLS);
    }
    names.extend(index.keys().map(|name| &**name));
    names
        .into_iter()
        .map(|name| {
            let plan = index.get(name);
            let need = plan.and_then(|plan| line_need(plan));
            let route = Route {
                lifecycle: LIFECYCLE.contains(&name),
                socket_call: follow_sockets && SOCKET_CALLS.contains(&name),
                ruled: plan.is_some(),
                gate: plan
                    .filter(|plan| need.is_none() && !plan.path_tests.is_empty())
                    .cloned(),
                need,
            };
            (Box::from(name), route)
        })
        .collect()
}

/// When every target of a plan has a guard (for its name) with text to look for in the
/// line: the alternatives (any target may match; one that never does adds none), if
/// there are few enough to be worth it.
fn line_need(plan: &Plan) -> Option<LineNeed> {
    let needs: Option<Vec<LineNeed>> = plan
        .reaches
        .iter()
        .filter_map(|r| match &r.guard {
            Specialized::Always => Some(None),
            Specialized::Never => None,
            Specialized::Check(g) => Some(g.line_need()),
        })
        .collect();
    let need = LineNeed::Any(needs?);
    (need.texts() <= MAX_LINE_TEXTS).then_some(need)
}

/// Whether any rule of the route may admit the line, judged before parsing it (only for
/// lines [`LineNeed::applies_to`]): the route's text need, else its rules' path tests on
/// the path read from the line ([`line_path`]) with each one's own text need.
fn may_admit(route: &Route, peeked: &Peek<'_>, line: &str) -> bool {
    if let Some(need) = &route.need {
        return need.admits(line);
    }
    let Some(plan) = route.gate.as_ref().filter(|_| peeked.kind == "syscall") else {
        return true;
    };
    let Some(path) = line_path(line, peeked.rest) else {
        return true;
    };
    let hits = plan.path_tests.hits(path);
    plan.reaches.iter().any(|r| r.may_admit(hits, line))
}

/// Whether a target's guard, for its event's name, admits the event: the shared path
/// tests (`hits`) first, then the rest of the guard.
fn admits(reach: &Reach, hits: u64, vars: &Vars<'_, '_>, stats: &mut Stats) -> bool {
    let guard = match &reach.guard {
        Specialized::Always => return true,
        Specialized::Never => {
            stats.guards += 1;
            return false;
        }
        Specialized::Check(guard) => guard,
    };
    stats.guards += 1;
    if !reach.paths_hold(hits) {
        return false;
    }
    let read = |f: &crate::guard::Field| -> Option<FieldValue<'_>> { vars.field(f) };
    guard.admits(&read)
}

/// Whether the condition's program holds (its guard admitted the event already).
fn passes(
    condition: &Condition,
    vars: &Vars<'_, '_>,
    root: &Context<'static, 'static>,
    stats: &mut Stats,
) -> bool {
    let Some(program) = &condition.program else {
        return true;
    };
    stats.evaluations += 1;
    let ctx = vars.scope(root);
    matches!(program.execute(&ctx), Ok(Value::Bool(true)))
}

/// A sequence key's text.
fn key_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.to_string(),
        Value::Int(n) => n.to_string(),
        Value::UInt(n) => n.to_string(),
        other => format!("{other:?}"),
    }
}

fn make_alert(
    info: &RuleInfo,
    ev: &Event<'_>,
    facts: &Facts<'_>,
    lines: Vec<String>,
    procs: &mut ProcessTable,
) -> Alert {
    let events = lines
        .into_iter()
        .filter_map(|l| RawValue::from_string(l.trim_end().to_string()).ok())
        .collect();
    let summary = match &facts.path {
        Some(path) => format!("{} path={path}", ev.event()),
        None => match ev.args.first() {
            Some(a) => format!("{} {}={}", ev.event(), a.name, a.text()),
            None => ev.event().to_string(),
        },
    };
    Alert {
        v: events::schema::SCHEMA_VERSION,
        kind: "alert",
        ts: ev.ts,
        pid: ev.pid,
        tid: ev.tid,
        rule: AlertRule {
            id: info.id.clone(),
            name: info.name.clone(),
            severity: info.severity,
            mitre: info.mitre.clone(),
            tags: info.tags.clone(),
        },
        events,
        ancestry: procs.ancestry(ev.pid, ev.ts),
        comm: facts.comm.to_string(),
        executable: facts.executable.to_string(),
        uid: ev.uid,
        ppid: facts.ppid,
        container: ev.container.as_deref().map(str::to_string),
        summary,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn partial(started: f64) -> Partial {
        Partial {
            next: 1,
            started,
            lines: Vec::new(),
        }
    }

    #[test]
    fn partials_know_which_rules_have_sequences_in_progress() {
        let mut p = Partials::default();
        assert!(!p.any_of(0));
        p.insert((0, "a".into()), partial(1.0));
        p.insert((0, "a".into()), partial(2.0));
        p.insert((0, "b".into()), partial(3.0));
        p.insert((1, "a".into()), partial(4.0));
        assert!(p.any_of(0) && p.any_of(1) && !p.any_of(2));
        assert!(p.remove(&(0, "a".into())).is_some());
        assert!(p.remove(&(0, "a".into())).is_none());
        assert!(p.any_of(0));
        p.retain(|_, partial| partial.started > 3.5);
        assert!(!p.any_of(0) && p.any_of(1));
        assert!(p.remove(&(1, "a".into())).is_some());
        assert!(!p.any_of(1) && p.len() == 0);
    }
}
