//! From a section's tables to a field tree, and from the field tree to a JSON Schema.
//!
//! The first field table of a section is its root. Rows of object or array type get their
//! children from the table they reference: by anchor link, by the referenced caption text
//! ("请参见•snapshot参数说明", "see Parameters in the snapshot field"), or by a caption named after
//! the field. Pages that list children flat in the root table are nested by the documented example.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use regex::Regex;
use serde_json::{json, Map, Value};

use super::constraints;
use super::facts::Facts;
use super::page::{Link, Table};
use super::DeriveError;

static REFERENCED_TITLE: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    vec![
        crate::statics::regex(r"请参见\s*•?\s*([^\s。，,；;]+?参数说明)"),
        crate::statics::regex(r"(?i)see\s+(parameters in the \S+ field)"),
    ]
});
static TABLE_NUMBER: LazyLock<Regex> =
    LazyLock::new(|| crate::statics::regex(r"(?:请参见|参见|参考|see|See)\s*(?:表|Table)\s*(\d+)"));
static PLACEHOLDER: LazyLock<Regex> =
    LazyLock::new(|| crate::statics::regex(r"(?i)^(key_?val(ue)?|\{key\}|<key>|key)$"));
static PRECEDENCE: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    vec![
        crate::statics::regex(r"若两个都指定[，,]\s*则以\s*([A-Za-z_][A-Za-z0-9_]*)\s*为主"),
        crate::statics::regex(
            r"(?i)if both are (?:specified|provided|set|given)[^.]*?,\s*([A-Za-z_][A-Za-z0-9_]*)\s+(?:prevails|takes precedence|is used|wins)",
        ),
    ]
});
static KEY_VAL: LazyLock<Regex> = LazyLock::new(|| crate::statics::regex(r"(?i)^key_?val(ue)?s?$"));
static USER_KEY: LazyLock<Regex> = LazyLock::new(|| {
    crate::statics::regex(r"(?i)\b(key|keys|user[- ]defined|custom|customi[sz]ed)\b")
});
static KEY_VALUE: LazyLock<Regex> =
    LazyLock::new(|| crate::statics::regex(r"(?i)键值对|key-value|key/value|key value pair"));

/// Column positions of a field table.
#[derive(Debug, Clone, Default)]
pub struct Columns {
    /// Field name.
    pub name: usize,
    /// Declared type, if the table has the column.
    pub ty: Option<usize>,
    /// Mandatory flag, if the table has the column.
    pub required: Option<usize>,
    /// Description, if the table has the column.
    pub description: Option<usize>,
    /// Further columns read as part of the description, so their facts (limits, character
    /// sets) apply: constraints (约束, 取值范围) and remarks (备注).
    pub extra_description: Vec<usize>,
    /// Default value column (默认值, Default): read as a `默认值：` phrase.
    pub default: Option<usize>,
    /// Header cells of columns the deriver does not use (CRUD, …).
    pub ignored: Vec<String>,
}

const NAME_HEADERS: &[&str] = &[
    "参数",
    "参数名",
    "参数名称",
    "名称",
    "属性",
    "属性名",
    "属性名称",
    "字段",
    "字段名",
    "字段名称",
    "Parameter",
    "Parameters",
    "Name",
    "Field",
    "Attribute",
    "Property",
];
const TYPE_HEADERS: &[&str] = &[
    "参数类型",
    "类型",
    "数据类型",
    "属性类型",
    "字段类型",
    "取值类型",
    "Type",
    "Data Type",
];
const REQUIRED_HEADERS: &[&str] = &[
    "是否必选",
    "必选",
    "是否必填",
    "必填",
    "是否必须",
    "Mandatory",
    "Required",
];
const DESCRIPTION_HEADERS: &[&str] = &[
    "描述",
    "说明",
    "参数说明",
    "参数描述",
    "含义",
    "Description",
];
const EXTRA_DESCRIPTION_HEADERS: &[&str] = &[
    "约束",
    "约束条件",
    "取值范围",
    "取值",
    "备注",
    "Constraints",
    "Value Range",
    "Remarks",
    "Notes",
];
const DEFAULT_HEADERS: &[&str] = &["默认值", "缺省值", "Default", "Default Value"];

impl Columns {
    /// Recognises a field table by its header, in either language and any column order.
    pub fn detect(header: &[String]) -> Option<Columns> {
        let matches =
            |h: &str, names: &[&str]| names.iter().any(|n| h.trim().eq_ignore_ascii_case(n));
        let find = |names: &[&str]| header.iter().position(|h| matches(h, names));
        let name = find(NAME_HEADERS)?;
        let ty = find(TYPE_HEADERS);
        let required = find(REQUIRED_HEADERS);
        let description = find(DESCRIPTION_HEADERS);
        if ty.is_none() && required.is_none() && description.is_none() {
            return None;
        }
        let mut columns = Columns {
            name,
            ty,
            required,
            description,
            ..Columns::default()
        };
        for (i, h) in header.iter().enumerate() {
            if [Some(name), ty, required, description].contains(&Some(i)) {
                continue;
            }
            if matches(h, EXTRA_DESCRIPTION_HEADERS) {
                columns.extra_description.push(i);
            } else if matches(h, DEFAULT_HEADERS) && columns.default.is_none() {
                columns.default = Some(i);
            } else {
                columns.ignored.push(h.trim().to_string());
            }
        }
        Some(columns)
    }
}

