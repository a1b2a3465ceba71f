//! Opening a file that must be a regular one (an index, its lock, a transcript, accounts.json,
//! the town's event log) without ever blocking on whatever else sits at its name.
//!
//! Opening a FIFO for reading waits for a writer, and reading a device may never end, so the
//! name is looked at first (a special file is refused without being opened), then opened with
//! `O_NONBLOCK` (a FIFO swapped in between cannot make the open wait) and checked again on the
//! descriptor, which is what is read. `O_NONBLOCK` is cleared before the file is handed out.
//! `--events FILE` and stdin are streams on purpose and are not opened through here.

use std::fs::File;
use std::io;
use std::path::Path;

use rustix::fd::{AsFd, OwnedFd};
use rustix::fs::{AtFlags, CWD, FileType, Mode, OFlags};
use rustix::io::Errno;

use super::error::{Code, Error};

/// What seance does with the file, which decides the exit code of a refusal (SPEC.md section
/// 3): 5 for a file it would write (an index, a lock), 2 for one it only reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Read,
    Write,
}

/// How a file is opened.
#[derive(Clone, Copy, Debug)]
pub struct How {
    pub role: Role,
    /// Whether a symlink at the name is followed (else it is [`Refused::Symlink`]).
    pub follow: bool,
    /// Open read-write, creating the file with this mode when it is missing (the lock file).
    pub create: Option<u32>,
    /// Leave `O_NONBLOCK` set: a regular file ignores it, so a file only read at offsets
    /// (thousands of transcripts' ends) saves the two calls that clear it.
    pub nonblocking: bool,
}

impl How {
    /// A file only read, through symlinks: a transcript, accounts.json, the event log.
    pub const READ: How = How { role: Role::Read, follow: true, create: None, nonblocking: false };
    /// [`How::READ`] for a file read only with `pread` (a transcript's ends).
    pub const READ_AT: How = How { nonblocking: true, ..How::READ };
}

