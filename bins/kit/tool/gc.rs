//! seance-gc: removes what stages leave behind when nothing unstages them (the work is
//! core::gc's); one summary line on stderr.

use std::collections::BTreeSet;
use std::io::Write;

use crate::cli::Tool;
use crate::cli::flags::common::{DRY_RUN, JSON, LOCK_TIMEOUT, TOWN};
use crate::cli::flags::gc::{ALL_ACCOUNTS, CONFIG_DIRS, OLDER_THAN, QUIET};
use crate::core::claude;
use crate::core::error::{Code, Error, WriteResult};
use crate::core::gc::Gc;
use crate::core::out;
use crate::core::town;

pub const TOOL: Tool = Tool {
    name: "seance-gc",
    about: "remove orphaned session links, their index entries, and crash leftovers",
    synopsis: "[OPTIONS]",
    description: "Scans the project dirs of the current account (or each --config-dir) for session \
                  symlinks whose target is gone and removes them with their entries in that dir's \
                  sessions-index.json (under gt's lock); with --older-than, also links older than \
                  that; and always the temp files our index writes leave when killed. A stage that \
                  a running seance --talk holds is never removed, however old. A link whose target \
                  cannot be looked up (permission denied, I/O error) is reported and kept. Made for \
                  cron: silent when there is nothing to do, one summary line on stderr otherwise. \
                  A corrupt index is reported (exit 5) and its dir left untouched while the rest \
                  proceeds.",
    flags: &[&CONFIG_DIRS, &ALL_ACCOUNTS, &TOWN, &OLDER_THAN, &DRY_RUN, &JSON, &QUIET, &LOCK_TIMEOUT],
    ..Tool::EMPTY
};

pub fn main() -> i32 {
    super::run(&TOOL, |args| {
        let mut accounts = args.common.config_dirs.clone();
        if accounts.is_empty() {
            accounts.push(claude::current_account(None)?);
        }
        if args.gc.all_accounts {
            let town = town::find(args.common.town.as_deref())?;
            accounts.extend(claude::town_accounts(&town)?);
        }
        let mut seen = BTreeSet::new();
        accounts.retain(|a| seen.insert(std::fs::canonicalize(a).unwrap_or_else(|_| a.clone())));
        let (json, dry_run) = (args.common.json, args.common.dry_run);
        let gc = Gc { older_than: args.gc.older_than, dry_run, lock_timeout: args.common.lock_timeout() };
        let mut out = out::stdout();
        let mut counts = [0usize; 4]; // by Kind
        let mut worst = Code::Success;
        let mut write_error = None;
        for account in &accounts {
            gc.account(
                account,
                &mut |removal| {
                    counts[removal.kind as usize] += 1;
                    let line = removal.describe(json, dry_run);
                    if let Some(line) = line
                        && let Err(err) = writeln!(out, "{line}")
                    {
                        write_error.get_or_insert(err);
                    }
                },
                &mut |err| {
                    crate::core::error::warn(TOOL.name, err.message());
                    worst = worst.max(err.code());
                },
            );
        }
        if let Some(err) = write_error {
            return Err(Error::write(err));
        }
        out.flush().or_closed()?;
        let [links, sidecars, entries, temps] = counts;
        if !args.gc.quiet && !dry_run && links + sidecars + entries + temps > 0 {
            let entr = if entries == 1 { "y" } else { "ies" };
            crate::core::error::warn(
                TOOL.name,
                &format!(
                    "removed {links} session link(s), {sidecars} sidecar link(s), {entries} index entr{entr}, {temps} temp file(s)"
                ),
            );
        }
        Ok(worst)
    })
}