/// A declared field type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ty {
    /// A string.
    String,
    /// An integer.
    Integer,
    /// Any number.
    Number,
    /// A boolean.
    Boolean,
    /// An object (its properties come from a child table, or it is free-form).
    Object,
    /// An array of the inner type.
    Array(Box<Ty>),
    /// A free-form map with values of the inner type.
    Map(Box<Ty>),
    /// A type the deriver does not know; kept verbatim for the message.
    Unknown(String),
}

impl Ty {
    /// Parses a type cell ("String", "map", "list<map<String,String>>", "Array of strings").
    pub fn parse(cell: &str) -> Ty {
        let t: String = cell
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_lowercase();
        let inner = |s: &str| s.strip_suffix('>').map(Ty::parse);
        match t.as_str() {
            "string" | "str" | "uuid" => Ty::String,
            "integer" | "int" | "long" | "int32" | "int64" => Ty::Integer,
            "float" | "double" | "number" | "bigdecimal" => Ty::Number,
            "boolean" | "bool" => Ty::Boolean,
            "object" | "map" | "dict" | "json" => Ty::Object,
            "array" | "list" => Ty::Array(Box::new(Ty::Object)),
            "arrayofstrings" | "string[]" => Ty::Array(Box::new(Ty::String)),
            "arrayofobjects" | "object[]" => Ty::Array(Box::new(Ty::Object)),
            "arrayofintegers" | "integer[]" => Ty::Array(Box::new(Ty::Integer)),
            "date" | "datetime" | "time" | "timestamp" | "char" | "text" | "enum" => Ty::String,
            "short" | "uint32" | "uint64" | "bigint" => Ty::Integer,
            _ => {
                // "Array of CreateOption objects", "Array of String", "Array of Integer".
                if let Some(rest) = t
                    .strip_prefix("arrayof")
                    .or_else(|| t.strip_prefix("listof"))
                {
                    let inner = Ty::parse(rest.strip_suffix('s').unwrap_or(rest));
                    let inner = match inner {
                        Ty::Unknown(_) => Ty::Object,
                        known => known,
                    };
                    return Ty::Array(Box::new(inner));
                }
                if let Some(rest) = t.strip_suffix("[]").or_else(|| t.strip_suffix("array")) {
                    if !rest.is_empty() {
                        let inner = match Ty::parse(rest) {
                            Ty::Unknown(_) => Ty::Object,
                            known => known,
                        };
                        return Ty::Array(Box::new(inner));
                    }
                }
                // "CreateAddressGroupOption object": a named object type.
                if t.ends_with("object") || t.ends_with("objects") {
                    return Ty::Object;
                }
                // `List<Transfer>`, `Map<String,Transfer>`: a named element type is an object
                // (its fields are in the table captioned with the name).
                let named = |i: Ty| match i {
                    Ty::Unknown(_) => Ty::Object,
                    known => known,
                };
                if let Some(rest) = t.strip_prefix("list<").or_else(|| t.strip_prefix("array<")) {
                    return inner(rest).map_or(Ty::Unknown(cell.trim().into()), |i| {
                        Ty::Array(Box::new(named(i)))
                    });
                }
                if let Some(rest) = t.strip_prefix("map<") {
                    let value = rest.split_once(',').map(|(_, v)| v).unwrap_or(rest);
                    return inner(value).map_or(Ty::Unknown(cell.trim().into()), |i| {
                        Ty::Map(Box::new(named(i)))
                    });
                }
                Ty::Unknown(cell.trim().into())
            }
        }
    }

    fn json_type(&self) -> Option<&'static str> {
        Some(match self {
            Ty::String => "string",
            Ty::Integer => "integer",
            Ty::Number => "number",
            Ty::Boolean => "boolean",
            Ty::Object | Ty::Map(_) => "object",
            Ty::Array(_) => "array",
            Ty::Unknown(_) => return None,
        })
    }

    /// A string, integer or number: a type whose values constraints can bound.
    pub fn json_type_is_scalar(&self) -> bool {
        matches!(self, Ty::String | Ty::Integer | Ty::Number)
    }

    fn of_value(v: &Value) -> Option<Ty> {
        Some(match v {
            Value::String(_) => Ty::String,
            Value::Number(n) if n.is_i64() || n.is_u64() => Ty::Integer,
            Value::Number(_) => Ty::Number,
            Value::Bool(_) => Ty::Boolean,
            Value::Object(_) => Ty::Object,
            Value::Array(_) => Ty::Array(Box::new(Ty::Object)),
            Value::Null => return None,
        })
    }
}

