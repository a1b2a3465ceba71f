//! `seance init skill`: a Claude Code skill (SKILL.md) that teaches an agent to find what its
//! predecessors said, did and left with seance's read-only tools before it spends a `--talk`.
//! Every command in it is run by a test on the test world, so the text cannot drift from the
//! tools.

pub const SKILL: &str = r#"---
name: seance
description: Find what earlier Claude Code sessions in this Gas Town said, did and left behind (files written, commits, pushes, branches, pull requests, beads, mail, unfinished todos) with seance-grep and seance-trail, before resuming one with seance --talk. Use when asked where a predecessor put something, which session wrote a file, what the last polecat of a rig left unfinished, or before a handoff.
---

# Asking your predecessors, cheaply

Every session in this town left a transcript. seance reads them without an LLM: searching and
listing cost milliseconds, while `seance --talk` resumes a whole session and spends tokens. Look
first, talk last.

All tools print NDJSON (one JSON object per line) and take session ids, prefixes of at least 4
characters, or the records of another seance tool on stdin.

## 1. Which sessions?

```sh
seance -n 10
seance-events | seance-filter --rig gastown --role polecat -n 20 | seance-fmt --format tsv
```

`seance` lists the newest sessions of the town (SESSION_ID, ROLE, STARTED, TOPIC).
`seance-filter` takes `--rig`, `--role` (crew, polecat, witness, refinery, mayor, deacon),
`--actor`, `--topic`, `--since 2h`, `--unique` and `-n`.

## 2. Where was it said?

```sh
seance-grep -F 'migration plan' -n 20
seance-grep -l -i 'migration plan'
seance-events | seance-filter --rig gastown -n 50 | seance-grep -F 'migration plan' -n 5
```

Each hit has `session_id`, `record` (transcript line), `kind` (user, assistant, tool_use,
tool_result, title), `text` (the line around the match) and the session's `actor`/`role`. `-l`
lists the sessions with their hit counts. `-F` takes the text literally; without it the pattern
is a regex.

## 3. What did it do and leave?

```sh
seance-trail --kind write --kind edit --path 'migration-plan.md'
seance-trail --kind commit --kind push --kind branch --kind pr 46621448
seance-events | seance-filter --rig gastown --role polecat -n 50 | seance-trail --kind pr --last
seance-events | seance-filter --rig gastown --role polecat -n 50 | seance-trail --kind todo --last
```

Kinds: `write`, `edit` (path, ok), `command` (the Bash command, ok), `commit` (hash, subject,
taken only from the output of the command that made it), `push` (remote, branch, url), `branch`,
`pr` (url), `bead` (id, action), `mail` (to, subject), `todo` (the last todo list: `pending`).
`--path GLOB` keeps writes and edits of matching paths; `--last` keeps the newest record per path
(writes, edits) or per kind. A write with `"ok":false` failed: the file may not exist.

## 4. Read around it

```sh
seance-show 46621448 -n 40
seance-show 46621448 --format md --trail
```

The first line says who the session was, its topic, its account and how long ago it last
changed. `--format md` is the conversation as Markdown (tool calls one line each), good for a
handoff note; `--trail` adds what the session left.

## 5. Only then, ask it

```sh
seance --talk 46621448 -p 'Where did you put the migration plan, and is it finished?'
```

This resumes a fork of the session (the original is left untouched) and answers one question.
It is slow and costs tokens: use it when the transcript cannot answer, for example to ask why.
"#;
