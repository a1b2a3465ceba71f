//! Man pages, written from the same tables as `--help`: a tool's flags, its description, and
//! SPEC.md's exit codes. Sections that depend on a flag (ENVIRONMENT, FILES) appear on the pages
//! of the tools that have it, so no page mentions what its tool does not do.

use std::fmt::Write as _;

use crate::cli::flags::common::{CONFIG_DIR, LOCK_TIMEOUT, TOWN};
use crate::cli::flags::render::COLOR;
use crate::cli::flags::seance::{AGENT, FORGET};
use crate::cli::flags::show::LINES;
use crate::cli::{EXIT_STATUS, Flag, Tool, long_text, wrap};

/// The date on every page; bumped with each release.
const DATE: &str = "2026-11-23";

/// (flag that makes it relevant, variable, meaning)
const ENVIRONMENT: &[(&Flag, &str, &str)] = &[
    (
        &TOWN,
        "GT_TOWN_ROOT",
        "The town to use when no ancestor of the working directory holds mayor/ and --town is not \
         given; used only if it holds mayor/.",
    ),
    (&TOWN, "GT_ROOT", "Tried after GT_TOWN_ROOT, the same way."),
    (
        &CONFIG_DIR,
        "CLAUDE_CONFIG_DIR",
        "The current Claude account's config dir when set (else ~/.claude); --config-dir \
         overrides it. Set but empty is refused: Claude Code would then use ./projects.",
    ),
    (
        &AGENT,
        "SEANCE_AGENT",
        "The agent program for --talk and pick when --agent is not given (default: claude).",
    ),
    (
        &FORGET,
        "CLAUDE_CODE_PROJECT_DIR_NAME",
        "With CLAUDE_CONFIG_DIR set, where Claude Code 2.1.330 and later write new sessions, and so \
         where --talk looks for the fork it reports or forgets (the stage still goes to the working \
         directory's project dir, where every client looks).",
    ),
    (&COLOR, "NO_COLOR", "When set and not empty, --color auto means no colour."),
    (&LINES, "FZF_PREVIEW_LINES", "The default for --lines: fzf sets it to its preview pane's height."),
];

/// (flag that makes it relevant, path, what it is)
const FILES: &[(&Flag, &str, &str)] = &[
    (&TOWN, "<town>/.events.jsonl", "The town's event log, appended to by gt."),
    (&TOWN, "<town>/mayor/accounts.json", "The Claude accounts of the town, searched for transcripts."),
    (
        &CONFIG_DIR,
        "<config>/projects/<project-dir>/<session-id>.jsonl",
        "A session's transcript; <project-dir> is the working directory encoded Claude's way.",
    ),
    (
        &LOCK_TIMEOUT,
        "<config>/projects/<project-dir>/sessions-index.json",
        "The project's session index, edited atomically and never rewritten when it does not parse.",
    ),
    (
        &LOCK_TIMEOUT,
        "<config>/projects/<project-dir>/sessions-index.json.lock",
        "gt's lock file for the index (flock(2), exclusive); created 0600, never deleted.",
    ),
];

/// An example: the tools whose pages show it, what it does, and the commands.
pub struct Example {
    pub tools: &'static [&'static str],
    pub what: &'static str,
    pub code: &'static str,
}

