//! What seance knows about the world, and nothing of the command line: no flag, no help text,
//! never an import of `cli` (a test in tests/layers.rs checks). Modules are `pub` only where
//! the tests or the fuzz targets use them (and, for now, where a tool that will use them is
//! still being written).

pub mod agent;
pub(crate) mod choice;
pub mod claude;
pub mod cmdline;
pub(crate) mod diag;
pub(crate) mod doctor;
pub mod error;
pub(crate) mod event;
pub(crate) mod eventlog;
pub(crate) mod fail;
pub(crate) mod filter;
#[cfg(any(test, feature = "fuzz"))]
pub mod fuzz;
pub(crate) mod gc;
pub mod glob;
pub(crate) mod grep;
pub(crate) mod holds;
pub(crate) mod index;
pub(crate) mod interrupt;
pub(crate) mod lines;
pub(crate) mod links;
pub(crate) mod listing;
pub(crate) mod lock;
pub(crate) mod malformed;
pub(crate) mod out;
pub(crate) mod printable;
pub mod rawjson;
pub(crate) mod regular;
pub(crate) mod render;
pub(crate) mod resolve;
pub(crate) mod sessions;
pub(crate) mod stage;
pub(crate) mod time;
pub mod token;
pub(crate) mod town;
pub mod trail;
pub mod transcript;
pub(crate) mod unstage;
pub(crate) mod work;
