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

use std::path::Path;

use super::constraints;
use super::facts::Facts;
use super::linked::{self, Pages};
use super::page::{Link, Page, Table};
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
// A row name followed by a note in parentheses, full-width or not (`ignoreError（2.2.13）`,
// `hasLabel（一千亿边（公测版））`): the note names the version or edition that has the field.
static ANNOTATED_NAME: LazyLock<Regex> =
    LazyLock::new(|| crate::statics::regex(r"^([A-Za-z_][A-Za-z0-9_.\-]*)\s*[（(].*[)）]$"));
static KEY_VALUE: LazyLock<Regex> =
    LazyLock::new(|| crate::statics::regex(r"(?i)键值对|key-value|key/value|key value pair"));
// A rule a paragraph states for both parts of a map's entries ("key和value长度不大于255个字节").
static KEY_AND_VALUE: LazyLock<Regex> = LazyLock::new(|| {
    crate::statics::regex(
        r"(?i)(?:^|[^A-Za-z_])(?:keys?|键)\s*(?:和|与|及|、|/|\sand\s)\s*(?:values?|值)([^A-Za-z_].*)$",
    )
});

// A sentence introducing the rules of a map's keys, listed after it ("每个参数名称有如下约束：",
// "键名需满足以下规则："): the keys are the names of the parameters the map holds.
/// A row's text stating that an object is a map of objects: `Map<String, Object>` (or the
/// HTML-escaped `Map&lt;String,Object&gt;` of a raw page).
static STATED_OBJECT_MAP: LazyLock<Regex> = LazyLock::new(|| {
    crate::statics::regex(r"(?i)Map\s*(?:<|&lt;)\s*String\s*,\s*Object\s*(?:>|&gt;)")
});

static KEY_RULES_INTRO: LazyLock<Regex> = LazyLock::new(|| {
    crate::statics::regex(
        r"(?i)(?:名称|键名|键|\bkeys?\b)\s*(?:有|需|须|应|要)?\s*(?:满足)?\s*(?:如下|以下)(?:的)?(?:约束|规则|要求|限制)\s*[:：]\s*$",
    )
});

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

