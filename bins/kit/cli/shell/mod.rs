//! Shell integration, written from the flag tables: completion scripts for bash, zsh and fish,
//! and `seance init SHELL` (the completions plus a key binding for the picker). Values that
//! depend on the town (roles, rigs, session ids) come from `seance --complete KIND` at the
//! moment of completion.

mod bash;
mod fish;
mod zsh;

use crate::cli::{Complete, Flag, Tool};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
}

pub const SHELLS: [Shell; 3] = [Shell::Bash, Shell::Zsh, Shell::Fish];

/// The hidden flag the scripts call for candidates.
pub const COMPLETE_FLAG: &str = "--complete";

impl Shell {
    pub fn parse(name: &str) -> Option<Shell> {
        SHELLS.into_iter().find(|s| s.name() == name)
    }

    pub fn name(self) -> &'static str {
        match self {
            Shell::Bash => "bash",
            Shell::Zsh => "zsh",
            Shell::Fish => "fish",
        }
    }

    /// Where the completion script is committed, relative to the repository.
    pub fn completion_file(self) -> &'static str {
        match self {
            Shell::Bash => "completions/seance.bash",
            Shell::Zsh => "completions/_seance",
            Shell::Fish => "completions/seance.fish",
        }
    }

    pub fn completion(self, tools: &[&Tool]) -> String {
        let header = format!(
            "# {} completion for the seance tools; written by `seance --generate`, do not edit.\n",
            self.name()
        );
        let body = match self {
            Shell::Bash => bash::completion(tools),
            Shell::Zsh => zsh::completion(tools),
            Shell::Fish => fish::completion(tools),
        };
        match self {
            // zsh wants its #compdef line first.
            Shell::Zsh => body.replacen('\n', &format!("\n{header}"), 1),
            _ => header + &body,
        }
    }

    /// What `seance init SHELL` prints: the completions, then the picker's key binding.
    pub fn init(self, tools: &[&Tool]) -> String {
        let binding = match self {
            Shell::Bash => bash::BINDING,
            Shell::Zsh => zsh::BINDING,
            Shell::Fish => fish::BINDING,
        };
        let completion = self.completion(tools);
        format!(
            "# seance shell integration for {}: add `{}` to your shell's startup file.\n\n{completion}\n{binding}",
            self.name(),
            match self {
                Shell::Fish => "seance init fish | source".to_string(),
                _ => format!("eval \"$(seance init {})\"", self.name()),
            }
        )
    }
}

/// Every spelling of a flag: `-n`, `--limit`, `--recent`.
fn spellings(flag: &Flag) -> Vec<String> {
    let mut names: Vec<String> = flag.short.map(|s| format!("-{s}")).into_iter().collect();
    names.push(format!("--{}", flag.long));
    names.extend(flag.aliases.iter().map(|a| format!("--{a}")));
    names
}

/// The word passed to `seance --complete` for kinds that come from the town or the accounts.
fn dynamic(complete: Complete) -> Option<&'static str> {
    match complete {
        Complete::Role => Some("role"),
        Complete::Rig => Some("rig"),
        Complete::Session => Some("session"),
        _ => None,
    }
}

/// A function-name-safe form of a tool name.
fn ident(name: &str) -> String {
    name.replace('-', "_")
}
