//! Reports read the runner's events; they never change a verdict. Every writer scrubs secrets.
//!
//! [`Reporters`] fans each event out to the console and to every file report asked for, as
//! nextest's reporter does; [`gate::exit_code`] is the one rule from a run's outcome (its
//! summary and what the gate policy made of its failures) to the process's code. `conform
//! report merge` ([`merge`]) feeds cases read back from shard reports through the same writers.

pub mod console;
pub mod coverage;
pub mod diff;
pub mod gate;
pub mod html;
pub mod json;
pub mod jsonl;
pub mod junit;
pub mod markdown;
pub mod merge;
pub mod model;
pub mod scorecard;
pub mod shard;
pub mod verbose;

use std::io::Write;
use std::path::{Path, PathBuf};

pub use gate::exit_code;

use crate::diagnostic::Diagnostic;
use crate::error::Error;
use crate::run::result::{Event, Summary};
use crate::secrets::Secrets;
use model::StoredCase;

/// A finished run as the summary writers (Markdown, HTML) see it.
pub struct Finished<'a> {
    /// The target's name.
    pub target: &'a str,
    /// The shard, when the run was one.
    pub shard: Option<&'a str>,
    /// Every case, sorted by id.
    pub cases: &'a [StoredCase],
    /// Totals.
    pub summary: &'a Summary,
    /// What the gate policy made of the failures.
    pub gate: &'a gate::Outcome,
    /// The exit code.
    pub exit_code: i32,
    /// Scrubs secrets from the text written.
    pub redactor: &'a Secrets,
    /// The rule-coverage matrix of the run, where computed.
    pub coverage: Option<&'a crate::report::coverage::Coverage>,
}

/// The report files a run was asked for.
#[derive(Debug, Clone, Default)]
pub struct Outputs {
    /// `--report-json`: one document, renamed into place when complete.
    pub json: Option<PathBuf>,
    /// `--report-jsonl`: a record a line, streamed.
    pub jsonl: Option<PathBuf>,
    /// `--report-junit`: JUnit XML, renamed into place when complete.
    pub junit: Option<PathBuf>,
    /// `--report-markdown`: the summary people read (also appended to `$GITHUB_STEP_SUMMARY`).
    pub markdown: Option<PathBuf>,
    /// `--report-html`: one self-contained page.
    pub html: Option<PathBuf>,
}

impl Outputs {
    /// Checks the paths before anything runs: no `-` (reports are files, the console is
    /// stdout) and no two reports on one path (the second would overwrite the first).
    pub fn check(&self) -> Result<(), Error> {
        let all = [
            ("--report-json", &self.json),
            ("--report-jsonl", &self.jsonl),
            ("--report-junit", &self.junit),
            ("--report-markdown", &self.markdown),
            ("--report-html", &self.html),
        ];
        let mut seen: Vec<(&str, &PathBuf)> = Vec::new();
        for (flag, path) in all {
            let Some(p) = path else { continue };
            if p.as_os_str() == "-" {
                return Err(Error::bad(format!(
                    "{flag} -: reports are written to files (the console output is on stdout); give a path"
                )));
            }
            // What a killed run left half-written beside it goes.
            json::remove_stale_temps(p);
            // Found now rather than once every case has run (JUnit, Markdown and HTML are
            // written at the end).
            if p.is_dir() {
                return Err(Error::bad(format!(
                    "{flag} {}: is a folder; give a file path",
                    p.display()
                )));
            }
            let folder = p.parent().filter(|f| !f.as_os_str().is_empty());
            if let Some(folder) = folder.filter(|f| !f.is_dir()) {
                return Err(Error::bad(format!(
                    "{flag} {}: no such folder {}",
                    p.display(),
                    folder.display()
                )));
            }
            if let Some((other, _)) = seen.iter().find(|(_, q)| *q == p) {
                return Err(Error::bad(format!(
                    "{flag} {}: {other} writes there too; give each report its own path",
                    p.display()
                )));
            }
            seen.push((flag, p));
        }
        Ok(())
    }