pub const EXAMPLES: &[Example] = &[
    Example {
        tools: &["seance"],
        what: "List the crew sessions of the gastown rig, newest first.",
        code: "seance --role crew --rig gastown",
    },
    Example {
        tools: &["seance"],
        what: "Ask a predecessor one question, by a prefix of its session id.",
        code: "seance --talk 4662 -p \"Where did you put the migration plan?\"",
    },
    Example {
        tools: &["seance", "seance-show"],
        what: "Pick a session with fzf, its last exchanges in the preview; Enter talks to it, ctrl-y prints its id.",
        code: "seance pick --rig gastown",
    },
    Example {
        tools: &[
            "seance",
            "seance-events",
            "seance-filter",
            "seance-fmt",
            "seance-show",
            "seance-stage",
            "seance-unstage",
        ],
        what: "The picker by hand: choose with fzf, stage, resume with Claude Code, unstage.",
        code: "id=$(seance-events | seance-filter --resumable --unique | seance-fmt --format fzf |\n    \
               fzf --delimiter '\\t' --with-nth 2.. --preview 'seance-show {1}' | cut -f1)\n\
               token=$(seance-stage \"$id\") && claude --fork-session --resume \"$id\"\n\
               seance-unstage \"$token\"",
    },
    Example {
        tools: &["seance-events", "seance-filter"],
        what: "Watch for new witness sessions as they start.",
        code: "seance-events --follow | seance-filter --role witness",
    },
    Example {
        tools: &["seance-events", "seance-fmt"],
        what: "The last two hours of sessions as one JSON array.",
        code: "seance-events --since 2h | seance-fmt --format json",
    },
    Example {
        tools: &["seance-gc"],
        what: "From cron: every hour, remove orphaned stages and stages older than a day, silently \
               when there is nothing to do.",
        code: "17 * * * * seance-gc --all-accounts --older-than 1d --town \"$HOME/gt\"",
    },
    Example {
        tools: &["seance-gc"],
        what: "The same as a systemd user timer: ~/.config/systemd/user/seance-gc.service and \
               seance-gc.timer, then systemctl --user enable --now seance-gc.timer.",
        code: "# seance-gc.service\n[Service]\nType=oneshot\n\
               ExecStart=%h/.cargo/bin/seance-gc --all-accounts --older-than 1d --town %h/gt\n\n\
               # seance-gc.timer\n[Timer]\nOnCalendar=hourly\nPersistent=true\n\n\
               [Install]\nWantedBy=timers.target",
    },
];

/// The whole page for `tool`, among `all` (for SEE ALSO).
pub fn page(tool: &Tool, all: &[&Tool]) -> String {
    let has = |flag: &Flag| tool.flags.iter().any(|f| f.long == flag.long);
    let mut out = String::new();
    let _ =
        writeln!(out, ".TH {} 1 {DATE} \"seance {}\"", tool.name.to_uppercase(), env!("CARGO_PKG_VERSION"));
    section(&mut out, "NAME");
    let name = format!("{} \\- {}", roff_code(tool.name), roff(tool.about));
    let _ = write!(out, "{}", wrap(&name.replace('\n', " "), 0, 72));
    section(&mut out, "SYNOPSIS");
    for (i, synopsis) in tool.synopses().enumerate() {
        if i > 0 {
            out.push_str(".br\n");
        }
        let _ = writeln!(out, ".B {}\n{}", roff_code(tool.name), roff(synopsis));
    }
    section(&mut out, "DESCRIPTION");
    for (i, paragraph) in tool.description.split("\n\n").enumerate() {
        if i > 0 {
            out.push_str(".PP\n");
        }
        let _ = writeln!(out, "{}", roff(paragraph));
    }
    if !tool.commands.is_empty() {
        section(&mut out, "COMMANDS");
        for command in tool.commands {
            let usage = [command.name].iter().chain(command.args).copied().collect::<Vec<_>>();
            let usage = format!("{} {}", usage[0], usage[1..].join("|"));
            let _ = writeln!(out, ".TP\n.B {}\n{}.", usage.trim_end(), roff(command.about));
        }
    }
    section(&mut out, "OPTIONS");
    for flag in tool.all_flags() {
        let _ = writeln!(out, ".TP\n{}", flag_names(flag));
        if !flag.aliases.is_empty() {
            let aliases: Vec<String> = flag.aliases.iter().map(|a| roff_code(&format!("--{a}"))).collect();
            let _ = writeln!(out, "(also \\fB{}\\fR)\n.br", aliases.join("\\fR, \\fB"));
        }
        let _ = writeln!(out, "{}", roff(&long_text(flag)));
    }
    section(&mut out, "EXIT STATUS");
    for (code, meaning) in EXIT_STATUS {
        let _ = writeln!(out, ".TP\n.B {code}\n{}", roff(meaning));
    }
    definitions(&mut out, "ENVIRONMENT", ENVIRONMENT.iter().filter(|(flag, ..)| has(flag)));
    definitions(&mut out, "FILES", FILES.iter().filter(|(flag, ..)| has(flag)));
    let examples: Vec<&Example> = EXAMPLES.iter().filter(|e| e.tools.contains(&tool.name)).collect();
    if !examples.is_empty() {
        section(&mut out, "EXAMPLES");
        for (i, example) in examples.iter().enumerate() {
            if i > 0 {
                out.push_str(".PP\n");
            }
            let _ = writeln!(
                out,
                "{}\n.PP\n.RS 4\n.EX\n{}\n.EE\n.RE",
                roff(example.what),
                roff_code(example.code)
            );
        }
    }
    section(&mut out, "SEE ALSO");
    let mut see: Vec<String> = all
        .iter()
        .filter(|t| t.name != tool.name)
        .map(|t| format!(".BR {} (1)", roff_code(t.name)))
        .collect();
    if tool.name == "seance" || tool.name == "seance-show" {
        see.push(".BR fzf (1)".into());
    }
    if has(&LOCK_TIMEOUT) {
        see.push(".BR flock (1)".into());
    }
    let _ = writeln!(out, "{}", see.join(",\n"));
    out
}

