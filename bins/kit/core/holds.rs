//! Shared stages (SPEC "Shared stages"). One session may be staged into one project dir by
//! several parties at once; the stage goes away only when its last user is done. What a stage
//! is lives beside the project dir, in a state dir of seance's own that Claude Code never
//! reads: `<config>/.seance/stages/<project-name>/`, holding per session
//! - `<id>.stage`: the stage's record: a generation (a fresh random word each time the stage is
//!   made, so a token replayed after an unstage and a re-stage finds another generation and does
//!   nothing), what the stage made (the links' targets and the entry's fingerprint, so the last
//!   user out can remove them even when another party made them), and the users holding a token;
//! - `<id>.hold`: the file live holders (`seance --talk` while its agent runs) keep a shared
//!   `flock` on. The kernel drops it when a holder dies, so a killed talk holds nothing, and an
//!   exclusive non-blocking try tells whether anyone alive still holds the stage.
//!
//! Every change to these files is made under the project dir's index lock, the same lock the
//! links and the entry are changed under, so joining and leaving a stage never interleave.

use std::fs::File;
use std::io::{Read, Write};
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};

use rustix::fd::OwnedFd;
use rustix::fs::{AtFlags, FlockOperation, Mode, OFlags, flock};
use serde::{Deserialize, Serialize};

use crate::core::error::{Code, Error, Result, describe_io};

/// Seance's own dir inside a Claude config dir.
pub const STATE_DIR: &str = ".seance";

/// What a stage is: see the module's doc.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    pub generation: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<PathBuf>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sidecar: Option<PathBuf>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entry: Option<String>,
    /// The users that hold a token and have not unstaged it yet.
    #[serde(default)]
    pub users: Vec<String>,
}

/// A live hold on a stage: a shared flock, released when this is dropped or the process dies.
pub struct Hold {
    file: File,
}

/// The stage records of one project dir, opened once.
pub struct Stages {
    path: PathBuf,
    fd: OwnedFd,
}

/// `<config>/.seance/stages/<name>` for the project dir `<config>/projects/<name>`.
pub fn state_dir(project: &Path) -> Option<PathBuf> {
    let name = project.file_name()?;
    let config = project.parent()?.parent()?;
    Some(config.join(STATE_DIR).join("stages").join(name))
}

/// Whether `name` is a temp record as `Stages::write` names them: `.<id>.stage.<nonce>`.
fn is_temp(name: &str) -> bool {
    let Some((id, nonce)) = name.strip_prefix('.').and_then(|n| n.rsplit_once(".stage.")) else {
        return false;
    };
    crate::core::claude::valid_session_id(id)
        && nonce.len() == 16
        && nonce.bytes().all(|b| b.is_ascii_hexdigit())
}

