//! Part 1's benchmark corpus (issue 13), shared by the search and trail benchmarks: two
//! accounts of about 2,000 Claude-shaped sessions over 20 working dirs, about 1 GB, sizes
//! heavy-tailed (most 50 KB to 2 MB, a few 20 to 80 MB of tool output), in a town whose
//! accounts.json lists both. Generated once into the temp dir (it takes minutes) and reused while
//! its "done" marker exists; `SEANCE_BENCH_SEARCH_MB` scales it (sessions and sizes shrink with
//! it). Change the generator and the old corpus must be removed by hand.
// Each bench includes this file as a module of its own and uses only part of it.
#![allow(dead_code)]

use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// The string the newest session and one in a hundred others hold.
pub const NEEDLE: &str = "NEEDLE-7f3a9c";

pub struct Corpus {
    pub root: PathBuf,
    /// The HOME the tools are run with.
    pub home: PathBuf,
    pub accounts: [PathBuf; 2],
    /// Bytes of transcripts, and the longest line's length.
    pub bytes: u64,
    pub longest: u64,
}

impl Corpus {
    /// The accounts' project dirs (what reference commands are run over).
    pub fn projects(&self) -> Vec<PathBuf> {
        self.accounts.iter().map(|a| a.join("projects")).collect()
    }

    /// Every transcript, in no particular order.
    pub fn transcripts(&self) -> Vec<PathBuf> {
        let mut files = Vec::new();
        for project in self.projects() {
            for dir in fs::read_dir(project).unwrap().flatten() {
                for file in fs::read_dir(dir.path()).unwrap().flatten() {
                    if file.path().extension().is_some_and(|e| e == "jsonl") {
                        files.push(file.path());
                    }
                }
            }
        }
        files.sort();
        files
    }
}

/// The corpus, generated first if it is not there.
pub fn corpus() -> Corpus {
    let mb: u64 = std::env::var("SEANCE_BENCH_SEARCH_MB").ok().and_then(|v| v.parse().ok()).unwrap_or(1024);
    let root = std::env::temp_dir().join(format!("seance-bench-search-{mb}"));
    let home = root.join("home");
    let accounts = [home.join(".claude-accounts/one"), home.join(".claude-accounts/two")];
    if !root.join("done").exists() {
        let _ = fs::remove_dir_all(&root);
        let longest = generate(&accounts, mb);
        std::os::unix::fs::symlink(&accounts[0], home.join(".claude")).unwrap();
        // A town whose accounts.json lists both accounts: without one, only the current account
        // and ~/.claude would be searched (SPEC.md), while the reference commands get both.
        fs::create_dir_all(root.join("mayor")).unwrap();
        fs::write(root.join("mayor/town.json"), "{}").unwrap();
        let listed = format!(
            r#"{{"version":1,"default":"one","accounts":{{"one":{{"config_dir":"{}"}},"two":{{"config_dir":"{}"}}}}}}"#,
            accounts[0].display(),
            accounts[1].display()
        );
        fs::write(root.join("mayor/accounts.json"), listed).unwrap();
        fs::write(root.join("done"), longest.to_string()).unwrap();
    }
    let longest: u64 = fs::read_to_string(root.join("done")).unwrap().trim().parse().unwrap();
    let bytes: u64 =
        fs::read_to_string(root.join("bytes")).ok().and_then(|b| b.trim().parse().ok()).unwrap_or(0);
    Corpus { root, home, accounts, bytes, longest }
}

/// A deterministic xorshift stream.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    pub fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

const WORDS: &[&str] = &[
    "deploy",
    "migration",
    "plan",
    "the",
    "script",
    "bead",
    "rig",
    "patrol",
    "merge",
    "queue",
    "witness",
    "build",
    "test",
    "fails",
    "config",
    "account",
    "session",
    "index",
    "lock",
    "timeout",
    "retry",
    "error",
    "value",
    "file",
];

fn words(rng: &mut Rng, n: usize) -> String {
    (0..n).map(|_| WORDS[(rng.next() % WORDS.len() as u64) as usize]).collect::<Vec<_>>().join(" ")
}