    /// Writes every requested report for a run that could not start, each holding one error
    /// entry that says why, so a CI step uploading them finds them.
    pub fn write_error(&self, target: &str, error: &Error, code: i32, redactor: &Secrets) {
        let (message, record) = error_record(error, code);
        let summary = Summary {
            aborted: code == crate::exit_code::UNREACHABLE,
            ..Summary::default()
        };
        if let Some(p) = &self.json {
            if let Ok(j) = json::JsonReport::create(p, target, redactor.clone()) {
                let mut extra = serde_json::Map::new();
                extra.insert("error".into(), record.clone());
                let _ = j.finish(&summary, &extra, code);
            }
        }
        if let Some(p) = &self.jsonl {
            if let Ok(mut j) = jsonl::JsonlReport::create(p, target, redactor.clone()) {
                let _ = j.record("error", &record);
                let _ = j.finish(&summary, code);
            }
        }
        if let Some(p) = &self.junit {
            let mut j = junit::JunitReport::new(target, redactor.clone());
            j.error("conform", &message);
            let _ = j.write(p);
        }
        if self.markdown.is_some() || self.html.is_some() {
            let doc = Finished {
                target,
                shard: None,
                cases: &[],
                summary: &summary,
                gate: &gate::Outcome::default(),
                exit_code: code,
                redactor,
                coverage: None,
            };
            if let Some(p) = &self.markdown {
                let text = format!("{}\n```\n{message}\n```\n", markdown::render(&doc));
                let _ = json::write_atomic(p, redactor.scrub(&text).as_bytes());
                let _ = markdown::append_step_summary(&redactor.scrub(&text));
            }
            if let Some(p) = &self.html {
                let page = with_error(html::render(&doc), &message, &doc);
                let _ = json::write_atomic(p, page.as_bytes());
            }
        }
    }

    /// Writes the reports that need every case at once (JUnit, Markdown, HTML) and appends the
    /// Markdown to `$GITHUB_STEP_SUMMARY`; the run and `report merge` both end here. Each is
    /// written whatever became of the others: what could not be written is returned, one
    /// message each, to be reported beside the results rather than instead of them.
    pub fn write_whole(&self, doc: &Finished<'_>, error: Option<&str>) -> Vec<String> {
        let mut failed = Vec::new();
        let mut io = |flag: &str, p: &Path, r: std::io::Result<()>| {
            if let Err(e) = r {
                failed.push(format!("{flag} {}: {e}", p.display()));
            }
        };
        if let Some(p) = &self.junit {
            let mut j = junit::JunitReport::new(doc.target, doc.redactor.clone());
            let excused: std::collections::BTreeMap<&str, String> = doc
                .gate
                .quarantined
                .iter()
                .map(|n| (n.case.as_str(), format!("quarantined: {}", n.detail)))
                .chain(doc.gate.known.iter().map(|n| {
                    (
                        n.case.as_str(),
                        "a known failure (the baseline has it)".to_string(),
                    )
                }))
                .collect();
            for c in doc.cases {
                j.case(c, excused.get(c.id.as_str()).map(String::as_str));
            }
            if let Some(e) = error {
                j.error("conform", e);
            }
            io("--report-junit", p, j.write(p));
        }
        if let Some(p) = &self.html {
            let mut page = html::render(doc);
            if let Some(e) = error {
                page = with_error(page, e, doc);
            }
            io("--report-html", p, json::write_atomic(p, page.as_bytes()));
        }
        let wants_step_summary =
            std::env::var_os("GITHUB_STEP_SUMMARY").is_some_and(|v| !v.is_empty());
        if self.markdown.is_some() || wants_step_summary {
            let mut text = markdown::render(doc);
            if let Some(e) = error {
                text = format!("{text}\n```\n{}\n```\n", doc.redactor.scrub(e));
            }
            if let Some(p) = &self.markdown {
                io(
                    "--report-markdown",
                    p,
                    json::write_atomic(p, text.as_bytes()),
                );
            }
            if let Err(e) = markdown::append_step_summary(&text) {
                failed.push(format!("GITHUB_STEP_SUMMARY: {e}"));
            }
        }
        failed
    }
}

/// The page with a section saying why the run could not start (no case ran) or stopped,
/// escaped, just before its end: bad input found before or while cases ran.
fn with_error(page: String, message: &str, doc: &Finished<'_>) -> String {
    let heading = if doc.cases.is_empty() {
        "The run could not start"
    } else {
        "The run stopped on bad input"
    };
    let why = format!(
        "<section id=\"error\"><h2>{heading}</h2><pre>{}</pre></section>",
        doc.redactor
            .scrub(message)
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    );
    match page.rfind("</body>") {
        Some(i) => format!("{}{why}{}", &page[..i], &page[i..]),
        None => page + &why,
    }
}

