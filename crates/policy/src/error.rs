//! Errors for malformed profiles: always the file, the place in it and the problem.

use std::fmt;

/// A profile that cannot be read or does not make sense, with where and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct PolicyError {
    /// The file (or `<stdin>`, or empty when the policy did not come from a file).
    pub file: String,
    /// Where in the file: `line 3 column 7`, or a field path such as `syscalls[2].action`.
    pub location: String,
    /// What is wrong, and how to fix it.
    pub problem: String,
}

impl PolicyError {
    /// A semantic error at a field path.
    pub fn invalid(
        file: impl Into<String>,
        location: impl Into<String>,
        problem: impl Into<String>,
    ) -> PolicyError {
        PolicyError {
            file: file.into(),
            location: location.into(),
            problem: problem.into(),
        }
    }

    /// A syntax or type error reported by serde_json, located by line and column.
    pub fn from_json(file: &str, err: &serde_json::Error) -> PolicyError {
        let text = err.to_string();
        // serde_json appends " at line L column C"; keep the location apart.
        let problem = match text.rfind(" at line ") {
            Some(i) => text[..i].to_string(),
            None => text,
        };
        PolicyError::invalid(
            file,
            format!("line {} column {}", err.line(), err.column()),
            problem,
        )
    }

    /// The same error attributed to `file` (importers that parse text know no file name).
    pub fn in_file(mut self, file: &str) -> PolicyError {
        self.file = file.to_string();
        self
    }
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.file.is_empty(), self.location.is_empty()) {
            (false, false) => write!(f, "{}: {}: {}", self.file, self.location, self.problem),
            (false, true) => write!(f, "{}: {}", self.file, self.problem),
            (true, false) => write!(f, "{}: {}", self.location, self.problem),
            (true, true) => f.write_str(&self.problem),
        }
    }
}
