//! Hand-written transcripts shaped like the real client's (reference/TRANSCRIPT-FORMAT.md):
//! conversation records chained by `uuid`/`parentUuid` with the envelope the client writes
//! (`sessionId`, `cwd`, `version`, `timestamp`, `type`, `message` …), metadata records without a
//! uuid. A transcript without the chain makes 2.1.197 hang and 2.1.330 drop the user turn
//! (FACTS.md), so every test world writes its transcripts through here. Ids, uuids and times
//! are derived from the session id, so a fixture is the same bytes on every run.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use crate::util::json_string;

/// The client version fixtures claim to be written by (the oldest one we support).
pub const VERSION: &str = "2.1.197";

pub struct Fixture {
    id: String,
    cwd: String,
    lines: Vec<String>,
    parent: Option<String>,
    last_prompt: Option<String>,
    /// Records written so far; numbers the uuids and the timestamps.
    n: u32,
    seed: u32,
}

impl Fixture {
    /// An empty transcript of session `id`, run in `cwd`.
    pub fn new(id: &str, cwd: &Path) -> Fixture {
        // FNV-1a of the id: uuids differ between sessions, and stay the same between runs.
        let seed = id.bytes().fold(0x811c_9dc5u32, |h, b| (h ^ u32::from(b)).wrapping_mul(0x0100_0193));
        Fixture {
            id: id.to_string(),
            cwd: cwd.to_string_lossy().into_owned(),
            lines: Vec::new(),
            parent: None,
            last_prompt: None,
            n: 0,
            seed,
        }
    }

    fn next_uuid(&mut self) -> String {
        self.n += 1;
        let n = self.n;
        format!("{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}", self.seed, n >> 16, n & 0xfff, self.seed & 0xfff, n)
    }

    /// The time of the record being written: 10:00:00.000 on the fixture day, then a second
    /// apart, so the first record's time is what seance-stage reports as `created`.
    fn timestamp(&self) -> String {
        let s = self.n;
        format!("2026-01-22T{:02}:{:02}:{:02}.000Z", 10 + s / 3600, s / 60 % 60, s % 60)
    }

    fn envelope(&self) -> String {
        format!(
            r#""userType":"external","entrypoint":"sdk-cli","cwd":{},"sessionId":"{}","version":"{VERSION}","gitBranch":"main""#,
            json_string(&self.cwd),
            self.id
        )
    }

    /// A conversation record: `body` (the record's own fields, as JSON members) between the
    /// chain and the envelope, as the client orders them.
    fn chained(&mut self, head: &str, body: &str) -> &mut Fixture {
        let timestamp = self.timestamp();
        let uuid = self.next_uuid();
        let parent = self.parent.as_ref().map_or("null".to_string(), |p| format!("\"{p}\""));
        let envelope = self.envelope();
        self.lines.push(format!(
            r#"{{"parentUuid":{parent},"isSidechain":false,{head}"uuid":"{uuid}","timestamp":"{timestamp}",{body}{envelope}}}"#
        ));
        self.parent = Some(uuid);
        self
    }

    /// A prompt typed with `claude -p`: the queue records, then the user record.
    pub fn prompt(&mut self, text: &str) -> &mut Fixture {
        let (id, ts, quoted) = (self.id.clone(), self.timestamp(), json_string(text));
        self.lines.push(format!(
            r#"{{"type":"queue-operation","operation":"enqueue","timestamp":"{ts}","sessionId":"{id}","content":{quoted}}}"#
        ));
        self.lines.push(format!(
            r#"{{"type":"queue-operation","operation":"dequeue","timestamp":"{ts}","sessionId":"{id}"}}"#
        ));
        let prompt_id = format!("{:08x}-0000-4000-8000-{:012x}", self.seed, self.n + 1);
        let head = format!(
            r#""promptId":"{prompt_id}","type":"user","message":{{"role":"user","content":{quoted}}},"#
        );
        self.chained(&head, r#""permissionMode":"default","promptSource":"sdk","#);
        self.last_prompt = Some(text.to_string());
        self
    }

    /// The model's answer: one text block.
    pub fn reply(&mut self, text: &str) -> &mut Fixture {
        let message_id = format!("msg_{:08x}{:04x}", self.seed, self.n);
        let head = format!(
            r#""message":{{"id":"{message_id}","type":"message","role":"assistant","model":"claude-opus-4-8","content":[{{"type":"text","text":{}}}],"stop_reason":"end_turn","stop_sequence":null,"usage":{{"input_tokens":10,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":5,"service_tier":"standard"}},"stop_details":null}},"requestId":"req_{:08x}{:04x}","type":"assistant","#,
            json_string(text),
            self.seed,
            self.n
        );
        self.chained(&head, "")
    }

    /// The transcript's text, ending with the `last-prompt` record the client writes after a turn.
    pub fn text(&self) -> String {
        let mut lines = self.lines.clone();
        if let (Some(prompt), Some(leaf)) = (&self.last_prompt, &self.parent) {
            lines.push(format!(
                r#"{{"type":"last-prompt","lastPrompt":{},"leafUuid":"{leaf}","sessionId":"{}"}}"#,
                json_string(prompt),
                self.id
            ));
        }
        lines.join("\n") + "\n"
    }

    /// Writes the transcript as `<dir>/<id>.jsonl`, mode 0600 as the client makes it.
    pub fn write(&self, dir: &Path) -> PathBuf {
        fs::create_dir_all(dir).unwrap();
        let file = dir.join(format!("{}.jsonl", self.id));
        fs::write(&file, self.text()).unwrap();
        fs::set_permissions(&file, fs::Permissions::from_mode(0o600)).unwrap();
        file
    }
}

/// A session of one question and its answer: what most tests need.
pub fn conversation(id: &str, cwd: &Path, prompt: &str, reply: &str) -> Fixture {
    let mut fixture = Fixture::new(id, cwd);
    fixture.prompt(prompt).reply(reply);
    fixture
}

#[test]
fn fixtures_chain_every_conversation_record() {
    let mut fixture = conversation(&crate::util::uuid(5), Path::new("/srv/a b"), "q \"1\"", "a1");
    fixture.prompt("q2").reply("a2");
    let text = fixture.text();
    let records: Vec<serde_json::Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let chained: Vec<&serde_json::Value> = records.iter().filter(|r| r.get("uuid").is_some()).collect();
    assert_eq!(chained.len(), 4);
    assert!(chained[0]["parentUuid"].is_null());
    for pair in chained.windows(2) {
        assert_eq!(pair[1]["parentUuid"], pair[0]["uuid"]);
    }
    for record in &chained {
        for key in ["sessionId", "cwd", "version", "timestamp", "type", "message"] {
            assert!(record.get(key).is_some(), "{key} missing: {record}");
        }
        assert_eq!(record["cwd"], "/srv/a b");
    }
    assert_eq!(chained[0]["message"]["content"], "q \"1\"");
    assert_eq!(chained[3]["message"]["content"][0]["text"], "a2");
    let last = records.last().unwrap();
    assert_eq!(last["type"], "last-prompt");
    assert_eq!(last["leafUuid"], chained[3]["uuid"]);
    assert_eq!(records[0]["timestamp"], "2026-01-22T10:00:00.000Z");
    // The same bytes every run.
    assert_eq!(
        text,
        conversation(&crate::util::uuid(5), Path::new("/srv/a b"), "q \"1\"", "a1")
            .prompt("q2")
            .reply("a2")
            .text()
    );
}