/// An element type as named: one the deriver does not know is an object (its fields are in
/// the table captioned with its name).
fn named_or_object(t: Ty) -> Ty {
    match t {
        Ty::Unknown(_) => Ty::Object,
        known => known,
    }
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
            // A bare list names no item type: its items are what a child table documents, or
            // what the example shows, never assumed objects.
            "array" | "list" => Ty::Array(Box::new(Ty::Unknown(String::new()))),
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
                // "String array", "String[]", and the inverted "String of Array".
                if let Some(rest) = t.strip_suffix("[]").or_else(|| t.strip_suffix("array")) {
                    let rest = rest.strip_suffix("of").unwrap_or(rest);
                    if !rest.is_empty() {
                        let inner = match Ty::parse(rest) {
                            Ty::Unknown(_) => Ty::Object,
                            known => known,
                        };
                        return Ty::Array(Box::new(inner));
                    }
                }
                // "JSON数组", "String数组" (SMS): an array; a bare or JSON one names no item
                // type (a child table documents them), another names its items' type.
                if let Some(rest) = t.strip_suffix("数组") {
                    let items = match rest {
                        "" | "json" => Ty::Unknown(String::new()),
                        _ => named_or_object(Ty::parse(rest)),
                    };
                    return Ty::Array(Box::new(items));
                }
                if t.ends_with("对象") {
                    return Ty::Object;
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

    pub(super) fn json_type(&self) -> Option<&'static str> {
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
            Value::Array(_) => Ty::Array(Box::new(Ty::Unknown(String::new()))),
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
        let (name, noted) = match annotated_name(&name) {
            Some(base) => (base.to_string(), true),
            None => (name, false),
        };
        // A noted row documenting a field another row names is that field in one edition
        // (another type, another item shape): the plain row is the contract.
        if noted
            && table.rows.iter().enumerate().any(|(m, other)| {
                m != n
                    && other
                        .get(columns.name)
                        .map(|c| c.text().trim_matches(['*', ' ']).to_string())
                        .is_some_and(|o| {
                            o == name || (m < n && annotated_name(&o) == Some(name.as_str()))
                        })
            })
        {
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

/// The field a noted row name documents (`ignoreError` of `ignoreError（2.2.13）`), or None
/// when the name carries no note.
fn annotated_name(name: &str) -> Option<&str> {
    ANNOTATED_NAME
        .captures(name.trim())
        .and_then(|c| c.get(1))
        .map(|m| m.as_str())
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

static LINK_NUMBER: LazyLock<Regex> =
    LazyLock::new(|| crate::statics::regex(r"^\s*(?:表|Table)\s*(\d+)\s*$"));

/// The captions a table documenting `name` (a field or the object type it names) goes by:
/// `name`, `name参数说明`, `name字段说明`, `name对象`, "Parameters in the name field", ….
fn captions_naming(name: &str) -> Vec<String> {
    [
        name.to_string(),
        format!("{name}参数说明"),
        format!("{name}字段说明"),
        format!("{name}字段数据结构说明"),
        format!("{name}数据结构说明"),
        format!("{name}对象"),
        format!("Parameters in the {name} field"),
        format!("{name} object"),
    ]
    .iter()
    .map(|c| normalize_title(c))
    .collect()
}

/// The captions that name a row's table without a link or a number: the type the row names
/// (`Array of fixed_ip objects` → `fixed_ip对象`), and, for a row that may hold an object, its
/// own name (`tags` → `tags参数说明`).
fn captions_for(field: &Field) -> Vec<String> {
    let mut out = Vec::new();
    if may_have_children(&field.ty) {
        if let Some(t) = &field.type_name {
            out.extend(captions_naming(t));
        }
        // The bare field name is too common a word to stand for a caption on its own.
        out.extend(captions_naming(&field.name).into_iter().skip(1));
        // A list names its table after one item: `instances` → `instance参数说明`.
        if let (Ty::Array(_), Some(one)) = (&field.ty, field.name.strip_suffix('s')) {
            out.extend(captions_naming(one).into_iter().skip(1));
        }
    }
    out
}

/// Where a row's children are documented.
#[derive(Debug, Clone)]
enum ChildTable<'t> {
    /// A table of the row's own section, by index.
    Local(usize),
    /// A table on another page the row links to, with the tables of its section (where its own
    /// rows find their children).
    Linked {
        /// The other page's path as given to derive.
        path: String,
        /// The table.
        table: &'t Table,
        /// The tables of its section.
        scope: Vec<&'t Table>,
    },
}

/// The tables a row's children are looked for among, and the page they are on.
#[derive(Debug, Clone)]
struct Scope<'t> {
    tables: Vec<&'t Table>,
    /// The page's path as given to derive.
    file: String,
    /// The section of the page being derived (whose unreferenced tables are reported), rather
    /// than a section of a page it links to.
    local: bool,
}

/// What finding one row's table found.
struct Choice<'t> {
    table: Option<ChildTable<'t>>,
    /// The row named the table by number too, and the number names another table.
    misreference: Option<(String, String)>,
    /// A link to another page that was not followed, and why.
    unfollowed: Option<String>,
}

/// A caption of a table, or where it stands when it has none.
fn caption_of(t: &Table) -> String {
    t.title
        .clone()
        .unwrap_or_else(|| format!("table at line {}", t.line))
}

/// The table a row's children are documented in, among the tables `free` allows.
///
/// In order: a same-page anchor link; a table number ("请参见表2"), unless a caption disagrees
/// with it (the words after the number, or a caption naming the row's type: the caption wins
/// and the disagreement is reported); a link to another page of the run (`other.md#anchor`),
/// whose table is taken from this section instead when this section holds a table captioned
/// after the row (pages copy rows, and their tables, from one another); a caption naming the
/// row.
fn find_child_table<'t>(
    field: &Field,
    scope: &Scope<'t>,
    free: &dyn Fn(usize) -> bool,
    pages: &Pages<'t>,
) -> Choice<'t> {
    let tables = &scope.tables;
    let mut choice = Choice {
        table: None,
        misreference: None,
        unfollowed: None,
    };
    // Only field tables can hold children; a referenced table of another shape (a list of
    // values) is left to the description.
    let free = |i: &usize| free(*i) && Columns::detect(&tables[*i].header).is_some();
    let numbered = |n: &str| (0..tables.len()).find(|&i| tables[i].number.as_deref() == Some(n));
    let misnamed =
        |n: &str, by_number: Option<usize>, chosen: &Table| -> Option<(String, String)> {
            let i = by_number?;
            (!std::ptr::eq(tables[i], chosen)).then(|| {
                (
                    format!("表{n} ({})", caption_of(tables[i])),
                    caption_of(chosen),
                )
            })
        };
    for link in &field.links {
        if let Some(anchor) = link.href.strip_prefix('#') {
            if let Some(i) = (0..tables.len())
                .filter(free)
                .find(|&i| tables[i].anchors.iter().any(|a| a == anchor))
            {
                choice.table = Some(ChildTable::Local(i));
                // `<a href="#table5">表4</a>`: the anchor is the link, the number its words.
                choice.misreference = LINK_NUMBER
                    .captures(&link.text)
                    .and_then(|c| misnamed(&c[1], numbered(&c[1]), tables[i]));
                return choice;
            }
        }
    }
    let text = field.text();
    let own = captions_for(field);
    let by_captions = |wanted: &[String]| {
        wanted.iter().find_map(|w| {
            (0..tables.len()).filter(free).find(|&i| {
                tables[i].title.as_deref().map(normalize_title).as_deref() == Some(w.as_str())
            })
        })
    };
    // A number a link to another page carries ("参见<a href="other.md#t">表9</a>") is that
    // page's: this page's table 9 is another table.
    let linked_numbers: Vec<String> = field
        .links
        .iter()
        .filter(|l| linked::split_href(&l.href).is_some())
        .filter_map(|l| LINK_NUMBER.captures(&l.text).map(|c| c[1].to_string()))
        .collect();
    if let Some(c) = TABLE_NUMBER
        .captures(&text)
        .filter(|c| !linked_numbers.iter().any(|n| *n == c[1]))
    {
        // "请参见表3 Transfer": the words after the number are a caption.
        let after = c.get(0).map_or("", |m| &text[m.end()..]);
        let after = normalize_title(after);
        let by_words = (0..tables.len())
            .filter(free)
            .filter(|&i| {
                tables[i]
                    .title
                    .as_deref()
                    .map(normalize_title)
                    .is_some_and(|t| !t.is_empty() && after.starts_with(&t))
            })
            .max_by_key(|&i| tables[i].title.as_ref().map_or(0, String::len));
        let by_number = numbered(&c[1]);
        let number_names_row = by_number.is_some_and(|i| {
            tables[i]
                .title
                .as_deref()
                .map(normalize_title)
                .is_some_and(|t| own.contains(&t))
        });
        // A table captioned after the row's type or name, other than the numbered one.
        let by_name = by_captions(&own).filter(|_| by_number.is_some() && !number_names_row);
        let chosen = by_words.or(by_name).or(by_number.filter(|i| free(i)));
        if let Some(i) = chosen {
            choice.table = Some(ChildTable::Local(i));
            choice.misreference = misnamed(&c[1], by_number, tables[i]);
            return choice;
        }
    }
    // Rows of a scalar type do not follow links to other pages: those point at lists of codes
    // or values, not at fields.
    let links_out = field
        .links
        .iter()
        .filter(|_| may_have_children(&field.ty))
        .filter(|l| linked::split_href(&l.href).is_some());
    for link in links_out {
        let Some((page, anchor)) = pages.page_of(Path::new(&scope.file), &link.href) else {
            choice.unfollowed = Some(format!("links to {}, a page not read", link.href));
            continue;
        };
        // What the row calls its type: its type cell, its name, the words of its links (one
        // link is often only "表9", another the type's name).
        let mut names: Vec<String> = own.clone();
        for l in field
            .links
            .iter()
            .filter(|l| !LINK_NUMBER.is_match(&l.text))
        {
            names.extend(captions_naming(&l.text));
        }
        let Some((table, scope_there)) = linked_table(page, anchor, &names) else {
            choice.unfollowed = Some(format!(
                "links to {}, where no field table matches",
                link.href
            ));
            continue;
        };
        choice.unfollowed = None;
        let number_there = LINK_NUMBER.captures(&link.text).map(|c| c[1].to_string());
        let tables_there = linked::scopes(page);
        choice.misreference = number_there.and_then(|n| {
            let numbered_there = tables_there
                .iter()
                .flatten()
                .find(|t| t.number.as_deref() == Some(n.as_str()))?;
            (!std::ptr::eq(*numbered_there, table)).then(|| {
                (
                    format!("{} 表{n} ({})", page.file_name, caption_of(numbered_there)),
                    format!("{} {}", page.file_name, caption_of(table)),
                )
            })
        });
        // A table of this section captioned after the row (its type, its name, the link's
        // words) is this page's own copy: pages copy rows, and their tables, from one another.
        choice.table = Some(match by_captions(&names) {
            Some(i) => ChildTable::Local(i),
            None => ChildTable::Linked {
                path: page.path.display().to_string(),
                table,
                scope: scope_there,
            },
        });
        return choice;
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
    wanted.extend(own);
    if let Some(i) = by_captions(&wanted) {
        choice.table = Some(ChildTable::Local(i));
    }
    choice
}

