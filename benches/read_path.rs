//! Read-path benchmark (issue 2's budgets), run with `cargo bench --bench read_path [-- MB]`.
//!
//! Generates a gt-shaped event log (default 200 MB: about 2% session_start among patrol, mail,
//! merge ... events, lines of 100 to 400 bytes) and times, median of 5 after a warm-up, each
//! command against `grep -c '"type":"session_start"'` on the same file in the same run:
//! - `seance -n 20` (the listing people run): budget 0.1x grep;
//! - `seance-events | wc -l` (a full scan): budget 2x grep;
//! - peak RSS of that full scan: budget 20 MB.
//!
//! Ratios, not seconds, because the machines are shared and noisy.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

mod common;
use common::{RUNS, median, ms, peak_rss_kb, time, versus};

fn main() {
    let mb: u64 = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(200);
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_seance")).parent().unwrap().to_path_buf();
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/data");
    std::fs::create_dir_all(&data).unwrap();
    let log = data.join(format!("events-{mb}MB.jsonl"));
    if !log.exists() {
        eprintln!("generating {}", log.display());
        generate(&log, mb << 20);
    }
    // A town whose log is the generated file.
    let town = data.join(format!("town-{mb}MB"));
    std::fs::create_dir_all(town.join("mayor")).unwrap();
    let link = town.join(".events.jsonl");
    let _ = std::fs::remove_file(&link);
    std::os::unix::fs::symlink(&log, &link).unwrap();

    let sh = |script: String| move || time(Command::new("sh").arg("-c").arg(&script));
    let grep = median(sh(format!("grep -c '\"type\":\"session_start\"' {}", log.display())));
    let seance = bin_dir.join("seance");
    let events = bin_dir.join("seance-events");
    let list = median(sh(format!("{} --town {} -n 20", seance.display(), town.display())));
    let scan = median(sh(format!("{} --town {} | wc -l", events.display(), town.display())));
    let rss_kb = peak_rss_kb(Command::new(&events).arg("--town").arg(&town));
    let lines = Command::new("sh")
        .arg("-c")
        .arg(format!("{} --town {} | wc -l", events.display(), town.display()))
        .output()
        .unwrap();
    let size = std::fs::metadata(&log).unwrap().len();

    println!(
        "log: {} ({:.0} MB), session_start lines emitted: {}",
        log.display(),
        size as f64 / 1e6,
        String::from_utf8_lossy(&lines.stdout).trim()
    );
    println!("reference grep -c: {:.1} ms (median of {RUNS})", ms(grep));
    versus("seance -n 20:", list, "grep", grep, 0.1);
    versus("seance-events | wc -l:", scan, "grep", grep, 2.0);
    println!(
        "full scan peak RSS:                 {:8.1} MB                 (budget 20 MB)  {}",
        rss_kb as f64 / 1024.0,
        if rss_kb < 20 * 1024 { "ok" } else { "OVER BUDGET" }
    );
}

/// A deterministic gt-shaped log of about `bytes` bytes.
fn generate(path: &PathBuf, bytes: u64) {
    let mut out = BufWriter::with_capacity(1 << 20, File::create(path).unwrap());
    let mut rng = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    let actors = [
        "gastown/crew/joe",
        "gastown/polecats/nux",
        "gastown/witness",
        "gastown/refinery",
        "beads/crew/dave",
        "beads/polecats/slit",
        "mayor",
        "deacon",
        "boot",
    ];
    let types = [
        "patrol_started",
        "patrol_complete",
        "mail_sent",
        "merge_completed",
        "polecat_spawned",
        "hook_fired",
        "convoy_created",
    ];
    let mut ts: i64 = 1_767_225_600; // 2026-01-01T00:00:00Z
    let mut written = 0u64;
    let mut line = String::new();
    while written < bytes {
        ts += (next() % 7) as i64;
        let stamp = jiff::Timestamp::from_second(ts).unwrap().strftime("%Y-%m-%dT%H:%M:%SZ");
        let actor = actors[(next() % actors.len() as u64) as usize];
        line.clear();
        if next() % 50 == 0 {
            let r = next();
            let id = format!(
                "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
                r >> 32,
                r & 0xffff,
                (r >> 16) & 0xfff,
                (r >> 4) & 0xfff,
                next() & 0xffff_ffff_ffff
            );
            line.push_str(&format!(
                "{{\"ts\":\"{stamp}\",\"source\":\"gt\",\"type\":\"session_start\",\"actor\":\"{actor}\",\"payload\":{{\"session_id\":\"{id}\",\"role\":\"{actor}\",\"actor_pid\":\"{actor}-{}\",\"topic\":\"patrol\",\"cwd\":\"/home/u/gt/{actor}\"}},\"visibility\":\"feed\"}}",
                next() % 99999
            ));
        } else {
            let kind = types[(next() % types.len() as u64) as usize];
            let pad = "x".repeat((next() % 260) as usize);
            line.push_str(&format!(
                "{{\"ts\":\"{stamp}\",\"source\":\"gt\",\"type\":\"{kind}\",\"actor\":\"{actor}\",\"payload\":{{\"note\":\"{pad}\"}},\"visibility\":\"feed\"}}"
            ));
        }
        line.push('\n');
        out.write_all(line.as_bytes()).unwrap();
        written += line.len() as u64;
    }
    out.flush().unwrap();
}