/// Writes the corpus; returns the longest line's length.
fn generate(accounts: &[PathBuf; 2], mb: u64) -> u64 {
    let scale = mb as f64 / 1024.0;
    let count = ((2000.0 * scale) as usize).max(20);
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let (mut longest, mut total) = (0u64, 0u64);
    for n in 0..count {
        let account = &accounts[n % 2];
        let cwd = format!("/home/u/gt/rig{}/crew/w{}", n % 20 / 4, n % 20);
        let project = account.join("projects").join(cwd.replace(['/', '.'], "-"));
        fs::create_dir_all(&project).unwrap();
        let id = format!("{:08x}-{:04x}-4000-8000-{:012x}", n, n % 65536, rng.next() % (1 << 48));
        // Heavy-tailed: a few 20 to 80 MB sessions of tool output, the rest 50 KB to 2 MB
        // (most near the low end).
        let size = if n % 400 == 7 {
            ((20.0 + 60.0 * rng.unit()) * 1e6 * scale.min(1.0)) as u64
        } else {
            (50e3 * 40f64.powf(rng.unit().powi(2))) as u64
        };
        // The newest session holds the needle, and one in a hundred others do.
        let needle = n == count - 1 || n % 100 == 42;
        let path = project.join(format!("{id}.jsonl"));
        let (bytes, line) = write_session(&path, &id, &cwd, size, needle, &mut rng);
        longest = longest.max(line);
        total += bytes;
        let age = (count - n) as u64 * 60;
        let time = std::time::SystemTime::now() - std::time::Duration::from_secs(age);
        File::options().append(true).open(&path).unwrap().set_modified(time).unwrap();
    }
    fs::write(
        accounts[0].parent().unwrap().parent().unwrap().parent().unwrap().join("bytes"),
        total.to_string(),
    )
    .unwrap();
    longest
}

/// One session of about `size` bytes; returns its size and its longest line.
pub fn write_session(path: &Path, id: &str, cwd: &str, size: u64, needle: bool, rng: &mut Rng) -> (u64, u64) {
    let mut out = BufWriter::with_capacity(1 << 20, File::create(path).unwrap());
    let env = |n: u64| {
        format!(
            r#""uuid":"{id}-{n}","timestamp":"2026-01-22T10:{:02}:{:02}.000Z","userType":"external","entrypoint":"cli","cwd":"{cwd}","sessionId":"{id}","version":"2.1.197","gitBranch":"main""#,
            n / 60 % 60,
            n % 60
        )
    };
    let mut lines = vec![format!(
        r#"{{"parentUuid":null,"isSidechain":false,"type":"user","message":{{"role":"user","content":"Please {}"}},{}}}"#,
        words(rng, 12),
        env(0)
    )];
    let (mut written, mut longest, mut n) = (0u64, 0u64, 1u64);
    loop {
        for line in lines.drain(..) {
            writeln!(out, "{line}").unwrap();
            written += line.len() as u64 + 1;
            longest = longest.max(line.len() as u64);
        }
        if written >= size {
            break;
        }
        let text = if needle && n == 4 {
            format!("{} {NEEDLE} {}", words(rng, 8), words(rng, 8))
        } else {
            words(rng, 30)
        };
        lines.push(format!(
            r#"{{"parentUuid":"p","isSidechain":false,"message":{{"id":"msg_{n}","type":"message","role":"assistant","model":"claude-opus-4-8","content":[{{"type":"text","text":"{text}"}}],"stop_reason":"tool_use","usage":{{"input_tokens":10,"output_tokens":5}}}},"requestId":"req_{n}","type":"assistant",{}}}"#,
            env(n)
        ));
        lines.push(format!(
            r#"{{"parentUuid":"p","isSidechain":false,"message":{{"id":"msg_{n}","type":"message","role":"assistant","content":[{{"type":"tool_use","id":"toolu_{n}","name":"Bash","input":{{"command":"git log --oneline -n 40 && cat src/{}.rs","description":"look"}}}}]}},"type":"assistant",{}}}"#,
            WORDS[(n % 24) as usize],
            env(n + 1)
        ));
        // Tool output: 2 to 64 KiB mostly, now and then far more, JSON-escaped lines of log
        // and code, repeated in toolUseResult as the client does.
        let big = size > 10_000_000 && rng.next().is_multiple_of(8);
        let kib = if big { 1024 + rng.next() % 4096 } else { 2 + rng.next() % 62 };
        let mut output = String::with_capacity((kib * 1024) as usize);
        while (output.len() as u64) < kib * 1024 {
            let hash = rng.next() % (1 << 28);
            output.push_str(&format!(
                "{hash:07x} Fix {} ({})\\n    let x = \\\"{}\\\";\\t// ok\\n",
                words(rng, 6),
                n,
                words(rng, 3)
            ));
        }
        lines.push(format!(
            r#"{{"parentUuid":"p","isSidechain":false,"type":"user","message":{{"role":"user","content":[{{"tool_use_id":"toolu_{n}","type":"tool_result","content":"{output}","is_error":false}}]}},{},"toolUseResult":{{"stdout":"{output}","stderr":"","interrupted":false,"isImage":false}},"sourceToolAssistantUUID":"p"}}"#,
            env(n + 2)
        ));
        n += 3;
    }
    writeln!(out, r#"{{"type":"ai-title","aiTitle":"{}","sessionId":"{id}"}}"#, words(rng, 4)).unwrap();
    writeln!(out, r#"{{"type":"last-prompt","lastPrompt":"go on","leafUuid":"x","sessionId":"{id}"}}"#)
        .unwrap();
    out.flush().unwrap();
    (written, longest)
}
