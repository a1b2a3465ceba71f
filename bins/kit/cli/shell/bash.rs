//! bash: one function for every tool, driven by the word before the cursor.

use std::fmt::Write as _;

use super::{COMPLETE_FLAG, dynamic, spellings};
use crate::cli::{Complete, Tool};

pub fn completion(tools: &[&Tool]) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        r#"
_seance_candidates() {{
    \command seance {COMPLETE_FLAG} "$1" 2>/dev/null | \command cut -f1
}}

_seance() {{
    \builtin local cur=${{COMP_WORDS[COMP_CWORD]}} prev='' flags='' operands='' kind=''
    if ((COMP_CWORD > 0)); then
        prev=${{COMP_WORDS[COMP_CWORD - 1]}}
    fi
    # readline splits `--role=cr` into `--role`, `=`, `cr` (= is in COMP_WORDBREAKS).
    if [[ $cur == = ]]; then
        cur=''
    elif [[ $prev == = ]] && ((COMP_CWORD > 1)); then
        prev=${{COMP_WORDS[COMP_CWORD - 2]}}
    fi
    case ${{COMP_WORDS[0]##*/}} in
"#
    );
    for tool in tools {
        let flags: Vec<String> = tool.all_flags().flat_map(spellings).collect();
        let _ = writeln!(out, "    {})\n        flags='{}'", tool.name, flags.join(" "));
        if let Some(kind) = operand_kind(tool) {
            let _ = writeln!(out, "        operands='{kind}'");
        }
        let mut cases: Vec<(String, String)> = Vec::new();
        for flag in tool.all_flags().filter(|f| f.value.is_some()) {
            let kind = value_kind(flag.complete);
            let names = spellings(flag).join(" | ");
            match cases.iter_mut().find(|(_, k)| *k == kind) {
                Some((pattern, _)) => *pattern = format!("{pattern} | {names}"),
                None => cases.push((names, kind)),
            }
        }
        for command in tool.commands.iter().filter(|c| !c.args.is_empty()) {
            cases.push((command.name.to_string(), format!("words:{}", command.args.join(" "))));
        }
        if !cases.is_empty() {
            out.push_str("        case $prev in\n");
            for (pattern, kind) in cases {
                let _ = writeln!(out, "        {pattern}) kind='{kind}' ;;");
            }
            out.push_str("        esac\n");
        }
        out.push_str("        ;;\n");
    }
    out.push_str(
        r#"    esac
    if [[ -z $kind && $cur == -* ]]; then
        kind="words:$flags"
    elif [[ -z $kind ]]; then
        kind=$operands
    fi
    case $kind in
    dir)
        \builtin compopt -o filenames 2>/dev/null
        \builtin mapfile -t COMPREPLY < <(\builtin compgen -d -- "$cur")
        ;;
    file)
        \builtin compopt -o filenames 2>/dev/null
        \builtin mapfile -t COMPREPLY < <(\builtin compgen -f -- "$cur")
        ;;
    command) \builtin mapfile -t COMPREPLY < <(\builtin compgen -c -- "$cur") ;;
    role | rig | session) \builtin mapfile -t COMPREPLY < <(\builtin compgen -W "$(_seance_candidates "$kind")" -- "$cur") ;;
    commands:*)
        if ((COMP_CWORD == 1)); then
            \builtin mapfile -t COMPREPLY < <(\builtin compgen -W "${kind#commands:}" -- "$cur")
        else
            COMPREPLY=()
        fi
        ;;
    words:*) \builtin mapfile -t COMPREPLY < <(\builtin compgen -W "${kind#words:}" -- "$cur") ;;
    *) COMPREPLY=() ;;
    esac
}

"#,
    );
    let names: Vec<&str> = tools.iter().map(|t| t.name).collect();
    let _ = writeln!(out, "\\builtin complete -F _seance {}", names.join(" "));
    out
}

/// What completes a flag's value.
fn value_kind(complete: Complete) -> String {
    match complete {
        Complete::Nothing => "none".into(),
        Complete::File => "file".into(),
        Complete::Dir => "dir".into(),
        Complete::Command => "command".into(),
        Complete::Choices(words) => format!("words:{}", words.join(" ")),
        other => dynamic(other).unwrap_or("none").into(),
    }
}

/// What completes a tool's operands: its subcommands (first word only), or its operand kind.
fn operand_kind(tool: &Tool) -> Option<String> {
    if !tool.commands.is_empty() {
        let names: Vec<&str> = tool.commands.iter().map(|c| c.name).collect();
        return Some(format!("commands:{}", names.join(" ")));
    }
    (tool.operands != Complete::Nothing).then(|| value_kind(tool.operands))
}

/// The picker on Ctrl-X Ctrl-T ("talk"), the same key in every shell: unbound by default in bash,
/// zsh and fish, unlike Ctrl-S, which terminals with flow control swallow. `bind` only works
/// where line editing is on.
pub const BINDING: &str = r#"# seance doctor reads this to tell that the integration is loaded.
export SEANCE_SHELL_INTEGRATION=bash

# ctrl-y's id comes back on fd 3 and goes in at the cursor; a talk keeps the terminal.
__seance_pick() {
    \builtin local id
    id=$(SEANCE_PICK_FD=3 \command seance pick 3>&1 1>/dev/tty </dev/tty)
    if [[ -n $id ]]; then
        READLINE_LINE=${READLINE_LINE:0:READLINE_POINT}$id${READLINE_LINE:READLINE_POINT}
        READLINE_POINT=$((READLINE_POINT + ${#id}))
    fi
}

if [[ $- == *i* ]]; then
    \builtin bind -x '"\C-x\C-t": __seance_pick'
fi
"#;
