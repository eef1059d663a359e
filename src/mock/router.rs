//! The mock's routing table: path templates by method, matched with `matchit` (the radix tree
//! axum is built on), without axum's per-request work (copying and percent-decoding every
//! parameter into shared strings, cloning the route's boxed service).
//!
//! One table type serves both the mock's own routes (`routes`) and the contract tier's derived
//! operations, which are known only at start-up. Derived templates do not always fit matchit's
//! rules, so each is inserted by its *shape*: every segment holding a parameter becomes one
//! whole-segment parameter named by its position. Templates naming a parameter differently
//! (`/servers/{server_id}` and `/servers/{id}/action`) then share the tree's nodes instead of
//! conflicting, and a segment mixing literals and parameters (`{region}:{floatingip_id}`,
//! `{name}.json`), which matchit refuses, is matched within the segment once the tree has found
//! the shape ([`template::match_segment`]). A shape's leaf holds, for each method, its
//! templates, the most literal first. Should matchit still refuse a shape, `insert` says which
//! and why, for the caller to report: nothing panics at start-up.
//!
//! The path is matched first, then the method, as axum does: a literal segment beats a
//! parameter at the first segment where two templates differ (`/servers/detail` over
//! `/servers/{server_id}`, trying the parameter when the literal leads nowhere), and a method the
//! literal path does not take is a 405 there, listing the methods it takes, even when another
//! path's template would take it (`DELETE /servers/detail` is not `DELETE /servers/{id}`). A
//! caller that routes a method among its own templates only keeps a table per method (the
//! contract tier does).
//!
//! A parameter never matches an empty segment (`/v2//snapshots`), as the hand-written matching
//! this replaced did not.

use std::collections::HashMap;

use axum::http::Method;
use smallvec::SmallVec;

use crate::contract::template;

/// A template the tree refused: it is not served.
#[derive(Debug, thiserror::Error)]
#[error("the route {method} {template} does not fit the routing tree ({source}); it is not served")]
pub struct Refused {
    /// The route's method.
    pub method: Method,
    /// The route's template.
    pub template: String,
    /// matchit's reason.
    #[source]
    pub source: matchit::InsertError,
}

/// What a matched path gives its route's parameters: (name, value as sent, still
/// percent-encoded), in the template's order. Held inline up to four: an allocation was a
/// measurable share of the routing's cost.
pub type Params<'t, 'p> = SmallVec<[(&'t str, &'p str); 4]>;

/// A route found for a request: its value and its parameters.
#[derive(Debug)]
pub struct Hit<'t, 'p, T> {
    /// The value the route was inserted with.
    pub value: &'t T,
    /// The path's parameters, raw.
    pub params: Params<'t, 'p>,
}

/// A template segment holding parameters: one matchit parameter.
#[derive(Debug)]
enum Segment {
    /// The whole segment is one parameter, by this name.
    Sole(Box<str>),
    /// Literals and parameters mixed (`{region}:{floatingip_id}`), matched within the segment.
    Mixed(Box<str>),
}

/// One template of a slot.
#[derive(Debug)]
struct Candidate<T> {
    value: T,
    /// The template's segments that hold parameters, in order.
    segments: Vec<Segment>,
    /// How literal the parameter segments are (`template::literal_weight`), to try mixed
    /// segments before a sole parameter.
    weight: usize,
}

impl<T> Candidate<T> {
    /// The parameters of a matched shape's values, or None when a mixed segment does not fit
    /// or a value is empty.
    fn bind<'t, 'p>(&'t self, values: impl Iterator<Item = &'p str>) -> Option<Params<'t, 'p>> {
        let mut out = Params::new();
        for (segment, value) in self.segments.iter().zip(values) {
            if value.is_empty() {
                return None;
            }
            match segment {
                Segment::Sole(name) => out.push((&**name, value)),
                Segment::Mixed(segment) => out.extend(template::match_segment(segment, value)?),
            }
        }
        Some(out)
    }
}

/// The templates of one shape: for each method (in the order an `Allow` header lists them),
/// its candidates, most literal first.
type Slot<T> = Vec<(Method, Vec<Candidate<T>>)>;

/// Routes by method and path template; `T` is what a route leads to.
#[derive(Debug)]
pub struct Table<T> {
    /// Shapes; a leaf is an index into `slots`.
    tree: matchit::Router<usize>,
    slots: Vec<Slot<T>>,
    /// Shape → slot, for a template whose shape is in the tree already.
    shapes: HashMap<String, usize>,
}

impl<T> Default for Table<T> {
    fn default() -> Table<T> {
        Table {
            tree: matchit::Router::new(),
            slots: Vec::new(),
            shapes: HashMap::new(),
        }
    }
}

/// Where a method sits in an `Allow` header: the common ones in a fixed order, then the others.
pub fn rank(method: &str) -> usize {
    const ORDER: [&str; 6] = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH"];
    ORDER
        .iter()
        .position(|m| *m == method)
        .unwrap_or(ORDER.len())
}

