//! A shell command line as an agent writes it for the Bash tool (`cd x && git commit -m "$(cat
//! <<'EOF' … EOF)"`), cut into simple commands of words with the quoting removed. It is not a
//! shell: it only needs to see which programs ran with which arguments, so expansions are kept
//! as written, redirections and here-document bodies are dropped, and anything it does not
//! understand ends up as words that match nothing, never as an error.

/// The simple commands of `line`, in order, each a list of words (quotes removed). The
/// commands inside `$(…)` are listed too, after the one that holds them.
pub fn simple_commands(line: &str) -> Vec<Vec<String>> {
    let mut scanner = Scanner { chars: line.chars().collect(), at: 0, commands: Vec::new() };
    scanner.scan(false);
    scanner.commands
}

/// The program a simple command runs: its first word that is not a `NAME=value` assignment,
/// without its directory, and the words after it.
pub fn program(words: &[String]) -> Option<(&str, &[String])> {
    let start = words.iter().position(|w| !is_assignment(w))?;
    let name = words[start].rsplit('/').next().unwrap_or(&words[start]);
    Some((name, &words[start + 1..]))
}

fn is_assignment(word: &str) -> bool {
    match word.split_once('=') {
        Some((name, _)) => {
            !name.is_empty()
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && !name.starts_with(|c: char| c.is_ascii_digit())
        }
        None => false,
    }
}

/// What the next finished word is for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Next {
    Word,
    /// The target of a redirection: dropped.
    Drop,
    /// A here-document's delimiter; `true` for `<<-` (leading tabs stripped).
    Delimiter(bool),
}

struct Scanner {
    chars: Vec<char>,
    at: usize,
    commands: Vec<Vec<String>>,
}

struct Words {
    words: Vec<String>,
    word: String,
    in_word: bool,
    next: Next,
    heredocs: Vec<(String, bool)>,
}

impl Words {
    fn end_word(&mut self) {
        if !self.in_word {
            return;
        }
        let word = std::mem::take(&mut self.word);
        self.in_word = false;
        match std::mem::replace(&mut self.next, Next::Word) {
            Next::Word => self.words.push(word),
            Next::Drop => {}
            Next::Delimiter(tabs) => self.heredocs.push((word, tabs)),
        }
    }
}

