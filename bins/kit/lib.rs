//! The seance toolkit: one library behind small binaries that talk NDJSON.
//!
//! Each module owns one concern; each tool in [`tool`] is a function that returns an exit code,
//! and each binary under `bins/` is a one-line `main` that calls it.

pub mod claude;
pub mod cli;
pub mod docs;
pub mod error;
pub mod event;
pub mod fail;
pub mod fuzz;
pub mod index;
pub mod lines;
pub mod links;
pub mod lock;
pub mod malformed;
pub mod man;
pub mod out;
pub mod rawjson;
pub mod resolve;
pub mod shell;
pub mod time;
pub mod token;
pub mod tool;
pub mod town;
