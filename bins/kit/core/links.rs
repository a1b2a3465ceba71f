//! Session links (`<id>.jsonl` and the sidecar `<id>`) in a project dir. Each check and removal
//! happens inside the directory opened once, without following a symlink in the last step, and
//! a link is removed only while it still points where we recorded.

use std::path::{Path, PathBuf};

use rustix::fd::OwnedFd;
use rustix::fs::{AtFlags, FileType, Mode, OFlags};

use crate::core::error::{Code, Error, Result};

/// What is at a name in a project dir.
#[derive(Debug, PartialEq, Eq)]
pub enum Found {
    Missing,
    Link(PathBuf),
    /// A regular file: someone's transcript, never ours to remove.
    File,
    /// A directory or anything else that is neither a symlink nor a regular file.
    Other(&'static str),
}

/// Whether a link's target exists.
#[derive(Debug, PartialEq, Eq)]
pub enum Target {
    Exists,
    Gone,
}

pub struct ProjectDir {
    path: PathBuf,
    fd: OwnedFd,
}

impl ProjectDir {
    /// Opens an existing project dir; `None` when it is not there. A symlinked project dir is
    /// refused: its links would land somewhere else.
    pub fn open(path: &Path) -> Result<Option<ProjectDir>> {
        let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC;
        match rustix::fs::open(path, flags, Mode::empty()) {
            Ok(fd) => Ok(Some(ProjectDir { path: path.to_path_buf(), fd })),
            Err(rustix::io::Errno::NOENT) => Ok(None),
            Err(rustix::io::Errno::LOOP) | Err(rustix::io::Errno::NOTDIR) => Err(Error::new(
                Code::Unsafe,
                format!("{}: not a plain directory; left untouched", path.display()),
            )),
            Err(err) => Err(Error::new(Code::Failure, format!("{}: {err}", path.display()))),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn inspect(&self, name: &str) -> Result<Found> {
        let stat = match rustix::fs::statat(&self.fd, name, AtFlags::SYMLINK_NOFOLLOW) {
            Ok(stat) => stat,
            Err(rustix::io::Errno::NOENT) => return Ok(Found::Missing),
            Err(err) => return Err(self.error(name, err)),
        };
        Ok(match FileType::from_raw_mode(stat.st_mode) {
            FileType::Symlink => {
                let target =
                    rustix::fs::readlinkat(&self.fd, name, Vec::new()).map_err(|e| self.error(name, e))?;
                Found::Link(PathBuf::from(<std::ffi::OsString as std::os::unix::ffi::OsStringExt>::from_vec(
                    target.into_bytes(),
                )))
            }
            FileType::RegularFile => Found::File,
            FileType::Directory => Found::Other("a directory"),
            _ => Found::Other("a special file"),
        })
    }

    /// Makes `name` a symlink to `target`; fails if anything is there already.
    pub fn link(&self, name: &str, target: &Path) -> Result<()> {
        rustix::fs::symlinkat(target, &self.fd, name).map_err(|e| self.error(name, e))
    }

    /// Checks that `name` is a symlink to `target` or gone, without changing anything; exit 5
    /// when something else is there now.
    pub fn check_points_to(&self, name: &str, target: &Path) -> Result<()> {
        match self.inspect(name)? {
            Found::Missing => Ok(()),
            Found::Link(actual) if actual == target => Ok(()),
            Found::Link(actual) => Err(Error::new(
                Code::Unsafe,
                format!(
                    "{}: now links to {}, not {}; nothing removed",
                    self.path.join(name).display(),
                    actual.display(),
                    target.display()
                ),
            )),
            Found::File => Err(self.not_a_link(name, "a regular file")),
            Found::Other(what) => Err(self.not_a_link(name, what)),
        }
    }

    /// Removes `name` if it is still a symlink to `target`. `Ok(false)` when it is already gone;
    /// exit 5 when something else is there now.
    pub fn unlink_if_points_to(&self, name: &str, target: &Path) -> Result<bool> {
        self.check_points_to(name, target)?;
        match rustix::fs::unlinkat(&self.fd, name, AtFlags::empty()) {
            Ok(()) => Ok(true),
            Err(rustix::io::Errno::NOENT) => Ok(false),
            Err(err) => Err(self.error(name, err)),
        }
    }

    /// Names in the dir with what readdir says they are (`Unknown` on file systems that do not
    /// say), so a scan need not stat every file.
    pub fn entries(&self) -> Result<Vec<(String, FileType)>> {
        let mut entries = Vec::new();
        let dir = rustix::fs::Dir::read_from(&self.fd).map_err(|e| self.error(".", e))?;
        for entry in dir {
            let entry = entry.map_err(|e| self.error(".", e))?;
            if let Ok(name) = entry.file_name().to_str()
                && name != "."
                && name != ".."
            {
                entries.push((name.to_string(), entry.file_type()));
            }
        }
        Ok(entries)
    }

    /// The mtime of `name` itself (a symlink's own time is when it was made).
    pub fn age(&self, name: &str) -> Option<std::time::Duration> {
        let stat = rustix::fs::statat(&self.fd, name, AtFlags::SYMLINK_NOFOLLOW).ok()?;
        let made =
            std::time::UNIX_EPOCH + std::time::Duration::new(stat.st_mtime as u64, stat.st_mtime_nsec as u32);
        Some(std::time::SystemTime::now().duration_since(made).unwrap_or_default())
    }

    /// Whether `name`'s target exists (following the link). It is gone only when the lookup
    /// says so (ENOENT, ENOTDIR); any other error (EACCES, EIO, a loop, a stale mount) is
    /// returned, for the caller to report while keeping the link.
    pub fn target_state(&self, name: &str) -> Result<Target> {
        match rustix::fs::statat(&self.fd, name, AtFlags::empty()) {
            Ok(_) => Ok(Target::Exists),
            Err(rustix::io::Errno::NOENT) | Err(rustix::io::Errno::NOTDIR) => Ok(Target::Gone),
            Err(err) => Err(Error::new(
                Code::Failure,
                format!(
                    "{}: cannot tell whether its target exists: {}; kept",
                    self.path.join(name).display(),
                    crate::core::error::describe_io(&err.into())
                ),
            )),
        }
    }

    /// The directory's descriptor: every step inside it is relative to this, so swapping the
    /// path for a symlink halfway cannot move a write elsewhere.
    pub fn fd(&self) -> &OwnedFd {
        &self.fd
    }

    /// Makes a new file `name` (failing if anything is there), for writing.
    pub fn create_new(&self, name: &str, mode: u32) -> rustix::io::Result<OwnedFd> {
        let flags = OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC;
        rustix::fs::openat(&self.fd, name, flags, Mode::from_raw_mode(mode))
    }

    /// Renames `from` over `to`, both inside the dir.
    pub fn rename(&self, from: &str, to: &str) -> rustix::io::Result<()> {
        rustix::fs::renameat(&self.fd, from, &self.fd, to)
    }

    /// Removes `name` if it is there; a name already gone is not an error (a writer or another
    /// gc may have renamed or removed it meanwhile).
    pub fn remove_if_there(&self, name: &str) -> Result<()> {
        match rustix::fs::unlinkat(&self.fd, name, AtFlags::empty()) {
            Ok(()) | Err(rustix::io::Errno::NOENT) => Ok(()),
            Err(err) => Err(self.error(name, err)),
        }
    }

    /// Makes a rename inside the dir durable.
    pub fn sync(&self) -> Result<()> {
        rustix::fs::fsync(&self.fd).map_err(|e| self.error(".", e))
    }

    fn not_a_link(&self, name: &str, what: &str) -> Error {
        let path = self.path.join(name);
        Error::new(
            Code::Unsafe,
            format!("{}: is {what} where a link was expected; left alone", path.display()),
        )
    }

    pub fn error(&self, name: &str, err: rustix::io::Errno) -> Error {
        Error::new(
            Code::Failure,
            format!("{}: {}", self.path.join(name).display(), crate::core::error::describe_io(&err.into())),
        )
    }
}
