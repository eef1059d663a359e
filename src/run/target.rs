//! Targets: where requests go (a base URL per service), the variables a target provides, and its
//! auth. From the built-in mock, from `--target-url`, or from `conform.yaml`.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use serde::Deserialize;
use serde_json::Value;

/// A secret value: never printed, logged or serialised.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(s: impl Into<String>) -> Secret {
        Secret(s.into())
    }

    /// The value, for the one place that sends it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// How requests authenticate.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Auth {
    /// Nothing.
    #[default]
    None,
    /// `X-Auth-Token`.
    Token(Secret),
    /// An IAM user's password, exchanged for a token once per run before anything is sent.
    Password(PasswordLogin),
    /// Huawei Cloud AK/SK (`SDK-HMAC-SHA256`).
    AkSk {
        /// Access key (treated as a secret in every output, too).
        ak: Secret,
        /// Secret key.
        sk: Secret,
        /// Temporary credentials' security token.
        security_token: Option<Secret>,
        /// Sent as `X-Project-Id` (signed), as the SDK's BasicCredentials do.
        project_id: Option<String>,
    },
}

impl Auth {
    /// Secret values to scrub from every output.
    pub fn secrets(&self) -> Vec<String> {
        match self {
            Auth::None => Vec::new(),
            Auth::Token(t) => vec![t.expose().to_string()],
            Auth::Password(p) => vec![p.password.expose().to_string()],
            Auth::AkSk {
                ak,
                sk,
                security_token,
                ..
            } => {
                let mut v = vec![ak.expose().to_string(), sk.expose().to_string()];
                v.extend(security_token.iter().map(|t| t.expose().to_string()));
                v
            }
        }
    }

    /// The kind, as cases name it in `requires`.
    pub fn kind(&self) -> Option<&'static str> {
        match self {
            Auth::None => None,
            Auth::Token(_) | Auth::Password(_) => Some("token"),
            Auth::AkSk { .. } => Some("aksk"),
        }
    }
}

/// What the IAM password login needs (AUTH.md, section 6).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordLogin {
    /// IAM endpoint base URL.
    pub iam_endpoint: String,
    /// IAM user name.
    pub user: String,
    /// Password.
    pub password: Secret,
    /// Account (domain) name.
    pub domain: String,
    /// Scope: a project id (preferred) or a project name (the region).
    pub project: ProjectScope,
}

/// The project a token is scoped to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProjectScope {
    /// By id.
    Id(String),
    /// By name (the region, e.g. cn-north-4).
    Name(String),
}

/// What kind of endpoint a target is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetKind {
    /// The built-in mock, in-process.
    Mock,
    /// Any URL (`--target-url`).
    Url,
    /// A target from `conform.yaml`.
    Configured,
}

/// A resolved target.
#[derive(Debug, Clone)]
pub struct Target {
    /// Name (`mock`, `url`, or the config name).
    pub name: String,
    /// Kind.
    pub kind: TargetKind,
    /// Base URL per service.
    pub services: BTreeMap<String, String>,
    /// Base URL for services not listed.
    pub fallback: Option<String>,
    /// Variables the target provides (project_id, snapshot_id, …).
    pub vars: BTreeMap<String, Value>,
    /// Auth.
    pub auth: Auth,
    /// Drift fails cases (default: on for the mock, off for real endpoints).
    pub strict: bool,
    /// Snapshot redactions and skipped paths of this target.
    pub snapshot_rules: crate::snapshot::redact::Rules,
    /// Cases that change resources may run (always for the built-in mock).
    pub mutations_allowed: bool,
    /// The kinds a case may create: any on the built-in mock and a `--target-url`; on a
    /// configured target only those `allow_create` and `--allow-create` name (resolved against
    /// the contract once it is loaded, see [`crate::run::creates`]).
    pub creates: crate::run::creates::Creates,
    /// The kind names the config's `allow_create` gives, as written.
    pub allow_create: Vec<String>,
    /// The region whose endpoints serve the services without a base URL of their own.
    pub region: Option<String>,
}