impl Scanner {
    fn peek(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.at + ahead).copied()
    }

    /// Scans simple commands until the end, or (for a `$(…)`) until its closing parenthesis.
    fn scan(&mut self, nested: bool) {
        let mut w = Words {
            words: Vec::new(),
            word: String::new(),
            in_word: false,
            next: Next::Word,
            heredocs: Vec::new(),
        };
        let mut depth = 0usize;
        let mut done: Vec<Vec<String>> = Vec::new();
        let end_command = |w: &mut Words, done: &mut Vec<Vec<String>>| {
            w.end_word();
            if !w.words.is_empty() {
                done.push(std::mem::take(&mut w.words));
            }
        };
        while let Some(c) = self.peek(0) {
            match c {
                ' ' | '\t' | '\r' => {
                    w.end_word();
                    self.at += 1;
                }
                '\n' => {
                    end_command(&mut w, &mut done);
                    self.at += 1;
                    for (delimiter, tabs) in std::mem::take(&mut w.heredocs) {
                        self.skip_heredoc(&delimiter, tabs);
                    }
                }
                '#' if !w.in_word => {
                    while self.peek(0).is_some_and(|c| c != '\n') {
                        self.at += 1;
                    }
                }
                ')' if nested && depth == 0 => {
                    self.at += 1;
                    break;
                }
                '&' if self.peek(1) == Some('>') => {
                    w.end_word();
                    self.at += 2;
                    if self.peek(0) == Some('>') {
                        self.at += 1;
                    }
                    w.next = Next::Drop;
                }
                ';' | '&' | '|' | '(' | ')' => {
                    end_command(&mut w, &mut done);
                    if c == '(' {
                        depth += 1;
                    } else if c == ')' {
                        depth = depth.saturating_sub(1);
                    }
                    self.at += 1;
                }
                '<' | '>' => {
                    // A file descriptor number before the operator (`2>&1`) is not a word.
                    if w.in_word && w.word.chars().all(|c| c.is_ascii_digit()) {
                        w.word.clear();
                        w.in_word = false;
                    } else {
                        w.end_word();
                    }
                    if c == '<' && self.peek(1) == Some('<') && self.peek(2) != Some('<') {
                        self.at += 2;
                        let tabs = self.peek(0) == Some('-');
                        if tabs {
                            self.at += 1;
                        }
                        w.next = Next::Delimiter(tabs);
                    } else {
                        self.at += 1;
                        while matches!(self.peek(0), Some('<' | '>' | '&' | '|')) {
                            self.at += 1;
                        }
                        w.next = Next::Drop;
                    }
                }
                '\'' => {
                    w.in_word = true;
                    self.at += 1;
                    while let Some(c) = self.peek(0) {
                        self.at += 1;
                        if c == '\'' {
                            break;
                        }
                        w.word.push(c);
                    }
                }
                '"' => {
                    w.in_word = true;
                    self.at += 1;
                    while let Some(c) = self.peek(0) {
                        match c {
                            '"' => {
                                self.at += 1;
                                break;
                            }
                            '\\' if matches!(self.peek(1), Some('"' | '\\' | '$' | '`')) => {
                                w.word.extend(self.peek(1));
                                self.at += 2;
                            }
                            '\\' if self.peek(1) == Some('\n') => self.at += 2,
                            '$' if self.peek(1) == Some('(') => self.substitution(&mut w.word),
                            '`' => self.backticks(&mut w.word),
                            _ => {
                                w.word.push(c);
                                self.at += 1;
                            }
                        }
                    }
                }
                '\\' => {
                    match self.peek(1) {
                        Some('\n') => {}
                        Some(next) => {
                            w.word.push(next);
                            w.in_word = true;
                        }
                        None => {}
                    }
                    self.at += 2;
                }
                '$' if self.peek(1) == Some('(') => {
                    w.in_word = true;
                    self.substitution(&mut w.word);
                }
                '`' => {
                    w.in_word = true;
                    self.backticks(&mut w.word);
                }
                _ => {
                    w.word.push(c);
                    w.in_word = true;
                    self.at += 1;
                }
            }
        }
        end_command(&mut w, &mut done);
        // Commands found inside a substitution were pushed while scanning it; put the outer
        // ones first so a command comes before what it holds.
        let inner = std::mem::take(&mut self.commands);
        self.commands = done;
        self.commands.extend(inner);
    }

    /// A `$(…)` inside a word: its raw text goes into the word, its commands into the list.
    fn substitution(&mut self, word: &mut String) {
        let start = self.at;
        self.at += 2;
        let outer = std::mem::take(&mut self.commands);
        self.scan(true);
        let inner = std::mem::replace(&mut self.commands, outer);
        self.commands.extend(inner);
        word.extend(&self.chars[start..self.at.min(self.chars.len())]);
    }

    fn backticks(&mut self, word: &mut String) {
        let start = self.at;
        self.at += 1;
        while let Some(c) = self.peek(0) {
            self.at += 1;
            if c == '\\' {
                self.at += 1;
            } else if c == '`' {
                break;
            }
        }
        word.extend(&self.chars[start..self.at.min(self.chars.len())]);
    }

    /// Skips a here-document's body, up to and including its delimiter line.
    fn skip_heredoc(&mut self, delimiter: &str, tabs: bool) {
        while self.at < self.chars.len() {
            let end = self.chars[self.at..]
                .iter()
                .position(|&c| c == '\n')
                .map_or(self.chars.len(), |n| self.at + n);
            let line: String = self.chars[self.at..end].iter().collect();
            self.at = (end + 1).min(self.chars.len());
            let line = if tabs { line.trim_start_matches('\t') } else { &line };
            if line == delimiter {
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmds(line: &str) -> Vec<Vec<&'static str>> {
        simple_commands(line)
            .into_iter()
            .map(|c| c.into_iter().map(|w| &*Box::leak(w.into_boxed_str())).collect())
            .collect()
    }

    #[test]
    fn operators_split_commands_and_quotes_are_removed() {
        assert_eq!(
            cmds(
                r#"cd /w && git -c user.name="joe smith" commit -qm 'Add plan' ; git log --oneline | head -3"#
            ),
            vec![
                vec!["cd", "/w"],
                vec!["git", "-c", "user.name=joe smith", "commit", "-qm", "Add plan"],
                vec!["git", "log", "--oneline"],
                vec!["head", "-3"],
            ]
        );
    }

    #[test]
    fn redirections_are_dropped() {
        assert_eq!(cmds("git push origin main 2>&1 >/tmp/x"), vec![vec!["git", "push", "origin", "main"]]);
        assert_eq!(cmds("make &> log.txt || echo no"), vec![vec!["make"], vec!["echo", "no"]]);
    }

    #[test]
    fn heredoc_in_a_substitution_keeps_the_message_whole() {
        let line = "git commit -m \"$(cat <<'EOF'\nFix it (don't ask)\n\ngit push nowhere\nEOF\n)\" && git push -u origin fix";
        let got = simple_commands(line);
        assert_eq!(got[0][0..2], ["git".to_string(), "commit".to_string()]);
        assert!(got[0][3].starts_with("$(cat <<'EOF'\nFix it (don't ask)"), "{:?}", got[0][3]);
        assert_eq!(got[1], ["git", "push", "-u", "origin", "fix"]);
        assert_eq!(got[2], ["cat"]);
        assert_eq!(got.len(), 3, "{got:?}");
    }

    #[test]
    fn heredoc_bodies_are_not_commands() {
        assert_eq!(
            cmds("cat > notes.txt <<EOF\ngit push origin x\nEOF\necho done"),
            vec![vec!["cat"], vec!["echo", "done"]]
        );
        assert_eq!(cmds("cat <<-END\n\tgh pr create\n\tEND\nls"), vec![vec!["cat"], vec!["ls"]]);
    }

    #[test]
    fn escapes_continuations_and_comments() {
        assert_eq!(
            cmds("gt mail send mayor/ \\\n  -s \"Done: \\\"x\\\"\" # tell the mayor\nls"),
            vec![vec!["gt", "mail", "send", "mayor/", "-s", "Done: \"x\""], vec!["ls"]]
        );
    }

    #[test]
    fn program_skips_assignments_and_directories() {
        let words: Vec<String> = ["GIT_PAGER=cat", "/usr/bin/git", "push"].map(String::from).to_vec();
        let (name, rest) = program(&words).unwrap();
        assert_eq!((name, rest), ("git", &words[2..]));
    }

    #[test]
    fn odd_input_never_panics() {
        for line in ["\"unclosed", "'unclosed", "$(", "`", "\\", "<<", "echo )))", "a <<EOF", "((", "2>"] {
            let _ = simple_commands(line);
        }
    }
}
