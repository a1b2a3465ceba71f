//! The agent a talk runs: a command line (`claude --model opus`) from the caller, from
//! `$SEANCE_AGENT`, or `claude`, split into words the way a shell splits them, and its program
//! found before anything is staged, so that a typo costs nothing.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::error::{Error, Result};

/// The agent when nothing names one.
pub const DEFAULT: &str = "claude";

/// Where the agent's command line came from, for messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// The caller's flag (`--agent`).
    Given,
    Environment,
    Default,
}

pub struct Agent {
    /// The command line's words; the first is the program as written.
    pub words: Vec<String>,
    /// The program found on PATH (or as a path).
    pub program: PathBuf,
    pub source: Source,
}

impl Agent {
    /// The agent named by `given`, else `$SEANCE_AGENT` (when non-empty), else `claude`,
    /// split and found; an error says what is missing and how to get it.
    pub fn find(given: Option<&OsStr>) -> Result<Agent> {
        let env = std::env::var_os("SEANCE_AGENT").filter(|a| !a.is_empty());
        let (line, source) = match (given, &env) {
            (Some(line), _) => (line.to_owned(), Source::Given),
            (None, Some(line)) => (line.clone(), Source::Environment),
            (None, None) => (DEFAULT.into(), Source::Default),
        };
        let from = match source {
            Source::Given => " (from --agent)",
            Source::Environment => " (from $SEANCE_AGENT)",
            Source::Default => "",
        };
        let line = line
            .to_str()
            .ok_or_else(|| Error::usage(format!("the agent command{from} is not valid UTF-8")))?;
        let words =
            split(line).map_err(|why| Error::usage(format!("agent command '{line}'{from}: {why}")))?;
        let Some(first) = words.first() else {
            return Err(Error::usage(format!("the agent command{from} is empty")));
        };
        let program = find_program(first).ok_or_else(|| {
            let hint = if first == DEFAULT {
                "; install Claude Code (npm install -g @anthropic-ai/claude-code, or see \
                 https://docs.anthropic.com/en/docs/claude-code) or name another agent with --agent CMD \
                 or $SEANCE_AGENT"
            } else {
                ""
            };
            let what = if first.contains('/') { "not an executable file" } else { "not found on PATH" };
            Error::usage(format!("agent '{first}'{from}: {what}{hint}"))
        })?;
        Ok(Agent { words, program, source })
    }

    /// `program --version`'s first line, when it answers within a few seconds.
    pub fn version(&self) -> Option<String> {
        version_of(&self.program)
    }
}

/// `program --version`'s first line, when it answers within a few seconds.
pub fn version_of(program: &Path) -> Option<String> {
    let mut child = Command::new(program)
        .arg("--version")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return None;
            }
        }
    }
    let out = child.wait_with_output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines().next().map(|l| l.trim().to_string()).filter(|l| !l.is_empty())
}

/// `name` as the shell would find it: a path when it has a `/`, else the first executable
/// file of that name in `$PATH`.
pub fn find_program(name: &str) -> Option<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    let executable = |file: &Path| {
        std::fs::metadata(file).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    };
    if name.contains('/') {
        let path = PathBuf::from(name);
        return executable(&path).then_some(path);
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|dir| dir.join(name)).find(|file| executable(file))
}

/// Words as a POSIX shell splits them: blanks separate, single quotes keep everything, double
/// quotes keep all but `\` before `"`, `\`, `$` and a backquote, a backslash outside quotes
/// escapes the next character. Shell syntax that would need a shell (pipes, `;`, `$(…)`,
/// redirections, globs) is refused rather than passed on as words.
pub fn split(line: &str) -> std::result::Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' | '\n' => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => word.push(c),
                        None => return Err("a single quote is not closed".into()),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(c @ ('"' | '\\' | '$' | '`')) => word.push(c),
                            Some(c) => {
                                word.push('\\');
                                word.push(c);
                            }
                            None => return Err("a double quote is not closed".into()),
                        },
                        Some(c @ ('$' | '`')) => {
                            return Err(format!("'{c}' needs a shell; put the command in a script"));
                        }
                        Some(c) => word.push(c),
                        None => return Err("a double quote is not closed".into()),
                    }
                }
            }
            '\\' => {
                in_word = true;
                match chars.next() {
                    Some('\n') | None => {}
                    Some(c) => word.push(c),
                }
            }
            '|' | '&' | ';' | '<' | '>' | '(' | ')' | '$' | '`' | '*' | '?' | '[' => {
                return Err(format!("'{c}' needs a shell; put the command in a script"));
            }
            '~' if !in_word => {
                return Err("'~' needs a shell; write the path out".into());
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    Ok(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_as_a_shell_does() {
        let ok = |line: &str| split(line).unwrap();
        assert_eq!(ok("claude --model opus"), ["claude", "--model", "opus"]);
        assert_eq!(ok("  'my agent'  -x\t\"a b\" c\\ d "), ["my agent", "-x", "a b", "c d"]);
        assert_eq!(ok(r#""say \"hi\"" 'it''s' "\n""#), [r#"say "hi""#, "its", "\\n"]);
        assert_eq!(ok("a='' b"), ["a=", "b"]);
        assert_eq!(ok(""), Vec::<String>::new());
        assert_eq!(ok("''"), [""]);
        for bad in
            ["claude | tee x", "a; b", "x > y", "$(pick)", "\"$HOME\"", "a*", "'open", "\"open", "~/bin/c"]
        {
            assert!(split(bad).is_err(), "{bad}");
        }
    }
}