impl Target {
    /// Gives every one of these services (the contract's) its region endpoint,
    /// `https://<service>.<region>.myhuaweicloud.com`, unless the target names a base URL for it.
    pub fn cover<'a>(&mut self, services: impl IntoIterator<Item = &'a str>) {
        let Some(region) = &self.region else {
            return;
        };
        for s in services {
            self.services
                .entry(s.to_string())
                .or_insert_with(|| region_endpoint(s, region));
        }
    }

    /// The base URL for a service.
    pub fn base_url(&self, service: &str) -> Option<&str> {
        self.services
            .get(service)
            .or(self.fallback.as_ref())
            .map(|s| s.trim_end_matches('/'))
    }

    /// Every distinct base URL.
    pub fn base_urls(&self) -> Vec<String> {
        let mut v: Vec<String> = self
            .services
            .values()
            .chain(self.fallback.iter())
            .map(|s| s.trim_end_matches('/').to_string())
            .collect();
        v.sort();
        v.dedup();
        v
    }

    /// A target for any URL: every service at that base.
    pub fn url(base: &str) -> Target {
        Target {
            name: "url".into(),
            kind: TargetKind::Url,
            services: BTreeMap::new(),
            fallback: Some(base.to_string()),
            vars: BTreeMap::new(),
            auth: Auth::None,
            strict: false,
            snapshot_rules: Default::default(),
            mutations_allowed: false,
            creates: Default::default(),
            allow_create: Vec::new(),
            region: None,
        }
    }
}

/// A service's endpoint in a region (AUTH.md, section 7).
fn region_endpoint(service: &str, region: &str) -> String {
    format!("https://{service}.{region}.myhuaweicloud.com")
}

/// The `auth` entry of a configured target.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, tag = "type", rename_all = "lowercase")]
pub enum AuthConfig {
    /// No auth. A struct variant with no fields, not a unit one: serde lets a unit variant of an
    /// internally tagged enum carry any other keys, and `{type: none, token_env: T}` is a typo.
    None {},
    /// A token read from an environment variable (never written in the file).
    Token {
        /// Environment variable holding the token.
        token_env: String,
    },
    /// An IAM user's password, exchanged for a token (`POST /v3/auth/tokens`) once per run.
    Password {
        /// Variable holding the IAM user name.
        user_env: String,
        /// Variable holding the password.
        password_env: String,
        /// Variable holding the account (domain) name.
        domain_env: String,
        /// IAM endpoint (default: HUAWEICLOUD_SDK_IAM_ENDPOINT, else
        /// `https://iam.<region>.myhuaweicloud.com`).
        #[serde(default)]
        iam_endpoint: Option<String>,
    },
    /// AK/SK read from environment variables (defaults: the official SDKs' names).
    Aksk {
        /// Variable holding the AK.
        #[serde(default = "default_ak_env")]
        ak_env: String,
        /// Variable holding the SK.
        #[serde(default = "default_sk_env")]
        sk_env: String,
        /// Variable holding a security token (temporary credentials), if set.
        #[serde(default = "default_token_env")]
        security_token_env: String,
    },
}

fn default_ak_env() -> String {
    "HUAWEICLOUD_SDK_AK".into()
}

fn default_sk_env() -> String {
    "HUAWEICLOUD_SDK_SK".into()
}

fn default_token_env() -> String {
    "HUAWEICLOUD_SDK_SECURITY_TOKEN".into()
}

/// One target in `conform.yaml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetConfig {
    /// Base URL per service.
    #[serde(default)]
    pub services: BTreeMap<String, String>,
    /// A region: every service of the contract without a base URL in `services` gets
    /// `https://<service>.<region>.myhuaweicloud.com`.
    #[serde(default)]
    pub region: Option<String>,
    /// Variables.
    #[serde(default)]
    pub vars: BTreeMap<String, Value>,
    /// Auth.
    #[serde(default)]
    pub auth: Option<AuthConfig>,
    /// Drift fails cases.
    #[serde(default)]
    pub strict: Option<bool>,
    /// Snapshot redactions and skipped paths for this target.
    #[serde(default)]
    pub snapshot: Option<crate::case::model::SnapshotOptions>,
    /// `allowed` lets cases that change resources run against this target.
    #[serde(default)]
    pub mutations: Option<Mutations>,
    /// The resource kinds cases may create on this target (`vpc.v1`, `vpc` for every version's
    /// `vpc.vN`, or `all`); `--allow-create` adds to them. None by default.
    #[serde(default)]
    pub allow_create: Vec<String>,
}

/// Whether a configured target may be changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mutations {
    /// Mutating cases run.
    Allowed,
    /// Mutating cases are skipped (the default).
    Forbidden,
}

/// `conform.yaml`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Targets by name.
    #[serde(default)]
    pub targets: BTreeMap<String, TargetConfig>,
}

