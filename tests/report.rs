//! Release gating at scale: shards that partition a suite, merged reports equal to an unsharded
//! run, the Markdown and HTML reports, baseline and quarantine, reruns of what failed, shell
//! completions and the man page, and the CI example's commands.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use common::{conform, project, root, text};

/// A project holding a copy of the repository's suite.
fn suite_project() -> tempfile::TempDir {
    let p = project(&[]);
    let cases = root().join("cases");
    for e in walkdir::WalkDir::new(&cases)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
    {
        let dest = p
            .path()
            .join("cases")
            .join(e.path().strip_prefix(&cases).unwrap());
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        std::fs::copy(e.path(), dest).unwrap();
    }
    p
}

fn listed(dir: &Path, extra: &[&str]) -> Vec<String> {
    let mut args = vec!["run", "--list"];
    args.extend_from_slice(extra);
    let out = conform(dir, &args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{args:?}: {}",
        text(&out.stderr)
    );
    text(&out.stdout)
        .lines()
        .filter(|l| !l.starts_with("warning:"))
        .map(|l| l.split('\t').next().unwrap().to_string())
        .collect()
}

/// Every case exactly once over the N shards, in both modes; returns the shard of each case in
/// count mode.
fn assert_partition(dir: &Path, n: usize) -> BTreeMap<String, usize> {
    let all: BTreeSet<String> = listed(dir, &[]).into_iter().collect();
    let mut first = BTreeMap::new();
    for mode in ["count", "hash"] {
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        for k in 1..=n {
            for id in listed(dir, &["--shard", &format!("{mode}:{k}/{n}")]) {
                assert!(
                    seen.insert(id.clone(), k).is_none(),
                    "{mode} {n}: {id} in two shards"
                );
            }
        }
        assert_eq!(
            seen.keys().cloned().collect::<BTreeSet<_>>(),
            all,
            "{mode} {n}: the shards together are not the suite"
        );
        if mode == "count" {
            first = seen;
        }
    }
    first
}

#[test]
fn shards_partition_the_suite_for_every_n_and_keep_a_resource_together() {
    let dir = root();
    for n in 1..=8 {
        let shard = assert_partition(&dir, n);
        // Both read and change snapshot ${snapshot_id}: one resource, one shard.
        assert_eq!(
            shard["evs/update_snapshot_v3/persists"], shard["evs/update_snapshot_v2/example"],
            "{n}"
        );
    }
    // The bare form is count mode.
    assert_eq!(
        listed(&dir, &["--shard", "2/3"]),
        listed(&dir, &["--shard", "count:2/3"])
    );
}

#[test]
fn shards_partition_a_thousand_generated_cases_evenly_by_count() {
    // Cases in groups of up to 7 sharing a snapshot (the resource), and some with a `resource:`.
    let files: Vec<(String, String)> = (0..1000)
        .map(|i| {
            let resource = if i % 10 == 0 {
                format!("resource: shared-{}\n", i % 30)
            } else {
                String::new()
            };
            (
                format!("gen/c{i:04}.yaml"),
                format!("operation: evs.update_snapshot.v2\n{resource}steps:\n  - request:\n      params: {{snapshot_id: \"s-{}\"}}\n      body: {{snapshot: {{name: x}}}}\n    expect:\n      status: 404\n", i % 150),
            )
        })
        .collect();
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let p = project(&refs);
    for n in 1..=8 {
        let shard = assert_partition(p.path(), n);
        for i in 0..1000 {
            let same = format!("gen/c{:04}", i % 150);
            assert_eq!(
                shard[&format!("gen/c{i:04}")],
                shard[&same],
                "n={n}: c{i:04} and {same} touch one snapshot"
            );
        }
        if n > 1 {
            let mut sizes = vec![0usize; n];
            for k in shard.values() {
                sizes[k - 1] += 1;
            }
            eprintln!("1,000 generated cases, {n} count shards: {sizes:?}");
            let (min, max) = (sizes.iter().min().unwrap(), sizes.iter().max().unwrap());
            // Groups hold at most ~20 cases, so count shards differ by at most one group.
            assert!(max - min <= 40, "n={n}: uneven count shards {sizes:?}");
        }
    }
}

#[test]
fn bad_shard_values_are_bad_input() {
    for bad in ["0/4", "5/4", "1/0", "1/100000", "two/4", "ring:1/2"] {
        let out = conform(&root(), &["run", "--list", "--shard", bad]);
        assert_eq!(out.status.code(), Some(2), "{bad}");
        assert!(
            text(&out.stderr).contains("--shard"),
            "{bad}: {}",
            text(&out.stderr)
        );
    }
}

