//! The format-free seccomp policy model: a default action, the ABIs a filter targets and
//! rules (syscall name → action, optionally under argument conditions). Every file format
//! is an importer/exporter pair around this model; the compiler in the `seccomp` crate
//! sees only the model.

mod action;
pub mod docker;
mod error;
mod load;
mod model;
pub mod oci;

pub use action::{Action, UnknownAction};
pub use error::PolicyError;
pub use load::{Format, load, looks_like_json};
pub use model::{CmpOp, Condition, Policy, Rule, Warning};
