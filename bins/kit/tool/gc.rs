//! seance-gc: removes what stages leave behind when nothing unstages them (the work is
//! core::gc's); one summary line on stderr.

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use crate::cli::flags::common::{LOCK_TIMEOUT, TOWN};
use crate::cli::flags::gc::{ALL_ACCOUNTS, CONFIG_DIRS, OLDER_THAN, QUIET};
use crate::cli::flags::stage::{DRY_RUN, JSON};
use crate::cli::{self, Flag, Opts, Tool};
use crate::core::claude;
use crate::core::error::{Code, Error, Result};
use crate::core::gc::Gc;
use crate::core::lock::DEFAULT_TIMEOUT;
use crate::core::out;
use crate::core::time::parse_duration;
use crate::core::town;

pub const TOOL: Tool = Tool {
    name: "seance-gc",
    about: "remove orphaned session links, their index entries, and crash leftovers",
    synopsis: "[OPTIONS]",
    description: "Scans the project dirs of the current account (or each --config-dir) for session \
                  symlinks whose target is gone and removes them with their entries in that dir's \
                  sessions-index.json (under gt's lock); with --older-than, also links older than \
                  that; and always the temp files our index writes leave when killed. Made for \
                  cron: silent when there is nothing to do, one summary line on stderr otherwise. \
                  A corrupt index is reported (exit 5) and its dir left untouched while the rest \
                  proceeds.",
    flags: &[&CONFIG_DIRS, &ALL_ACCOUNTS, &TOWN, &OLDER_THAN, &DRY_RUN, &JSON, &QUIET, &LOCK_TIMEOUT],
    ..Tool::EMPTY
};

pub struct GcOpts {
    pub config_dirs: Vec<PathBuf>,
    pub all_accounts: bool,
    pub town: Option<PathBuf>,
    pub older_than: Option<Duration>,
    pub dry_run: bool,
    pub json: bool,
    pub quiet: bool,
    pub lock_timeout: Duration,
}

impl Default for GcOpts {
    fn default() -> Self {
        GcOpts {
            config_dirs: Vec::new(),
            all_accounts: false,
            town: None,
            older_than: None,
            dry_run: false,
            json: false,
            quiet: false,
            lock_timeout: DEFAULT_TIMEOUT,
        }
    }
}

impl Opts for GcOpts {
    fn set(&mut self, flag: &'static Flag, value: Option<OsString>) -> Result<bool> {
        match flag.long {
            "config-dir" => self.config_dirs.extend(value.map(PathBuf::from)),
            "all-accounts" => self.all_accounts = true,
            "town" => self.town = value.map(PathBuf::from),
            "older-than" => {
                let text = crate::cli::text(flag, value)?;
                let age = parse_duration(&text).map_err(|e| Error::usage(format!("--older-than: {e}")))?;
                self.older_than = Some(age.unsigned_abs());
            }
            "dry-run" => self.dry_run = true,
            "json" => self.json = true,
            "quiet" => self.quiet = true,
            "lock-timeout" => self.lock_timeout = cli::timeout(flag, value)?,
            _ => return Ok(false),
        }
        Ok(true)
    }
}

pub fn main() -> i32 {
    super::run(&TOOL, |opts: GcOpts| {
        let mut accounts = opts.config_dirs.clone();
        if accounts.is_empty() {
            accounts.push(claude::current_account(None)?);
        }
        if opts.all_accounts {
            let town = town::find(opts.town.as_deref())?;
            accounts.extend(claude::town_accounts(&town)?);
        }
        let mut seen = BTreeSet::new();
        accounts.retain(|a| seen.insert(std::fs::canonicalize(a).unwrap_or_else(|_| a.clone())));
        let gc = Gc { older_than: opts.older_than, dry_run: opts.dry_run, lock_timeout: opts.lock_timeout };
        let mut out = out::stdout();
        let mut counts = [0usize; 4]; // by Kind
        let mut worst = Code::Success;
        let mut write_error = None;
        for account in &accounts {
            gc.account(
                account,
                &mut |removal| {
                    counts[removal.kind as usize] += 1;
                    let line = removal.describe(opts.json, opts.dry_run);
                    if let Some(line) = line
                        && let Err(err) = writeln!(out, "{line}")
                    {
                        write_error.get_or_insert(err);
                    }
                },
                &mut |err| {
                    eprintln!("{}: {}", TOOL.name, err.message);
                    worst = worst.max(err.code);
                },
            );
        }
        if let Some(err) = write_error {
            return Err(err.into());
        }
        out.flush()?;
        let [links, sidecars, entries, temps] = counts;
        if !opts.quiet && !opts.dry_run && links + sidecars + entries + temps > 0 {
            eprintln!(
                "{}: removed {links} session link(s), {sidecars} sidecar link(s), {entries} index entr{}, {temps} temp file(s)",
                TOOL.name,
                if entries == 1 { "y" } else { "ies" }
            );
        }
        Ok(worst)
    })
}
