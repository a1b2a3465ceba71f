//! A fake Anthropic Messages API on 127.0.0.1, so the real Claude Code client runs offline and to
//! completion (FACTS.md, first section). `POST /v1/messages` gets a streamed reply, anything else
//! `200 {}`. Every request is recorded. The "model" is a few rules on the conversation the client
//! sends, so what it answers shows what the client loaded:
//! - a question after `remember the word W` was loaded answers `The word was W.`, and
//!   `I was never told a word.` when the secret is not in the request's messages;
//! - a prompt containing SPAWN makes it call the client's Agent tool once, so that the client
//!   itself writes the session's `<id>/subagents/` sidecar;
//! - a prompt containing TASKS makes it keep a todo list with the 2.1.x client's task tools:
//!   [`TASKS_MADE`] in order, one TaskCreate per turn, then a TaskUpdate that completes the
//!   first, then [`TASKS_DONE`].
//!
//! The server stops when dropped, and by itself after `LIFETIME` whatever happens, so a test
//! that panics mid-way leaves no thread listening.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const LIFETIME: Duration = Duration::from_secs(300);
/// A connection idle for this long is dropped (the client keeps them alive between requests).
const IDLE: Duration = Duration::from_secs(60);

/// Makes the model call the Agent tool.
pub const SPAWN: &str = "SPAWN";
/// The subagent's task, so that its request is told apart from the parent's.
const SUBTASK: &str = "Look in the docs folder and report";
pub const NOTED: &str = "Noted, I will remember it.";
pub const DEAF: &str = "I was never told a word.";
pub const HELPER_DONE: &str = "The helper has looked.";
pub const TASKS: &str = "TASKS";
/// The tasks the TASKS rule creates, in order; the first is completed, the others left pending.
pub const TASKS_MADE: [&str; 3] = ["write the migration plan", "file the bead", "mail the mayor"];
pub const TASKS_DONE: &str = "Tasks noted.";
const SUB_REPORT: &str = "Nothing in the docs folder.";

pub fn heard(secret: &str) -> String {
    format!("The word was {secret}.")
}

/// The prompt that gives the predecessor its secret.
pub fn remember(secret: &str) -> String {
    format!("remember the word {secret}")
}

#[derive(Clone, Debug)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub body: Value,
}

impl Request {
    pub fn messages(&self) -> &[Value] {
        self.body["messages"].as_array().map_or(&[], |m| m.as_slice())
    }

    /// The messages with `role`, each as the text a reader would see (text blocks joined;
    /// tool calls and results as `tool_use:NAME` and `tool_result:…`).
    pub fn turns(&self, role: &str) -> Vec<String> {
        self.messages().iter().filter(|m| m["role"] == role).map(text_of).collect()
    }
}

fn text_of(message: &Value) -> String {
    match &message["content"] {
        Value::String(text) => text.clone(),
        Value::Array(blocks) => blocks
            .iter()
            .map(|b| match b["type"].as_str() {
                Some("text") => b["text"].as_str().unwrap_or("").to_string(),
                Some("tool_use") => format!("tool_use:{}", b["name"].as_str().unwrap_or("")),
                Some("tool_result") => format!("tool_result:{}", b["content"]),
                _ => String::new(),
            })
            .collect::<Vec<_>>()
            .join("\n"),
        _ => String::new(),
    }
}

pub struct FakeApi {
    pub port: u16,
    requests: Arc<Mutex<Vec<Request>>>,
    stop: Arc<AtomicBool>,
    accept: Option<JoinHandle<()>>,
}

