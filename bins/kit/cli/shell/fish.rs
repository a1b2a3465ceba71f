//! fish: `complete` lines per tool.

use std::fmt::Write as _;

use super::{COMPLETE_FLAG, dynamic};
use crate::cli::{Complete, Flag, Tool};

pub fn completion(tools: &[&Tool]) -> String {
    let mut out = String::new();
    for tool in tools {
        let name = tool.name;
        // Operands are not file names for any of the tools.
        let _ = writeln!(out, "\ncomplete -c {name} -f");
        for command in tool.commands {
            let _ = writeln!(
                out,
                "complete -c {name} -n __fish_use_subcommand -a {} -d {}",
                command.name,
                quote(command.about)
            );
            if !command.args.is_empty() {
                let _ = writeln!(
                    out,
                    "complete -c {name} -n '__fish_seen_subcommand_from {}' -a {}",
                    command.name,
                    quote(&command.args.join(" "))
                );
            }
        }
        if tool.commands.is_empty() && tool.operands != Complete::Nothing {
            // An operand is not an option's value: `-x` would mean nothing here.
            let _ = writeln!(out, "complete -c {name} {}", value(tool.operands).trim_start_matches("-x "));
        }
        for flag in tool.all_flags() {
            let _ = writeln!(out, "complete -c {name} {}", spec(flag));
        }
    }
    out
}

fn spec(flag: &Flag) -> String {
    let mut words: Vec<String> = flag.short.map(|s| format!("-s {s}")).into_iter().collect();
    words.push(format!("-l {}", flag.long));
    words.extend(flag.aliases.iter().map(|a| format!("-l {a}")));
    if flag.value.is_some() {
        words.push(value(flag.complete));
    }
    words.push(format!("-d {}", quote(flag.help)));
    words.join(" ")
}

/// What completes a value: `-x` (a value is required, no file names) plus candidates, or `-r -F`
/// for file names.
fn value(complete: Complete) -> String {
    match complete {
        Complete::Nothing => "-x".into(),
        Complete::File => "-r -F".into(),
        Complete::Dir => "-x -a '(__fish_complete_directories)'".into(),
        Complete::Command => "-x -a '(__fish_complete_command)'".into(),
        Complete::Choices(words) => format!("-x -a {}", quote(&words.join(" "))),
        other => {
            format!("-x -a '(command seance {COMPLETE_FLAG} {} 2>/dev/null)'", dynamic(other).unwrap_or(""))
        }
    }
}

fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\\', "\\\\").replace('\'', "\\'"))
}

/// The picker on Ctrl-X Ctrl-T, in the default and the vi insert key maps.
pub const BINDING: &str = r#"# seance doctor reads this to tell that the integration is loaded.
set -gx SEANCE_SHELL_INTEGRATION fish

# ctrl-y's id comes back on fd 3 and goes in at the cursor; a talk keeps the terminal.
function __seance_pick
    set -l id (env SEANCE_PICK_FD=3 seance pick 3>&1 1>/dev/tty </dev/tty)
    test -n "$id"; and commandline -i -- $id
    commandline -f repaint
end

bind \cx\ct __seance_pick
bind -M insert \cx\ct __seance_pick
"#;
