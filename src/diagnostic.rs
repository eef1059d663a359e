//! One positioned-error type for every input conform reads (case files, config, vars files,
//! pages, fixtures, flags) and one renderer for all of them, in the shape of rustc and Hurl:
//!
//! ```text
//! error: unknown operation 'evs.update_snapshots.v2' (did you mean 'evs.update_snapshot.v2'?)
//!  --> cases/op.yaml:1:12
//!   |
//! 1 | operation: evs.update_snapshots.v2
//!   |            ^
//! ```
//!
//! Libraries build [`Diagnostic`]s; only the binary's edge renders them.

use std::fmt;
use std::path::{Path, PathBuf};

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

/// Where in a file a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    /// 1-based line.
    pub line: usize,
    /// 1-based column (in characters).
    pub column: usize,
}

/// One problem with an input, with where it is and what would fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The file, as the user named it (None: a flag or the command line).
    pub file: Option<PathBuf>,
    /// The position (None: the whole file).
    pub position: Option<Position>,
    /// What is wrong, in plain words.
    pub message: String,
    /// How to fix it, when known.
    pub help: Option<String>,
}

impl Diagnostic {
    /// A problem that is not in a file (a flag, the command line).
    pub fn plain(message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            file: None,
            position: None,
            message: message.into(),
            help: None,
        }
    }

    /// A problem with a whole file (unreadable, not UTF-8, duplicate).
    pub fn file(file: impl Into<PathBuf>, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            file: Some(file.into()),
            position: None,
            message: message.into(),
            help: None,
        }
    }

    /// A problem at a line and column of a file; a line of 0 means the whole file.
    pub fn at(
        file: impl Into<PathBuf>,
        line: usize,
        column: usize,
        message: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic {
            file: Some(file.into()),
            position: (line > 0).then_some(Position {
                line,
                column: column.max(1),
            }),
            message: message.into(),
            help: None,
        }
    }

    /// Adds a hint on how to fix it.
    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    /// `file:line:column` (or `file` for the whole file), as editors and CI annotations read it.
    pub fn location(&self) -> Option<String> {
        let file = self.file.as_ref()?.display().to_string();
        Some(match self.position {
            Some(p) => format!("{file}:{}:{}", p.line, p.column),
            None => file,
        })
    }

    /// The rendered text: title, location, the source line with a caret, and the help. The
    /// source line is read from the file when it can be; when it cannot, the location alone
    /// is shown.
    pub fn render(&self, color: bool) -> String {
        let source = match (&self.file, self.position) {
            (Some(f), Some(p)) => source_line(f, p.line),
            _ => None,
        };
        let renderer = if color {
            Renderer::styled()
        } else {
            Renderer::plain()
        };
        let title = Level::ERROR.primary_title(self.message.as_str());
        let mut groups = Vec::new();
        match (&self.file, self.position, &source) {
            (Some(f), Some(p), Some(line)) => {
                let start = byte_offset(line, p.column);
                let end = next_char_end(line, start);
                let path = f.display().to_string();
                groups.push(
                    title.element(
                        Snippet::source(line.clone())
                            .line_start(p.line)
                            .path(path)
                            .annotation(AnnotationKind::Primary.span(start..end)),
                    ),
                );
                finish(&renderer, groups, self.help.as_deref())
            }
            (Some(_), _, _) => {
                let mut text = renderer.render(&[Group::with_title(title)]).to_string();
                text.push('\n');
                let loc = self.location().unwrap_or_default();
                let what = if self.position.is_some() {
                    ""
                } else {
                    " (the whole file)"
                };
                text.push_str(&format!(" --> {loc}{what}"));
                if let Some(h) = &self.help {
                    text.push_str(&format!("\n  = help: {h}"));
                }
                text
            }
            (None, _, _) => {
                groups.push(Group::with_title(title));
                finish(&renderer, groups, self.help.as_deref())
            }
        }
    }
}

fn finish(renderer: &Renderer, groups: Vec<Group<'_>>, help: Option<&str>) -> String {
    let mut text = renderer.render(&groups).to_string();
    if let Some(h) = help {
        text.push_str(&format!("\n  = help: {h}"));
    }
    text
}

/// The text of one line of a file (without its newline), or None if it cannot be read.
fn source_line(file: &Path, line: usize) -> Option<String> {
    // Files over 16 MiB are not read again just to show a line.
    let meta = std::fs::metadata(file).ok()?;
    if meta.len() > 16 << 20 {
        return None;
    }
    let text = std::fs::read(file).ok()?;
    let text = String::from_utf8_lossy(&text);
    text.lines()
        .nth(line.checked_sub(1)?)
        .map(|l| l.trim_end_matches('\r').replace('\t', "    "))
}

/// The byte offset of a 1-based character column, clamped to the line.
fn byte_offset(line: &str, column: usize) -> usize {
    line.char_indices()
        .nth(column.saturating_sub(1))
        .map_or(line.len(), |(i, _)| i)
}

fn next_char_end(line: &str, start: usize) -> usize {
    line[start..]
        .chars()
        .next()
        .map_or(start, |c| start + c.len_utf8())
}

impl fmt::Display for Diagnostic {
    /// One line: `file:line:column: message` (logs, JUnit, the JSON report).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.location() {
            Some(loc) => write!(f, "{loc}: {}", self.message),
            None => write!(f, "{}", self.message),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn renders_the_source_line_with_a_caret_under_the_column() {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        writeln!(f, "operation: x\nsteps:\n  - 快: y").unwrap();
        let d = Diagnostic::at(f.path(), 3, 5, "unknown field '快'").with_help("remove it");
        let text = d.render(false);
        let path = f.path().display().to_string();
        assert!(text.starts_with("error: unknown field '快'"), "{text}");
        assert!(text.contains(&format!("{path}:3:5")), "{text}");
        assert!(text.contains("3 |   - 快: y"), "{text}");
        let caret = text.lines().find(|l| l.contains('^')).unwrap();
        // The caret sits under the fifth character of the source line.
        let src = text.lines().find(|l| l.contains("- 快")).unwrap();
        assert_eq!(caret.find('^').unwrap(), src.find('快').unwrap(), "{text}");
        assert!(text.contains("help: remove it"), "{text}");
    }

    #[test]
    fn whole_file_problems_say_file_not_zero_zero() {
        let d = Diagnostic::at("cases/a.yaml", 0, 0, "not UTF-8");
        let text = d.render(false);
        assert!(text.contains("cases/a.yaml (the whole file)"), "{text}");
        assert!(!text.contains(":0:0"), "{text}");
        assert_eq!(d.to_string(), "cases/a.yaml: not UTF-8");
    }

    #[test]
    fn an_unreadable_file_still_shows_the_location() {
        let d = Diagnostic::at("/nonexistent/x.yaml", 4, 2, "bad");
        let text = d.render(false);
        assert!(text.contains("/nonexistent/x.yaml:4:2"), "{text}");
    }

    #[test]
    fn plain_problems_are_one_line() {
        let text = Diagnostic::plain("--jobs must be at least 1").render(false);
        assert_eq!(text.trim(), "error: --jobs must be at least 1");
    }
}
