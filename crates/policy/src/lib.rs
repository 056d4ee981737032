//! The format-free seccomp policy model: a default action, the ABIs a filter targets and
//! rules (syscall name → action, optionally under argument conditions). Every file format
//! is an importer/exporter pair around this model; the compiler in the `seccomp` crate
//! sees only the model.

#![warn(missing_docs)]

mod action;
mod combine;
pub mod docker;
mod error;
pub mod k8s;
mod keys;
mod load;
mod model;
mod node;
pub mod oci;
mod read;
pub mod systemd;

pub use action::{Action, UnknownAction};
pub use combine::{Difference, diff, merge};
pub use error::PolicyError;
pub use keys::UnknownKeys;
pub use load::{is_profile_text, load, load_bytes, load_bytes_with, load_with, looks_like_json};
pub use model::{CmpOp, Condition, Policy, Rule, Warning};
