#!/usr/bin/env python3
"""Writes the demo home's two accounts (work/, personal/) from the scripts below.

Run from anywhere: `python3 tests/demo-home/make.py`. The transcripts are shaped like the real
client's (../../shared reference: uuid/parentUuid chains, one record per content block, tool
results with toolUseResult and sourceToolAssistantUUID, metadata records without uuid), so that
the real `claude --resume` would load them. Ids are deterministic: running it again writes the
same bytes. The session ids are the ones tests/demo-town/.events.jsonl logs; six of the logged
sessions are left without a transcript on purpose (deleted by cleanupPeriodDays, say).
"""

import json
import os
import shutil
import uuid
from datetime import datetime, timedelta, timezone

HERE = os.path.dirname(os.path.abspath(__file__))
NS = uuid.UUID("5ea0ce00-0000-4000-8000-000000000000")
MODEL = "claude-opus-4-8"
VERSION = "2.1.197"


def uid(*parts):
    return str(uuid.uuid5(NS, "/".join(parts)))


def dump(record):
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


def project_name(cwd):
    return "".join(c if c.isascii() and c.isalnum() else "-" for c in cwd)


class Transcript:
    def __init__(self, sid, cwd, start, branch="main", agent=None):
        self.sid, self.cwd, self.branch, self.agent = sid, cwd, branch, agent
        self.t = datetime.fromisoformat(start.replace("Z", "+00:00"))
        self.lines, self.parent, self.n, self.prompt_id = [], None, 0, None
        self.last_prompt = None

    def tick(self, seconds=2):
        self.t += timedelta(seconds=seconds)
        return self.t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{self.t.microsecond // 1000:03d}Z"

    def next_uuid(self):
        self.n += 1
        return uid(self.sid, self.agent or "", str(self.n))

    def tail(self):
        return {
            "userType": "external",
            "entrypoint": "cli",
            "cwd": self.cwd,
            "sessionId": self.sid,
            "version": VERSION,
            "gitBranch": self.branch,
        }

    def record(self, body, parent=None):
        u = self.next_uuid()
        rec = {"parentUuid": self.parent if parent is None else parent, "isSidechain": self.agent is not None}
        if self.agent:
            rec["agentId"] = self.agent
        rec.update(body)
        rec["uuid"] = u
        rec["timestamp"] = self.tick()
        rec.update(self.tail())
        self.lines.append(dump(rec))
        self.parent = u
        return u

    def meta(self, rec):
        self.lines.append(dump(rec))

    def user(self, text):
        self.prompt_id = uid(self.sid, "prompt", text)
        self.last_prompt = text
        if not self.agent:
            self.meta({"type": "file-history-snapshot", "messageId": uid(self.sid, "snap", text),
                       "snapshot": {"messageId": uid(self.sid, "snap", text), "trackedFileBackups": {},
                                    "timestamp": self.tick(0)}, "isSnapshotUpdate": False})
        body = {"promptId": self.prompt_id, "type": "user", "message": {"role": "user", "content": text}}
        if not self.agent:
            body.update({"permissionMode": "default", "origin": {"kind": "human"}, "promptSource": "typed"})
        self.record(body)

    def assistant(self, block, stop):
        msg = {
            "id": "msg_" + uid(self.sid, "msg", str(self.n)).replace("-", "")[:24],
            "type": "message", "role": "assistant", "model": MODEL, "content": [block],
            "stop_reason": stop, "stop_sequence": None,
            "usage": {"input_tokens": 812, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 20480,
                      "output_tokens": 96, "service_tier": "standard"},
            "stop_details": None,
        }
        return self.record({"message": msg, "requestId": "req_" + uid(self.sid, "req", str(self.n))[:24],
                            "type": "assistant"})

    def say(self, text):
        self.assistant({"type": "text", "text": text}, "end_turn")

    def tool(self, name, tool_input, content, result, is_error=False):
        tid = "toolu_01" + uid(self.sid, "tool", str(self.n)).replace("-", "")[:22]
        asst = self.assistant({"type": "tool_use", "id": tid, "name": name, "input": tool_input}, "tool_use")
        if is_error:
            block = {"type": "tool_result", "content": content, "is_error": True, "tool_use_id": tid}
        else:
            block = {"tool_use_id": tid, "type": "tool_result", "content": content}
            if name == "Bash":
                block["is_error"] = False
        self.record({"promptId": self.prompt_id, "type": "user", "message": {"role": "user", "content": [block]},
                     "toolUseResult": result, "sourceToolAssistantUUID": asst}, parent=asst)

    def bash(self, command, description, output, code=0):
        if code:
            text = f"Exit code {code}\n{output}"
            self.tool("Bash", {"command": command, "description": description}, text, "Error: " + text, True)
        else:
            self.tool("Bash", {"command": command, "description": description}, output,
                      {"stdout": output, "stderr": "", "interrupted": False, "isImage": False,
                       "noOutputExpected": False})

    def write(self, path, content):
        self.tool("Write", {"file_path": path, "content": content},
                  f"File created successfully at: {path} (file state is current in your context — no need to Read it back)",
                  {"type": "create", "filePath": path, "content": content, "structuredPatch": [],
                   "originalFile": None, "userModified": False})

    def edit(self, path, old, new, original):
        self.tool("Edit", {"replace_all": False, "file_path": path, "old_string": old, "new_string": new},
                  f"The file {path} has been updated successfully. (file state is current in your context — no need to Read it back)",
                  {"filePath": path, "oldString": old, "newString": new, "originalFile": original,
                   "structuredPatch": [{"oldStart": 1, "oldLines": 1, "newStart": 1, "newLines": 1,
                                        "lines": ["-" + old, "+" + new]}],
                   "userModified": False, "replaceAll": False})

    def todo(self, todos):
        todos = [{"content": c, "status": s, "activeForm": c} for c, s in todos]
        self.tool("TodoWrite", {"todos": todos},
                  "Todos have been modified successfully. Ensure that you continue to use the todo list to track "
                  "your progress. Please proceed with the current tasks if applicable",
                  {"oldTodos": [], "newTodos": todos})

    def end_turn(self):
        if not self.agent:
            self.meta({"type": "last-prompt", "lastPrompt": self.last_prompt, "leafUuid": self.parent,
                       "sessionId": self.sid})

    def title(self, text):
        self.meta({"type": "ai-title", "aiTitle": text, "sessionId": self.sid})

    def save(self, path):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write("".join(line + "\n" for line in self.lines))
        os.chmod(path, 0o600)


def session(account, sid, cwd, start, build, branch="main"):
    t = Transcript(sid, cwd, start, branch)
    build(t)
    path = os.path.join(HERE, account, "projects", project_name(cwd), sid + ".jsonl")
    t.save(path)
    return t


# --- the sessions -------------------------------------------------------------------------------

G = "/home/u/gt"


def max_handoff(t):
    t.user("Take over the witness restart loop from the last session and hand it to the mayor.")
    t.say("I'll read what the witness logged before it restarted.")
    t.bash("gt log --rig gastown --since 2h | grep -c witness_restart", "Count witness restarts", "14")
    t.say("The witness restarted 14 times in two hours. Its patrol times out on the merge queue lock.")
    t.bash("gt mail send mayor -s 'witness restart loop: merge queue lock' -m 'Patrol times out waiting on "
           "the merge queue lock; 14 restarts in 2h. Details in the handoff bead.'",
           "Tell the mayor", "Mail sent to mayor (id m-5521)")
    t.say("Handed off: the mayor has the details, and the cause is the merge queue lock.")
    t.end_turn()
    t.title("Witness restart loop handoff")


def nux_migrate(t):
    t.user("Migrate the hooks from .claude/hooks.json to settings.json and write down the migration plan.")
    t.todo([("Write the migration plan", "in_progress"), ("Move the hooks", "pending"),
            ("Open a PR", "pending")])
    t.say("I'll write the migration plan first, so the next session can pick it up.")
    plan = ("# Hooks migration plan\n\n1. Copy every hook from .claude/hooks.json into settings.json `hooks`.\n"
            "2. Keep the old file one release, then delete it.\n3. SessionStart must still emit session_start.\n")
    t.write(f"{G}/gastown/polecats/nux/docs/migration-plan.md", plan)
    t.edit(f"{G}/gastown/polecats/nux/docs/migration-plan.md", "2. Keep the old file one release, then delete it.",
           "2. Keep the old file two releases (0.9 and 0.10), then delete it.", plan)
    t.bash("git add docs/migration-plan.md && git commit -m 'Add the hooks migration plan'",
           "Commit the plan", "[polecat/nux-hooks 3f9c2a1] Add the hooks migration plan\n 1 file changed, 5 insertions(+)")
    t.bash("git push -u origin polecat/nux-hooks", "Push the branch",
           "To github.com:gastown/gastown.git\n * [new branch]      polecat/nux-hooks -> polecat/nux-hooks\n"
           "branch 'polecat/nux-hooks' set up to track 'origin/polecat/nux-hooks'.")
    t.bash("gh pr create --title 'Hooks: migrate to settings.json' --body 'Plan: docs/migration-plan.md'",
           "Open the PR", "https://github.com/gastown/gastown/pull/417")
    t.todo([("Write the migration plan", "completed"), ("Move the hooks", "pending"),
            ("Open a PR", "completed")])
    t.say("The migration plan is in docs/migration-plan.md (commit 3f9c2a1), and PR #417 is open: "
          "https://github.com/gastown/gastown/pull/417. Moving the hooks themselves is still to do.")
    t.end_turn()
    t.meta({"type": "pr-link", "prNumber": 417, "prUrl": "https://github.com/gastown/gastown/pull/417",
            "prRepository": "gastown/gastown", "timestamp": t.tick(0), "sessionId": t.sid})
    t.title("Hooks migration plan and PR")


def mayor_investigate(t):
    t.user("Why does the witness keep restarting? Max says it is the merge queue lock.")
    t.bash("bd show gt-881", "Read the bead", "gt-881  witness restart loop  [open]  assignee: mayor")
    t.say("Confirmed: the patrol holds the merge queue lock while it waits on the refinery. "
          "I filed the fix for nux.")
    t.bash("bd create 'Patrol must not hold the merge queue lock while waiting' -p 1",
           "File the fix", "Created gt-902")
    t.end_turn()
    t.title("Witness restart loop")


def max_release(t):
    t.user("Draft the 0.9 release notes.")
    notes = "# 0.9\n\n- settings.json hooks (see docs/migration-plan.md)\n- bd sync --watch\n"
    t.write(f"{G}/gastown/crew/max/RELEASE-NOTES.md", notes)
    t.say("Drafted RELEASE-NOTES.md for 0.9.")
    t.end_turn()
    t.title("0.9 release notes")


def nux_flaky(t):
    t.user("The merge queue test is flaky, fix it.")
    t.bash("go test ./mq/... -run TestQueueOrder -count 20", "Reproduce",
           "--- FAIL: TestQueueOrder (0.02s)\n    queue_test.go:88: got [b a], want [a b]\nFAIL", code=1)
    t.say("It sorts by a map's iteration order. Sorting by enqueue time fixes it.")
    t.edit(f"{G}/gastown/polecats/nux/mq/queue.go", "for id := range q.items {",
           "for _, id := range q.order {", "for id := range q.items {\n")
    t.bash("go test ./mq/... -run TestQueueOrder -count 200", "Check the fix", "ok  \tgastown/mq\t0.412s")
    t.bash("git commit -am 'mq: iterate in enqueue order' && git push", "Commit and push",
           "[polecat/nux-mq 8d1e4b7] mq: iterate in enqueue order\n 1 file changed, 1 insertion(+), 1 deletion(-)")
    t.say("Fixed in 8d1e4b7: the queue now iterates in enqueue order; 200 runs pass.")
    t.end_turn()


def max_review(t):
    t.user("Review PR #412 please.")
    t.bash("gh pr view 412 --comments", "Read the PR", "title: bd: sync --watch\nstate: OPEN\n+214 -12")
    t.say("PR #412 looks right, one nit: the watch loop never backs off on errors.")
    t.end_turn()
    t.title("Review of PR #412")


def nux_witness(t):
    t.user("Investigate the witness restart loop from the refinery side.")
    t.say("The refinery never releases the lock when a merge fails: that is the other half of gt-881.")
    t.end_turn()


def witness_sync(t):
    t.user("Implement bd sync --watch.")
    t.todo([("Watch the beads dir", "completed"), ("Debounce writes", "in_progress"),
            ("Document --watch", "pending")])
    t.write(f"{G}/gastown/witness/cmd/bd/sync_watch.go", "package main\n\n// syncWatch re-syncs on every change.\n")
    t.bash("bd update gt-870 --status in_progress", "Claim the bead", "Updated gt-870")
    t.say("The watcher works; debouncing and the docs are left.")
    t.end_turn()


def mayor_triage(t):
    t.user("Triage the inbox.")
    t.say("Three mails: the witness loop (gt-881, nux has the fix), PR #412 (max reviewed), "
          "and the 0.9 notes (dave). Nothing else needs you.")
    t.end_turn()
    t.title("Inbox triage")


def dave_release(t):
    t.user("Finish the 0.9 release notes for beads.")
    t.write(f"{G}/beads/crew/dave/CHANGELOG.md", "## 0.9\n\n- sync --watch\n")
    t.bash("git commit -am 'Changelog for 0.9' && git tag v0.9.0", "Commit and tag",
           "[main 5c0ffee] Changelog for 0.9\n 1 file changed, 3 insertions(+)")
    t.say("CHANGELOG.md has the 0.9 entry, committed as 5c0ffee and tagged v0.9.0.")
    t.end_turn()


def ana_review(t):
    t.user("Review PR #412 from the wyvern side, and ask a subagent to check the tests.")
    asst_tool = "toolu_01" + uid(t.sid, "agent").replace("-", "")[:22]
    agent_id = "a" + uid(t.sid, "agent-id").replace("-", "")[:16]
    asst = t.assistant({"type": "tool_use", "id": asst_tool, "name": "Agent",
                        "input": {"description": "Check the tests", "prompt": "Run the sync tests of PR #412.",
                                  "subagent_type": "general-purpose"}}, "tool_use")
    report = "All 41 sync tests pass; none covers the error back-off."
    t.record({"promptId": t.prompt_id, "type": "user",
              "message": {"role": "user", "content": [{"tool_use_id": asst_tool, "type": "tool_result",
                                                       "content": [{"type": "text", "text": report}]}]},
              "toolUseResult": {"status": "completed", "prompt": "Run the sync tests of PR #412.",
                                "agentId": agent_id, "content": [{"type": "text", "text": report}]},
              "sourceToolAssistantUUID": asst}, parent=asst)
    t.say("Approved with one request: a test for the back-off. The subagent found none.")
    t.end_turn()
    t.title("PR #412 review (wyvern)")
    # The subagent's own transcript, in the session's sidecar.
    sub = Transcript(t.sid, t.cwd, "2026-01-22T08:36:00Z", t.branch, agent=agent_id)
    sub.prompt_id = t.prompt_id
    sub.record({"promptId": t.prompt_id, "type": "user",
                "message": {"role": "user", "content": "Run the sync tests of PR #412."}})
    sub.bash("go test ./sync/...", "Run the sync tests", "ok  \twyvern/sync\t1.204s")
    sub.say(report)
    side = os.path.join(HERE, "personal", "projects", project_name(t.cwd), t.sid, "subagents")
    sub.save(os.path.join(side, f"agent-{agent_id}.jsonl"))
    with open(os.path.join(side, f"agent-{agent_id}.meta.json"), "w") as f:
        f.write(dump({"agentType": "general-purpose", "description": "Check the tests",
                      "toolUseId": asst_tool, "spawnDepth": 1}))


def ana_triage(t):
    t.user("Triage the wyvern inbox.")
    t.say("Nothing urgent: two review requests, both for PR #412.")
    t.end_turn()


def ana_migrate(t):
    t.user("Migrate wyvern's hooks to settings.json like gastown did.")
    t.bash("cat ../../gastown/polecats/nux/docs/migration-plan.md", "Read gastown's plan",
           "No such file or directory", code=1)
    t.say("gastown's migration plan is not on this machine; I followed PR #417 instead.")
    t.end_turn()


def toast_review(t):
    t.user("Second review of PR #412.")
    t.say("Agree with ana: add the back-off test, then merge.")
    t.end_turn()


def toast_patrol(t):
    t.user("Patrol.")
    t.bash("gt patrol --rig wyvern", "Patrol", "all polecats healthy")
    t.say("All quiet.")
    t.end_turn()


def refinery(t):
    t.user("Merge the queue.")
    t.bash("gt mq run", "Run the merge queue", "merged 2, conflicts 0")
    t.say("Merged two branches.")
    t.end_turn()


def main():
    for account in ("work", "personal"):
        shutil.rmtree(os.path.join(HERE, account), ignore_errors=True)
    # work: the gastown rig, the mayor and beads.
    session("work", "5d9dc9f8-9531-40ed-ba38-36f681e74ef5", f"{G}/gastown/crew/max", "2026-01-22T08:13:55Z", max_handoff)
    session("work", "1a61dbe2-94e3-4923-a8e3-5f55301850c5", f"{G}/gastown/polecats/nux", "2026-01-22T08:50:12Z",
            nux_migrate, branch="polecat/nux-hooks")
    session("work", "74c9df6a-119a-4d70-85fd-451af1d69ed6", f"{G}/mayor", "2026-01-22T09:40:47Z", mayor_investigate)
    session("work", "2a96fb1a-72fd-466d-a32a-e2254720771f", f"{G}/gastown/crew/max", "2026-01-22T10:14:12Z", max_release)
    session("work", "1c2442f9-570d-499c-835d-000f1a358ca0", f"{G}/gastown/polecats/nux", "2026-01-22T11:11:20Z",
            nux_flaky, branch="polecat/nux-mq")
    session("work", "d5ab8b4d-a91c-41eb-ba39-c84563771407", f"{G}/gastown/crew/max", "2026-01-22T13:00:53Z", max_review)
    session("work", "2b855c1f-fe3c-4208-81c3-973f26b1cffc", f"{G}/gastown/polecats/nux", "2026-01-22T13:27:47Z", nux_witness)
    session("work", "8b5ab3ee-6b44-4d58-8863-e8f60f977044", f"{G}/gastown/witness", "2026-01-22T13:55:16Z", witness_sync)
    session("work", "c6c80e2b-1b29-4e21-a3db-3f9d0e8bec94", f"{G}/mayor", "2026-01-22T14:29:02Z", mayor_triage)
    session("work", "1f229dd0-6471-4712-9439-abd012926185", f"{G}/beads/crew/dave", "2026-01-22T14:58:07Z", dave_release)
    # personal: the wyvern rig and beads' refinery.
    session("personal", "953f48f1-f29d-40fd-a4ef-658c95e60af5", f"{G}/wyvern/crew/ana", "2026-01-22T08:35:07Z", ana_review)
    session("personal", "3bbbe9ea-0316-47c2-b530-2eae96d0cc5f", f"{G}/wyvern/crew/ana", "2026-01-22T10:29:59Z", ana_triage)
    session("personal", "ad1b72db-bd62-40dd-9d39-def8e647cb8f", f"{G}/wyvern/crew/ana", "2026-01-22T10:52:12Z", ana_migrate)
    session("personal", "43c71b9a-7a86-4d42-ac4a-842e29540a6e", f"{G}/wyvern/polecats/toast", "2026-01-22T11:43:52Z", toast_review)
    session("personal", "cda6c6fd-3a0b-4332-a120-5b067e26f36a", f"{G}/wyvern/polecats/toast", "2026-01-22T12:16:53Z", toast_patrol)
    session("personal", "ec66a787-7403-45c9-932f-cb5c3f98e277", f"{G}/beads/refinery", "2026-01-22T11:28:46Z", refinery)
    # Missing on purpose: 6b0a18e8 ab2cd31e d86f40f6 f47aebdd 70ac06ac 9b2bd6c0 (and mayor-4242,
    # which is not a Claude session id at all).

    # A stage left by a seance that was killed mid-talk: ana's review, linked into max's project
    # dir of the work account, with the index entry stage adds. `seance doctor` reports it and
    # `seance-gc --older-than` removes it. Relative, so that it survives a clone.
    ana = "953f48f1-f29d-40fd-a4ef-658c95e60af5"
    max_dir = os.path.join(HERE, "work", "projects", project_name(f"{G}/gastown/crew/max"))
    os.symlink(f"../../../personal/projects/{project_name(G + '/wyvern/crew/ana')}/{ana}.jsonl",
               os.path.join(max_dir, ana + ".jsonl"))
    os.symlink(f"../../../personal/projects/{project_name(G + '/wyvern/crew/ana')}/{ana}",
               os.path.join(max_dir, ana))
    index = {"version": 1, "entries": [
        {"sessionId": "5d9dc9f8-9531-40ed-ba38-36f681e74ef5",
         "fullPath": "/home/u/.claude-accounts/work/projects/-home-u-gt-gastown-crew-max/5d9dc9f8-9531-40ed-ba38-36f681e74ef5.jsonl",
         "fileMtime": 1769069700000, "firstPrompt": "Take over the witness restart loop from the last session and hand it to the mayor.",
         "summary": "Witness restart loop handoff", "messageCount": 7, "created": "2026-01-22T08:13:57.000Z",
         "modified": "2026-01-22T08:14:15.000Z", "gitBranch": "main", "projectPath": f"{G}/gastown/crew/max",
         "isSidechain": False},
        {"sessionId": ana, "fullPath": "/home/u/.claude-accounts/personal/projects/-home-u-gt-wyvern-crew-ana/{ana}.jsonl",
         "fileMtime": 1769070960000, "created": "2026-01-22T08:35:09.000Z", "modified": "2026-01-22T08:36:20.000Z",
         "projectPath": f"{G}/gastown/crew/max", "isSidechain": False,
         "firstPrompt": "Review PR #412 from the wyvern side, and ask a subagent to check the tests."},
    ], "originalPath": f"{G}/gastown/crew/max"}
    with open(os.path.join(max_dir, "sessions-index.json"), "w") as f:
        json.dump(index, f, indent=2)
        f.write("\n")
    # work keeps transcripts for years; personal has no settings.json, so the client's default of
    # 30 days applies, and `seance doctor` warns that the town's older sessions will vanish.
    with open(os.path.join(HERE, "work", "settings.json"), "w") as f:
        f.write('{\n  "cleanupPeriodDays": 100000\n}\n')


if __name__ == "__main__":
    main()
