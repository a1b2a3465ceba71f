//! The index lock, compatible with gt: `flock(2)` exclusive on `<index>.lock` (not fcntl/lockf,
//! which Linux keeps apart from flock), polled until `--lock-timeout`. The lock file is created
//! 0600 when missing and never truncated or deleted: deleting it would let two holders in.

use std::fs::File;
use std::time::{Duration, Instant};

use rustix::fs::{FlockOperation, flock};

use crate::core::error::{Code, Error, Result, describe_io};
use crate::core::fail;
use crate::core::interrupt;
use crate::core::links::ProjectDir;

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

/// Takes the index lock of the project dir `dir`, waiting up to `timeout`. The lock file is
/// opened inside the dir's descriptor, never through a symlink and never blocking; anything but
/// a regular file there is refused (exit 5). A caught signal (see `interrupt`) ends the wait.
pub fn lock_in(dir: &ProjectDir, timeout: Duration) -> Result<IndexLock> {
    let path = || dir.path().join(LOCK_NAME);
    let fd = dir.open_file(LOCK_NAME, true, Some(0o600)).map_err(|err| match err {
        rustix::io::Errno::LOOP => Error::new(
            Code::Unsafe,
            format!("{}: is a symlink; refusing to lock through it", path().display()),
        ),
        rustix::io::Errno::ISDIR | rustix::io::Errno::NXIO => {
            Error::new(Code::Unsafe, format!("{}: not a regular file; refusing to lock it", path().display()))
        }
        err => Error::new(Code::Failure, format!("{}: {}", path().display(), describe_io(&err.into()))),
    })?;
    let stat = rustix::fs::fstat(&fd)
        .map_err(|e| Error::new(Code::Failure, format!("{}: {e}", path().display())))?;
    if rustix::fs::FileType::from_raw_mode(stat.st_mode) != rustix::fs::FileType::RegularFile {
        return Err(Error::new(
            Code::Unsafe,
            format!("{}: not a regular file; refusing to lock it", path().display()),
        ));
    }
    let file = File::from(fd);
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
