//! Links from a row to a table on another page of the same set.
//!
//! Pages document an object once and point at it from other pages: a type cell
//! `Array of <a href="创建端口.md#table1757482512497">fixed_ip</a> objects`, a description
//! `详情参考[表4](创建缓存实例.md#table12803218151513)`. [`Pages`] holds every page of a run by
//! path, so a row's relative `.md` link can be followed to the page it names and, there, to the
//! table: by the anchor the link names, else by a caption naming the type, else the page's only
//! field table (the choosing is [`super::fields`]'s). A link to a page the run did not read is
//! not followed.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use super::page::{Block, Page, Table};

/// The pages of one run, by path, for following links between them.
#[derive(Debug, Default)]
pub struct Pages<'p> {
    by_path: BTreeMap<PathBuf, &'p Page>,
}

impl<'p> Pages<'p> {
    /// Indexes pages by their (lexically normalised) path.
    pub fn new(pages: impl IntoIterator<Item = &'p Page>) -> Pages<'p> {
        Pages {
            by_path: pages.into_iter().map(|p| (normalize(&p.path), p)).collect(),
        }
    }

    /// The page a link on the page at `from` points to, with the link's anchor: `None` for a
    /// same-page anchor (`#x`), an external address, or a page the run did not read.
    pub fn page_of<'h>(&self, from: &Path, href: &'h str) -> Option<(&'p Page, Option<&'h str>)> {
        let (file, anchor) = split_href(href)?;
        let path = normalize(&from.parent().unwrap_or(Path::new("")).join(file));
        let page = self.by_path.get(&path)?;
        Some((page, anchor))
    }
}

/// The file part and the anchor of a link to another page (`other.md#table1`); `None` for a
/// same-page anchor, an address with a scheme, or a link to something other than a page.
pub fn split_href(href: &str) -> Option<(&str, Option<&str>)> {
    let (file, anchor) = match href.split_once('#') {
        Some((f, a)) => (f, Some(a).filter(|a| !a.is_empty())),
        None => (href, None),
    };
    let is_page = file.ends_with(".md") || file.ends_with(".txt");
    (is_page && !file.contains("://")).then_some((file, anchor))
}

/// The tables of a page grouped as its rows resolve their children (a row's table is looked
/// for among the tables of its own section): the preamble's, then each section's.
pub fn scopes(page: &Page) -> Vec<Vec<&Table>> {
    fn tables(blocks: &[Block]) -> Vec<&Table> {
        blocks
            .iter()
            .filter_map(|b| match b {
                Block::Table(t) => Some(t),
                _ => None,
            })
            .collect()
    }
    std::iter::once(tables(&page.preamble))
        .chain(page.sections.iter().map(|s| tables(&s.blocks)))
        .filter(|s| !s.is_empty())
        .collect()
}

