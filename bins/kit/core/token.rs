//! Undo tokens: one shell-safe word that holds everything seance-unstage needs to undo a stage,
//! and nothing secret. `seance1.` then the URL-safe base64 (no padding) of a small JSON record.
//! Decoding checks the shape strictly: a token that points anywhere but inside a Claude
//! projects dir, or names another session's files, is refused before anything is touched.

use std::path::{Component, Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::core::claude::valid_session_id;
use crate::core::error::{Code, Error, Result};

const PREFIX: &str = "seance1.";

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Token {
    /// The session id.
    pub id: String,
    /// The project dir the session was made visible in.
    pub dir: PathBuf,
    /// The transcript `<dir>/<id>.jsonl` was linked to, when stage made that link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<PathBuf>,
    /// The sidecar dir `<dir>/<id>` was linked to, when stage made that link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sidecar: Option<PathBuf>,
    /// The fingerprint of the index entry stage added, when it added one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entry: Option<String>,
    /// The generation of the shared stage this token belongs to (see `holds`): a token only
    /// ever undoes that stage, never one made again after it was undone.
    #[serde(default, rename = "gen", skip_serializing_if = "Option::is_none")]
    pub generation: Option<String>,
    /// This token's user of the stage, which unstaging it removes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// Made by a live holder (`seance --talk`) rather than a token user.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub hold: bool,
}

impl Token {
    /// The token as one word. A path that is not valid UTF-8 cannot be put in it (tokens are
    /// JSON text, as are Claude's indexes, which hold the same paths): an error naming the path,
    /// which stage checks for before it changes anything.
    pub fn encode(&self) -> Result<String> {
        for path in [Some(&self.dir), self.link.as_ref(), self.sidecar.as_ref()].into_iter().flatten() {
            require_utf8(path)?;
        }
        let json = serde_json::to_string(self)
            .map_err(|e| Error::failure(format!("internal error: token for {}: {e}", self.id)))?;
        Ok(format!("{PREFIX}{}", base64url(json.as_bytes())))
    }

    pub fn decode(word: &str) -> Result<Token> {
        let refuse = |why: &str| Error::new(Code::Unsafe, format!("refused token: {why}"));
        let body = word.strip_prefix(PREFIX).ok_or_else(|| refuse("not a seance token"))?;
        let json = unbase64url(body).ok_or_else(|| refuse("does not decode"))?;
        let token: Token = serde_json::from_slice(&json).map_err(|_| refuse("does not decode"))?;
        if !valid_session_id(&token.id) {
            return Err(refuse("invalid session id"));
        }
        if !inside_projects(&token.dir) {
            return Err(refuse("its dir is not a Claude project dir"));
        }
        let name_ok = |path: &Option<PathBuf>, name: String| {
            path.as_ref().is_none_or(|p| {
                inside_projects(p.parent().unwrap_or(Path::new(""))) && p.file_name() == Some(name.as_ref())
            })
        };
        if !name_ok(&token.link, format!("{}.jsonl", token.id)) || !name_ok(&token.sidecar, token.id.clone())
        {
            return Err(refuse("its link targets are not that session's files"));
        }
        let hex16 = |word: &Option<String>| {
            word.as_ref().is_none_or(|w| w.len() == 16 && w.bytes().all(|b| b.is_ascii_hexdigit()))
        };
        if !hex16(&token.entry) {
            return Err(refuse("bad entry fingerprint"));
        }
        if !hex16(&token.generation) || !hex16(&token.user) {
            return Err(refuse("bad stage generation or user"));
        }
        Ok(token)
    }
}

/// `path` as text, or the error that says it cannot be staged.
pub fn require_utf8(path: &Path) -> Result<&str> {
    path.to_str().ok_or_else(|| {
        Error::failure(format!(
            "{}: not valid UTF-8; undo tokens and Claude's index hold paths as text, so nothing was staged",
            path.display()
        ))
    })
}

/// `/…/projects/<name>`: absolute, no `.` or `..`, directly inside a dir named `projects`.
fn inside_projects(dir: &Path) -> bool {
    dir.is_absolute()
        && dir.components().all(|c| matches!(c, Component::RootDir | Component::Normal(_)))
        && dir.parent().and_then(Path::file_name) == Some("projects".as_ref())
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

fn base64url(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

fn unbase64url(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    for chunk in text.as_bytes().chunks(4) {
        if chunk.len() == 1 {
            return None;
        }
        let mut n = 0u32;
        for (i, c) in chunk.iter().enumerate() {
            let value = ALPHABET.iter().position(|a| a == c)? as u32;
            n |= value << (18 - 6 * i);
        }
        for i in 0..chunk.len() - 1 {
            out.push((n >> (16 - 8 * i)) as u8);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token() -> Token {
        Token {
            id: "46621448-3caa-4bbb-8ccc-123456789abc".into(),
            dir: "/home/u/.claude/projects/-home-u-x".into(),
            link: Some(
                "/home/u/.claude-accounts/b/projects/-y/46621448-3caa-4bbb-8ccc-123456789abc.jsonl".into(),
            ),
            sidecar: None,
            entry: Some("0123456789abcdef".into()),
            generation: Some("00112233445566ff".into()),
            user: Some("ffeeddccbbaa9988".into()),
            hold: false,
        }
    }

    #[test]
    fn round_trip_is_one_shell_safe_word() {
        let word = token().encode().unwrap();
        assert!(word.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b)), "{word}");
        assert_eq!(Token::decode(&word).unwrap(), token());
    }

    #[test]
    fn base64_round_trips_every_length() {
        for len in 0..10 {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 37 + 200) as u8).collect();
            assert_eq!(unbase64url(&base64url(&bytes)).unwrap(), bytes);
        }
        assert_eq!(base64url(b"hi!"), "aGkh");
    }

    #[test]
    fn tampered_tokens_are_refused() {
        let with = |f: &dyn Fn(&mut Token)| {
            let mut t = token();
            f(&mut t);
            Token::decode(&t.encode().unwrap()).err().map(|e| e.code())
        };
        assert_eq!(with(&|t| t.id = "../../etc".into()), Some(Code::Unsafe));
        assert_eq!(with(&|t| t.dir = "/etc".into()), Some(Code::Unsafe));
        assert_eq!(with(&|t| t.dir = "/home/u/.claude/projects/../../x".into()), Some(Code::Unsafe));
        assert_eq!(with(&|t| t.dir = "relative/projects/x".into()), Some(Code::Unsafe));
        assert_eq!(with(&|t| t.link = Some("/etc/passwd".into())), Some(Code::Unsafe));
        assert_eq!(with(&|t| t.link = Some("/a/projects/b/other.jsonl".into())), Some(Code::Unsafe));
        assert_eq!(with(&|t| t.entry = Some("x; rm -rf /".into())), Some(Code::Unsafe));
        assert_eq!(with(&|t| t.generation = Some("../x".into())), Some(Code::Unsafe));
        assert_eq!(with(&|t| t.user = Some("1".into())), Some(Code::Unsafe));
        for bad in ["", "seance1.", "seance1.!!!!", "seance2.abcd", "seance1.e30", "seance1.a"] {
            assert_eq!(Token::decode(bad).err().map(|e| e.code()), Some(Code::Unsafe), "{bad}");
        }
    }

    #[test]
    fn a_path_that_is_not_utf8_cannot_be_encoded() {
        use std::os::unix::ffi::OsStrExt;
        let mut t = token();
        t.sidecar = Some(PathBuf::from(std::ffi::OsStr::from_bytes(b"/h/.claude/projects/p/\xff")));
        let err = t.encode().unwrap_err();
        assert_eq!(err.code(), Code::Failure);
        assert!(err.message().contains("not valid UTF-8"), "{}", err.message());
        assert!(token().encode().is_ok());
    }
}