/// An error as the reports record it: its message (every problem, one a line) and the JSON
/// entry (`kind`, `message`, and each problem with its file and position).
fn error_record(error: &Error, code: i32) -> (String, serde_json::Value) {
    let diagnostics = error.diagnostics();
    let message = diagnostics
        .iter()
        .map(Diagnostic::to_string)
        .collect::<Vec<_>>()
        .join("\n");
    let record = serde_json::json!({
        "kind": match code {
            crate::exit_code::UNREACHABLE => "unreachable",
            _ => "bad_input",
        },
        "message": message,
        "problems": diagnostics.iter().map(|d| serde_json::json!({
            "file": d.file.as_ref().map(|f| f.display().to_string()),
            "line": d.position.map(|p| p.line),
            "column": d.position.map(|p| p.column),
            "message": d.message,
        })).collect::<Vec<_>>(),
    });
    (message, record)
}

/// Events rendered between two flushes of the console, at most.
const EVENT_BURST: usize = 256;

/// How long events gather after a burst is rendered: a line reaches the console at most this
/// much later, and the thread that renders wakes (and writes) once a pause rather than once a
/// case, which on a 2-core machine running thousands of cases a second is CPU the runner and
/// the target share.
const GATHER: std::time::Duration = std::time::Duration::from_millis(2);

/// Every reporter of a run, fed the same events.
pub struct Reporters<W: Write> {
    /// The console.
    pub console: console::Console<W>,
    /// `-v` / `-vv`: each case's exchanges on stderr.
    verbose: Option<verbose::Verbose>,
    json: Option<json::JsonReport>,
    jsonl: Option<jsonl::JsonlReport>,
    outputs: Outputs,
    target: String,
    shard: Option<String>,
    plan: Option<String>,
    max_skipped: Option<gate::MaxSkipped>,
    redactor: Secrets,
    policy: gate::Policy,
    /// Every case in the stored shape: the gate, JUnit, Markdown and HTML need them all at the end.
    cases: Vec<StoredCase>,
    write_error: Option<String>,
    /// The contract's rules and what each selected case exercises, for the coverage section.
    coverage: Option<(
        Vec<crate::contract::rules::Rule>,
        Vec<crate::report::coverage::CaseInfo>,
    )>,
}

impl<W: Write> Reporters<W> {
    /// Opens the file reports (an unwritable path is an error before anything is sent). The
    /// policy decides which failures fail the gate; `shard` is recorded in the reports.
    pub fn open(
        outputs: &Outputs,
        target: &str,
        redactor: &Secrets,
        console: console::Console<W>,
        policy: gate::Policy,
        shard: Option<String>,
    ) -> Result<Reporters<W>, Error> {
        let json = match &outputs.json {
            Some(p) => Some(
                json::JsonReport::create(p, target, redactor.clone())
                    .map_err(|e| Error::Io(format!("--report-json {}: {e}", p.display())))?,
            ),
            None => None,
        };
        let jsonl = match &outputs.jsonl {
            Some(p) => Some(
                jsonl::JsonlReport::create(p, target, redactor.clone())
                    .map_err(|e| Error::Io(format!("--report-jsonl {}: {e}", p.display())))?,
            ),
            None => None,
        };
        Ok(Reporters {
            console,
            verbose: None,
            json,
            jsonl,
            outputs: outputs.clone(),
            target: target.to_string(),
            shard,
            plan: None,
            max_skipped: None,
            redactor: redactor.clone(),
            policy,
            cases: Vec::new(),
            write_error: None,
            coverage: None,
        })
    }

    /// Renders one event everywhere.
    pub fn event(&mut self, event: &Event) {
        match event {
            Event::CaseFinished(r) => {
                if let Some(v) = &mut self.verbose {
                    v.case(r);
                }
                self.console.case(r);
                if let Some(j) = &mut self.json {
                    if let Err(e) = j.case(r) {
                        self.write_error
                            .get_or_insert(format!("--report-json: {e}"));
                    }
                }
                if let Some(j) = &mut self.jsonl {
                    if let Err(e) = j.case(r) {
                        self.write_error
                            .get_or_insert(format!("--report-jsonl: {e}"));
                    }
                }
                if self.outputs.html.is_none() {
                    self.cases.push(StoredCase::slim_from(r));
                } else {
                    match StoredCase::from_result(r) {
                        Ok(c) => self.cases.push(c),
                        Err(e) => {
                            self.write_error
                                .get_or_insert(format!("case {}: {e}", r.id));
                        }
                    }
                }
            }
            Event::Retry {
                case,
                attempt,
                reason,
            } => self.console.retry(case, *attempt, reason),
            Event::Notice(text) => self.console.notice(text),
            Event::RunStarted { .. } => {}
        }
    }

