//! zsh: an `_arguments` spec per tool; the file works both autoloaded from $fpath (as `_seance`)
//! and sourced (it then registers itself with compdef).

use std::fmt::Write as _;

use super::{COMPLETE_FLAG, dynamic, ident};
use crate::cli::{Complete, Flag, HELP, Tool, VERSION};

pub fn completion(tools: &[&Tool]) -> String {
    let names: Vec<&str> = tools.iter().map(|t| t.name).collect();
    let mut out = format!("#compdef {}\n", names.join(" "));
    let _ = write!(
        out,
        r#"
# _arguments calls an action with compadd options first (`-J -default- session`): the kind is
# the last word, and the options are passed on to compadd through _describe.
_seance_candidates() {{
    local kind=${{@[-1]}}
    local -a lines
    lines=("${{(@f)$(command seance {COMPLETE_FLAG} $kind 2>/dev/null)}}")
    # _describe takes value:description; ids and roles have no colon, descriptions may.
    lines=("${{(@)lines//:/\\:}}")
    lines=("${{(@)lines//$'\t'/:}}")
    _describe -t $kind $kind lines "${{(@)@[1,-2]}}"
}}
"#
    );
    for tool in tools {
        let _ = write!(out, "\n_seance_tool_{}() {{\n    _arguments -s -S", ident(tool.name));
        for flag in tool.all_flags() {
            let _ = write!(out, " \\\n        {}", spec(flag));
        }
        if !tool.commands.is_empty() {
            let commands: Vec<String> =
                tool.commands.iter().map(|c| format!("{}\\:{}", c.name, quote(&escape(c.about)))).collect();
            let args: Vec<&str> = tool.commands.iter().flat_map(|c| c.args.iter().copied()).collect();
            let _ = write!(out, " \\\n        '1:command:(({}))'", commands.join(" "));
            let _ = write!(out, " \\\n        '2:argument:({})'", args.join(" "));
        } else if tool.operands != Complete::Nothing {
            let _ = write!(out, " \\\n        '*:{}'", action(tool.operands));
        }
        out.push_str("\n}\n");
    }
    out.push_str("\n_seance() {\n    case $service in\n");
    for tool in tools {
        let _ = writeln!(out, "    {}) _seance_tool_{} \"$@\" ;;", tool.name, ident(tool.name));
    }
    let _ = write!(
        out,
        r#"    esac
}}

if [[ ${{zsh_eval_context[-1]}} == loadautofunc ]]; then
    _seance "$@"
elif (( $+functions[compdef] )); then
    compdef _seance {}
fi
"#,
        names.join(" ")
    );
    out
}

/// One `_arguments` spec: every spelling, repeatable, with help and value completion.
fn spec(flag: &Flag) -> String {
    let help = escape(flag.help);
    let value = flag.value.map(|_| format!(":{}", action(flag.complete))).unwrap_or_default();
    let mut names: Vec<String> = flag.short.map(|s| format!("-{s}")).into_iter().collect();
    names.push(format!("--{}", flag.long));
    names.extend(flag.aliases.iter().map(|a| format!("--{a}")));
    // A value may follow in the same word (-n3, --limit=3) or the next.
    let suffix = if flag.value.is_some() { ["+", "="] } else { ["", ""] };
    let names: Vec<String> = names
        .iter()
        .map(|n| format!("{n}{}", if n.starts_with("--") { suffix[1] } else { suffix[0] }))
        .collect();
    let body = format!("[{help}]{value}");
    if flag.long == HELP.long || flag.long == VERSION.long {
        return format!("'(- *)'{{{}}}'{body}'", names.join(","));
    }
    if names.len() == 1 {
        format!("'*{}{body}'", names[0])
    } else {
        format!("'*'{{{}}}'{body}'", names.join(","))
    }
}

/// A value's message and action.
fn action(complete: Complete) -> String {
    match complete {
        Complete::Nothing => "value: ".into(),
        Complete::File => "file:_files".into(),
        Complete::Dir => "directory:_files -/".into(),
        Complete::Command => "command:_command_names -e".into(),
        Complete::Choices(words) => format!("value:({})", words.join(" ")),
        other => {
            let kind = dynamic(other).unwrap_or("value");
            format!("{kind}:_seance_candidates {kind}")
        }
    }
}

/// Help text inside an `_arguments` spec: brackets and colons are syntax there.
fn escape(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('[', "\\[")
        .replace(']', "\\]")
        .replace(':', "\\:")
        .replace('\'', "'\\''")
}

/// A description inside `((word\:"description"))`.
fn quote(text: &str) -> String {
    format!("\"{}\"", text.replace('"', "\\\""))
}

/// The picker on Ctrl-X Ctrl-T, as a widget that gives the terminal to the picker and redraws
/// the prompt after.
pub const BINDING: &str = r#"# seance doctor reads this to tell that the integration is loaded.
export SEANCE_SHELL_INTEGRATION=zsh

# ctrl-y's id comes back on fd 3 and goes in at the cursor; a talk keeps the terminal.
__seance_pick_widget() {
    \builtin local id
    id=$(SEANCE_PICK_FD=3 \command seance pick 3>&1 1>/dev/tty </dev/tty)
    [[ -n $id ]] && LBUFFER+=$id
    \builtin zle reset-prompt
}

if [[ -o zle ]]; then
    \builtin zle -N __seance_pick_widget
    \builtin bindkey '^X^T' __seance_pick_widget
fi
"#;