/// A template's shape as a matchit route (each parameter segment one parameter named by its
/// position, literal braces escaped), its parameter segments, and how literal they are
/// together.
fn shape(template: &str) -> (String, Vec<Segment>, usize) {
    let mut route = String::with_capacity(template.len());
    let mut segments = Vec::new();
    let mut weight = 0;
    for (i, segment) in template.split('/').enumerate() {
        if i > 0 {
            route.push('/');
        }
        if !template::has_param(segment) {
            route.push_str(&segment.replace('{', "{{").replace('}', "}}"));
            continue;
        }
        route.push_str(&format!("{{p{i}}}"));
        weight += template::literal_weight(segment);
        segments.push(match template::sole_param(segment) {
            Some(name) => Segment::Sole(name.into()),
            None => Segment::Mixed(segment.into()),
        });
    }
    (route, segments, weight)
}

impl<T> Table<T> {
    /// An empty table.
    pub fn new() -> Table<T> {
        Table::default()
    }

    /// Adds a route. Templates of one method and shape are all kept, the most literal tried
    /// first, then in the order inserted. `Err` says the tree refused the template (a shape it
    /// takes no other way), and it is not served.
    pub fn insert(&mut self, method: Method, path: &str, value: T) -> Result<(), Refused> {
        let (route, segments, weight) = shape(path);
        let candidate = Candidate {
            value,
            segments,
            weight,
        };
        let slot = match self.shapes.get(&route) {
            Some(&slot) => slot,
            None => match self.tree.insert(route.clone(), self.slots.len()) {
                Ok(()) => {
                    self.shapes.insert(route, self.slots.len());
                    self.slots.push(Vec::new());
                    self.slots.len() - 1
                }
                Err(source) => {
                    return Err(Refused {
                        method,
                        template: path.to_string(),
                        source,
                    })
                }
            },
        };
        let slot = &mut self.slots[slot];
        let at = match slot.iter().position(|(m, _)| *m == method) {
            Some(at) => at,
            None => {
                let at = slot
                    .iter()
                    .position(|(m, _)| rank(m.as_str()) > rank(method.as_str()))
                    .unwrap_or(slot.len());
                slot.insert(at, (method, Vec::new()));
                at
            }
        };
        let candidates = &mut slot[at].1;
        let at = candidates
            .iter()
            .position(|c| c.weight < candidate.weight)
            .unwrap_or(candidates.len());
        candidates.insert(at, candidate);
        Ok(())
    }

    /// The route a request takes, with its path's parameters (raw), or None when no template
    /// of this method fits the path.
    pub fn at<'t, 'p>(&'t self, method: &Method, path: &'p str) -> Option<Hit<'t, 'p, T>> {
        let found = self.tree.at(path).ok()?;
        let slot = self.slots.get(*found.value)?;
        let (_, candidates) = slot.iter().find(|(m, _)| m == method)?;
        candidates.iter().find_map(|c| {
            let values = found.params.iter().map(|(_, v)| v);
            c.bind(values).map(|params| Hit {
                value: &c.value,
                params,
            })
        })
    }

