//! Every flag, defined once, grouped by concern: one file per concern holds its flags and the
//! part of [`Args`] they fill in. Tools list the flags they take in their `Tool` tables
//! (bins/kit/tool/). ARCHITECTURE.md says how to add a flag or a tool.

pub mod common;
pub mod filter;
pub mod gc;
pub mod log;
pub mod render;
pub mod seance;
pub mod search;
pub mod show;
pub mod stage;
pub mod trail;

/// Everything a command line can say, typed. Each tool reads the parts its flags fill in; a
/// field that no flag of the tool sets keeps its default. New concerns: one field each, below.
#[derive(Debug, Default)]
pub struct Args {
    /// The operands, in order, for tools that take a list of them (ids, tokens).
    pub operands: Vec<String>,
    pub common: common::CommonArgs,
    pub log: log::LogArgs,
    pub filter: crate::core::filter::FilterOpts,
    pub render: crate::core::render::FmtOpts,
    pub show: show::ShowArgs,
    pub stage: stage::StageArgs,
    pub gc: gc::GcArgs,
    pub seance: seance::SeanceArgs,
    pub search: search::SearchArgs,
    pub trail: trail::TrailArgs,
    /// Every flag as it was given, in order, with its value as typed: for tools that hand some
    /// of their flags on to a command they run (the picker's fzf reloads the listing).
    pub given: Vec<Given>,
}

/// One flag as it was given on the command line.
#[derive(Debug)]
pub struct Given {
    pub flag: &'static crate::cli::Flag,
    pub value: Option<std::ffi::OsString>,
}

impl Args {
    /// The words that repeat those of `flags` that were given, in the order given, each as
    /// `--LONG` then its value (a separate word, so that no value is taken for a flag).
    pub fn given_words(&self, flags: &[&crate::cli::Flag]) -> Vec<std::ffi::OsString> {
        let mut words = Vec::new();
        for given in self.given.iter().filter(|g| flags.iter().any(|f| f.long == g.flag.long)) {
            words.push(format!("--{}", given.flag.long).into());
            words.extend(given.value.clone());
        }
        words
    }
}

/// The handlers' way to fill an optional field: the last occurrence of a flag wins.
fn store<T>(slot: &mut Option<T>, value: T) -> crate::core::error::Result<()> {
    *slot = Some(value);
    Ok(())
}