/// Services a region reaches before the contract is known (`doctor`, `restore`); a run gives
/// every service of its contract the region's endpoint ([`Target::cover`]).
const REGION_SERVICES: &[&str] = &["evs", "ecs"];

/// Why a base URL cannot be used: not a URL, not HTTP(S), or without a host.
pub fn check_base_url(u: &str) -> Result<(), String> {
    let url = reqwest::Url::parse(u).map_err(|e| format!("not a URL: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!(
            "unsupported scheme '{}': use http:// or https://",
            url.scheme()
        ));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("the URL has no host".into());
    }
    Ok(())
}

impl Config {
    /// Reads `conform.yaml`; errors carry file:line:column. Every base URL must be an HTTP(S)
    /// URL, checked here with its position.
    pub fn load(path: &Path) -> Result<Config, crate::diagnostic::Diagnostic> {
        let text = crate::input::read_text(path, crate::input::DOCUMENT)
            .map_err(|e| crate::diagnostic::Diagnostic::file(path, e.to_string()))?;
        let config: Config =
            serde_saphyr::from_str(&text).map_err(|e| crate::yaml::diagnostic(path, &e))?;
        // Positions found by the value's text: saphyr gives none once the file is typed.
        let at = |needle: &str, message: String| {
            let line = text
                .lines()
                .position(|l| l.contains(needle))
                .map_or(0, |i| i + 1);
            let column = text
                .lines()
                .nth(line.saturating_sub(1))
                .and_then(|l| l.find(needle))
                .map_or(0, |c| c + 1);
            crate::diagnostic::Diagnostic::at(path, line, column, message)
        };
        for (name, t) in &config.targets {
            for (service, url) in &t.services {
                if let Err(why) = check_base_url(url) {
                    return Err(at(
                        url,
                        format!("target {name}, service {service}: base URL '{url}': {why}"),
                    ));
                }
            }
            if let Some(region) = &t.region {
                // It becomes part of every endpoint's host name.
                let valid = !region.is_empty()
                    && region.split('-').all(|p| {
                        !p.is_empty()
                            && p.bytes()
                                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
                    });
                if !valid {
                    return Err(at(
                        region,
                        format!(
                            "target {name}: region '{region}' is not a region name (lower-case letters and digits joined by '-', such as cn-north-4)"
                        ),
                    ));
                }
            }
            if let Some(s) = &t.snapshot {
                if let Err(why) = s.rules() {
                    return Err(at("snapshot:", format!("target {name}: snapshot: {why}")));
                }
            }
        }
        Ok(config)
    }

    /// Resolves a named target; `flag` (`--target`, `--compare-target`) names where it was asked
    /// for in errors.
    pub fn target(
        &self,
        name: &str,
        file: &Path,
        flag: &str,
    ) -> Result<Target, crate::error::Error> {
        self.target_inner(name, file)
            .map_err(|e| crate::error::Error::bad(format!("{flag} {name}: {e}")))
    }

