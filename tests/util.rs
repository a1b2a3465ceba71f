//! The harness: temp towns, gt-shaped events, and running the real binaries.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use tempfile::TempDir;

/// A town in a temp dir: `<tmp>/town/mayor/town.json` and its event log.
pub struct Town {
    _tmp: TempDir,
    pub root: PathBuf,
}

impl Town {
    pub fn new() -> Town {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("town");
        std::fs::create_dir_all(root.join("mayor")).unwrap();
        std::fs::write(root.join("mayor/town.json"), "{\"name\":\"test\"}").unwrap();
        Town { _tmp: tmp, root }
    }

    pub fn log(&self) -> PathBuf {
        self.root.join(".events.jsonl")
    }

    pub fn write_log(&self, lines: &[String]) -> &Town {
        let mut text = lines.join("\n");
        text.push('\n');
        std::fs::write(self.log(), text).unwrap();
        self
    }

    pub fn append(&self, line: &str) {
        let mut file = std::fs::OpenOptions::new().append(true).create(true).open(self.log()).unwrap();
        writeln!(file, "{line}").unwrap();
    }

    /// The tool, run from the town's root.
    pub fn tool(&self, name: &str) -> Tool {
        tool(name).cwd(&self.root)
    }
}

/// A session_start event the way gt writes it.
pub fn start(ts: &str, actor: &str, id: &str, topic: Option<&str>) -> String {
    let topic = topic.map(|t| format!(",\"topic\":{}", json_string(t))).unwrap_or_default();
    format!(
        "{{\"ts\":\"{ts}\",\"source\":\"gt\",\"type\":\"session_start\",\"actor\":\"{actor}\",\"payload\":{{\"session_id\":\"{id}\",\"role\":\"{actor}\",\"actor_pid\":\"{actor}-4242\"{topic},\"cwd\":\"/home/u/gt/{actor}\"}},\"visibility\":\"feed\"}}"
    )
}

/// Any other event type.
pub fn other(ts: &str, kind: &str, actor: &str) -> String {
    format!(
        "{{\"ts\":\"{ts}\",\"source\":\"gt\",\"type\":\"{kind}\",\"actor\":\"{actor}\",\"payload\":{{}},\"visibility\":\"feed\"}}"
    )
}

pub fn json_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A UUID-shaped session id made from a small number, easy to read in failures.
pub fn uuid(n: u32) -> String {
    format!("{n:08x}-0000-4000-8000-{n:012x}")
}

pub fn bin(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_BIN_EXE_seance")).parent().unwrap();
    dir.join(name)
}

/// A command for one of our binaries with a clean, fixed environment.
pub struct Tool {
    pub cmd: Command,
    stdin: Vec<u8>,
}

pub fn tool(name: &str) -> Tool {
    Tool::from_command(&bin(name))
}

impl Tool {
    /// Any program, with the same clean environment as our tools.
    pub fn from_command(program: &Path) -> Tool {
        let mut cmd = Command::new(program);
        for var in [
            "GT_TOWN_ROOT",
            "GT_ROOT",
            "NO_COLOR",
            "CLAUDE_CONFIG_DIR",
            "COLUMNS",
            "TERM",
            "SEANCE_AGENT",
            "FZF_DEFAULT_OPTS",
            "FZF_PREVIEW_LINES",
            "CLAUDE_CODE_CHILD_SESSION",
            "SEANCE_SHELL_INTEGRATION",
        ] {
            cmd.env_remove(var);
        }
        // A fixed, non-UTC zone with a half-hour offset shows local-time conversion for sure.
        cmd.env("TZ", "IST-5:30");
        Tool { cmd, stdin: Vec::new() }
    }
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Tool {
    pub fn args<I, S>(mut self, args: I) -> Tool
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        self.cmd.args(args);
        self
    }