fn section(out: &mut String, name: &str) {
    let _ =
        writeln!(out, ".SH {}", if name.contains(' ') { format!("\"{name}\"") } else { name.to_string() });
}

fn definitions<'a>(
    out: &mut String,
    name: &str,
    items: impl Iterator<Item = &'a (&'a Flag, &'a str, &'a str)>,
) {
    let items: Vec<_> = items.collect();
    if items.is_empty() {
        return;
    }
    section(out, name);
    for (_, term, meaning) in items {
        let _ = writeln!(out, ".TP\n.I {}\n{}", roff_code(term), roff(meaning));
    }
}

fn flag_names(flag: &Flag) -> String {
    let long = format!("\\fB{}\\fR", roff_code(&format!("--{}", flag.long)));
    let mut text = match flag.short {
        Some(short) => format!("\\fB\\-{short}\\fR, {long}"),
        None => long,
    };
    if let Some(value) = flag.value {
        let _ = write!(text, " \\fI{value}\\fR");
    }
    text
}

/// Prose as roff: backslashes escaped, `code` in bold, and no line that starts with a control
/// character.
fn roff(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, part) in text.replace('\\', "\\e").split('`').enumerate() {
        if i % 2 == 1 {
            let _ = write!(out, "\\fB{}\\fR", part.replace('-', "\\-"));
        } else {
            out.push_str(part);
        }
    }
    protect_lines(&out, true)
}

/// Commands and names: every hyphen a real minus (so they can be copied and searched).
fn roff_code(text: &str) -> String {
    protect_lines(&text.replace('\\', "\\e").replace('-', "\\-"), false)
}

/// Prose lines lose their indent (roff would keep it); code keeps it.
fn protect_lines(text: &str, prose: bool) -> String {
    let lines: Vec<String> = text
        .lines()
        .map(|line| {
            let line = if prose { line.trim_start_matches(' ') } else { line }.to_string();
            if line.starts_with(['.', '\'']) { format!("\\&{line}") } else { line }
        })
        .collect();
    let text = lines.join("\n");
    // roff joins prose lines again; short ones are what man-page linters and diffs like.
    if prose { wrap(&text, 0, 72).trim_end().to_string() } else { text }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_at_line_starts_are_protected() {
        assert_eq!(roff(".hidden\n'quote"), "\\&.hidden\n\\&'quote");
        assert_eq!(roff("a `--b` c\\d"), "a \\fB\\-\\-b\\fR c\\ed");
    }
}