impl FakeApi {
    /// Starts the server; `secret` is the word it listens for.
    pub fn start(secret: &str) -> FakeApi {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        listener.set_nonblocking(true).unwrap();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (log, flag, secret) = (requests.clone(), stop.clone(), secret.to_string());
        let accept = std::thread::spawn(move || {
            let deadline = Instant::now() + LIFETIME;
            while !flag.load(Ordering::SeqCst) && Instant::now() < deadline {
                match listener.accept() {
                    Ok((stream, _)) => {
                        let (log, secret) = (log.clone(), secret.clone());
                        std::thread::spawn(move || serve(stream, &log, &secret));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        FakeApi { port, requests, stop, accept: Some(accept) }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn requests(&self) -> Vec<Request> {
        self.requests.lock().unwrap().clone()
    }

    /// The Messages API requests so far.
    pub fn messages_requests(&self) -> Vec<Request> {
        self.requests()
            .into_iter()
            .filter(|r| r.method == "POST" && r.path.starts_with("/v1/messages"))
            .collect()
    }

    pub fn clear(&self) {
        self.requests.lock().unwrap().clear();
    }
}

impl Drop for FakeApi {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(accept) = self.accept.take() {
            let _ = accept.join();
        }
    }
}

/// Serves one keep-alive connection until the client closes it or goes idle.
fn serve(stream: TcpStream, log: &Mutex<Vec<Request>>, secret: &str) {
    stream.set_nonblocking(false).unwrap();
    stream.set_read_timeout(Some(IDLE)).unwrap();
    let mut writer = stream.try_clone().unwrap();
    let mut reader = BufReader::new(stream);
    while let Some((method, path, body)) = read_request(&mut reader) {
        let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        let is_messages = method == "POST" && path.starts_with("/v1/messages");
        let reply = if is_messages { Some(model(&body, secret)) } else { None };
        log.lock().unwrap().push(Request { method: method.clone(), path, body: body.clone() });
        let (kind, payload) = match reply {
            Some(blocks) => ("text/event-stream", stream_reply(&body, blocks)),
            None => ("application/json", "{}".to_string()),
        };
        let length = if method == "HEAD" { 0 } else { payload.len() };
        let mut response =
            format!("HTTP/1.1 200 OK\r\nContent-Type: {kind}\r\nContent-Length: {length}\r\n\r\n")
                .into_bytes();
        if method != "HEAD" {
            response.extend_from_slice(payload.as_bytes());
        }
        if writer.write_all(&response).and_then(|_| writer.flush()).is_err() {
            return;
        }
    }
}

/// One HTTP/1.1 request: method, path and body (Content-Length or chunked).
fn read_request(reader: &mut BufReader<TcpStream>) -> Option<(String, String, Vec<u8>)> {
    let mut line = String::new();
    reader.read_line(&mut line).ok().filter(|&n| n > 0)?;
    let mut parts = line.split_whitespace();
    let (method, path) = (parts.next()?.to_string(), parts.next()?.to_string());
    let (mut length, mut chunked) = (0usize, false);
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).ok().filter(|&n| n > 0)?;
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        let (name, value) = header.split_once(':')?;
        match name.trim().to_ascii_lowercase().as_str() {
            "content-length" => length = value.trim().parse().ok()?,
            "transfer-encoding" => chunked = value.to_ascii_lowercase().contains("chunked"),
            _ => {}
        }
    }
    let mut body = Vec::new();
    if chunked {
        loop {
            let mut size = String::new();
            reader.read_line(&mut size).ok()?;
            let size = usize::from_str_radix(size.trim().split(';').next()?, 16).ok()?;
            let mut chunk = vec![0; size + 2];
            reader.read_exact(&mut chunk).ok()?;
            if size == 0 {
                break;
            }
            body.extend_from_slice(&chunk[..size]);
        }
    } else {
        body.resize(length, 0);
        reader.read_exact(&mut body).ok()?;
    }
    Some((method, path, body))
}

enum Block {
    Text(String),
    Agent,
    /// A call of another tool of the client's: its name, the call's id and its input.
    Tool(&'static str, String, Value),
}

/// The rules of the fake model (see the module's doc).
fn model(body: &Value, secret: &str) -> Vec<Block> {
    let messages = body["messages"].as_array().cloned().unwrap_or_default();
    let users: Vec<&Value> = messages.iter().filter(|m| m["role"] == "user").collect();
    // A resumed conversation may end with a tool result and the new prompt in one message:
    // only a message whose last block is a tool result is the helper's hand-back.
    let answers_tool = users.last().and_then(|m| m["content"].as_array()?.last().cloned());
    let answers_tool = answers_tool.is_some_and(|block| block["type"] == "tool_result");
    let users: Vec<String> = users.into_iter().map(text_of).collect();
    let last = users.last().cloned().unwrap_or_default();
    // The TASKS rule: the step is how many tool results came back since the prompt (the
    // client sends a turn's results in one user message with any that came before), and it
    // holds only while nothing but tool results came after it: a later question is answered
    // as usual.
    let tasks_at = users.iter().rposition(|u| u.contains(TASKS));
    if let Some(at) = tasks_at.filter(|&at| users[at + 1..].iter().all(|u| u.contains("tool_result:"))) {
        let step: usize = users[at + 1..].iter().map(|u| u.matches("tool_result:").count()).sum();
        let id = format!("toolu_fake_task_{step}");
        return vec![match step {
            n if n < TASKS_MADE.len() => Block::Tool(
                "TaskCreate",
                id,
                json!({"subject": TASKS_MADE[n], "description": TASKS_MADE[n], "activeForm": "Working"}),
            ),
            n if n == TASKS_MADE.len() => {
                Block::Tool("TaskUpdate", id, json!({"taskId": "1", "status": "completed"}))
            }
            _ => Block::Text(TASKS_DONE.to_string()),
        }];
    }
    let text = if answers_tool {
        HELPER_DONE.to_string()
    } else if users.first().is_some_and(|first| first.contains(SUBTASK)) {
        SUB_REPORT.to_string()
    } else if last.contains(SPAWN) {
        return vec![Block::Agent];
    } else if last.contains("remember the word") {
        NOTED.to_string()
    } else if serde_json::to_string(&messages).unwrap().contains(secret) {
        heard(secret)
    } else {
        DEAF.to_string()
    };
    vec![Block::Text(text)]
}

/// The server-sent events of one streamed response.
fn stream_reply(request: &Value, blocks: Vec<Block>) -> String {
    let mut out = String::new();
    let mut event = |name: &str, data: Value| out.push_str(&format!("event: {name}\ndata: {data}\n\n"));
    let model = request["model"].as_str().unwrap_or("claude-opus-4-8");
    event(
        "message_start",
        json!({"type":"message_start","message":{"id":"msg_fake","type":"message","role":"assistant","model":model,"content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":10,"output_tokens":1}}}),
    );
    let mut stop = "end_turn";
    for (index, block) in blocks.iter().enumerate() {
        let (start, delta) = match block {
            Block::Text(text) => (json!({"type":"text","text":""}), json!({"type":"text_delta","text":text})),
            Block::Agent => {
                stop = "tool_use";
                let input =
                    json!({"description":"look in docs","prompt":SUBTASK,"subagent_type":"general-purpose"});
                (
                    json!({"type":"tool_use","id":"toolu_fake_agent","name":"Agent","input":{}}),
                    json!({"type":"input_json_delta","partial_json":input.to_string()}),
                )
            }
            Block::Tool(name, id, input) => {
                stop = "tool_use";
                (
                    json!({"type":"tool_use","id":id,"name":name,"input":{}}),
                    json!({"type":"input_json_delta","partial_json":input.to_string()}),
                )
            }
        };
        event(
            "content_block_start",
            json!({"type":"content_block_start","index":index,"content_block":start}),
        );
        event("content_block_delta", json!({"type":"content_block_delta","index":index,"delta":delta}));
        event("content_block_stop", json!({"type":"content_block_stop","index":index}));
    }
    event(
        "message_delta",
        json!({"type":"message_delta","delta":{"stop_reason":stop,"stop_sequence":null},"usage":{"output_tokens":5}}),
    );
    event("message_stop", json!({"type":"message_stop"}));
    out
}
