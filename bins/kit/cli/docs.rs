//! `seance --generate DIR` (hidden, for the build): writes everything a reader sees besides
//! `--help` from the flag tables: the man pages, the completion scripts, and README.md's table
//! of flags. A test regenerates them and fails when the committed files differ.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;

use crate::cli::Tool;
use crate::cli::man;
use crate::cli::shell::SHELLS;
use crate::core::error::{Code, Error, Result};

const README_START: &str =
    "<!-- flags: written by `seance --generate .` from the flag tables; do not edit -->";
const README_END: &str = "<!-- /flags -->";

pub fn generate(root: &Path, tools: &[&Tool]) -> Result<Code> {
    for tool in tools {
        write(root, &format!("man/man1/{}.1", tool.name), &man::page(tool, tools))?;
    }
    for shell in SHELLS {
        write(root, shell.completion_file(), &shell.completion(tools))?;
    }
    let readme = root.join("README.md");
    if let Ok(text) = fs::read_to_string(&readme) {
        let (Some(start), Some(end)) = (text.find(README_START), text.find(README_END)) else {
            return Err(Error::failure(format!(
                "{}: no {README_START} ... {README_END} markers",
                readme.display()
            )));
        };
        let updated = format!("{}{README_START}\n{}{}", &text[..start], readme_table(tools), &text[end..]);
        write(root, "README.md", &updated)?;
    }
    Ok(Code::Success)
}

fn write(root: &Path, relative: &str, text: &str) -> Result<()> {
    let path = root.join(relative);
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).map_err(|e| Error::io("create", dir.display(), e))?;
    }
    fs::write(&path, text).map_err(|e| Error::io("write", path.display(), e))
}

/// One row per tool: its flags as they are spelled on the command line.
fn readme_table(tools: &[&Tool]) -> String {
    let mut out = String::from("| tool | flags |\n|---|---|\n");
    for tool in tools {
        let flags: Vec<String> = tool
            .flags
            .iter()
            .map(|flag| {
                let mut names = flag.names().trim().to_string();
                if !flag.aliases.is_empty() {
                    let aliases: Vec<String> = flag.aliases.iter().map(|a| format!("--{a}")).collect();
                    let _ = write!(names, " (also {})", aliases.join(", "));
                }
                format!("`{}`", names.replace('|', "\\|"))
            })
            .collect();
        let _ = writeln!(out, "| `{}` | {} |", tool.name, flags.join(" "));
    }
    out
}
