//! One very long line (issue 11's cost: a 500 MB line made `seance-events | head -1` take 4.3 s
//! and 2 GB), run with `cargo bench --bench long_line [-- MB]` (default 500).
//!
//! The log: a few ordinary events, then one session_start whose topic is MB megabytes, then a
//! few more. Measured against `wc -l` on the same file in the same run: `seance-events | head
//! -1`, median wall time of 5 after a warm-up (budget 30x: the line is read twice, once to find
//! where it starts and once into memory, then validated and parsed twice; `grep -c` takes
//! minutes on such a line, so wc -l is the reference), the CPU time (user + system) of one full
//! run beside wc -l's (wall time on a loaded machine is mostly waiting), and the peak RSS, which
//! must stay under about twice the line's size (budget 2.2x, the budget).

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::process::Command;

mod common;
use common::{RUNS, median, ms, time, usage, versus};

fn main() {
    let mb: u64 = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(500);
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_seance")).parent().unwrap().to_path_buf();
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/data");
    let town = data.join(format!("long-line-town-{mb}MB"));
    std::fs::create_dir_all(town.join("mayor")).unwrap();
    let log = town.join(".events.jsonl");
    let line_len = mb << 20;
    if !log.exists() {
        eprintln!("generating {}", log.display());
        generate(&log, line_len);
    }
    let events = bin_dir.join("seance-events");
    let sh = |script: String| move || time(Command::new("sh").arg("-c").arg(&script));
    let wc = median(sh(format!("wc -l {}", log.display())));
    let head = median(sh(format!("{} --town {} | head -1 | wc -c", events.display(), town.display())));
    let (rss_kb, cpu) = usage(Command::new(&events).arg("--town").arg(&town));
    let (_, wc_cpu) = usage(Command::new("wc").arg("-l").arg(&log));
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!("{} --town {} | head -1 | wc -c", events.display(), town.display()))
        .output()
        .unwrap();
    let printed: u64 = String::from_utf8_lossy(&out.stdout).trim().parse().unwrap_or(0);
    assert!(printed > line_len, "the long line was not printed whole ({printed} bytes)");
    println!("log: {} (one line of {mb} MB among ordinary events)", log.display());
    println!("reference wc -l: {:.1} ms (median of {RUNS})", ms(wc));
    versus("seance-events | head -1:", head, "wc -l", wc, 30.0);
    versus("CPU time of one full run:", cpu, "wc -l", wc_cpu, 30.0);
    let ratio = (rss_kb as f64 * 1024.0) / line_len as f64;
    println!(
        "peak RSS, full run:                 {:8.1} MB  {ratio:6.3}x line   (budget 2.2x)  {}",
        rss_kb as f64 / 1024.0,
        if ratio <= 2.2 { "ok" } else { "OVER BUDGET" }
    );
}

fn generate(path: &Path, line_len: u64) {
    let mut out = BufWriter::with_capacity(1 << 20, File::create(path).unwrap());
    let event = |minute: u32, id: u32, topic: &str| {
        format!(
            "{{\"ts\":\"2026-01-22T10:{minute:02}:00Z\",\"type\":\"session_start\",\"actor\":\"mayor\",\"payload\":{{\"session_id\":\"{id:08x}-0000-4000-8000-{id:012x}\",\"topic\":\"{topic}\"}}}}\n"
        )
    };
    for minute in 0..5 {
        out.write_all(event(minute, minute, "short").as_bytes()).unwrap();
    }
    let head = event(10, 99, "");
    let (before, after) = head.split_at(head.rfind("\"}}").unwrap());
    out.write_all(before.as_bytes()).unwrap();
    let chunk = vec![b'x'; 1 << 20];
    let mut left = line_len;
    while left > 0 {
        let n = left.min(chunk.len() as u64) as usize;
        out.write_all(&chunk[..n]).unwrap();
        left -= n as u64;
    }
    out.write_all(after.as_bytes()).unwrap();
    for minute in 5..8 {
        out.write_all(event(minute, minute + 100, "short").as_bytes()).unwrap();
    }
    out.flush().unwrap();
}