/// A fresh random word: a stage's generation, a user's name.
pub fn nonce() -> String {
    let mut bytes = [0u8; 8];
    let random = File::open("/dev/urandom").and_then(|mut f| f.read_exact(&mut bytes));
    if random.is_err() {
        let nanos =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        bytes = ((nanos as u64) ^ (u64::from(std::process::id()) << 40)).to_le_bytes();
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl Stages {
    /// The state dir of `project`, made (0700) when `create`; `None` when it is not there.
    pub fn open(project: &Path, create: bool) -> Result<Option<Stages>> {
        let Some(path) = state_dir(project) else { return Ok(None) };
        if create {
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(&path)
                .map_err(|e| Error::io("create", path.display(), e))?;
        }
        let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC;
        match rustix::fs::open(&path, flags, Mode::empty()) {
            Ok(fd) => Ok(Some(Stages { path, fd })),
            Err(rustix::io::Errno::NOENT) => Ok(None),
            Err(err) => Err(self_error(&path, err)),
        }
    }

    /// The record of `id`'s stage, `None` when there is none. A record that does not parse is
    /// refused: we would not know what the stage made.
    pub fn read(&self, id: &str) -> Result<Option<Record>> {
        let name = format!("{id}.stage");
        let flags = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC;
        let fd = match rustix::fs::openat(&self.fd, name.as_str(), flags, Mode::empty()) {
            Ok(fd) => fd,
            Err(rustix::io::Errno::NOENT) => return Ok(None),
            Err(err) => return Err(self.error(&name, err)),
        };
        let stat = rustix::fs::fstat(&fd).map_err(|e| self.error(&name, e))?;
        if rustix::fs::FileType::from_raw_mode(stat.st_mode) != rustix::fs::FileType::RegularFile {
            return Err(self.unsafe_record(&name));
        }
        let mut text = String::new();
        File::from(fd).take(64 * 1024).read_to_string(&mut text).map_err(|_| self.unsafe_record(&name))?;
        serde_json::from_str(&text).map(Some).map_err(|_| self.unsafe_record(&name))
    }

    /// Writes `id`'s record atomically (a new file renamed over the old).
    pub fn write(&self, id: &str, record: &Record) -> Result<()> {
        let name = format!("{id}.stage");
        let temp = format!(".{id}.stage.{}", nonce());
        // A record holds paths: one that is not UTF-8 cannot be written, and must not be
        // written as nothing.
        let text = serde_json::to_string(record).map_err(|e| {
            Error::failure(format!("{}: cannot write the stage record: {e}", self.path.join(&name).display()))
        })?;
        let result = (|| -> std::io::Result<()> {
            let flags = OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC;
            let fd = rustix::fs::openat(&self.fd, temp.as_str(), flags, Mode::from_raw_mode(0o600))?;
            let mut file = File::from(fd);
            file.write_all(text.as_bytes())?;
            file.sync_all()?;
            rustix::fs::renameat(&self.fd, temp.as_str(), &self.fd, name.as_str())?;
            Ok(())
        })();
        if let Err(err) = result {
            let _ = rustix::fs::unlinkat(&self.fd, temp.as_str(), AtFlags::empty());
            return Err(Error::new(
                Code::Failure,
                format!("{}: {}", self.path.join(&name).display(), describe_io(&err)),
            ));
        }
        rustix::fs::fsync(&self.fd).map_err(|e| self.error(".", e))
    }

    /// The temp records a killed writer left behind (`.<id>.stage.<nonce>`, as `write` names
    /// them). Every record is written under the project dir's index lock, so under that lock
    /// none of these is in flight.
    pub fn temps(&self) -> Result<Vec<String>> {
        let entries = std::fs::read_dir(&self.path).map_err(|e| Error::io("read", self.path.display(), e))?;
        let mut temps: Vec<String> = entries
            .flatten()
            .filter_map(|e| e.file_name().into_string().ok())
            .filter(|n| is_temp(n))
            .collect();
        temps.sort();
        Ok(temps)
    }

    /// Removes a temp record; one gone meanwhile is fine.
    pub fn remove_temp(&self, name: &str) -> Result<()> {
        match rustix::fs::unlinkat(&self.fd, name, AtFlags::empty()) {
            Ok(()) | Err(rustix::io::Errno::NOENT) => Ok(()),
            Err(err) => Err(self.error(name, err)),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Removes `id`'s record and hold file (the stage is gone); what is gone already is fine.
    pub fn remove(&self, id: &str) -> Result<()> {
        for name in [format!("{id}.stage"), format!("{id}.hold")] {
            match rustix::fs::unlinkat(&self.fd, name.as_str(), AtFlags::empty()) {
                Ok(()) | Err(rustix::io::Errno::NOENT) => {}
                Err(err) => return Err(self.error(&name, err)),
            }
        }
        Ok(())
    }

    /// Holds `id`'s stage until the returned value is dropped or this process dies.
    pub fn hold(&self, id: &str) -> Result<Hold> {
        let name = format!("{id}.hold");
        let fd = self.open_hold(&name, true)?.ok_or_else(|| self.error(&name, rustix::io::Errno::NOENT))?;
        // Only an unstage or gc deciding the stage's fate holds it exclusively, under the index
        // lock that we hold too: a shared lock is always granted at once here.
        flock(&fd, FlockOperation::NonBlockingLockShared).map_err(|e| self.error(&name, e))?;
        Ok(Hold { file: File::from(fd) })
    }

    /// Whether a live process other than `own`'s holder holds `id`'s stage. `own` is given up
    /// in the asking (a holder asks as it leaves).
    pub fn held(&self, id: &str, own: Option<Hold>) -> Result<bool> {
        let name = format!("{id}.hold");
        let fd = match own {
            Some(hold) => OwnedFd::from(hold.file),
            None => match self.open_hold(&name, false)? {
                Some(fd) => fd,
                None => return Ok(false),
            },
        };
        match flock(&fd, FlockOperation::NonBlockingLockExclusive) {
            Ok(()) => Ok(false),
            Err(rustix::io::Errno::WOULDBLOCK) => Ok(true),
            Err(err) => Err(self.error(&name, err)),
        }
    }

    fn open_hold(&self, name: &str, create: bool) -> Result<Option<OwnedFd>> {
        let mut flags = OFlags::RDWR | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC;
        if create {
            flags |= OFlags::CREATE;
        }
        let fd = match rustix::fs::openat(&self.fd, name, flags, Mode::from_raw_mode(0o600)) {
            Ok(fd) => fd,
            Err(rustix::io::Errno::NOENT) if !create => return Ok(None),
            Err(err) => return Err(self.error(name, err)),
        };
        let stat = rustix::fs::fstat(&fd).map_err(|e| self.error(name, e))?;
        if rustix::fs::FileType::from_raw_mode(stat.st_mode) != rustix::fs::FileType::RegularFile {
            return Err(Error::new(
                Code::Unsafe,
                format!("{}: not a regular file; left alone", self.path.join(name).display()),
            ));
        }
        Ok(Some(fd))
    }

    fn unsafe_record(&self, name: &str) -> Error {
        Error::new(
            Code::Unsafe,
            format!("{}: not a stage record; left alone", self.path.join(name).display()),
        )
    }

    fn error(&self, name: &str, err: rustix::io::Errno) -> Error {
        self_error(&self.path.join(name), err)
    }
}

fn self_error(path: &Path, err: rustix::io::Errno) -> Error {
    Error::new(Code::Failure, format!("{}: {}", path.display(), describe_io(&err.into())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_names_write_makes_are_temp_records() {
        let made = format!(".abc-1.stage.{}", nonce());
        assert!(is_temp(&made), "{made}");
        for other in [
            "abc-1.stage",
            "abc-1.hold",
            ".abc-1.stage.",
            ".abc-1.stage.0123456789abcdeg",
            ".abc-1.stage.0123456789abcdef0",
            "..stage.0123456789abcdef",
            "x.abc-1.stage.0123456789abcdef",
        ] {
            assert!(!is_temp(other), "{other}");
        }
    }
}
