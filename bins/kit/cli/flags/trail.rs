//! Flags of seance-trail.

use super::store;
use crate::cli::{Complete, Flag};
use crate::core::trail::Kind;

#[derive(Debug, Default)]
pub struct TrailArgs {
    pub kinds: Vec<Kind>,
    pub path: Option<String>,
    pub last: bool,
    pub limit: usize,
}

pub const KIND: Flag = Flag::value("kind", "KIND", "Only this kind of trail record (repeatable, or a,b)", |a, v| {
    a.trail.kinds.extend(v.choices::<Kind>()?);
    Ok(())
})
.doc(
    "write and edit: files (Write; Edit, MultiEdit, NotebookEdit). command: Bash commands. commit, push, \
    branch, pr, bead, mail: what those commands' own output (or, for branch and mail, the command line of \
    one that succeeded) says was made. todo: the session's todo list as its last change left it (TodoWrite, or \
    TaskCreate and TaskUpdate in 2.1.x clients), with what was still pending.",
)
.complete(Complete::Choices(Kind::NAMES));

pub const PATH: Flag = Flag::value("path", "GLOB", "Only writes and edits of paths matching GLOB", |a, v| {
    store(&mut a.trail.path, v.text()?)
})
.doc(
    "* and ? stay within a path component, ** crosses them, [a-z] is a class. A GLOB without / \
            matches the file name (plan.md, *.md); one with / matches the end of the path (notes/*.md), or \
            the whole path when it starts with /.",
)
.complete(Complete::File);

pub const LAST: Flag =
    Flag::switch("last", "Only the latest record per path (writes, edits) or per kind (the rest)", |a| {
        a.trail.last = true
    })
    .doc("Latest means from the newest session that has one, and the last in it.");

pub const TRAIL_LIMIT: Flag = Flag::value("limit", "N", "Stop after N records (0: no limit)", |a, v| {
    a.trail.limit = v.number()?;
    Ok(())
})
.short('n');
