//! The docs agree with the flag tables: committed man pages, completions and README match what
//! `seance --generate` writes; every flag of every `--help` is in its man page and completions;
//! the pages are lint-clean; the scripts load and complete in real bash, zsh and fish; and
//! `seance init` is valid shell.

use std::fs;
use std::path::PathBuf;
use std::process::Command;

use crate::util::{Town, bin, start, tool, uuid};

pub const TOOLS: [&str; 11] = [
    "seance",
    "seance-events",
    "seance-filter",
    "seance-fmt",
    "seance-show",
    "seance-sessions",
    "seance-grep",
    "seance-trail",
    "seance-stage",
    "seance-unstage",
    "seance-gc",
];

const COMPLETIONS: [&str; 3] = ["completions/seance.bash", "completions/_seance", "completions/seance.fish"];

/// Whether `program` is installed. CI installs every one the tests use, so there a missing
/// program fails the test instead of skipping it.
pub fn need(program: &str) -> bool {
    let found = Command::new("sh").args(["-c", &format!("command -v {program}")]).output().unwrap();
    if found.status.success() {
        return true;
    }
    assert!(std::env::var_os("CI").is_none(), "{program} is not installed, and CI needs it");
    eprintln!("skipped: {program} is not installed");
    false
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn committed(relative: &str) -> String {
    fs::read_to_string(repo().join(relative)).unwrap()
}

fn long_flags(name: &str) -> Vec<String> {
    let help = tool(name).args(["--help"]).run().ok().stdout;
    // Option headings and their "(also ...)" lines; descriptions are indented further.
    let headings = help.lines().filter(|l| {
        let text = l.trim_start();
        l.len() - text.len() < 10 && (text.starts_with('-') || text.starts_with("(also"))
    });
    let mut flags: Vec<String> = headings
        .flat_map(|l| l.split(|c: char| c.is_whitespace() || c == ',' || c == '(' || c == ')'))
        .filter(|w| w.starts_with("--") && w.len() > 2)
        .map(str::to_string)
        .collect();
    flags.sort();
    flags.dedup();
    flags
}

#[test]
fn committed_docs_are_what_the_tables_generate() {
    let tmp = tempfile::tempdir().unwrap();
    fs::copy(repo().join("README.md"), tmp.path().join("README.md")).unwrap();
    let run = Command::new(bin("seance")).arg("--generate").arg(tmp.path()).output().unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let mut expected: Vec<String> = TOOLS.iter().map(|t| format!("man/man1/{t}.1")).collect();
    expected.extend(COMPLETIONS.iter().map(|c| c.to_string()));
    expected.push("README.md".into());
    for relative in &expected {
        let generated = fs::read_to_string(tmp.path().join(relative)).unwrap();
        assert!(
            generated == committed(relative),
            "{relative} differs from what the flag tables generate; run `cargo run -- --generate .`"
        );
    }
    // Nothing stale: every committed page and script is one the generator writes.
    for dir in ["man/man1", "completions"] {
        for entry in fs::read_dir(repo().join(dir)).unwrap() {
            let relative = format!("{dir}/{}", entry.unwrap().file_name().to_string_lossy());
            assert!(expected.contains(&relative), "{relative} is not generated");
        }
    }
}

#[test]
fn every_flag_in_help_is_in_the_man_page_the_completions_and_readme() {
    let readme = committed("README.md");
    let bash = committed("completions/seance.bash");
    let zsh = committed("completions/_seance");
    let fish = committed("completions/seance.fish");
    for name in TOOLS {
        let page = committed(&format!("man/man1/{name}.1"));
        let ident = name.replace('-', "_");
        let bash_flags =
            bash.split(&format!("    {name})\n        flags='")).nth(1).unwrap().split('\'').next().unwrap();
        let zsh_part =
            zsh.split(&format!("_seance_tool_{ident}() {{")).nth(1).unwrap().split("\n}").next().unwrap();
        let fish_lines: Vec<&str> =
            fish.lines().filter(|l| l.starts_with(&format!("complete -c {name} "))).collect();
        let flags = long_flags(name);
        assert!(flags.len() >= 3 && flags.contains(&"--help".to_string()), "{name}: {flags:?}");
        for flag in flags {
            assert!(page.contains(&flag.replace('-', "\\-")), "{name}.1 lacks {flag}");
            assert!(bash_flags.split(' ').any(|f| f == flag), "bash: {name} lacks {flag}");
            assert!(
                zsh_part.contains(&format!("{flag}["))
                    || zsh_part.contains(&format!("{flag}="))
                    || zsh_part.contains(&format!("{flag},"))
                    || zsh_part.contains(&format!("{flag}}}")),
                "zsh: {name} lacks {flag}"
            );
            assert!(
                fish_lines.iter().any(|l| l.contains(&format!(" -l {} ", &flag[2..]))),
                "fish: {name} lacks {flag}"
            );
            if flag != "--help" && flag != "--version" {
                // The generated table is the last one with a row per tool.
                let row = readme.lines().rfind(|l| l.starts_with(&format!("| `{name}` |"))).unwrap();
                assert!(
                    [format!("{flag}`"), format!("{flag} "), format!("{flag})")]
                        .iter()
                        .any(|f| row.contains(f.as_str())),
                    "README: {name} lacks {flag}"
                );
            }
        }
    }
}

#[test]
fn man_pages_are_clean_under_mandoc_lint() {
    if !need("mandoc") {
        return;
    }
    for name in TOOLS {
        let page = repo().join(format!("man/man1/{name}.1"));
        let run = Command::new("mandoc").args(["-Tlint", "-Wall"]).arg(&page).output().unwrap();
        let said = String::from_utf8_lossy(&run.stdout).into_owned() + &String::from_utf8_lossy(&run.stderr);
        assert_eq!(said, "", "{name}.1");
        // And it renders with every section the issue asks for.
        let text = Command::new("mandoc").args(["-Tascii"]).arg(&page).output().unwrap().stdout;
        // Bold is "X\bX": drop each backspace and the character before it.
        let mut plain = String::new();
        for c in String::from_utf8_lossy(&text).chars() {
            if c == '\u{8}' {
                plain.pop();
            } else {
                plain.push(c);
            }
        }
        let text = plain.replace("\n# ", "\n");
        for section in ["NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "EXIT STATUS", "SEE ALSO"] {
            assert!(text.contains(&format!("\n{section}\n")), "{name}.1: {section}");
        }
    }
    let gc = committed("man/man1/seance-gc.1");
    for part in ["ENVIRONMENT", "FILES", "EXAMPLES", "OnCalendar=hourly", "17 * * * * seance\\-gc"] {
        assert!(gc.contains(part), "seance-gc.1 lacks {part}");
    }
    let stage = committed("man/man1/seance-stage.1");
    assert!(stage.contains("fzf \\-\\-delimiter") && stage.contains("seance\\-stage \"$id\""));
    let seance = committed("man/man1/seance.1");
    assert!(seance.contains(".I SEANCE_AGENT") && seance.contains(".SH COMMANDS"));
}

/// A town whose log names sessions of two rigs and roles, for completing from.
fn town() -> Town {
    let town = Town::new();
    town.write_log(&[
        start("2026-01-22T10:00:00Z", "gastown/crew/joe", &uuid(1), Some("patrol")),
        start("2026-01-22T10:05:00Z", "beads/polecats/nux", &uuid(2), None),
        start("2026-01-22T10:06:00Z", "mayor", "mayor-4242", None),
    ]);
    town
}

/// Runs `script` in `shell` from the town, with our binaries first on PATH.
fn shell(shell: &str, args: &[&str], script: &str, town: &Town) -> (String, String) {
    let path = format!("{}:{}", bin("seance").parent().unwrap().display(), std::env::var("PATH").unwrap());
    let home = tempfile::tempdir().unwrap();
    let out = Command::new(shell)
        .args(args)
        .arg(script)
        .current_dir(&town.root)
        .env("PATH", path)
        .env("HOME", home.path())
        .env_remove("GT_TOWN_ROOT")
        .env_remove("GT_ROOT")
        .output()
        .unwrap();
    assert!(out.status.success(), "{shell}: {}", String::from_utf8_lossy(&out.stderr));
    (String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn hidden_candidates_come_from_the_town() {
    let town = town();
    let run = town.tool("seance").args(["--complete", "role"]).run().ok();
    assert_eq!(run.stdout, "crew\nmayor\npolecat\n");
    let run = town.tool("seance").args(["--complete", "rig"]).run().ok();
    assert_eq!(run.stdout, "beads\ngastown\n");
    let run = town.tool("seance").args(["--complete", "session"]).run().ok();
    let ids: Vec<&str> = run.lines().iter().map(|l| l.split('\t').next().unwrap()).collect();
    assert_eq!(ids, [uuid(2), uuid(1)]);
    let described = run.lines()[1].split_once('\t').unwrap().1.to_string();
    assert!(
        described.starts_with("gastown/crew/joe, ") && described.ends_with(" ago, patrol"),
        "{described}"
    );
    // Outside a town: nothing, silently.
    let tmp = tempfile::tempdir().unwrap();
    let run = tool("seance").cwd(tmp.path()).args(["--complete", "session"]).run().ok();
    assert_eq!(run.stdout, "");
}

#[test]
fn bash_completes_flags_values_and_session_ids() {
    if !need("bash") {
        return;
    }
    let town = town();
    let file = repo().join("completions/seance.bash");
    let script = format!(
        r#"source '{}' || exit 1
c() {{ COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMPREPLY=(); _seance; echo "${{COMPREPLY[*]}}"; }}
c seance --rol
c seance --format ""
c seance-filter --rig ""
c seance-stage ""
c seance --talk "{}"
c seance ""
c seance init z
c seance-show -n ""
"#,
        file.display(),
        &uuid(2)[..8]
    );
    let (out, err) = shell("bash", &["--norc", "--noprofile", "-c"], &script, &town);
    assert_eq!(err, "");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines,
        [
            "--role",
            "table tsv fzf json ids",
            "beads gastown",
            &format!("{} {}", uuid(2), uuid(1)),
            &uuid(2),
            "pick init doctor",
            "zsh",
            "",
        ]
    );
    // Sourcing is silent.
    let (out, err) =
        shell("bash", &["--norc", "--noprofile", "-c"], &format!("source '{}'", file.display()), &town);
    assert_eq!((out.as_str(), err.as_str()), ("", ""));
}

#[test]
fn fish_completes_flags_values_and_session_ids() {
    if !need("fish") {
        return;
    }
    let town = town();
    let file = repo().join("completions/seance.fish");
    let script = format!(
        "source '{}'; or exit 1\ncomplete -C 'seance --rol'\necho @@\ncomplete -C 'seance --time '\necho @@\ncomplete -C 'seance-stage {}'\necho @@\ncomplete -C 'seance init '\necho @@\ncomplete -C 'seance-filter --role p'",
        file.display(),
        &uuid(1)[..8]
    );
    let (out, err) = shell("fish", &["--no-config", "-c"], &script, &town);
    assert_eq!(err, "");
    let parts: Vec<Vec<&str>> =
        out.split("@@\n").map(|p| p.lines().map(|l| l.split('\t').next().unwrap()).collect()).collect();
    assert_eq!(parts[0], ["--role"]);
    assert_eq!(parts[1], ["local", "relative", "utc"]);
    assert_eq!(parts[2], [uuid(1)]);
    assert_eq!(parts[3], ["bash", "fish", "skill", "zsh"]);
    assert_eq!(parts[4], ["polecat"]);
    // Session ids carry a description: who, when, topic.
    assert!(out.contains(&format!("{}\tgastown/crew/joe, ", uuid(1))), "{out}");
}

#[test]
fn zsh_loads_the_completion_both_ways_and_registers_every_tool() {
    if !need("zsh") {
        return;
    }
    let town = town();
    let dir = repo().join("completions");
    // From $fpath, as a packaged install does.
    let script = format!(
        "fpath=('{}' $fpath); autoload -Uz compinit; compinit -u -D; for t in {}; do print -r -- \"$t=${{_comps[$t]}}\"; done",
        dir.display(),
        TOOLS.join(" ")
    );
    let (out, err) = shell("zsh", &["-f", "-c"], &script, &town);
    assert_eq!(err, "");
    let expected: Vec<String> = TOOLS.iter().map(|t| format!("{t}=_seance")).collect();
    assert_eq!(out.lines().collect::<Vec<_>>(), expected);
    // Sourced after compinit, as `seance init zsh` does.
    let script = format!(
        "autoload -Uz compinit; compinit -u -D; source '{}'; print -r -- ${{_comps[seance-show]}}; whence -w _seance_tool_seance_stage",
        dir.join("_seance").display()
    );
    let (out, err) = shell("zsh", &["-f", "-c"], &script, &town);
    assert_eq!(err, "");
    assert_eq!(out, "_seance\n_seance_tool_seance_stage: function\n");
}

#[test]
fn init_scripts_are_valid_and_shellcheck_clean() {
    let town = town();
    for (sh, check) in [("bash", &["-n"][..]), ("zsh", &["-n"][..]), ("fish", &["-n"][..])] {
        if !need(sh) {
            continue;
        }
        let init = tool("seance").args(["init", sh]).run().ok().stdout;
        assert!(init.contains(if sh == "fish" { "\\cx\\ct" } else { "^X^T" }) || init.contains("\\C-x\\C-t"));
        let file = tempfile::NamedTempFile::new().unwrap();
        fs::write(file.path(), &init).unwrap();
        let run = Command::new(sh).args(check).arg(file.path()).output().unwrap();
        assert!(run.status.success(), "{sh} -n: {}", String::from_utf8_lossy(&run.stderr));
        // Eval'd in a non-interactive shell it is silent (no key binding without a line editor).
        let eval = match sh {
            "fish" => "seance init fish | source".to_string(),
            _ => format!("eval \"$(seance init {sh})\""),
        };
        let args: &[&str] = match sh {
            "bash" => &["--norc", "--noprofile", "-c"],
            "zsh" => &["-f", "-c"],
            _ => &["--no-config", "-c"],
        };
        let (out, err) = shell(sh, args, &eval, &town);
        assert_eq!((out.as_str(), err.as_str()), ("", ""), "{sh}");
    }
    if need("shellcheck") {
        let init = tool("seance").args(["init", "bash"]).run().ok().stdout;
        let mut child = Command::new("shellcheck")
            .args(["--shell=bash", "-"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write;
        child.stdin.take().unwrap().write_all(init.as_bytes()).unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    }
}

#[test]
fn init_binds_the_picker_in_interactive_shells() {
    let town = town();
    if need("bash") {
        let (out, _) = shell(
            "bash",
            &["--norc", "--noprofile", "-i", "-c"],
            "eval \"$(seance init bash)\"; bind -X",
            &town,
        );
        assert!(out.contains("\"\\C-x\\C-t\": \"__seance_pick\""), "{out}");
    }
    if need("fish") {
        let (out, _) =
            shell("fish", &["--no-config", "-i", "-c"], "seance init fish | source; bind \\cx\\ct", &town);
        assert!(out.contains("__seance_pick"), "{out}");
    }
}