/// One documented field.
#[derive(Debug, Clone)]
pub struct Field {
    /// Field name as documented.
    pub name: String,
    /// Declared type.
    pub ty: Ty,
    /// The object type the type cell names (`TrafficMirrorSession` of "TrafficMirrorSession
    /// object", "Array of CreateOption objects"): the caption of the table of its fields.
    pub type_name: Option<String>,
    /// Mandatory flag, where the table has the column.
    pub required: Option<bool>,
    /// Description paragraphs.
    pub paragraphs: Vec<String>,
    /// Links in the row.
    pub links: Vec<Link>,
    /// Properties of an object (or of an array's items), from a child table.
    pub children: Option<Vec<Field>>,
    /// The child table held the error envelope (`message` and `code`).
    pub is_error_envelope: bool,
    /// Where the row stands: `page:line` (written as `x-source`, so generated cases can cite it).
    pub source: Option<String>,
}

impl Field {
    /// The description as one string.
    pub fn text(&self) -> String {
        self.paragraphs.join(" ")
    }
}

/// Reads the rows of one field table.
pub fn read_table(table: &Table, file: &str) -> Result<Vec<Field>, DeriveError> {
    let columns = Columns::detect(&table.header).ok_or_else(|| DeriveError::Page {
        file: file.to_string(),
        line: table.line,
        message: format!(
            "table '{}' is not a field table (header: {})",
            table.title.as_deref().unwrap_or(""),
            table.header.join(" | ")
        ),
    })?;
    let width = table.header.len();
    let mut fields = Vec::new();
    for (n, row) in table.rows.iter().enumerate() {
        let cell = |i: Option<usize>| i.and_then(|i| row.get(i));
        // Emphasis around a name (`*[数组]*`) is markup, not part of the name.
        let name = row
            .get(columns.name)
            .map(|c| c.text().trim_matches(['*', ' ']).to_string())
            .unwrap_or_default();
        if row.len() < width {
            return Err(DeriveError::Page {
                file: file.to_string(),
                line: table.line,
                message: format!(
                    "table '{}', row {} ('{}'): {} cells, but the header has {} columns",
                    table.title.as_deref().unwrap_or(""),
                    n + 1,
                    name,
                    row.len(),
                    width
                ),
            });
        }
        if name.is_empty() {
            continue;
        }
        let ty_text = cell(columns.ty).map(|c| c.text());
        let ty = ty_text.as_deref().map_or(Ty::String, Ty::parse);
        let type_name = ty_text.as_deref().and_then(named_type);
        let required = cell(columns.required).and_then(|c| match c.text().trim() {
            "是" | "必选" | "Yes" | "yes" | "true" | "True" => Some(true),
            "否" | "可选" | "No" | "no" | "false" | "False" => Some(false),
            _ => None,
        });
        let (mut paragraphs, mut links) = cell(columns.description)
            .map(|c| (c.paragraphs.clone(), c.links.clone()))
            .unwrap_or_default();
        for extra in columns.extra_description.iter().filter_map(|&i| row.get(i)) {
            paragraphs.extend(extra.paragraphs.iter().cloned());
        }
        // A default column holds the bare value: worded as the phrase the reader knows.
        if let Some(d) = cell(columns.default).map(|c| c.text()) {
            let d = d.trim();
            if !d.is_empty() && !matches!(d, "-" | "无" | "None" | "N/A") {
                paragraphs.push(format!("默认值：{d}"));
            }
        }
        links.extend(row.iter().flat_map(|c| c.links.iter().cloned()));
        links.dedup();
        fields.push(Field {
            name,
            ty,
            type_name,
            required,
            paragraphs,
            links,
            children: None,
            is_error_envelope: false,
            // The page's file name, as operations cite their sources: the contract must not
            // depend on where the pages were read from.
            source: Some(format!(
                "{}:{}",
                std::path::Path::new(file)
                    .file_name()
                    .map_or_else(|| file.to_string(), |n| n.to_string_lossy().into_owned()),
                table.row_lines.get(n).copied().unwrap_or(table.line)
            )),
        });
    }
    Ok(fields)
}

