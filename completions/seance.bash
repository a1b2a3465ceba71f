# bash completion for the seance tools; written by `seance --generate`, do not edit.

_seance_candidates() {
    \command seance --complete "$1" 2>/dev/null | \command cut -f1
}

_seance() {
    \builtin local cur=${COMP_WORDS[COMP_CWORD]} prev='' flags='' operands='' kind=''
    if ((COMP_CWORD > 0)); then
        prev=${COMP_WORDS[COMP_CWORD - 1]}
    fi
    # readline splits `--role=cr` into `--role`, `=`, `cr` (= is in COMP_WORDBREAKS).
    if [[ $cur == = ]]; then
        cur=''
    elif [[ $prev == = ]] && ((COMP_CWORD > 1)); then
        prev=${COMP_WORDS[COMP_CWORD - 2]}
    fi
    case ${COMP_WORDS[0]##*/} in
    seance)
        flags='--role --rig -n --limit --recent --json -t --talk -p --prompt --agent --forget --grep --config-dir --lock-timeout --town --events --actor --session --topic --since --until --resumable -u --unique --format --time --no-header --width --mark-absent --color --window --strict -e --exit-status -h --help -V --version'
        operands='commands:pick init doctor'
        case $prev in
        --role) kind='role' ;;
        --rig) kind='rig' ;;
        -n | --limit | --recent | -p | --prompt | --grep | --lock-timeout | --actor | --topic | --since | --until | --width | --window) kind='none' ;;
        -t | --talk | --session) kind='session' ;;
        --agent) kind='command' ;;
        --config-dir | --town) kind='dir' ;;
        --events) kind='file' ;;
        --format) kind='words:table tsv fzf json ids' ;;
        --time) kind='words:local utc relative' ;;
        --color) kind='words:auto always never' ;;
        init) kind='words:bash zsh fish skill' ;;
        esac
        ;;
    seance-events)
        flags='--town --events --type --all-types --since --until -f --follow -n --limit --window --strict -e --exit-status -h --help -V --version'
        case $prev in
        --town) kind='dir' ;;
        --events) kind='file' ;;
        --type | --since | --until | -n | --limit | --window) kind='none' ;;
        esac
        ;;
    seance-filter)
        flags='--role --rig --actor --session --topic --since --until --resumable -u --unique --present -n --limit --strict -e --exit-status -h --help -V --version'
        case $prev in
        --role) kind='role' ;;
        --rig) kind='rig' ;;
        --actor | --topic | --since | --until | -n | --limit) kind='none' ;;
        --session) kind='session' ;;
        esac
        ;;
    seance-fmt)
        flags='--format --time --no-header --width --mark-absent --color --strict -h --help -V --version'
        case $prev in
        --format) kind='words:table tsv fzf json ids' ;;
        --time) kind='words:local utc relative' ;;
        --width) kind='none' ;;
        --color) kind='words:auto always never' ;;
        esac
        ;;
    seance-show)
        flags='-n --lines --format --trail --time --color --config-dir --town -h --help -V --version'
        operands='session'
        case $prev in
        -n | --lines) kind='none' ;;
        --format) kind='words:text md json' ;;
        --time) kind='words:local utc relative' ;;
        --color) kind='words:auto always never' ;;
        --config-dir | --town) kind='dir' ;;
        esac
        ;;
    seance-sessions)
        flags='--account --cwd --since --until -n --limit --no-town --config-dir --town -e --exit-status -h --help -V --version'
        case $prev in
        --account | --since | --until | -n | --limit) kind='none' ;;
        --cwd | --config-dir | --town) kind='dir' ;;
        esac
        ;;
    seance-grep)
        flags='-F --fixed-strings -i --ignore-case -w --word-regexp -U --multiline --kind --tool -l --files-with-matches -c --count -n --limit --account --cwd --no-town --config-dir --town -e --exit-status -h --help -V --version'
        operands='session'
        case $prev in
        --kind) kind='words:user assistant tool_use tool_result title' ;;
        --tool | -n | --limit | --account) kind='none' ;;
        --cwd | --config-dir | --town) kind='dir' ;;
        esac
        ;;
    seance-trail)
        flags='--kind --path --last -n --limit --account --cwd --since --until --no-town -e --exit-status --config-dir --town -h --help -V --version'
        operands='session'
        case $prev in
        --kind) kind='words:write edit command commit push branch pr bead mail todo' ;;
        --path) kind='file' ;;
        -n | --limit | --account | --since | --until) kind='none' ;;
        --cwd | --config-dir | --town) kind='dir' ;;
        esac
        ;;
    seance-stage)
        flags='--cwd --config-dir --town --json --dry-run --lock-timeout -h --help -V --version'
        operands='session'
        case $prev in
        --cwd | --config-dir | --town) kind='dir' ;;
        --lock-timeout) kind='none' ;;
        esac
        ;;
    seance-unstage)
        flags='--lock-timeout -h --help -V --version'
        case $prev in
        --lock-timeout) kind='none' ;;
        esac
        ;;
    seance-gc)
        flags='--config-dir --all-accounts --town --older-than --dry-run --json -q --quiet --lock-timeout -h --help -V --version'
        case $prev in
        --config-dir | --town) kind='dir' ;;
        --older-than | --lock-timeout) kind='none' ;;
        esac
        ;;
    esac
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

\builtin complete -F _seance seance seance-events seance-filter seance-fmt seance-show seance-sessions seance-grep seance-trail seance-stage seance-unstage seance-gc
