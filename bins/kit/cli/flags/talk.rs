//! Flags of `seance --talk` and `seance pick`.

use crate::cli::{Complete, Flag};

pub const TALK: Flag = Flag {
    long: "talk",
    short: Some('t'),
    value: Some("ID"),
    help: "Talk to a predecessor session (a full id or a prefix)",
    doc: "Removes orphaned stages quietly, stages the session (seance-stage), runs the agent as \
          `claude --fork-session --resume <full id>` with CLAUDECODE and CLAUDE_CODE_ENTRYPOINT \
          removed from its environment, then unstages, always: on exit, on Ctrl-C, and on \
          SIGTERM or SIGHUP (forwarded to the agent first). Exits with the agent's status, 0 \
          for 0 and 130.",
    complete: Complete::Session,
    ..Flag::EMPTY
};

pub const PROMPT: Flag = Flag {
    long: "prompt",
    short: Some('p'),
    value: Some("PROMPT"),
    help: "One-shot question for --talk (passed to the agent as -p PROMPT)",
    ..Flag::EMPTY
};

pub const AGENT: Flag = Flag {
    long: "agent",
    value: Some("CMD"),
    help: "The agent program for --talk (default: $SEANCE_AGENT, else claude)",
    complete: Complete::Command,
    ..Flag::EMPTY
};
