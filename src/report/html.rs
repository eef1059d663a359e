//! The HTML report: one self-contained page (inline style and script, nothing fetched), a row per
//! case, filterable by status, each row expandable to its requests, responses, findings and
//! snapshot diffs.
//!
//! Rows are plain HTML, so every case shows even without script. The details of a case live in
//! one JSON block and are rendered into the page only when the row is expanded: a suite of
//! thousands of cases stays light, and the details are built with `textContent`, never parsed
//! as HTML. Opening the page with `#expand=<case id>` expands that case (a link to a failure);
//! `#status=failed,errored` shows only those statuses, as the checkboxes do.

use serde::Serialize;

use super::model::StoredCase;
use super::Finished;
use crate::run::result::Verdict;

#[derive(Serialize)]
struct Detail<'a> {
    id: &'a str,
    description: Option<&'a str>,
    skip_reason: Option<&'a str>,
    steps: Vec<StepDetail<'a>>,
}

#[derive(Serialize)]
struct StepDetail<'a> {
    name: &'a str,
    operation: &'a str,
    error: Option<&'a str>,
    request: Option<String>,
    response: Option<String>,
    findings: Vec<FindingDetail>,
}

#[derive(Serialize)]
struct FindingDetail {
    check: String,
    severity: String,
    pointer: String,
    message: String,
    diff: Vec<(char, String)>,
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn name_of<T: Serialize>(v: T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// Request and response texts longer than this are cut in the page (the JSON report holds them
/// whole): a suite sending large bodies would otherwise make a page too heavy to open.
const SHOWN_BYTES: usize = 16 * 1024;

fn cut(mut text: String) -> String {
    if text.len() > SHOWN_BYTES {
        let mut at = SHOWN_BYTES;
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        let more = text.len() - at;
        text.truncate(at);
        text.push_str(&format!(
            "\n… {more} more bytes not shown (the JSON report holds them)"
        ));
    }
    text
}

fn detail(c: &StoredCase) -> Detail<'_> {
    Detail {
        id: &c.id,
        description: c.description.as_deref(),
        skip_reason: c.skip_reason.as_deref(),
        steps: c
            .steps
            .iter()
            .map(|s| StepDetail {
                name: &s.name,
                operation: &s.operation,
                error: s.error.as_deref(),
                request: s.request.as_ref().map(|r| {
                    let mut t = format!("{} {}\n", r.method, r.url);
                    for (k, v) in &r.headers {
                        t.push_str(&format!("{k}: {v}\n"));
                    }
                    if let Some(b) = &r.body {
                        t.push('\n');
                        t.push_str(b);
                    }
                    cut(t)
                }),
                response: s.response.as_ref().map(|r| {
                    let mut t = format!("{}\n", r.status);
                    for (k, v) in &r.headers {
                        t.push_str(&format!("{k}: {v}\n"));
                    }
                    t.push('\n');
                    match &r.json {
                        Some(j) => t.push_str(
                            &serde_json::to_string_pretty(j).unwrap_or_else(|_| r.body.clone()),
                        ),
                        None => t.push_str(&r.body),
                    }
                    cut(t)
                }),
                findings: s
                    .findings
                    .iter()
                    .map(|f| FindingDetail {
                        check: name_of(f.check),
                        severity: name_of(f.severity),
                        pointer: f.pointer.clone(),
                        message: f.message.clone(),
                        diff: super::diff::lines(f),
                    })
                    .collect(),
            })
            .collect(),
    }
}

const STYLE: &str = r#"
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
h1{font-size:1.3em} .verdict-0{color:#1a7f37} .verdict-1,.verdict-2,.verdict-3{color:#cf222e}
table{border-collapse:collapse;width:100%} td,th{padding:.3em .6em;border-bottom:1px solid #ddd;text-align:left;vertical-align:top}
tr.case{cursor:pointer} tr.case:hover{background:#f6f8fa}
.st{font-weight:600} .passed .st{color:#1a7f37} .failed .st,.errored .st{color:#cf222e} .skipped .st,.not_run .st{color:#9a6700}
.filters label{margin-right:1em} pre{background:#f6f8fa;padding:.5em;overflow:auto;white-space:pre-wrap}
.diff .del{background:#ffebe9;color:#82071e;display:block} .diff .ins{background:#dafbe1;color:#116329;display:block} .diff .eq{color:#666;display:block}
.finding{margin:.3em 0} .warning{color:#9a6700} .gate li{margin:.2em 0}
"#;

const SCRIPT: &str = r#"
(function(){
  var data = JSON.parse(document.getElementById('conform-data').textContent);
  var byId = {}; data.forEach(function(d){ byId[d.id] = d; });
  function el(tag, cls, text){ var e = document.createElement(tag); if(cls) e.className = cls; if(text !== undefined && text !== null) e.textContent = text; return e; }
  function render(d){
    var box = el('div', 'body'); box.setAttribute('data-case', d.id);
    if(d.description) box.appendChild(el('p', 'rule', 'Rule: ' + d.description));
    if(d.skip_reason) box.appendChild(el('p', 'skip', 'Skipped: ' + d.skip_reason));
    d.steps.forEach(function(s){
      box.appendChild(el('h4', null, s.name + ' (' + s.operation + ')'));
      if(s.error) box.appendChild(el('p', 'error', 'error: ' + s.error));
      s.findings.forEach(function(f){
        var fd = el('div', 'finding ' + f.severity);
        fd.appendChild(el('div', null, '[' + f.check + '] ' + (f.pointer ? f.pointer + ': ' : '') + f.message));
        var pre = el('pre', 'diff');
        f.diff.forEach(function(l){
          var cls = l[0] === '-' ? 'del' : (l[0] === '+' ? 'ins' : 'eq');
          pre.appendChild(el('span', cls, l[0] + ' ' + l[1]));
        });
        fd.appendChild(pre); box.appendChild(fd);
      });
      if(s.request){ box.appendChild(el('div', null, 'Request')); box.appendChild(el('pre', 'request', s.request)); }
      if(s.response){ box.appendChild(el('div', null, 'Response')); box.appendChild(el('pre', 'response', s.response)); }
    });
    return box;
  }
  function toggle(row, open){
    var next = row.nextElementSibling;
    var isOpen = next && next.classList.contains('detail');
    if(open === undefined) open = !isOpen;
    if(open && !isOpen){
      var tr = el('tr', 'detail'); var td = el('td'); td.colSpan = 5;
      td.appendChild(render(byId[row.getAttribute('data-case')])); tr.appendChild(td);
      row.parentNode.insertBefore(tr, row.nextSibling); row.setAttribute('aria-expanded', 'true');
    } else if(!open && isOpen){ next.remove(); row.setAttribute('aria-expanded', 'false'); }
  }
  document.querySelectorAll('tr.case').forEach(function(row){
    row.addEventListener('click', function(){ toggle(row); });
  });
  function filter(){
    var shown = {};
    document.querySelectorAll('.filters input').forEach(function(i){ shown[i.value] = i.checked; });
    document.querySelectorAll('tr.case').forEach(function(row){
      var hide = !shown[row.getAttribute('data-status')];
      row.hidden = hide;
      var next = row.nextElementSibling;
      if(next && next.classList.contains('detail')) next.hidden = hide;
    });
  }
  document.querySelectorAll('.filters input').forEach(function(i){ i.addEventListener('change', filter); });
  function fromHash(){
    var h = decodeURIComponent(location.hash.slice(1));
    if(h.indexOf('status=') === 0){
      var want = h.slice(7).split(',');
      document.querySelectorAll('.filters input').forEach(function(i){ i.checked = want.indexOf(i.value) >= 0; });
      filter(); return;
    }
    if(h.indexOf('expand=') !== 0) return;
    var id = h.slice(7);
    document.querySelectorAll('tr.case').forEach(function(row){
      if(row.getAttribute('data-case') === id){ toggle(row, true); row.scrollIntoView(); }
    });
  }
  window.addEventListener('hashchange', fromHash); fromHash();
})();
"#;

/// Renders the page.
pub fn render(doc: &Finished<'_>) -> String {
    let s = doc.summary;
    let g = doc.gate;
    // Failures the gate excuses say so on their row.
    let excused: std::collections::BTreeMap<&str, &str> = g
        .quarantined
        .iter()
        .map(|n| (n.case.as_str(), "QUARANTINED"))
        .chain(g.known.iter().map(|n| (n.case.as_str(), "KNOWN")))
        .collect();
    // What needs a look comes first: failures that fail the gate, then excused ones, then the
    // rest, each in id order.
    let rank = |c: &StoredCase| match (c.verdict, excused.contains_key(c.id.as_str())) {
        (Verdict::Failed | Verdict::Errored, false) => 0,
        (Verdict::Failed | Verdict::Errored, true) => 1,
        _ => 2,
    };
    let mut ordered: Vec<&StoredCase> = doc.cases.iter().collect();
    ordered.sort_by_key(|c| rank(c));
    let mut rows = String::new();
    for c in ordered {
        let status = name_of(c.verdict);
        let label = match excused.get(c.id.as_str()) {
            Some(e) if rank(c) == 1 => e,
            _ => c.verdict.label(),
        };
        rows.push_str(&format!(
            "<tr class=\"case {status}\" data-status=\"{status}\" data-case=\"{id}\" aria-expanded=\"false\"><td class=\"st\">{label}</td><td>{id}</td><td>{op}</td><td>{desc}</td><td>{ms} ms</td></tr>\n",
            id = escape(&c.id),
            op = escape(&c.operation),
            desc = escape(c.description.as_deref().unwrap_or_default()),
            ms = c.duration_ms,
        ));
    }
    let mut gate = String::new();
    let mut sections: Vec<(&str, &Vec<super::gate::Note>)> = Vec::new();
    if g.baseline {
        sections.push(("Regressions (fail the gate)", &g.blocking));
        sections.push(("Known failures (in the baseline)", &g.known));
        sections.push(("Fixed since the baseline", &g.fixed));
    }
    sections.push((
        "Quarantined failures (do not fail the gate)",
        &g.quarantined,
    ));
    sections.push(("Expired quarantine entries (fail the gate)", &g.expired));
    sections.push((
        "Quarantined cases that pass (remove their entries)",
        &g.unquarantine,
    ));
    for (title, notes) in sections {
        if notes.is_empty() {
            continue;
        }
        gate.push_str(&format!(
            "<h3>{title} ({})</h3><ul class=\"gate\">",
            notes.len()
        ));
        for n in notes {
            gate.push_str(&format!(
                "<li><a href=\"#expand={id}\">{id}</a> {d}</li>",
                id = escape(&n.case),
                d = escape(&n.detail)
            ));
        }
        gate.push_str("</ul>");
    }
    if let Some(cov) = doc.coverage {
        gate.push_str(&format!(
            "<h3>Rule coverage: {:.1}%</h3><table class=\"coverage\"><thead><tr><th>operation</th><th>rules</th><th>covered</th><th>held</th><th>broken</th><th>%</th></tr></thead><tbody>",
            cov.percent
        ));
        for o in &cov.operations {
            gate.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{:.1}</td></tr>",
                escape(&o.operation),
                o.rules,
                o.covered,
                o.held,
                o.broken,
                o.percent
            ));
        }
        gate.push_str("</tbody></table>");
    }
    let details: Vec<Detail<'_>> = doc.cases.iter().map(detail).collect();
    // `</script` or `<!--` inside the data would end or derail the script element; JSON
    // spells `<` as `\u003c` just as well, and `<` only ever occurs inside strings.
    let data = serde_json::to_string(&details)
        .unwrap_or_else(|_| "[]".into())
        .replace('<', "\\u003c");
    let verdict = match doc.exit_code {
        0 => "passed",
        1 => "failed",
        _ => "could not finish",
    };
    let checkbox = |v: Verdict, n: usize| {
        let name = name_of(v);
        format!("<label><input type=\"checkbox\" value=\"{name}\" checked> {name} ({n})</label>")
    };
    let page = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\
<title>conform: {verdict}</title><style>{STYLE}</style></head><body>\n\
<h1 class=\"verdict-{code}\">conform: {verdict} (exit {code})</h1>\n\
<p>Target <code>{target}</code>{shard}: {line} in {secs:.1}s</p>\n{gate}\n\
<div class=\"filters\">{f1}{f2}{f3}{f4}{f5}</div>\n\
<table><thead><tr><th>status</th><th>case</th><th>operation</th><th>rule</th><th>time</th></tr></thead><tbody>\n{rows}</tbody></table>\n\
<script type=\"application/json\" id=\"conform-data\">{data}</script>\n<script>{SCRIPT}</script>\n</body></html>\n",
        code = doc.exit_code,
        target = escape(doc.target),
        shard = doc
            .shard
            .map(|s| format!(", shard {}", escape(s)))
            .unwrap_or_default(),
        line = escape(&s.line()),
        secs = s.duration_ms as f64 / 1000.0,
        f1 = checkbox(Verdict::Failed, s.failed),
        f2 = checkbox(Verdict::Errored, s.errored),
        f3 = checkbox(Verdict::Passed, s.passed),
        f4 = checkbox(Verdict::Skipped, s.skipped),
        f5 = checkbox(Verdict::NotRun, s.not_run),
    );
    doc.redactor.scrub(&page).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::gate::Outcome;
    use crate::run::result::Summary;
    use crate::secrets::Secrets;

    #[test]
    fn case_text_cannot_break_out_of_the_page() {
        let evil = "</script><script>alert(1)</script><!--";
        let case: StoredCase = serde_json::from_value(serde_json::json!({
            "id": "a/b", "file": "f", "operation": "o", "verdict": "failed",
            "description": evil,
            "steps": [{"name": evil, "line": 1, "teardown": false, "operation": "o",
                       "findings": [], "error": evil, "attempts": 1, "duration_ms": 0}]
        }))
        .expect("a stored case");
        let page = render(&Finished {
            target: "t",
            shard: None,
            cases: &[case],
            summary: &Summary::default(),
            gate: &Outcome::default(),
            exit_code: 1,
            redactor: &Secrets::default(),
            coverage: None,
        });
        // The only script ends are the page's own two; the data block still parses.
        assert_eq!(page.matches("</script>").count(), 2, "{page}");
        assert!(!page.contains("<script>alert"), "{page}");
        let open = "id=\"conform-data\">";
        let start = page.find(open).expect("data block") + open.len();
        let end = start + page[start..].find("</script>").expect("end");
        let data: serde_json::Value = serde_json::from_str(&page[start..end]).expect("JSON");
        assert_eq!(data[0]["description"], evil);
    }
}
