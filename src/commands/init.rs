//! `conform init`: a commented example `conform.yaml`.

use std::path::{Path, PathBuf};

use crate::error::Error;

/// The example, every field explained. It parses as a valid config (a test loads it).
pub const EXAMPLE: &str = r#"# yaml-language-server: $schema=schemas/conform.schema.json
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

  # Your own mock server, or any endpoint: every service at one base URL.
  local:
    services: {evs: "http://127.0.0.1:8080", ecs: "http://127.0.0.1:8080"}
    vars: {project_id: "0a1b2c3d4e5f40718293a4b5c6d7e8f9", snapshot_id: "5c7f0c1e-0000-4000-8000-000000000001", server_id: "9f3e6a10-0000-4000-8000-0000000000a1", missing_id: "00000000-0000-4000-8000-00000000dead"}
    mutations: allowed
"#;

/// Writes the example to `path`, refusing to overwrite unless `force`; and the schema its first
/// line names (`schemas/conform.schema.json` beside it) when that is missing, so an editor
/// finds it. Returns the schema's path when it was written. An existing schema is left alone:
/// in a project it is the committed one.
pub fn init(path: &Path, force: bool) -> Result<Option<PathBuf>, Error> {
    if path.exists() && !force {
        return Err(Error::bad(format!(
            "{} already exists (use --force to overwrite)",
            path.display()
        )));
    }
    std::fs::write(path, EXAMPLE).map_err(|e| Error::Io(format!("{}: {e}", path.display())))?;
    let schema = path
        .parent()
        .unwrap_or(Path::new(""))
        .join(crate::run::config_schema::SCHEMA_PATH);
    if schema.exists() {
        return Ok(None);
    }
    if let Some(dir) = schema.parent() {
        std::fs::create_dir_all(dir).map_err(|e| Error::Io(format!("{}: {e}", dir.display())))?;
    }
    std::fs::write(&schema, crate::run::config_schema::config_schema_text())
        .map_err(|e| Error::Io(format!("{}: {e}", schema.display())))?;
    Ok(Some(schema))
}
