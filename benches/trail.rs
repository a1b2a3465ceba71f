//! seance-trail and seance-show --format md benchmarks (issue 14), run with
//! `cargo bench --bench trail [-- MB]`.
//!
//! Writes a corpus of Claude-shaped transcripts, MB in all (100 by default, in 1 MB sessions:
//! prompts, assistant text, Write/Edit/Bash/Read calls with their results of 1 to 16 KiB, and one
//! session holding an 8 MB line), then times, median of 5 after a warm-up, in the same run:
//! - `seance-trail` over every session against `rg -c '"name":"(Write|Edit|Bash)"'` over the same
//!   files (budget 2x), and its peak memory against 64 MB plus twice the longest line;
//! - `seance-show --format md ID` of an 80 MB transcript against `jq -c . FILE >/dev/null`
//!   (budget 2x).

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

mod common;
use common::{median, peak_rss_kb, time, versus};

const BIG_LINE: usize = 8 << 20;

fn main() {
    let mb: u64 = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(100);
    let bin = Path::new(env!("CARGO_BIN_EXE_seance")).parent().unwrap().to_path_buf();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/data/trail");
    let _ = std::fs::remove_dir_all(&root);
    let home = root.join("home");
    let project = home.join(".claude/projects/-srv-app");
    std::fs::create_dir_all(&project).unwrap();
    let mut files = Vec::new();
    for n in 0..mb {
        let file = project.join(format!("{}.jsonl", id(n)));
        write_session(&file, 1 << 20, n, n == 0);
        files.push(file);
    }
    let tool = |name: &str, args: &[&str]| {
        let mut cmd = Command::new(bin.join(name));
        cmd.args(args).env("HOME", &home).env_remove("CLAUDE_CONFIG_DIR").current_dir(&root);
        // No ids and stdin not a pipe: every session.
        cmd.stdin(Stdio::null());
        cmd
    };
    println!("corpus: {mb} sessions, {mb} MB, longest line {} MB", BIG_LINE >> 20);
    let rg = median(|| time(Command::new("rg").args(["-c", r#""name":"(Write|Edit|Bash)""#]).args(&files)));
    let trail = median(|| time(&mut tool("seance-trail", &[])));
    versus("seance-trail (every session)", trail, "rg -c", rg, 2.0);
    let peak = peak_rss_kb(&mut tool("seance-trail", &[]));
    let limit = (64 << 10) + 2 * (BIG_LINE as i64 >> 10);
    let verdict = if peak <= limit { "ok" } else { "OVER BUDGET" };
    println!(
        "seance-trail peak memory            {:8.1} MB  (budget {:.0} MB)  {verdict}",
        peak as f64 / 1024.0,
        limit as f64 / 1024.0
    );

    let big = project.join(format!("{}.jsonl", id(9999)));
    write_session(&big, 80 << 20, 9999, false);
    let jq = median(|| time_to_null(Command::new("jq").args(["-c", "."]).arg(&big)));
    let md = median(|| time(&mut tool("seance-show", &["--format", "md", &id(9999)])));
    versus("seance-show --format md (80 MB)", md, "jq -c .", jq, 2.0);
}

fn id(n: u64) -> String {
    format!("{n:08x}-3caa-4bbb-8ccc-123456789abc")
}

/// Runs a command with stdout on /dev/null, as the reference command is written.
fn time_to_null(cmd: &mut Command) -> Duration {
    let start = Instant::now();
    let status = cmd.stdout(Stdio::null()).status().unwrap();
    assert!(status.success(), "{cmd:?}");
    start.elapsed()
}

/// One session of about `size` bytes: turns of a prompt, assistant text, a tool call (Write,
/// Edit, Bash or Read, in turn) and its result; with `big_line`, one Write of 8 MB first.
fn write_session(path: &PathBuf, size: u64, seed: u64, big_line: bool) {
    let sid = id(seed);
    let mut out = BufWriter::with_capacity(1 << 20, File::create(path).unwrap());
    let mut written = 0u64;
    let put = |line: String, out: &mut BufWriter<File>| {
        writeln!(out, "{line}").unwrap();
        line.len() as u64 + 1
    };
    let tail = format!(r#""cwd":"/srv/app","sessionId":"{sid}","version":"2.1.197","gitBranch":"main"}}"#);
    if big_line {
        let content = "w".repeat(BIG_LINE);
        written += put(
            format!(
                r#"{{"type":"assistant","message":{{"role":"assistant","content":[{{"type":"tool_use","id":"big","name":"Write","input":{{"file_path":"/srv/app/big.txt","content":"{content}"}}}}]}},"timestamp":"2026-01-22T10:00:00.000Z",{tail}"#
            ),
            &mut out,
        );
        written += put(
            format!(
                r#"{{"type":"user","message":{{"role":"user","content":[{{"tool_use_id":"big","type":"tool_result","content":"File created successfully at: /srv/app/big.txt"}}]}},"timestamp":"2026-01-22T10:00:00.000Z",{tail}"#
            ),
            &mut out,
        );
    }
    let mut n = 0u64;
    while written < size {
        let result = "r".repeat(1024 << (n % 5));
        let (name, input) = match n % 4 {
            0 => (
                "Write",
                format!(r#"{{"file_path":"/srv/app/docs/plan-{n}.md","content":"{}"}}"#, "p".repeat(2048)),
            ),
            1 => (
                "Edit",
                format!(
                    r#"{{"replace_all":false,"file_path":"/srv/app/docs/plan-{}.md","old_string":"a","new_string":"b"}}"#,
                    n - 1
                ),
            ),
            2 => (
                "Bash",
                format!(
                    r#"{{"command":"git commit -qam \"step {n}\" && git push origin main","description":"Commit"}}"#
                ),
            ),
            _ => ("Read", r#"{"file_path":"/srv/app/docs/plan-0.md"}"#.to_string()),
        };
        let lines = [
            format!(
                r#"{{"parentUuid":null,"isSidechain":false,"type":"user","message":{{"role":"user","content":"Question {n}: where is the plan?"}},"uuid":"u{n}","timestamp":"2026-01-22T10:00:00.000Z",{tail}"#
            ),
            format!(
                r#"{{"parentUuid":"u{n}","isSidechain":false,"message":{{"id":"msg_{n}","type":"message","role":"assistant","model":"claude-opus-4-8","content":[{{"type":"text","text":"Looking for it, step {n}.\nOne moment."}}],"stop_reason":"tool_use"}},"type":"assistant","uuid":"a{n}","timestamp":"2026-01-22T10:00:01.000Z",{tail}"#
            ),
            format!(
                r#"{{"parentUuid":"a{n}","isSidechain":false,"message":{{"id":"msg_{n}","type":"message","role":"assistant","model":"claude-opus-4-8","content":[{{"type":"tool_use","id":"t{n}","name":"{name}","input":{input}}}],"stop_reason":"tool_use"}},"type":"assistant","uuid":"b{n}","timestamp":"2026-01-22T10:00:02.000Z",{tail}"#
            ),
            format!(
                r#"{{"parentUuid":"b{n}","isSidechain":false,"type":"user","message":{{"role":"user","content":[{{"tool_use_id":"t{n}","type":"tool_result","content":"{result}","is_error":false}}]}},"uuid":"r{n}","timestamp":"2026-01-22T10:00:03.000Z","toolUseResult":{{"stdout":"{result}","stderr":""}},{tail}"#
            ),
        ];
        for line in lines {
            written += put(line, &mut out);
        }
        n += 1;
    }
    out.flush().unwrap();
}
