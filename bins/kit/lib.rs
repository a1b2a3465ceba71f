//! The seance toolkit: one library behind small binaries that talk NDJSON, in three layers
//! whose arrows point down only (ARCHITECTURE.md):
//!
//! - [`core`] knows the world (the town, its event log, Claude's storage, the index, tokens)
//!   and nothing of the command line;
//! - [`cli`] knows flags: the registry, parsing, help, man pages, completions;
//! - [`tool`] holds one thin module per binary, turning parsed arguments into calls on `core`.
//!
//! Each binary under `bins/` is a one-line `main` that calls its tool.

pub(crate) mod cli;
pub mod core;
pub mod tool;
