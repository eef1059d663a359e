//! The console reporter: a line per case, findings with expected vs actual (a line diff for
//! multi-line values), a progress bar on a terminal, and the closing summary line.

use std::io::Write;

use anstyle::{AnsiColor, Style};

use crate::check::{Finding, Severity};
use crate::run::result::{CaseResult, Summary, Verdict};
use crate::secrets::Secrets;

const GREEN: Style = AnsiColor::Green.on_default().bold();
const RED: Style = AnsiColor::Red.on_default().bold();
const YELLOW: Style = AnsiColor::Yellow.on_default().bold();
const DIM: Style = Style::new().dimmed();

/// A buffered stream for case lines: escape codes are stripped (when `choice` says so) before
/// the buffer, so a flush is one write. Over std's stdout alone every line is a write of its
/// own, and stripping splits a coloured line into several (two writes a case line).
pub fn buffered<W: Write + Send + 'static>(
    raw: W,
    choice: anstream::ColorChoice,
) -> anstream::AutoStream<Box<dyn Write + Send>> {
    anstream::AutoStream::new(
        Box::new(std::io::BufWriter::with_capacity(64 * 1024, raw)),
        choice,
    )
}

/// Which case lines the console prints (cargo-nextest's `--status-level`); the summary and the
/// recap of failures are always printed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum StatusLevel {
    /// No case line.
    None,
    /// Failed and errored cases (`-q`).
    Fail,
    /// Those and passed cases.
    Pass,
    /// Every case, skipped ones too (the default).
    #[default]
    All,
}

impl std::str::FromStr for StatusLevel {
    type Err = String;

    fn from_str(s: &str) -> Result<StatusLevel, String> {
        match s {
            "none" => Ok(StatusLevel::None),
            "fail" => Ok(StatusLevel::Fail),
            "pass" => Ok(StatusLevel::Pass),
            "all" => Ok(StatusLevel::All),
            _ => Err(format!("'{s}': expected none, fail, pass or all")),
        }
    }
}

impl StatusLevel {
    fn shows(self, v: Verdict) -> bool {
        let needs = match v {
            Verdict::Failed | Verdict::Errored => StatusLevel::Fail,
            Verdict::Passed => StatusLevel::Pass,
            Verdict::Skipped | Verdict::NotRun => StatusLevel::All,
        };
        self >= needs
    }
}

/// Writes case lines and the summary.
pub struct Console<W: Write> {
    out: W,
    redactor: Secrets,
    progress: Option<indicatif::ProgressBar>,
    /// Failed and errored cases, listed again under the summary (as nextest does), so a long
    /// run's failures need no scrolling.
    failures: Vec<(Verdict, String)>,
    /// Which case lines are printed.
    level: StatusLevel,
    /// Why cases were not run (the first reason), said once under the summary.
    not_run: Option<String>,
}

fn verdict_style(v: Verdict) -> Style {
    match v {
        Verdict::Passed => GREEN,
        Verdict::Failed | Verdict::Errored => RED,
        Verdict::Skipped | Verdict::NotRun => YELLOW,
    }
}

impl<W: Write> Console<W> {
    /// A console reporter; `progress` draws a bar on stderr (only when it is a terminal).
    pub fn new(out: W, redactor: Secrets, progress: Option<u64>) -> Console<W> {
        let progress = progress.map(|total| {
            let bar = indicatif::ProgressBar::with_draw_target(
                Some(total),
                indicatif::ProgressDrawTarget::stderr(),
            );
            if let Ok(style) = indicatif::ProgressStyle::with_template(
                "{bar:40} {pos}/{len} cases {elapsed} {msg}",
            ) {
                bar.set_style(style);
            }
            bar
        });
        Console {
            out,
            redactor,
            progress,
            failures: Vec::new(),
            level: StatusLevel::default(),
            not_run: None,
        }
    }

    /// Prints only the case lines at this level or above.
    pub fn with_level(mut self, level: StatusLevel) -> Console<W> {
        self.level = level;
        self
    }

    /// Under a progress bar, the text reaches the terminal at once (the bar is redrawn around
    /// it); otherwise it waits in the writer's buffer until [`Console::flush`].
    fn emit(&mut self, text: &str) {
        let text = self.redactor.scrub(text);
        match &self.progress {
            Some(bar) => bar.suspend(|| {
                let _ = self.out.write_all(text.as_bytes());
                let _ = self.out.flush();
            }),
            None => {
                let _ = self.out.write_all(text.as_bytes());
            }
        }
    }

    /// Counts one more finished case on the progress bar, when there is one.
    fn advance(&self) {
        if let Some(bar) = &self.progress {
            bar.inc(1);
        }
    }

    /// Sends what is written so far on (the runner calls it whenever it has no more events at
    /// hand, so a buffered writer costs one write a burst of cases, not one a case).
    pub fn flush(&mut self) {
        let _ = self.out.flush();
    }

