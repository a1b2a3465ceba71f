//! The index lock, compatible with gt: `flock(2)` exclusive on `<index>.lock` (not fcntl/lockf,
//! which Linux keeps apart from flock), polled until `--lock-timeout`. The lock file is created
//! 0600 when missing and never truncated or deleted: deleting it would let two holders in.

use std::fs::File;
use std::path::Path;
use std::time::{Duration, Instant};

use rustix::fs::{FlockOperation, flock};

use crate::core::error::{Code, Error, Result};
use crate::core::fail;
use crate::core::interrupt;
use crate::core::links::ProjectDir;
use crate::core::regular::{self, How, Refused, Role};

pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

/// Held until dropped (closing the file releases the lock).
pub struct IndexLock {
    _file: File,
}

#[cfg(test)]
pub fn lock_path(index: &std::path::Path) -> std::path::PathBuf {
    let mut name = index.as_os_str().to_owned();
    name.push(".lock");
    std::path::PathBuf::from(name)
}

/// The lock file's name inside a project dir.
pub const LOCK_NAME: &str = "sessions-index.json.lock";
/// The index it locks (named here too: the index editor uses this module, not the reverse).
const INDEX_NAME: &str = "sessions-index.json";
/// The lock file: ours to write, created 0600 when missing, never through a symlink.
const LOCK: How = How { role: Role::Write, follow: false, create: Some(0o600), nonblocking: false };

/// Takes the index lock of the project dir `dir`, waiting up to `timeout`. The lock file is
/// opened inside the dir's descriptor, never through a symlink and never blocking; anything but
/// a regular file there is refused (exit 5). A caught signal (see `interrupt`) ends the wait.
pub fn lock_in(dir: &ProjectDir, timeout: Duration) -> Result<IndexLock> {
    let path = || dir.path().join(LOCK_NAME);
    // A FIFO, socket or device where the index is expected is refused before its lock is
    // taken: refusing it under the lock would hold everyone else up for nothing.
    if let Err(refused @ Refused::Special(_)) = regular::look_at(dir.fd(), Path::new(INDEX_NAME), LOCK) {
        return Err(refused.error(&dir.path().join(INDEX_NAME), Role::Write));
    }
    let file = regular::open_at(dir.fd(), Path::new(LOCK_NAME), LOCK).map_err(|refused| match refused {
        Refused::Symlink => Error::new(
            Code::Unsafe,
            format!("{}: is a symlink; refusing to lock through it", path().display()),
        ),
        Refused::Special(what) => Error::new(
            Code::Unsafe,
            format!("{}: is {what}, not a regular file; refusing to lock it", path().display()),
        ),
        refused => refused.error(&path(), Role::Write),
    })?;
    fail::point("lock.opened");
    let deadline = Instant::now() + timeout;
    loop {
        interrupt::check()?;
        match flock(&file, FlockOperation::NonBlockingLockExclusive) {
            Ok(()) => return Ok(IndexLock { _file: file }),
            Err(rustix::io::Errno::WOULDBLOCK) | Err(rustix::io::Errno::INTR) => {}
            Err(err) => return Err(Error::new(Code::Failure, format!("{}: {err}", path().display()))),
        }
        if Instant::now() >= deadline {
            return Err(Error::new(
                Code::Locked,
                format!(
                    "{}: lock not acquired within {:?} (another seance or gt holds it)",
                    path().display(),
                    timeout
                ),
            ));
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}
