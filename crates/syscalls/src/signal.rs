//! Signal names and numbers (x86 and arm64 share the generic numbering).

use crate::generated::SIGNALS;

/// One signal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Signal {
    /// The signal number.
    pub number: i32,
    /// The name strace prints (`SIGCHLD`, `SIGRTMIN`, `SIGRT_1`).
    pub name: &'static str,
}

/// Every signal, 1 to 64, in number order.
pub fn signals() -> &'static [Signal] {
    SIGNALS
}

/// The name of signal `number`, as strace prints it.
pub fn signal_name(number: i32) -> Option<&'static str> {
    usize::try_from(number)
        .ok()
        .and_then(|n| n.checked_sub(1))
        .and_then(|i| SIGNALS.get(i))
        .map(|s| s.name)
}

/// Looks up a signal by name, with or without the `SIG` prefix, or by number.
pub fn signal_by_name(name: &str) -> Option<&'static Signal> {
    if let Ok(n) = name.parse::<i32>() {
        return signal_name(n).and_then(|_| SIGNALS.get(n as usize - 1));
    }
    let upper = name.to_ascii_uppercase();
    let full = if upper.starts_with("SIG") {
        upper
    } else {
        format!("SIG{upper}")
    };
    let full = match full.as_str() {
        "SIGIOT" => "SIGABRT".to_string(),
        "SIGPOLL" => "SIGIO".to_string(),
        "SIGCLD" => "SIGCHLD".to_string(),
        _ => full,
    };
    SIGNALS.iter().find(|s| s.name == full)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_signals_as_strace_does() {
        assert_eq!(signal_name(9), Some("SIGKILL"));
        assert_eq!(signal_name(17), Some("SIGCHLD"));
        assert_eq!(signal_name(32), Some("SIGRTMIN"));
        assert_eq!(signal_name(33), Some("SIGRT_1"));
        assert_eq!(signal_name(64), Some("SIGRT_32"));
        assert_eq!(signal_name(0), None);
        assert_eq!(signal_name(65), None);
        assert_eq!(signal_by_name("term").unwrap().number, 15);
        assert_eq!(signal_by_name("SIGIOT").unwrap().number, 6);
    }
}
