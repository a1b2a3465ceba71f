//! The index lock, compatible with gt: `flock(2)` exclusive on `<index>.lock` (not fcntl/lockf,
//! which Linux keeps apart from flock), polled until `--lock-timeout`. The lock file is created
//! 0600 when missing and never truncated or deleted: deleting it would let two holders in.

use std::fs::File;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rustix::fs::{FlockOperation, flock};

use crate::core::error::{Code, Error, Result, describe_io};

pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

/// Held until dropped (closing the file releases the lock).
pub struct IndexLock {
    _file: File,
}

pub fn lock_path(index: &Path) -> PathBuf {
    let mut name = index.as_os_str().to_owned();
    name.push(".lock");
    PathBuf::from(name)
}

/// Takes the lock of `index`, waiting up to `timeout`.
pub fn lock(index: &Path, timeout: Duration) -> Result<IndexLock> {
    let path = lock_path(index);
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .mode(0o600)
        .custom_flags(rustix::fs::OFlags::NOFOLLOW.bits() as i32)
        .open(&path)
        .map_err(|err| match err.raw_os_error() {
            Some(code) if code == rustix::io::Errno::LOOP.raw_os_error() => Error::new(
                Code::Unsafe,
                format!("{}: is a symlink; refusing to lock through it", path.display()),
            ),
            _ => Error::new(Code::Failure, format!("{}: {}", path.display(), describe_io(&err))),
        })?;
    let deadline = Instant::now() + timeout;
    loop {
        match flock(&file, FlockOperation::NonBlockingLockExclusive) {
            Ok(()) => return Ok(IndexLock { _file: file }),
            Err(rustix::io::Errno::WOULDBLOCK) | Err(rustix::io::Errno::INTR) => {}
            Err(err) => return Err(Error::new(Code::Failure, format!("{}: {err}", path.display()))),
        }
        if Instant::now() >= deadline {
            return Err(Error::new(
                Code::Locked,
                format!(
                    "{}: lock not acquired within {:?} (another seance or gt holds it)",
                    path.display(),
                    timeout
                ),
            ));
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}
