//! Helpers shared by the knowledge base's tests: finding the reference tools they compare
//! against, and skipping loudly (failing under CI) when one is missing.

#![allow(dead_code)]

#[allow(unused_imports)]
pub use sysfence_fixtures::tools::{
    PYTHON3, SCMP_SYS_RESOLVER, Tool, in_path, require, skip_or_fail,
};