/// The named object type of a type cell: `X` of "X object", "X objects", "Array of X objects"
/// (API Explorer pages caption the table of X's fields with X alone).
fn named_type(cell: &str) -> Option<String> {
    let t = cell.trim();
    // `List<Transfer>`, `Array<Transfer>`, `Map<String,Transfer>`: the element (value) type.
    let generic = ["List<", "list<", "Array<", "array<", "Map<", "map<"]
        .iter()
        .find_map(|p| t.strip_prefix(p))
        .and_then(|rest| rest.strip_suffix('>'))
        .map(|inner| inner.rsplit(',').next().unwrap_or(inner).trim());
    if let Some(name) = generic {
        // `Map<String,Array<route>>`: the innermost element type.
        if name.contains('<') {
            return named_type(name);
        }
        let is_type_name = !name.is_empty()
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && name.starts_with(|c: char| c.is_ascii_alphabetic())
            && matches!(Ty::parse(name), Ty::Unknown(_));
        return is_type_name.then(|| name.to_string());
    }
    let t = t.strip_prefix("Array of ").unwrap_or(t);
    let name = t
        .strip_suffix(" objects")
        .or_else(|| t.strip_suffix(" object"))?
        .trim();
    (!name.is_empty() && !name.contains(' ')).then(|| name.to_string())
}

fn normalize_title(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '•' | '。' | '.' | ':' | '：'))
        .collect::<String>()
        .to_lowercase()
}

/// Finds the table a field refers to for its children.
fn find_child_table(field: &Field, tables: &[&Table], used: &BTreeSet<usize>) -> Option<usize> {
    let by_name_too = may_have_children(&field.ty);
    // Only field tables can hold children; a referenced table of another shape (a list of
    // values) is left to the description.
    let free = |i: &usize| !used.contains(i) && Columns::detect(&tables[*i].header).is_some();
    for link in &field.links {
        if let Some(anchor) = link.href.strip_prefix('#') {
            if let Some(i) = (0..tables.len())
                .filter(free)
                .find(|&i| tables[i].anchors.iter().any(|a| a == anchor))
            {
                return Some(i);
            }
        }
    }
    let text = field.text();
    // "详情请参见表2": by the caption's number, unless the words after the number are another
    // table's caption ("请参见表3 Transfer"): when number and caption disagree, the caption wins.
    // A link to another page's table (`创建端口.md#table…`) is not followed yet: pages copy such
    // links from a sibling page whose table is also on this page under the same number.
    if let Some(c) = TABLE_NUMBER.captures(&text) {
        let after = c.get(0).map_or("", |m| &text[m.end()..]);
        let after = normalize_title(after);
        let by_caption = (0..tables.len())
            .filter(free)
            .filter(|&i| {
                tables[i]
                    .title
                    .as_deref()
                    .map(normalize_title)
                    .is_some_and(|t| !t.is_empty() && after.starts_with(&t))
            })
            .max_by_key(|&i| tables[i].title.as_ref().map_or(0, String::len));
        let by_number = (0..tables.len())
            .filter(free)
            .find(|&i| tables[i].number.as_deref() == Some(&c[1]));
        if let Some(i) = by_caption.or(by_number) {
            return Some(i);
        }
    }
    let mut wanted: Vec<String> = REFERENCED_TITLE
        .iter()
        .filter_map(|r| r.captures(&text).map(|c| normalize_title(&c[1])))
        .collect();
    wanted.extend(
        field
            .links
            .iter()
            .filter(|l| l.href.starts_with('#'))
            .map(|l| normalize_title(&l.text)),
    );
    if by_name_too {
        wanted.extend(field.type_name.as_deref().map(normalize_title));
        wanted.push(normalize_title(&format!("{}参数说明", field.name)));
        wanted.push(normalize_title(&format!(
            "Parameters in the {} field",
            field.name
        )));
        wanted.push(normalize_title(&format!("{}字段数据结构说明", field.name)));
        wanted.push(normalize_title(&format!("{}字段说明", field.name)));
    }
    wanted.into_iter().find_map(|w| {
        (0..tables.len()).filter(free).find(|&i| {
            tables[i].title.as_deref().map(normalize_title).as_deref() == Some(w.as_str())
        })
    })
}

fn may_have_children(ty: &Ty) -> bool {
    matches!(ty, Ty::Object | Ty::Unknown(_) | Ty::Map(_))
        || matches!(ty, Ty::Array(inner) if matches!(**inner, Ty::Object | Ty::Map(_)))
}

/// A row and the table it links to for its children that disagree: the row declares a scalar
/// type, the linked table documents an object's fields.
#[derive(Debug, Clone, PartialEq)]
pub struct Disagreement {
    /// JSON Pointer of the row's field.
    pub pointer: String,
    /// The type the row declares.
    pub declared: String,
    /// Line of the linked table.
    pub line: usize,
    /// The fields the linked table documents.
    pub children: Vec<String>,
}

/// The field tree of a section.
#[derive(Debug, Clone, Default)]
pub struct Tree {
    /// Root fields, children nested.
    pub fields: Vec<Field>,
    /// Captions of field tables nothing referenced.
    pub orphans: Vec<String>,
    /// Rows whose type disagrees with the table they link to.
    pub disagreements: Vec<Disagreement>,
}

