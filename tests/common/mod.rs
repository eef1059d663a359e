//! Helpers shared by the integration tests that run the binary.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The documentation a user reads: README.md, then every chapter of docs/ in name order, each as
/// (path relative to the root, text).
pub fn docs() -> Vec<(String, String)> {
    let mut files = vec![root().join("README.md")];
    let mut chapters: Vec<PathBuf> = std::fs::read_dir(root().join("docs"))
        .expect("docs/")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    chapters.sort();
    files.extend(chapters);
    files
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            let name = p.strip_prefix(root()).unwrap().display().to_string();
            (name, text)
        })
        .collect()
}

/// One file of the documentation, by its path from the root (`docs/mock.md`).
pub fn doc(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

pub fn conform(dir: &Path, args: &[&str]) -> Output {
    conform_env(dir, args, &[])
}

/// [`conform`] with these environment variables set (a target's credentials).
pub fn conform_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_conform"))
        .args(args)
        .envs(env.iter().copied())
        .current_dir(dir)
        .env("NO_COLOR", "1")
        // Hermetic: CI behaviour is tested where a test asks for it.
        .env_remove("CI")
        .env_remove("TF_BUILD")
        .env_remove("INSTA_UPDATE")
        // Every run appends its summary there when set (GitHub Actions): not from tests.
        .env_remove("GITHUB_STEP_SUMMARY")
        .output()
        .expect("the binary runs")
}

pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A project folder with the committed contract and the given case files.
pub fn project(cases: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let schemas = root().join("schemas");
    for entry in walkdir::WalkDir::new(&schemas)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
    {
        let dest = dir
            .path()
            .join("schemas")
            .join(entry.path().strip_prefix(&schemas).unwrap());
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        std::fs::copy(entry.path(), dest).unwrap();
    }
    std::fs::create_dir_all(dir.path().join("cases")).unwrap();
    for (name, content) in cases {
        let p = dir.path().join("cases").join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, content).unwrap();
    }
    dir
}

/// A `conform.yaml` with one target `name` pointing every service at a mock, carrying the
/// mock's fixture variables and the given extra lines (auth, mutations), each indented 4 spaces.
pub fn mock_target_config(name: &str, base_url: &str, extra: &str) -> String {
    let vars: String = conform::mock::state::Fixtures::defaults()
        .vars
        .iter()
        .map(|(k, v)| format!("      {k}: \"{v}\"\n"))
        .collect();
    format!("targets:\n  {name}:\n    services: {{evs: \"{base_url}\", ecs: \"{base_url}\"}}\n{extra}    vars:\n{vars}")
}

/// Whether an external tool a test drives is here. Runs `probe`; when it fails the test is
/// skipped with `hint`, unless `required_env` is set (CI sets it after installing the tool), in
/// which case the test fails.
pub fn external_tool(probe: &[&str], required_env: &str, hint: &str) -> bool {
    let here = Command::new(probe[0])
        .args(&probe[1..])
        .output()
        .is_ok_and(|o| o.status.success());
    if !here {
        assert!(
            std::env::var_os(required_env).is_none(),
            "{required_env} is set but `{}` fails: {hint}",
            probe.join(" ")
        );
        eprintln!("skipped: `{}` fails ({hint})", probe.join(" "));
    }
    here
}

/// The case files shipped under `cases/`, counted rather than written down, so adding a case
/// breaks no test; and how many of them need AK/SK auth (skipped by the default token run).
pub fn shipped_cases() -> (usize, usize) {
    let mut total = 0;
    let mut aksk = 0;
    for e in walkdir::WalkDir::new(root().join("cases"))
        .into_iter()
        .flatten()
    {
        let p = e.path();
        if !p
            .extension()
            .is_some_and(|x| x == "yaml" || x == "yml" || x == "json")
        {
            continue;
        }
        total += 1;
        let text = std::fs::read_to_string(p).unwrap_or_default();
        if text
            .lines()
            .any(|l| l.starts_with("requires:") && l.contains("aksk"))
        {
            aksk += 1;
        }
    }
    (total, aksk)
}