/// `a/./b/../c.md` → `a/c.md`, without touching the file system (pages may be read from
/// anywhere, and a link must match the path the page was read from).
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => match out.components().next_back() {
                None | Some(Component::ParentDir) => out.push(".."),
                // The root's parent is the root.
                Some(Component::RootDir | Component::Prefix(_)) => {}
                Some(_) => {
                    out.pop();
                }
            },
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::derive::defects::DefectKind;
    use crate::contract::derive::{derive, manifest::Manifest, Derived};
    use crate::contract::SchemaKind;
    use serde_json::Value;

    /// An operation page whose response is one row, followed by `more` (further tables).
    fn op_page(row: &str, more: &str) -> String {
        format!(
            "# 查询\n\n## URI\n\nGET /v1/{{project_id}}/things\n\n## 响应参数\n\n\
             |参数|参数类型|描述|\n|--|--|--|\n{row}\n{more}\n## 状态码\n\n\
             |状态码|描述|\n|--|--|\n|200|OK|\n"
        )
    }

    /// A page of data structures: no URI, only captioned tables.
    const STRUCTURES: &str = "# 数据结构\n\n\
        **表 3** Thing\n<a name=\"t1\"></a>\n\n|参数|参数类型|描述|\n|--|--|--|\n|size|Integer|大小。|\n\n\
        **表 4** Other\n<a name=\"t2\"></a>\n\n|参数|参数类型|描述|\n|--|--|--|\n|other|String|另一个。|\n";

    /// Derives the pages (name, text) of one service folder.
    fn derive_pages(pages: &[(&str, &str)]) -> Derived {
        let dir = tempfile::tempdir().expect("temp dir");
        let svc = dir.path().join("svc");
        std::fs::create_dir_all(&svc).expect("folder");
        for (name, text) in pages {
            std::fs::write(svc.join(name), text).expect("page");
        }
        derive(&[dir.path().to_path_buf()], &Manifest::default()).expect("derives")
    }

    /// The response schema of the only operation.
    fn response(d: &Derived) -> &Value {
        let op = &d.operations[0];
        &d.schemas[&(op.id.clone(), SchemaKind::Response(200))]
    }

    /// The field names and sources under a pointer of the response.
    fn fields_at(d: &Derived, pointer: &str) -> Vec<(String, String)> {
        response(d)
            .pointer(pointer)
            .and_then(Value::as_object)
            .map(|m| {
                m.iter()
                    .map(|(k, v)| (k.clone(), v["x-source"].as_str().unwrap_or("").into()))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// A row's link to another page's table is followed: by anchor, by a caption naming the
    /// type, or to the page's only field table; the rows keep their own page as `x-source`.
    #[test]
    fn a_link_to_a_table_on_another_page_is_followed() {
        let one_table =
            "# 详情\n\n**表 1** 参数\n\n|参数|参数类型|描述|\n|--|--|--|\n|size|Integer|大小。|\n";
        let cases = [
            // The number is the other page's: this page's own table 3 is another table.
            (
                "|items|Array of [Thing](b.md#t1) objects|列表，请参见[表3](b.md#t1)。|",
                "\n**表 3** Local\n\n|参数|参数类型|描述|\n|--|--|--|\n|wrong|String|错。|\n",
                "/properties/items/items/properties",
            ),
            // An HTML link inside the type cell, no anchor: the caption naming the type.
            (
                r#"|thing|<a href="b.md">Thing</a> object|详情。|"#,
                "",
                "/properties/thing/properties",
            ),
            // A page name with parentheses, no anchor: the page's only field table.
            (
                "|thing|Object|详情请参见[详情](数据(详情).md)。|",
                "",
                "/properties/thing/properties",
            ),
        ];
        for (row, more, pointer) in cases {
            let d = derive_pages(&[
                ("a.md", &op_page(row, more)),
                ("b.md", STRUCTURES),
                ("数据(详情).md", one_table),
            ]);
            let got = fields_at(&d, pointer);
            assert_eq!(got.len(), 1, "{row}: {}", response(&d));
            assert_eq!(got[0].0, "size", "{row}");
            assert!(
                got[0].1.starts_with("b.md:") || got[0].1.starts_with("数据(详情).md:"),
                "{row}: {got:?}"
            );
            assert!(
                d.defects
                    .iter()
                    .all(|x| x.kind != DefectKind::TableReference),
                "{row}: {:?}",
                d.defects
            );
        }
    }

    /// A page that holds its own copy of the linked table (same caption) uses its copy.
    #[test]
    fn a_linked_table_copied_onto_the_page_is_taken_from_the_page() {
        let own = "\n**表 5** Thing\n\n|参数|参数类型|描述|\n|--|--|--|\n|mine|Integer|本页。|\n";
        let d = derive_pages(&[
            (
                "a.md",
                &op_page("|items|Array of [Thing](b.md#t1) objects|列表。|", own),
            ),
            ("b.md", STRUCTURES),
        ]);
        let got = fields_at(&d, "/properties/items/items/properties");
        assert_eq!(got.len(), 1, "{}", response(&d));
        assert_eq!(got[0].0, "mine");
        assert!(got[0].1.starts_with("a.md:"), "{got:?}");
        assert!(
            !d.log.iter().any(|l| l.contains("referenced by no field")),
            "{:?}",
            d.log
        );
    }

    /// A link to a page the run did not read leaves the object open, and says so.
    #[test]
    fn a_link_to_a_page_not_read_is_a_note() {
        let d = derive_pages(&[(
            "a.md",
            &op_page("|thing|[Thing](missing.md#t1) object|详情。|", ""),
        )]);
        let thing = &response(&d)["properties"]["thing"];
        assert!(thing.get("properties").is_none(), "{thing}");
        assert!(
            d.log
                .iter()
                .any(|l| l.contains("/thing: links to missing.md#t1, a page not read")),
            "{:?}",
            d.log
        );
    }

    /// A row naming its table by number and by caption (or anchor) that are two different
    /// tables follows the caption and reports the disagreement; agreeing names report nothing.
    #[test]
    fn a_number_that_names_another_table_than_the_caption_is_a_defect() {
        let tables = "\n**表 2** Thing\n<a name=\"tt\"></a>\n\n|参数|参数类型|描述|\n|--|--|--|\n|size|Integer|大小。|\n\
             \n**表 3** Other\n\n|参数|参数类型|描述|\n|--|--|--|\n|wrong|String|错。|\n";
        let cases = [
            ("|items|Array|列表，请参见表3 Thing。|", true),
            ("|items|Array of Thing objects|列表，请参见表3。|", true),
            (
                r##"|items|Array|列表，请参见<a href="#tt">表3</a>。|"##,
                true,
            ),
            ("|items|Array of Thing objects|列表，请参见表2。|", false),
            (
                r##"|items|Array|列表，请参见<a href="#tt">表2</a>。|"##,
                false,
            ),
        ];
        for (row, disagree) in cases {
            let d = derive_pages(&[("a.md", &op_page(row, tables))]);
            let got = fields_at(&d, "/properties/items/items/properties");
            assert_eq!(
                got.iter().map(|f| f.0.as_str()).collect::<Vec<_>>(),
                vec!["size"],
                "{row}: {}",
                response(&d)
            );
            let reported: Vec<_> = d
                .defects
                .iter()
                .filter(|x| x.kind == DefectKind::TableReference)
                .collect();
            assert_eq!(reported.len(), usize::from(disagree), "{row}: {reported:?}");
            if let Some(x) = reported.first() {
                assert_eq!(x.pointer, "/items");
                assert!(x.found.to_string().contains("Other"), "{x}");
                assert!(x.documented.to_string().contains("Thing"), "{x}");
                assert!(!x.kind.is_note());
            }
        }
    }

    /// Two rows of one type share its table; a table never holds itself.
    #[test]
    fn rows_of_one_type_share_a_table_and_a_self_reference_ends() {
        let rows = "|ingress|Array of Rule objects|入。|\n|egress|Array of Rule objects|出。|";
        let rule = "\n**表 3** Rule\n\n|参数|参数类型|描述|\n|--|--|--|\n|port|Integer|端口。|\n|next|Rule object|下一条。|\n";
        let d = derive_pages(&[("a.md", &op_page(rows, rule))]);
        for name in ["ingress", "egress"] {
            let got = fields_at(&d, &format!("/properties/{name}/items/properties"));
            let names: Vec<&str> = got.iter().map(|f| f.0.as_str()).collect();
            assert_eq!(names, vec!["next", "port"], "{name}: {}", response(&d));
        }
        let next = &response(&d)["properties"]["ingress"]["items"]["properties"]["next"];
        assert!(next.get("properties").is_none(), "{next}");
        assert!(!d.log.iter().any(|l| l.contains("referenced by no field")));
    }

    /// A bare list names no item type: its items are what the example shows, else anything.
    #[test]
    fn a_bare_list_takes_its_item_type_from_the_example_or_stays_open() {
        let with_example = format!(
            "{}\n## 响应示例\n\n```\n{{\"ids\": [\"a\", \"b\"]}}\n```\n",
            op_page("|ids|Array|标识。|", "")
        );
        let d = derive_pages(&[("a.md", &with_example)]);
        assert_eq!(
            response(&d)["properties"]["ids"]["items"],
            serde_json::json!({"type": "string"})
        );
        let d = derive_pages(&[("a.md", &op_page("|ids|List|标识。|", ""))]);
        assert_eq!(
            response(&d)["properties"]["ids"]["items"],
            serde_json::json!({})
        );
    }

    /// Captions name a table after the row's type or name in every documented spelling.
    #[test]
    fn captions_after_the_type_or_the_name_are_found() {
        let cases = [
            ("|rules|Array of rule objects|规则。|", "rule对象"),
            ("|info|info object|信息。|", "info对象"),
            (
                "|results|Array of result objects|结果。|",
                "result字段数据结构说明",
            ),
            ("|tag|Object|标签。|", "tag数据结构说明"),
            ("|instances|Array|实例。|", "instance参数说明"),
        ];
        for (row, caption) in cases {
            let more = format!(
                "\n**表 3** {caption}\n\n|参数|参数类型|描述|\n|--|--|--|\n|size|Integer|大小。|\n"
            );
            let d = derive_pages(&[("a.md", &op_page(row, &more))]);
            let text = response(&d).to_string();
            assert!(text.contains("\"size\""), "{row}: {text}");
        }
    }

    #[test]
    fn links_to_pages_are_told_from_anchors_and_addresses() {
        assert_eq!(
            split_href("other.md#table12"),
            Some(("other.md", Some("table12")))
        );
        assert_eq!(
            split_href("数据结构(详情).md"),
            Some(("数据结构(详情).md", None))
        );
        assert_eq!(split_href("../x/y.md#"), Some(("../x/y.md", None)));
        assert_eq!(split_href("#table12"), None);
        assert_eq!(split_href("https://example.com/a.md"), None);
        assert_eq!(split_href("image.png"), None);
    }

    #[test]
    fn paths_are_normalised_lexically() {
        assert_eq!(
            normalize(Path::new("../pages/vpc/./a/../b.md")),
            PathBuf::from("../pages/vpc/b.md")
        );
        assert_eq!(
            normalize(Path::new("a/../../b.md")),
            PathBuf::from("../b.md")
        );
        assert_eq!(
            normalize(Path::new("/a/../../b.md")),
            PathBuf::from("/b.md")
        );
    }
}
