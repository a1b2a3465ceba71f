//! Errors as values that carry SPEC.md's exit codes; `main` prints them once as `tool: message`.

use std::fmt;
use std::io;

/// The exit codes every tool shares (SPEC.md section 2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Code {
    Success,
    /// `-e/--exit-status` was given and nothing matched.
    NoMatch,
    /// Usage error, unreadable input, malformed data that stops the work, I/O error.
    Failure,
    /// A session id or prefix resolves to no session or to several.
    Unresolved,
    /// The index lock was not acquired within `--lock-timeout`.
    Locked,
    /// Refused for safety.
    Unsafe,
    /// Another program's status, passed on (`seance --talk` exits with the agent's).
    Other(i32),
}

impl Code {
    pub fn value(self) -> i32 {
        match self {
            Code::Success => 0,
            Code::NoMatch => 1,
            Code::Failure => 2,
            Code::Unresolved => 3,
            Code::Locked => 4,
            Code::Unsafe => 5,
            Code::Other(code) => code,
        }
    }
}

/// How a tool's work ended, when it did not end well.
#[derive(Debug)]
pub enum Error {
    /// The reader of stdout went away (`| head`): stop at once, quietly, with exit 0.
    Closed,
    /// Something went wrong: the exit code it calls for and what happened, in one line.
    Failed { code: Code, message: String },
    /// Something went wrong and was said on stderr already: stop with this code, quietly.
    Reported(Code),
}

pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    pub fn new(code: Code, message: impl Into<String>) -> Error {
        Error::Failed { code, message: message.into() }
    }

    /// The command line is wrong: an unknown flag, a bad value, a missing operand.
    pub fn usage(message: impl Into<String>) -> Error {
        Error::new(Code::Failure, message)
    }

    /// The work failed for a reason that is not the command line's (exit 2).
    pub fn failure(message: impl Into<String>) -> Error {
        Error::new(Code::Failure, message)
    }

    /// An I/O error, with what was being done and to what: `cannot open PATH: Permission denied`.
    pub fn io(action: &str, what: impl fmt::Display, err: io::Error) -> Error {
        Error::new(Code::Failure, format!("cannot {action} {what}: {}", describe_io(&err)))
    }

    /// An error writing our output: a broken pipe means the reader is gone ([`Error::Closed`]).
    pub fn write(err: io::Error) -> Error {
        if err.kind() == io::ErrorKind::BrokenPipe {
            return Error::Closed;
        }
        Error::io("write", "to stdout", err)
    }

    pub fn code(&self) -> Code {
        match self {
            Error::Closed => Code::Success,
            Error::Failed { code, .. } | Error::Reported(code) => *code,
        }
    }

    /// What to print after `tool: `; empty for what prints nothing.
    pub fn message(&self) -> &str {
        match self {
            Error::Closed | Error::Reported(_) => "",
            Error::Failed { message, .. } => message,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Closed => f.write_str("stdout closed"),
            Error::Reported(code) => write!(f, "exit {}", code.value()),
            Error::Failed { message, .. } => f.write_str(message),
        }
    }
}

/// Output written with `?`: the only I/O that has no path of its own.
pub trait WriteResult<T> {
    fn or_closed(self) -> Result<T>;
}

impl<T> WriteResult<T> for io::Result<T> {
    fn or_closed(self) -> Result<T> {
        self.map_err(Error::write)
    }
}

/// Someone's input, quoted for an error message: escaped so that it stays on one line, and cut
/// so that a megabyte of garbage does not come back as a megabyte of error.
pub fn quote(input: &str) -> String {
    const MAX: usize = 64;
    let escaped: String = input.escape_debug().collect();
    match escaped.char_indices().nth(MAX) {
        Some((cut, _)) => format!("'{}…'", &escaped[..cut]),
        None => format!("'{escaped}'"),
    }
}

/// `No such file or directory` rather than `No such file or directory (os error 2)`.
pub fn describe_io(err: &io::Error) -> String {
    let text = err.to_string();
    match text.find(" (os error ") {
        Some(cut) => text[..cut].to_string(),
        None => text,
    }
}

/// Prints `tool: message` on stderr (see core::diag: a stderr that is closed or full is
/// ignored, since there is nowhere left to say so and the exit code still tells).
pub fn warn(tool: &str, message: &str) {
    super::diag::say(tool, message);
}

/// Runs a tool body and turns its outcome into a process exit code, printing the error once.
pub fn finish(tool: &str, outcome: Result<Code>) -> i32 {
    match outcome {
        Ok(code) => code.value(),
        Err(Error::Closed) => Code::Success.value(),
        Err(Error::Reported(code)) => code.value(),
        Err(Error::Failed { code, message }) => {
            warn(tool, &message);
            code.value()
        }
    }
}