/// A standalone mock serving a contract, stopped when dropped.
pub struct Standalone(pub std::process::Child, pub String);

impl Drop for Standalone {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn standalone(dir: &Path, args: &[&str]) -> Standalone {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_conform"))
        .args(["mock", "--listen", "127.0.0.1:0"])
        .args(args)
        .current_dir(dir)
        .stderr(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("the mock starts");
    let mut stderr = std::io::BufReader::new(child.stderr.take().expect("piped"));
    let mut line = String::new();
    std::io::BufRead::read_line(&mut stderr, &mut line).expect("the mock says where it listens");
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no URL in {line:?}"))
        .to_string();
    Standalone(child, url)
}

/// A page of one action of a shared endpoint: pages documenting one method and path with
/// different bodies derive to a `oneOf` request.
pub fn action_page(key: &str, field: &str, ty: &str, example: &str) -> String {
    format!(
        r##"# 云硬盘{key}

## URI

POST /v2/\{{project\_id\}}/volumes/\{{volume\_id\}}/action

## 请求参数

|参数|是否必选|参数类型|描述|
|--|--|--|--|
|{key}|是|Object|详情请参见表2。|

**表 2** {key}字段说明

|参数|是否必选|参数类型|描述|
|--|--|--|--|
|{field}|是|{ty}|取值。|

## 请求示例

```
POST https://{{endpoint}}/v2/p/volumes/v/action

{example}
```

## 返回值

-   正常

    202
"##
    )
}

/// Writes the mock's fixture ids as a vars file, `vars.yaml` in `dir`.
pub fn write_fixture_vars(dir: &Path) {
    let vars: String = conform::mock::state::Fixtures::defaults()
        .vars
        .iter()
        .map(|(k, v)| format!("{k}: \"{v}\"\n"))
        .collect();
    std::fs::write(dir.join("vars.yaml"), vars).unwrap();
}

/// Sends one request to `url`, a JSON body when given; its status, content type and body.
pub async fn send(
    method: reqwest::Method,
    url: &str,
    body: Option<&serde_json::Value>,
) -> (u16, String, Vec<u8>) {
    let mut req = reqwest::Client::new().request(method, url);
    if let Some(b) = body {
        req = req
            .header("content-type", "application/json")
            .body(b.to_string());
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let ct = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    (status, ct, resp.bytes().await.unwrap().to_vec())
}

/// Runs the folder's `cases/` against a standalone mock (mutations allowed, no snapshots, quiet)
/// with more flags for `run`; returns the run's output and its JSON report.
pub fn run_against(
    dir: &Path,
    mock: &Standalone,
    run_args: &[&str],
) -> (Output, serde_json::Value) {
    let mut run = vec![
        "run",
        "--cases-dir",
        "cases",
        "--schemas",
        "schemas",
        "--target-url",
        &mock.1,
        "--allow-mutation",
        "--snapshots",
        "off",
        "-q",
        "--report-json",
        "r.json",
    ];
    run.extend_from_slice(run_args);
    let out = conform(dir, &run);
    let report = serde_json::from_slice(&std::fs::read(dir.join("r.json")).unwrap())
        .unwrap_or_else(|e| panic!("no report ({e}): {}", text(&out.stderr)));
    (out, report)
}

/// Writes synthetic pages (file name, text) into `dir`.
pub fn write_pages<T: AsRef<[u8]>>(dir: &Path, pages: &[(&str, T)]) {
    for (file, text) in pages {
        std::fs::write(dir.join(file), text).unwrap();
    }
}

/// A reference page: title, the call, request and response tables, the success status.
pub fn page(
    title: &str,
    call: &str,
    request: &[(&str, &str)],
    response: &[(&str, &str)],
    status: u16,
) -> String {
    let table = |(caption, rows): &(&str, &str)| {
        format!("**{caption}**\n\n|参数|是否必选|参数类型|描述|\n|--|--|--|--|\n{rows}\n")
    };
    let request: Vec<String> = request.iter().map(table).collect();
    let response: Vec<String> = response.iter().map(table).collect();
    format!(
        "# {title}\n\n## URI\n\n{call}\n\n## 请求参数\n\n{}\n## 响应参数\n\n{}\n## 返回值\n\n-   正常\n\n    {status}\n",
        request.join("\n"),
        response.join("\n")
    )
}

/// A service derived from pages a test writes: the pages' folder and the working folder
/// (holding `schemas/`, and `cases/` when generated). Both live as long as this value.
pub struct DerivedService {
    _pages: tempfile::TempDir,
    work: tempfile::TempDir,
}

impl DerivedService {
    /// The working folder (`schemas/`, `cases/`, reports).
    pub fn path(&self) -> &Path {
        self.work.path()
    }
}

/// Writes a service's pages with `write` into a folder named `service`, derives them into
/// `schemas/` of a fresh working folder and, when `generate`, generates `cases/` from them.
pub fn derive_service(service: &str, write: impl FnOnce(&Path), generate: bool) -> DerivedService {
    let pages = tempfile::tempdir().unwrap();
    let svc = pages.path().join(service);
    std::fs::create_dir_all(&svc).unwrap();
    write(&svc);
    let work = tempfile::tempdir().unwrap();
    let d = work.path();
    let out = conform(
        d,
        &["derive", svc.to_str().unwrap(), "--out", "schemas", "-q"],
    );
    assert!(out.status.success(), "derive: {}", text(&out.stderr));
    if generate {
        let out = conform(d, &["generate", "--schemas", "schemas", "--out", "cases"]);
        assert!(out.status.success(), "generate: {}", text(&out.stderr));
    }
    DerivedService {
        _pages: pages,
        work,
    }
}

/// The derived resource table (`schemas/resources.json`) of a working folder.
pub fn resources(dir: &Path) -> serde_json::Value {
    let path = dir.join("schemas/resources.json");
    serde_json::from_slice(&std::fs::read(&path).unwrap())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The kind entry of the derived resource table (`schemas/resources.json` under `dir`) whose
/// collection is `collection`.
pub fn kind(dir: &Path, collection: &str) -> serde_json::Value {
    let table = resources(dir);
    let kinds = table.as_array().cloned().unwrap_or_default();
    kinds
        .into_iter()
        .find(|k| k["collection"] == collection)
        .unwrap_or_else(|| panic!("no {collection} kind in {table}"))
}

/// Runs the folder's `cases/` against the run's built-in mock (no target: in process; no
/// snapshots, quiet), writing the JSON report to `report`; returns the output and the report.
pub fn run_in_process(dir: &Path, report: &str) -> (Output, serde_json::Value) {
    let out = conform(
        dir,
        &[
            "run",
            "--cases-dir",
            "cases",
            "--schemas",
            "schemas",
            "--snapshots",
            "off",
            "-q",
            "--report-json",
            report,
        ],
    );
    let json = serde_json::from_slice(&std::fs::read(dir.join(report)).unwrap())
        .unwrap_or_else(|e| panic!("no report ({e}): {}", text(&out.stderr)));
    (out, json)
}

/// Each case of a JSON report as (id, verdict, skip reason), in the report's order.
pub fn verdicts(report: &serde_json::Value) -> Vec<(String, String, String)> {
    let field = |c: &serde_json::Value, k: &str| c[k].as_str().unwrap_or_default().to_string();
    report["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (field(c, "id"), field(c, "verdict"), field(c, "skip_reason")))
        .collect()
}

/// The verdict of the report's case with this id (`""` when there is none).
pub fn verdict_of(report: &serde_json::Value, id: &str) -> String {
    verdicts(report)
        .into_iter()
        .find(|(case, ..)| case == id)
        .map(|(_, v, _)| v)
        .unwrap_or_default()
}
