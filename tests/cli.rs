//! What every tool shares: help, version, usage errors.

use crate::docs::TOOLS;
use crate::util::*;

#[test]
fn help_and_version_come_first_and_go_to_stdout() {
    for name in TOOLS {
        // Run from a place with no town: help must not look for one.
        let tmp = tempfile::tempdir().unwrap();
        let short = tool(name).cwd(tmp.path()).args(["-h"]).run().ok();
        assert!(
            short.stdout.starts_with(&format!("{name} {}: ", env!("CARGO_PKG_VERSION"))),
            "{}",
            short.stdout
        );
        assert!(short.stdout.contains(&format!("Usage: {name} ")));
        let long = tool(name).cwd(tmp.path()).args(["--help"]).run().ok();
        assert!(long.stdout.len() > short.stdout.len());
        assert!(long.stdout.contains("Exit status:\n  0  success"));
        let version = tool(name).cwd(tmp.path()).args(["--version"]).run().ok();
        assert_eq!(version.stdout, format!("{name} {}\n", env!("CARGO_PKG_VERSION")));
        assert_eq!(tool(name).args(["-V"]).run().ok().stdout, version.stdout);
    }
}

#[test]
fn every_flag_in_short_help_is_in_long_help() {
    for name in TOOLS {
        let short = tool(name).args(["-h"]).run().ok().stdout;
        let long = tool(name).args(["--help"]).run().ok().stdout;
        let flags: Vec<&str> = short.split_whitespace().filter(|w| w.starts_with("--")).collect();
        assert!(flags.len() >= 4, "{name}");
        for flag in flags {
            assert!(
                long.contains(&format!("  {flag}")) || long.contains(&format!(", {flag}")),
                "{name} {flag}"
            );
        }
    }
}

#[test]
fn unknown_flags_and_bad_values_are_usage_errors() {
    for name in TOOLS {
        let run = tool(name).args(["--bogus"]).run().code(2);
        assert_eq!(run.stdout, "");
        assert_eq!(run.stderr, format!("{name}: invalid option '--bogus' (try '{name} --help')\n"));
    }
    let run = tool("seance-filter").args(["--role"]).run().code(2);
    assert_eq!(
        run.stderr,
        "seance-filter: missing argument for option '--role' (try 'seance-filter --help')\n"
    );
    let run = tool("seance-filter").args(["-n", "many"]).run().code(2);
    assert_eq!(run.stderr, "seance-filter: --limit: 'many' is not a whole number\n");
    let run = tool("seance-fmt").args(["--format", "xml"]).run().code(2);
    assert_eq!(run.stderr, "seance-fmt: --format: 'xml' is not one of table, tsv, fzf, json, ids\n");
    let run = tool("seance-filter").args(["stray"]).run().code(2);
    assert_eq!(run.stderr, "seance-filter: unexpected argument 'stray'\n");
}

/// A plausible value for each value name the tables use.
fn sample(value_name: &str) -> &'static str {
    match value_name {
        "DIR" => ".",
        "FILE" => "-",
        "TIME" => "2h",
        "DURATION" => "5m",
        "ROLE" => "crew",
        "PREFIX" | "ID" => "abcd",
        "N" => "3",
        "FORMAT" => "json",
        "STYLE" => "utc",
        "WHEN" => "never",
        "KIND" => "tool_use",
        _ => "x",
    }
}

#[test]
fn every_flag_in_help_is_accepted() {
    // `--help` after the flag ends the run once the flag has been taken, before any work: a
    // flag that is in the table but has no handler fails here.
    for name in TOOLS {
        let short = tool(name).args(["-h"]).run().ok().stdout;
        for line in short.lines().filter(|l| l.trim_start().starts_with('-')) {
            let words: Vec<&str> = line.split_whitespace().collect();
            let long_at = words.iter().position(|w| w.starts_with("--")).unwrap();
            let flag = words[long_at];
            if flag == "--help" || flag == "--version" {
                continue;
            }
            let value = words.get(long_at + 1).filter(|w| w.chars().all(|c| c.is_ascii_uppercase()));
            let mut args = vec![flag.to_string()];
            // The two --kind flags take different words.
            args.extend(value.map(|v| {
                if name == "seance-trail" && *v == "KIND" { "commit" } else { sample(v) }.to_string()
            }));
            args.push("--help".into());
            let run = tool(name).args(&args).run();
            assert_eq!(run.code, 0, "{name} {args:?}: {}", run.stderr);
        }
    }
}