    /// One case.
    pub fn case(&mut self, r: &CaseResult) {
        // A case that never started gets no line of its own (the summary counts them), as
        // nextest does not list the tests a cancelled run did not start.
        if r.verdict == Verdict::NotRun {
            if self.not_run.is_none() {
                self.not_run.clone_from(&r.skip_reason);
            }
            self.advance();
            return;
        }
        if matches!(r.verdict, Verdict::Failed | Verdict::Errored) {
            self.failures.push((r.verdict, r.id.clone()));
            if let Some(bar) = &self.progress {
                bar.set_message(format!("{} failed", self.failures.len()));
            }
        }
        if !self.level.shows(r.verdict) {
            self.advance();
            return;
        }
        let style = verdict_style(r.verdict);
        let mut text = format!(
            "{style}{:>5}{style:#} {DIM}[{:>6} ms]{DIM:#} {}",
            r.verdict.label(),
            r.duration_ms,
            r.id
        );
        if r.flaky {
            text.push_str(&format!(" {YELLOW}(flaky: passed on retry){YELLOW:#}"));
        }
        if let Some(reason) = &r.skip_reason {
            text.push_str(&format!(" {DIM}({reason}){DIM:#}"));
        }
        // A passing case whose only news is new snapshots says so on its own line, briefly.
        let is_new =
            |f: &Finding| f.check == crate::check::CheckKind::Snapshot && f.actual == "none yet";
        let news: Vec<&Finding> = r.steps.iter().flat_map(|s| &s.findings).collect();
        if r.verdict == Verdict::Passed
            && !news.is_empty()
            && news.iter().all(|f| is_new(f))
            && r.steps.iter().all(|s| s.error.is_none())
        {
            text.push_str(&format!(
                " {YELLOW}({} new snapshot{} pending){YELLOW:#}\n",
                news.len(),
                if news.len() == 1 { "" } else { "s" }
            ));
            self.emit(&text);
            self.advance();
            return;
        }
        text.push('\n');
        if matches!(r.verdict, Verdict::Failed | Verdict::Errored) {
            if let Some(d) = &r.description {
                text.push_str(&format!("      {DIM}rule:{DIM:#} {}\n", d.trim()));
            }
        }
        for step in &r.steps {
            let worth = step.error.is_some() || !step.findings.is_empty();
            if !worth {
                continue;
            }
            text.push_str(&format!(
                "      {} ({}) at {}:{}\n",
                step.name, step.operation, r.file, step.line
            ));
            if let Some(e) = &step.error {
                text.push_str(&format!("        {RED}error{RED:#}: {e}\n"));
            }
            for f in &step.findings {
                text.push_str(&finding(f));
            }
        }
        // An undo that failed errs the case though every step passed: say which and why.
        for m in r.mutations.iter().filter(|m| !m.restored) {
            text.push_str(&format!(
                "      {RED}undo failed{RED:#}: {} {}: {}\n",
                m.resource.kind, m.resource.id, m.detail
            ));
        }
        self.emit(&text);
        self.advance();
    }

    /// A notice that is not about one case (a selection warning).
    pub fn notice(&mut self, text: &str) {
        self.emit(&format!("{YELLOW}warning{YELLOW:#}: {text}\n"));
    }

    /// What the gate policy made of the failures: regressions, known, fixed, quarantined,
    /// expired entries, entries to remove. Nothing without a policy.
    pub fn gate(&mut self, o: &super::gate::Outcome) {
        let mut text = String::new();
        let mut list = |label: String, notes: &[super::gate::Note]| {
            for n in notes {
                let detail = if n.detail.is_empty() {
                    String::new()
                } else {
                    format!(": {}", n.detail)
                };
                text.push_str(&format!("{label} {}{detail}\n", n.case));
            }
        };
        if o.baseline {
            list(format!("{RED}REGRESSION{RED:#}"), &o.blocking);
            list(format!("{YELLOW}KNOWN{YELLOW:#}"), &o.known);
            list(format!("{GREEN}FIXED{GREEN:#}"), &o.fixed);
        }
        list(format!("{YELLOW}QUARANTINED{YELLOW:#}"), &o.quarantined);
        if !o.baseline {
            list(format!("{RED}EXPIRED{RED:#}"), &o.expired);
        }
        list(format!("{YELLOW}UNQUARANTINE{YELLOW:#}"), &o.unquarantine);
        if o.baseline || o.quarantine {
            let excused = o.known.len() + o.quarantined.len();
            text.push_str(&if o.blocking.is_empty() {
                format!("{GREEN}gate passed{GREEN:#}: {excused} failure(s) excused by the baseline or quarantine\n")
            } else {
                format!(
                    "{RED}gate failed{RED:#}: {} failure(s) not excused ({excused} excused)\n",
                    o.blocking.len()
                )
            });
        }
        self.emit(&text);
        let _ = self.out.flush();
    }

    /// A plain line.
    pub fn notice_plain(&mut self, text: &str) {
        self.emit(&format!("{text}\n"));
    }