/// Builds the field tree of a section from its tables.
pub fn tree(tables: &[&Table], file: &str) -> Result<Tree, DeriveError> {
    // Header parameter tables (请求Header参数, X-Auth-Token) describe no body field.
    let body_tables: Vec<&Table> = tables
        .iter()
        .copied()
        .filter(|t| !is_header_table(t))
        .collect();
    let tables = body_tables.as_slice();
    let Some(root) = tables
        .iter()
        .position(|t| Columns::detect(&t.header).is_some())
    else {
        return Ok(Tree::default());
    };
    let mut used = BTreeSet::from([root]);
    let mut fields = read_table(tables[root], file)?;
    let mut disagreements = Vec::new();
    let mut ctx = Resolve {
        tables,
        used: &mut used,
        file,
        disagreements: &mut disagreements,
    };
    ctx.resolve(&mut fields, "", 0)?;
    let orphans = (0..tables.len())
        .filter(|i| !used.contains(i) && Columns::detect(&tables[*i].header).is_some())
        .map(|i| {
            tables[i]
                .title
                .clone()
                .unwrap_or_else(|| format!("table at line {}", tables[i].line))
        })
        .collect();
    Ok(Tree {
        fields,
        orphans,
        disagreements,
    })
}

/// A table of header parameters, by its caption.
pub fn is_header_table(table: &Table) -> bool {
    table.title.as_deref().is_some_and(|t| {
        let t = t.to_lowercase();
        t.contains("header") || t.contains("消息头") || t.contains("请求头")
    })
}

/// What resolving children needs besides the fields.
struct Resolve<'t, 'u> {
    tables: &'u [&'t Table],
    used: &'u mut BTreeSet<usize>,
    file: &'u str,
    disagreements: &'u mut Vec<Disagreement>,
}

impl Resolve<'_, '_> {
    fn resolve(
        &mut self,
        fields: &mut [Field],
        pointer: &str,
        depth: usize,
    ) -> Result<(), DeriveError> {
        if depth > 16 {
            return Ok(());
        }
        for field in fields.iter_mut() {
            let Some(i) = find_child_table(field, self.tables, self.used) else {
                continue;
            };
            self.used.insert(i);
            let here = format!("{pointer}/{}", field.name);
            let mut children = read_table(self.tables[i], self.file)?;
            self.resolve(&mut children, &here, depth + 1)?;
            let names: BTreeSet<&str> = children.iter().map(|c| c.name.as_str()).collect();
            field.is_error_envelope = names == BTreeSet::from(["message", "code"]);
            if !may_have_children(&field.ty) && !field.is_error_envelope {
                // The row says scalar, the table it points to lists fields: keep the row's
                // type (the schema follows the row) and report the two tables.
                self.disagreements.push(Disagreement {
                    pointer: here,
                    declared: field.ty.json_type().unwrap_or("unknown").to_string(),
                    line: self.tables[i].line,
                    children: children.iter().map(|c| c.name.clone()).collect(),
                });
                continue;
            }
            field.children = Some(children);
        }
        Ok(())
    }
}

/// Moves rows listed flat in a root table under the object row they belong to.
///
/// Some pages list an object's properties right after the object's own row, in the same table.
/// When the documented example shows at least one such row inside the object, every later row the
/// example does not show at the top level belongs to the object row above it.
pub fn nest_by_example(
    fields: Vec<Field>,
    example: Option<&Value>,
    notes: &mut Vec<String>,
) -> Vec<Field> {
    let Some(Value::Object(top)) = example else {
        return fields;
    };
    let is_container = |f: &Field| {
        f.children.is_none()
            && matches!(f.ty, Ty::Object | Ty::Map(_))
            && top.get(&f.name).is_some_and(Value::is_object)
    };
    let evidence = fields.iter().any(|f| {
        !top.contains_key(&f.name)
            && fields.iter().filter(|c| is_container(c)).any(|c| {
                top.get(&c.name)
                    .and_then(Value::as_object)
                    .is_some_and(|o| o.contains_key(&f.name))
            })
    });
    if !evidence {
        return fields;
    }
    let mut out: Vec<Field> = Vec::new();
    let mut container: Option<usize> = None;
    for f in fields {
        if top.contains_key(&f.name) || f.is_error_envelope {
            if is_container(&f) {
                container = Some(out.len());
            }
            out.push(f);
            continue;
        }
        match container {
            Some(c) => {
                notes.push(format!(
                    "'{}' is listed beside '{}' but belongs inside it (example): nested",
                    f.name, out[c].name
                ));
                out[c].children.get_or_insert_with(Vec::new).push(f);
                out[c].ty = Ty::Object;
            }
            None => out.push(f),
        }
    }
    out
}

/// Looks up enumerations a field refers to (a linked status list page).
pub trait EnumSource {
    /// Values for a field, from a linked page or a page named in the text.
    fn values_for(&self, field: &Field) -> Option<Vec<String>>;
}

/// How required-ness is decided for one tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presence {
    /// From the mandatory column (requests, URI parameters).
    Declared,
    /// From the documented example: a field shown there is always present (responses).
    Example,
}