    /// The methods some route of this path takes, in the order an `Allow` header lists them
    /// (empty: no route has the path).
    pub fn allows(&self, path: &str) -> Vec<&str> {
        let Ok(found) = self.tree.at(path) else {
            return Vec::new();
        };
        let slot = self.slots.get(*found.value).into_iter().flatten();
        slot.filter(|(_, candidates)| {
            let values = || found.params.iter().map(|(_, v)| v);
            candidates.iter().any(|c| c.bind(values()).is_some())
        })
        .map(|(method, _)| method.as_str())
        .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(routes: &[(Method, &str)]) -> Table<usize> {
        let mut t = Table::new();
        for (i, (m, p)) in routes.iter().enumerate() {
            if let Err(e) = t.insert(m.clone(), p, i) {
                panic!("{e}");
            }
        }
        t
    }

    fn routed(t: &Table<usize>, m: Method, path: &str) -> Option<(usize, Vec<(String, String)>)> {
        t.at(&m, path).map(|h| {
            let params = h
                .params
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect();
            (*h.value, params)
        })
    }

    fn p(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect()
    }

    /// Derived templates that matchit refuses as written (a parameter named differently at one
    /// place, a literal beside a parameter, mixed and suffixed segments, literal braces) all go
    /// in, and each request reaches the template that fits it best.
    #[test]
    fn templates_matchit_would_refuse_are_all_routed() {
        let t = table(&[
            (Method::GET, "/v2/{project_id}/servers/{server_id}"),
            (Method::GET, "/v2/{project_id}/servers/detail"),
            (Method::POST, "/v2/{tenant}/servers/{id}/action"),
            (Method::DELETE, "/v2/{project_id}/servers/{server_id}"),
            (
                Method::PUT,
                "/v2/reverse/floatingips/{region}:{floatingip_id}",
            ),
            (Method::PUT, "/v2/reverse/floatingips/{floatingip_id}"),
            (Method::GET, "/v1/{project_id}/files/{name}.json"),
            (Method::GET, "/v1/{project_id}/files/{name}"),
            (Method::GET, "/v1/{project_id}/files/{a}{b}"),
            (Method::GET, "/v{n}/info"),
            (Method::GET, "/v2/info"),
            (Method::GET, "/odd/a{b/c}"),
            (Method::GET, "/v2/{project_id}/servers/{server_id}"),
        ]);
        let get = |path| routed(&t, Method::GET, path);
        assert_eq!(
            get("/v2/p/servers/s-1"),
            Some((0, p(&[("project_id", "p"), ("server_id", "s-1")])))
        );
        assert_eq!(
            get("/v2/p/servers/detail"),
            Some((1, p(&[("project_id", "p")])))
        );
        assert_eq!(
            routed(&t, Method::POST, "/v2/p/servers/s-1/action"),
            Some((2, p(&[("tenant", "p"), ("id", "s-1")])))
        );
        // The path first: `detail` is no server id, whatever the method.
        assert_eq!(routed(&t, Method::DELETE, "/v2/p/servers/detail"), None);
        assert_eq!(t.allows("/v2/p/servers/detail"), ["GET"]);
        assert_eq!(t.allows("/v2/p/servers/s"), ["GET", "DELETE"]);
        assert_eq!(
            routed(&t, Method::PUT, "/v2/reverse/floatingips/cn-north-4:f%3A1"),
            Some((
                4,
                p(&[("region", "cn-north-4"), ("floatingip_id", "f%3A1")])
            ))
        );
        assert_eq!(
            routed(&t, Method::PUT, "/v2/reverse/floatingips/f1"),
            Some((5, p(&[("floatingip_id", "f1")])))
        );
        assert_eq!(
            get("/v1/p/files/x.json"),
            Some((6, p(&[("project_id", "p"), ("name", "x")])))
        );
        assert_eq!(
            get("/v1/p/files/x.yaml"),
            Some((7, p(&[("project_id", "p"), ("name", "x.yaml")])))
        );
        assert_eq!(get("/v3/info"), Some((9, p(&[("n", "3")]))));
        assert_eq!(get("/v2/info"), Some((10, p(&[]))));
        assert_eq!(get("/odd/a{b/c}"), Some((11, p(&[]))));
        // A second template of a method and shape already taken is kept, never served first.
        let slot = &t.slots[t.shapes["/v2/{p2}/servers/{p4}"]];
        let values: Vec<usize> = slot[0].1.iter().map(|c| c.value).collect();
        assert_eq!((&slot[0].0, values), (&Method::GET, vec![0, 12]));
    }

    #[test]
    fn parameters_take_no_empty_segment_and_slashes_count() {
        let t = table(&[
            (Method::GET, "/v2/{project_id}/snapshots"),
            (Method::GET, "/v2/{project_id}/snapshots/{snapshot_id}"),
            (Method::GET, "/v2/"),
        ]);
        for miss in [
            "/v2//snapshots",
            "/v2/p/snapshots/",
            "/v2/p/snapshots//",
            "/v2",
            "v2/p/snapshots",
            "",
        ] {
            assert!(t.at(&Method::GET, miss).is_none(), "{miss:?}");
            assert!(t.allows(miss).is_empty(), "{miss:?}");
        }
        assert!(t.at(&Method::GET, "/v2/").is_some());
        assert_eq!(
            routed(&t, Method::GET, "/v2/p/snapshots/a%2Fb"),
            Some((1, p(&[("project_id", "p"), ("snapshot_id", "a%2Fb")])))
        );
    }

    #[test]
    fn allow_lists_every_method_of_a_path_in_one_order() {
        let t = table(&[
            (Method::DELETE, "/a/{id}"),
            (Method::from_bytes(b"BREW").unwrap_or_default(), "/a/{id}"),
            (Method::PUT, "/a/{x}"),
            (Method::GET, "/a/{id}"),
            (Method::HEAD, "/a/{id}"),
            (Method::POST, "/a"),
        ]);
        assert_eq!(t.allows("/a/1"), ["GET", "HEAD", "PUT", "DELETE", "BREW"]);
        assert_eq!(t.allows("/a"), ["POST"]);
        assert!(t.allows("/b").is_empty());
    }

    /// A shape the tree refuses is reported, not a panic.
    #[test]
    fn a_refused_route_is_reported() {
        let mut t: Table<usize> = Table::new();
        // A route matchit takes behind the table's back, then one it refuses as a conflict.
        assert!(t.tree.insert("/b/{x}", 0).is_ok());
        t.slots.push(Vec::new());
        let err = t
            .insert(Method::GET, "/b/{p1}", 7)
            .expect_err("the tree holds the shape already, unknown to the table");
        assert!(err.to_string().contains("GET /b/{p1}"), "{err}");
        assert!(t.at(&Method::GET, "/b/v").is_none());
        assert!(t.insert(Method::GET, "/c/{id}", 8).is_ok());
        assert_eq!(
            routed(&t, Method::GET, "/c/v"),
            Some((8, p(&[("id", "v")])))
        );
    }
}