    /// Runs `program` with `args` instead of the tool, keeping this builder's environment and
    /// working directory (for wrappers such as unshare).
    pub fn program<I, S>(self, program: &str, args: I) -> Tool
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        let mut cmd = Command::new(program);
        cmd.args(args);
        for (key, value) in self.cmd.get_envs() {
            match value {
                Some(value) => cmd.env(key, value),
                None => cmd.env_remove(key),
            };
        }
        if let Some(dir) = self.cmd.get_current_dir() {
            cmd.current_dir(dir);
        }
        Tool { cmd, stdin: self.stdin }
    }

    pub fn env(mut self, key: &str, value: impl AsRef<std::ffi::OsStr>) -> Tool {
        self.cmd.env(key, value);
        self
    }

    pub fn env_remove(mut self, key: &str) -> Tool {
        self.cmd.env_remove(key);
        self
    }

    pub fn cwd(mut self, dir: &Path) -> Tool {
        self.cmd.current_dir(dir);
        self
    }

    pub fn stdin(mut self, input: impl AsRef<[u8]>) -> Tool {
        self.stdin = input.as_ref().to_vec();
        self
    }

    pub fn run(mut self) -> Run {
        self.cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = self.cmd.spawn().unwrap();
        let mut stdin = child.stdin.take().unwrap();
        let input = std::mem::take(&mut self.stdin);
        // Written from a thread: a tool that stops reading early must not deadlock the test.
        let writer = std::thread::spawn(move || {
            let _ = stdin.write_all(&input);
        });
        let Output { status, stdout, stderr } = child.wait_with_output().unwrap();
        writer.join().unwrap();
        Run {
            code: status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&stdout).into_owned(),
            stderr: String::from_utf8_lossy(&stderr).into_owned(),
        }
    }

    /// Runs with stdin on /dev/null, as from a terminal-less script with nothing to pipe in.
    pub fn run_without_stdin(mut self) -> Run {
        self.cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
        let Output { status, stdout, stderr } = self.cmd.output().unwrap();
        Run {
            code: status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&stdout).into_owned(),
            stderr: String::from_utf8_lossy(&stderr).into_owned(),
        }
    }

    /// Runs with stdin closed, killing the command if it has not exited within `limit` (a
    /// hung client must fail its test, not hang the suite).
    pub fn run_within(mut self, limit: std::time::Duration) -> Run {
        use std::os::unix::process::CommandExt;
        // Its own process group, so that a kill also reaches an agent it started.
        self.cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).process_group(0);
        let mut child = self.cmd.spawn().unwrap();
        let (mut out, mut err) = (child.stdout.take().unwrap(), child.stderr.take().unwrap());
        let stdout = std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = out.read_to_end(&mut buf);
            buf
        });
        let stderr = std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = err.read_to_end(&mut buf);
            buf
        });
        let deadline = std::time::Instant::now() + limit;
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break Some(status);
            }
            if std::time::Instant::now() > deadline {
                let group = nix::unistd::Pid::from_raw(child.id() as i32);
                let _ = nix::sys::signal::killpg(group, nix::sys::signal::Signal::SIGKILL);
                let _ = child.wait();
                break None;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        };
        let stdout = String::from_utf8_lossy(&stdout.join().unwrap()).into_owned();
        let stderr = String::from_utf8_lossy(&stderr.join().unwrap()).into_owned();
        let Some(status) = status else {
            panic!("{:?} still running after {limit:?}; stdout: {stdout} stderr: {stderr}", self.cmd);
        };
        Run { code: status.code().unwrap_or(-1), stdout, stderr }
    }

    /// Runs with stdout on a pseudo-terminal `cols` wide; returns what the terminal received.
    pub fn run_on_terminal(mut self, cols: u16) -> Run {
        use nix::pty::{Winsize, openpty};
        let size = Winsize { ws_row: 40, ws_col: cols, ws_xpixel: 0, ws_ypixel: 0 };
        let pty = openpty(Some(&size), None).unwrap();
        self.cmd.stdin(Stdio::piped()).stdout(Stdio::from(pty.slave)).stderr(Stdio::piped());
        let mut child = self.cmd.spawn().unwrap();
        let mut stdin = child.stdin.take().unwrap();
        let input = std::mem::take(&mut self.stdin);
        std::thread::spawn(move || {
            let _ = stdin.write_all(&input);
        });
        // Our copy of the slave end went into the Command; drop it so reads end at exit.
        drop(self.cmd);
        let mut master = std::fs::File::from(pty.master);
        let mut raw = Vec::new();
        let mut buf = [0; 4096];
        loop {
            match master.read(&mut buf) {
                Ok(0) | Err(_) => break, // EIO once the child has exited and closed the slave
                Ok(n) => raw.extend_from_slice(&buf[..n]),
            }
        }
        let mut stderr = String::new();
        child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
        let status = child.wait().unwrap();
        // The terminal turns "\n" into "\r\n".
        let text = String::from_utf8_lossy(&raw).replace("\r\n", "\n");
        Run { code: status.code().unwrap_or(-1), stdout: text, stderr }
    }
}

impl Run {
    pub fn ok(self) -> Run {
        assert_eq!(self.code, 0, "exit code; stderr: {}", self.stderr);
        assert_eq!(self.stderr, "", "stderr");
        self
    }

    pub fn code(self, code: i32) -> Run {
        assert_eq!(self.code, code, "exit code; stdout: {} stderr: {}", self.stdout, self.stderr);
        self
    }

    pub fn lines(&self) -> Vec<&str> {
        self.stdout.lines().collect()
    }
}

/// The session ids in NDJSON output, in order.
pub fn ids(ndjson: &str) -> Vec<String> {
    ndjson
        .lines()
        .map(|line| {
            let value: serde_json::Value = serde_json::from_str(line).unwrap();
            value["payload"]["session_id"].as_str().unwrap().to_string()
        })
        .collect()
}
