//! `conform init`: a commented example `conform.yaml`.

use std::path::Path;

use crate::error::Error;

/// The example, every field explained, up to the `local` target's variables ([`example`]).
const EXAMPLE: &str = r#"# yaml-language-server: $schema=schemas/conform.schema.json
# conform.yaml: where `conform run --target NAME` sends requests.
# Secrets never go in this file: auth entries name environment variables.
targets:
  # A real region. `region` expands to https://<service>.<region>.myhuaweicloud.com for evs and
  # ecs (the official SDKs' endpoint names); give `services` instead to set base URLs yourself.
  staging:
    region: cn-north-4
    # services: {evs: "https://evs.cn-north-4.myhuaweicloud.com", ecs: "https://ecs.cn-north-4.myhuaweicloud.com"}

    # Variables the cases use: your project and your own scratch resources, which the suite may
    # change (and restores in teardown steps). missing_id must name nothing that exists.
    vars:
      project_id: "your-project-id"
      snapshot_id: "a-scratch-snapshot-id"
      server_id: "a-scratch-server-id"
      missing_id: "00000000-0000-4000-8000-000000000000"

    # Auth: AK/SK signing (SDK-HMAC-SHA256). By default the credentials come from the official
    # SDKs' variables HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK and HUAWEICLOUD_SDK_SECURITY_TOKEN;
    # ak_env, sk_env and security_token_env name others. project_id above is sent as X-Project-Id.
    auth: {type: aksk}
    # Or an IAM token taken from an environment variable:
    # auth: {type: token, token_env: CONFORM_TOKEN}

    # Cases that change resources (PUT …) are skipped unless this says allowed (or the run
    # passes --allow-mutation). A real region is precious.
    mutations: forbidden

    # Undocumented fields in responses are warnings here; true makes them failures.
    strict: false

    # Snapshot rules for this target: values replaced by <redacted>, paths recorded as <skipped>.
    snapshot:
      redact:
        - {pointer: /snapshot/volume_id}
      skip: [/snapshot/os-extended-snapshot-attributes:progress]

  # Your own mock server, or any endpoint: every service at one base URL. Start one with
  # `conform mock --listen 127.0.0.1:8080`, then `conform run --target local`.
  local:
    services: {evs: "http://127.0.0.1:8080", ecs: "http://127.0.0.1:8080"}
    mutations: allowed
    # The built-in mock's fixture variables (`conform mock --print-vars`), as the suite uses them.
    vars:
"#;

