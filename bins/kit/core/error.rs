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

#[derive(Debug)]
pub struct Error {
    pub code: Code,
    /// Empty for an error that ends the tool without a word (a closed stdout).
    pub message: String,
}

pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    pub fn new(code: Code, message: impl Into<String>) -> Error {
        Error { code, message: message.into() }
    }

    pub fn usage(message: impl Into<String>) -> Error {
        Error::new(Code::Failure, message)
    }

    /// The reader of stdout went away (`| head`): stop at once, quietly, with success.
    pub fn closed_stdout() -> Error {
        Error::new(Code::Success, "")
    }

    /// An I/O error on something we name, e.g. `PATH: No such file or directory`.
    pub fn io(what: impl fmt::Display, err: io::Error) -> Error {
        if err.kind() == io::ErrorKind::BrokenPipe {
            return Error::closed_stdout();
        }
        Error::new(Code::Failure, format!("{what}: {}", describe_io(&err)))
    }
}

/// Writing to stdout is the only I/O that `?` converts without naming a path, so a broken pipe
/// is the one case that matters here; anything else is reported as a write error.
impl From<io::Error> for Error {
    fn from(err: io::Error) -> Error {
        Error::io("write error", err)
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

/// Prints `tool: message` on stderr; a stderr that is closed or full is ignored, since there
/// is nowhere left to say so and the exit code still tells.
pub fn warn(tool: &str, message: &str) {
    use std::io::Write;
    let _ = writeln!(io::stderr(), "{tool}: {message}");
}

/// Runs a tool body and turns its outcome into a process exit code, printing the error once.
pub fn finish(tool: &str, outcome: Result<Code>) -> i32 {
    match outcome {
        Ok(code) => code.value(),
        Err(err) => {
            if !err.message.is_empty() {
                eprintln!("{tool}: {}", err.message);
            }
            err.code.value()
        }
    }
}
