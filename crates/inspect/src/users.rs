//! User names for uids, from /etc/passwd, as lsof and ps show them.

use std::collections::HashMap;

/// The uid → name table of /etc/passwd (empty when it cannot be read).
#[derive(Debug, Clone, Default)]
pub struct Users {
    names: HashMap<u32, String>,
}

impl Users {
    /// Reads /etc/passwd.
    pub fn load() -> Users {
        Users::parse(&std::fs::read_to_string("/etc/passwd").unwrap_or_default())
    }

    /// Parses passwd(5) text: `name:x:uid:gid:...`.
    pub fn parse(text: &str) -> Users {
        let mut names = HashMap::new();
        for line in text.lines() {
            let mut fields = line.split(':');
            if let (Some(name), Some(_), Some(uid)) = (fields.next(), fields.next(), fields.next())
                && let Ok(uid) = uid.parse::<u32>()
            {
                names.entry(uid).or_insert_with(|| name.to_string());
            }
        }
        Users { names }
    }

    /// The name of `uid`, or the number when /etc/passwd has none (as lsof prints it).
    pub fn name(&self, uid: u32) -> String {
        self.names
            .get(&uid)
            .cloned()
            .unwrap_or_else(|| uid.to_string())
    }

    /// The uid of a user given by name or number.
    pub fn lookup(&self, user: &str) -> Option<u32> {
        if let Ok(uid) = user.parse() {
            return Some(uid);
        }
        self.names
            .iter()
            .find(|(_, n)| n.as_str() == user)
            .map(|(uid, _)| *uid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_numbers_resolve_both_ways() {
        let u = Users::parse("root:x:0:0:root:/root:/bin/sh\nbin:x:2:2::/:/bin/false\nbad\n");
        assert_eq!(u.name(2), "bin");
        assert_eq!(u.name(77), "77");
        assert_eq!(u.lookup("root"), Some(0));
        assert_eq!(u.lookup("1234"), Some(1234));
        assert_eq!(u.lookup("nobody"), None);
    }
}
