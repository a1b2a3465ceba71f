//! Flags that choose which events are kept (seance-filter, and the listing in seance).
//! They fill in `Args::filter`, which is the filter's own options: text lowercased and roles
//! made canonical, as the filter compares them. --since and --until are common flags.

use super::store;
use crate::cli::{Complete, Flag};
use crate::core::event::canonical_role;
use crate::core::filter::strip_ellipsis;

pub const ROLE: Flag = Flag::value("role", "ROLE", "Keep sessions of this role (repeatable)", |a, v| {
    a.filter.roles.push(canonical_role(&v.text()?.to_lowercase()));
    Ok(())
})
.doc(
    "The role is parsed from the actor: crew, polecat (or polecats), witness, refinery, mayor, deacon, \
        boot. Case-insensitive; repeated flags are alternatives.",
)
.complete(Complete::Role);

pub const RIG: Flag = Flag::value("rig", "RIG", "Keep sessions in this rig (repeatable)", |a, v| {
    a.filter.rigs.push(v.text()?.to_lowercase());
    Ok(())
})
.doc(
    "The rig is the actor's first segment (gastown in gastown/crew/joe); town-level roles (mayor, \
        deacon, boot) have none. Case-insensitive; repeated flags are alternatives.",
)
.complete(Complete::Rig);

pub const ACTOR: Flag =
    Flag::value("actor", "TEXT", "Keep sessions whose actor contains TEXT (repeatable)", |a, v| {
        a.filter.actors.push(v.text()?.to_lowercase());
        Ok(())
    })
    .doc("gt's old matching: a case-insensitive substring of the whole actor.");

pub const SESSION: Flag =
    Flag::value("session", "PREFIX", "Keep sessions whose id starts with PREFIX (repeatable)", |a, v| {
        a.filter.sessions.push(strip_ellipsis(&v.text()?.to_lowercase()).to_string());
        Ok(())
    })
    .doc("A trailing … or ... (as tables show cut ids) is ignored; case-insensitive.")
    .complete(Complete::Session);

pub const TOPIC: Flag =
    Flag::value("topic", "TEXT", "Keep sessions whose topic contains TEXT (repeatable)", |a, v| {
        a.filter.topics.push(v.text()?.to_lowercase());
        Ok(())
    })
    .doc("Case-insensitive substring match; events without a topic never match.");

pub const RESUMABLE: Flag =
    Flag::switch("resumable", "Keep only sessions with a Claude session id", |a| a.filter.resumable = true)
        .doc("gt falls back to <actor>-<pid> when it has no Claude session id; no client can resume those.");

pub const UNIQUE: Flag =
    Flag::switch("unique", "Keep only the first line for each session id", |a| a.filter.unique = true)
        .short('u')
        .doc("Fed by seance-events, the first is the newest (a restarted session has several).");

pub const LIMIT: Flag = Flag::value("limit", "N", "Stop after N matches (0: no limit)", |a, v| {
    store(&mut a.filter.limit, v.number()?)
})
.short('n')
.doc("The tool exits at once, so a producer upstream stops too.");

pub const RECENT: Flag =
    Flag { help: "Show the N most recent sessions (default: 20; 0: all)", aliases: &["recent"], ..LIMIT };

pub const PRESENT: Flag =
    Flag::switch("present", "Keep only sessions whose transcript exists in some account", |a| {
        a.filter.present = true
    })
    .doc(
        "The accounts are those seance-sessions lists: the current one, the town's accounts.json, \
         ~/.claude. Claude Code deletes old transcripts (cleanupPeriodDays); a logged session whose \
         file is gone cannot be resumed or searched.",
    );
