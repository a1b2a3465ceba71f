//! seance-grep and seance-sessions benchmark (issue 13), run with `cargo bench --bench search`.
//!
//! On part 1's corpus (benches/corpus.rs: about 2,000 Claude-shaped sessions in two accounts,
//! about 1 GB, generated once into the temp dir), times, median of 5 after a warm-up, against
//! reference commands over the same files in the same run:
//! - `seance-grep -l -F NEEDLE` against `rg -l -F NEEDLE` over the accounts' project dirs;
//! - `seance-grep -c REGEX` (no literal to look for) against `rg -c REGEX`, and against
//!   `rg --count-matches REGEX`: REGEX matches in nearly every tool output line, `-c` counts
//!   every match (what rg does with --count-matches), while `rg -c` counts lines and leaves each
//!   at its first match;
//! - `seance-grep -c RARE` (no literal, matches nowhere) against `rg -c RARE`: every line is
//!   looked at and none decoded;
//! - `seance-grep -n 1 -F NEEDLE` (the newest session holds it) against that full `rg -l`;
//! - `seance-sessions` and `seance-sessions -n 20` against
//!   `find <accounts> -name '*.jsonl' -printf '%T@ %s %p\n' | sort -rn`;
//!
//! and the peak memory of each against 64 MB plus twice the longest line.

use std::path::Path;
use std::process::Command;

mod common;
mod corpus;
use common::{beside, median, ms, peak_rss_kb, time, time_found_or_not, versus};
use corpus::NEEDLE;

const REGEX: &str = "[0-9a-f]{7} [A-Z][a-z]+ [a-z]+";
const RARE: &str = "[0-9]{7} [A-Z][a-z]+ [0-9]";

fn main() {
    let corpus = corpus::corpus();
    let (root, home, accounts, longest, bytes) =
        (&corpus.root, &corpus.home, &corpus.accounts, corpus.longest, corpus.bytes);
    let bin = Path::new(env!("CARGO_BIN_EXE_seance")).parent().unwrap().to_path_buf();
    let tool = |name: &str, args: &[&str]| {
        let mut cmd = Command::new(bin.join(name));
        cmd.args(args).env("HOME", home).current_dir(root).stdin(std::process::Stdio::null());
        for var in ["CLAUDE_CONFIG_DIR", "GT_TOWN_ROOT", "GT_ROOT"] {
            cmd.env_remove(var);
        }
        cmd
    };
    let projects = corpus.projects();
    let rg = |args: &[&str]| {
        let mut cmd = Command::new("rg");
        // -uu: no ignore files, hidden files too: every transcript, as seance sees them.
        cmd.arg("-uu").args(args).args(&projects);
        cmd
    };
    let find = || {
        let mut cmd = Command::new("sh");
        cmd.arg("-c").arg(format!(
            "find {} {} -name '*.jsonl' -printf '%T@ %s %p\\n' | sort -rn",
            accounts[0].display(),
            accounts[1].display()
        ));
        cmd
    };

    println!(
        "corpus: {} (transcripts: {:.0} MB, longest line {:.1} MB)",
        root.display(),
        bytes as f64 / 1e6,
        longest as f64 / 1e6
    );
    let rg_l = median(|| time(&mut rg(&["-l", "-F", NEEDLE])));
    let grep_l = median(|| time(&mut tool("seance-grep", &["-l", "-F", NEEDLE])));
    let rg_c = median(|| time(&mut rg(&["-c", REGEX])));
    let grep_c = median(|| time(&mut tool("seance-grep", &["-c", REGEX])));
    let rg_matches = median(|| time(&mut rg(&["--count-matches", REGEX])));
    let rg_rare = median(|| time_found_or_not(&mut rg(&["-c", RARE])));
    let grep_rare = median(|| time(&mut tool("seance-grep", &["-c", RARE])));
    let grep_n1 = median(|| time(&mut tool("seance-grep", &["-n", "1", "-F", NEEDLE])));
    let found = median(|| time(&mut find()));
    let sessions = median(|| time(&mut tool("seance-sessions", &[])));
    let sessions20 = median(|| time(&mut tool("seance-sessions", &["-n", "20"])));
    println!(
        "reference rg -l -F: {:.1} ms, rg -c: {:.1} ms, rg --count-matches: {:.1} ms, rg -c RARE: {:.1} ms, find | sort: {:.1} ms",
        ms(rg_l),
        ms(rg_c),
        ms(rg_matches),
        ms(rg_rare),
        ms(found)
    );
    versus("seance-grep -l -F NEEDLE:", grep_l, "rg -l", rg_l, 1.5);
    versus("seance-grep -c REGEX:", grep_c, "rg -c", rg_c, 2.0);
    beside("seance-grep -c REGEX:", grep_c, "rg --count-matches", rg_matches);
    versus("seance-grep -c RARE:", grep_rare, "rg -c", rg_rare, 2.0);
    versus("seance-grep -n 1 -F NEEDLE:", grep_n1, "rg -l", rg_l, 0.1);
    versus("seance-sessions:", sessions, "find", found, 5.0);
    versus("seance-sessions -n 20:", sessions20, "find", found, 1.5);
    let budget_kb = 64 * 1024 + 2 * longest as i64 / 1024;
    for (label, name, args) in [
        ("grep -l peak RSS:", "seance-grep", &["-l", "-F", NEEDLE][..]),
        ("grep -c peak RSS:", "seance-grep", &["-c", REGEX][..]),
        ("grep -c RARE peak RSS:", "seance-grep", &["-c", RARE][..]),
        ("grep -n 1 peak RSS:", "seance-grep", &["-n", "1", "-F", NEEDLE][..]),
        ("sessions peak RSS:", "seance-sessions", &[][..]),
    ] {
        let kb = peak_rss_kb(&mut tool(name, args));
        let verdict = if kb < budget_kb { "ok" } else { "OVER BUDGET" };
        println!(
            "{label:<34} {:8.1} MB  (budget {:.1} MB)  {verdict}",
            kb as f64 / 1024.0,
            budget_kb as f64 / 1024.0
        );
    }
}