/// The shipped contract, suite and mock baseline: a new project gets them so that its first
/// `conform run` (the built-in mock, or `--target local` against `conform mock`) runs a suite.
static STARTER: [(&str, include_dir::Dir<'static>); 3] = [
    (
        "schemas",
        include_dir::include_dir!("$CARGO_MANIFEST_DIR/schemas"),
    ),
    (
        "cases",
        include_dir::include_dir!("$CARGO_MANIFEST_DIR/cases"),
    ),
    (
        "snapshots",
        include_dir::include_dir!("$CARGO_MANIFEST_DIR/snapshots"),
    ),
];

/// The example config, every field explained; the `local` target carries every variable the
/// built-in fixtures define (`conform mock --print-vars`), so the shipped suite runs against a
/// standalone mock as written. It parses as a valid config (a test loads it).
pub fn example() -> String {
    let mut text = EXAMPLE.to_string();
    for (k, v) in &crate::mock::state::Fixtures::defaults().vars {
        text.push_str(&format!(
            "      {k}: {}\n",
            serde_json::Value::String(v.clone())
        ));
    }
    text
}

/// What `conform init` wrote.
#[derive(Debug, Default)]
pub struct Written {
    /// The config file.
    pub config: std::path::PathBuf,
    /// Starter files written (none when the folder already had a contract or cases).
    pub starter: usize,
    /// The config's JSON Schema, when it was missing and written beside it (for editors, which
    /// the config's first line points at it).
    pub schema: Option<std::path::PathBuf>,
}

/// Writes the example config to `path`, refusing to overwrite unless `force`; with `starter`,
/// and when the folder holds no contract and no cases yet, also the shipped contract, suite
/// and mock baseline beside it (never over an existing file).
pub fn init(path: &Path, force: bool, starter: bool) -> Result<Written, Error> {
    if path.exists() && !force {
        return Err(Error::bad(format!(
            "{} already exists (use --force to overwrite)",
            path.display()
        )));
    }
    let io = |p: &Path, e: std::io::Error| Error::Io(format!("{}: {e}", p.display()));
    std::fs::write(path, example()).map_err(|e| io(path, e))?;
    let mut written = Written {
        config: path.to_path_buf(),
        starter: 0,
        schema: None,
    };
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let fresh = !folder.join("schemas").exists() && !folder.join("cases").exists();
    if starter && fresh {
        for (name, dir) in &STARTER {
            // A working tree's pending snapshots are not part of the baseline.
            for file in files(dir)
                .into_iter()
                .filter(|f| !f.path().to_string_lossy().ends_with(".snap.new"))
            {
                let dest = folder.join(name).join(file.path());
                if dest.exists() {
                    continue;
                }
                if let Some(parent) = dest.parent() {
                    std::fs::create_dir_all(parent).map_err(|e| io(parent, e))?;
                }
                std::fs::write(&dest, file.contents()).map_err(|e| io(&dest, e))?;
                written.starter += 1;
            }
        }
    }
    // An existing schema is left alone: in a project it is the committed one.
    let schema = folder.join(crate::run::config_schema::SCHEMA_PATH);
    if !schema.exists() {
        if let Some(dir) = schema.parent() {
            std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
        }
        std::fs::write(&schema, crate::run::config_schema::config_schema_text())
            .map_err(|e| io(&schema, e))?;
        written.schema = Some(schema);
    }
    Ok(written)
}

/// Starts a project for a new service in `folder` from its reference pages: the contract
/// derived from `pages` into `schemas/`, its generated suite into `cases/generated/`. Refused
/// where a contract or cases already are (unless `force`), so nothing of a project is replaced.
/// Returns how many operations and cases.
pub fn from_pages(folder: &Path, pages: &Path, force: bool) -> Result<(usize, usize), Error> {
    let schemas = folder.join("schemas");
    let cases = folder.join("cases");
    if !force && (schemas.join(crate::contract::INDEX_FILE).exists() || cases.exists()) {
        return Err(Error::bad(format!(
            "--pages: {} already holds a contract or cases; init --pages starts a new project (--force to replace them)",
            folder.display()
        )));
    }
    if !pages.exists() {
        return Err(Error::bad(format!(
            "--pages {}: no such file or folder",
            pages.display()
        )));
    }
    let derived = super::derive::derive(&[pages.to_path_buf()], &schemas, None, &[], force)?;
    if !derived.denied.is_empty() {
        return Err(Error::BadInput(
            derived
                .denied
                .into_iter()
                .map(crate::diagnostic::Diagnostic::plain)
                .collect(),
        ));
    }
    let contract = super::load_contract(&schemas)?;
    let generated = super::generate::generate(
        &schemas,
        &cases.join("generated"),
        &crate::generate::Options::default(),
    )?;
    Ok((contract.operations.len(), generated.len()))
}

/// Every file under an embedded folder.
fn files<'a>(dir: &'a include_dir::Dir<'a>) -> Vec<&'a include_dir::File<'a>> {
    let mut out: Vec<&include_dir::File> = dir.files().collect();
    for sub in dir.dirs() {
        out.extend(files(sub));
    }
    out
}

/// `conform init`: with `pages`, derives and generates a new project first; then writes the
/// config (and the starter contract, suite and baseline unless `config_only`).
pub fn main(
    config: Option<std::path::PathBuf>,
    force: bool,
    config_only: bool,
    pages: Option<&Path>,
    root: Option<&Path>,
) -> Result<i32, Error> {
    // Inside a project, its config: a second conform.yaml in a subfolder would take over
    // project discovery from there down.
    let config = config.unwrap_or_else(|| crate::project::default_path(root, "conform.yaml"));
    if let Some(pages) = pages {
        let folder = match config.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => std::path::PathBuf::from("."),
        };
        let (operations, cases) = from_pages(&folder, pages, force)?;
        println!(
            "derived {operations} operation(s) from {} into schemas/, generated {cases} case(s) into cases/generated/",
            pages.display()
        );
    }
    let written = init(&config, force, !config_only && pages.is_none())?;
    if written.starter > 0 {
        println!(
            "wrote the shipped contract, suite and mock baseline ({} files: schemas/, cases/, snapshots/)",
            written.starter
        );
    }
    if let Some(schema) = &written.schema {
        println!("wrote {} (for editors)", schema.display());
    }
    println!(
        "wrote {}: `conform run` runs the suite against the built-in mock; edit the targets, then `conform run --target NAME`",
        config.display()
    );
    Ok(crate::exit_code::OK)
}
