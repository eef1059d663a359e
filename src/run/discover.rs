//! What a run learns from its target before it starts, for the variables nothing else names.
//!
//! The project ids, found as the official SDKs find them: IAM's project list
//! (`GET /v3/projects`, AUTH.md section 5), asked once before the run.
//!
//! A region's main project is named after the region (`cn-north-4`); its subprojects are named
//! `<region>_<name>`. The main project gives `project_id`; the first subproject of the same
//! region, when there is one, gives `other_project_id` (what the namespace cases create in).
//! Without a region (a `--target-url`), the region is the one project name that names no
//! subproject.
//!
//! And, for a `--target-url` that is a conform mock, its variables (`GET /__mock/vars`): the
//! ids of what its contract cannot create. Any other server answers that with a 404 and
//! nothing is learned.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::Value;

use super::auth::authorize;
use super::client::{Http, Outgoing};
use super::target::{Auth, Target};

/// What the project list gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// The region's main project.
    pub project_id: String,
    /// Another project of the same region, when the account has one.
    pub other_project_id: Option<String>,
    /// The region the projects were chosen by.
    pub region: String,
    /// The URL asked.
    pub url: String,
}

/// Why the project list gave no project.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DiscoverError {
    /// The target has no IAM endpoint to ask.
    #[error("no IAM endpoint to ask (give the target an `iam` service URL, or a region)")]
    NoEndpoint,
    /// The request could not be signed or sent.
    #[error("GET {url}: {reason}")]
    Transport {
        /// The URL asked.
        url: String,
        /// What went wrong.
        reason: String,
    },
    /// The answer was not a project list.
    #[error("GET {url} answered {status}, not a project list")]
    NotAList {
        /// The URL asked.
        url: String,
        /// Its status.
        status: u16,
    },
    /// No single project matched.
    #[error("GET {url} lists {listed} project(s), none (or more than one) named {region}")]
    NoMatch {
        /// The URL asked.
        url: String,
        /// How many the list held.
        listed: usize,
        /// The name looked for.
        region: String,
    },
}

/// The IAM base URL of a target: its `iam` service, its password login's endpoint, its
/// region's IAM, or (a `--target-url`) the one URL that serves everything.
fn iam_base(target: &Target) -> Option<String> {
    if let Some(u) = target.services.get("iam") {
        return Some(u.trim_end_matches('/').to_string());
    }
    if let Auth::Password(login) = &target.auth {
        return Some(login.iam_endpoint.trim_end_matches('/').to_string());
    }
    if let Some(region) = &target.region {
        return Some(format!("https://iam.{region}.myhuaweicloud.com"));
    }
    target.base_url("iam").map(str::to_string)
}

/// Asks the target's IAM for its projects and picks the run's.
pub async fn projects(
    http: &Http,
    target: &Target,
    timeout: Duration,
) -> Result<Found, DiscoverError> {
    let base = iam_base(target).ok_or(DiscoverError::NoEndpoint)?;
    let path = "/v3/projects";
    let url = format!("{base}{path}");
    let transport = |reason: String| DiscoverError::Transport {
        url: url.clone(),
        reason,
    };
    let (signed_url, headers) =
        authorize(&target.auth, "GET", &base, path, &[], Vec::new(), None).map_err(transport)?;
    let resp = http
        .send(
            &Outgoing {
                method: reqwest::Method::GET,
                url: signed_url,
                headers,
                body: None,
            },
            timeout,
        )
        .await
        .map_err(|e| transport(e.to_string()))?;
    let not_a_list = || DiscoverError::NotAList {
        url: url.clone(),
        status: resp.status,
    };
    if !(200..300).contains(&resp.status) {
        return Err(not_a_list());
    }
    let body: Value = serde_json::from_slice(&resp.body).map_err(|_| not_a_list())?;
    let projects: Vec<(String, String)> = body
        .get("projects")
        .and_then(Value::as_array)
        .ok_or_else(not_a_list)?
        .iter()
        .filter_map(|p| {
            Some((
                p.get("id")?.as_str()?.to_string(),
                p.get("name")?.as_str()?.to_string(),
            ))
        })
        .collect();
    choose(&projects, target.region.as_deref())
        .ok_or_else(|| DiscoverError::NoMatch {
            url: url.clone(),
            listed: projects.len(),
            region: target.region.clone().unwrap_or_else(|| "a region".into()),
        })
        .map(|(project_id, other_project_id, region)| Found {
            project_id,
            other_project_id,
            region,
            url,
        })
}

/// A conform mock's variables (`GET /__mock/vars` at `base`): empty when the target is not
/// one, or its admin API is off or refuses the run's credentials.
pub async fn mock_vars(
    http: &Http,
    base: &str,
    auth: &Auth,
    timeout: Duration,
) -> BTreeMap<String, String> {
    let path = "/__mock/vars";
    let Ok((url, headers)) = authorize(auth, "GET", base, path, &[], Vec::new(), None) else {
        return BTreeMap::new();
    };
    let out = Outgoing {
        method: reqwest::Method::GET,
        url,
        headers,
        body: None,
    };
    match http.send(&out, timeout).await {
        Ok(resp) if resp.status == 200 => serde_json::from_slice(&resp.body).unwrap_or_default(),
        _ => BTreeMap::new(),
    }
}

/// The main project (named exactly after the region, exactly one) and the first subproject of
/// that region by name. Without a region, the region is the only name without `_`.
fn choose(
    projects: &[(String, String)],
    region: Option<&str>,
) -> Option<(String, Option<String>, String)> {
    let region = match region {
        Some(r) => r.to_string(),
        None => {
            let mut mains = projects.iter().filter(|(_, n)| !n.contains('_'));
            let (_, only) = mains.next()?;
            if mains.next().is_some() {
                return None;
            }
            only.clone()
        }
    };
    let mut main = projects.iter().filter(|(_, n)| *n == region);
    let (id, _) = main.next()?;
    if main.next().is_some() {
        return None;
    }
    let prefix = format!("{region}_");
    let other = projects
        .iter()
        .filter(|(_, n)| n.starts_with(&prefix))
        .min_by(|a, b| a.1.cmp(&b.1))
        .map(|(id, _)| id.clone());
    Some((id.clone(), other, region))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(names: &[(&str, &str)]) -> Vec<(String, String)> {
        names
            .iter()
            .map(|(i, n)| (i.to_string(), n.to_string()))
            .collect()
    }

    #[test]
    fn the_region_names_the_main_project_and_its_first_subproject_the_other() {
        let l = list(&[
            ("a", "cn-north-4"),
            ("c", "cn-north-4_z"),
            ("b", "cn-north-4_b"),
            ("d", "ap-southeast-1"),
        ]);
        assert_eq!(
            choose(&l, Some("cn-north-4")),
            Some(("a".into(), Some("b".into()), "cn-north-4".into()))
        );
        assert_eq!(
            choose(&l, Some("ap-southeast-1")),
            Some(("d".into(), None, "ap-southeast-1".into()))
        );
        assert_eq!(choose(&l, Some("eu-west-0")), None);
    }

    #[test]
    fn without_a_region_only_a_single_main_project_is_chosen() {
        let one = list(&[("a", "cn-north-4"), ("b", "cn-north-4_x")]);
        assert_eq!(
            choose(&one, None),
            Some(("a".into(), Some("b".into()), "cn-north-4".into()))
        );
        let two = list(&[("a", "cn-north-4"), ("d", "ap-southeast-1")]);
        assert_eq!(choose(&two, None), None);
        assert_eq!(choose(&[], None), None);
    }
}