    fn target_inner(&self, name: &str, file: &Path) -> Result<Target, String> {
        let Some(t) = self.targets.get(name) else {
            let known: Vec<&str> = self.targets.keys().map(String::as_str).collect();
            return Err(format!(
                "no such target in {} (known: {})",
                file.display(),
                if known.is_empty() {
                    "none".into()
                } else {
                    known.join(", ")
                }
            ));
        };
        let mut services = t.services.clone();
        if let Some(region) = &t.region {
            for s in REGION_SERVICES {
                services
                    .entry((*s).to_string())
                    .or_insert_with(|| region_endpoint(s, region));
            }
        }
        if services.is_empty() {
            return Err(format!(
                "in {}: give services (base URLs) or a region",
                file.display()
            ));
        }
        let auth = match &t.auth {
            None | Some(AuthConfig::None {}) => Auth::None,
            Some(AuthConfig::Token { token_env }) => {
                let token = std::env::var(token_env).map_err(|_| {
                    format!("environment variable {token_env} (auth token) is not set")
                })?;
                Auth::Token(Secret::new(token))
            }
            Some(AuthConfig::Password {
                user_env,
                password_env,
                domain_env,
                iam_endpoint,
            }) => {
                let read = |var: &str, what: &str| {
                    std::env::var(var)
                        .map_err(|_| format!("environment variable {var} ({what}) is not set"))
                };
                let iam_endpoint = iam_endpoint
                    .clone()
                    .or_else(|| std::env::var("HUAWEICLOUD_SDK_IAM_ENDPOINT").ok())
                    .or_else(|| {
                        t.region
                            .as_ref()
                            .map(|r| format!("https://iam.{r}.myhuaweicloud.com"))
                    })
                    .unwrap_or_else(|| "https://iam.myhuaweicloud.com".into());
                let project =
                    match (t.vars.get("project_id").and_then(|v| v.as_str()), &t.region) {
                        (Some(id), _) => ProjectScope::Id(id.to_string()),
                        (None, Some(region)) => ProjectScope::Name(region.clone()),
                        (None, None) => return Err(
                            "a password login needs vars.project_id or a region to scope the token"
                                .to_string(),
                        ),
                    };
                Auth::Password(PasswordLogin {
                    iam_endpoint,
                    user: read(user_env, "IAM user")?,
                    password: Secret::new(read(password_env, "IAM password")?),
                    domain: read(domain_env, "account name")?,
                    project,
                })
            }
            Some(AuthConfig::Aksk {
                ak_env,
                sk_env,
                security_token_env,
            }) => {
                let read = |var: &str, what: &str| {
                    std::env::var(var)
                        .map_err(|_| format!("environment variable {var} ({what}) is not set"))
                };
                let project_id = t
                    .vars
                    .get("project_id")
                    .and_then(|v| v.as_str())
                    .map(str::to_string)
                    .or_else(|| std::env::var("HUAWEICLOUD_SDK_PROJECT_ID").ok());
                Auth::AkSk {
                    ak: Secret::new(read(ak_env, "AK")?),
                    sk: Secret::new(read(sk_env, "SK")?),
                    security_token: std::env::var(security_token_env).ok().map(Secret::new),
                    project_id,
                }
            }
        };
        Ok(Target {
            name: name.to_string(),
            kind: TargetKind::Configured,
            services,
            fallback: None,
            vars: t.vars.clone(),
            auth,
            strict: t.strict.unwrap_or(false),
            snapshot_rules: t
                .snapshot
                .as_ref()
                .map(|s| s.rules())
                .transpose()
                .map_err(|e| format!("snapshot: {e}"))?
                .unwrap_or_default(),
            mutations_allowed: t.mutations == Some(Mutations::Allowed),
            // Nothing until the contract says which kinds the names mean.
            creates: crate::run::creates::Creates::Only(Default::default()),
            allow_create: t.allow_create.clone(),
            region: t.region.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_never_shows_in_debug_output() {
        let a = Auth::Token(Secret::new("s3cr3t-token"));
        assert!(!format!("{a:?}").contains("s3cr3t"));
    }

    #[test]
    fn a_region_expands_to_service_endpoints() {
        let c: Config = serde_saphyr::from_str(
            "targets:\n  r:\n    region: cn-north-4\n    vars: {project_id: p}\n",
        )
        .unwrap();
        let t = c
            .target("r", Path::new("conform.yaml"), "--target")
            .unwrap();
        assert_eq!(
            t.base_url("evs"),
            Some("https://evs.cn-north-4.myhuaweicloud.com")
        );
        assert_eq!(
            t.base_url("ecs"),
            Some("https://ecs.cn-north-4.myhuaweicloud.com")
        );
        // Every service of the contract is reachable; a base URL of its own wins.
        let c: Config = serde_saphyr::from_str(
            "targets:\n  r:\n    region: cn-north-4\n    services: {vpc: 'http://127.0.0.1:9'}\n",
        )
        .unwrap();
        let mut t = c
            .target("r", Path::new("conform.yaml"), "--target")
            .unwrap();
        t.cover(["vpc", "ims", "dcs", "evs"]);
        assert_eq!(t.base_url("vpc"), Some("http://127.0.0.1:9"));
        assert_eq!(
            t.base_url("ims"),
            Some("https://ims.cn-north-4.myhuaweicloud.com")
        );
        assert_eq!(
            t.base_url("dcs"),
            Some("https://dcs.cn-north-4.myhuaweicloud.com")
        );
        let mut plain = Target::url("http://127.0.0.1:9");
        plain.cover(["ims"]);
        assert!(plain.services.is_empty(), "no region, nothing added");
        assert!(c
            .target("nope", Path::new("conform.yaml"), "--compare-target")
            .unwrap_err()
            .to_string()
            .contains("--compare-target nope: no such target in conform.yaml (known: r)"));
    }
}
