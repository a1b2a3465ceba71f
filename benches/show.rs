//! seance-show benchmark (issue 4: "fast on 100 MB transcripts, read from the end"), run with
//! `cargo bench --bench show [-- MB]`.
//!
//! Writes a Claude-shaped transcript of 100 MB by default (exchanges with tool calls, and tool
//! results of 4 to 64 KiB, as real ones are), then times, median of 5 after a warm-up, against
//! reference commands over the same file in the same run:
//! - `seance-show ID` (the last 40 lines, what a preview pane shows) against `tail -n 40 FILE`,
//!   which also reads from the end: the cost should not grow with the file;
//! - `seance-show --lines 0 ID` (the whole conversation) against
//!   `grep -c '"type":"assistant"' FILE`.

use std::io::Write;
use std::path::Path;
use std::process::Command;

mod common;
use common::{median, ms, time};

const ID: &str = "46621448-3caa-4bbb-8ccc-123456789abc";

fn main() {
    let mb: u64 = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(100);
    let bin = Path::new(env!("CARGO_BIN_EXE_seance")).parent().unwrap().to_path_buf();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/data/show");
    let _ = std::fs::remove_dir_all(&root);
    let home = root.join("home");
    let project = home.join(".claude/projects/-srv-app");
    std::fs::create_dir_all(&project).unwrap();
    let file = project.join(format!("{ID}.jsonl"));
    write_transcript(&file, mb << 20);

    let tool = |args: &[&str]| {
        let mut cmd = Command::new(bin.join("seance-show"));
        cmd.args(args).env("HOME", &home).env_remove("CLAUDE_CONFIG_DIR").env_remove("FZF_PREVIEW_LINES");
        cmd.current_dir(&root);
        cmd
    };
    let tail = median(|| time(Command::new("tail").args(["-n", "40"]).arg(&file)));
    let last = median(|| time(&mut tool(&[ID])));
    let grep = median(|| time(Command::new("grep").args(["-c", "\"type\":\"assistant\""]).arg(&file)));
    let whole = median(|| time(&mut tool(&["--lines", "0", ID])));
    println!("transcript: {} MB", mb);
    println!("| command | ms | reference | ms | ratio |");
    println!("|---|---|---|---|---|");
    println!(
        "| `seance-show ID` | {:.1} | `tail -n 40` | {:.1} | {:.2}x |",
        ms(last),
        ms(tail),
        ms(last) / ms(tail)
    );
    println!(
        "| `seance-show --lines 0 ID` | {:.1} | `grep -c` | {:.1} | {:.2}x |",
        ms(whole),
        ms(grep),
        ms(whole) / ms(grep)
    );
}

/// Exchanges of a user prompt, assistant text, a tool call and its (large) result, until `size`.
fn write_transcript(path: &Path, size: u64) {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    let mut written = 0u64;
    let mut n = 0u64;
    while written < size {
        let result = "r".repeat(4096 << (n % 5));
        let lines = [
            format!(
                r#"{{"type":"user","message":{{"role":"user","content":"Question {n}: where is the plan?"}},"timestamp":"2026-01-22T10:00:00.000Z","sessionId":"{ID}"}}"#
            ),
            format!(
                r#"{{"type":"assistant","message":{{"role":"assistant","content":[{{"type":"text","text":"Looking for it, step {n}.\nOne moment."}}]}},"timestamp":"2026-01-22T10:00:01.000Z"}}"#
            ),
            format!(
                r#"{{"type":"assistant","message":{{"role":"assistant","content":[{{"type":"tool_use","id":"t{n}","name":"Bash","input":{{"command":"grep -rn plan docs/"}}}}]}},"timestamp":"2026-01-22T10:00:02.000Z"}}"#
            ),
            format!(
                r#"{{"type":"user","message":{{"role":"user","content":[{{"type":"tool_result","tool_use_id":"t{n}","content":"{result}"}}]}},"timestamp":"2026-01-22T10:00:03.000Z"}}"#
            ),
        ];
        for line in lines {
            writeln!(out, "{line}").unwrap();
            written += line.len() as u64 + 1;
        }
        n += 1;
    }
    out.flush().unwrap();
}