/// The field table a link names on another page, with the tables of its section: by anchor,
/// else by a caption among `names`, else the page's only field table.
fn linked_table<'p>(
    page: &'p Page,
    anchor: Option<&str>,
    names: &[String],
) -> Option<(&'p Table, Vec<&'p Table>)> {
    let scopes = linked::scopes(page);
    let all: Vec<(&Table, &Vec<&Table>)> = scopes
        .iter()
        .flat_map(|s| s.iter().map(move |t| (*t, s)))
        .filter(|(t, _)| Columns::detect(&t.header).is_some())
        .collect();
    let by_anchor = anchor.and_then(|a| all.iter().find(|(t, _)| t.anchors.iter().any(|x| x == a)));
    let by_caption = || {
        names.iter().find_map(|w| {
            all.iter().find(|(t, _)| {
                t.title.as_deref().map(normalize_title).as_deref() == Some(w.as_str())
            })
        })
    };
    let only = || match all.as_slice() {
        [one] => Some(one),
        _ => None,
    };
    // An anchor that names no field table (a list of codes) names nothing to take fields from.
    let found = match anchor {
        Some(_) => by_anchor.or_else(by_caption),
        None => by_caption().or_else(only),
    }?;
    Some((found.0, found.1.clone()))
}

fn may_have_children(ty: &Ty) -> bool {
    matches!(ty, Ty::Object | Ty::Unknown(_) | Ty::Map(_))
        || matches!(ty, Ty::Array(inner) if matches!(**inner, Ty::Object | Ty::Map(_) | Ty::Unknown(_)))
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

/// A row that names the table of its fields twice, by a number and by a caption (or a link's
/// anchor), and the two are different tables: the caption (the anchor) is followed.
#[derive(Debug, Clone, PartialEq)]
pub struct Misreference {
    /// JSON Pointer of the row's field.
    pub pointer: String,
    /// `page:line` of the row.
    pub source: Option<String>,
    /// The table the number names: `表3 (caption)`, prefixed with the page when it is another.
    pub by_number: String,
    /// The table followed, by its caption.
    pub followed: String,
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
    /// Rows whose table number names another table than their caption or link.
    pub misreferences: Vec<Misreference>,
    /// Links to another page's table that could not be followed: (JSON Pointer, why).
    pub unfollowed: Vec<(String, String)>,
}

/// Builds the field tree of a section from its tables; `file` is the page's path as given to
/// derive, `pages` the pages a row may link to for its table.
pub fn tree(tables: &[&Table], file: &str, pages: &Pages<'_>) -> Result<Tree, DeriveError> {
    // Header parameter tables (请求Header参数, X-Auth-Token) describe no body field.
    let body_tables: Vec<&Table> = tables
        .iter()
        .copied()
        .filter(|t| !is_header_table(t))
        .collect();
    let Some(root) = body_tables
        .iter()
        .position(|t| Columns::detect(&t.header).is_some())
    else {
        return Ok(Tree::default());
    };
    let mut fields = read_table(body_tables[root], file)?;
    let scope = Scope {
        tables: body_tables,
        file: file.to_string(),
        local: true,
    };
    let mut ctx = Resolve {
        pages,
        used: BTreeSet::from([root]),
        ancestors: vec![(file.to_string(), scope.tables[root].line)],
        tree: Tree::default(),
    };
    ctx.resolve(&mut fields, "", &scope)?;
    let mut tree = ctx.tree;
    tree.orphans = (0..scope.tables.len())
        .filter(|i| !ctx.used.contains(i) && Columns::detect(&scope.tables[*i].header).is_some())
        .map(|i| caption_of(scope.tables[i]))
        .collect();
    tree.fields = fields;
    Ok(tree)
}

/// A table of header parameters, by its caption.
pub fn is_header_table(table: &Table) -> bool {
    table.title.as_deref().is_some_and(|t| {
        let t = t.to_lowercase();
        t.contains("header") || t.contains("消息头") || t.contains("请求头")
    })
}

/// What resolving children needs besides the fields.
struct Resolve<'p, 'x> {
    pages: &'x Pages<'p>,
    /// Tables of the local section some row took its children from.
    used: BTreeSet<usize>,
    /// The tables being read, outermost first (page path, table line): a table never holds
    /// itself.
    ancestors: Vec<(String, usize)>,
    tree: Tree,
}

impl<'p> Resolve<'p, '_> {
    fn resolve(
        &mut self,
        fields: &mut [Field],
        pointer: &str,
        scope: &Scope<'p>,
    ) -> Result<(), DeriveError> {
        if self.ancestors.len() > 16 {
            return Ok(());
        }
        for field in fields.iter_mut() {
            let here = format!("{pointer}/{}", field.name);
            let outside = |i: usize| {
                !self
                    .ancestors
                    .contains(&(scope.file.clone(), scope.tables[i].line))
            };
            // A table no other row took first; else, for a row that may hold fields, one
            // another row shares (two rows of one type, `ingress_rules` and `egress_rules`),
            // never one being read. A scalar row's link to a taken table points at values.
            let unused = |i: usize| outside(i) && !(scope.local && self.used.contains(&i));
            let mut choice = find_child_table(field, scope, &unused, self.pages);
            if choice.table.is_none() && may_have_children(&field.ty) {
                choice = find_child_table(field, scope, &outside, self.pages);
            }
            // Rows of another page are that page's to report, when it is derived.
            if let Some((by_number, followed)) = choice.misreference.filter(|_| scope.local) {
                self.tree.misreferences.push(Misreference {
                    pointer: here.clone(),
                    source: field.source.clone(),
                    by_number,
                    followed,
                });
            }
            let (table, file, next) = match choice.table {
                None => {
                    if let Some(why) = choice.unfollowed.filter(|_| scope.local) {
                        self.tree.unfollowed.push((here, why));
                    }
                    continue;
                }
                Some(ChildTable::Local(i)) => {
                    if scope.local {
                        self.used.insert(i);
                    }
                    (scope.tables[i], scope.file.clone(), None)
                }
                Some(ChildTable::Linked { path, table, scope }) => (
                    table,
                    path.clone(),
                    Some(Scope {
                        tables: scope,
                        file: path,
                        local: false,
                    }),
                ),
            };
            let mut children = match (read_table(table, &file), &next) {
                (Ok(rows), _) => rows,
                // Another page's broken table costs this row its fields, not the page its
                // operation.
                (Err(e), Some(_)) => {
                    self.tree.unfollowed.push((here, e.to_string()));
                    continue;
                }
                (Err(e), None) => return Err(e),
            };
            self.ancestors.push((file, table.line));
            self.resolve(&mut children, &here, next.as_ref().unwrap_or(scope))?;
            self.ancestors.pop();
            let names: BTreeSet<&str> = children.iter().map(|c| c.name.as_str()).collect();
            field.is_error_envelope = names == BTreeSet::from(["message", "code"]);
            if !may_have_children(&field.ty) && !field.is_error_envelope {
                // The row says scalar, the table it points to lists fields: keep the row's
                // type (the schema follows the row) and report the two tables.
                self.tree.disagreements.push(Disagreement {
                    pointer: here,
                    declared: field.ty.json_type().unwrap_or("unknown").to_string(),
                    line: table.line,
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

/// Keeps an item schema's `required` to the fields every example item shows: a list whose
/// second item omits a field the first shows (a failed entry without `job_id`) documents that
/// field as optional, whatever the first item holds. The same holds at every depth: an object
/// inside the items (ModelArts' `export_params`) requires only what every item's copy shows.
fn required_in_every_item(items: &mut Value, shown: &[Value]) {
    if let Some(required) = items.get_mut("required").and_then(Value::as_array_mut) {
        required.retain(|name| {
            name.as_str().is_some_and(|n| {
                shown
                    .iter()
                    .all(|item| item.as_object().is_none_or(|o| o.contains_key(n)))
            })
        });
        if required.is_empty() {
            if let Some(o) = items.as_object_mut() {
                o.remove("required");
            }
        }
    }
    let Some(props) = items.get_mut("properties").and_then(Value::as_object_mut) else {
        return;
    };
    for (name, sub) in props.iter_mut() {
        let values: Vec<Value> = shown.iter().filter_map(|i| i.get(name)).cloned().collect();
        if values.len() < 2 {
            continue; // One copy shown: what the builder read from it stands.
        }
        if sub.get("properties").is_some() {
            required_in_every_item(sub, &values);
        }
        if let Some(inner) = sub.get_mut("items") {
            let elements: Vec<Value> = values
                .iter()
                .filter_map(Value::as_array)
                .flatten()
                .cloned()
                .collect();
            required_in_every_item(inner, &elements);
        }
    }
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
    /// Bounds of one row that contradict each other: (JSON Pointer, row source, conflict).
    pub conflicts: Vec<(String, Option<String>, constraints::Conflict)>,
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
            conflicts: Vec::new(),
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
            // A table that lists one name twice (a page's copy-paste) still makes one schema
            // keyword entry: `required` must hold unique names or the schema does not compile.
            if is_required && !required.iter().any(|r| r == &f.name) {
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
                        Ty::Array(_) => Ty::Array(Box::new(Ty::Unknown(String::new()))),
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
        // Phrases a member of this row's objects took: read, so never reported as unread.
        let mut member_phrases: Vec<String> = Vec::new();
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
                    self.map_from_placeholder(f, &children[0])
                }
                // `Map<String,String>` beside a table: the values are the stated scalars; the
                // table lists particular entries (reserved keys), not the fields of each value.
                (Some(_), Ty::Map(value))
                    if value.json_type_is_scalar() || **value == Ty::Boolean =>
                {
                    self.notes.push(format!(
                        "{pointer}: a map of {} values beside a table; the table's rows are read as particular entries, not as the values' fields",
                        value.json_type().unwrap_or("unknown")
                    ));
                    self.map(f, value)
                }
                // `Map<String,X>` with X's table: any key, each value an X.
                (Some(children), Ty::Map(value)) => {
                    self.map_of(f, value, children, example, pointer)
                }
                // An `Object` row whose text states a map of objects ("属性为Map<String,
                // Object>结构", ECS's server `addresses`): the table's rows are each value's
                // fields. A value the example shows as a list (Nova's addresses) is a list of them.
                (Some(children), _) if STATED_OBJECT_MAP.is_match(&text) => {
                    let listed = example
                        .and_then(Value::as_object)
                        .and_then(|o| o.values().next())
                        .is_some_and(Value::is_array);
                    let value = if listed {
                        self.notes.push(format!(
                            "{pointer}: a map of objects whose example values are lists of them"
                        ));
                        Ty::Array(Box::new(Ty::Object))
                    } else {
                        Ty::Object
                    };
                    self.map_of(f, &value, children, example, pointer)
                }
                // An object whose text says each of its key-value entries holds a value the table
                // documents ("每个key-value结构表示…，value详情请参见表9", AOS's
                // `subObjectStatuses`): a map of those values, where the example agrees.
                (Some(children), _) if is_map_of_table(&text, children, example) => {
                    self.map_of(f, &Ty::Object, children, example, pointer)
                }
                (Some(children), _) => {
                    let mut object = self.object(children, example, pointer);
                    member_phrases.extend(self.member_rules(f, &mut object, pointer));
                    obj(object)
                }
                (None, Ty::Map(value)) => self.map(f, value),
                // An object without a table whose row lists rules for its keys ("每个参数名称有
                // 如下约束："): a map; its values are what the example shows, else anything.
                (None, _)
                    if f.paragraphs
                        .iter()
                        .flat_map(|p| p.lines())
                        .any(|p| KEY_RULES_INTRO.is_match(p.trim())) =>
                {
                    let value = example
                        .and_then(Value::as_object)
                        .and_then(|o| o.values().next())
                        .and_then(Ty::of_value)
                        .unwrap_or_else(|| Ty::Unknown(String::new()));
                    self.map(f, &value)
                }
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
                        let mut items =
                            self.object(children, item_example, &format!("{pointer}/0"));
                        if self.presence == Presence::Example {
                            let shown = example.and_then(Value::as_array);
                            required_in_every_item(&mut items, shown.map_or(&[], Vec::as_slice));
                        }
                        member_phrases.extend(self.member_rules(
                            f,
                            &mut items,
                            &format!("{pointer}/0"),
                        ));
                        items
                    }
                    (None, Ty::Map(value)) => Value::Object(self.map(f, value)),
                    (None, Ty::Unknown(_)) => match item_example.and_then(Ty::of_value) {
                        Some(shown) => {
                            let t = shown.json_type().unwrap_or("object");
                            self.notes.push(format!(
                                "{pointer}: a list of unnamed items, the example shows {t}"
                            ));
                            json!({ "type": t })
                        }
                        None => json!({}),
                    },
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
        // A map's count of entries is stated on its own row ("键值对个数不超过20条").
        if let (true, true, Some((n, phrase))) = (
            self.constraints,
            is_map && !schema.contains_key("properties"),
            constraints::map_entries(&f.paragraphs),
        ) {
            schema.insert("maxProperties".into(), json!(n));
            let phrases = schema
                .entry("x-phrases")
                .or_insert_with(|| Value::Object(Map::new()));
            if let Some(phrases) = phrases.as_object_mut() {
                phrases.insert("maxProperties".into(), json!(phrase));
            }
        }
        if self.constraints && !is_map && !matches!(ty, Ty::Unknown(_)) {
            let reading = constraints::read(&f.paragraphs);
            let applied = constraints::apply(&reading, &ty, &mut schema);
            self.unread.extend(
                applied
                    .unread
                    .into_iter()
                    .filter(|p| !member_phrases.contains(p))
                    .map(|p| (pointer.to_string(), f.source.clone(), p)),
            );
            self.conflicts.extend(
                applied
                    .conflicts
                    .into_iter()
                    .map(|c| (pointer.to_string(), f.source.clone(), c)),
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
    /// The map's own row may state rules for its keys and values ("metadata中的key和value长度不
    /// 大于255个字节"); the placeholder row's own rules come first.
    fn map_from_placeholder(&mut self, map_row: &Field, row: &Field) -> Map<String, Value> {
        let mut val = Map::new();
        if let Some(t) = row.ty.json_type() {
            val.insert("type".into(), json!(t));
        }
        let (key_text, value_text) = split_key_value(&map_row.paragraphs);
        if row.ty == Ty::String {
            self.string_rules(&row.text(), &mut val, row);
            if !value_text.trim().is_empty() {
                self.string_rules(&value_text, &mut val, map_row);
            }
        }
        let mut m = Map::from_iter([
            ("type".to_string(), json!("object")),
            ("additionalProperties".to_string(), Value::Object(val)),
        ]);
        if !key_text.trim().is_empty() {
            let mut key = Map::new();
            self.string_rules(&key_text, &mut key, map_row);
            if !key.is_empty() {
                key.insert("type".into(), json!("string"));
                m.insert("propertyNames".into(), Value::Object(key));
            }
        }
        m
    }
}

impl Builder<'_> {
    /// A row of objects may state a length for one of their fields ("value为匹配的值，最大长度
    /// 为255个字符"), most often where it links a table shared with other uses. The row speaks
    /// of this use, so its length wins; a different length in the table is a conflict.
    /// Returns the phrases it applied.
    fn member_rules(&mut self, f: &Field, object: &mut Value, pointer: &str) -> Vec<String> {
        let mut used = Vec::new();
        if !self.constraints {
            return used;
        }
        let Some(props) = object.get_mut("properties").and_then(Value::as_object_mut) else {
            return used;
        };
        let sentences: Vec<&str> = f
            .paragraphs
            .iter()
            .flat_map(|p| p.split(['。', '\n']))
            .map(str::trim)
            .collect();
        for (name, member) in props.iter_mut() {
            let Some(member) = member.as_object_mut() else {
                continue;
            };
            if member.get("type") != Some(&json!("string")) {
                continue;
            }
            for sentence in &sentences {
                let Some(rest) = sentence
                    .strip_prefix(name.as_str())
                    .and_then(|r| r.strip_prefix(['为', '：', ':']))
                else {
                    continue;
                };
                let mut stated = Map::new();
                let reading = constraints::read(&[rest.to_string()]);
                constraints::apply(&reading, &Ty::String, &mut stated);
                for key in MEMBER_LENGTHS {
                    let Some(v) = stated.get(key) else {
                        continue;
                    };
                    let phrase = phrase_of(&stated, key).unwrap_or_else(|| rest.to_string());
                    if let Some(old) = member.get(key).filter(|old| *old != v) {
                        let dropped = phrase_of(member, key).unwrap_or_else(|| old.to_string());
                        self.conflicts.push((
                            format!("{pointer}/{name}"),
                            f.source.clone(),
                            constraints::Conflict {
                                kept: phrase.clone(),
                                dropped,
                            },
                        ));
                    }
                    member.insert(key.to_string(), v.clone());
                    let phrases = member
                        .entry("x-phrases")
                        .or_insert_with(|| Value::Object(Map::new()));
                    if let Some(phrases) = phrases.as_object_mut() {
                        phrases.insert(key.to_string(), json!(phrase));
                    }
                    used.push(phrase);
                }
            }
        }
        used
    }

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

// The lengths a row of objects may state for one of their string fields.
const MEMBER_LENGTHS: [&str; 3] = ["minLength", "maxLength", "x-maxBytes"];

/// The phrase a schema records for one of its keywords.
fn phrase_of(schema: &Map<String, Value>, key: &str) -> Option<String> {
    schema
        .get("x-phrases")
        .and_then(|p| p.get(key))
        .and_then(Value::as_str)
        .map(str::to_string)
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

/// A row whose words state key-value entries, with a table of fields that are not a key and
/// its value (a tag's `key`/`value` pair is an object of two fields), and an example keyed by none
/// of the table's fields and holding objects: a map whose values the table documents.
fn is_map_of_table(text: &str, children: &[Field], example: Option<&Value>) -> bool {
    if !KEY_VALUE.is_match(text) {
        return false;
    }
    let named = |n: &str| children.iter().any(|c| c.name.eq_ignore_ascii_case(n));
    // A `value` row alone is a field of each entry's value (AOS's outputs: `description`,
    // `value`); beside a `key` row the table is one pair.
    if named("key") || named("键") {
        return false;
    }
    // Words naming a field of the table ("包含一个名为matchLabels的字段") describe that field.
    // (`value` is the words of the key-value phrase itself, not a field named.)
    if children.iter().any(|c| {
        c.name.len() > 2 && !c.name.eq_ignore_ascii_case("value") && text.contains(c.name.as_str())
    }) {
        return false;
    }
    match example {
        // Without an example the words alone are ambiguous ("每个key-value表示…的某个特性" may
        // mean each row of the table): the table's fields stay properties.
        None => false,
        Some(Value::Object(entries)) => {
            !entries.is_empty() && entries.iter().all(|(k, v)| !named(k) && v.is_object())
        }
        Some(_) => false,
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
    // Markdown rows run every paragraph into one cell ("…键值对。键。最大长度255…。值。…"):
    // a marker may open any sentence, not only a paragraph.
    let sentences = paragraphs
        .iter()
        .flat_map(|p| p.split_inclusive(['。', '\n']))
        .map(str::trim)
        .filter(|t| !t.is_empty());
    for t in sentences {
        let (marker, rest) = if KEY_RULES_INTRO.is_match(t) {
            (Part::Key, "")
        } else if let Some(r) = key_value_marker(t, KeyOrValue::Key) {
            (Part::Key, r)
        } else if let Some(r) = key_value_marker(t, KeyOrValue::Value) {
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
            // Said of both parts before either is named: the words after them bind each.
            Part::Neither => {
                if let Some(both) = KEY_AND_VALUE.captures(rest).and_then(|c| c.get(1)) {
                    let both = both.as_str();
                    key.push_str(both);
                    value.push_str(both);
                }
            }
        }
        key.push(' ');
        value.push(' ');
    }
    (key, value)
}

#[derive(Clone, Copy)]
enum KeyOrValue {
    Key,
    Value,
}

/// The rest of a sentence that opens by naming a map's keys or values: a bare marker (`键。`,
/// `Value:`) or a subject before its rule (`主键（Key）只能由…`, `值（value）最大长度为…`).
fn key_value_marker(t: &str, which: KeyOrValue) -> Option<&str> {
    let (words, glossed): (&[&str], &[&str]) = match which {
        KeyOrValue::Key => (&["键", "Key", "key"], &["主键", "键"]),
        KeyOrValue::Value => (&["值", "Value", "value"], &["值"]),
    };
    if let Some(rest) = strip_marker(t, words) {
        return Some(rest);
    }
    // A Chinese subject counts only with its English gloss in brackets: a bare `值为空时…`
    // is a sentence about the whole map.
    let gloss = match which {
        KeyOrValue::Key => ["key", "Key", "KEY"],
        KeyOrValue::Value => ["value", "Value", "VALUE"],
    };
    glossed.iter().find_map(|w| {
        let rest = t.strip_prefix(w)?.trim_start();
        let rest = rest.strip_prefix(['（', '('])?.trim_start();
        let rest = gloss
            .iter()
            .find_map(|g| rest.strip_prefix(g))?
            .trim_start();
        let rest = rest.strip_prefix(['）', ')'])?;
        Some(rest.trim_start_matches(['：', ':']).trim())
    })
}

fn strip_marker<'a>(t: &'a str, words: &[&str]) -> Option<&'a str> {
    words.iter().find_map(|w| {
        let rest = t.strip_prefix(w)?;
        if rest.is_empty() {
            return None;
        }
        let rest = rest.strip_prefix(['。', '：', ':', '.'])?;
        Some(rest.trim())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A field the first list item's nested object shows and the second's lacks is optional at
    /// that depth too, also inside a nested list (ModelArts' export tasks, ECS security groups).
    #[test]
    fn a_nested_field_only_some_items_show_is_optional() {
        let mut items = json!({"type": "object", "required": ["id", "params"],
            "properties": {
                "id": {"type": "string"},
                "params": {"type": "object", "required": ["dest", "name"],
                    "properties": {"dest": {}, "name": {}}},
                "rules": {"type": "array", "items": {"type": "object",
                    "required": ["a", "b"], "properties": {"a": {}, "b": {}}}}}});
        let shown = [
            json!({"id": "1", "params": {"dest": "x", "name": "n"}, "rules": [{"a": 1, "b": 2}]}),
            json!({"id": "2", "params": {"dest": "y"}, "rules": [{"a": 1}]}),
        ];
        required_in_every_item(&mut items, &shown);
        assert_eq!(items["required"], json!(["id", "params"]));
        assert_eq!(items["properties"]["params"]["required"], json!(["dest"]));
        assert_eq!(
            items["properties"]["rules"]["items"]["required"],
            json!(["a"])
        );
    }

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
        assert_eq!(
            Ty::parse("String of Array"),
            Ty::Array(Box::new(Ty::String))
        );
        assert_eq!(Ty::parse("Integer[]"), Ty::Array(Box::new(Ty::Integer)));
        assert!(matches!(Ty::parse("Frobnicator"), Ty::Unknown(_)));
        // Chinese array and object words (SMS): a JSON array's items come from its table.
        assert_eq!(
            Ty::parse("JSON数组"),
            Ty::Array(Box::new(Ty::Unknown(String::new())))
        );
        assert_eq!(Ty::parse("String数组"), Ty::Array(Box::new(Ty::String)));
        assert_eq!(Ty::parse("Json对象"), Ty::Object);
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

    /// A markdown row runs every paragraph into one cell; markers open sentences inside it.
    #[test]
    fn key_and_value_markers_open_sentences_of_one_cell() {
        let (k, v) = split_key_value(&[
            "自定义标签键值对。允许为空。键。长度不超过64个Unicode字符，不能为空。值。长度不超过32个Unicode字符。".into(),
        ]);
        assert!(k.contains("64") && k.contains("不能为空"), "{k}");
        assert!(
            v.contains("32") && !v.contains("64") && !v.contains("不能为空"),
            "{v}"
        );
    }

    /// A subject glossed in English (`主键（Key）`, `值（value）`) names the part its rule binds;
    /// a bare `值为…` is about the whole map.
    #[test]
    fn glossed_subjects_name_the_part_they_bind() {
        let (k, v) = split_key_value(&[
            "可自定义键值对。".into(),
            "最多10对。".into(),
            "主键（Key）只能由字母和数字组成，长度为[1-64]个字符。".into(),
            "值（value）最大长度为32个字符。".into(),
        ]);
        assert!(k.contains("[1-64]") && !k.contains("32"), "{k}");
        assert!(v.contains("32") && !v.contains("64"), "{v}");
        let (k, v) = split_key_value(&["值为空时不修改。键(key)：最长16个字符。".into()]);
        assert!(k.contains("16"), "{k}");
        assert!(v.trim().is_empty(), "{v}");
        let mut key = Map::new();
        let reading = constraints::read(&["长度为[1-64]个字符。".to_string()]);
        constraints::apply(&reading, &Ty::String, &mut key);
        assert_eq!(key.get("minLength"), Some(&json!(1)), "{key:?}");
        assert_eq!(key.get("maxLength"), Some(&json!(64)), "{key:?}");
    }

    /// A sentence introducing the key rules listed after it ("每个参数名称有如下约束：") opens the
    /// key part; the map's own words before it bind neither part.
    #[test]
    fn an_intro_to_key_rules_opens_the_key_part() {
        let (k, v) = split_key_value(&[
            "查询参数，每个参数值为字符串数组，每个参数名称有如下约束：".into(),
            "英文字母、数字、点、中连线组成".into(),
            "必须以英文字母开头，最长32字节".into(),
        ]);
        assert!(k.contains("组成") && k.contains("32字节"), "{k}");
        assert!(v.trim().is_empty(), "{v}");
        // A sentence about the map itself is no intro.
        let (k, _) = split_key_value(&["参数名称，最长32字节。".into()]);
        assert!(k.trim().is_empty(), "{k}");
    }

    #[test]
    fn a_rule_on_keys_and_values_binds_both() {
        for text in [
            "metadata中的key和value长度不大于255个字节",
            "裸金属服务器元数据，key和value的长度均不大于255字节",
        ] {
            let (k, v) = split_key_value(&[text.into()]);
            assert!(k.contains("255") && v.contains("255"), "{text}");
        }
        let mut key = Map::new();
        let reading = constraints::read(&["长度不大于255个字节".to_string()]);
        constraints::apply(&reading, &Ty::String, &mut key);
        assert_eq!(key.get("x-maxBytes"), Some(&json!(255)));
        let (k, v) = split_key_value(&["用户自定义metadata，最多255个".into()]);
        assert!(k.trim().is_empty() && v.trim().is_empty());
    }
}
