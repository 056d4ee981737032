//! Sinks for sysfence events: the strace-compatible text printer, the JSON Lines printer
//! and the `-c` summary, plus the argument decoders and constant tables they share.

pub mod dates;
pub mod decode;
pub mod escape;
pub mod json;
pub mod prim;
pub mod select;
pub mod siginfo;
pub mod specs;
pub mod summary;
pub mod text;
pub mod xlat;

pub use decode::{DecodeOptions, Decoder};
pub use json::JsonSink;
pub use summary::{SortBy, SummarySink};
pub use text::{PidPrefix, TextOptions, TextOutput, TextSink, TimeFormat, notice_line};
