//! Linux errno names and their messages (glibc's `strerror` text, strace's for the
//! kernel-internal restart codes).

use crate::generated::{ERRNO_ALIASES, ERRNOS};

/// One error number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Errno {
    /// The positive error code (a syscall returns its negation).
    pub code: i32,
    /// The symbolic name, e.g. `ENOENT`.
    pub name: &'static str,
    /// The human message strace prints in parentheses.
    pub message: &'static str,
}

/// Every errno the knowledge base has, in code order.
pub fn errnos() -> &'static [Errno] {
    ERRNOS
}

/// Looks up an errno by its positive code.
pub fn errno_by_code(code: i32) -> Option<&'static Errno> {
    ERRNOS
        .binary_search_by_key(&code, |e| e.code)
        .ok()
        .map(|i| &ERRNOS[i])
}

/// Looks up an errno by name (`ENOENT`, case-insensitive), accepting aliases such as
/// `EWOULDBLOCK` and `ENOTSUP`.
pub fn errno_by_name(name: &str) -> Option<&'static Errno> {
    let upper = name.to_ascii_uppercase();
    ERRNOS.iter().find(|e| e.name == upper).or_else(|| {
        ERRNO_ALIASES
            .iter()
            .find(|(alias, _)| *alias == upper)
            .and_then(|(_, code)| errno_by_code(*code))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knows_common_errnos_with_glibc_messages() {
        let e = errno_by_code(2).unwrap();
        assert_eq!(e.name, "ENOENT");
        assert_eq!(e.message, "No such file or directory");
        assert_eq!(errno_by_name("eperm").unwrap().code, 1);
        assert_eq!(errno_by_name("EWOULDBLOCK").unwrap().name, "EAGAIN");
        assert_eq!(errno_by_code(512).unwrap().name, "ERESTARTSYS");
    }
}