    /// A retry notice.
    pub fn retry(&mut self, case: &str, attempt: u32, reason: &str) {
        self.emit(&format!(
            "{YELLOW}RETRY{YELLOW:#} {case}: attempt {attempt} got {reason}\n"
        ));
    }

    /// The closing line.
    pub fn summary(&mut self, s: &Summary) {
        if let Some(bar) = self.progress.take() {
            bar.finish_and_clear();
        }
        let style = if s.failed + s.errored > 0 { RED } else { GREEN };
        let mut text = String::new();
        if s.aborted {
            text.push_str(&format!(
                "{RED}aborted{RED:#}: interrupted; teardown steps were run\n"
            ));
        }
        if s.flaky > 0 {
            text.push_str(&format!("{} flaky (passed only on retry)\n", s.flaky));
        }
        if let Some(why) = self.not_run.as_deref().filter(|_| s.not_run > 0) {
            let why = why.strip_prefix("not run: ").unwrap_or(why);
            text.push_str(&format!(
                "{YELLOW}{} not run{YELLOW:#} ({why})\n",
                s.not_run
            ));
        }
        if !self.failures.is_empty() {
            self.failures.sort_by(|a, b| a.1.cmp(&b.1));
            text.push_str(&format!(
                "{RED}failures{RED:#} ({}):\n",
                self.failures.len()
            ));
            for (verdict, id) in &self.failures {
                let style = verdict_style(*verdict);
                text.push_str(&format!("{style}{:>5}{style:#} {id}\n", verdict.label()));
            }
        }
        text.push_str(&format!(
            "{style}{}{style:#} {DIM}in {:.2}s{DIM:#}\n",
            s.line(),
            s.duration_ms as f64 / 1000.0
        ));
        self.emit(&text);
        let _ = self.out.flush();
    }
}

/// One finding, with a line diff when expected and actual span lines.
fn finding(f: &Finding) -> String {
    let (mark, style) = match f.severity {
        Severity::Failure => ("✗", RED),
        Severity::Warning => ("!", YELLOW),
    };
    let check = f.check.name();
    let at = if f.pointer.is_empty() {
        String::new()
    } else {
        format!(" {}", f.pointer)
    };
    let mut text = format!(
        "        {style}{mark}{style:#} [{check}]{at}: {}\n",
        f.message
    );
    // A new snapshot is news, not a failure to explain: one line is enough.
    if f.check == crate::check::CheckKind::Snapshot && f.actual == "none yet" {
        return format!("        {style}{mark}{style:#} [snapshot] {}\n", f.message);
    }
    let pretty = |s: &str| {
        serde_json::from_str::<serde_json::Value>(s)
            .ok()
            .filter(|v| v.is_object() || v.is_array())
            .and_then(|v| serde_json::to_string_pretty(&v).ok())
            .unwrap_or_else(|| s.to_string())
    };
    let (expected, actual) = (pretty(&f.expected), pretty(&f.actual));
    if expected.contains('\n') || actual.contains('\n') {
        let diff = similar::TextDiff::from_lines(&expected, &actual);
        for change in diff.iter_all_changes() {
            let (sign, s) = match change.tag() {
                similar::ChangeTag::Delete => ("-", RED),
                similar::ChangeTag::Insert => ("+", GREEN),
                similar::ChangeTag::Equal => (" ", DIM),
            };
            text.push_str(&format!(
                "          {s}{sign} {}{s:#}\n",
                change.value().trim_end_matches('\n')
            ));
        }
    } else {
        text.push_str(&format!(
            "          expected: {expected}\n          actual:   {actual}\n"
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::run::ledger::{Mutation, Resource};

    /// An errored case whose steps all passed says why: the undo that failed, and its detail.
    #[test]
    fn an_errored_case_shows_the_undo_that_failed() {
        let mut out = Vec::new();
        let mut console = Console::new(&mut out, Secrets::default(), None);
        let mut r = CaseResult::skipped("svc/x/success", "x.yaml", "svc.create_x", "");
        r.skip_reason = None;
        r.verdict = Verdict::Errored;
        let resource = |id: &str| Resource {
            kind: "svc.x.v1".into(),
            collection: "xs".into(),
            project: "p".into(),
            id: id.into(),
            base_url: "http://127.0.0.1:1".into(),
            params: Default::default(),
        };
        r.mutations = vec![
            Mutation {
                resource: resource("gone"),
                restored: true,
                detail: "deleted and verified".into(),
            },
            Mutation {
                resource: resource("x1"),
                restored: false,
                detail: "DELETE /v1/p/xs/x1: status 400".into(),
            },
        ];
        console.case(&r);
        drop(console);
        let text = String::from_utf8_lossy(&out).into_owned();
        // Colour codes wrap the label (the stream strips them where it must).
        assert!(text.contains("undo failed"), "{text}");
        assert!(
            text.contains(": svc.x.v1 x1: DELETE /v1/p/xs/x1: status 400"),
            "{text}"
        );
        assert!(!text.contains("gone"), "a verified undo is no news: {text}");
    }
}
