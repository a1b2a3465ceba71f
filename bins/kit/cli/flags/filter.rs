//! Flags that choose which events are kept (seance-filter, and the listing in seance).

use crate::cli::{Complete, Flag};

pub const ROLE: Flag = Flag {
    long: "role",
    value: Some("ROLE"),
    help: "Keep sessions of this role (repeatable)",
    doc: "The role is parsed from the actor: crew, polecat (or polecats), witness, refinery, \
          mayor, deacon, boot. Case-insensitive; repeated flags are alternatives.",
    complete: Complete::Role,
    ..Flag::EMPTY
};

pub const RIG: Flag = Flag {
    long: "rig",
    value: Some("RIG"),
    help: "Keep sessions in this rig (repeatable)",
    doc: "The rig is the actor's first segment (gastown in gastown/crew/joe); town-level roles \
          (mayor, deacon, boot) have none. Case-insensitive; repeated flags are alternatives.",
    complete: Complete::Rig,
    ..Flag::EMPTY
};

pub const ACTOR: Flag = Flag {
    long: "actor",
    value: Some("TEXT"),
    help: "Keep sessions whose actor contains TEXT (repeatable)",
    doc: "gt's old matching: a case-insensitive substring of the whole actor.",
    ..Flag::EMPTY
};

pub const SESSION: Flag = Flag {
    long: "session",
    value: Some("PREFIX"),
    help: "Keep sessions whose id starts with PREFIX (repeatable)",
    doc: "A trailing … or ... (as tables show cut ids) is ignored; case-insensitive.",
    complete: Complete::Session,
    ..Flag::EMPTY
};

pub const TOPIC: Flag = Flag {
    long: "topic",
    value: Some("TEXT"),
    help: "Keep sessions whose topic contains TEXT (repeatable)",
    doc: "Case-insensitive substring match; events without a topic never match.",
    ..Flag::EMPTY
};

pub const RESUMABLE: Flag = Flag {
    long: "resumable",
    help: "Keep only sessions with a Claude session id",
    doc: "gt falls back to <actor>-<pid> when it has no Claude session id; no client can resume those.",
    ..Flag::EMPTY
};

pub const UNIQUE: Flag = Flag {
    long: "unique",
    short: Some('u'),
    help: "Keep only the first line for each session id",
    doc: "Fed by seance-events, the first is the newest (a restarted session has several).",
    ..Flag::EMPTY
};

pub const LIMIT: Flag = Flag {
    long: "limit",
    short: Some('n'),
    value: Some("N"),
    help: "Stop after N matches (0: no limit)",
    doc: "The tool exits at once, so a producer upstream stops too.",
    ..Flag::EMPTY
};

pub const RECENT: Flag =
    Flag { aliases: &["recent"], help: "Show the N most recent sessions (default: 20; 0: all)", ..LIMIT };
