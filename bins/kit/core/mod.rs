//! What seance knows about the world, and nothing of the command line: no flag, no help text,
//! never an import of `cli` (a test in tests/layers.rs checks).

pub mod agent;
pub mod choice;
pub mod claude;
pub mod cmdline;
pub mod doctor;
pub mod error;
pub mod event;
pub mod eventlog;
pub mod fail;
pub mod filter;
#[cfg(any(test, feature = "fuzz"))]
pub mod fuzz;
pub mod gc;
pub mod glob;
pub mod holds;
pub mod index;
pub mod interrupt;
pub mod lines;
pub mod links;
pub mod listing;
pub mod lock;
pub mod malformed;
pub mod out;
pub mod rawjson;
pub mod render;
pub mod resolve;
pub mod stage;
pub mod time;
pub mod token;
pub mod town;
pub mod trail;
pub mod unstage;
