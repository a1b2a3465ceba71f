//! Path globs for `seance-trail --path`: `*` and `?` stay within one path component, `**`
//! crosses them, `[abc]`/`[a-z]`/`[!x]` match one character. A glob without a `/` matches a
//! file name anywhere (`plan.md`, `*.md`); one with a `/` that does not start with `/` matches
//! the end of a path at a component boundary (`notes/*.md`), so relative globs find the
//! absolute paths agents write. Written here rather than pulled in: this is all of it.

pub struct Glob {
    pattern: Vec<char>,
    anchored: bool,
}

impl Glob {
    pub fn new(pattern: &str) -> Glob {
        let pattern = pattern.trim_end_matches('/');
        Glob { anchored: pattern.starts_with('/'), pattern: pattern.chars().collect() }
    }

    pub fn matches(&self, path: &str) -> bool {
        let path: Vec<char> = path.chars().collect();
        if self.anchored {
            return matches(&self.pattern, &path);
        }
        // Every suffix that starts a component: the whole path, and after each '/'.
        std::iter::once(0)
            .chain(path.iter().enumerate().filter(|(_, c)| **c == '/').map(|(i, _)| i + 1))
            .any(|start| matches(&self.pattern, &path[start..]))
    }
}

/// Classic wildcard matching with memo-free backtracking bounded by the last star: linear in
/// practice for the short patterns people type.
fn matches(pattern: &[char], text: &[char]) -> bool {
    let (mut p, mut t) = (0, 0);
    // Where to resume after a `*` (pattern index after it, text index it has eaten up to) and
    // whether it may cross '/'.
    let mut star: Option<(usize, usize, bool)> = None;
    while t < text.len() {
        if p < pattern.len() {
            match pattern[p] {
                '*' => {
                    let double = pattern.get(p + 1) == Some(&'*');
                    p += if double { 2 } else { 1 };
                    // `**/` also matches no directory at all.
                    if double && pattern.get(p) == Some(&'/') && matches(&pattern[p + 1..], &text[t..]) {
                        return true;
                    }
                    star = Some((p, t, double));
                    continue;
                }
                '?' if text[t] != '/' => {
                    p += 1;
                    t += 1;
                    continue;
                }
                '[' => match class(&pattern[p..], text[t]) {
                    Some((true, len)) => {
                        p += len;
                        t += 1;
                        continue;
                    }
                    None if text[t] == '[' => {
                        p += 1;
                        t += 1;
                        continue;
                    }
                    _ => {}
                },
                c if c == text[t] => {
                    p += 1;
                    t += 1;
                    continue;
                }
                _ => {}
            }
        }
        match star {
            Some((sp, st, double)) if double || text[st] != '/' => {
                star = Some((sp, st + 1, double));
                p = sp;
                t = st + 1;
            }
            _ => return false,
        }
    }
    pattern[p..].iter().all(|&c| c == '*')
}

/// Whether `c` is in the class at the start of `pattern`, and the class's length; `None` when
/// the `[` does not start a class (then it is a plain character).
fn class(pattern: &[char], c: char) -> Option<(bool, usize)> {
    let mut i = 1;
    let negate = matches!(pattern.get(1), Some('!' | '^'));
    if negate {
        i += 1;
    }
    let mut hit = false;
    let mut first = true;
    while let Some(&p) = pattern.get(i) {
        if p == ']' && !first {
            return Some((hit != negate && c != '/', i + 1));
        }
        first = false;
        if pattern.get(i + 1) == Some(&'-') && pattern.get(i + 2).is_some_and(|&e| e != ']') {
            hit |= (p..=pattern[i + 2]).contains(&c);
            i += 3;
        } else {
            hit |= p == c;
            i += 1;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::Glob;

    fn m(glob: &str, path: &str) -> bool {
        Glob::new(glob).matches(path)
    }

    #[test]
    fn names_match_anywhere() {
        assert!(m("plan.md", "/home/u/gt/notes/plan.md"));
        assert!(m("*.md", "/home/u/gt/notes/plan.md"));
        assert!(!m("*.md", "/home/u/gt/notes/plan.mdx"));
        assert!(!m("plan.md", "/home/u/gt/notes/myplan.md"));
    }

    #[test]
    fn relative_globs_match_a_path_end() {
        assert!(m("notes/*.md", "/home/u/gt/notes/plan.md"));
        assert!(!m("notes/*.md", "/home/u/gt/notes/sub/plan.md"));
        assert!(m("notes/**/*.md", "/home/u/gt/notes/sub/plan.md"));
        assert!(m("notes/**/*.md", "/home/u/gt/notes/plan.md"));
        assert!(!m("otes/*.md", "/home/u/gt/notes/plan.md"));
    }

    #[test]
    fn anchored_globs_match_whole_paths() {
        assert!(m("/home/**/plan.md", "/home/u/gt/notes/plan.md"));
        assert!(!m("/home/*/plan.md", "/home/u/gt/notes/plan.md"));
        assert!(m("/home/u/gt/notes/", "/home/u/gt/notes"));
    }

    #[test]
    fn classes_and_question_marks() {
        assert!(m("plan-v[0-9].md", "/w/plan-v2.md"));
        assert!(!m("plan-v[!0-9].md", "/w/plan-v2.md"));
        assert!(m("pl?n.md", "/w/plan.md"));
        assert!(m("[", "/w/["));
    }
}