    /// Renders events until every sender is gone, in bursts, flushing the console after each:
    /// the first event after a quiet spell is rendered at once, and those that follow it
    /// gather for [`GATHER`] (a buffered console, [`console::buffered`], writes once a burst).
    pub async fn drain(&mut self, events: &mut tokio::sync::mpsc::UnboundedReceiver<Event>) {
        let mut burst = Vec::with_capacity(EVENT_BURST);
        while events.recv_many(&mut burst, EVENT_BURST).await > 0 {
            for event in burst.drain(..) {
                self.event(&event);
            }
            self.console.flush();
            if events.len() < EVENT_BURST {
                tokio::time::sleep(GATHER).await;
            }
        }
    }

    /// Adds the `-v` / `-vv` reporter: each finished case's exchanges, written to `out`.
    pub fn with_verbose(&mut self, level: verbose::Verbosity, out: Box<dyn Write + Send>) {
        if level != verbose::Verbosity::Quiet {
            self.verbose = Some(verbose::Verbose::new(out, level, self.redactor.clone()));
        }
    }

    /// `--max-skipped`: a run that skipped more fails the gate.
    pub fn with_max_skipped(&mut self, max: Option<gate::MaxSkipped>) {
        self.max_skipped = max;
    }

    /// Records the fingerprint of the plan a shard was cut from ([`crate::report::shard::fingerprint`]).
    pub fn with_plan(&mut self, plan: String) {
        self.plan = Some(plan);
    }

    /// Adds a rule-coverage section to the JSON reports: every documented rule, the cases that
    /// exercise it, and what this run observed.
    pub fn with_coverage(
        &mut self,
        rules: Vec<crate::contract::rules::Rule>,
        cases: Vec<crate::report::coverage::CaseInfo>,
    ) {
        self.coverage = Some((rules, cases));
    }

    fn coverage_matrix(&self) -> Option<crate::report::coverage::Coverage> {
        let (rules, infos) = self.coverage.as_ref()?;
        let verdicts = crate::report::coverage::verdicts(
            self.cases.iter().map(|c| (c.id.as_str(), c.verdict)),
        );
        // The run's own traffic: what its requests and answers exercised.
        let mut traffic = crate::report::coverage::Traffic::new();
        for c in &self.cases {
            for r in c.steps.iter().flat_map(|s| &s.rules) {
                crate::report::coverage::record(&mut traffic, r, &c.id);
            }
        }
        Some(crate::report::coverage::coverage(
            rules,
            infos,
            &verdicts,
            Some(&traffic),
        ))
    }

