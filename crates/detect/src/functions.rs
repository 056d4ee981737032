//! The helper functions rules may call besides CEL's standard library, registered through
//! the cel crate's function registry.

use crate::process::basename as base;
use cel::Context;
use cel::objects::Value;
use std::sync::Arc;

/// The names of the helpers, for checking that a rule calls only known functions.
pub const HELPERS: &[&str] = &[
    "basename",
    "dirname",
    "hasFlag",
    "anyBit",
    "glob",
    "startsWithAny",
    "sockPort",
    "sockAddr",
    "envValue",
];

/// Registers every helper on the root context.
pub fn register(ctx: &mut Context<'static, 'static>) {
    // The names are ours, not the standard library's: registration cannot conflict.
    let _ = ctx.add_function("basename", |s: Arc<String>| base(&s).to_string());
    let _ = ctx.add_function("dirname", |s: Arc<String>| dirname(&s).to_string());
    let _ = ctx.add_function("hasFlag", |text: Arc<String>, flag: Arc<String>| {
        has_flag(&text, &flag)
    });
    let _ = ctx.add_function("anyBit", |value: i64, mask: i64| value & mask != 0);
    let _ = ctx.add_function("glob", |s: Arc<String>, pattern: Arc<String>| {
        glob(pattern.as_bytes(), s.as_bytes())
    });
    let _ = ctx.add_function(
        "startsWithAny",
        |s: Arc<String>, prefixes: Arc<Vec<Value>>| {
            prefixes
                .iter()
                .any(|p| matches!(p, Value::String(p) if s.starts_with(p.as_str())))
        },
    );
    let _ = ctx.add_function("sockPort", |text: Arc<String>| sock_port(&text));
    let _ = ctx.add_function("sockAddr", |text: Arc<String>| sock_addr(&text).to_string());
    let _ = ctx.add_function("envValue", |env: Arc<Vec<Value>>, name: Arc<String>| {
        env_value(&env, &name)
    });
}

/// Everything before the last `/` (`/` for a file at the root, empty for a bare name).
pub fn dirname(path: &str) -> &str {
    match path.trim_end_matches('/').rfind('/') {
        Some(0) => "/",
        Some(i) => &path[..i],
        None => "",
    }
}

/// Whether strace's flag text (`O_WRONLY|O_CREAT`) holds `flag`.
pub fn has_flag(text: &str, flag: &str) -> bool {
    text.split('|').any(|f| f.trim() == flag)
}

/// Shell-style matching: `*` any run (also across `/`), `?` one character.
pub fn glob(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && (pattern[p] == b'?' || pattern[p] == text[t]) {
            p += 1;
            t += 1;
        } else if p < pattern.len() && pattern[p] == b'*' {
            star = Some((p, t));
            p += 1;
        } else if let Some((sp, st)) = star {
            p = sp + 1;
            t = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

/// The port of strace's sockaddr text (`sin_port=htons(443)`), or -1.
pub fn sock_port(text: &str) -> i64 {
    text.split_once("_port=htons(")
        .and_then(|(_, rest)| rest.split_once(')'))
        .and_then(|(n, _)| n.parse().ok())
        .unwrap_or(-1)
}

/// The address of strace's sockaddr text: the IPv4/IPv6 address or the unix socket's
/// path (`sun_path="/run/docker.sock"`), or empty.
pub fn sock_addr(text: &str) -> &str {
    for marker in [
        "inet_addr(\"",
        "inet_pton(AF_INET6, \"",
        "sun_path=\"",
        "sun_path=@\"",
    ] {
        if let Some((_, rest)) = text.split_once(marker)
            && let Some((value, _)) = rest.split_once('"')
        {
            return value;
        }
    }
    ""
}

/// The value of `NAME=` in an environment list, or empty.
fn env_value(env: &[Value], name: &str) -> String {
    env.iter()
        .find_map(|v| match v {
            Value::String(kv) => kv
                .strip_prefix(name)
                .and_then(|rest| rest.strip_prefix('='))
                .map(str::to_string),
            _ => None,
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_as_a_shell_does() {
        assert!(glob(b"/home/*/.ssh/id_*", b"/home/al/.ssh/id_rsa"));
        assert!(glob(b"/proc/*/mem", b"/proc/12/mem"));
        assert!(!glob(b"/proc/*/mem", b"/proc/12/maps"));
        assert!(glob(b"a?c", b"abc"));
    }

    #[test]
    fn sockaddrs_give_port_and_address() {
        let t = r#"{sa_family=AF_INET, sin_port=htons(6443), sin_addr=inet_addr("10.0.0.1")}"#;
        assert_eq!((sock_port(t), sock_addr(t)), (6443, "10.0.0.1"));
        let u = r#"{sa_family=AF_UNIX, sun_path="/var/run/docker.sock"}"#;
        assert_eq!((sock_port(u), sock_addr(u)), (-1, "/var/run/docker.sock"));
    }

    #[test]
    fn dirnames_and_flags() {
        assert_eq!(dirname("/etc/passwd"), "/etc");
        assert_eq!(dirname("/etc"), "/");
        assert!(has_flag("O_WRONLY|O_CREAT", "O_CREAT"));
        assert!(!has_flag("O_WRONLY|O_CREAT", "O_CR"));
    }
}
