//! The agent of a talk is a command line (`--agent 'claude --model opus'`, `$SEANCE_AGENT`),
//! split as a shell splits words and found before anything is staged.

use crate::talk::setup;

#[test]
fn the_agent_is_a_command_line_split_like_a_shell() {
    let s = setup();
    let agent = format!("'{}' --model opus --append-system-prompt \"be brief\"", s.agent.display());
    let run =
        s.w.tool("seance")
            .args(["--talk", &s.id[..8], "--agent", &agent, "-p", "where?"])
            .env("SEANCE_TEST_RECORD", &s.record)
            .env("SEANCE_TEST_LINK", &s.link)
            .run();
    assert_eq!(run.code, 0, "{}", run.stderr);
    let record = std::fs::read_to_string(&s.record).unwrap();
    assert!(
        record.starts_with(&format!(
            "args: [--model] [opus] [--append-system-prompt] [be brief] [--fork-session] [--resume] [{}] [-p] [where?]\n",
            s.id
        )),
        "{record}"
    );
    assert!(record.contains("link=yes"), "{record}");
    s.cleaned_up();
    // The same from the environment.
    std::fs::remove_file(&s.record).unwrap();
    let run =
        s.w.tool("seance")
            .args(["--talk", &s.id[..8]])
            .env("SEANCE_AGENT", format!("{} --model opus", s.agent.display()))
            .env("SEANCE_TEST_RECORD", &s.record)
            .env("SEANCE_TEST_LINK", &s.link)
            .run();
    assert_eq!(run.code, 0, "{}", run.stderr);
    let record = std::fs::read_to_string(&s.record).unwrap();
    assert!(record.starts_with("args: [--model] [opus] [--fork-session]"), "{record}");
    s.cleaned_up();
}

#[test]
fn a_missing_or_malformed_agent_stops_before_anything_is_staged() {
    let s = setup();
    let talk = |agent: Option<&str>, env: Option<&str>| {
        let mut tool = s.w.tool("seance").args(["--talk", &s.id[..8]]).env("PATH", "/nonexistent");
        if let Some(agent) = agent {
            tool = tool.args(["--agent", agent]);
        }
        if let Some(env) = env {
            tool = tool.env("SEANCE_AGENT", env);
        }
        let run = tool.run().code(2);
        assert_eq!(run.stdout, "");
        // Nothing was staged, so nothing was summoned.
        assert!(!s.link.exists() && !s.w.target().exists(), "{}", run.stderr);
        run.stderr
    };
    assert_eq!(
        talk(None, None),
        "seance: agent 'claude': not found on PATH; install Claude Code (npm install -g \
         @anthropic-ai/claude-code, or see https://docs.anthropic.com/en/docs/claude-code) or name another \
         agent with --agent CMD or $SEANCE_AGENT\n"
    );
    assert_eq!(talk(Some("claude --model opus"), None).lines().count(), 1);
    assert_eq!(
        talk(None, Some("klaude --model opus")),
        "seance: agent 'klaude' (from $SEANCE_AGENT): not found on PATH\n"
    );
    assert_eq!(
        talk(Some("claude | tee log"), None),
        "seance: agent command 'claude | tee log' (from --agent): '|' needs a shell; put the command in a script\n"
    );
    assert_eq!(
        talk(Some("'claude"), None),
        "seance: agent command ''claude' (from --agent): a single quote is not closed\n"
    );
    assert_eq!(talk(Some("  "), None), "seance: the agent command (from --agent) is empty\n");
}