/// (name, classname, status) of every testcase.
fn junit_cases(path: &Path) -> Vec<(String, String, String)> {
    let xml = std::fs::read_to_string(path).unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    doc.descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .map(|n| {
            let status = n
                .children()
                .find(|c| c.is_element())
                .map(|c| c.tag_name().name().to_string())
                .unwrap_or_else(|| "success".into());
            (
                n.attribute("name").unwrap().to_string(),
                n.attribute("classname").unwrap_or_default().to_string(),
                status,
            )
        })
        .collect()
}

/// The testsuite's name and counts.
fn junit_suite(path: &Path) -> Vec<(String, String)> {
    let xml = std::fs::read_to_string(path).unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let suite = doc
        .descendants()
        .find(|n| n.has_tag_name("testsuite"))
        .unwrap();
    ["name", "tests", "failures", "errors", "skipped"]
        .iter()
        .map(|a| {
            (
                a.to_string(),
                suite.attribute(*a).unwrap_or_default().to_string(),
            )
        })
        .collect()
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn without_duration(mut v: serde_json::Value) -> serde_json::Value {
    v.as_object_mut().unwrap().remove("duration_ms");
    v
}

#[test]
fn four_shards_on_four_processes_merge_into_the_unsharded_report_in_any_order() {
    let p = suite_project();
    let dir = p.path();
    // A fault makes some cases fail, so the verdict is worth comparing.
    let base = ["run", "--snapshots", "off", "--fault", "missing-field"];
    let mut args: Vec<&str> = base.to_vec();
    args.extend(["--report-json", "all.json", "--report-junit", "all.xml"]);
    let whole = conform(dir, &args);
    assert_eq!(whole.status.code(), Some(1), "{}", text(&whole.stderr));
    let children: Vec<_> = (1..=4)
        .map(|k| {
            Command::new(env!("CARGO_BIN_EXE_conform"))
                .args(base)
                .args(["--shard", &format!("{k}/4"), "--report-json"])
                .arg(format!("shard{k}.json"))
                .current_dir(dir)
                .env("NO_COLOR", "1")
                .env_remove("CI")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    for mut c in children {
        c.wait().unwrap();
    }
    let unsharded = junit_cases(&dir.join("all.xml"));
    assert_eq!(unsharded.len(), common::shipped_cases().0);
    assert!(
        unsharded.iter().any(|(_, _, s)| s == "failure"),
        "{unsharded:?}"
    );
    for (i, order) in [[1, 2, 3, 4], [4, 2, 1, 3], [3, 4, 2, 1]]
        .iter()
        .enumerate()
    {
        let mut args: Vec<String> = vec!["report".into(), "merge".into()];
        args.extend(order.iter().map(|k| format!("shard{k}.json")));
        for (flag, file) in [("--junit", "xml"), ("--json", "json"), ("--markdown", "md")] {
            args.push(flag.into());
            args.push(format!("merged{i}.{file}"));
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = conform(dir, &args);
        assert_eq!(
            out.status.code(),
            whole.status.code(),
            "{order:?}: {}",
            text(&out.stderr)
        );
        assert_eq!(
            junit_cases(&dir.join(format!("merged{i}.xml"))),
            unsharded,
            "{order:?}"
        );
        assert_eq!(
            junit_suite(&dir.join(format!("merged{i}.xml"))),
            junit_suite(&dir.join("all.xml")),
            "{order:?}"
        );
        let (m, a) = (
            json(&dir.join(format!("merged{i}.json"))),
            json(&dir.join("all.json")),
        );
        assert_eq!(
            without_duration(m["summary"].clone()),
            without_duration(a["summary"].clone())
        );
        assert_eq!(m["exit_code"], a["exit_code"]);
        let ids = |v: &serde_json::Value| {
            let mut ids: Vec<(String, String)> = v["cases"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| (c["id"].to_string(), c["verdict"].to_string()))
                .collect();
            ids.sort();
            ids
        };
        assert_eq!(ids(&m), ids(&a));
        let md = std::fs::read_to_string(dir.join(format!("merged{i}.md"))).unwrap();
        assert!(md.contains("❌ failed"), "{md}");
    }
}

#[test]
fn merge_refuses_torn_missing_and_duplicate_shards_naming_the_file() {
    let p = suite_project();
    let dir = p.path();
    for k in 1..=2 {
        let out = conform(
            dir,
            &[
                "run",
                "--snapshots",
                "off",
                "--shard",
                &format!("{k}/2"),
                "--report-json",
                &format!("s{k}.json"),
            ],
        );
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    }
    let whole = std::fs::read(dir.join("s2.json")).unwrap();
    std::fs::write(dir.join("torn.json"), &whole[..whole.len() / 2]).unwrap();
    std::fs::write(dir.join("other.json"), "{\"tool\": \"pytest\"}").unwrap();
    for (inputs, needle) in [
        (vec!["s1.json", "torn.json"], "torn.json:"),
        (vec!["s1.json", "other.json"], "other.json"),
        (vec!["s1.json"], "shard(s) 2/2 missing"),
        (
            vec!["s1.json", "s1.json", "s2.json"],
            "shard count:1/2 is also in s1.json",
        ),
        (vec!["s1.json", "nope.json"], "nope.json"),
    ] {
        let mut args = vec!["report", "merge"];
        args.extend(&inputs);
        args.extend(["--junit", "m.xml"]);
        let out = conform(dir, &args);
        assert_eq!(out.status.code(), Some(2), "{inputs:?}");
        assert!(
            text(&out.stderr).contains(needle),
            "{inputs:?}: {}",
            text(&out.stderr)
        );
    }
    assert!(
        !dir.join("m.xml").exists(),
        "no merged report from bad input"
    );
    // Shard 2 of a suite with one more case: same mode and count, another plan.
    std::fs::write(dir.join("cases/evs/extra.yaml"), OK).unwrap();
    let out = conform(
        dir,
        &[
            "run",
            "--snapshots",
            "off",
            "--shard",
            "2/2",
            "--report-json",
            "b2.json",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let out = conform(dir, &["report", "merge", "s1.json", "b2.json"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stdout));
    assert!(
        text(&out.stderr).contains("b2.json") && text(&out.stderr).contains("another plan"),
        "{}",
        text(&out.stderr)
    );
}

const OK: &str = "operation: evs.update_snapshot.v2\ndescription: An unknown snapshot is 404.\nsteps:\n  - request:\n      params: {snapshot_id: \"${missing_id}\"}\n      body: {snapshot: {name: ghost}}\n    expect:\n      status: 404\n";
const FAILS: &str = "operation: evs.update_snapshot.v2\ndescription: A rule the target breaks (documented as 400).\nsteps:\n  - request:\n      params: {snapshot_id: \"${missing_id}\"}\n      body: {snapshot: {name: ghost}}\n    expect:\n      status: 400\n";

fn quarantine(dir: &Path, case: &str, expires: &str) {
    std::fs::write(
        dir.join("quarantine.yaml"),
        format!("quarantine:\n  - case: {case}\n    reason: TICKET-7 the target answers 404\n    expires: {expires}\n"),
    )
    .unwrap();
}

#[test]
fn baseline_fails_only_regressions_and_quarantine_excuses_until_it_expires() {
    let p = project(&[("ok.yaml", OK), ("known.yaml", FAILS), ("new.yaml", OK)]);
    let dir = p.path();
    let run = |extra: &[&str]| {
        let mut args = vec!["run", "--snapshots", "off"];
        args.extend_from_slice(extra);
        conform(dir, &args)
    };
    let base = run(&["--report-json", "baseline.json"]);
    assert_eq!(base.status.code(), Some(1));
    // `new` regresses.
    std::fs::write(dir.join("cases/new.yaml"), FAILS).unwrap();
    let out = run(&[
        "--baseline",
        "baseline.json",
        "--report-markdown",
        "gate.md",
    ]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("REGRESSION new"), "{stdout}");
    assert!(!stdout.contains("REGRESSION known"), "{stdout}");
    assert!(stdout.contains("KNOWN known"), "{stdout}");
    let md = std::fs::read_to_string(dir.join("gate.md")).unwrap();
    assert!(md.contains("Regressions (fail the gate)** (1)"), "{md}");
    // Quarantined (the project's quarantine.yaml is found without a flag): both reported, exit 0.
    quarantine(dir, "new", "2999-12-31");
    let out = run(&[
        "--baseline",
        "baseline.json",
        "--report-json",
        "q.json",
        "--report-junit",
        "q.xml",
    ]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    // The gate passes, so CI test views show no red: excused failures are skipped, with why.
    let statuses: BTreeMap<String, String> = junit_cases(&dir.join("q.xml"))
        .into_iter()
        .map(|(name, _, status)| (name, status))
        .collect();
    assert_eq!(statuses["new"], "skipped", "{statuses:?}");
    assert_eq!(statuses["known"], "skipped", "{statuses:?}");
    assert_eq!(statuses["ok"], "success", "{statuses:?}");
    let xml = std::fs::read_to_string(dir.join("q.xml")).unwrap();
    assert!(
        xml.contains("quarantined: TICKET-7")
            && xml.contains("it failed: step 1: status 404 where 400 was expected\""),
        "{xml}"
    );
    assert!(stdout.contains("QUARANTINED new: TICKET-7"), "{stdout}");
    assert!(stdout.contains("KNOWN known"), "{stdout}");
    let q = json(&dir.join("q.json"));
    assert_eq!(q["gate"]["quarantined"][0]["case"], "new");
    assert_eq!(q["summary"]["failed"], 2, "failures are still reported");
    // Expired: the failure fails the gate again.
    quarantine(dir, "new", "2000-01-01");
    let out = run(&["--baseline", "baseline.json"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stdout).contains("quarantine expired on 2000-01-01"),
        "{}",
        text(&out.stdout)
    );
    // Fixed: a quarantined case that passes asks for its entry to be removed.
    std::fs::write(dir.join("cases/new.yaml"), OK).unwrap();
    std::fs::write(dir.join("cases/known.yaml"), OK).unwrap();
    quarantine(dir, "new", "2999-12-31");
    let out = run(&["--baseline", "baseline.json"]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout.contains("UNQUARANTINE new"), "{stdout}");
    assert!(stdout.contains("FIXED known"), "{stdout}");
}

#[test]
fn a_broken_quarantine_file_is_a_positioned_diagnostic() {
    let p = project(&[("ok.yaml", OK)]);
    let dir = p.path();
    std::fs::write(
        dir.join("q.yaml"),
        "quarantine:\n  - case: ok\n    reason: r\n    expires: next week\n",
    )
    .unwrap();
    let out = conform(
        dir,
        &["run", "--quarantine", "q.yaml", "--report-json", "r.json"],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("q.yaml:4:"), "{err}");
    assert!(err.contains("YYYY-MM-DD"), "{err}");
    assert!(
        json(&dir.join("r.json"))["error"].is_object(),
        "the report says why"
    );
    let out = conform(dir, &["run", "--baseline", "nope.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("nope.json"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn rerun_failed_runs_just_the_failed_cases() {
    let p = project(&[("ok.yaml", OK), ("a.yaml", FAILS), ("b.yaml", FAILS)]);
    let dir = p.path();
    let first = conform(
        dir,
        &["run", "--snapshots", "off", "--report-json", "first.json"],
    );
    assert_eq!(first.status.code(), Some(1));
    std::fs::write(dir.join("cases/a.yaml"), OK).unwrap();
    let out = conform(
        dir,
        &[
            "run",
            "--snapshots",
            "off",
            "--rerun-failed",
            "first.json",
            "--report-json",
            "second.json",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let ids: Vec<String> = json(&dir.join("second.json"))["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect();
    let mut ids = ids;
    ids.sort();
    assert_eq!(ids, ["a", "b"]);
    // A report of a run that could not start names no failure: bad input, not a green rerun.
    let bad = conform(
        dir,
        &[
            "run",
            "--vars-file",
            "nope.yaml",
            "--report-json",
            "bad.json",
        ],
    );
    assert_eq!(bad.status.code(), Some(2));
    let out = conform(dir, &["run", "--rerun-failed", "bad.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("could not start"),
        "{}",
        text(&out.stderr)
    );
    // Nothing failed: nothing to rerun is a success, said aloud.
    let out = conform(
        dir,
        &[
            "run",
            "--rerun-failed",
            "second.json",
            "--snapshots",
            "off",
            "a",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

#[test]
fn markdown_names_the_rule_shows_a_diff_and_goes_to_the_step_summary() {
    let p = project(&[("ok.yaml", OK), ("broken.yaml", FAILS)]);
    let dir = p.path();
    let summary = dir.join("step-summary.md");
    std::fs::write(&summary, "earlier step\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_conform"))
        .args(["run", "--snapshots", "off", "--report-markdown", "r.md"])
        .current_dir(dir)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env_remove("CI")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let md = std::fs::read_to_string(dir.join("r.md")).unwrap();
    assert!(md.contains("## conform: ❌ failed (exit 1)"), "{md}");
    assert!(
        md.contains("| `evs.update_snapshot.v2` | 1 | 1 | 0 | 0 |"),
        "{md}"
    );
    assert!(
        md.contains("Rule: A rule the target breaks (documented as 400)."),
        "{md}"
    );
    assert!(md.contains("```diff\n-400\n+404\n```"), "{md}");
    let step = std::fs::read_to_string(&summary).unwrap();
    assert!(
        step.starts_with("earlier step\n## conform"),
        "appended: {step}"
    );
}

#[test]
fn completions_and_man_page_come_from_the_flag_definitions() {
    for shell in ["bash", "zsh", "fish"] {
        let out = conform(&root(), &["completions", shell]);
        assert_eq!(out.status.code(), Some(0), "{shell}");
        let s = text(&out.stdout);
        assert!(s.contains("shard") && s.contains("rerun-failed"), "{shell}");
        assert!(s.contains("merge"), "{shell}: subcommands too");
    }
    let out = conform(&root(), &["man"]);
    assert_eq!(out.status.code(), Some(0));
    let man = text(&out.stdout);
    assert!(
        man.starts_with(".ie") || man.contains(".TH conform"),
        "{man}"
    );
    let dir = tempfile::tempdir().unwrap();
    let out = conform(dir.path(), &["man", "--out-dir", "man"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(dir.path().join("man/conform-run.1").is_file());
    assert!(dir.path().join("man/conform-report-merge.1").is_file());
}

fn chromium() -> Option<PathBuf> {
    let here = common::external_tool(
        &["chromium", "--version"],
        "CONFORM_REQUIRE_CHROMIUM",
        "apt-get install chromium",
    );
    here.then(|| PathBuf::from("chromium"))
}

/// The page as a headless browser leaves it after running its script.
fn dump_dom(browser: &Path, page: &Path, fragment: &str) -> String {
    let profile = tempfile::tempdir().unwrap();
    let url = format!("file://{}{fragment}", page.display());
    let out = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-dev-shm-usage",
            "--virtual-time-budget=2000",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--dump-dom")
        .arg(&url)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    text(&out.stdout)
}

#[test]
fn the_html_report_shows_every_case_and_expands_a_failure_to_its_diff_in_a_browser() {
    let Some(browser) = chromium() else { return };
    let p = suite_project();
    let dir = p.path();
    let out = conform(
        dir,
        &[
            "run",
            "--snapshots",
            "off",
            "--fault",
            "missing-field",
            "--report-html",
            "r.html",
            "--report-json",
            "r.json",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let report = json(&dir.join("r.json"));
    let cases = report["cases"].as_array().unwrap();
    let failed = cases
        .iter()
        .find(|c| c["verdict"] == "failed")
        .expect("a failure");
    let id = failed["id"].as_str().unwrap();
    let page = dir.join("r.html");
    let closed = dump_dom(&browser, &page, "");
    let html = scraper::Html::parse_document(&closed);
    let rows = scraper::Selector::parse("tr.case").unwrap();
    assert_eq!(html.select(&rows).count(), cases.len(), "a row per case");
    let diff = scraper::Selector::parse("pre.diff").unwrap();
    assert_eq!(
        html.select(&diff).count(),
        0,
        "details render only when expanded"
    );
    // The script honours #expand=<id>, as a click on the row does.
    let opened = dump_dom(&browser, &page, &format!("#expand={id}"));
    let html = scraper::Html::parse_document(&opened);
    let body = scraper::Selector::parse(&format!("div.body[data-case=\"{id}\"] pre.diff")).unwrap();
    let diffs: Vec<String> = html
        .select(&body)
        .map(|e| e.text().collect::<String>())
        .collect();
    assert!(
        !diffs.is_empty(),
        "the failure's diff is in the DOM: {opened}"
    );
    assert!(
        diffs.iter().any(|d| d.contains("- ") && d.contains("+ ")),
        "expected and actual lines: {diffs:?}"
    );
    let details = scraper::Selector::parse(&format!("div.body[data-case=\"{id}\"]")).unwrap();
    let details: String = html.select(&details).flat_map(|e| e.text()).collect();
    assert!(
        details.contains("updated_at")
            && details.contains("Request")
            && details.contains("Response"),
        "the finding names the missing field, with the exchange: {details}"
    );
    assert!(
        details.contains("x-auth-token: <redacted>"),
        "no secret in the page: {details}"
    );
    let row = scraper::Selector::parse(&format!("tr.case[data-case=\"{id}\"]")).unwrap();
    let row = html.select(&row).next().unwrap();
    assert_eq!(row.value().attr("aria-expanded"), Some("true"));
    // The status filter, driven the same way: only failed rows stay visible.
    let filtered = dump_dom(&browser, &page, "#status=failed");
    let html = scraper::Html::parse_document(&filtered);
    let visible: Vec<_> = html
        .select(&rows)
        .filter(|r| r.value().attr("hidden").is_none())
        .map(|r| {
            r.value()
                .attr("data-status")
                .unwrap_or_default()
                .to_string()
        })
        .collect();
    let failed_count = cases.iter().filter(|c| c["verdict"] == "failed").count();
    assert_eq!(visible.len(), failed_count, "{visible:?}");
    assert!(visible.iter().all(|s| s == "failed"), "{visible:?}");
}

/// The `conform` command lines of a CI script block (continuations joined).
fn conform_lines(script: &str) -> Vec<String> {
    script
        .replace("\\\n", " ")
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("conform "))
        .map(str::to_string)
        .collect()
}

/// Runs a CI command line in bash, with this build's conform first on PATH.
fn sh(dir: &Path, line: &str, env: &[(&str, String)]) -> std::process::Output {
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_conform"));
    let path = format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut cmd = Command::new("bash");
    cmd.args(["-c", line])
        .current_dir(dir)
        .env("PATH", path)
        .env("NO_COLOR", "1")
        .env("HUAWEICLOUD_SDK_AK", "EXAMPLEAK0000000000")
        .env("HUAWEICLOUD_SDK_SK", "example-sk-not-a-secret")
        .env_remove("CI")
        .env_remove("GITHUB_STEP_SUMMARY");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

/// Proves a CI example's commands and flags exist: each `conform run` line is listed as written
/// (target `staging` configured, nothing sent), then run for every shard against the built-in
/// mock; each `report merge` line then merges those real shard reports.
fn run_ci_example(
    name: &str,
    runs: &[String],
    shard_env: impl Fn(usize) -> Vec<(&'static str, String)>,
) {
    let (run_lines, other): (Vec<String>, Vec<String>) = runs
        .iter()
        .flat_map(|r| conform_lines(r))
        .partition(|l| l.starts_with("conform run "));
    assert!(!run_lines.is_empty(), "{name}: no conform run line");
    assert!(
        other.iter().any(|l| l.starts_with("conform report merge ")),
        "{name}: no merge line in {other:?}"
    );
    let p = suite_project();
    let dir = p.path();
    std::fs::write(
        dir.join("conform.yaml"),
        common::mock_target_config("staging", "http://127.0.0.1:9", "    auth: {type: aksk}\n"),
    )
    .unwrap();
    for line in &run_lines {
        assert!(line.contains("--shard"), "{name}: {line}");
        for k in 1..=4 {
            let env = shard_env(k);
            let listed = sh(dir, &format!("{line} --list"), &env);
            assert_eq!(
                listed.status.code(),
                Some(0),
                "{name}: {line} --list: {}",
                text(&listed.stderr)
            );
            let mocked = line.replace("--target staging", "");
            let out = sh(dir, &format!("{mocked} --snapshots off"), &env);
            assert_eq!(
                out.status.code(),
                Some(0),
                "{name}: {mocked}: {}{}",
                text(&out.stdout),
                text(&out.stderr)
            );
        }
    }
    let step_summary = dir.join("step-summary.md");
    for line in &other {
        let out = sh(
            dir,
            line,
            &[("GITHUB_STEP_SUMMARY", step_summary.display().to_string())],
        );
        assert_eq!(
            out.status.code(),
            Some(0),
            "{name}: {line}: {}",
            text(&out.stderr)
        );
        assert!(
            text(&out.stdout).contains("merged 4 report(s)"),
            "{name}: {}",
            text(&out.stdout)
        );
    }
    for f in ["conform.xml", "conform.json", "conform.md", "conform.html"] {
        assert!(dir.join(f).is_file(), "{name}: {f} written");
    }
    let (total, aksk) = common::shipped_cases();
    assert_eq!(
        json(&dir.join("conform.json"))["summary"]["passed"],
        total - aksk,
        "{name}"
    );
    assert!(std::fs::read_to_string(&step_summary)
        .unwrap()
        .contains("## conform: ✅ passed"));
}

#[test]
fn the_github_actions_example_runs_against_the_mock() {
    let text = std::fs::read_to_string(root().join("examples/github-actions.yml")).unwrap();
    let doc: serde_json::Value = serde_saphyr::from_str(&text).unwrap();
    let jobs = doc["jobs"].as_object().unwrap();
    assert_eq!(
        jobs["shard"]["strategy"]["matrix"]["shard"],
        serde_json::json!([1, 2, 3, 4])
    );
    let secrets = serde_json::to_string(&jobs["shard"]).unwrap();
    assert!(
        secrets.contains("secrets.HUAWEICLOUD_SDK_SK"),
        "credentials come from the secret store"
    );
    let runs: Vec<String> = jobs
        .values()
        .flat_map(|j| j["steps"].as_array().unwrap().iter())
        .filter_map(|s| s["run"].as_str())
        .map(|r| r.replace("${{ matrix.shard }}", "$SHARD"))
        .collect();
    run_ci_example("github-actions.yml", &runs, |k| {
        vec![("SHARD", k.to_string())]
    });
}

#[test]
fn the_docs_gitlab_example_runs_against_the_mock() {
    let chapter = common::doc("docs/gating.md");
    let start = chapter
        .find("The same on GitLab CI")
        .expect("the GitLab section of docs/gating.md");
    let block = &chapter[start..];
    let block = &block[block.find("```yaml\n").unwrap() + 8..];
    let block = &block[..block.find("```").unwrap()];
    let doc: serde_json::Value = serde_saphyr::from_str(block).unwrap();
    assert_eq!(doc["conform:shard"]["parallel"], 4);
    let runs: Vec<String> = doc
        .as_object()
        .unwrap()
        .values()
        .flat_map(|j| j["script"].as_array().unwrap().iter())
        .filter_map(|s| s.as_str().map(str::to_string))
        .collect();
    run_ci_example("docs/gating.md GitLab", &runs, |k| {
        vec![
            ("CI_NODE_INDEX", k.to_string()),
            ("CI_NODE_TOTAL", "4".into()),
        ]
    });
}

/// An output that cannot be written is reported beside the results, never instead of them:
/// a step summary in a folder that does not exist leaves the JSON and JUnit reports whole.
#[test]
fn a_step_summary_that_cannot_be_written_keeps_every_case_in_the_reports() {
    let p = suite_project();
    let out = Command::new(env!("CARGO_BIN_EXE_conform"))
        .args([
            "run",
            "evs/update_snapshot_v2/**",
            "--snapshots",
            "off",
            "--report-json",
            "r.json",
            "--report-junit",
            "j.xml",
        ])
        .current_dir(p.path())
        .env("NO_COLOR", "1")
        .env_remove("CI")
        .env("GITHUB_STEP_SUMMARY", "/nonexistent/dir/s.md")
        .output()
        .unwrap();
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("GITHUB_STEP_SUMMARY"), "{stderr}");
    let report = json(&p.path().join("r.json"));
    let cases = report["cases"].as_array().unwrap();
    assert!(cases.len() > 1, "{report}");
    assert_eq!(report["summary"]["passed"], cases.len(), "{report}");
    assert_eq!(junit_cases(&p.path().join("j.xml")).len(), cases.len());
}

/// A report path that is a folder is found before anything is sent, not after the run.
#[test]
fn a_report_path_that_is_a_folder_is_bad_input_up_front() {
    let p = suite_project();
    std::fs::create_dir(p.path().join("out")).unwrap();
    for flag in ["--report-junit", "--report-html", "--report-markdown"] {
        let out = conform(p.path(), &["run", flag, "out"]);
        assert_eq!(out.status.code(), Some(2), "{flag}");
        assert!(
            text(&out.stderr).contains("is a folder"),
            "{flag}: {}",
            text(&out.stderr)
        );
        assert!(
            !text(&out.stdout).contains("passed"),
            "nothing ran: {}",
            text(&out.stdout)
        );
    }
}

/// Cases that ran before a broken file was read were sent: the report holds them, and the
/// error beside them, so a run against a region does not hide what it changed.
#[test]
fn cases_sent_before_a_broken_file_was_read_stay_in_the_report() {
    let p = suite_project();
    std::fs::write(p.path().join("cases/zz_broken.yaml"), "operation: [\n").unwrap();
    let out = conform(
        p.path(),
        &[
            "run",
            "--snapshots",
            "off",
            "--report-json",
            "r.json",
            "--report-jsonl",
            "r.jsonl",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("zz_broken.yaml"),
        "{}",
        text(&out.stderr)
    );
    let report = json(&p.path().join("r.json"));
    let ran = report["cases"].as_array().unwrap().len();
    assert!(
        ran > 0,
        "the cases that were sent are in the report: {report}"
    );
    assert_eq!(report["exit_code"], 2);
    assert!(
        report["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("zz_broken.yaml")),
        "{}",
        report["error"]
    );
    let lines = std::fs::read_to_string(p.path().join("r.jsonl")).unwrap();
    assert!(lines.contains("zz_broken.yaml"), "{lines}");
}

/// A run killed with SIGKILL leaves its half-written report as a hidden temporary file: the
/// next run that writes the same report removes it. A run that sent nothing writes no empty
/// table in its Markdown.
#[test]
fn stale_temporary_reports_go_and_bad_input_markdown_has_no_empty_table() {
    let p = suite_project();
    // No process has this id (above Linux's largest).
    let stale = p.path().join(".r.json.4194305.tmp");
    std::fs::write(&stale, "{\"tool\":").unwrap();
    let out = conform(
        p.path(),
        &[
            "run",
            "evs/update_snapshot_v2/example",
            "--report-json",
            "r.json",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(!stale.exists(), "the killed run's temporary report is gone");
    std::fs::write(p.path().join("cases/broken.yaml"), "operation: [\n").unwrap();
    let out = conform(
        p.path(),
        &["run", "--tag", "x", "--report-markdown", "m.md"],
    );
    assert_eq!(out.status.code(), Some(2));
    let md = std::fs::read_to_string(p.path().join("m.md")).unwrap();
    assert!(!md.contains("| operation |"), "{md}");
    assert!(md.contains("broken.yaml"), "{md}");
}

/// The HTML page lists what needs a look first, says which failures the gate excuses, carries
/// the coverage section, and cuts large bodies (the JSON report keeps them whole).
#[test]
fn the_html_page_puts_failures_first_marks_quarantine_and_stays_light() {
    let big = format!(
        "operation: evs.update_snapshot.v2\nsteps:\n  - request:\n      body: {{snapshot: {{name: x, description: \"{}\"}}}}\n    expect: {{status: 400}}\n",
        "d".repeat(512 * 1024)
    );
    let p = project(&[
        ("a_ok.yaml", OK),
        ("m_quarantined.yaml", FAILS),
        ("z_fails.yaml", FAILS),
        ("big.yaml", &big),
    ]);
    quarantine(p.path(), "m_quarantined", "2999-12-31");
    let out = conform(
        p.path(),
        &[
            "run",
            "--snapshots",
            "off",
            "--report-html",
            "r.html",
            "--report-json",
            "r.json",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    let html = std::fs::read_to_string(p.path().join("r.html")).unwrap();
    let row = |id: &str| {
        html.find(&format!("data-case=\"{id}\""))
            .unwrap_or_else(|| panic!("{id} has a row"))
    };
    assert!(
        row("z_fails") < row("m_quarantined"),
        "blocking failures first"
    );
    assert!(
        row("m_quarantined") < row("a_ok"),
        "then excused ones, then the rest"
    );
    assert!(
        html.contains("<td class=\"st\">QUARANTINED</td>"),
        "quarantine shows"
    );
    assert!(html.contains("Rule coverage"), "the coverage section");
    let json_len = std::fs::metadata(p.path().join("r.json")).unwrap().len();
    assert!(
        json_len > 512 * 1024,
        "the JSON report keeps the body whole"
    );
    assert!(
        html.len() < 256 * 1024,
        "the page cuts it: {} bytes",
        html.len()
    );
    assert!(html.contains("more bytes not shown"));
}

/// The scorecard after a run against a mock that drops a documented response field
/// (`missing-field` leaves out `updated_at`): the drift lists that field as documented but
/// never seen, the page names every operation, and a browser renders it without the network.
#[test]
fn the_scorecard_shows_response_drift_and_every_operation() {
    let p = suite_project();
    let dir = p.path();
    let out = conform(
        dir,
        &[
            "run",
            "--fault",
            "missing-field",
            "--snapshots",
            "off",
            "--report-json",
            "r.json",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    let out = conform(
        dir,
        &[
            "coverage",
            "--report",
            "r.json",
            "--json",
            "c.json",
            "--html",
            "s.html",
            "--markdown",
            "s.md",
        ],
    );
    assert!(out.status.code().is_some(), "{}", text(&out.stderr));
    let cov = json(&dir.join("c.json"));
    assert_eq!(cov["basis"], "observed");
    let never: Vec<&str> = cov["drift"]["evs.update_snapshot.v2"]["never_seen"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(never.contains(&"/snapshot/updated_at"), "{never:?}");
    let page = std::fs::read_to_string(dir.join("s.html")).unwrap();
    let ops: Vec<String> = cov["operations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["operation"].as_str().unwrap().to_string())
        .collect();
    assert!(ops.len() >= 4);
    for op in &ops {
        assert!(page.contains(&format!("data-operation=\"{op}\"")), "{op}");
    }
    assert!(
        page.contains("EVS: ") && page.contains("deviate"),
        "a headline per service"
    );
    let md = std::fs::read_to_string(dir.join("s.md")).unwrap();
    assert!(md.contains("## Conformance scorecard"), "{md}");
    if let Some(browser) = chromium() {
        let dom = dump_dom(&browser, &dir.join("s.html"), "");
        assert!(dom.contains("evs.update_snapshot.v2"), "{dom}");
        assert!(dom.contains("class=\"deviates\""), "{dom}");
    }
}