/// Everything the schema builder needs besides the fields.
pub struct Builder<'a> {
    /// Enumeration lookup.
    pub enums: &'a dyn EnumSource,
    /// Required-ness rule.
    pub presence: Presence,
    /// Notes for the derive output.
    pub notes: Vec<String>,
    /// Read each row's constraints ([`constraints`]) rather than only its length facts: for
    /// request bodies and query parameters.
    pub constraints: bool,
    /// Constraint-like phrases no constraint came from: (JSON Pointer, row source, phrase).
    pub unread: Vec<(String, Option<String>, String)>,
}

impl<'a> Builder<'a> {
    /// A builder with no notes yet.
    pub fn new(enums: &'a dyn EnumSource, presence: Presence, constraints: bool) -> Builder<'a> {
        Builder {
            enums,
            presence,
            notes: Vec::new(),
            constraints,
            unread: Vec::new(),
        }
    }

    /// The object schema for a list of fields, guided by the example at the same place.
    pub fn object(&mut self, fields: &[Field], example: Option<&Value>, pointer: &str) -> Value {
        let mut properties = Map::new();
        let mut required = Vec::new();
        let example_obj = example.and_then(Value::as_object);
        // A row standing for user-chosen keys (`用户自定义字段键值对`, `{key}`) is no property:
        // every key the other rows do not name takes its type.
        let (placeholders, named): (Vec<&Field>, Vec<&Field>) = fields
            .iter()
            .filter(|f| !f.is_error_envelope)
            .partition(|f| is_placeholder_name(&f.name));
        let additional = placeholders.first().map(|row| {
            let shown = example_obj.and_then(|o| {
                o.iter()
                    .find(|(k, _)| !named.iter().any(|n| &n.name == *k))
                    .map(|(_, v)| v)
            });
            self.field(row, shown, &format!("{pointer}/*"))
        });
        for f in named {
            let child_example = example_obj.and_then(|o| o.get(&f.name));
            let child_pointer = crate::pointer::child(pointer, &f.name);
            properties.insert(f.name.clone(), self.field(f, child_example, &child_pointer));
            let is_required = match self.presence {
                Presence::Declared => f.required == Some(true),
                Presence::Example => child_example.is_some(),
            };
            if is_required {
                required.push(json!(f.name));
            }
        }
        let mut schema = Map::new();
        schema.insert("type".into(), json!("object"));
        schema.insert("properties".into(), Value::Object(properties));
        if !required.is_empty() {
            schema.insert("required".into(), Value::Array(required));
        }
        if let Some(a) = additional {
            schema.insert("additionalProperties".into(), a);
        }
        Value::Object(schema)
    }

    fn field(&mut self, f: &Field, example: Option<&Value>, pointer: &str) -> Value {
        let mut ty = f.ty.clone();
        // A documented type that the example contradicts in kind (Object shown as an array or a
        // count) follows the example, and the derive output says so.
        if let (Some(ex), Some(declared)) = (example, ty.json_type()) {
            if let Some(shown) = Ty::of_value(ex) {
                let shown_type = shown.json_type().unwrap_or("");
                if declared == "object" && shown_type != "object" {
                    self.notes.push(format!("{pointer}: documented as object, the example shows {shown_type}: using {shown_type}"));
                    ty = match shown {
                        Ty::Array(_) => Ty::Array(Box::new(Ty::Object)),
                        other => other,
                    };
                }
            }
        }
        if let Ty::Unknown(name) = &ty {
            match example.and_then(Ty::of_value) {
                Some(shown) => {
                    self.notes.push(format!(
                        "{pointer}: unknown type '{name}', the example shows {}",
                        shown.json_type().unwrap_or("")
                    ));
                    ty = shown;
                }
                None => self.notes.push(format!(
                    "{pointer}: unknown type '{name}': left unconstrained"
                )),
            }
        }
        let text = f.text();
        let facts = Facts::read(&text);
        let mut schema = match &ty {
            Ty::String => {
                let mut m = Map::new();
                m.insert("type".into(), json!("string"));
                if self.constraints {
                    facts.apply_pattern(&mut m);
                } else {
                    facts.apply_to_string(&mut m);
                }
                if let Some(values) = self.enums.values_for(f) {
                    m.insert("enum".into(), json!(values));
                }
                m
            }
            Ty::Integer | Ty::Number => {
                let mut m = Map::new();
                m.insert("type".into(), json!(ty.json_type()));
                if !self.constraints {
                    facts.apply_to_number(&mut m);
                }
                m
            }
            Ty::Boolean => Map::from_iter([("type".to_string(), json!("boolean"))]),
            Ty::Object | Ty::Map(_) => match (&f.children, &ty) {
                (Some(children), _) if is_placeholder_map(children) => {
                    self.map_from_placeholder(&children[0])
                }
                // `Map<String,X>` with X's table: any key, each value an X.
                (Some(children), Ty::Map(value)) => {
                    self.map_of(f, value, children, example, pointer)
                }
                (Some(children), _) => obj(self.object(children, example, pointer)),
                (None, Ty::Map(value)) => self.map(f, value),
                (None, _) if KEY_VALUE.is_match(&text) => self.map(f, &Ty::String),
                (None, _) => Map::from_iter([("type".to_string(), json!("object"))]),
            },
            Ty::Array(inner) => {
                let item_example = example.and_then(Value::as_array).and_then(|a| a.first());
                let items = match (&f.children, inner.as_ref()) {
                    (Some(children), Ty::Map(value)) => Value::Object(self.map_of(
                        f,
                        value,
                        children,
                        item_example,
                        &format!("{pointer}/0"),
                    )),
                    (Some(children), _) => {
                        self.object(children, item_example, &format!("{pointer}/0"))
                    }
                    (None, Ty::Map(value)) => Value::Object(self.map(f, value)),
                    (None, inner) => inner
                        .json_type()
                        .map_or(json!({}), |t| json!({ "type": t })),
                };
                Map::from_iter([
                    ("type".to_string(), json!("array")),
                    ("items".to_string(), items),
                ])
            }
            Ty::Unknown(_) => Map::new(),
        };
        // Maps read their rules per part (keys, values) in `map`.
        let is_map = schema.contains_key("additionalProperties");
        if self.constraints && !is_map && !matches!(ty, Ty::Unknown(_)) {
            let reading = constraints::read(&f.paragraphs);
            let applied = constraints::apply(&reading, &ty, &mut schema);
            self.unread.extend(
                applied
                    .unread
                    .into_iter()
                    .map(|p| (pointer.to_string(), f.source.clone(), p)),
            );
        }
        if let Some(winner) = precedence(&text).filter(|w| *w != f.name) {
            schema.insert("x-precedence".into(), json!(winner));
        }
        if let Some(source) = &f.source {
            schema.insert("x-source".into(), json!(source));
            // Map rules are stated on the map's row too.
            for key in ["additionalProperties", "propertyNames"] {
                if let Some(Value::Object(sub)) = schema.get_mut(key) {
                    sub.insert("x-source".into(), json!(source));
                }
            }
        }
        let nullable = facts.nullable || example.is_some_and(Value::is_null);
        if nullable {
            if let Some(Value::String(t)) = schema.get("type").cloned() {
                schema.insert("type".into(), json!([t, "null"]));
                if let Some(Value::Array(values)) = schema.get_mut("enum") {
                    values.push(Value::Null);
                }
            }
        }
        Value::Object(schema)
    }

    /// A free-form map whose rules are split into a key part and a value part.
    fn map(&mut self, f: &Field, value: &Ty) -> Map<String, Value> {
        let (key_text, value_text) = split_key_value(&f.paragraphs);
        let mut key = Map::new();
        self.string_rules(&key_text, &mut key, f);
        let mut val = Map::new();
        if let Some(t) = value.json_type() {
            val.insert("type".into(), json!(t));
        }
        if *value == Ty::String {
            self.string_rules(&value_text, &mut val, f);
        }
        let mut m = Map::new();
        m.insert("type".into(), json!("object"));
        m.insert("additionalProperties".into(), Value::Object(val));
        if !key.is_empty() {
            key.insert("type".into(), json!("string"));
            m.insert("propertyNames".into(), Value::Object(key));
        }
        m
    }

    /// A map whose values are the objects a child table documents (`Map<String,Transfer>`), or
    /// lists of them (`Map<String,Array<route>>`): the table's rows are the fields of each value
    /// (or item), not properties of the map.
    fn map_of(
        &mut self,
        f: &Field,
        value: &Ty,
        children: &[Field],
        example: Option<&Value>,
        pointer: &str,
    ) -> Map<String, Value> {
        let mut m = self.map(f, &Ty::Object);
        // Any entry of the example shows what a value looks like.
        let value_example = example
            .and_then(Value::as_object)
            .and_then(|o| o.values().next());
        let value = match value {
            Ty::Array(_) => {
                let item = value_example
                    .and_then(Value::as_array)
                    .and_then(|a| a.first());
                let items = self.object(children, item, &format!("{pointer}/*/0"));
                json!({"type": "array", "items": items})
            }
            _ => self.object(children, value_example, &format!("{pointer}/*")),
        };
        m.insert("additionalProperties".into(), value);
        m
    }

    /// A child table holding only a placeholder row (`key_val`) describes a free-form map.
    fn map_from_placeholder(&mut self, row: &Field) -> Map<String, Value> {
        let mut val = Map::new();
        if let Some(t) = row.ty.json_type() {
            val.insert("type".into(), json!(t));
        }
        if row.ty == Ty::String {
            self.string_rules(&row.text(), &mut val, row);
        }
        Map::from_iter([
            ("type".to_string(), json!("object")),
            ("additionalProperties".to_string(), Value::Object(val)),
        ])
    }
}

impl Builder<'_> {
    /// The rules one text states for a string (a map's keys or values).
    fn string_rules(&mut self, text: &str, schema: &mut Map<String, Value>, f: &Field) {
        let facts = Facts::read(text);
        if !self.constraints {
            facts.apply_to_string(schema);
            return;
        }
        facts.apply_pattern(schema);
        let reading = constraints::read(&[text.to_string()]);
        let applied = constraints::apply(&reading, &Ty::String, schema);
        self.unread.extend(
            applied
                .unread
                .into_iter()
                .map(|p| (String::new(), f.source.clone(), p)),
        );
    }
}

