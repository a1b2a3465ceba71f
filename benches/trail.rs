//! seance-trail and seance-show --format md benchmarks (issue 14), run with
//! `cargo bench --bench trail`.
//!
//! On part 1's corpus (benches/corpus.rs: about 2,000 Claude-shaped sessions in two accounts,
//! about 1 GB, generated once into the temp dir), times, median of 5 after a warm-up, in the
//! same run:
//! - `seance-trail` over every session against `rg -c '"name":"(Write|Edit|Bash)"'` over the same
//!   files (budget 2x), and its peak memory against 64 MB plus twice the longest line;
//! - `seance-show --format md ID` (the last lines) and `--lines 0` (the whole conversation) of an
//!   80 MB transcript written by the same generator (once, beside the corpus) against
//!   `jq -c . FILE >/dev/null` (budget 2x);
//! - the peak memory of `seance-trail`, `seance-grep -c` and `seance-show` (text, md, json) on a
//!   session of two lines, a 100 MB Write and a 100 MB tool output, each one escaped string:
//!   SPEC's "a line of any length, in at most about twice its size", as 64 MB plus twice the
//!   line.

use std::fs;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

mod common;
mod corpus;
use common::{median, ms, peak_rss_kb, time, versus};

const BIG_ID: &str = "0000big0-3caa-4bbb-8ccc-123456789abc";

fn main() {
    let corpus = corpus::corpus();
    let bin = Path::new(env!("CARGO_BIN_EXE_seance")).parent().unwrap().to_path_buf();
    let tool = |name: &str, args: &[&str], home: &Path, dir: &Path| {
        let mut cmd = Command::new(bin.join(name));
        cmd.args(args).env("HOME", home).current_dir(dir);
        for var in ["CLAUDE_CONFIG_DIR", "GT_TOWN_ROOT", "GT_ROOT"] {
            cmd.env_remove(var);
        }
        // No ids and stdin not a pipe: every session.
        cmd.stdin(Stdio::null());
        cmd
    };
    println!(
        "corpus: {} (transcripts: {:.0} MB, longest line {:.1} MB)",
        corpus.root.display(),
        corpus.bytes as f64 / 1e6,
        corpus.longest as f64 / 1e6
    );
    let trail = || tool("seance-trail", &[], &corpus.home, &corpus.root);
    let rg = median(|| {
        time(Command::new("rg").args(["-uu", "-c", r#""name":"(Write|Edit|Bash)""#]).args(corpus.projects()))
    });
    let took = median(|| time(&mut trail()));
    versus("seance-trail (every session)", took, "rg -c", rg, 2.0);
    let peak = peak_rss_kb(&mut trail());
    let limit = (64 << 10) + 2 * (corpus.longest as i64 >> 10);
    let verdict = if peak <= limit { "ok" } else { "OVER BUDGET" };
    println!(
        "seance-trail peak memory            {:8.1} MB  (budget {:.1} MB)  {verdict}",
        peak as f64 / 1024.0,
        limit as f64 / 1024.0
    );

    // The 80 MB transcript lives beside the corpus, not in it (the corpus stays as part 1 has it).
    let root = corpus.root.with_file_name("seance-bench-show-80");
    let home = root.join("home");
    let big = home.join(format!(".claude/projects/-srv-app/{BIG_ID}.jsonl"));
    if !root.join("done").exists() {
        fs::create_dir_all(big.parent().unwrap()).unwrap();
        corpus::write_session(&big, BIG_ID, "/srv/app", 80_000_000, false, &mut corpus::Rng(0x2545_f491));
        fs::write(root.join("done"), "").unwrap();
    }
    let mb = fs::metadata(&big).unwrap().len() as f64 / 1e6;
    let jq = median(|| time_to_null(Command::new("jq").args(["-c", "."]).arg(&big)));
    let md = median(|| time(&mut tool("seance-show", &["--format", "md", BIG_ID], &home, &root)));
    // The whole conversation too, not only the last lines a preview shows by default.
    let all =
        median(|| time(&mut tool("seance-show", &["--format", "md", "--lines", "0", BIG_ID], &home, &root)));
    println!("reference rg -c: {:.1} ms, jq -c .: {:.1} ms", ms(rg), ms(jq));
    versus(&format!("seance-show --format md ({mb:.0} MB)"), md, "jq -c .", jq, 2.0);
    versus("seance-show --format md --lines 0", all, "jq -c .", jq, 2.0);

    // Two huge lines, each one string with escapes in it (serde_json would unescape it into its
    // own buffer for us to copy: three times the line).
    let root = corpus.root.with_file_name("seance-bench-huge-line");
    let home = root.join("home");
    let huge = home.join(format!(".claude/projects/-w/{BIG_ID}.jsonl"));
    if !root.join("done").exists() {
        fs::create_dir_all(huge.parent().unwrap()).unwrap();
        // Written in pieces: a bench that held the lines would lend its own peak to every
        // child's (exec keeps the larger of the two high-water marks).
        let piece = r#"a line with a \"quote\" and a tab\t\n"#;
        let mut out = std::io::BufWriter::new(fs::File::create(&huge).unwrap());
        for (head, tail) in [
            (
                r#"{"type":"assistant","timestamp":"2026-01-22T10:00:00.000Z","message":{"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"Write","input":{"file_path":"/w/big.txt","content":""#,
                r#""}}]}}"#,
            ),
            (
                r#"{"type":"user","timestamp":"2026-01-22T10:00:01.000Z","message":{"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":""#,
                r#""}]}}"#,
            ),
        ] {
            out.write_all(head.as_bytes()).unwrap();
            for _ in 0..2_500_000 {
                out.write_all(piece.as_bytes()).unwrap();
            }
            out.write_all(tail.as_bytes()).unwrap();
            out.write_all(b"\n").unwrap();
        }
        out.flush().unwrap();
        fs::write(root.join("done"), "").unwrap();
    }
    let longest = fs::metadata(&huge).unwrap().len() as i64 / 2;
    let limit = (64 << 10) + 2 * (longest >> 10);
    for args in [
        &["seance-trail"][..],
        &["seance-grep", "-c", "-F", "quote"],
        &["seance-show", BIG_ID],
        &["seance-show", "--format", "md", BIG_ID],
        &["seance-show", "--format", "json", BIG_ID],
    ] {
        let peak = peak_rss_kb(&mut tool(args[0], &args[1..], &home, &root));
        let verdict = if peak <= limit { "ok" } else { "OVER BUDGET" };
        println!(
            "{:36} {:8.1} MB  (budget {:.1} MB: 64 + 2 x {:.0} MB line)  {verdict}",
            format!("{} peak memory", args.join(" ")),
            peak as f64 / 1024.0,
            limit as f64 / 1024.0,
            longest as f64 / 1048576.0
        );
    }
}

/// Runs a command with stdout on /dev/null, as the reference command is written.
fn time_to_null(cmd: &mut Command) -> Duration {
    let start = Instant::now();
    let status = cmd.stdout(Stdio::null()).status().unwrap();
    assert!(status.success(), "{cmd:?}");
    start.elapsed()
}
