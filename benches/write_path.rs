//! Write-path benchmark (issue 3's budgets), run with `cargo bench --bench write_path`.
//!
//! Builds 3 accounts x 1,000 project dirs x 10 sessions, then times, median of 5 after a
//! warm-up, against reference commands over the same tree in the same run:
//! - staging a full id (found in the last account searched): budget 0.2x
//!   `find <accounts> -name <id>.jsonl`;
//! - `seance-gc` over one account (with 100 live stages in it): budget 2x `find <account> -type l`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

mod common;
use common::{median, ms, time, versus};

const PROJECTS: usize = 1000;
const SESSIONS: usize = 10;

fn main() {
    let bin = Path::new(env!("CARGO_BIN_EXE_seance")).parent().unwrap().to_path_buf();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/data/accounts");
    let _ = std::fs::remove_dir_all(&root);
    let home = root.join("home");
    let accounts: Vec<PathBuf> = (1..=3).map(|n| home.join(format!(".claude-accounts/a{n}"))).collect();
    for (a, account) in accounts.iter().enumerate() {
        for p in 0..PROJECTS {
            let dir = account.join(format!("projects/-home-u-gt-rig{a}-crew-p{p}"));
            std::fs::create_dir_all(&dir).unwrap();
            for s in 0..SESSIONS {
                std::fs::write(dir.join(format!("{}.jsonl", id(a, p, s))), "{\"type\":\"user\"}\n").unwrap();
            }
        }
    }
    std::os::unix::fs::symlink(&accounts[0], home.join(".claude")).unwrap();
    let town = root.join("town");
    let work = town.join("gastown/crew/joe");
    std::fs::create_dir_all(town.join("mayor")).unwrap();
    std::fs::create_dir_all(&work).unwrap();
    let listed: Vec<String> =
        (1..=3).map(|n| format!("\"a{n}\":{{\"config_dir\":\"~/.claude-accounts/a{n}\"}}")).collect();
    std::fs::write(
        town.join("mayor/accounts.json"),
        format!("{{\"version\":1,\"accounts\":{{{}}}}}", listed.join(",")),
    )
    .unwrap();

    let wanted = id(2, PROJECTS - 1, SESSIONS - 1);
    let tool = |name: &str| {
        let mut cmd = Command::new(bin.join(name));
        cmd.env("HOME", &home).env_remove("CLAUDE_CONFIG_DIR").current_dir(&work);
        cmd
    };
    let find_id =
        median(|| time(Command::new("find").args(&accounts).args(["-name", &format!("{wanted}.jsonl")])));
    let stage = median(|| {
        let start = Instant::now();
        let out = tool("seance-stage").arg(&wanted).output().unwrap();
        let took = start.elapsed();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let undo = tool("seance-unstage").arg(String::from_utf8_lossy(&out.stdout).trim()).status().unwrap();
        assert!(undo.success());
        took
    });
    // 100 live stages in account 1, so gc has links to look at.
    for p in 0..100 {
        let status = tool("seance-stage").arg(id(1, p, 0)).stdout(Stdio::null()).status().unwrap();
        assert!(status.success());
    }
    let find_links = median(|| time(Command::new("find").arg(&accounts[0]).args(["-type", "l"])));
    let gc = median(|| time(tool("seance-gc").args(["--config-dir".as_ref(), accounts[0].as_os_str()])));

    println!("tree: 3 accounts x {PROJECTS} project dirs x {SESSIONS} sessions under {}", root.display());
    println!("{:<34} {:8.1} ms", "find <accounts> -name <id>.jsonl:", ms(find_id));
    versus("seance-stage <full id>:", stage, "find", find_id, 0.2);
    println!("{:<34} {:8.1} ms", "find <account> -type l:", ms(find_links));
    versus("seance-gc (one account):", gc, "find", find_links, 2.0);
}

fn id(account: usize, project: usize, session: usize) -> String {
    format!("{account:08x}-{project:04x}-4000-8000-{session:012x}")
}