/// The field a description says wins when it and this one are both given.
fn precedence(text: &str) -> Option<String> {
    PRECEDENCE
        .iter()
        .find_map(|r| r.captures(text).map(|c| c[1].to_string()))
}

fn obj(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

fn is_placeholder_map(children: &[Field]) -> bool {
    children.len() == 1
        && (PLACEHOLDER.is_match(&children[0].name) || is_placeholder_name(&children[0].name))
}

/// A row name that stands for keys the user chooses rather than naming a field: `{key}`,
/// `<key>`, `key_val`, or words in place of a name (`用户自定义字段键值对`, "user-defined key").
/// A bare `key` is a placeholder only as a table's sole row ([`is_placeholder_map`]): beside other
/// rows it is a field (a tag's `key`). `[数组]` marks a body that is an array, not a map.
pub fn is_placeholder_name(name: &str) -> bool {
    let n = name.trim();
    if n.is_empty() || (n.starts_with('[') && n.ends_with(']')) {
        return false;
    }
    let wrapped =
        (n.starts_with('{') && n.ends_with('}')) || (n.starts_with('<') && n.ends_with('>'));
    let words = !n.is_ascii() || (n.contains(char::is_whitespace) && USER_KEY.is_match(n));
    wrapped || words || KEY_VAL.is_match(n)
}

/// Splits a map description into the rules for keys and the rules for values
/// ("键。…" / "值。…", "Key: …" / "Value: …").
fn split_key_value(paragraphs: &[String]) -> (String, String) {
    #[derive(PartialEq)]
    enum Part {
        Neither,
        Key,
        Value,
    }
    let mut part = Part::Neither;
    let (mut key, mut value) = (String::new(), String::new());
    for p in paragraphs {
        let t = p.trim();
        let (marker, rest) = if let Some(r) = strip_marker(t, &["键", "Key", "key"]) {
            (Part::Key, r)
        } else if let Some(r) = strip_marker(t, &["值", "Value", "value"]) {
            (Part::Value, r)
        } else {
            (Part::Neither, t)
        };
        if marker != Part::Neither {
            part = marker;
        }
        match part {
            Part::Key => key.push_str(rest),
            Part::Value => value.push_str(rest),
            Part::Neither => {}
        }
        key.push(' ');
        value.push(' ');
    }
    (key, value)
}

fn strip_marker<'a>(t: &'a str, words: &[&str]) -> Option<&'a str> {
    words.iter().find_map(|w| {
        let rest = t.strip_prefix(w)?;
        let rest = rest.strip_prefix(['。', '：', ':', '.'])?;
        Some(rest.trim())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// API Explorer pages name the table of an object's fields by its type alone.
    #[test]
    fn a_type_cell_names_the_object_type_whose_table_holds_the_fields() {
        assert_eq!(
            named_type("TrafficMirrorSession object").as_deref(),
            Some("TrafficMirrorSession")
        );
        assert_eq!(
            named_type("Array of CreateOption objects").as_deref(),
            Some("CreateOption")
        );
        assert_eq!(named_type("Object"), None);
        assert_eq!(named_type("String"), None);
        assert_eq!(named_type("Array of strings"), None);
    }

    #[test]
    fn type_cells_in_every_documented_spelling() {
        assert_eq!(Ty::parse("String"), Ty::String);
        assert_eq!(Ty::parse("int"), Ty::Integer);
        assert_eq!(Ty::parse("map"), Ty::Object);
        assert_eq!(
            Ty::parse("Array of strings"),
            Ty::Array(Box::new(Ty::String))
        );
        assert_eq!(
            Ty::parse("list<map<String,String>>"),
            Ty::Array(Box::new(Ty::Map(Box::new(Ty::String))))
        );
        assert!(matches!(Ty::parse("Frobnicator"), Ty::Unknown(_)));
    }

    #[test]
    fn key_and_value_rules_are_split() {
        let (k, v) = split_key_value(&[
            "用户自定义metadata键值对。".into(),
            "键。".into(),
            "最大长度255个Unicode字符，不能为空。".into(),
            "值。".into(),
            "最大长度为255个Unicode字符。".into(),
        ]);
        assert!(k.contains("不能为空"));
        assert!(!v.contains("不能为空"));
        assert!(v.contains("255"));
    }
}