    /// Closes every report and returns the exit code the gate decides (the one rule, in
    /// [`gate::exit_code`]). `late` is bad input found after cases ran (a broken case file read
    /// while others were sent): the reports hold every case that ran and the error beside
    /// them, and the run ends with the error's code. A report that cannot be written is said
    /// beside the others, which are still written: the error then is [`Error::Reported`], so
    /// nothing is written over them.
    pub fn finish(mut self, summary: &Summary, late: Option<Error>) -> Result<i32, Error> {
        self.cases.sort_by(|a, b| a.id.cmp(&b.id));
        let outcome = self
            .policy
            .judge(self.cases.iter().map(|c| (c.id.as_str(), c.verdict)));
        // A run that skipped everything it selected checked nothing: bad input, as a selection
        // that matched nothing is.
        let reasons: Vec<Option<&str>> = self
            .cases
            .iter()
            .map(|c| c.skip_reason.as_deref())
            .collect();
        let late = late.or_else(|| gate::all_skipped(summary, &reasons).map(Error::bad));
        let mut code = match &late {
            Some(e) => e.exit_code(),
            None => gate::exit_code(summary, &outcome),
        };
        let total = self.cases.len();
        if let Some(max) = self
            .max_skipped
            .filter(|m| m.exceeded(summary.skipped, total))
        {
            self.console.notice(&format!(
                "gate: {} of {total} cases skipped, more than --max-skipped allows ({})",
                summary.skipped,
                match max {
                    gate::MaxSkipped::Count(n) => n.to_string(),
                    gate::MaxSkipped::Percent(p) => format!("{p}%"),
                }
            ));
            if code == crate::exit_code::OK {
                code = crate::exit_code::FAILED;
            }
        }
        let late_record = late.as_ref().map(|e| error_record(e, code));
        let coverage = self.coverage_matrix();
        let coverage_json = coverage.as_ref().and_then(|c| serde_json::to_value(c).ok());
        self.console.summary(summary);
        self.console.gate(&outcome);
        let mut failed: Vec<String> = self.write_error.take().into_iter().collect();
        if let Some(j) = self.json.take() {
            let mut extra = serde_json::Map::new();
            if let Some(s) = &self.shard {
                extra.insert("shard".into(), serde_json::Value::String(s.clone()));
            }
            if let Some(plan) = &self.plan {
                extra.insert("plan".into(), serde_json::Value::String(plan.clone()));
            }
            if outcome.baseline || outcome.quarantine {
                extra.insert(
                    "gate".into(),
                    serde_json::to_value(&outcome).unwrap_or_default(),
                );
            }
            if let Some(c) = &coverage_json {
                extra.insert("coverage".into(), c.clone());
            }
            if let Some((_, record)) = &late_record {
                extra.insert("error".into(), record.clone());
            }
            if let Err(e) = j.finish(summary, &extra, code) {
                failed.push(format!("--report-json: {e}"));
            }
        }
        if let Some(mut j) = self.jsonl.take() {
            let records = coverage_json
                .iter()
                .map(|c| ("coverage", c))
                .chain(late_record.iter().map(|(_, r)| ("error", r)));
            let mut written = Ok(());
            for (kind, record) in records {
                written = written.and_then(|()| j.record(kind, record));
            }
            if let Err(e) = written.and_then(|()| j.finish(summary, code)) {
                failed.push(format!("--report-jsonl: {e}"));
            }
        }
        failed.extend(self.outputs.write_whole(
            &Finished {
                target: &self.target,
                shard: self.shard.as_deref(),
                cases: &self.cases,
                summary,
                gate: &outcome,
                exit_code: code,
                redactor: &self.redactor,
                coverage: coverage.as_ref(),
            },
            late_record.as_ref().map(|(m, _)| m.as_str()),
        ));
        // Only bad input comes late, and an output that cannot be written is bad input too.
        let mut problems: Vec<Diagnostic> = late.map(|e| e.diagnostics()).unwrap_or_default();
        problems.extend(
            failed
                .into_iter()
                .map(|f| Diagnostic::plain(format!("cannot write {f}"))),
        );
        if problems.is_empty() {
            Ok(code)
        } else {
            Err(Error::Reported(Box::new(Error::BadInput(problems))))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A console writer the test reads while the drain runs.
    #[derive(Clone, Default)]
    struct Shared(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

    impl Shared {
        fn text(&self) -> String {
            String::from_utf8_lossy(&self.0.lock().expect("buffer")).into_owned()
        }
    }

    impl Write for Shared {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().expect("buffer").extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    // The clock is paused and the sender never idles, so no time passes: an event rendered
    // only after a pause (of any length) would never show.
    #[tokio::test(start_paused = true)]
    async fn the_drain_renders_a_lone_event_at_once_and_every_event_that_gathers_after_it() {
        let out = Shared::default();
        let console = console::Console::new(out.clone(), Secrets::default(), None);
        let mut reporters = Reporters::open(
            &Outputs::default(),
            "t",
            &Secrets::default(),
            console,
            gate::Policy::default(),
            None,
        )
        .expect("reporters");
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let sender = async {
            tx.send(Event::Notice("first".into())).expect("send");
            let mut polls = 0;
            while !out.text().contains("first") {
                polls += 1;
                assert!(polls < 100, "a lone event waited for company");
                tokio::task::yield_now().await;
            }
            // More than a burst, sent while the drain gathers.
            for i in 0..(EVENT_BURST * 2 + 7) {
                tx.send(Event::Notice(format!("n{i}"))).expect("send");
            }
            drop(tx);
        };
        tokio::join!(reporters.drain(&mut rx), sender);
        let text = out.text();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), EVENT_BURST * 2 + 8, "{text}");
        assert!(lines[0].ends_with("first"), "{}", lines[0]);
        for (i, line) in lines[1..].iter().enumerate() {
            assert!(line.ends_with(&format!(" n{i}")), "{line}");
        }
    }
}