/// Why a file was not opened.
#[derive(Debug)]
pub enum Refused {
    Missing,
    /// A symlink, with `follow` off.
    Symlink,
    /// A FIFO, socket or device; the words name it ("a FIFO").
    Special(&'static str),
    Io(io::Error),
}

impl Refused {
    /// The one-line error for `path`, with the exit code `role` calls for.
    pub fn error(self, path: &Path, role: Role) -> Error {
        match self {
            Refused::Missing => Error::io("open", path.display(), io::Error::from(io::ErrorKind::NotFound)),
            Refused::Symlink => {
                Error::new(Code::Unsafe, format!("{}: is a symlink; left untouched", path.display()))
            }
            Refused::Special(what) => {
                let (code, tail) = match role {
                    Role::Write => (Code::Unsafe, "; left untouched"),
                    Role::Read => (Code::Failure, ""),
                };
                Error::new(code, format!("{}: is {what}, not a regular file{tail}", path.display()))
            }
            Refused::Io(err) => Error::io("open", path.display(), err),
        }
    }
}

/// Opens `path` as [`open_at`] does, relative to the working directory.
pub fn open(path: &Path, how: How) -> Result<File, Refused> {
    open_at(CWD, path, how)
}

/// Looks at `name` in the directory `dir` without opening it: `Ok` for a regular file (or a
/// missing one that `how` would create).
pub fn look_at<D: AsFd>(dir: D, name: &Path, how: How) -> Result<(), Refused> {
    let at = if how.follow { AtFlags::empty() } else { AtFlags::SYMLINK_NOFOLLOW };
    match rustix::fs::statat(&dir, name, at) {
        Ok(stat) => check(FileType::from_raw_mode(stat.st_mode)),
        Err(Errno::NOENT) if how.create.is_none() => Err(Refused::Missing),
        Err(Errno::NOENT) => Ok(()),
        Err(err) => Err(Refused::Io(err.into())),
    }
}

/// Opens `name` in the directory `dir` only if it is a regular file, never blocking.
pub fn open_at<D: AsFd>(dir: D, name: &Path, how: How) -> Result<File, Refused> {
    look_at(&dir, name, how)?;
    let mut flags = OFlags::CLOEXEC | OFlags::NONBLOCK | OFlags::NOCTTY;
    if !how.follow {
        flags |= OFlags::NOFOLLOW;
    }
    flags |= match how.create {
        Some(_) => OFlags::RDWR | OFlags::CREATE,
        None => OFlags::RDONLY,
    };
    let mode = Mode::from_raw_mode(how.create.unwrap_or(0));
    let fd: OwnedFd = rustix::fs::openat(&dir, name, flags, mode).map_err(|err| match err {
        Errno::NOENT => Refused::Missing,
        Errno::LOOP if !how.follow => Refused::Symlink,
        // What opening a socket gives; the look before should have caught it.
        Errno::NXIO => Refused::Special("a socket"),
        err => Refused::Io(err.into()),
    })?;
    let stat = rustix::fs::fstat(&fd).map_err(|e| Refused::Io(e.into()))?;
    check(FileType::from_raw_mode(stat.st_mode))?;
    if !how.nonblocking {
        let flags = rustix::fs::fcntl_getfl(&fd).map_err(|e| Refused::Io(e.into()))?;
        rustix::fs::fcntl_setfl(&fd, flags - OFlags::NONBLOCK).map_err(|e| Refused::Io(e.into()))?;
    }
    Ok(File::from(fd))
}

fn check(kind: FileType) -> Result<(), Refused> {
    match kind {
        FileType::RegularFile => Ok(()),
        FileType::Symlink => Err(Refused::Symlink),
        FileType::Directory => Err(Refused::Special("a directory")),
        FileType::Fifo => Err(Refused::Special("a FIFO")),
        FileType::Socket => Err(Refused::Special("a socket")),
        FileType::CharacterDevice => Err(Refused::Special("a character device")),
        FileType::BlockDevice => Err(Refused::Special("a block device")),
        FileType::Unknown => Err(Refused::Special("not a plain file")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn mkfifo(path: &Path) {
        rustix::fs::mknodat(CWD, path, FileType::Fifo, Mode::from_raw_mode(0o600), 0).unwrap();
    }

    #[test]
    fn special_files_are_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        mkfifo(&fifo);
        let _socket = std::os::unix::net::UnixListener::bind(dir.path().join("socket")).unwrap();
        std::os::unix::fs::symlink("/dev/zero", dir.path().join("device")).unwrap();
        std::os::unix::fs::symlink(&fifo, dir.path().join("to-fifo")).unwrap();
        for (name, what) in [
            ("fifo", "a FIFO"),
            ("socket", "a socket"),
            ("device", "a character device"),
            ("to-fifo", "a FIFO"),
        ] {
            let err = open(&dir.path().join(name), How::READ).unwrap_err();
            assert!(matches!(err, Refused::Special(w) if w == what), "{name}: {err:?}");
        }
        let write = How { role: Role::Write, follow: false, create: Some(0o600), nonblocking: false };
        assert!(matches!(open(&fifo, write), Err(Refused::Special("a FIFO"))));
        assert!(matches!(open(&dir.path().join("to-fifo"), write), Err(Refused::Symlink)));
        let err = Refused::Special("a FIFO").error(&fifo, Role::Write);
        assert_eq!(
            (err.code(), err.message().to_string()),
            (Code::Unsafe, format!("{}: is a FIFO, not a regular file; left untouched", fifo.display()))
        );
        assert_eq!(Refused::Special("a FIFO").error(&fifo, Role::Read).code(), Code::Failure);
    }

    #[test]
    fn regular_files_open_blocking_and_missing_ones_are_told_apart() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("file");
        assert!(matches!(open(&path, How::READ), Err(Refused::Missing)));
        std::fs::write(&path, "text").unwrap();
        let mut file = open(&path, How::READ).unwrap();
        let flags = rustix::fs::fcntl_getfl(&file).unwrap();
        assert!(!flags.contains(OFlags::NONBLOCK));
        let mut text = String::new();
        file.read_to_string(&mut text).unwrap();
        assert_eq!(text, "text");
        let created = dir.path().join("lock");
        open(&created, How { role: Role::Write, follow: false, create: Some(0o600), nonblocking: false })
            .unwrap();
        assert!(created.is_file());
    }
}
