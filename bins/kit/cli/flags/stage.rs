//! Flags of seance-stage.

use std::path::PathBuf;

use super::store;
use crate::cli::{Complete, Flag};

#[derive(Debug, Default)]
pub struct StageArgs {
    pub cwd: Option<PathBuf>,
}

pub const CWD: Flag = Flag::value(
    "cwd",
    "DIR",
    "Make the session resumable from DIR (default: the working directory)",
    |a, v| store(&mut a.stage.cwd, v.path()),
)
.complete(Complete::Dir);
