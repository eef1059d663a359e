//! Constraint reader: the text of one parameter row → the constraints it states, each with the
//! phrase it came from.
//!
//! Input is a row's paragraphs (description column, dedicated columns such as 约束, 取值范围,
//! 默认值, Constraints, Value range, Default, and the API Explorer lines `最小长度：1`,
//! `枚举值：`, `缺省值：`, `数组长度：1 - 20`), in Chinese or English. The text is cut into
//! sentences; each sentence is read on its own:
//!
//! - a **conditional** sentence (`仅type为server时有效`, `如果协议是icmp类型…`, "when X is Y",
//!   "if …") never becomes a keyword: when it looks like a constraint it is kept as a note
//!   (except what holds in every case: a constraint all of a row's conditional sentences state
//!   alike, and the span of a range and its bracketed exception);
//! - otherwise every recognised phrase becomes a [`Constraint`] with the phrase (the matched
//!   words, not the whole sentence);
//! - a sentence that looks like a constraint (长度, 范围, 取值, length, range, between, …) but
//!   yields nothing is returned as unread, so a reviewer sees what was missed.
//!
//! Precision comes before recall: a list with one item that is not a plain value, a range on a
//! field of the wrong type, a default that the field's type cannot hold are all left unread.
//!
//! **In the schema** ([`apply`]): the keywords go on the property (`maxLength`, `x-maxBytes`,
//! `minimum`, `enum`, `default`, `format`, `minItems`, …); `x-phrases` maps each keyword written
//! from a phrase to that phrase (`{"maxLength": "最大长度：64"}`), and `x-notes` lists the
//! conditional phrases. Byte limits are written as `x-maxBytes` alone, as the committed schemas
//! always have (the OpenAPI export adds `maxLength` beside it).
//!
//! Pure functions: no I/O, no panics on page text.

use std::sync::LazyLock;

use regex::{Captures, Regex};
use serde_json::{json, Map, Number, Value};

use super::fields::Ty;

fn re(pattern: &str) -> Regex {
    crate::statics::regex(pattern)
}

/// One constraint a phrase states.
#[derive(Debug, Clone, PartialEq)]
pub enum Constraint {
    /// Fewest characters (`minLength`).
    MinLength(u64),
    /// Most characters (`maxLength`).
    MaxLength(u64),
    /// Most UTF-8 bytes (`x-maxBytes`).
    MaxBytes(u64),
    /// Smallest number, inclusive (`minimum`).
    Minimum(f64),
    /// Largest number, inclusive (`maximum`).
    Maximum(f64),
    /// Smallest number, exclusive (`exclusiveMinimum`).
    ExclusiveMinimum(f64),
    /// Largest number, exclusive (`exclusiveMaximum`).
    ExclusiveMaximum(f64),
    /// The only values allowed, as written (`enum`, typed when applied).
    Enum(Vec<String>),
    /// The value used when the field is left out, as written (`default`, typed when applied).
    Default(String),
    /// A format the row names for its own value (`format`: `uuid`, `ipv4`, `ipv6`, `ip`, `cidr`).
    Format(&'static str),
    /// Fewest array items (`minItems`).
    MinItems(u64),
    /// Most array items (`maxItems`).
    MaxItems(u64),
    /// The IP versions an integer version field allows ("只支持IPv4" → `enum: [4]`); on a
    /// field of any other type the words name a format and state nothing.
    IpVersion(Vec<u64>),
    /// A regular expression the value matches (`pattern`): the values a row names one
    /// sentence each when one of them is a format (`0`, or a UUID).
    Pattern(String),
}

impl Constraint {
    /// The JSON Schema keyword the constraint is written as.
    pub fn keyword(&self) -> &'static str {
        match self {
            Constraint::MinLength(_) => "minLength",
            Constraint::MaxLength(_) => "maxLength",
            Constraint::MaxBytes(_) => "x-maxBytes",
            Constraint::Minimum(_) => "minimum",
            Constraint::Maximum(_) => "maximum",
            Constraint::ExclusiveMinimum(_) => "exclusiveMinimum",
            Constraint::ExclusiveMaximum(_) => "exclusiveMaximum",
            Constraint::Enum(_) => "enum",
            Constraint::Default(_) => "default",
            Constraint::Format(_) => "format",
            Constraint::MinItems(_) => "minItems",
            Constraint::MaxItems(_) => "maxItems",
            Constraint::IpVersion(_) => "enum",
            Constraint::Pattern(_) => "pattern",
        }
    }
}

/// A constraint and the phrase it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    /// The constraint.
    pub constraint: Constraint,
    /// The words that state it.
    pub phrase: String,
}

/// Everything read from one row.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Reading {
    /// Constraints, in the order the text states them (the first of a keyword wins).
    pub found: Vec<Found>,
    /// Conditional phrases that look like constraints: notes, never keywords.
    pub notes: Vec<String>,
    /// Sentences that look like constraints but yield none.
    pub unread: Vec<String>,
    /// Value lists stated only for a value that is not empty (`不为空时…取值如下：`), also notes:
    /// on a list field they are its items' values (an empty list has no item to break them).
    pub non_empty_lists: Vec<Found>,
    /// The row says its value is a count or a number (条数, 记录数, 正整数).
    pub number_named: bool,
    /// The row calls its value a range, a list, a format, a name or a text of characters: a
    /// string typed row with a value range then holds more than one decimal number (or the
    /// range is a length).
    pub not_one_number: bool,
    /// The decimal places of the row's numbers ("一位小数" alone in its sentence) and the phrase.
    pub decimals: Option<(u32, String)>,
    /// A quoted example that is several numbers joined by one separator (`"0.3:0.6"`): the
    /// numbers, the separator and the example as written.
    pub number_list_example: Option<(Vec<String>, char, String)>,
    /// The row says its value is several joined by commas ("格式为半角逗号隔开的数字"): values it
    /// lists are the items of that list, not whole values.
    pub comma_list: bool,
}

static CONSTRAINT_LIKE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r#"(?i)长度|范围|取值[:：]|取值(?:为|是|有|包括|只能是|只能为|必须为|如下)\s*[:：]?\s*(?:$|[“"'A-Za-z0-9+\-\[])|枚举|字节|最大值|最小值|缺省|默认值|不超过|不能超过|大于|小于|\blength\b|\branges?\b|\bbetween\b|\bminimum\b|\bmaximum\b|\bdefault value\b|\bdefaults? to\b|\bvalue can be\b|\bvalid values?\b|\benumerat|[\[（(]\s*-?\d+\s*[,，]\s*-?\d+\s*[\]）)]"#,
    )
});

/// Whether a phrase states (or seems to state) a constraint: the recogniser behind the
/// unread-constraint notes and the coverage figures.
pub fn is_constraint_like(phrase: &str) -> bool {
    CONSTRAINT_LIKE.is_match(phrase)
}

static CONDITIONAL: LazyLock<Regex> = LazyLock::new(|| {
    re(concat!(
        // "当前支持" is "currently supports", no "when" ("当前支持：FLV，HLS…，设置格式时…").
        r"(?i)如果|若|假如|当(?:[^前。；]|前[^支仅只。；])[^。；]{0,39}?时|当前?时|仅[^。；]{0,30}?时|只有[^。；]{0,30}?时|",
        r"[^，,。；\s]{1,20}为[^，,。；\s]{1,20}时|时(?:[，,：:]|有效|生效|必选|必填|可选|才)|",
        r"\b(?:if|when|whenever|unless|only (?:for|valid|applies|takes effect))\b|\bin case\b|",
        // "period_type=year，取值为[1,3]": a case named by its parameter's value.
        r"^\s*[A-Za-z_][A-Za-z0-9_.]*\s*=\s*[A-Za-z0-9_.\-]+\s*[，,]",
    ))
});

/// Whether a sentence states its rule under a condition.
pub fn is_conditional(sentence: &str) -> bool {
    CONDITIONAL.is_match(sentence)
}

// `intmax` and `Integer.MAX_VALUE` stand for the largest 32-bit integer ("取值范围为0~intmax");
// `Number.MAX_VALUE` for no upper bound at all.
// `3600*24` is one number, the product ("小于等于3600*24"), never 3600.
const NUM: &str = r"([+-]?\d+(?:\.\d+)?(?:\s*[*×]\s*\d+)*|(?i:intmax|int_max|integer\.max_value|number\.max_value|double\.max_value))";
// A unit the first bound of a range may carry (`40GB~4000GB`, `1s-50s`).
const UNIT: &str = r"(?:\s*(?:GB|MB|KB|TB|ms|s|秒|分钟|小时|天))?";
const TO: &str = r"\s*(?:-|－|~|～|到|至|\bto\b)\s*";
// A data size unit closing a bound's number (`最大为4096GB`): the bound is read in that unit, which
// must agree with the row's (see `SCALED_UNIT`).
const SIZE_UNIT: &str = r"\s*[KMGTP]i?B(?:$|[^A-Za-z/])";
// A count or length, `1024*1024` being one number, the product.
const INT: &str = r"(\d+(?:\s*[*×]\s*\d+)*)";

// Length units: a range or limit followed by one of these counts characters (or bytes).
static CHAR_RANGE: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"(?i){INT}(?:\s*个?\s*(?:字符|位))?{TO}{INT}\s*(?:个|位)?\s*(?:unicode\s*)?(?:字符|位|characters?|chars?\b)"
    ))
});
static LENGTH_RANGE: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"(?i)(?:长度|length)\s*(?:必须|需|应)?\s*(?:为|是|在|范围为|范围是|范围|:|：|is|of|must be|from)?\s*[:：]?\s*[\[（(]?{INT}{TO}{INT}(\s*个?字节|\s*bytes)?"
    ))
});
// A length span in brackets (`字符串的长度限制为[0, 256]`, `限制长度为[0,256]`, `长度为[0，64]`,
// "length is [1, 64]"): either comma, both ends in.
static LENGTH_BRACKETED: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"(?i)(?:长度(?:限制)?|限制长度|\blength)\s*(?:必须|需|应)?\s*(?:为|是|在|范围为|范围是|范围|is|must be)?\s*[:：]?\s*[\[（(]\s*{INT}\s*[,，]\s*{INT}\s*[\]）)]"
    ))
});
// A count of characters given as a value range (`字符取值范围[0,200]`, `字符数范围：1-64`): a
// length, never a value, so it is read before the value ranges.
static CHAR_COUNT_RANGE: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"字符(?:长度|个数|数)?(?:取值)?范围\s*(?:为|是)?\s*[:：]?\s*(?:[\[（(]\s*{INT}\s*[,，~～\-]\s*{INT}\s*[\]）)]|{INT}{TO}{INT})"
    ))
});
static BYTE_RANGE: LazyLock<Regex> =
    LazyLock::new(|| re(&format!(r"(?i){INT}{TO}{INT}\s*(?:个)?\s*(?:字节|bytes)")));
static MAX_BYTES: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)(?:最大(?:支持|长度为?|长度是|长度支持|为)?|最长(?:为)?|长度(?:固定)?为|不超过|不能超过|不得超过|(?:长度)?(?:均|都)?不大于|最多|(?:maximum|max\.?) of|at most|up to|no more than|cannot exceed|can't exceed|not exceed)\s*(?:UTF-?8\s*编码后\s*)?(\d+)\s*个?\s*(?:字节|bytes)",
    )
});
static MAX_CHARS: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)(?:最大(?:长度|支持)?为?|长度(?:最大)?(?:不超过|不能超过|不得超过|不大于|不能大于|不可超过|最大为?|上限为?|限制为?|小于等于|最多(?:允许|可以|可)?)|长度(?:需|须|应|必须)?(?:为|在)?|最长(?:为)?|不超过|不能超过|不得超过|不大于|最多(?:为|支持|允许|可以|可)?|(?:maximum|max\.?) of|at most|up to|no more than|cannot exceed|can't exceed|not exceed|maximum length (?:is|of))\s*[:：]?\s*(\d+)\s*(?:个|位)?\s*(?:unicode\s*)?(字符|位|characters?|chars?\b|的字符串)?",
    )
});
static MAX_LENGTH_LINE: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)(?:最大(?:字符)?长度|maximum length|max length)\s*[:：]\s*(\d+)"));
static MIN_LENGTH_LINE: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)(?:最小(?:字符)?长度|minimum length|min length)\s*[:：]\s*(\d+)"));
// One length as a label (`长度：36`) or a fixed one (`长度固定为36`): exactly that many
// characters ("长度为64" alone is often a limit, so it is not read as exact). Group 1 is the
// word before 长度 (最大/最小 make it a bound, read elsewhere); what follows the match decides
// the rest (a range or a decimal point makes it no exact length).
static EXACT_LENGTH: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)(最大|最小|总|字符|maximum\s|minimum\s|max\s|min\s)?(?:长度\s*(?:[:：]|固定为)|length\s*:)\s*(\d+)\s*(?:个|位)?\s*(?:字符|位|characters?)?",
    )
});
static MIN_CHARS: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)(?:至少|最少|不少于|at least|minimum of|no fewer than)\s*(\d+)\s*(?:个|位)?\s*(?:unicode\s*)?(?:字符|位|characters?)",
    )
});
static NOT_EMPTY: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)不能为空|不可为空|不允许为空|不能空|不能传空|cannot be empty|can't be empty|must not be empty",
    )
});
static ARRAY_LENGTH: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"(?i)(?:数组长度|array length)\s*[:：]?\s*{INT}{TO}{INT}"
    ))
});
// An array's length as a limit: "数组长度不超过10".
static ARRAY_MAX: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)(?:数组长度|数组元素个数|数组大小|array length|array size)\s*(?:不超过|不能超过|不得超过|最大为?|最多为?|小于等于|<=|≤|cannot exceed|can't exceed|must not exceed|is at most)\s*(\d+)",
    )
});
// A count closing its clause without a noun ("授权项，不超过100个", "不超过20条"): most items.
static MAX_COUNT: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?:不超过|不能超过|不得超过)\s*(\d+)\s*(?:个|条|项)\s*(?:$|[，,。；;])"));
// A size in bytes standing alone in its clause ("密钥ID，36字节", "36字节序列号",
// "约束：2048字节"): the value takes at most that many bytes.
static BYTES_ALONE: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?:^|[，,]|约束\s*[:：])\s*(\d+)\s*个?\s*字节\s*\p{Han}{0,6}?\s*(?:$|[，,])")
});
// A length strictly or loosely between two numbers ("长度大于0小于243字节",
// "value的长度大于等于0小于256字节"); group 1 and 3 tell strict from loose, 5 the unit.
static LENGTH_BETWEEN: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)长度\s*(大于等于|大于或等于|不小于|大于)\s*(\d+)\s*(?:且|并且|，|,)?\s*(小于等于|小于或等于|不大于|小于)\s*(\d+)\s*(?:个)?\s*(字节|字符|位)?",
    )
});
// A length's shortest and longest in one run ("长度最短为1，最大为64"): the second bound
// follows the length word's comma, so it bounds the length too.
static LENGTH_SHORTEST: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"长度\s*(?:最短|最小)(?:为|是)?\s*(\d+)\s*(?:个)?\s*(?:字符|位)?\s*(?:[，,]|且)\s*(?:最长|最大)(?:为|是)?\s*(\d+)\s*(?:个)?\s*(字节|字符|位)?",
    )
});
// A size in binary units ("注入内容最大长度32KB", "最大32K"): bytes, 1024 to the KB.
static MAX_SIZE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)(?:最大长度|最大(?:支持)?|不超过|不能超过|不得超过|不大于|at most|up to|maximum(?: of)?)\s*(?:为|是)?\s*(\d+)\s*(KB|K|MB|M)(?:$|[^A-Za-z/])",
    )
});
// Words making a size another thing's: the content before encoding, a file's size.
static SIZE_OF_ANOTHER: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)编码之前|编码前|before (?:it is )?encod|文件大小|file size"));
// A length below one number ("消息长度要求小于4096字节"); group 1 tells strict from loose.
static LENGTH_BELOW: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"长度\s*(?:要求|必须|需|应)?\s*(小于等于|小于或等于|小于)\s*(\d+)\s*(?:个)?\s*(字节|字符|位)",
    )
});
// A regular expression the value must match, in quotes ("满足正则匹配“^[A-F0-9]{64}$”").
static QUOTED_PATTERN: LazyLock<Regex> = LazyLock::new(|| {
    re(r#"(?:满足|符合|匹配)?正则(?:表达式)?(?:匹配|规则)?\s*[:：]?\s*[“"]([^”"]+)[”"]"#)
});
// A regular expression written bare after its word ("取值满足表达式[a-zA-Z_:][a-zA-Z0-9_:]*"): the
// run of ASCII after it, up to a Chinese comma or the end; the whole value matches it.
static BARE_PATTERN: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?:满足|符合|匹配)(?:正则)?表达式\s*[:：]?\s*([!-~]*[\[\\^][!-~]*)\s*(?:$|[，。；]|\p{Han})",
    )
});
// Words saying a value's letter case does not matter.
static CASE_INSENSITIVE: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)不区分大小写|大小写不敏感|case[- ]insensitive|not case[- ]sensitive")
});
// Words allowing the empty string beside "不能为空" (which then means the field must be sent).
static EMPTY_STRING_ALLOWED: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)(?:可以|可)(?:为|是)空字符串|允许空字符串|can be an empty string|may be an empty string",
    )
});
// Values alone in their sentence, cut by `、` ("app_log、node_log、custom_log"): at least one
// with a separator inside a word (`_`, `-`, `.`) or all in capitals, so that a plain list of
// words (a type's name, "IPv4、IPv6") is no list of values.
static BARE_LIST: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"^\s*(?:[A-Za-z][A-Za-z0-9]*[_\-.][A-Za-z0-9_\-.]*|[A-Z][A-Z0-9_]+)(?:\s*、\s*[A-Za-z][A-Za-z0-9_\-.]*)+\s*$",
    )
});
// A range alone in its sentence, in brackets with a comma (`[0，2147483647]`): a value range
// column holding nothing else.
static BRACKETED_ALONE: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"^\s*([\[（(])\s*{NUM}\s*[,，]\s*{NUM}\s*([\]）)])\s*$"
    ))
});
static ITEMS_RANGE: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"(?i)(?:contains?|contain|have|has|of)\s+{INT}{TO}{INT}\s+(?:items|elements|entries)"
    ))
});
// Counts: "at most 10 items", 最多支持20个, 一次最多可删除50个实例, 最大为5个; group 4 holds a
// unit of characters ("最多输入64个字符" is a length, never a count).
static MAX_ITEMS: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)(?:(?:maximum|max\.?) of|at most|up to|no more than)\s*(\d+)\s*(?:items|elements|entries)|最多(?:可(?:以)?)?\p{Han}{0,4}?\s*(\d+)\s*(?:个|项|条|块|张|台|对)(字符|字节|汉字|字|位)?|最大(?:为|是)?\s*(\d+)\s*个(?:$|[，,。；])",
    )
});
// Fewest items: "conditions最多5个，最少1个", "at least 1 item"; group 3 holds a unit of
// characters ("最少8个字符" is a length, read by the length phrases).
static MIN_ITEMS: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)(?:at least|no fewer than)\s*(\d+)\s*(?:items?|elements?|entries)|(?:最少|至少)\s*(\d+)\s*(?:个|项|条|块|张|台|对)(字符|字节|汉字|字|位)?",
    )
});
// A numeric range after a value word: 取值范围：1-100, 取值为40～1024GB, [1,9], ranges from 1 to 100.
static NUMBER_RANGE: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"(?i)(?:取值范围|取值区间|范围|取值|值为|最大支持|支持|value range|valid range|range|ranges|ranging)\s*(?:为|是|在|：|:|\s|from|is|of)*\s*[“\x22]?\s*(?:([\[（(])\s*{NUM}\s*[,，~～\-]\s*{NUM}\s*([\]）)])|{NUM}{UNIT}{TO}{NUM})(\s*(?:个|位)?\s*(?:unicode\s*)?(?:字符|字节|位|characters?|bytes))?"
    ))
});
static BETWEEN: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"(?i)\bbetween\s+{NUM}\s+and\s+{NUM}(\s+(?:characters|bytes))?"
    ))
});
static MIN_VALUE: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"(?i)(?:最小值|minimum value|minimum|min value)\s*(?:为|是|:|：|is|of)?\s*[:：]?\s*[“\x22]?{NUM}"
    ))
});
static MAX_VALUE: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"(?i)(?:最大值|maximum value|maximum|max value)\s*(?:为|是|:|：|is|of)?\s*[:：]?\s*[“\x22]?{NUM}"
    ))
});
static AT_LEAST: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"(?i)(?:取值(?:范围)?(?:为|是)?\s*)?(?:大于等于|大于或等于|不小于|>=|≥|greater than or equal to|no less than|not less than)\s*{NUM}"
    ))
});
static AT_MOST: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"(?i)(?:小于等于|小于或等于|不大于|<=|≤|less than or equal to|no greater than|not greater than)\s*{NUM}"
    ))
});
// A bound without a unit (`limit最多为1000`, `不超过30`): the value's largest number; with a
// unit after it the words are a length or a count, read elsewhere.
static NO_MORE_THAN: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"(?:最多为|最大为|最大(?:支持)?|不超过|不能超过|不得超过)\s*{NUM}(?:\s*$|[，,。；;\s)）]|{SIZE_UNIT})"
    ))
});
// The smallest value without a unit ("查询值最小为1").
static NO_LESS_THAN: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"(?:查询值|取值)?(?:最小为|最小是|最少为)\s*{NUM}(?:\s*$|[，,。；;\s]|{SIZE_UNIT})"
    ))
});
// Words naming the sign of an integer: 正整数 (at least 1), 非负整数 (at least 0).
static SIGN_WORD: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)非负整数|不能为负数|不能是负数|正整数|positive integer|non-negative integer")
});
static ABOVE: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"(?i)(?:必须大于|应大于|需大于|(?:^|[，,\s个为是且]|取值范围[:：])大于|greater than)\s*{NUM}(?:\s*$|[，,。；;.\s]|小于|且|的)"
    ))
});
static BELOW: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"(?i)(?:必须小于|应小于|需小于|(?:^|[，,\s个为是且])小于|less than)\s*{NUM}(?:\s*$|[，,。；;.\s]|且|的)"
    ))
});
static DEFAULT: LazyLock<Regex> = LazyLock::new(|| {
    let q = "[“”\"'‘’]?";
    let v = r"([A-Za-z0-9_.:\-]+)";
    re(&format!(
        r"(?i)(?:缺省值|默认值|默认取值)\s*(?:为|是)?\s*[:：]?\s*{q}{v}{q}|默认(?:为|是|使用)\s*{q}{v}{q}|(?:\bdefault(?: value)?\s*(?:is|:)|\bdefaults to)\s*{q}{v}{q}"
    ))
});
static FORMAT: LazyLock<Vec<(Regex, &'static str)>> = LazyLock::new(|| {
    vec![
        (
            re(
                r"(?i)合法UUID|标准UUID|UUID格式|格式为UUID|\bin UUID format\b|\bmust be a (?:valid )?UUID\b|\bUUID format\b",
            ),
            "uuid",
        ),
        (
            re(r"(?i)CIDR格式|格式为CIDR|\bin CIDR (?:format|notation)\b|\bCIDR format\b"),
            "cidr",
        ),
        (
            re(
                r"(?i)IPv4地址格式|格式为IPv4|\bin IPv4 (?:address )?format\b|\bmust be a (?:valid )?IPv4 address\b",
            ),
            "ipv4",
        ),
        (
            re(
                r"(?i)IPv6地址格式|格式为IPv6|\bin IPv6 (?:address )?format\b|\bmust be a (?:valid )?IPv6 address\b",
            ),
            "ipv6",
        ),
    ]
});
// Enumerations written inline: 取值为A、B、C；取值范围：A，B；The value can be A, B, or C.
static ENUM_INLINE: LazyLock<Regex> = LazyLock::new(|| {
    re(concat!(
        r"(?i)(?:取值范围|取值只能是|取值只能为|取值为|取值有|取值是|取值包括|目前取值为|目前取值有|可选值为|可选值|可选|枚举值|取值)\s*(?:为|是|有|包括)?\s*[:：]?\s*(.+)$|",
        r"\b(?:the )?(?:value|values|options?) (?:can be|can only be|must be|is one of|are|include|of this parameter can be)\s*:?\s*(.+)$|",
        r"\bvalid values? (?:are|is|include)\s*:?\s*(.+)$|\b(?:value range|values?|options)\s*:\s*(.+)$|",
        r"\bsupported values? (?:are|is|include)\s*:?\s*(.+)$|",
        // The API Explorer's English pages: `Enumeration values: tcp udp any`.
        r"\benumeration values?\s*:\s*(.+)$|",
        // "值为：grant，revoke或update" opening its sentence (never "默认值为：", which is no
        // sentence of its own).
        r"^\s*值为\s*[:：]\s*(.+)$",
    ))
});
// A sentence that introduces a list of values on the following lines.
static ENUM_INTRO: LazyLock<Regex> = LazyLock::new(|| {
    re(concat!(
        r"(?i)(?:取值范围|枚举取值|取值|枚举值|可选值|取值有|取值包括|取值如下|取值范围如下|取值为|支持以下取值|目前支持以下取值)\s*(?:如下|为|有)?\s*[:：]\s*$|",
        r"(?:取值如下(?:所示)?|取值范围如下(?:所示)?|取值有以下几种|如下取值)\s*[:：。]?\s*$|",
        // "可选样本状态如下：", "当前可取以下值：": the values of a state, kind or format follow.
        r"(?:可选\p{Han}{0,4}?(?:状态|类型|值|格式|模式|方式)如下|可取(?:以下|如下)值|可取值(?:如下|为|有))\s*[:：]\s*$|",
        // "取值有4种：", "目前支持3种。", "两种可选：": the count of the values listed next.
        // "支持以下两种实现：", "包括以下两种状态：": the kind of the values named after the count.
        r"(?:(?:取值有|取值包括|目前支持|当前支持|支持以下|包括以下)\s*(?:\d+|[两二三四五六七八九十])\s*种(?:取值|类型|实现|模式|方式|状态)?|^\s*(?:\d+|[两二三四五六七八九十])\s*种可选(?:值)?)\s*[:：。]?\s*$|",
        r"\b(?:the )?(?:value|values|options?) (?:can be|can only be|must be|are|include|is one of)(?: the following)?\s*:\s*$|",
        r"\b(?:valid|possible|supported|enumerated|enumeration) values?\s*(?:are|include)?\s*:\s*$|\b(?:value range|values?)\s*:\s*$",
    ))
});
// One value per line: `值：说明`, `值 (说明)`, `值 - 说明` or the bare value; a value may open
// with underscores (`__ALL__：全部`).
// `allow表示允许`, `ingress 表示入方向`: the value, then what it means.
static VALUE_LINE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r#"^\s*[-•*]?\s*[“"']?(_*[A-Za-z0-9][A-Za-z0-9_.\-/]*)[”"']?\s*(?:$|[：:（(]|\s[-–—]\s|\s*[，,；;。]|\s*(?:表示|代表))"#,
    )
});
// A value line naming two spellings of one value: `true或block (执行删除流程)`, `false/skip：跳过`.
static TWO_SPELLINGS_LINE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r#"^\s*[-•*]?\s*([A-Za-z0-9][A-Za-z0-9_.\-]*)\s*(?:或|/)\s*([A-Za-z0-9][A-Za-z0-9_.\-]*)\s*(?:$|[：:（(]|[-–—]\s|[，,；;。]|表示|代表)"#,
    )
});
// A range standing alone after its intro (`1～2147483647`, `10GB-100GB`).
static BARE_RANGE: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"^\s*[\[（(]?\s*{NUM}{UNIT}{TO}{NUM}{UNIT}\s*[\]）)]?\s*$"
    ))
});
// A default of nothing (`默认值为空`, `默认为null`, `默认值：“”`): no constraint, and nothing
// left unread.
static EMPTY_DEFAULT: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r#"(?i)^\s*(?:默认值|默认|缺省值)\s*(?:为|是)?\s*[:：]?\s*(?:空|null|none|“”|""|\[\])\s*(?:[，,].*)?$"#,
    )
});
// A value line naming the empty string: `空字符串（""）：…`, `""：…`.
static EMPTY_VALUE_LINE: LazyLock<Regex> = LazyLock::new(|| {
    re(r#"^\s*[-•*]?\s*(?:(?:空字符串|空串)\s*(?:[（(]\s*(?:""|“”)\s*[）)])?|""|“”)\s*[：:]"#)
});
// Values a conversion glued together after their intro (`public：公共镜像private：私有镜像`):
// a value starts the text or follows a Chinese word, and a colon and a Chinese word follow it.
static GLUED_VALUE: LazyLock<Regex> = LazyLock::new(|| {
    re(r#"(?:^|[\p{Han}）)。\s])[“"]?([A-Za-z][A-Za-z0-9_.\-]*)[”"]?\s*：\s*\p{Han}"#)
});
// "只支持true", "目前只支持“peering”", "仅支持auto、manual", "当前支持x、y": the only values,
// even one ("currently supports" names the whole set as of the page).
static ONLY_VALUES: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?:(?:目前|当前)(?:只|仅)?|只|仅)支持\s*[:：]?\s*(.+)$"));
// IP versions named as words: on an integer version field they are its values.
static IP_VERSION_WORD: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)^ipv([46])$"));
// One value closing its sentence after a value word: "取值为bare", "取值范围：4".
static SINGLE_VALUE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r#"(?:取值范围|取值)\s*(?:为|是)?\s*[:：]?\s*[“"'‘]?([A-Za-z0-9][A-Za-z0-9_.\-]*)[”"'’]?\s*$"#,
    )
});
// A list intro followed by one run of letters and digits the conversion glued together
// (`取值如下：AlphaBetaGamma`, `取值包括：x86arm`); prose may follow directly.
static GLUED_LIST: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r#"(?:取值如下|取值范围如下|取值包括|取值有|可选值包括|可选值有)\s*[:：]\s*([A-Za-z0-9]+)(?:$|[\p{Han}“”"])"#,
    )
});
// A kind, mode or state labelled with its values: "回收方式：auto、manual".
static LABELLED_LIST: LazyLock<Regex> =
    LazyLock::new(|| re(r"^\s*\p{Han}{0,16}?(?:类型|类别|方式|模式|状态)\s*[:：]\s*(.+)$"));
// Counts after a verb of holding or a cap: "每个组最大关联50条规则", "最大可添加20个", "上限为8个",
// "最大支持2万条记录" (group 2: ten thousands).
static MAX_ITEMS_VERB: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?:最大(?:可(?:以)?)?(?:关联|支持|添加|创建|绑定|包含|允许|注入|挂载|选择){1,2}|上限(?:为|是))\s*(\d+)\s*(万)?\s*(?:个|项|条|块|张|台|对)(字符|字节|汉字|字|位)?",
    )
});
// One value per sentence, each with its meaning: "取值为0，表示…。取值为UUID，表示…"; "或无该值"
// (or left out) adds no value.
static VALUE_SENTENCE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r#"^(?:取值为|取值是|取值\s*[:：]|值为)\s*[“"'‘*]*([A-Za-z0-9][A-Za-z0-9_.\-]*)[”"'’*]*\s*(?:或无该值|或不填|或不传|或为空)?\s*[，,]\s*(?:则)?(?:表示|代表|支持|指)"#,
    )
});
// Words naming what a value looks like, not a value: "只支持IPv4" on a list of CIDRs.
static FORMAT_WORD: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)^(?:ipv4|ipv6|ip|cidr|uuid|url|json)$"));
// An item naming its value and what it means: `eni表示弹性网卡`, `allow代表允许`.
static VALUE_MEANING: LazyLock<Regex> =
    LazyLock::new(|| re(r"^([A-Za-z0-9][A-Za-z0-9_.\-]*)\s*(?:表示|代表)\s*[\p{Han}A-Za-z0-9]"));
// Labels the pages run together (`…的范围取值范围：1~100默认值：1`), each starting a sentence.
static LABEL: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?:功能说明|取值范围|约束|默认值|缺省值)[:：]"));
static VALUE_IS_DEFAULT: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)^\s*[A-Za-z0-9][A-Za-z0-9_.\-/]*\s*[（(]\s*(?:默认值?|缺省值?|default(?: value)?)\s*[）)]",
    )
});
// A value quoted twice (`““SYNC””`: a quoted value inside the page's own quotes) is one value.
static TOKEN: LazyLock<Regex> =
    LazyLock::new(|| re(r#"^[“"'‘]{0,2}([A-Za-z0-9][A-Za-z0-9_.\-:]*)[”"'’]{0,2}$"#));
static LIST_SEP: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)\s*(?:[,，]\s*(?:or|and)\s+|、|，|,|/|\\|；|;|或者|或|和|及)\s*|\s+(?:or|and)\s+")
});
static PAREN: LazyLock<Regex> = LazyLock::new(|| re(r"[（(][^）)]*[）)]"));
// A count of the values glued after the last one ("MP4三种格式").
static COUNT_AFTER_VALUE: LazyLock<Regex> =
    LazyLock::new(|| re(r"^((?:\d+|[两二三四五六七八九十])\s*种)"));
static SENTENCE_END: LazyLock<Regex> = LazyLock::new(|| re(r"[。；;！!]|\.\s+|\.$"));

/// Cuts a paragraph into sentences (the units conditions apply to); a label run into the
/// words before it (`…取值范围：1~100默认值：1`) starts a sentence of its own.
fn sentences(paragraph: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut push = |s: &str| {
        let mut start = 0;
        // Only a label glued to a word is cut off (a list item's end lost in conversion): one
        // after a comma or a space goes on its sentence, and so does any label after a
        // condition, which governs what follows it.
        let glued = |i: usize| {
            s[..i]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_alphanumeric() || matches!(c, ')' | '）'))
        };
        for m in LABEL
            .find_iter(s)
            .filter(|m| m.start() > 0 && glued(m.start()))
        {
            if is_conditional(&s[start..m.start()]) {
                break;
            }
            let part = s[start..m.start()].trim();
            if !part.is_empty() {
                out.push(part.to_string());
            }
            start = m.start();
        }
        let part = s[start..].trim();
        if !part.is_empty() {
            out.push(part.to_string());
        }
    };
    let mut start = 0;
    for m in SENTENCE_END.find_iter(paragraph) {
        // A dot between digits is a decimal point, not a sentence end.
        if m.as_str() == "." && paragraph[m.end()..].starts_with(|c: char| c.is_ascii_digit()) {
            continue;
        }
        push(&paragraph[start..m.start()]);
        start = m.end();
    }
    push(&paragraph[start..]);
    out
}

/// The values glued after the first one in a sentence of a value list (`public：公共镜像
/// private：私有镜像`), in order, the first included.
fn glued_values(sentence: &str) -> Vec<String> {
    GLUED_VALUE
        .captures_iter(sentence)
        .map(|c| c[1].to_string())
        .collect()
}

fn num(c: &Captures<'_>, i: usize) -> Option<f64> {
    let text = c.get(i)?.as_str();
    let lower = text.to_ascii_lowercase();
    if matches!(lower.as_str(), "intmax" | "int_max" | "integer.max_value") {
        return Some(f64::from(i32::MAX));
    }
    // The largest double: the range has no upper bound (see `read_sentence`).
    if matches!(lower.as_str(), "number.max_value" | "double.max_value") {
        return Some(f64::INFINITY);
    }
    if text.contains(['*', '×']) {
        return text
            .split(['*', '×'])
            .map(|f| f.trim().trim_start_matches('+').parse::<f64>().ok())
            .product();
    }
    text.trim_start_matches('+').parse().ok()
}

fn int(c: &Captures<'_>, i: usize) -> Option<u64> {
    // A product (`1024*1024`) is one number.
    c.get(i)?
        .as_str()
        .split(['*', '×'])
        .try_fold(1u64, |acc, f| acc.checked_mul(f.trim().parse().ok()?))
}

fn is_bytes(unit: Option<&str>) -> bool {
    unit.is_some_and(|u| u.contains('字') && u.contains('节') || u.to_lowercase().contains("byte"))
}

/// Whether a character is a Chinese one (the prose a value may be glued to).
fn is_han(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c)
}

/// Splits an inline list into plain values; `None` when any item is not a plain value.
fn list_values(text: &str) -> Option<Vec<String>> {
    let text = PAREN.replace_all(text, "");
    let text = text
        .trim()
        .trim_end_matches(['。', '.', '；', ';', '，', ','])
        .trim();
    let mut values = Vec::new();
    // Each item with the separator before it (none for the first).
    let mut items: Vec<(&str, &str)> = Vec::new();
    let mut start = 0;
    let mut sep = "";
    for m in LIST_SEP.find_iter(text) {
        items.push((sep, &text[start..m.start()]));
        sep = m.as_str().trim();
        start = m.end();
    }
    items.push((sep, &text[start..]));
    for (sep, item) in items {
        let item = item.trim();
        if item.is_empty() {
            continue;
        }
        // "IPv6 约束：…": the last value, then the next rule; "5_sbgp详情请参见…": the last value
        // glued to the next sentence (but "B等" leaves the list open).
        let head = item
            .split(|c: char| c.is_whitespace() || is_han(c))
            .next()
            .unwrap_or(item);
        // Only words that open a new sentence end a list glued to them ("12两个网段" is a
        // value's own words, "B等" an open list).
        let glued_rest = item[head.len()..].trim_start();
        // "MP4三种格式": the last value, then the count of the values, which must agree.
        if let Some(c) = COUNT_AFTER_VALUE.captures(glued_rest) {
            let last = TOKEN.captures(head)?;
            values.push(last[1].to_string());
            let n = c.get(1).and_then(|n| count_word(n.as_str()))?;
            return (n == values.len() && values.len() >= 2).then_some(values);
        }
        let head = if glued_rest.starts_with(is_han)
            && ![
                "详情", "具体", "更多", "请参", "参见", "未传", "未填", "不传", "不填", "默认",
                "缺省",
            ]
            .iter()
            .any(|w| glued_rest.starts_with(w))
        {
            item.split_whitespace().next().unwrap_or(item)
        } else {
            head
        };
        let after_comma = matches!(sep, "，" | ",");
        match TOKEN
            .captures(item)
            .or_else(|| VALUE_MEANING.captures(item))
        {
            Some(c) => values.push(c[1].to_string()),
            None if !values.is_empty() && head != item && TOKEN.is_match(head) => {
                if let Some(c) = TOKEN.captures(head) {
                    values.push(c[1].to_string());
                }
                break;
            }
            // "4、6，分别表示…": after a comma the list ends where the prose starts.
            None if after_comma && values.len() >= 2 => break,
            None => return None,
        }
    }
    (values.len() >= 2).then_some(values)
}

/// Whether an enumeration intro is the API Explorer's (`枚举值：`, `Enumeration values:`), whose
/// values stand side by side and whose one value is a closed list.
fn is_explorer_enum(intro: &str) -> bool {
    intro.starts_with("枚举值")
        || intro
            .get(..11)
            .is_some_and(|h| h.eq_ignore_ascii_case("enumeration"))
}

/// `tcp udp any`: whitespace-separated values up to the first word that is not one.
fn explorer_values(text: &str) -> Option<Vec<String>> {
    // `DSS（专属存储）`: a value's gloss in brackets is no part of it.
    let text = PAREN.replace_all(text, " ");
    let values: Vec<String> = text
        .split_whitespace()
        .map_while(|w| TOKEN.captures(w).map(|c| c[1].to_string()))
        .collect();
    (!values.is_empty()).then_some(values)
}

// Words saying a value is a number or a count, and words saying it is more than one number or
// text (see `Reading::one_number`): "299,400" lists numbers, "支持数字、字母" names characters.
static A_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)条数|记录数|条记录|个数|数量|整数|为数字|\bnumber of\b|\binteger\b|\bcount\b")
});
static BRACKETED_RANGE: LazyLock<Regex> =
    LazyLock::new(|| re(r"[\[（(]\s*\d+\s*[,，]\s*\d+\s*[\]）)]"));
static NOT_ONE_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)范围|多个|逗号|分隔|列表|区间|格式|连接|字母|字符|中文|名称|名字|描述|长度|\d\s*[,，、]\s*\d|\brange\b|\blist\b|separated|format|letters|characters|\bname\b|description|length",
    )
});

// Words saying a string holds several values joined by commas.
static COMMA_LIST: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)逗号(?:隔开|分隔|分割|间隔)|[以用][^。；]{0,6}逗号|comma[- ]separated|separated (?:by|with) commas?",
    )
});

// Words naming a string that holds one whole number ("整数字符串", and the pages' "整数字符传").
static INTEGER_STRING: LazyLock<Regex> = LazyLock::new(|| re(r"整数(?:型)?字符(?:串|传)"));

static CLAUSE_SEP: LazyLock<Regex> = LazyLock::new(|| re(r"[，,]"));
// A condition written after its rule governs the whole sentence (`取值1-100，仅type为x时有效`).
static BACKWARD: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)时(?:有效|生效)|仅[^。；]*有效|only valid|valid only|takes effect only")
});

/// Reads one sentence, splitting off the clauses a condition governs: clauses before the first
/// conditional clause are read as rules, the conditional rest becomes a note.
fn read_clauses(sentence: &str, reading: &mut Reading) {
    if !is_conditional(sentence) {
        read_sentence(sentence, false, reading);
        return;
    }
    if read_exception(sentence, reading) {
        return;
    }
    if BACKWARD.is_match(sentence) {
        read_sentence(sentence, true, reading);
        return;
    }
    let mut start = 0;
    for m in CLAUSE_SEP
        .find_iter(sentence)
        .map(|m| m.end())
        .chain([sentence.len()])
    {
        let clause = &sentence[start..m];
        if is_conditional(clause) {
            let before = sentence[..start].trim_end_matches(['，', ',', ' ']);
            if !before.is_empty() {
                read_sentence(before, false, reading);
            }
            read_sentence(&sentence[start..], true, reading);
            return;
        }
        start = m;
    }
    read_sentence(sentence, true, reading);
}

// A rule with its exception in closing brackets: "取值范围：1-100（当类型为x时为0-10）".
static EXCEPTION: LazyLock<Regex> =
    LazyLock::new(|| re(r"^(?P<main>[^（(]+)[（(](?P<exc>[^（）()]+)[）)]\s*$"));
// What an exception's condition leaves: the other range, bare ("为0-255", "取值0~10").
static EXCEPTION_RANGE: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"^\s*[，,]?\s*(?:取值范围|取值|范围)?\s*(?:为|是|:|：)?\s*{NUM}{TO}{NUM}\s*$"
    ))
});

/// "取值范围：1-100（当类型为x时为0-10）": the rule and its exception are every case there is,
/// so the value lies within both ranges together (0 to 100), the whole sentence its phrase.
/// `false` when the sentence is not of this shape.
fn read_exception(sentence: &str, reading: &mut Reading) -> bool {
    let Some(c) = EXCEPTION.captures(sentence) else {
        return false;
    };
    let (Some(main), Some(exc)) = (c.name("main"), c.name("exc")) else {
        return false;
    };
    let (main, exc) = (main.as_str(), exc.as_str());
    let Some(condition) = CONDITIONAL.find(exc) else {
        return false;
    };
    if is_conditional(main) {
        return false;
    }
    let Some(other) = EXCEPTION_RANGE.captures(&exc[condition.end()..]) else {
        return false;
    };
    let mut rule = Reading::default();
    read_sentence(main, false, &mut rule);
    let bound =
        |f: fn(&Constraint) -> Option<f64>| rule.found.iter().find_map(|g| f(&g.constraint));
    let lo = bound(|c| match c {
        Constraint::Minimum(n) => Some(*n),
        _ => None,
    });
    let hi = bound(|c| match c {
        Constraint::Maximum(n) => Some(*n),
        _ => None,
    });
    let (Some(lo), Some(hi), Some(lo2), Some(hi2)) = (lo, hi, num(&other, 1), num(&other, 2))
    else {
        return false;
    };
    if rule.found.len() != 2 || lo2 > hi2 {
        return false;
    }
    for constraint in [
        Constraint::Minimum(lo.min(lo2)),
        Constraint::Maximum(hi.max(hi2)),
    ] {
        reading.found.push(Found {
            constraint,
            phrase: sentence.trim().to_string(),
        });
    }
    true
}

// A range sentence naming the case it is for before its value word ("系统盘取值范围：40~1024",
// "数据盘取值范围：100~32768"); group 1 is the case.
static LABELLED_RANGE: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"^\s*(?:[-•]\s*)?(\p{{Han}}{{2,8}}?)的?(?:取值范围|取值|范围)\s*(?:为|是)?\s*[:：]?\s*{NUM}{UNIT}{TO}{NUM}{UNIT}\s*$"
    ))
});
// Case labels that advise rather than name a case ("建议取值范围：…").
static NOT_A_CASE: LazyLock<Regex> =
    LazyLock::new(|| re(r"建议|推荐|默认|缺省|常用|最佳|通常|一般"));

/// Ranges each labelled with the case it is for, one sentence each ("系统盘取值范围：40~1024。数据盘
/// 取值范围：100~32768"): whichever case applies, the value lies between the least lower and the
/// greatest upper bound (40 to 32768), so that span is the rule and each case stays a note. Two
/// cases at least, with different labels, each stating nothing but its two bounds; otherwise the
/// sentences stay as read (one case alone is the row's range).
fn read_labelled_ranges(labelled: &[(String, String, usize, usize)], reading: &mut Reading) {
    if labelled.len() < 2 {
        return;
    }
    let mut labels: Vec<&str> = labelled.iter().map(|(l, ..)| l.as_str()).collect();
    labels.sort_unstable();
    labels.dedup();
    if labels.len() != labelled.len() || labels.iter().any(|l| NOT_A_CASE.is_match(l)) {
        return;
    }
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    for (_, _, start, end) in labelled {
        match reading.found.get(*start..*end).map(|f| {
            f.iter()
                .map(|g| g.constraint.clone())
                .collect::<Vec<Constraint>>()
        }) {
            Some(case) => match case.as_slice() {
                [Constraint::Minimum(a), Constraint::Maximum(b)] => {
                    lo = lo.min(*a);
                    hi = hi.max(*b);
                }
                _ => return,
            },
            None => return,
        }
    }
    // The cases' own bounds leave the rules (last first, so the indices hold) for the notes.
    for (_, _, start, end) in labelled.iter().rev() {
        reading.found.drain(*start..*end);
    }
    reading
        .notes
        .extend(labelled.iter().map(|(_, s, ..)| s.trim().to_string()));
    let phrase = labelled
        .iter()
        .map(|(_, s, ..)| s.trim())
        .collect::<Vec<&str>>()
        .join(" / ");
    for constraint in [Constraint::Minimum(lo), Constraint::Maximum(hi)] {
        reading.found.push(Found {
            constraint,
            phrase: phrase.clone(),
        });
    }
}

// An intro to advice rather than rules ("建议密码复杂度如下：").
static ADVISORY: LazyLock<Regex> = LazyLock::new(|| re(r"^\s*建议[^。；]{0,30}?如下\s*[:：]?\s*$"));

// The number of entries a map holds at most: "键值对个数不超过20条", "最多10对", "up to 20
// key-value pairs".
static MAP_ENTRIES: LazyLock<Regex> = LazyLock::new(|| {
    re(concat!(
        r"(?i)(?:键值对|键值|标签)(?:的)?(?:个数|数量|数目|总数)?\s*(?:不超过|不能超过|不得超过|最多(?:为|支持|可)?|上限为?|小于等于|不大于|≤)\s*(\d+)\s*(?:个|条|对)?|",
        r"最多(?:支持|可以?|允许)?(?:添加|设置|配置)?\s*(\d+)\s*对|",
        r"\b(?:at most|up to|a maximum of|no more than)\s+(\d+)\s+(?:key-value pairs|pairs|entries)\b",
    ))
});

/// The most entries a map row allows, with its phrase: read from the row's own sentences,
/// never from a conditional one, and only when every sentence stating a count agrees.
pub fn map_entries(paragraphs: &[String]) -> Option<(u64, String)> {
    let mut found: Option<(u64, String)> = None;
    for sentence in paragraphs.iter().flat_map(|p| sentences(p)) {
        for c in MAP_ENTRIES.captures_iter(&sentence) {
            let n = (1..=3)
                .find_map(|i| c.get(i))?
                .as_str()
                .parse::<u64>()
                .ok()?;
            if is_conditional(&sentence) {
                return None;
            }
            let phrase = c.get(0)?.as_str().trim().to_string();
            match &found {
                Some((m, _)) if *m != n => return None,
                Some(_) => {}
                None => found = Some((n, phrase)),
            }
        }
    }
    found
}

// The decimal places of the row's numbers, a sentence of its own ("一位小数", never the
// "第一位小数" of a list of parts).
static DECIMAL_PLACES: LazyLock<Regex> =
    LazyLock::new(|| re(r"^\s*(?:保留|精确到)?\s*(\d+|[一两二三四五六七八九十])\s*位小数\s*$"));
// A paragraph that is one quoted example and nothing else (`"0.3:0.6"`).
static QUOTED_EXAMPLE: LazyLock<Regex> = LazyLock::new(|| re(r#"^\s*["“]([^"“”]+)["”]\s*$"#));
static DECIMAL: LazyLock<Regex> = LazyLock::new(|| re(r"^\d+(?:\.\d+)?$"));

/// A quoted example that is two numbers or more joined by one separator (`"0.3:0.6"`): the
/// numbers, the separator and the example.
fn number_list_example(paragraph: &str) -> Option<(Vec<String>, char, String)> {
    let example = QUOTED_EXAMPLE.captures(paragraph)?.get(1)?.as_str().trim();
    let sep = example.chars().find(|c| !c.is_ascii_digit() && *c != '.')?;
    if !matches!(sep, ':' | '/' | '|' | ';') {
        return None;
    }
    let parts: Vec<String> = example.split(sep).map(|p| p.trim().to_string()).collect();
    (parts.len() >= 2 && parts.iter().all(|p| DECIMAL.is_match(p)))
        .then(|| (parts, sep, example.to_string()))
}

/// Reads every constraint stated in a row's paragraphs.
pub fn read(paragraphs: &[String]) -> Reading {
    let mut reading = Reading {
        number_named: paragraphs.iter().any(|p| A_NUMBER.is_match(p)),
        not_one_number: paragraphs.iter().any(|p| {
            // The value range itself (`取值范围[1, 100]`) is no list of numbers.
            let rest = p.replace("取值范围", "");
            // "整数字符串" names a string holding one number, not characters.
            let rest = INTEGER_STRING.replace_all(&rest, "");
            NOT_ONE_NUMBER.is_match(&BRACKETED_RANGE.replace_all(&rest, ""))
        }),
        ..Reading::default()
    };
    reading.number_list_example = paragraphs.iter().find_map(|p| number_list_example(p));
    reading.comma_list = paragraphs.iter().any(|p| COMMA_LIST.is_match(p));
    reading.decimals = paragraphs.iter().flat_map(|p| sentences(p)).find_map(|s| {
        let c = DECIMAL_PLACES.captures(&s)?;
        let n = u32::try_from(count_word(c.get(1)?.as_str())?).ok()?;
        Some((n, s.trim().to_string()))
    });
    // A value list opened by an intro sentence: (intro, conditional, values, explorer style).
    let mut list: Option<(String, bool, Vec<String>, bool)> = None;
    // (value, phrase) of each sentence naming one value and what it means.
    let mut per_sentence: Vec<(String, String)> = Vec::new();
    // (label, sentence, first and past-last index in `reading.found`) of each range sentence
    // naming its case ("系统盘取值范围：40~1024").
    let mut labelled: Vec<(String, String, usize, usize)> = Vec::new();
    // After "建议密码复杂度如下：" on a value sized in KB (user data), the row advises on something
    // inside the value (a password in the script): what follows is a note, never the field's
    // rule. On a short value (the password itself) the advice is its rule.
    let holds_content = paragraphs.iter().any(|p| MAX_SIZE.is_match(p));
    let mut advisory = false;
    for paragraph in paragraphs {
        let before = reading.found.len();
        // A value line's own paragraph may go on with more sentences about that value.
        let mut value_paragraph = false;
        // After an example in a value's paragraph ("如：1.jpg, 1.txt;2.jpg,2.txt。") the rest of
        // the paragraph is the example, never the next value.
        let mut in_example = false;
        for sentence in sentences(paragraph) {
            if holds_content && (advisory || ADVISORY.is_match(&sentence)) {
                advisory = true;
                read_sentence(&sentence, true, &mut reading);
                continue;
            }
            // "取值范围：" then "1～2147483647" on a line of its own: the intro's range.
            if list
                .as_ref()
                .is_some_and(|(_, _, values, _)| values.is_empty())
                && BARE_RANGE.is_match(&sentence)
            {
                if let Some((intro, conditional, _, _)) = list.take() {
                    let joined = format!("{intro}{sentence}");
                    if conditional {
                        read_sentence(&joined, true, &mut reading);
                    } else {
                        read_clauses(&joined, &mut reading);
                    }
                    continue;
                }
            }
            if let (Some(_), true, true) = (list.as_ref(), value_paragraph, in_example) {
                read_clauses(&sentence, &mut reading);
                continue;
            }
            in_example = value_paragraph && EXAMPLE_WORD.is_match(&sentence);
            if let Some((_, _, values, _)) = list.as_mut() {
                // "true或block (执行删除流程…)": one line naming two spellings of one value.
                if let Some(c) = TWO_SPELLINGS_LINE.captures(&sentence) {
                    values.extend([c[1].to_string(), c[2].to_string()]);
                    value_paragraph = true;
                    continue;
                }
                if let Some(c) = VALUE_LINE.captures(&sentence) {
                    values.push(c[1].to_string());
                    let end = c.get(0).map_or(sentence.len(), |m| m.end());
                    values.extend(glued_values(&sentence[end..]));
                    value_paragraph = true;
                    // "false（默认值）：…": the value line names the default.
                    if let Some(m) = VALUE_IS_DEFAULT.find(&sentence) {
                        reading.found.push(Found {
                            constraint: Constraint::Default(c[1].to_string()),
                            phrase: m.as_str().to_string(),
                        });
                    }
                    continue;
                }
                // "空字符串（""）：…": the empty string is one of the values.
                if EMPTY_VALUE_LINE.is_match(&sentence) {
                    values.push(String::new());
                    value_paragraph = true;
                    continue;
                }
                if value_paragraph {
                    read_clauses(&sentence, &mut reading);
                    continue;
                }
                close_list(list.take(), &mut reading);
            }
            let conditional = is_conditional(&sentence);
            if let Some(m) = ENUM_INTRO.find(&sentence) {
                list = Some((
                    sentence.clone(),
                    conditional,
                    Vec::new(),
                    is_explorer_enum(m.as_str()),
                ));
                // The intro's own words before the list may state more (a default, a range).
                let before = sentence[..m.start()].trim();
                if !before.is_empty() {
                    read_sentence(before, conditional, &mut reading);
                }
                continue;
            }
            // "取值如下：queued：表示…": the first value follows the intro in the same sentence.
            if let Some((first, end)) = inline_first_value(&sentence) {
                let mut values = vec![first];
                values.extend(glued_values(&sentence[end..]));
                list = Some((sentence.clone(), conditional, values, false));
                // The sentences after it in this paragraph describe the values.
                value_paragraph = true;
                continue;
            }
            if let Some(c) = VALUE_SENTENCE.captures(&sentence) {
                if let Some(m) = c.get(0) {
                    per_sentence.push((c[1].to_string(), m.as_str().to_string()));
                }
            }
            read_clauses(&sentence, &mut reading);
        }
        // The case's label is cut off its range as a sentence of its own ("系统盘" "取值范围：…"),
        // so the paragraph is where the two are seen together.
        let case = paragraph.trim().trim_end_matches(['。', '；', ';']);
        if let Some(c) = LABELLED_RANGE.captures(case) {
            labelled.push((
                c[1].to_string(),
                case.to_string(),
                before,
                reading.found.len(),
            ));
        }
    }
    close_list(list, &mut reading);
    read_labelled_ranges(&labelled, &mut reading);
    read_value_lines(paragraphs, &mut reading);
    read_value_sentences(&per_sentence, &mut reading);
    read_agreeing_cases(&mut reading);
    read_case_values(&mut reading);
    // "连接状态不区分大小写": the values listed are spellings of more (`active` is `ACTIVE`), so
    // an enum of them would refuse correct values; the list stays a note.
    if paragraphs.iter().any(|p| CASE_INSENSITIVE.is_match(p)) {
        let (lists, rest): (Vec<Found>, Vec<Found>) = std::mem::take(&mut reading.found)
            .into_iter()
            .partition(|f| matches!(f.constraint, Constraint::Enum(_)));
        reading.found = rest;
        reading.notes.extend(lists.into_iter().map(|f| f.phrase));
    }
    // "value不能为空，可以为空字符串": present but possibly empty, so no least length.
    if paragraphs.iter().any(|p| EMPTY_STRING_ALLOWED.is_match(p)) {
        reading.found.retain(|f| {
            !(f.constraint == Constraint::MinLength(1) && NOT_EMPTY.is_match(&f.phrase))
        });
    }
    // "正整数，取值范围：10-100": the stated bound is the rule, the sign word says less.
    let numbered = reading.found.iter().any(|f| {
        matches!(
            f.constraint,
            Constraint::Minimum(_) | Constraint::ExclusiveMinimum(_)
        ) && !SIGN_WORD.is_match(&f.phrase)
    });
    if numbered {
        reading.found.retain(|f| {
            !(matches!(f.constraint, Constraint::Minimum(_)) && SIGN_WORD.is_match(&f.phrase))
        });
    }
    reading
}

// Words opening an example ("如：", "例如", "e.g."): what follows shows a value, names none.
static EXAMPLE_WORD: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)(?:^|[。，,\s\p{Han}])(?:例如|比如|如)\s*[:：]|\be\.g\.|for example")
});

// A paragraph naming one value and what it means, without an intro word before the list:
// `jar：用户jar文件。`, `1 : 使用VPC通道`.
static MEANING_LINE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r#"^\s*(?:[•*]|-\s)?\s*(?:[“"'](_*[A-Za-z0-9][A-Za-z0-9_.\-]*)[”"']|(-?_*[A-Za-z0-9][A-Za-z0-9_.\-]*))\s*[：:]\s*[^\s/]"#,
    )
});
// Words making such a list something else than the field's values: fields of a value that is
// a structure (`包含如下字段`), parts of a format (`格式为：`, `格式的`), examples, or values
// written elsewhere. A format named as a noun (`视频编码格式`, `录制格式`) is what the values
// are, no layout of them.
static NOT_VALUE_LINES: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)如下|以下|格式\s*(?:为|是|如下|要求|[:：])|格式的|示例|样例|例如|比如|参见|参考|请见|详见|字段|开头|结尾|\bformat\b|\bexamples?\b|\bsee\b|\bfields?\b",
    )
});
// An ASCII value and a full-width colon right after Chinese text: the next value line, glued.
static GLUED_NOTE: LazyLock<Regex> = LazyLock::new(|| re(r"约束|说明|注意|须知|枚举值|如下"));
static GLUED_VALUE_LINE: LazyLock<Regex> =
    LazyLock::new(|| re(r"[\p{Han}。）)][A-Za-z][A-Za-z0-9_\-]*："));
// A condition on leaving the field out ("如果不填写则查询所有录制类型"): it says what omission
// means, not when the values listed hold.
// A condition on when the field is required ("scaling_policy_type为RECURRENCE时该项必选") says
// when to send it, not which values hold either.
static OMISSION: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?:如果|若|假如)?(?:不填写?|不传入?|未填写?|未传入?|不指定|未指定|不设置|未设置|不配置|未配置)(?:该参数|此参数|该字段)?\s*(?:时|则|的话)|[^，。；]*时(?:该项|该参数|此参数|该字段)?(?:必选|必填|必须填写|必须指定)",
    )
});
// Words in a value's own meaning making the value a kind of something else (`OBS：以“obs://”
// 开头`: a path starting so; `userLV：…示例格式：vgpaas/20%VG`: a part of a format).
static NOT_A_VALUE_MEANING: LazyLock<Regex> = LazyLock::new(|| {
    // A meaning about configuring the field itself (`Qiniu：无需配置此项`): the line names a case
    // of another field, not a value of this one.
    re(
        r"(?i)开头|结尾|格式|\bformat\b|\bstarts? with\b|(?:配置|填写|设置|指定)(?:此|该|本)(?:项|参数|字段)",
    )
});
// The words closing a description that introduce the values listed next ("作业的状态如下：").
// "当前支持类型如下" may end without its colon; "可以是以下权限中的一种或多种。" names the lines
// after it as the values to pick from.
static VALUES_AS_FOLLOWS: LazyLock<Regex> = LazyLock::new(|| {
    re(concat!(
        r"(?:状态|类型|模式|方式|级别|取值|值)(?:如下|有以下几种)\s*[:：]?\s*$|",
        r"(?:可以是|可为|为|是)以下\p{Han}{0,8}?中的(?:一种或多种|一个或多个|一种|一个)\s*[。:：]?\s*$",
    ))
});
// A paragraph opening with a quoted word and a colon: a value line, whatever the value.
static QUOTED_LINE: LazyLock<Regex> = LazyLock::new(|| re(r#"^\s*[“"'‘][^”"'’]+[”"'’]\s*[：:]"#));
// A note's label opening a paragraph: what follows is about the note.
static NOTE_LABEL: LazyLock<Regex> = LazyLock::new(|| re(r"^\s*(?:说明|注意|须知|约束)\s*[:：]"));

/// A row that gives one paragraph per value with its meaning (`jar：用户jar文件。` `file：用户
/// 文件。`), alone or after its description (`分组资源文件的类型。`): the paragraphs name the
/// field's values. Read only where the row states no values otherwise, the value lines run
/// together (prose may follow them, never sit among them), two values at least, the
/// description is no condition and no note, and no words make the lines something else
/// (fields of a structure, parts of a format, examples, a reference to where the values are
/// listed, how a value starts).
fn read_value_lines(paragraphs: &[String], reading: &mut Reading) {
    // "Daily：每天执行一次Weekly：每周…": value lines the conversion ran together.
    let split: Vec<String> = paragraphs
        .iter()
        .flat_map(|p| {
            let mut lines = Vec::new();
            let mut from = 0;
            for m in GLUED_VALUE_LINE.find_iter(p) {
                // The match starts with the Chinese character ending the previous line.
                let cut = m.start() + p[m.start()..].chars().next().map_or(0, char::len_utf8);
                lines.push(p[from..cut].to_string());
                from = cut;
            }
            lines.push(p[from..].to_string());
            // Only a paragraph of nothing but value lines: one holding a note or another
            // list ("约束：…枚举值如下：") is read as it stands.
            let only_values = lines.len() > 1
                && lines.iter().all(|l| MEANING_LINE.is_match(l))
                && !GLUED_NOTE.is_match(p);
            if only_values {
                lines
            } else {
                vec![p.clone()]
            }
        })
        .collect();
    let paragraphs = split.as_slice();
    let stated = reading.found.iter().any(|f| {
        matches!(
            f.constraint,
            Constraint::Enum(_) | Constraint::Pattern(_) | Constraint::Format(_)
        )
    });
    let Some(first_line) = paragraphs.iter().position(|p| meaning_value(p).is_some()) else {
        return;
    };
    let (description, rest) = paragraphs.split_at(first_line);
    if stated {
        return;
    }
    // A quoted value the lines cannot read (`“2:obsDir”：保存`) before the readable ones: the
    // list would miss it.
    if description.iter().any(|p| QUOTED_LINE.is_match(p)) {
        return;
    }
    for (i, p) in description.iter().enumerate() {
        // The description's last words may introduce the list ("作业的状态如下：").
        let words = if i + 1 == description.len() {
            VALUES_AS_FOLLOWS.replace(p, "").into_owned()
        } else {
            p.clone()
        };
        if NOT_VALUE_LINES.is_match(&words)
            || is_conditional(&OMISSION.replace_all(p, ""))
            || NOTE_LABEL.is_match(p)
        {
            return;
        }
    }
    let mut values: Vec<String> = Vec::new();
    let mut lines: Vec<&str> = Vec::new();
    let mut closed = false;
    // Inside a note among the value lines (`说明：` after one value, about that value).
    let mut in_note = false;
    for (i, p) in rest.iter().enumerate() {
        // A note under one value ("ReadWriteOnce：…" "说明：" "…时，才支持此功能。"
        // "ReadOnlyMany：…"): the list goes on after it. Its words may not point elsewhere.
        if NOTE_LABEL.is_match(p) && !values.is_empty() && !closed {
            if NOT_VALUE_LINES.is_match(p) && !points_to_labels(p, &rest[i + 1..]) {
                return;
            }
            in_note = true;
            continue;
        }
        if in_note && meaning_value(p).is_none() {
            if NOT_VALUE_LINES.is_match(p) && !points_to_labels(p, &rest[i + 1..]) {
                return;
            }
            continue;
        }
        in_note = false;
        match meaning_value(p) {
            // A value line after prose that closed the list: two lists, or values of another.
            Some(_) if closed => return,
            Some(value) => {
                if values.contains(&value) || NOT_A_VALUE_MEANING.is_match(p) {
                    return;
                }
                values.push(value);
                lines.push(p.trim());
            }
            // Prose after the list (a default, a note) may not point elsewhere either.
            None if NOT_VALUE_LINES.is_match(p) => return,
            None => closed = true,
        }
    }
    if values.len() < 2 {
        return;
    }
    let phrase = lines.join(" ");
    reading.unread.retain(|u| {
        !lines
            .iter()
            .any(|l| l.starts_with(u.as_str()) || u.starts_with(l))
    });
    reading.found.push(Found {
        constraint: Constraint::Enum(values),
        phrase,
    });
}

// A value line naming the empty value (`空值：可用`).
static EMPTY_MEANING_LINE: LazyLock<Regex> =
    LazyLock::new(|| re(r"^\s*(?:[•*]|-\s)?\s*(?:空值|空字符串|空串)\s*[：:]\s*[^\s/]"));
// A line labelled with Chinese words (`扩缩状态：见统计信息`): never a value of the field.
static HAN_LABEL_LINE: LazyLock<Regex> =
    LazyLock::new(|| re(r"^\s*(?:[•*]|-\s)?\s*\p{Han}[^：:]{0,20}[：:]"));
// What a note may point to without pointing at other values: "如下", "以下".
static AS_FOLLOWS: LazyLock<Regex> = LazyLock::new(|| re(r"如下|以下"));

/// The value a value line names (`jar：…` is `jar`, `空值：…` the empty string).
fn meaning_value(p: &str) -> Option<String> {
    if EMPTY_MEANING_LINE.is_match(p) {
        return Some(String::new());
    }
    let c = MEANING_LINE.captures(p)?;
    c.get(1).or(c.get(2)).map(|m| m.as_str().to_string())
}

/// Whether a note's words among value lines point ("替代方式如下：") only to lines labelled in
/// Chinese (other ways, other fields), one at least, before the value lines go on: it names no
/// other values, so the list is whole around it.
fn points_to_labels(note: &str, after: &[String]) -> bool {
    if NOT_VALUE_LINES
        .find_iter(note)
        .any(|m| !AS_FOLLOWS.is_match(m.as_str()))
    {
        return false;
    }
    let labels = after
        .iter()
        .take_while(|p| meaning_value(p).is_none())
        .collect::<Vec<_>>();
    !labels.is_empty() && labels.iter().all(|p| HAN_LABEL_LINE.is_match(p))
}

/// Conditional sentences that each state a case ("单个创建时，长度为4到64。批量创建时，长度为4到
/// 56"): a constraint every case states alike holds whichever case applies, so it is a rule
/// (`minLength` 4 here); where the cases differ they stay notes. Two cases at least, and each
/// must state something: a case that states nothing (`取值为空`) agrees with none.
fn read_agreeing_cases(reading: &mut Reading) {
    // One case written twice (a description and a constraints column) is still one case.
    let mut notes: Vec<&String> = Vec::new();
    for note in &reading.notes {
        if !notes.contains(&note) {
            notes.push(note);
        }
    }
    if notes.len() < 2 {
        return;
    }
    let cases: Vec<Vec<Found>> = notes
        .iter()
        .map(|note| {
            let mut scratch = Reading::default();
            read_sentence(note, false, &mut scratch);
            scratch.found
        })
        .collect();
    let Some((first, rest)) = cases.split_first() else {
        return;
    };
    if rest.iter().any(Vec::is_empty) {
        return;
    }
    for f in first {
        let key = f.constraint.keyword();
        let shared = rest
            .iter()
            .all(|case| case.iter().any(|g| g.constraint == f.constraint));
        let stated = reading.found.iter().any(|g| g.constraint.keyword() == key);
        if shared && !stated {
            let phrases: Vec<&str> = cases
                .iter()
                .filter_map(|case| case.iter().find(|g| g.constraint == f.constraint))
                .map(|g| g.phrase.as_str())
                .collect();
            reading.found.push(Found {
                constraint: f.constraint.clone(),
                phrase: phrases.join(" / "),
            });
        }
    }
}

// One case naming its one value: "重启a节点时，取值为“a”".
static CASE_VALUE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r#"时\s*[，,]\s*(?:该参数|该字段)?(?:取值为|取值是|值为|填写|传)\s*[“"']?([A-Za-z0-9][A-Za-z0-9_.\-]*)[”"']?\s*$"#,
    )
});

/// Conditional sentences each naming the one value of its case ("重启a时，取值为“a”。重启b时，取值
/// 为“b”"): whichever case applies, the value is one of those named, so they are the field's
/// values. Every note of the row must be such a case, and no values be stated otherwise.
fn read_case_values(reading: &mut Reading) {
    if reading
        .found
        .iter()
        .any(|f| matches!(f.constraint, Constraint::Enum(_)))
    {
        return;
    }
    let mut values: Vec<String> = Vec::new();
    let mut phrases: Vec<&str> = Vec::new();
    for note in &reading.notes {
        let Some(c) = CASE_VALUE.captures(note) else {
            return;
        };
        if !values.iter().any(|v| *v == c[1]) {
            values.push(c[1].to_string());
            phrases.push(note);
        }
    }
    if values.len() >= 2 {
        let phrase = phrases.join(" / ");
        reading.found.push(Found {
            constraint: Constraint::Enum(values),
            phrase,
        });
    }
}

static UUID_WORD: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)^uuid$"));
const UUID_PATTERN: &str =
    "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}";

/// Values a row names one sentence each ("取值为0，表示…。取值为UUID，表示…"): together they are
/// the field's values, an enum, or a pattern when one of them is a UUID. Another format word
/// (IPv4, CIDR) has no exact pattern here, so such a row stays unread.
fn read_value_sentences(per_sentence: &[(String, String)], reading: &mut Reading) {
    let mut values: Vec<&str> = per_sentence.iter().map(|(v, _)| v.as_str()).collect();
    values.dedup();
    // One word named with its meaning ("取值为create_at，表示添加时间") is the field's one
    // value, unless the row states values or bounds otherwise; a number so named is more
    // often a special case of a range ("取值为0，表示不限制"), so it stays unread.
    if let [one] = values.as_slice() {
        let states_more = reading.found.iter().any(|f| {
            matches!(
                f.constraint,
                Constraint::Enum(_)
                    | Constraint::Minimum(_)
                    | Constraint::Maximum(_)
                    | Constraint::ExclusiveMinimum(_)
                    | Constraint::ExclusiveMaximum(_)
                    | Constraint::Pattern(_)
            )
        }) || reading.notes.iter().any(|n| !n.contains(one));
        let word = one.starts_with(|c: char| c.is_ascii_alphabetic());
        let phrase = per_sentence.first().map(|(_, p)| p.clone());
        if let (true, false, false, Some(phrase)) =
            (word, states_more, FORMAT_WORD.is_match(one), phrase)
        {
            reading.unread.retain(|u| !u.starts_with(&phrase));
            reading.found.push(Found {
                constraint: Constraint::Enum(vec![one.to_string()]),
                phrase,
            });
        }
        return;
    }
    if values.len() < 2 {
        return;
    }
    let uuid = values.iter().any(|v| UUID_WORD.is_match(v));
    if values
        .iter()
        .any(|v| FORMAT_WORD.is_match(v) && !UUID_WORD.is_match(v))
    {
        return;
    }
    let constraint = if uuid {
        let literals: Vec<String> = values
            .iter()
            .filter(|v| !UUID_WORD.is_match(v))
            .map(|v| regex::escape(v))
            .chain([UUID_PATTERN.to_string()])
            .collect();
        Constraint::Pattern(format!("^(?:{})$", literals.join("|")))
    } else {
        Constraint::Enum(values.iter().map(|v| v.to_string()).collect())
    };
    // The sentences are read now: none of them is left unread.
    let sentences: Vec<&str> = per_sentence.iter().map(|(_, s)| s.as_str()).collect();
    reading
        .unread
        .retain(|u| !sentences.iter().any(|s| u.starts_with(s)));
    reading.found.push(Found {
        constraint,
        phrase: sentences.join(" "),
    });
}

static INTRO_THEN_VALUE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r#"(?:取值如下|取值范围如下|取值范围|取值有|取值为|取值|枚举值)\s*[:：]\s*[“"]?([A-Za-z0-9][A-Za-z0-9_.\-/]*)[”"]?\s*[：:]"#,
    )
});

/// The first value after an intro in the same sentence, and where its match ends.
fn inline_first_value(sentence: &str) -> Option<(String, usize)> {
    let c = INTRO_THEN_VALUE.captures(sentence)?;
    Some((c[1].to_string(), c.get(0)?.end()))
}

fn close_list(list: Option<(String, bool, Vec<String>, bool)>, reading: &mut Reading) {
    let Some((intro, conditional, mut values, explorer)) = list else {
        return;
    };
    values.dedup();
    // One value in prose is more likely a note than a closed list; the API Explorer's
    // `枚举值` line is explicit even with a single value.
    let enough = if explorer {
        !values.is_empty()
    } else {
        values.len() >= 2
    };
    let phrase = if values.is_empty() {
        intro.clone()
    } else {
        format!("{intro} {}", values.join(" "))
    };
    if !enough {
        reading.unread.push(phrase);
    } else if conditional {
        if !is_conditional(&NOT_EMPTY_CASE.replace_all(&intro, "")) {
            reading.non_empty_lists.push(Found {
                constraint: Constraint::Enum(values),
                phrase: phrase.clone(),
            });
        }
        reading.notes.push(phrase);
    } else {
        reading.found.push(Found {
            constraint: Constraint::Enum(values),
            phrase,
        });
    }
}

// The case of a value that is not empty ("不为空时…"): the only condition of a list that still
// binds every item of a list field.
static NOT_EMPTY_CASE: LazyLock<Regex> = LazyLock::new(|| re(r"(?:不为空|非空)时"));

/// Reads the constraints one sentence states.
fn read_sentence(sentence: &str, conditional: bool, reading: &mut Reading) {
    if conditional {
        if is_constraint_like(sentence) {
            reading.notes.push(sentence.to_string());
        }
        return;
    }
    let mut found: Vec<Found> = Vec::new();
    let mut push = |constraint: Constraint, phrase: &str| {
        found.push(Found {
            constraint,
            phrase: phrase.trim().to_string(),
        });
    };
    // Lengths first: a range followed by a unit of characters or bytes is a length, not a value.
    let mut length_spans: Vec<(usize, usize)> = Vec::new();
    for c in ARRAY_LENGTH
        .captures_iter(sentence)
        .chain(ITEMS_RANGE.captures_iter(sentence))
    {
        if let (Some(lo), Some(hi), Some(m)) = (int(&c, 1), int(&c, 2), c.get(0)) {
            if lo <= hi {
                push(Constraint::MinItems(lo), m.as_str());
                push(Constraint::MaxItems(hi), m.as_str());
                length_spans.push((m.start(), m.end()));
            }
        }
    }
    for c in ARRAY_MAX.captures_iter(sentence) {
        if let (Some(n), Some(m)) = (int(&c, 1), c.get(0)) {
            push(Constraint::MaxItems(n), m.as_str());
            length_spans.push((m.start(), m.end()));
        }
    }
    for c in LENGTH_BETWEEN.captures_iter(sentence) {
        let (Some(lo), Some(hi), Some(m)) = (int(&c, 2), int(&c, 4), c.get(0)) else {
            continue;
        };
        let strict = |g: usize| {
            c.get(g)
                .is_some_and(|w| matches!(w.as_str(), "大于" | "小于"))
        };
        let lo = if strict(1) { lo + 1 } else { lo };
        let Some(hi) = (if strict(3) {
            hi.checked_sub(1)
        } else {
            Some(hi)
        }) else {
            continue;
        };
        if lo > hi {
            continue;
        }
        if c.get(5).is_some_and(|u| u.as_str() == "字节") {
            // Bytes bound characters only from below by one (a character takes 1 to 4).
            if lo >= 1 {
                push(Constraint::MinLength(1), m.as_str());
            }
            push(Constraint::MaxBytes(hi), m.as_str());
        } else {
            if lo > 0 {
                push(Constraint::MinLength(lo), m.as_str());
            }
            push(Constraint::MaxLength(hi), m.as_str());
        }
        length_spans.push((m.start(), m.end()));
    }
    for c in LENGTH_SHORTEST.captures_iter(sentence) {
        if let (Some(lo), Some(hi), Some(m)) = (int(&c, 1), int(&c, 2), c.get(0)) {
            if lo <= hi && !overlaps(&length_spans, m.start(), m.end()) {
                if is_bytes(c.get(3).map(|u| u.as_str())) {
                    // Bytes bound characters only from below by one.
                    if lo >= 1 {
                        push(Constraint::MinLength(1), m.as_str());
                    }
                    push(Constraint::MaxBytes(hi), m.as_str());
                } else {
                    push(Constraint::MinLength(lo), m.as_str());
                    push(Constraint::MaxLength(hi), m.as_str());
                }
                length_spans.push((m.start(), m.end()));
            }
        }
    }
    for c in LENGTH_BELOW.captures_iter(sentence) {
        let (Some(n), Some(m)) = (int(&c, 2), c.get(0)) else {
            continue;
        };
        let strict = c.get(1).is_some_and(|w| w.as_str() == "小于");
        let Some(n) = (if strict { n.checked_sub(1) } else { Some(n) }) else {
            continue;
        };
        if !overlaps(&length_spans, m.start(), m.end()) {
            if is_bytes(c.get(3).map(|u| u.as_str())) {
                push(Constraint::MaxBytes(n), m.as_str());
            } else {
                push(Constraint::MaxLength(n), m.as_str());
            }
            length_spans.push((m.start(), m.end()));
        }
    }
    for c in BYTE_RANGE.captures_iter(sentence) {
        if let (Some(lo), Some(hi), Some(m)) = (int(&c, 1), int(&c, 2), c.get(0)) {
            if lo <= 1 && lo <= hi {
                if lo == 1 {
                    push(Constraint::MinLength(1), m.as_str());
                }
                push(Constraint::MaxBytes(hi), m.as_str());
                length_spans.push((m.start(), m.end()));
            }
        }
    }
    // Character spans in their three wordings (`a-b个字符`, `字符数a到b`, `[a, b]`), in that
    // order: a span an earlier wording read is not read again.
    let pair = |c: &regex::Captures<'_>, a: usize, b: usize| Some((int(c, a)?, int(c, b)?));
    let char_spans: Vec<(u64, u64, regex::Match<'_>)> = CHAR_RANGE
        .captures_iter(sentence)
        .filter_map(|c| Some((pair(&c, 1, 2)?, c.get(0)?)))
        .chain(
            CHAR_COUNT_RANGE
                .captures_iter(sentence)
                .filter_map(|c| Some((pair(&c, 1, 2).or_else(|| pair(&c, 3, 4))?, c.get(0)?))),
        )
        .chain(
            LENGTH_BRACKETED
                .captures_iter(sentence)
                .filter_map(|c| Some((pair(&c, 1, 2)?, c.get(0)?))),
        )
        .map(|((lo, hi), m)| (lo, hi, m))
        .collect();
    for (lo, hi, m) in char_spans {
        if lo <= hi && !overlaps(&length_spans, m.start(), m.end()) {
            if lo > 0 {
                push(Constraint::MinLength(lo), m.as_str());
            }
            push(Constraint::MaxLength(hi), m.as_str());
            length_spans.push((m.start(), m.end()));
        }
    }
    for c in LENGTH_RANGE.captures_iter(sentence) {
        if let (Some(lo), Some(hi), Some(m)) = (int(&c, 1), int(&c, 2), c.get(0)) {
            if lo <= hi && !overlaps(&length_spans, m.start(), m.end()) {
                if is_bytes(c.get(3).map(|u| u.as_str())) {
                    if lo == 1 {
                        push(Constraint::MinLength(1), m.as_str());
                    }
                    push(Constraint::MaxBytes(hi), m.as_str());
                } else {
                    if lo > 0 {
                        push(Constraint::MinLength(lo), m.as_str());
                    }
                    push(Constraint::MaxLength(hi), m.as_str());
                }
                length_spans.push((m.start(), m.end()));
            }
        }
    }
    for c in EXACT_LENGTH.captures_iter(sentence) {
        let after = c.get(0).map_or("", |m| sentence[m.end()..].trim_start());
        let range_follows = after.starts_with(['-', '－', '~', '～', '到', '至', '.', '字']);
        if let (None, false, Some(n), Some(m)) = (c.get(1), range_follows, int(&c, 2), c.get(0)) {
            if !overlaps(&length_spans, m.start(), m.end()) {
                push(Constraint::MinLength(n), m.as_str());
                push(Constraint::MaxLength(n), m.as_str());
                length_spans.push((m.start(), m.end()));
            }
        }
    }
    for c in MAX_BYTES.captures_iter(sentence) {
        if let (Some(n), Some(m)) = (int(&c, 1), c.get(0)) {
            if !overlaps(&length_spans, m.start(), m.end()) {
                push(Constraint::MaxBytes(n), m.as_str());
                length_spans.push((m.start(), m.end()));
            }
        }
    }
    // A size of the content before encoding (the value holds its base64) or of a file the
    // value names ("文件大小最大支持100MB") bounds something else: unread.
    let other_content = SIZE_OF_ANOTHER.is_match(sentence);
    for c in MAX_SIZE.captures_iter(sentence) {
        let (Some(n), Some(unit), Some(m)) = (int(&c, 1), c.get(2), c.get(0)) else {
            continue;
        };
        if other_content {
            // The span still keeps the number from being read as a length of characters.
            length_spans.push((m.start(), m.end()));
            continue;
        }
        let scale: u64 = if unit.as_str().to_ascii_uppercase().starts_with('M') {
            1024 * 1024
        } else {
            1024
        };
        if let (Some(n), false) = (
            n.checked_mul(scale),
            overlaps(&length_spans, m.start(), m.end()),
        ) {
            // The phrase ends at the unit, not at the character after it.
            push(Constraint::MaxBytes(n), &sentence[m.start()..unit.end()]);
            length_spans.push((m.start(), m.end()));
        }
    }
    for c in BYTES_ALONE.captures_iter(sentence) {
        if let (Some(n), Some(m)) = (int(&c, 1), c.get(0)) {
            if !overlaps(&length_spans, m.start(), m.end()) {
                push(Constraint::MaxBytes(n), m.as_str());
                length_spans.push((m.start(), m.end()));
            }
        }
    }
    for c in MAX_LENGTH_LINE.captures_iter(sentence) {
        if let (Some(n), Some(m)) = (int(&c, 1), c.get(0)) {
            if !overlaps(&length_spans, m.start(), m.end()) {
                push(Constraint::MaxLength(n), m.as_str());
                length_spans.push((m.start(), m.end()));
            }
        }
    }
    for c in MAX_CHARS.captures_iter(sentence) {
        if let (Some(n), Some(m)) = (int(&c, 1), c.get(0)) {
            // "最大为255" without a unit and without 长度 is a value bound, read below.
            let about_length = c.get(2).is_some()
                || m.as_str().contains("长度")
                || m.as_str().to_lowercase().contains("length");
            // "长度为32或36", "长度为8以上": the number opens an alternative, a range or a lower
            // bound, so it is no limit.
            let after = sentence[m.end()..].trim_start();
            let goes_on = after.starts_with(['-', '－', '~', '～', '到', '至', '.', '或', '、', '/'])
                || after.starts_with("以上")
                || after.starts_with("及以上")
                // "最小长度：1": the length word of a lower bound, read below.
                || sentence[..m.start()].ends_with(['小', '少']);
            if about_length && n > 0 && !goes_on && !overlaps(&length_spans, m.start(), m.end()) {
                push(Constraint::MaxLength(n), m.as_str());
                length_spans.push((m.start(), m.end()));
            }
        }
    }
    for c in MIN_LENGTH_LINE
        .captures_iter(sentence)
        .chain(MIN_CHARS.captures_iter(sentence))
    {
        if let (Some(n), Some(m)) = (int(&c, 1), c.get(0)) {
            if !overlaps(&length_spans, m.start(), m.end()) {
                push(Constraint::MinLength(n), m.as_str());
                length_spans.push((m.start(), m.end()));
            }
        }
    }
    if let Some(m) = NOT_EMPTY.find(sentence) {
        push(Constraint::MinLength(1), m.as_str());
    }
    for c in MIN_ITEMS.captures_iter(sentence) {
        let n = int(&c, 1).or_else(|| int(&c, 2));
        if let (Some(n), Some(m), None) = (n, c.get(0), c.get(3)) {
            if !overlaps(&length_spans, m.start(), m.end()) {
                push(Constraint::MinItems(n), m.as_str());
                length_spans.push((m.start(), m.end()));
            }
        }
    }
    for c in MAX_ITEMS.captures_iter(sentence) {
        let n = int(&c, 1).or_else(|| int(&c, 2)).or_else(|| int(&c, 4));
        // "最多输入64个字符": a length, which the length phrases read or leave unread.
        if c.get(3).is_some() {
            continue;
        }
        if let (Some(n), Some(m)) = (n, c.get(0)) {
            if !overlaps(&length_spans, m.start(), m.end()) {
                push(Constraint::MaxItems(n), m.as_str());
                length_spans.push((m.start(), m.end()));
            }
        }
    }
    for c in MAX_ITEMS_VERB.captures_iter(sentence) {
        let scale = if c.get(2).is_some() { 10_000 } else { 1 };
        let n = int(&c, 1).and_then(|n| n.checked_mul(scale));
        if let (Some(n), Some(m), None) = (n, c.get(0), c.get(3)) {
            if !overlaps(&length_spans, m.start(), m.end()) {
                push(Constraint::MaxItems(n), m.as_str());
                length_spans.push((m.start(), m.end()));
            }
        }
    }
    for c in MAX_COUNT.captures_iter(sentence) {
        if let (Some(n), Some(m)) = (int(&c, 1), c.get(0)) {
            if !overlaps(&length_spans, m.start(), m.end()) {
                push(Constraint::MaxItems(n), m.as_str());
                length_spans.push((m.start(), m.end()));
            }
        }
    }
    // A quoted regular expression: kept only where it compiles, else the phrase is unread.
    let mut bad_pattern = false;
    for c in QUOTED_PATTERN.captures_iter(sentence) {
        if let (Some(p), Some(m)) = (c.get(1), c.get(0)) {
            if regex::Regex::new(p.as_str()).is_ok() {
                push(Constraint::Pattern(p.as_str().to_string()), m.as_str());
            } else {
                bad_pattern = true;
            }
        }
    }
    // A bare regular expression, anchored (the page states what the whole value matches).
    if let Some(c) = BARE_PATTERN.captures(sentence) {
        if let (Some(p), Some(m)) = (c.get(1), c.get(0)) {
            let anchored = format!(
                "^(?:{})$",
                p.as_str().trim_start_matches('^').trim_end_matches('$')
            );
            if regex::Regex::new(&anchored).is_ok() {
                push(Constraint::Pattern(anchored), m.as_str());
            } else {
                bad_pattern = true;
            }
        }
    }
    // "[0，2147483647]" alone: both ends in (see the bracket rule below).
    if let Some(c) = BRACKETED_ALONE.captures(sentence) {
        let open = c.get(1).map_or("", |g| g.as_str());
        let close = c.get(4).map_or("", |g| g.as_str());
        if let (Some(lo), Some(hi), Some(m)) = (num(&c, 2), num(&c, 3), c.get(0)) {
            if lo <= hi && hi.is_finite() {
                let low_open = matches!(open, "(" | "（") && close == "]";
                let high_open = open == "[" && matches!(close, ")" | "）");
                push(
                    if low_open {
                        Constraint::ExclusiveMinimum(lo)
                    } else {
                        Constraint::Minimum(lo)
                    },
                    m.as_str(),
                );
                push(
                    if high_open {
                        Constraint::ExclusiveMaximum(hi)
                    } else {
                        Constraint::Maximum(hi)
                    },
                    m.as_str(),
                );
                length_spans.push((m.start(), m.end()));
            }
        }
    }
    // Numeric ranges and bounds, outside the length phrases.
    for c in NUMBER_RANGE.captures_iter(sentence) {
        let Some(m) = c.get(0) else { continue };
        if overlaps(&length_spans, m.start(), m.end()) || c.get(7).is_some() {
            continue;
        }
        let (lo, hi) = match (num(&c, 2), num(&c, 3)) {
            (Some(lo), Some(hi)) => (lo, hi),
            _ => match (num(&c, 5), num(&c, 6)) {
                (Some(lo), Some(hi)) => (lo, hi),
                _ => continue,
            },
        };
        // Brackets that differ are an interval's (`(0,100]`: 0 left out); a pair of one kind
        // is only a range's quotes (`（1，100）`, `[1,100]`: both in).
        let open = c.get(1).map_or("", |g| g.as_str());
        let close = c.get(4).map_or("", |g| g.as_str());
        let low_open = matches!(open, "(" | "（") && close == "]";
        let high_open = open == "[" && matches!(close, ")" | "）");
        // "端口范围a:b", "0-255" before a list of words: a range must read low to high and stand
        // alone (not be one item of a list).
        let tail = &sentence[m.end()..];
        if lo <= hi && !tail.trim_start().starts_with(['、', '/', ':']) {
            push(
                if low_open {
                    Constraint::ExclusiveMinimum(lo)
                } else {
                    Constraint::Minimum(lo)
                },
                m.as_str(),
            );
            // `Number.MAX_VALUE` bounds nothing.
            if hi.is_finite() {
                push(
                    if high_open {
                        Constraint::ExclusiveMaximum(hi)
                    } else {
                        Constraint::Maximum(hi)
                    },
                    m.as_str(),
                );
            }
            length_spans.push((m.start(), m.end()));
        }
    }
    for c in BETWEEN.captures_iter(sentence) {
        let Some(m) = c.get(0) else { continue };
        if let (Some(lo), Some(hi)) = (num(&c, 1), num(&c, 2)) {
            if lo <= hi {
                match c.get(3).map(|u| u.as_str().trim()) {
                    Some(u) if u.starts_with("char") => {
                        if lo >= 1.0 {
                            push(Constraint::MinLength(lo as u64), m.as_str());
                        }
                        push(Constraint::MaxLength(hi as u64), m.as_str());
                    }
                    Some(_) => push(Constraint::MaxBytes(hi as u64), m.as_str()),
                    None => {
                        push(Constraint::Minimum(lo), m.as_str());
                        push(Constraint::Maximum(hi), m.as_str());
                    }
                }
                length_spans.push((m.start(), m.end()));
            }
        }
    }
    let bounds: [Bound; 8] = [
        (&MIN_VALUE, Constraint::Minimum),
        (&MAX_VALUE, Constraint::Maximum),
        (&AT_LEAST, Constraint::Minimum),
        (&AT_MOST, Constraint::Maximum),
        (&NO_MORE_THAN, Constraint::Maximum),
        (&NO_LESS_THAN, Constraint::Minimum),
        (&ABOVE, Constraint::ExclusiveMinimum),
        (&BELOW, Constraint::ExclusiveMaximum),
    ];
    // A bound in a scaled unit (`>= 5MB/s且<=10GB/s` on a field counted in Byte/s) is no bound
    // of the value as sent: its units disagree with each other or with the one the row states.
    let stated_unit = STATED_UNIT
        .captures(sentence)
        .and_then(|c| c.get(1))
        .map(|u| u.as_str().to_ascii_lowercase());
    let mut scaled: Vec<(Constraint, &str, (usize, usize), String)> = Vec::new();
    for (pattern, make) in bounds {
        for c in pattern.captures_iter(sentence) {
            if let (Some(n), Some(m)) = (num(&c, 1), c.get(0)) {
                if !overlaps(&length_spans, m.start(), m.end()) {
                    length_spans.push((m.start(), m.end()));
                    // The unit right after the number, which the match may have taken in.
                    let unit = sentence
                        .get(c.get(1).map_or(m.end(), |g| g.end())..)
                        .and_then(|rest| SCALED_UNIT.captures(rest))
                        .and_then(|u| u.get(1))
                        .map(|u| u.as_str().to_ascii_lowercase());
                    match unit {
                        Some(u) => scaled.push((make(n), m.as_str(), (m.start(), m.end()), u)),
                        None => push(make(n), m.as_str()),
                    }
                }
            }
        }
    }
    let agree = scaled.windows(2).all(|w| w[0].3 == w[1].3)
        && scaled.first().is_none_or(|(_, _, _, u)| {
            stated_unit
                .as_deref()
                .is_none_or(|s| s.starts_with(u.as_str()))
        });
    // The unit the bounds agree on: a default written in it (`缺省值为5GB`) is that number.
    let bounds_unit = scaled
        .first()
        .filter(|_| agree)
        .map(|(_, _, _, u)| u.clone());
    for (constraint, phrase, _, _) in scaled {
        if agree {
            push(constraint, phrase);
        } else {
            reading.notes.push(phrase.to_string());
        }
    }
    // A sign word bounds the value only where no number does (see `read`).
    if let Some(m) = SIGN_WORD.find(sentence) {
        let positive = !m.as_str().contains('非')
            && !m.as_str().contains("负数")
            && !m.as_str().to_lowercase().starts_with("non");
        push(
            Constraint::Minimum(if positive { 1.0 } else { 0.0 }),
            m.as_str(),
        );
    }
    if let Some(c) = DEFAULT.captures(sentence) {
        if let (Some(v), Some(m)) = (c.get(1).or(c.get(2)).or(c.get(3)), c.get(0)) {
            let v = match (DEFAULT_IN_UNIT.captures(v.as_str()), &bounds_unit) {
                (Some(d), Some(u)) if d[2].eq_ignore_ascii_case(u) => d[1].to_string(),
                _ => v.as_str().to_string(),
            };
            push(Constraint::Default(v), m.as_str());
        }
    }
    for (pattern, format) in FORMAT.iter() {
        if let Some(m) = pattern.find(sentence) {
            push(Constraint::Format(format), m.as_str());
            break;
        }
    }
    let mut listed = false;
    // "app_log、node_log、custom_log" alone (a value range column): the values, as written.
    if BARE_LIST.is_match(sentence) {
        let values: Vec<String> = sentence.split('、').map(|v| v.trim().to_string()).collect();
        push(Constraint::Enum(values), sentence);
        listed = true;
    }
    if let Some(c) = ENUM_INLINE.captures(sentence).filter(|_| !listed) {
        let list = (1..=7).find_map(|i| c.get(i));
        if let (Some(list), Some(m)) = (list, c.get(0)) {
            // A range, a length or a bound already read here is not a list of values.
            let start = m.start();
            // "镜像文件格式的取值范围为：…": the values of something else the row mentions.
            let of_another = sentence[..start].ends_with('的');
            // "不支持取值为“X-Stage”": a value refused, not the values allowed.
            let refused = ["不支持", "不能", "不可", "不允许", "不得"]
                .iter()
                .any(|w| sentence[..start].ends_with(w));
            if !of_another && !refused && !overlaps(&length_spans, start, m.end()) {
                // The API Explorer writes its values side by side: `枚举值：tcp udp any`.
                let values = if is_explorer_enum(m.as_str())
                    && !list.as_str().contains(['、', '，', ','])
                {
                    explorer_values(list.as_str())
                } else {
                    list_values(list.as_str())
                };
                if let Some(values) = values {
                    push(Constraint::Enum(values), m.as_str());
                    listed = true;
                }
            }
        }
    }
    // "枚举值，取值范围： 60，1分钟粒度 300，5分钟粒度": an enumeration whose values each carry
    // their gloss after a comma, the pairs side by side.
    if !listed {
        if let Some(c) = GLOSSED_VALUES.captures(sentence) {
            let values: Vec<String> = c.get(1).map_or(Vec::new(), |pairs| {
                GLOSSED_PAIR
                    .captures_iter(pairs.as_str())
                    .map(|p| p[1].to_string())
                    .collect()
            });
            let distinct = values
                .iter()
                .enumerate()
                .all(|(i, v)| !values[..i].contains(v));
            if let (true, Some(m)) = (values.len() >= 2 && distinct, c.get(0)) {
                push(Constraint::Enum(values), m.as_str());
                listed = true;
            }
        }
    }
    if !listed {
        if let Some((constraint, phrase)) = only_values(sentence) {
            push(constraint, &phrase);
            listed = true;
        }
    }
    if !listed {
        if let Some((values, phrase)) = glued_list(sentence).or_else(|| labelled_list(sentence)) {
            push(Constraint::Enum(values), &phrase);
            listed = true;
        }
    }
    // "取值为bare": one value closing the sentence, when nothing else was read from it.
    if !listed && found.is_empty() {
        if let Some((value, phrase)) = single_value(sentence) {
            found.push(Found {
                constraint: Constraint::Enum(vec![value]),
                phrase,
            });
        }
    }
    if found.is_empty() {
        if bad_pattern || is_constraint_like(sentence) && !EMPTY_DEFAULT.is_match(sentence) {
            reading.unread.push(sentence.to_string());
        }
    } else {
        reading.found.extend(found);
    }
}

// An enumeration of values each glossed after a comma, side by side (`枚举值，取值范围： 60，1分钟
// 粒度 300，5分钟粒度`): group 1 holds the pairs.
static GLOSSED_VALUES: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"枚举值[^。；:：]*[:：]\s*((?:[A-Za-z0-9][A-Za-z0-9_.\-]*\s*[，,]\s*[^\s，,：:]+\s+)+[A-Za-z0-9][A-Za-z0-9_.\-]*\s*[，,]\s*[^\s，,：:]+)\s*$",
    )
});
static GLOSSED_PAIR: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?:^|\s)([A-Za-z0-9][A-Za-z0-9_.\-]*)\s*[，,]\s*[^\s，,：:]+"));

static ONE_VALUE: LazyLock<Regex> =
    LazyLock::new(|| re(r#"^[“"'‘]?([A-Za-z0-9][A-Za-z0-9_.\-:]*(?:/\d+)?)[”"'’]?$"#));

/// "只支持true，默认为true", "目前只支持“peering”", "仅支持auto、manual": the values a row says
/// are the only ones, and the phrase. One value is enough here ("only" closes the list), but
/// it must end its clause and the next clause must be prose (`只支持10.0.0.0/8,172.16.0.0/12…`
/// goes on with values, so it is not one value); words naming a format (IPv4, CIDR) are no
/// values.
fn only_values(sentence: &str) -> Option<(Constraint, String)> {
    let c = ONLY_VALUES.captures(sentence)?;
    let (whole, rest) = (c.get(0)?, c.get(1)?.as_str());
    let offset = whole.as_str().len() - rest.len();
    // "lvType：…，目前支持a和b两种": the values of a part the row names, not of the row.
    if SUB_KEY_LABEL.is_match(sentence) {
        return None;
    }
    // "仅支持volume类型", "只支持spark类型参数", "a\b\c三种": the words naming what the values are,
    // or how many, are no value; a count must agree with the values named.
    let (rest, count) = match ONLY_SUFFIX.captures(rest.trim_end()) {
        Some(s) => (
            s.get(1).map_or(rest, |m| m.as_str()),
            s.get(2).and_then(|n| count_word(n.as_str())),
        ),
        None => (rest, None),
    };
    let (first, next) = match rest.find(['，', ',', '；', ';']) {
        Some(i) => (
            &rest[..i],
            rest[i..].trim_start_matches(['，', ',', '；', ';']),
        ),
        None => (rest, ""),
    };
    // One value (`0.0.0.0/0` is one, not two split at the slash), else a list.
    // A quoted value after the comma goes on with the list too ("“a”，“b”和“c”").
    let one = ONE_VALUE.captures(first.trim()).filter(|_| {
        !next
            .trim_start()
            .trim_start_matches(['“', '"', '\'', '‘'])
            .starts_with(|ch: char| ch.is_ascii_alphanumeric())
    });
    let (values, phrase) = match one {
        Some(v) => {
            let end = offset + first.len();
            (vec![v[1].to_string()], whole.as_str()[..end].to_string())
        }
        None => (list_values(rest)?, whole.as_str().to_string()),
    };
    if count.is_some_and(|n| n != values.len()) {
        return None;
    }
    // "只支持IPv4": the version an integer version field may hold.
    let versions: Option<Vec<u64>> = values
        .iter()
        .map(|v| IP_VERSION_WORD.captures(v).and_then(|c| c[1].parse().ok()))
        .collect();
    if let Some(versions) = versions {
        return Some((Constraint::IpVersion(versions), phrase));
    }
    (!values.iter().any(|v| FORMAT_WORD.is_match(v))).then_some((Constraint::Enum(values), phrase))
}

// What may close a list of the only values: a word naming their kind ("spark类型参数",
// "“presto”类型的SQL") or their count ("三种"; group 2).
static ONLY_SUFFIX: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"^(.*?[^\p{Han}\s])\s*(?:(?:类型|权限)(?:的?[\p{Han}A-Za-z]{0,6})?|((?:\d+|[两二三四五六七八九十])\s*种)\p{Han}{0,4})$",
    )
});
// A sentence about one named part of the value (`lvType：…`, `Key：…`).
static SUB_KEY_LABEL: LazyLock<Regex> = LazyLock::new(|| re(r"^\s*[A-Za-z][A-Za-z0-9_]*\s*[：:]"));

/// The number a count word names ("3种", "三种"), if it is one.
fn count_word(word: &str) -> Option<usize> {
    let word = word.trim_end_matches('种').trim();
    word.parse().ok().or_else(|| {
        "一二三四五六七八九十"
            .chars()
            .position(|c| word == c.to_string())
            .map(|i| i + 1)
            .or((word == "两").then_some(2))
    })
}

/// Words before a value word that make it about something else: a default (`默认取值为x`),
/// a bound (`最大取值为100`) or another thing's values (`镜像格式的取值范围为…`).
fn qualified(before: &str) -> bool {
    ["默认", "缺省", "最大", "最小", "的", "并"]
        .iter()
        .any(|w| before.trim_end().ends_with(w))
}

/// "取值为bare", "取值范围：4": the one value a sentence ends on, and the phrase. Words naming
/// a format (`取值为UUID`) are no value.
fn single_value(sentence: &str) -> Option<(String, String)> {
    let c = SINGLE_VALUE.captures(sentence)?;
    let m = c.get(0)?;
    if qualified(&sentence[..m.start()]) || FORMAT_WORD.is_match(&c[1]) {
        return None;
    }
    Some((c[1].to_string(), m.as_str().to_string()))
}

/// `取值如下：AlphaBetaGamma`, `取值包括：x86arm`: one run the conversion glued together after a
/// list intro, cut where a capital follows a small letter or a letter follows a digit.
fn glued_list(sentence: &str) -> Option<(Vec<String>, String)> {
    let c = GLUED_LIST.captures(sentence)?;
    let run = c.get(1)?;
    let values = unglue(run.as_str())?;
    let phrase = sentence[c.get(0)?.start()..run.end()].to_string();
    Some((values, phrase))
}

/// The parts of a glued run; `None` unless there are at least two of two characters or more.
fn unglue(run: &str) -> Option<Vec<String>> {
    let mut parts: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut prev: Option<char> = None;
    for ch in run.chars() {
        let cut = prev.is_some_and(|p| {
            (p.is_ascii_lowercase() && ch.is_ascii_uppercase())
                || (p.is_ascii_digit() && ch.is_ascii_alphabetic())
        });
        if cut {
            parts.push(std::mem::take(&mut cur));
        }
        cur.push(ch);
        prev = Some(ch);
    }
    parts.push(cur);
    (parts.len() >= 2 && parts.iter().all(|p| p.len() >= 2)).then_some(parts)
}

/// "回收方式：auto、manual": a kind, mode or state followed by nothing but its values.
fn labelled_list(sentence: &str) -> Option<(Vec<String>, String)> {
    let c = LABELLED_LIST.captures(sentence)?;
    let values = list_values(c.get(1)?.as_str())?;
    Some((values, c.get(0)?.as_str().trim().to_string()))
}

/// A bound pattern and the constraint its number makes.
type Bound = (&'static LazyLock<Regex>, fn(f64) -> Constraint);

// A default written with a data size unit (`5GB`): the number and the unit.
static DEFAULT_IN_UNIT: LazyLock<Regex> = LazyLock::new(|| re(r"^(\d+(?:\.\d+)?)\s*([KMGTP]i?B)$"));

// A data size or rate unit right after a bound's number (`5MB/s`, `10 GB`, `100Mbit/s`).
static SCALED_UNIT: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)^\s*((?:[kmgtp]i?b|[kmgt]bit|[kmgt]bps|byte)s?(?:/s)?)(?:$|[^a-z])"));
// The unit a row states for its value ("单位Byte/s", "单位为MB", "unit: GB").
static STATED_UNIT: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)(?:单位(?:为|是)?\s*[:：]?|\bunits?\s*(?:is|:)?)\s*([a-z]+(?:/s)?)"));

fn overlaps(spans: &[(usize, usize)], start: usize, end: usize) -> bool {
    spans.iter().any(|&(s, e)| start < e && s < end)
}

/// What applying a reading to a schema left over.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Applied {
    /// Phrases whose constraints the field's type cannot hold (a range on a string, a default
    /// its type cannot parse): they join the unread ones.
    pub unread: Vec<String>,
    /// Bounds of one row that contradict each other: documentation defects.
    pub conflicts: Vec<Conflict>,
}

/// Two phrases of one row bounding the same side of its value differently (`最小值：0` beside
/// "大于0"), or values outside the row's own range.
#[derive(Debug, Clone, PartialEq)]
pub struct Conflict {
    /// The phrase the schema follows; empty when neither is followed.
    pub kept: String,
    /// The phrase left out of the schema.
    pub dropped: String,
}

// The API Explorer's dedicated lines (`最小值：0`, `Maximum length: 64`): a field's generated
// limits, which win over the prose beside them.
static EXPLORER_LINE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)^\s*(?:最小值|最大值|最小长度|最大长度|枚举值|缺省值|数组长度|minimum|maximum|minimum length|maximum length|min length|max length|enumeration values?|default value)\s*[:：]",
    )
});

/// Which side of a value a constraint bounds: constraints of one side must agree.
fn side(c: &Constraint) -> &'static str {
    match c {
        Constraint::Minimum(_) | Constraint::ExclusiveMinimum(_) => "low",
        Constraint::Maximum(_) | Constraint::ExclusiveMaximum(_) => "high",
        Constraint::IpVersion(_) => "enum",
        other => other.keyword(),
    }
}

/// The reading with the prose left out wherever an API Explorer line states the same side
/// otherwise (the dedicated line is the generated contract, the prose a person's summary),
/// and each such pair as a conflict.
fn explorer_first(reading: &Reading) -> (Vec<Found>, Vec<Conflict>) {
    let explorer: Vec<&Found> = reading
        .found
        .iter()
        .filter(|f| EXPLORER_LINE.is_match(&f.phrase))
        .collect();
    let mut kept = Vec::new();
    let mut conflicts = Vec::new();
    for f in &reading.found {
        let winner = explorer
            .iter()
            .find(|g| side(&g.constraint) == side(&f.constraint) && g.constraint != f.constraint);
        match winner {
            Some(g) if !EXPLORER_LINE.is_match(&f.phrase) => conflicts.push(Conflict {
                kept: g.phrase.clone(),
                dropped: f.phrase.clone(),
            }),
            _ => kept.push(f.clone()),
        }
    }
    (kept, conflicts)
}

/// Writes a reading into a property schema of the given type: keywords, `x-phrases` (keyword →
/// phrase) and `x-notes`. A keyword already in the schema (from a linked enumeration page) wins.
pub fn apply(reading: &Reading, ty: &Ty, schema: &mut Map<String, Value>) -> Applied {
    let (mut found, conflicts) = explorer_first(reading);
    // A list field's values stated for when it is not empty bind each of its items.
    let item_lists: Vec<&Found> = match ty {
        Ty::Array(_) => reading.non_empty_lists.iter().collect(),
        _ => Vec::new(),
    };
    found.extend(item_lists.iter().map(|f| (*f).clone()));
    let mut applied = Applied {
        unread: reading.unread.clone(),
        conflicts,
    };
    let mut phrases = Map::new();
    let mut refused: Vec<&str> = Vec::new();
    let mut notes = reading.notes.clone();
    notes.retain(|n| !item_lists.iter().any(|f| f.phrase == *n));
    // One row stating a keyword twice with different values scopes each to a case it names
    // ("Redis3.0：…取值：2、4", "Redis4.0：…取值：0.5、1"): none of them is the contract.
    let disputed = |c: &Constraint| {
        found
            .iter()
            .any(|o| o.constraint.keyword() == c.keyword() && o.constraint != *c)
    };
    // A pattern refusing a value the row lists is one alternative among them ("满足以下任一条件：
    // 取值为“all”…满足正则匹配…"): a note, not the contract.
    let refuses_a_listed_value = |c: &Constraint| {
        let Constraint::Pattern(p) = c else {
            return false;
        };
        let Ok(p) = regex::Regex::new(p) else {
            return false;
        };
        found.iter().any(|o| match &o.constraint {
            Constraint::Enum(values) => values.iter().any(|v| !p.is_match(v)),
            _ => false,
        })
    };
    for f in &found {
        let key = f.constraint.keyword();
        if disputed(&f.constraint) || refuses_a_listed_value(&f.constraint) {
            if !notes.contains(&f.phrase) {
                notes.push(f.phrase.clone());
            }
            continue;
        }
        if schema.contains_key(key) {
            continue;
        }
        // "不能为空" on a list: it holds at least one item.
        if let (Constraint::MinLength(1), Ty::Array(_)) = (&f.constraint, ty) {
            if NOT_EMPTY.is_match(&f.phrase) && !schema.contains_key("minItems") {
                schema.insert("minItems".into(), json!(1));
                phrases.insert("minItems".into(), json!(f.phrase));
                continue;
            }
        }
        // An array of scalars: a rule on values ("最大长度255个unicode字符", "取值1-7") is a rule
        // on each item.
        if let (Ty::Array(inner), false) = (ty, is_array_rule(&f.constraint)) {
            // A bare `Array` names no item type; a rule on its values says what they are (a
            // range of whole numbers: integers; a length: strings; values: as written).
            let implied = match inner.as_ref() {
                Ty::Unknown(_) => implied_type(&f.constraint),
                known => Some((known.clone(), false)),
            };
            let items = schema.get_mut("items").and_then(Value::as_object_mut);
            if let (Some(items), Some((inner, typed_here))) =
                (items, implied.filter(|(t, _)| t.json_type_is_scalar()))
            {
                let inner = &inner;
                // Values written as strings and a type implied afterwards would disagree.
                let agrees = items
                    .get("type")
                    .is_none_or(|t| Some(t.as_str().unwrap_or("")) == inner.json_type())
                    && !(typed_here && items.contains_key("enum"));
                if agrees && !items.contains_key(key) {
                    if let Some(v) = value_for(&f.constraint, inner, items) {
                        if typed_here {
                            if let Some(t) = inner.json_type() {
                                items.insert("type".into(), json!(t));
                            }
                        }
                        items.insert(key.to_string(), v);
                        let entry = items
                            .entry("x-phrases")
                            .or_insert_with(|| Value::Object(Map::new()));
                        if let Value::Object(m) = entry {
                            m.insert(key.to_string(), json!(f.phrase));
                        }
                        continue;
                    }
                }
            }
        }
        // Values of a string the row says joins several by commas (DDS's backup `period`,
        // "格式为半角逗号隔开的数字…取值为：1,2,3,4,5,6,7", example "1,4,5,6,7") are the items of
        // that list: a pattern of such items joined by commas, not an enum of whole values.
        if let (Constraint::Enum(values), Ty::String, true) =
            (&f.constraint, ty, reading.comma_list)
        {
            if !schema.contains_key("pattern") {
                let one: Vec<String> = values.iter().map(|v| regex::escape(v)).collect();
                let one = one.join("|");
                schema.insert(
                    "pattern".into(),
                    json!(format!("^(?:{one})(?:,(?:{one}))*$")),
                );
                phrases.insert("pattern".into(), json!(f.phrase));
            }
            continue;
        }
        match value_for(&f.constraint, ty, schema) {
            Some(v) => {
                schema.insert(key.to_string(), v);
                phrases.insert(key.to_string(), json!(f.phrase));
            }
            // A boolean's two values restate its type; IP version words on a field that is
            // no version number name a format.
            None if matches!((&f.constraint, ty), (Constraint::Enum(_), Ty::Boolean))
                || matches!(f.constraint, Constraint::IpVersion(_)) => {}
            None => refused.push(&f.phrase),
        }
    }
    // A string holding one number ("limit String 取值范围[1, 100]"): its range as a pattern of
    // the decimal numbers in it.
    let length_stated = schema.contains_key("minLength") || schema.contains_key("maxLength");
    if *ty == Ty::String
        && !reading.not_one_number
        && !length_stated
        && !schema.contains_key("pattern")
    {
        if let Some((pattern, used)) = number_string_pattern(reading) {
            schema.insert("pattern".into(), json!(pattern));
            phrases.insert("pattern".into(), json!(used.join(" / ")));
            refused.retain(|p| !used.contains(p));
        }
    }
    // A string of several numbers ("0.3:0.6", each in [0.0, 1.0] with one decimal): the
    // pattern of such numbers joined by their separator.
    if *ty == Ty::String && !length_stated && !schema.contains_key("pattern") {
        if let Some((pattern, used)) = number_list_pattern(reading) {
            schema.insert("pattern".into(), json!(pattern));
            phrases.insert("pattern".into(), json!(used.join(" / ")));
            refused.retain(|p| !used.contains(p));
        }
    }
    // A phrase counts as unread only when none of its constraints could be written.
    for p in refused {
        if !phrases.values().any(|v| v == p) && !applied.unread.iter().any(|u| u == p) {
            applied.unread.push(p.to_string());
        }
    }
    drop_inconsistent(schema, &mut phrases, &mut applied.unread);
    if !phrases.is_empty() {
        schema.insert("x-phrases".into(), Value::Object(phrases));
    }
    if !notes.is_empty() {
        schema.insert("x-notes".into(), json!(notes));
    }
    applied
}

/// The pattern of whole decimal numbers from the reading's minimum to its maximum, and the
/// phrases that state them; `None` without both bounds, when either is stated twice
/// differently, or when they are no whole numbers from 0 up.
fn number_string_pattern(reading: &Reading) -> Option<(String, Vec<&str>)> {
    let bound = |pick: fn(&Constraint) -> Option<f64>| -> Option<(f64, &str)> {
        let mut all = reading
            .found
            .iter()
            .filter_map(|f| pick(&f.constraint).map(|n| (n, f.phrase.as_str())));
        let first = all.next()?;
        all.all(|(n, _)| n == first.0).then_some(first)
    };
    // Whole numbers only: an exclusive bound is the next whole number in (`[1, 65535)`).
    let (lo, lo_phrase) = bound(|c| match c {
        Constraint::Minimum(n) => Some(*n),
        Constraint::ExclusiveMinimum(n) => Some(n.floor() + 1.0),
        _ => None,
    })?;
    let hi = bound(|c| match c {
        Constraint::Maximum(n) => Some(*n),
        Constraint::ExclusiveMaximum(n) => Some(n.ceil() - 1.0),
        _ => None,
    });
    let whole = |n: f64| n >= 0.0 && n.fract() == 0.0 && n < 1e15;
    if !whole(lo) || hi.is_some_and(|(hi, _)| !whole(hi) || lo > hi) {
        return None;
    }
    // Without words naming a number, only a value's own words (`取值范围：1~1460`, `取值为7到
    // 1096`, `查询值最小为1`) say the bounds are the value's, not its length's (an API
    // Explorer `最小值：` alone does not).
    let value_range = |p: &str| {
        p.contains("取值") || p.contains("查询值") || p.to_lowercase().contains("value range")
    };
    let ranged = value_range(lo_phrase) && hi.is_none_or(|(_, p)| value_range(p));
    if !(reading.number_named || ranged) {
        return None;
    }
    let mut used = vec![lo_phrase];
    let alternatives = match hi {
        Some((hi, hi_phrase)) => {
            if hi_phrase != lo_phrase {
                used.push(hi_phrase);
            }
            integer_range_regex(lo as u64, hi as u64)
        }
        // No largest: every whole number from 0 or 1 up; from another start the regex grows
        // past what a reviewer can read, so it is left unread.
        None if lo == 0.0 => "0|[1-9]\\d*".to_string(),
        None if lo == 1.0 => "[1-9]\\d*".to_string(),
        None => return None,
    };
    Some((format!("^(?:{alternatives})$"), used))
}

/// The pattern of a string holding several numbers joined by one separator, as the row's
/// quoted example shows (`"0.3:0.6"`), each within the row's range of whole bounds
/// (`[0.0, 1.0]`) with the decimal places it states (`一位小数`), and the phrases used. `None`
/// unless all three are stated, the bounds once each, and the example keeps them.
fn number_list_pattern(reading: &Reading) -> Option<(String, Vec<&str>)> {
    let (places, places_phrase) = reading.decimals.as_ref()?;
    let (parts, sep, example) = reading.number_list_example.as_ref()?;
    let bound = |pick: fn(&Constraint) -> Option<f64>| -> Option<(f64, &str)> {
        let mut all = reading
            .found
            .iter()
            .filter_map(|f| pick(&f.constraint).map(|n| (n, f.phrase.as_str())));
        let first = all.next()?;
        all.all(|(n, _)| n == first.0).then_some(first)
    };
    let (lo, lo_phrase) = bound(|c| match c {
        Constraint::Minimum(n) => Some(*n),
        _ => None,
    })?;
    let (hi, hi_phrase) = bound(|c| match c {
        Constraint::Maximum(n) => Some(*n),
        _ => None,
    })?;
    let whole = |n: f64| n >= 0.0 && n.fract() == 0.0 && n < 1e15;
    if !whole(lo) || !whole(hi) || lo >= hi || *places == 0 || *places > 6 {
        return None;
    }
    // The example must be what the pattern takes: every number in range, with its places.
    let fits = |p: &str| {
        let decimals = p.split_once('.').map_or(0, |(_, d)| d.len());
        decimals == *places as usize && p.parse::<f64>().is_ok_and(|n| lo <= n && n <= hi)
    };
    if !parts.iter().all(|p| fits(p)) {
        return None;
    }
    let (lo, hi) = (lo as u64, hi as u64);
    let places = *places as usize;
    let number = format!(
        "(?:(?:{})\\.\\d{{{places}}}|{hi}\\.{})",
        integer_range_regex(lo, hi - 1),
        "0".repeat(places)
    );
    let sep = regex::escape(&sep.to_string());
    let pattern = format!("^{number}(?:{sep}{number}){{{}}}$", parts.len() - 1);
    let mut used = vec![lo_phrase];
    if hi_phrase != lo_phrase {
        used.push(hi_phrase);
    }
    used.extend([places_phrase.as_str(), example.as_str()]);
    Some((pattern, used))
}

/// Alternatives matching exactly the decimal numbers `lo..=hi`, without leading zeros.
pub fn integer_range_regex(lo: u64, hi: u64) -> String {
    let mut alternatives = Vec::new();
    let digits = |n: u64| n.to_string().len();
    for d in digits(lo)..=digits(hi) {
        let first = if d == 1 { 0 } else { 10u64.pow(d as u32 - 1) };
        let last = 10u64.saturating_pow(d as u32).saturating_sub(1);
        let (a, b) = (lo.max(first), hi.min(last));
        if a <= b {
            alternatives.extend(same_length(&a.to_string(), &b.to_string()));
        }
    }
    alternatives.join("|")
}

/// Alternatives matching the digit strings from `a` to `b`, both of one length.
fn same_length(a: &str, b: &str) -> Vec<String> {
    if a == b {
        return vec![a.to_string()];
    }
    let (a0, b0) = (a.as_bytes()[0] - b'0', b.as_bytes()[0] - b'0');
    let (a_rest, b_rest) = (&a[1..], &b[1..]);
    if a_rest.is_empty() {
        return vec![format!("[{a0}-{b0}]")];
    }
    if a0 == b0 {
        return same_length(a_rest, b_rest)
            .into_iter()
            .map(|r| format!("{a0}{r}"))
            .collect();
    }
    let n = a_rest.len();
    let low_full = a_rest.bytes().all(|c| c == b'0');
    let high_full = b_rest.bytes().all(|c| c == b'9');
    let mut out = Vec::new();
    // The first digit's own numbers, unless they all fall in the middle block.
    let mid_lo = if low_full { a0 } else { a0 + 1 };
    let mid_hi = if high_full { b0 } else { b0 - 1 };
    if !low_full {
        out.extend(
            same_length(a_rest, &"9".repeat(n))
                .into_iter()
                .map(|r| format!("{a0}{r}")),
        );
    }
    if mid_lo <= mid_hi {
        let head = if mid_lo == mid_hi {
            mid_lo.to_string()
        } else {
            format!("[{mid_lo}-{mid_hi}]")
        };
        out.push(format!("{head}\\d{{{n}}}"));
    }
    if !high_full {
        out.extend(
            same_length(&"0".repeat(n), b_rest)
                .into_iter()
                .map(|r| format!("{b0}{r}")),
        );
    }
    out
}

/// Bounds that contradict each other (a default outside the enum or the range, min above max)
/// are not written: the phrases disagree, so none of them is the contract.
fn drop_inconsistent(
    schema: &mut Map<String, Value>,
    phrases: &mut Map<String, Value>,
    unread: &mut Vec<String>,
) {
    // A default the pattern refuses (`${host}` beside "只能包含字母、数字…"): the pattern reads
    // the sentence too narrowly, so it is not the contract.
    if let (Some(Value::String(d)), Some(Value::String(p))) =
        (schema.get("default"), schema.get("pattern"))
    {
        if Regex::new(p).is_ok_and(|p| !p.is_match(d)) {
            let phrase = format!("pattern {p} (the default {d} breaks it)");
            schema.remove("pattern");
            unread.push(phrase);
        }
    }
    let mut drop = |key: &str, schema: &mut Map<String, Value>| {
        if schema.remove(key).is_some() {
            if let Some(Value::String(p)) = phrases.remove(key) {
                unread.push(p);
            }
        }
    };
    let f = |schema: &Map<String, Value>, k: &str| schema.get(k).and_then(Value::as_f64);
    if let (Some(lo), Some(hi)) = (f(schema, "minimum"), f(schema, "maximum")) {
        if lo > hi {
            drop("minimum", schema);
            drop("maximum", schema);
        }
    }
    if let (Some(lo), Some(hi)) = (f(schema, "minLength"), f(schema, "maxLength")) {
        if lo > hi {
            drop("minLength", schema);
        }
    }
    // "最小为0" beside "大于0" with no dedicated line to settle it: two bounds of one side
    // that differ, so neither is the contract.
    for (inclusive, exclusive) in [
        ("minimum", "exclusiveMinimum"),
        ("maximum", "exclusiveMaximum"),
    ] {
        if f(schema, inclusive).is_some() && f(schema, exclusive).is_some() {
            drop(inclusive, schema);
            drop(exclusive, schema);
        }
    }
    // Values the row lists outside the range it states (`取值：0、5、10` beside `1-10`).
    let outside = schema
        .get("enum")
        .and_then(Value::as_array)
        .is_some_and(|values| {
            values.iter().filter_map(Value::as_f64).any(|n| {
                f(schema, "minimum").is_some_and(|b| n < b)
                    || f(schema, "maximum").is_some_and(|b| n > b)
                    || f(schema, "exclusiveMinimum").is_some_and(|b| n <= b)
                    || f(schema, "exclusiveMaximum").is_some_and(|b| n >= b)
            })
        });
    if outside {
        for key in [
            "enum",
            "minimum",
            "maximum",
            "exclusiveMinimum",
            "exclusiveMaximum",
        ] {
            drop(key, schema);
        }
    }
    if let Some(d) = schema.get("default").cloned() {
        let in_enum = schema
            .get("enum")
            .and_then(Value::as_array)
            .is_none_or(|values| values.contains(&d));
        let n = d.as_f64();
        // A default the page gives beside "大于0" (`默认值为0`): the prose bound is the weaker
        // statement of the two, so it goes and the default stays.
        if let Some(n) = n {
            for (key, breaks) in [
                (
                    "exclusiveMinimum",
                    f(schema, "exclusiveMinimum").is_some_and(|b| n <= b),
                ),
                (
                    "exclusiveMaximum",
                    f(schema, "exclusiveMaximum").is_some_and(|b| n >= b),
                ),
            ] {
                if breaks {
                    drop(key, schema);
                }
            }
        }
        let in_range = n.is_none_or(|n| {
            f(schema, "minimum").is_none_or(|lo| n >= lo)
                && f(schema, "maximum").is_none_or(|hi| n <= hi)
        });
        if !in_enum || !in_range {
            drop("default", schema);
        }
    }
}

/// The item type a rule implies for a list that names none, and whether the type is to be
/// written (an enumeration's values say nothing of their type beyond being as written).
fn implied_type(c: &Constraint) -> Option<(Ty, bool)> {
    match c {
        Constraint::MinLength(_)
        | Constraint::MaxLength(_)
        | Constraint::MaxBytes(_)
        | Constraint::Format(_)
        | Constraint::Pattern(_) => Some((Ty::String, true)),
        Constraint::Minimum(n)
        | Constraint::Maximum(n)
        | Constraint::ExclusiveMinimum(n)
        | Constraint::ExclusiveMaximum(n) => Some((
            if n.fract() == 0.0 {
                Ty::Integer
            } else {
                Ty::Number
            },
            true,
        )),
        Constraint::Enum(_) => Some((Ty::String, false)),
        _ => None,
    }
}

fn is_array_rule(c: &Constraint) -> bool {
    matches!(
        c,
        Constraint::MinItems(_) | Constraint::MaxItems(_) | Constraint::Default(_)
    )
}

fn number(n: f64, integer: bool) -> Option<Value> {
    if integer || n.fract() == 0.0 {
        if n.fract() != 0.0 {
            return None;
        }
        // Whole numbers are written as integers (`1`, not `1.0`).
        return Some(json!(n as i64));
    }
    Number::from_f64(n).map(Value::Number)
}

/// The keyword's value for a field of this type, or `None` when the type cannot hold it.
fn value_for(c: &Constraint, ty: &Ty, schema: &Map<String, Value>) -> Option<Value> {
    let is_string = *ty == Ty::String;
    let is_number = matches!(ty, Ty::Integer | Ty::Number);
    let integer = *ty == Ty::Integer;
    let is_array = matches!(ty, Ty::Array(_));
    match c {
        Constraint::MinLength(n) | Constraint::MaxLength(n) | Constraint::MaxBytes(n) => {
            is_string.then(|| json!(n))
        }
        Constraint::Minimum(n)
        | Constraint::Maximum(n)
        | Constraint::ExclusiveMinimum(n)
        | Constraint::ExclusiveMaximum(n) => {
            if is_number {
                number(*n, integer)
            } else {
                None
            }
        }
        Constraint::MinItems(n) | Constraint::MaxItems(n) => is_array.then(|| json!(n)),
        Constraint::Format(f) => is_string.then(|| json!(f)),
        Constraint::Pattern(p) => is_string.then(|| json!(p)),
        Constraint::IpVersion(versions) => (*ty == Ty::Integer).then(|| json!(versions)),
        Constraint::Enum(values) => {
            let typed: Option<Vec<Value>> = values.iter().map(|v| typed(v, ty)).collect();
            let typed = typed?;
            // An enum that contradicts a stated pattern is not read.
            let pattern_ok = schema
                .get("pattern")
                .and_then(Value::as_str)
                .and_then(|p| regex::Regex::new(p).ok())
                .is_none_or(|p| values.iter().all(|v| p.is_match(v)));
            // A boolean's two values restate its type; one ("只支持true") is a rule.
            let holds = matches!(ty, Ty::String | Ty::Integer | Ty::Number)
                || (*ty == Ty::Boolean && values.len() == 1);
            (holds && pattern_ok).then_some(Value::Array(typed))
        }
        Constraint::Default(v) => typed(v, ty),
    }
}

fn typed(v: &str, ty: &Ty) -> Option<Value> {
    match ty {
        Ty::String => Some(json!(v)),
        Ty::Integer => v.parse::<i64>().ok().map(|n| json!(n)),
        Ty::Number => v.parse::<f64>().ok().and_then(|n| number(n, false)),
        Ty::Boolean => match v.to_ascii_lowercase().as_str() {
            "true" => Some(json!(true)),
            "false" => Some(json!(false)),
            _ => None,
        },
        _ => None,
    }
}

/// Keywords `--explain` and the coverage figures count as constraints.
pub const KEYWORDS: &[&str] = &[
    "enum",
    "const",
    "minLength",
    "maxLength",
    "x-maxBytes",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "pattern",
    "format",
    "minItems",
    "maxItems",
    "maxProperties",
    "default",
];

/// One line per request field (body properties, then query parameters): its pointer, type,
/// constraints and the phrase each came from, and its conditional notes.
pub fn explain(request: Option<&Value>, query: &[crate::contract::QueryParam]) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(schema) = request {
        explain_node(schema, "", &mut out);
    }
    for q in query {
        explain_line(&q.schema, &format!("?{}", q.name), &mut out);
    }
    out
}

fn explain_node(schema: &Value, pointer: &str, out: &mut Vec<String>) {
    for key in ["oneOf", "anyOf"] {
        if let Some(Value::Array(alternatives)) = schema.get(key) {
            for (i, a) in alternatives.iter().enumerate() {
                explain_node(a, &format!("{pointer}({key} {i})"), out);
            }
        }
    }
    if let Some(Value::Object(props)) = schema.get("properties") {
        for (name, sub) in props {
            let here = format!("{pointer}/{name}");
            explain_line(sub, &here, out);
            explain_node(sub, &here, out);
        }
    }
    if let Some(items) = schema.get("items") {
        if items.get("properties").is_some() {
            explain_node(items, &format!("{pointer}/0"), out);
        } else if KEYWORDS.iter().any(|k| items.get(*k).is_some()) {
            explain_line(items, &format!("{pointer}/0"), out);
        }
    }
    for (key, part) in [("propertyNames", "{key}"), ("additionalProperties", "*")] {
        if let Some(sub) = schema.get(key).filter(|s| s.is_object()) {
            let here = format!("{pointer}/{part}");
            explain_line(sub, &here, out);
            explain_node(sub, &here, out);
        }
    }
}

fn explain_line(schema: &Value, pointer: &str, out: &mut Vec<String>) {
    let ty = match schema.get("type") {
        Some(Value::String(t)) => t.clone(),
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join("|"),
        _ => "any".into(),
    };
    let phrases = schema.get("x-phrases");
    let mut parts: Vec<String> = KEYWORDS
        .iter()
        .filter_map(|k| {
            let v = schema.get(*k)?;
            let phrase = phrases
                .and_then(|p| p.get(*k))
                .and_then(Value::as_str)
                .map_or_else(String::new, |p| format!(" «{p}»"));
            Some(format!("{k}={v}{phrase}"))
        })
        .collect();
    if let Some(Value::Array(notes)) = schema.get("x-notes") {
        parts.extend(
            notes
                .iter()
                .filter_map(Value::as_str)
                .map(|n| format!("note «{n}»")),
        );
    }
    let rest = if parts.is_empty() {
        "-".to_string()
    } else {
        parts.join("; ")
    };
    out.push(format!("{pointer}  {ty}  {rest}"));
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reading as one line: `keyword=value` per constraint, `note` per note, `unread` per
    /// unread sentence, in order.
    fn render(r: &Reading) -> String {
        let fmt = |n: f64| {
            if n.fract() == 0.0 {
                format!("{}", n as i64)
            } else {
                format!("{n}")
            }
        };
        let mut out: Vec<String> = r
            .found
            .iter()
            .map(|f| {
                let v = match &f.constraint {
                    Constraint::MinLength(n)
                    | Constraint::MaxLength(n)
                    | Constraint::MaxBytes(n)
                    | Constraint::MinItems(n)
                    | Constraint::MaxItems(n) => n.to_string(),
                    Constraint::Minimum(n)
                    | Constraint::Maximum(n)
                    | Constraint::ExclusiveMinimum(n)
                    | Constraint::ExclusiveMaximum(n) => fmt(*n),
                    Constraint::Enum(v) => v.join("|"),
                    Constraint::Default(v) => v.clone(),
                    Constraint::Format(f) => f.to_string(),
                    Constraint::IpVersion(v) => {
                        v.iter().map(u64::to_string).collect::<Vec<_>>().join("|")
                    }
                    Constraint::Pattern(p) => p.clone(),
                };
                format!("{}={v}", f.constraint.keyword())
            })
            .collect();
        out.extend(r.notes.iter().map(|_| "note".to_string()));
        out.extend(r.unread.iter().map(|_| "unread".to_string()));
        out.join(" ")
    }

    /// Phrase shapes of the training pages (paragraphs split by `\n`) → what is read.
    const CASES: &[(&str, &str)] = &[
        // Lengths, Chinese.
        ("最大支持255个字节。", "x-maxBytes=255"),
        ("长度为1-64", "minLength=1 maxLength=64"),
        ("名称长度为4到64位的字符串。", "minLength=4 maxLength=64"),
        ("不超过255个字符", "maxLength=255"),
        (
            "最大长度255个Unicode字符，不能为空。",
            "maxLength=255 minLength=1",
        ),
        ("最大长度为255个Unicode字符。", "maxLength=255"),
        ("长度不超过36个字符。", "maxLength=36"),
        ("长度不超过1024的字符串。", "maxLength=1024"),
        ("取值范围：0-255个字符", "maxLength=255"),
        ("实例描述长度必须为0-1024。", "maxLength=1024"),
        ("标签键，最大长度36个unicode字符。", "maxLength=36"),
        ("长度为1~64的字符。", "minLength=1 maxLength=64"),
        ("名称的长度为1～255位。", "minLength=1 maxLength=255"),
        ("长度不能超过1024个字符", "maxLength=1024"),
        ("最大长度：1024", "maxLength=1024"),
        ("最小长度：1", "minLength=1"),
        ("1-255个字节", "minLength=1 x-maxBytes=255"),
        ("输入长度为8到32位的字符串。", "minLength=8 maxLength=32"),
        ("不超过64个字节", "x-maxBytes=64"),
        ("长度为1-64个字节", "minLength=1 x-maxBytes=64"),
        ("描述信息，0-255个字符，不能包含“<”和“>”", "maxLength=255"),
        (
            "对等连接名称，取值范围：1-64个字符，支持数字、字母",
            "minLength=1 maxLength=64",
        ),
        // Lengths, English.
        (
            "The value can contain 1 to 64 characters.",
            "minLength=1 maxLength=64",
        ),
        (
            "The name must be 4 to 64 characters in length.",
            "minLength=4 maxLength=64",
        ),
        (
            "DCS instance description cannot exceed 1024 characters.",
            "maxLength=1024",
        ),
        (
            "The value can contain a maximum of 64 characters.",
            "maxLength=64",
        ),
        (
            "The snapshot name, which can contain a maximum of 255 bytes.",
            "x-maxBytes=255",
        ),
        (
            "The value must be 0 to 128 characters in length.",
            "maxLength=128",
        ),
        ("Maximum length: 255", "maxLength=255"),
        ("Minimum length: 2", "minLength=2"),
        ("The name contains up to 255 characters.", "maxLength=255"),
        (
            "The name is between 1 and 64 characters.",
            "minLength=1 maxLength=64",
        ),
        ("Length: 1 to 64", "minLength=1 maxLength=64"),
        (
            "The value contains a maximum of 36 characters and cannot be empty.",
            "maxLength=36 minLength=1",
        ),
        ("at least 8 characters", "minLength=8"),
        (
            "The value can contain 1 to 255 bytes.",
            "minLength=1 x-maxBytes=255",
        ),
        // Numeric ranges and bounds, Chinese.
        ("取值范围：1-100", "minimum=1 maximum=100"),
        ("取值范围：[1-100]", "minimum=1 maximum=100"),
        ("取值范围为[1,9]", "minimum=1 maximum=9"),
        (
            "取值范围：1~65535，数字越小，优先级越高",
            "minimum=1 maximum=65535",
        ),
        ("取值为40～1024GB。", "minimum=40 maximum=1024"),
        ("取值范围是0到100", "minimum=0 maximum=100"),
        (
            "每周的周几开始备份，取值1-7，1代表周一，7代表周日。",
            "minimum=1 maximum=7",
        ),
        ("offset大于等于0。", "minimum=0"),
        ("必须大于0", "exclusiveMinimum=0"),
        ("最小值1，最大值1000", "minimum=1 maximum=1000"),
        ("最小值：1", "minimum=1"),
        ("最大值：65535", "maximum=65535"),
        ("小于等于100", "maximum=100"),
        (
            "批量创建辅助弹性网卡的个数最小值：1最大值：20",
            "minimum=1 maximum=20",
        ),
        ("端口范围为1~65535的任意数字。", "minimum=1 maximum=65535"),
        (
            "取值为-1200 ~+1200之间的时区。",
            "minimum=-1200 maximum=1200",
        ),
        (
            "副本优先级，取值范围是0到100，0为默认禁止倒换。",
            "minimum=0 maximum=100",
        ),
        ("取值范围：0-2000", "minimum=0 maximum=2000"),
        ("不小于1", "minimum=1"),
        ("保留天数，单位：天，取值范围：1-7。", "minimum=1 maximum=7"),
        ("取值范围在10~1000", "minimum=10 maximum=1000"),
        (
            "分页查询每页返回的记录个数，取值范围为0~intmax",
            "minimum=0 maximum=2147483647",
        ),
        // Numeric ranges and bounds, English.
        ("The value ranges from 1 to 100.", "minimum=1 maximum=100"),
        ("Value range: 1-65535", "minimum=1 maximum=65535"),
        (
            "The minimum value is 1 and the maximum value is 1000.",
            "minimum=1 maximum=1000",
        ),
        ("The value must be greater than or equal to 0.", "minimum=0"),
        (
            "The value must be between 1 and 100.",
            "minimum=1 maximum=100",
        ),
        ("Minimum: 1", "minimum=1"),
        ("Maximum: 20", "maximum=20"),
        ("The value must be greater than 0.", "exclusiveMinimum=0"),
        (
            "The value is an integer ranging from 1 to 10.",
            "minimum=1 maximum=10",
        ),
        ("less than or equal to 500", "maximum=500"),
        // Enumerations, inline.
        (
            "取值为ECS、BMS、FusionCompute、Ironic。",
            "enum=ECS|BMS|FusionCompute|Ironic",
        ),
        (
            "取值范围：TCP、UDP、ICMP、ICMPV6、ALL",
            "enum=TCP|UDP|ICMP|ICMPV6|ALL",
        ),
        ("取值范围：IPv4，IPv6", "enum=IPv4|IPv6"),
        ("取值范围：deny（拒绝）/allow（允许）", "enum=deny|allow"),
        ("操作结果，取值有success或failed。", "enum=success|failed"),
        (
            "是否可以进行恢复操作，取值为“true”或者“false”。",
            "enum=true|false",
        ),
        (
            "目前取值为add、replace和remove。",
            "enum=add|replace|remove",
        ),
        ("取值范围：4、6，分别表示创建ipv4和ipv6。", "enum=4|6"),
        ("取值范围：0.125、0.25、0.5、1", "enum=0.125|0.25|0.5|1"),
        ("The value can be TCP, UDP, or ICMP.", "enum=TCP|UDP|ICMP"),
        ("The value can be true or false.", "enum=true|false"),
        ("Valid values are ECS and BMS.", "enum=ECS|BMS"),
        ("Options: asc, desc", "enum=asc|desc"),
        ("Value range: IPv4, IPv6", "enum=IPv4|IPv6"),
        (
            "功能说明：IP地址协议类型 取值范围：IPv4，IPv6 约束：不填默认值为IPv4",
            "default=IPv4 enum=IPv4|IPv6",
        ),
        // Enumerations, one value per line.
        (
            "取值范围：\nfalse：不自动续订；\ntrue：自动续订",
            "enum=false|true",
        ),
        (
            "镜像状态。取值如下：queued：表示已创建。saving：表示上传中。deleted：表示已删除。",
            "enum=queued|saving|deleted",
        ),
        (
            "缓存引擎类型。取值范围如下：\nRedis：开源Redis\nMemcached：开源Memcached",
            "enum=Redis|Memcached",
        ),
        (
            "The value can be:\n- prePaid: yearly/monthly\n- postPaid: pay-per-use",
            "enum=prePaid|postPaid",
        ),
        (
            "取值如下：\nmonth：表示包月\nyear：表示包年",
            "enum=month|year",
        ),
        (
            "取值范围：\ntrue：发送检查请求。检查项包括参数。\nfalse（默认值）：发送正常请求",
            "default=false enum=true|false",
        ),
        ("镜像文件格式的取值范围为：ZVHD、QCOW2、VHD。", "unread"),
        // A value and its meaning (`eni表示…`), in a line or a list.
        ("取值范围：\nallow表示允许\ndeny表示拒绝", "enum=allow|deny"),
        ("取值范围：a1表示甲，b2表示乙", "enum=a1|b2"),
        // Values a conversion glued together after their intro.
        (
            "是否可见，取值如下：pub：公共private：私有shared：共享",
            "enum=pub|private|shared",
        ),
        (
            "取值如下：on：表示打开。打开后，可用。off：表示关闭。关闭后，不可用。",
            "enum=on|off",
        ),
        // Labels run into the words before them start a sentence of their own.
        (
            "功能说明：是否开启取值范围：true、false默认值：false",
            "enum=true|false default=false",
        ),
        // "Only": one value is enough; a format word or a list of prose is none.
        ("类型。目前只支持“peer”。", "enum=peer"),
        ("约束：只支持true，默认为true", "default=true enum=true"),
        ("仅支持auto、manual。", "enum=auto|manual"),
        ("仅支持auto/manual。", "enum=auto|manual"),
        (
            "约束：必须是cidr格式，且目前只支持0.0.0.0/0",
            "format=cidr enum=0.0.0.0/0",
        ),
        // An IP version word: the value of an integer version field only (see `apply`).
        ("约束：目前只支持ipv4", "enum=4"),
        ("只支持10.0.0.0/8,172.16.0.0/12两个网段内的地址", ""),
        ("仅支持Console调用，API方式不支持", ""),
        ("当架构为ARM时，启动方式只支持uefi。", ""),
        // API Explorer lines.
        ("枚举值：\ntrue\nfalse", "enum=true|false"),
        ("枚举值：\ntcp\nudp\nany", "enum=tcp|udp|any"),
        (
            "最小长度：1 最大长度：3 枚举值：tcp udp any",
            "maxLength=3 minLength=1 enum=tcp|udp|any",
        ),
        ("缺省值：false", "default=false"),
        ("缺省值：1", "default=1"),
        ("最小长度：0\n最大长度：1024", "minLength=0 maxLength=1024"),
        (
            "最小值：1\n最大值：65535\n缺省值：10",
            "minimum=1 maximum=65535 default=10",
        ),
        ("数组长度：1 - 20", "minItems=1 maxItems=20"),
        (
            "枚举值：\nprePaid\npostPaid\n缺省值：postPaid",
            "enum=prePaid|postPaid default=postPaid",
        ),
        // Defaults.
        ("默认值为：false", "default=false"),
        ("默认为1000", "default=1000"),
        ("Default: 25", "default=25"),
        ("The default value is desc.", "default=desc"),
        ("默认取值为vhd。", "default=vhd"),
        ("约束：不填默认值为IPv4", "default=IPv4"),
        ("降序或升序，默认为“desc”", "default=desc"),
        (
            "功能说明：最大传输单元MTU取值范围：1~1460默认值：96",
            "minimum=1 maximum=1460 default=96",
        ),
        ("镜像描述信息。默认为空。", ""),
        // Formats, only when the row says so.
        ("取值范围：合法UUID的字符串", "format=uuid"),
        (
            "功能说明：辅助弹性网卡所属的VPC_ID 取值范围：标准UUID",
            "format=uuid",
        ),
        ("The ID in UUID format.", "format=uuid"),
        ("子网的网段，必须为CIDR格式。", "format=cidr"),
        ("The value must be in CIDR format.", "format=cidr"),
        ("The gateway must be a valid IPv4 address.", "format=ipv4"),
        ("子网的网关IP地址。", ""),
        // Array sizes.
        ("The list contains 1 to 20 items.", "minItems=1 maxItems=20"),
        ("最多支持20个。", "maxItems=20"),
        ("一次最多可删除50个实例。", "maxItems=50"),
        ("每个分组最多可以添加20个IP地址", "maxItems=20"),
        ("最大为5个。", "maxItems=5"),
        ("最多输入64个字符", ""),
        ("a maximum of 10 items", "maxItems=10"),
        ("Array length: 1-20", "minItems=1 maxItems=20"),
        // Conditions: notes, never keywords.
        ("仅type为server时有效，取值范围：1-100", "note"),
        ("如果协议是icmp类型，取值范围参照ICMP类型表。", "note"),
        ("当缓存引擎为Redis时，取值为3.0、4.0或5.0。", "note"),
        ("创建单个实例时，名称长度为4到64位的字符串。", "note"),
        (
            "When protocol is icmp, the value ranges from 0 to 255.",
            "note",
        ),
        (
            "If this parameter is left blank, the default value is 10.",
            "note",
        ),
        (
            "当backup_type设置为auto时，该参数为必填。 保留天数，取值范围：1-7。",
            "minimum=1 maximum=7",
        ),
        (
            "每页显示条数，最小值为1，最大值为1000，若不设置该参数，则为10。",
            "minimum=1 maximum=1000",
        ),
        ("period_type为month时，为[1,9]，", "note"),
        (
            "缓存版本，当缓存引擎为Redis时，取值范围如下：\n3.0：Redis 3.0\n5.0：Redis 5.0",
            "note",
        ),
        (
            "The value ranges from 1 to 100 if the type is server.",
            "note",
        ),
        ("若为空则默认使用当前时区，取值范围：1-7", "note"),
        // Constraint-like, but nothing read: unread, for a reviewer.
        (
            "取值范围：icmp、tcp、udp、icmpv6或IP协议号(0~255)",
            "unread",
        ),
        ("取值范围：支持TCP，UDP，ICMP， 或者0-255", "unread"),
        ("取值范围：(后续会随运营策略变化)", "unread"),
        (
            "取值范围：位于[1,65535]中一个整数或者一段端口范围a:b",
            "unread",
        ),
        ("取值范围：\n租户下存在的安全组ID", "unread"),
        ("必须大于镜像系统盘容量", "unread"),
        ("取值参考表2。", ""),
        // Neither a constraint nor constraint-like.
        ("分页查询的起始资源id，取值为上一页最后一条记录的id", ""),
        ("取值。", ""),
        ("快照ID。", ""),
        // "Currently supports" names the whole set as of the page.
        ("文件格式。目前支持vhd、zvhd。", "enum=vhd|zvhd"),
        ("Specifies the snapshot name.", ""),
    ];

    /// Phrasings added for issue 32 (row texts written for the test, in the pages' shapes).
    const MORE_CASES: &[(&str, &str)] = &[
        // "Currently (only) supports" with a list or one quoted value.
        ("压缩算法，当前支持lz4、zstd、gzip。", "enum=lz4|zstd|gzip"),
        ("同步周期，目前支持“monthly”", "enum=monthly"),
        ("当前支持按名称排序", ""),
        // IP versions as words: the values of an integer version field.
        ("【说明】只支持IPv6", "enum=6"),
        ("地址族，当前只支持ipv4，填写后按族过滤", "enum=4"),
        // One value closing its sentence.
        ("封装格式，取值为plain。", "enum=plain"),
        ("取值范围：6", "enum=6"),
        ("Enumeration values:\ntcp\nudp", "enum=tcp|udp"),
        ("Protocol. Enumeration values: tcp udp any", "enum=tcp|udp|any"),
        ("Enumeration values:\nprePaid", "enum=prePaid"),
        ("取值范围：\n1～2147483647\n默认值为300s。", "minimum=1 maximum=2147483647 default=300s"),
        ("取值范围：\n10GB~100GB", "minimum=10 maximum=100"),
        ("默认值为空", ""),
        ("默认值为空，表示不排序", ""),
        ("规则的描述，长度限制为255", "maxLength=255"),
        ("语句。长度限制：0-1024*1024个字符。", "maxLength=1048576"),
        (
            "取值：\ninstance：允许任意后端。\nip：只能添加跨VPC后端。\n空字符串（\"\"）：允许任意类型的后端",
            "enum=instance|ip|",
        ),
        ("端口id。最小长度：0最大长度：36", "maxLength=36 minLength=0"),
        ("长度： 36", "minLength=36 maxLength=36"),
        ("支持的最大字符长度：255", "maxLength=255"),
        ("默认取值为plain", "default=plain"),
        ("取值为UUID", "unread"),
        ("资源的取值为abc", "unread"),
        // A list the conversion glued together after its intro.
        ("平台类型，取值如下：RedGreenBlue", "enum=Red|Green|Blue"),
        ("架构。取值包括：amd64arm默认使用“amd64”", "default=amd64 enum=amd64|arm"),
        ("取值包括：abc", "unread"),
        // A kind, mode or state labelled with its values.
        ("回收方式：auto、manual、never。", "enum=auto|manual|never"),
        ("例如：a、b", ""),
        // Counts after a verb of holding.
        ("每个分组最大关联50条规则", "maxItems=50"),
        ("单次最大可添加20个成员", "maxItems=20"),
        ("最大支持64个字符", "maxLength=64"),
        // A range after "supports".
        ("回溯天数。最大支持0-9。", "minimum=0 maximum=9"),
        // One value per sentence, each with its meaning.
        (
            "取值为0或无该值，表示默认分组。取值为UUID，表示该UUID的分组。",
            "pattern=^(?:0|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$",
        ),
        (
            "取值为on，表示开启。取值为off，表示关闭。",
            "enum=on|off",
        ),
        ("取值为0，表示默认分组。取值为IPv4，表示地址。", "unread unread"),
        // Cases that agree on a bound make it a rule; where they differ they stay notes.
        (
            "单个创建时，长度为3到40个字符。批量创建时，长度为3到32个字符。",
            "minLength=3 note note",
        ),
        (
            "当引擎为A时，取值范围：1-9。当引擎为B时，长度不限。",
            "note note",
        ),
        (
            "当引擎为A时，取值范围：1-9。当引擎为B时，取值范围：0-9。",
            "maximum=9 note note",
        ),
        ("如果类型为x，长度最多为50", "note"),
        (
            "仅类型为x时，取值范围：1-9。\n仅类型为x时，取值范围：1-9。",
            "note note",
        ),
        // A rule and its exception: the value lies within both ranges.
        ("取值范围：1-1000（当表示类型时为0-50）", "minimum=0 maximum=1000"),
        ("取值范围：1-1000（当表示类型时须为偶数）", "note"),
    ];

    /// Phrase shapes of the sets that were held out (DEW, ECS, BMS, IAM), read as a reader
    /// reads them.
    const HELDOUT_CASES: &[(&str, &str)] = &[
        // A size in bytes standing alone in its clause bounds the value.
        ("请求消息序列号，36字节序列号", "x-maxBytes=36"),
        ("约束：2048字节", "x-maxBytes=2048"),
        ("长度最多允许85个字符", "maxLength=85"),
        ("取值范围：大于0", "exclusiveMinimum=0"),
        ("卷设备的目标类型，当前仅支持volume类型", "enum=volume"),
        (
            "卷设备的源头类型，当前只支持volume、image、snapshot、blank类型",
            "enum=volume|image|snapshot|blank",
        ),
        ("元数据中的key和value长度不大于255字节", "x-maxBytes=255"),
        ("的长度均不大于255字节", "x-maxBytes=255"),
        // A regular expression the value must match.
        (
            "授权ID，64字节，满足正则匹配“^[A-Fa-f0-9]{64}$”",
            "x-maxBytes=64 pattern=^[A-Fa-f0-9]{64}$",
        ),
        ("满足正则匹配“^[a-z](”", "unread"),
        // Strict bounds on a length.
        (
            "镜像名称，长度大于0小于243字节",
            "minLength=1 x-maxBytes=242",
        ),
        ("key的长度大于0小于256字节", "minLength=1 x-maxBytes=255"),
        // Counts without a noun, and array lengths as limits.
        (
            "授权项，指对资源的具体操作权限，不超过100个",
            "maxItems=100",
        ),
        ("不超过10个", "maxItems=10"),
        (
            "数组长度不超过10，每个字符串长度不超过128，规则如下：",
            "maxItems=10 maxLength=128",
        ),
        // Ranges under other words, and in quotes.
        (
            "至少包含字符种类的个数，取值区间[2,4]",
            "minimum=2 maximum=4",
        ),
        ("limit的取值范围为“1-1000”", "minimum=1 maximum=1000"),
        (
            "计划多少天后删除密钥，取值为7到1096",
            "minimum=7 maximum=1096",
        ),
        ("取值为8的倍数，取值范围为8~8192", "minimum=8 maximum=8192"),
        // A smallest value without a unit.
        ("分页查询时数据的页数，查询值最小为1", "minimum=1"),
        ("偏移量，取值范围为大于或等于0", "minimum=0"),
        (
            "Token的使用范围，取值为project或domain，二选一即可",
            "enum=project|domain",
        ),
        ("value为模糊匹配的值，最大长度为255个字符", "maxLength=255"),
    ];

    /// Phrase shapes of the sets measured in session 44 (CES, AS, SFS, VPCEP, CSS, DDS, ECS,
    /// BMS, EVS, DEW), written anew in the pages' style.
    const UNSEEN_CASES: &[(&str, &str)] = &[
        // A length's shortest and longest in one run.
        (
            "只能包含0-9/a-z，长度最短为1，最大为64",
            "minLength=1 maxLength=64",
        ),
        ("a.b总长度最短为3，最大为32", "minLength=3 maxLength=32"),
        (
            "名称长度最小为2，最大为10个字节",
            "minLength=1 x-maxBytes=10",
        ),
        // A unit after both numbers of a character range.
        ("名称在4位到64位之间", "minLength=4 maxLength=64"),
        ("长度为2个字符到8个字符", "minLength=2 maxLength=8"),
        // Intervals whose brackets differ leave that end out; a pair of one kind keeps both.
        (
            "取值范围(0,100]，默认值为100",
            "exclusiveMinimum=0 maximum=100 default=100",
        ),
        ("取值范围(0-3600]。", "exclusiveMinimum=0 maximum=3600"),
        ("取值范围[1, 500)", "minimum=1 exclusiveMaximum=500"),
        ("取值范围[1, 500]", "minimum=1 maximum=500"),
        // The largest integer by name, and the largest double as no bound at all.
        (
            "取值范围：0到Integer.MAX_VALUE",
            "minimum=0 maximum=2147483647",
        ),
        ("阈值，取值范围[0, Number.MAX_VALUE]", "minimum=0"),
        // Counts with measure nouns.
        ("目前最多可挂载20块云硬盘", "maxItems=20"),
        ("支持最多挂载8张网卡", "maxItems=8"),
        ("最多可注入5对键值", "maxItems=5"),
        ("最大支持注入3个文件", "maxItems=3"),
        // An API Explorer enumeration whose values carry glosses in brackets.
        ("存储类型枚举值：SAS（高IO）", "enum=SAS"),
        ("枚举值：ACTIVE（运行中） DOWN（停止）", "enum=ACTIVE|DOWN"),
        // A last value glued to the next sentence; "等" leaves a list open.
        ("类型枚举值：a_1、b_2详情请参见其他章节", "enum=a_1|b_2"),
        (
            "取值为：up（上行）、down（下行）未传表示下行",
            "enum=up|down",
        ),
        ("取值为：up、down等", "unread"),
        ("只支持10.0.0.0/8,172.16.0.0/12两个网段", ""),
        // Byte lengths: fixed, strictly below, and in binary units.
        ("id长度固定为36个字节", "x-maxBytes=36"),
        ("消息长度要求小于1024字节", "x-maxBytes=1023"),
        ("描述长度小于等于100个字符", "maxLength=100"),
        ("注入内容最大长度16KB。", "x-maxBytes=16384"),
        ("内容最大2M", "x-maxBytes=2097152"),
        ("注入内容（编码之前的内容）最大长度为32K。", "unread"),
        ("主词库文件对象，文件大小最大支持100MB。", ""),
        // One word named with its meaning is the only value; a number so named is not.
        ("取值为sort_time，表示排序时间", "enum=sort_time"),
        ("取值：HIGH，表示高性能", "enum=HIGH"),
        (
            "取值为safeMode ，支持运行时操作。\nmode取值为safeMode时，先停止再操作",
            "enum=safeMode note",
        ),
        ("取值为0，表示不限制", "unread"),
        ("取值为x，表示一种。\n当a为b时，取值为y", "note unread"),
        // Cases each naming their one value: together they are the values.
        (
            "重启a节点时，取值为“a”。\n重启b组时，取值为“b”",
            "enum=a|b note note",
        ),
        (
            "变更a时，取值为a节点ID。\n变更b时，取值为b组ID",
            "note note",
        ),
        ("重启a时，取值为“a”。\n当x为y时，长度为1-8", "note note"),
        // A count of the values introduces their list.
        (
            "代码类型，取值有3种：\nx1：在线\nzip：压缩包\njar：包",
            "enum=x1|zip|jar",
        ),
        (
            "词库类型，目前支持2种。\nMain：主词库。\nStop：停词词库。",
            "enum=Main|Stop",
        ),
        // A case named by a parameter's value is a condition; what both cases state holds.
        (
            "取值范围: t=month时，取值为[1,9]。\nt=year，取值为[1,3]。",
            "minimum=1 note note",
        ),
        // Advice on something inside the value is a note, not the field's rule.
        (
            "注入内容最大长度32KB。\n建议密码复杂度如下：\n长度为8-26位。",
            "x-maxBytes=32768 note",
        ),
        (
            "密码。\n建议密码复杂度如下：\n长度为8-26位。",
            "minLength=8 maxLength=26",
        ),
        // The only value with a word naming what it is.
        ("当前只支持write权限", "enum=write"),
        // A value another parameter takes ("并取值为") is not this row's.
        ("取值范围：1，2。\n存在“k”并取值为“2”", "enum=1|2 unread"),
        // The dedicated line and the prose beside it: both read here, `apply` decides.
        (
            "偏移量为一个大于0的整数。\n最小值：0",
            "exclusiveMinimum=0 minimum=0",
        ),
    ];

    #[test]
    fn phrasings_of_unseen_sets_read_as_documented() {
        let failures = differing(UNSEEN_CASES);
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    /// Phrase shapes of the sets measured in session 45 (CCE, DLI, MRS, DWS, APIG, GES),
    /// written anew in the pages' style.
    const FRESH_CASES: &[(&str, &str)] = &[
        // A limit word, then a number of characters.
        ("描述，最多为1023字符，不能包含特殊字符", "maxLength=1023"),
        ("可以为空，最多支持255个字符", "maxLength=255"),
        ("字符长度不能大于255", "maxLength=255"),
        ("字符串长度最大不超过128", "maxLength=128"),
        ("名称，长度64个字符以内", "maxLength=64"),
        ("索引名的长度需在63字符以内", "maxLength=63"),
        (
            "主机名。长度128，由字母和数字组成，字母开头",
            "maxLength=128",
        ),
        ("语句。长度限制：0-1024*1024个字符", "maxLength=1048576"),
        // …but not where the number opens an alternative, a range or a lower bound.
        ("长度为32或36", "unread"),
        ("长度为8以上", "unread"),
        // Bytes after 最长.
        ("消息体，最长4096字节", "x-maxBytes=4096"),
        ("必须以字母开头，最长32字节", "x-maxBytes=32"),
        // A quoted number after a value word; a bare one after 最大 or in brackets.
        (
            "重试次数。最大值为“50”，默认值为“5”",
            "maximum=50 default=5",
        ),
        ("返回条数(最大5000)，默认为100", "maximum=5000 default=100"),
        ("分页大小，最大支持500", "maximum=500"),
        ("每页数量，最大1000", "maximum=1000"),
        // Counts: a cap, ten thousands, 条 closing a clause.
        ("节点标签，标签数上限为10个", "maxItems=10"),
        ("单次操作上限为500个对象", "maxItems=500"),
        ("自定义记录，最大支持3万条记录", "maxItems=30000"),
        ("给节点加污点，配置不超过16条", "maxItems=16"),
        ("最大50节点", ""),
        // The only values, with a word naming their kind or their count.
        ("会话类型，只支持batch类型参数", "enum=batch"),
        ("目前仅支持“hive”类型的SQL", "enum=hive"),
        (
            "磁盘类型，目前支持HDD\\FAST\\ULTRA三种",
            "enum=HDD|FAST|ULTRA",
        ),
        ("目前支持alpha和beta两种", "enum=alpha|beta"),
        ("目前支持alpha和beta三种", ""),
        ("目前支持“A1”，“B2”和“C3”三种", "enum=A1|B2|C3"),
        // A part of the value named before its rule: not the row's values.
        ("mode：挂载模式，目前支持ro和rw两种", ""),
        // A count of the choices introduces their list.
        (
            "快照模式。两种可选：\n1：表示一次\n2：表示至少一次",
            "enum=1|2",
        ),
        // English and/or inside quotes are values, not separators.
        (
            "逻辑关系，可选值“and”和“or”，默认为“and”",
            "default=and enum=and|or",
        ),
        ("The value can be a, b, or c.", "enum=a|b|c"),
    ];

    #[test]
    fn phrasings_of_fresh_sets_read_as_documented() {
        let failures = differing(FRESH_CASES);
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    /// Phrase shapes the recall measurement of session 46 found unread on the never-seen
    /// sets, written anew in the pages' style.
    const RECALL_CASES: &[(&str, &str)] = &[
        // Two spellings of one value on its line.
        (
            "是否删除云硬盘， 枚举取值：\ntrue或block (执行删除流程)\ntry (执行删除流程，失败则忽略)\nfalse或skip (跳过删除流程，默认选项)",
            "enum=true|block|try|false|skip",
        ),
        // A count of characters written as a value range is a length.
        ("集群描述。\n字符取值范围[0,200]。", "maxLength=200"),
        ("字符数范围：2-64", "minLength=2 maxLength=64"),
        ("字符取值范围（1，32）", "minLength=1 maxLength=32"),
        // …while a plain value range stays a value range.
        ("取值范围[0,200]", "minimum=0 maximum=200"),
    ];

    /// Shapes the recall measurement of session 47 found unread on the freshest sets (G),
    /// written anew in the pages' style, with their English counterparts where the pages
    /// have them.
    const SESSION_47_CASES: &[(&str, &str)] = &[
        // A regular expression written bare after its word: anchored, the whole value.
        (
            "取值满足表达式[a-z_][a-z0-9_]*，即首字符为字母或_",
            "pattern=^(?:[a-z_][a-z0-9_]*)$",
        ),
        ("名称需符合正则表达式^[A-Z]+$", "pattern=^(?:[A-Z]+)$"),
        // …and one the regex engine refuses is left unread.
        ("取值满足表达式[a-z", "unread"),
        // A value range column holding only a bracketed pair.
        ("[0，100]", "minimum=0 maximum=100"),
        ("[1,65535]", "minimum=1 maximum=65535"),
        ("(0,1]", "exclusiveMinimum=0 maximum=1"),
        // An array's size as a limit.
        ("JSON数组大小不超过20", "maxItems=20"),
        ("The array size cannot exceed 20.", "maxItems=20"),
        ("数组大小不超过10，时序数据列表", "maxItems=10"),
        // Values whose letter case does not matter: no enum, a note.
        (
            "连接状态，包括以下两种状态：\nACTIVE：已激活\nDELETED：已删除\n连接状态不区分大小写。",
            "note",
        ),
        (
            "Valid values: ON, OFF. The value is case-insensitive.",
            "note",
        ),
        // "不能为空" beside an allowed empty string: the field is sent, perhaps empty.
        (
            "最大长度为43个字符。value不能为空，可以为空字符串。",
            "maxLength=43",
        ),
        // Values alone in their sentence (a value range column).
        (
            "app_log、node_log、custom_log",
            "enum=app_log|node_log|custom_log",
        ),
        ("SAS、SSD、SATA", "enum=SAS|SSD|SATA"),
        ("IPv4、IPv6", ""),
        // An intro naming the count and the kind of the values listed next.
        (
            "服务转发模式，支持以下两种实现：\niptables：基于规则\nipvs：基于哈希表",
            "enum=iptables|ipvs",
        ),
        (
            "连接状态，包括以下两种状态：\nACTIVE：已激活\nDELETED：已删除",
            "enum=ACTIVE|DELETED",
        ),
    ];

    #[test]
    fn phrasings_of_the_fresh_recall_misses_read_as_documented() {
        let failures = differing(SESSION_47_CASES);
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    /// Shapes found on fresh unseen groups (H, and D's AS): bounds in another unit than the
    /// value's, value lines naming cases of another field, value lines run together.
    const SESSION_48_PRECISION_CASES: &[(&str, &str)] = &[
        // Bounds in scaled units that disagree with each other or with the stated unit.
        (
            "时段内允许的最大流量带宽，单位Byte/s，取值范围为>= 5MB/s且<=10GB/s。",
            "note note unread",
        ),
        ("带宽，单位Byte/s，取值范围为>=5MB/s。", "note unread"),
        // Bounds in the unit the row states, or all in one unit, are the limits.
        ("带宽，单位Mbit/s，大于等于1Mbit/s。", "minimum=1"),
        ("取值大于等于1GB，小于等于100GB。", "minimum=1 maximum=100"),
        ("单位Byte/s，取值范围为>=5且<=10。", "minimum=5 maximum=10"),
        // Value lines run together, after a condition on when the field is required.
        (
            "周期触发类型，scaling_policy_type为RECURRENCE时该项必选。\nDaily：每天执行一次Weekly：每周指定天执行一次。Monthly：每月指定天执行一次。",
            "enum=Daily|Weekly|Monthly",
        ),
        // …but not a paragraph holding a note and another list, glued the same way.
        (
            "磁盘类型。\nGPSSD：通用型SSD磁盘类型 SAS：高IO磁盘类型 SSD：超高IO磁盘类型约束：须使用专属企业存储。枚举值如下：DESS_SAS_ISCSI：普通I/O企业存储 DESS_SAS_FC：普通I/O企业存储（低延时）",
            "unread",
        ),
        // …while a condition on the values still makes them a note.
        (
            "当scaling_resource_type为SCALING_GROUP，支持如下操作：\nADD：增加\nSET：设置",
            "",
        ),
        // A line per case of another field, each saying whether to configure this one.
        (
            "CDN鉴权秘钥。\n无需授权：无需配置此项。\nQiniu：无需配置此项。\nAliyun：根据authentication_type指定的鉴权方式配置此项。\nKingsoftCloud：无需配置此项。",
            "",
        ),
    ];

    #[test]
    fn units_cases_of_another_field_and_glued_value_lines_read_as_documented() {
        let failures = differing(SESSION_48_PRECISION_CASES);
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    /// Shapes the recall measurement of session 48 found unread on the unseen sets (E, H),
    /// written anew in the pages' style, with English counterparts where the pages have them,
    /// and the near shapes that must stay unread or notes.
    const SESSION_48_CASES: &[(&str, &str)] = &[
        // "值为：" opening its sentence lists the values; "默认值为：" is a default only.
        (
            "指定操作。值为：grant，revoke或update。",
            "enum=grant|revoke|update",
        ),
        ("Values: grant, revoke, or update.", "enum=grant|revoke|update"),
        ("默认值为：grant", "default=grant"),
        // A value quoted twice, the default glued after the list.
        (
            "预览模式，取值为““SYNC””或者““ASYNC””默认值为：“SYNC”。",
            "default=SYNC enum=SYNC|ASYNC",
        ),
        // "可以是以下…中的一种或多种" introduces the value lines; a note after the list.
        (
            "待操作的权限列表。可操作的权限可以是以下权限中的一种或多种。\nSUBMIT_JOB：提交作业\nCANCEL_JOB ：取消作业\nRESTART：重启\n说明：\n若权限列表为空，则表示回收所有权限。",
            "enum=SUBMIT_JOB|CANCEL_JOB|RESTART",
        ),
        // A note under one value: the list goes on after it.
        (
            "访问模式。\nReadWriteOnce：单节点读写\n说明：\n版本为v1.13时，才支持此功能。\nReadOnlyMany：多节点只读（默认）\nReadWriteMany：多节点读写",
            "enum=ReadWriteOnce|ReadOnlyMany|ReadWriteMany",
        ),
        // A note pointing ("如下") only to lines labelled in Chinese (other ways to tell the
        // state) names no other values: the list goes on around it, the empty value one of them.
        (
            "池状态。\n空值：可用\nSyncing：伸缩中\nSoldOut：不可扩容\n说明：\n上述状态已废弃，替代方式如下：\n扩缩状态：见统计信息\nDeleting：删除中",
            "enum=|Syncing|SoldOut|Deleting",
        ),
        // …but a note pointing to value lines, or elsewhere, leaves the lines unread.
        (
            "池状态。\nSyncing：伸缩中\nSoldOut：不可扩容\n说明：\n上述状态已废弃，替代值如下：\nScalable：可扩容\nDeleting：删除中",
            "",
        ),
        (
            "池状态。\nSyncing：伸缩中\nSoldOut：不可扩容\n说明：\n上述状态已废弃，详见：\n扩缩状态：见统计信息\nDeleting：删除中",
            "",
        ),
        // "当前支持类型如下" without its colon, quoted values.
        (
            "条件类型，当前支持类型如下\n\"Scalable\"：可扩容\n\"Error\"：错误",
            "enum=Scalable|Error",
        ),
        // "取值如下所示：" opens the value lines.
        (
            "存储位置类型。\n取值如下所示：\n0：表示存储到点播桶。\n1：表示存储在租户桶。",
            "enum=0|1",
        ),
        // A format named as a noun is what the values are…
        (
            "视频编码格式，模板中的编码格式必须相同。\nH264：使用H.264。\nH265：使用H.265。 默认为H264。",
            "default=H264 enum=H264|H265",
        ),
        // …a format introduced is a layout of parts, never values.
        ("时间格式为：\nYYYY：年\nMM：月", ""),
        ("Time format:\nYYYY: year\nMM: month", ""),
        // A condition on leaving the field out says what omission means, not when the values
        // hold; any other condition keeps the lines unread.
        (
            "录制类型，如果不填写则查询所有类型。\nCONTINUOUS_RECORD：持续录制\nCOMMAND_RECORD：命令录制",
            "enum=CONTINUOUS_RECORD|COMMAND_RECORD",
        ),
        (
            "录制类型，当模式为plan时有效。\nCONTINUOUS_RECORD：持续录制\nCOMMAND_RECORD：命令录制",
            "",
        ),
        // Ranges each labelled with their case: the span of both is the rule, each a note.
        (
            "磁盘大小，单位为GB\n系统盘取值范围：40~1024\n数据盘取值范围：100~32768",
            "minimum=40 maximum=32768 note note",
        ),
        // One labelled range alone is the row's range.
        ("系统盘取值范围：40~1024", "minimum=40 maximum=1024"),
        // Advice is no case: the ranges stay as read (the schema then keeps them as notes).
        (
            "建议取值范围：10~20\n常用取值范围：1~100",
            "minimum=10 maximum=20 minimum=1 maximum=100",
        ),
        (
            "录制格式，当前支持：FLV，HLS，MP4三种格式，设置格式时必须使用大写字母",
            "enum=FLV|HLS|MP4",
        ),
        // "当前支持" is "currently supports", no condition; the count after the last value must
        // agree.
        ("当前支持：FLV，HLS，MP4两种格式", ""),
        ("当type为a时，取值为x、y", "note"),
        // The values of a list only when it is not empty stay a note (an empty value is one).
        (
            "查询的信息类型。\n为空时表示查询所有信息。\n不为空时支持同时查询一个或者多个类型的信息，取值如下：\nbase_info：媒资基本信息。\ntranscode_info：转码结果信息。",
            "note",
        ),
        // An enumeration whose values carry their gloss after a comma, side by side.
        (
            "监控数据粒度。 取值范围 枚举值，取值范围： 60，1分钟粒度 300，5分钟粒度 3600，1小时粒度",
            "enum=60|300|3600",
        ),
        // …but one pair alone, or pairs without the enumeration word, are no list.
        ("枚举值：60，1分钟粒度", "unread"),
        ("取值范围： 60，1分钟粒度 300，5分钟粒度", "unread"),
        // Fewest items beside most items.
        ("conditions最多5个，最少1个", "minItems=1 maxItems=5"),
        ("The list holds at least 1 item.", "minItems=1"),
        // …while a least count of characters is a length.
        ("最少8个字符", "minLength=8"),
    ];

    #[test]
    fn phrasings_of_the_session_48_recall_misses_read_as_documented() {
        let failures = differing(SESSION_48_CASES);
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    /// Shapes the recall measurement of session 49 found unread on the freshest set (I),
    /// written anew in the pages' style, with English counterparts where the pages have them,
    /// and the near shapes that must stay as they were.
    const SESSION_49_CASES: &[(&str, &str)] = &[
        // A length span in brackets, either comma.
        ("对任务的说明，缺省为空，字符串的长度限制为[0, 128]", "maxLength=128"),
        ("审核意见，限制长度为[0,512]", "maxLength=512"),
        ("要搜索的文本，字符串的长度为[0，32]", "maxLength=32"),
        ("名称的长度为[1，64]", "minLength=1 maxLength=64"),
        ("The length is [1, 64].", "minLength=1 maxLength=64"),
        // Bounds with the field's unit after each number.
        (
            "磁盘大小，最小为10GB，最大为2048GB，缺省值为10GB",
            "maximum=2048 minimum=10 default=10",
        ),
        // Values after an intro naming what they are ("可选状态如下：", "当前可取以下值：").
        (
            "导出的格式。可选值如下：\n1：按目录存放。如：a/1.jpg。\n2：平铺存放。如：1.png, 1.txt;2.png,2.txt。",
            "enum=1|2",
        ),
        (
            "样本的状态。可选样本状态如下：\n__ALL__：全部\n__NONE__：未处理\n__DONE__：已处理",
            "enum=__ALL__|__NONE__|__DONE__",
        ),
        (
            "格式。当前可取以下值：\nVOC：VOC格式\nCOCO：COCO格式",
            "enum=VOC|COCO",
        ),
        // The characters of a class are read with the allowed characters (`facts`): no
        // constraint here, and nothing left unread.
        ("分隔符仅支持一个字符，必须为大小写字母，数字和“!@#”其中的某一字符。", ""),
        ("意见，且不能包含!<>=&\"'字符", ""),
    ];

    #[test]
    fn phrasings_of_the_session_49_recall_misses_read_as_documented() {
        let failures = differing(SESSION_49_CASES);
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    /// One paragraph per value with its meaning after a description: the field's values,
    /// unless words make the lines something else.
    #[test]
    fn value_lines_after_a_description_are_the_values() {
        let read_all =
            |ps: &[&str]| render(&read(&ps.iter().map(|p| p.to_string()).collect::<Vec<_>>()));
        let cases: &[(&[&str], &str)] = &[
            (
                &[
                    "分组资源文件的类型。",
                    "jar：用户jar文件。",
                    "file：用户文件。",
                ],
                "enum=jar|file",
            ),
            (
                &["是否使用VPC通道：", "1 : 使用", "2 : 不使用", "默认为2。"],
                "default=2 enum=1|2",
            ),
            // Fields of a structure, parts of a format, a reference: no values.
            (&["配置项，包含如下字段：", "a：甲", "b：乙"], ""),
            (&["版本号格式为x.y", "x: 主版本", "y: 补丁版本"], ""),
            // Lines saying how a path starts: kinds of the value, not values.
            (
                &["程序地址。", "OBS：以“obs://”开头。", "HDFS：以“/”开头。"],
                "",
            ),
            // A negative value keeps its sign; a quoted value holding a colon is no value.
            (&["作业状态。", "-1：已终止", "2：运行中"], "enum=-1|2"),
            (
                &[
                    "脏数据策略。",
                    "“2:obsDir”：保存",
                    "“1”：抛出异常",
                    "“0”：忽略",
                ],
                "",
            ),
            (
                &["磁盘类型，取值请参见云服务器。", "SAS：高IO", "SSD：超高IO"],
                "",
            ),
            // Value lines alone, or after an intro to them, or with a note after them.
            (&["asc：升序", "desc：降序"], "enum=asc|desc"),
            (
                &["作业状态码。", "作业的状态如下：", "a：甲", "b：乙"],
                "enum=a|b",
            ),
            (
                &[
                    "是否续订",
                    "“true”：续订",
                    "“false”：不续订",
                    "说明：",
                    "不填写此参数时默认不续订。",
                ],
                "enum=true|false",
            ),
            // One value, a condition, a note before, prose among them: no values.
            (&["排序方式。", "asc：升序"], ""),
            (&["仅type为x时有效。", "a：甲", "b：乙"], ""),
            (&["排序方式。", "说明：", "asc：升序", "desc：降序"], ""),
            (&["排序方式。", "asc：升序", "另有说明。", "desc：降序"], ""),
            (&["模块列表如下：", "a：甲", "b：乙"], ""),
            (&["规格。", "s1：小", "s2：大", "说明：详见规格列表。"], ""),
        ];
        let failures: Vec<String> = cases
            .iter()
            .filter_map(|(ps, want)| {
                let got = read_all(ps);
                (got != *want).then(|| format!("{ps:?}: got {got:?}, want {want:?}"))
            })
            .collect();
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn phrasings_of_the_recall_misses_read_as_documented() {
        let failures = differing(RECALL_CASES);
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    /// A map row's count of entries: its own sentence, never a condition's, one number.
    #[test]
    fn map_rows_state_their_most_entries() {
        let one = |text: &str| map_entries(&[text.to_string()]).map(|(n, _)| n);
        assert_eq!(one("节点的K8s标签，键值对个数不超过20条。"), Some(20));
        assert_eq!(one("可自定义键值对。最多10对。"), Some(10));
        assert_eq!(one("Custom labels, up to 20 key-value pairs."), Some(20));
        assert_eq!(one("当类型为x时，键值对个数不超过5条。"), None);
        assert_eq!(one("键值对个数不超过20条。标签最多10个。"), None);
        assert_eq!(one("键长度不超过63个字符。"), None);
        let (n, phrase) = map_entries(&["键值对个数不超过20条".into()]).unwrap_or_default();
        assert_eq!((n, phrase.as_str()), (20, "键值对个数不超过20条"));
    }

    /// A string named as holding a whole number ("整数字符串", and the typo "整数字符传") takes
    /// its range as a pattern: the word 字符 in it names no characters.
    #[test]
    fn integer_strings_take_their_range_as_a_pattern() {
        let (s, a) = applied("掩码位数。\n整数字符传取值范围: 24 ~ 28", Ty::String);
        assert_eq!(
            s["pattern"],
            json!(format!("^(?:{})$", integer_range_regex(24, 28)))
        );
        assert!(a.unread.is_empty(), "{:?}", a.unread);
        let (s, _) = applied("整数字符串，取值范围：1-100", Ty::String);
        assert!(s.get("pattern").is_some(), "{s}");
        let (s, _) = applied("名称字符串，取值范围：1-100", Ty::String);
        assert!(
            s.get("pattern").is_none(),
            "a name's range is its length: {s}"
        );
    }

    #[test]
    fn the_dedicated_line_wins_over_the_prose_and_the_clash_is_a_conflict() {
        let (s, a) = applied("偏移量为一个大于0的整数。\n最小值：0", Ty::Integer);
        assert_eq!(s["minimum"], 0, "{s}");
        assert!(s.get("exclusiveMinimum").is_none(), "{s}");
        assert_eq!(
            a.conflicts,
            vec![Conflict {
                kept: "最小值：0".into(),
                dropped: "个大于0的".into()
            }]
        );
        // Prose restating the line is no conflict.
        let (s, a) = applied("取值范围：1-100。\n最小值：1\n最大值：100", Ty::Integer);
        assert_eq!(
            (s["minimum"].clone(), s["maximum"].clone()),
            (json!(1), json!(100))
        );
        assert!(a.conflicts.is_empty(), "{:?}", a.conflicts);
        // Prose against the line on one side only: that side follows the line.
        let (s, a) = applied(
            "取值范围500~32768。\n最小值： 500\n最大值： 327680",
            Ty::Integer,
        );
        assert_eq!(
            (s["minimum"].clone(), s["maximum"].clone()),
            (json!(500), json!(327680))
        );
        assert_eq!(a.conflicts.len(), 1);
    }

    #[test]
    fn contradicting_bounds_without_a_dedicated_line_are_all_left_out() {
        let (s, a) = applied("取值为大于0的整数。\n最小为0", Ty::Integer);
        assert!(
            s.get("minimum").is_none() && s.get("exclusiveMinimum").is_none(),
            "{s}"
        );
        assert_eq!(a.unread.len(), 2, "{:?}", a.unread);
        let (s, _) = applied("取值范围：1-10。\n取值：0、5、10", Ty::Integer);
        assert!(s.get("enum").is_none() && s.get("minimum").is_none(), "{s}");
    }

    #[test]
    fn number_strings_take_open_ends_and_value_words() {
        let (s, _) = applied("取值范围[1, 500)", Ty::String);
        assert_eq!(
            s["pattern"],
            format!("^(?:{})$", integer_range_regex(1, 499))
        );
        let (s, _) = applied("必须为数字，取值范围为大于或等于0", Ty::String);
        assert_eq!(s["pattern"], "^(?:0|[1-9]\\d*)$");
        let (s, _) = applied("分页的页数，查询值最小为1", Ty::String);
        assert_eq!(s["pattern"], "^(?:[1-9]\\d*)$");
        let (s, _) = applied("取值为7到1096", Ty::String);
        assert_eq!(
            s["pattern"],
            format!("^(?:{})$", integer_range_regex(7, 1096))
        );
        let (s, _) = applied("取值大于等于5", Ty::String);
        assert!(s.get("pattern").is_none(), "{s}");
    }

    #[test]
    fn a_pattern_refusing_a_listed_value_is_a_note() {
        let (s, _) = applied(
            "若用户输入该字段，取值满足以下任一条件.\n取值为“all”\n取值为“0”\n满足正则匹配：“^[0-9a-z]{8}$”",
            Ty::String,
        );
        assert!(s.get("pattern").is_none(), "{s}");
        assert!(s.get("enum").is_none(), "{s}");
        assert_eq!(s["x-notes"].as_array().map(Vec::len), Some(3));
        let (s, _) = applied("密钥ID，满足正则匹配“^[0-9a-z]{8}$”", Ty::String);
        assert_eq!(s["pattern"], "^[0-9a-z]{8}$");
    }

    #[test]
    fn phrasings_of_the_held_out_sets_read_as_documented() {
        let failures = differing(HELDOUT_CASES);
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn phrasings_of_issue_32_read_as_documented() {
        let failures = differing(MORE_CASES);
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn ip_version_words_bind_only_integer_fields_and_patterns_only_strings() {
        let (s, a) = applied("只支持IPv4", Ty::Integer);
        assert_eq!(s["enum"], json!([4]));
        assert_eq!(s["x-phrases"]["enum"], "只支持IPv4");
        let (s, a2) = applied("只支持IPv4", Ty::String);
        assert!(
            s.get("enum").is_none(),
            "on a string the word names a format"
        );
        assert!(a.unread.is_empty() && a2.unread.is_empty());
        let text = "取值为0，表示默认分组。取值为UUID，表示该UUID的分组。";
        let (s, _) = applied(text, Ty::String);
        let pattern = Regex::new(s["pattern"].as_str().unwrap_or_default()).unwrap();
        assert!(pattern.is_match("0"));
        assert!(pattern.is_match("0a1b2c3d-0000-4a4a-8b8b-0123456789ab"));
        assert!(!pattern.is_match("1") && !pattern.is_match("x0"));
        let (s, a) = applied(text, Ty::Integer);
        assert!(s.get("pattern").is_none() && a.unread.len() == 1);
    }

    /// A pattern read from a character-class sentence yields to the row's own default.
    #[test]
    fn a_default_the_pattern_refuses_removes_the_pattern() {
        let mut schema = Map::new();
        schema.insert("pattern".into(), json!("^[a-z]*$"));
        let reading = read(&["缺省值：ab.c".to_string()]);
        let a = apply(&reading, &Ty::String, &mut schema);
        assert!(schema.get("pattern").is_none(), "{schema:?}");
        assert_eq!(schema["default"], "ab.c");
        assert_eq!(a.unread.len(), 1);
        let mut schema = Map::new();
        schema.insert("pattern".into(), json!("^[a-z.]*$"));
        apply(&reading, &Ty::String, &mut schema);
        assert_eq!(schema["pattern"], "^[a-z.]*$");
    }

    #[test]
    fn integer_range_regexes_match_exactly_their_numbers() {
        for (lo, hi) in [
            (0, 0),
            (1, 100),
            (0, 9),
            (5, 5),
            (7, 1234),
            (10, 4000),
            (1024, 65535),
            (99, 101),
            (1, 86400),
            (250, 259),
        ] {
            let re = Regex::new(&format!("^(?:{})$", integer_range_regex(lo, hi))).unwrap();
            for n in 0..=(hi + 200).min(70_000) {
                assert_eq!(
                    re.is_match(&n.to_string()),
                    (lo..=hi).contains(&n),
                    "{lo}..={hi}: {n}"
                );
            }
            assert!(!re.is_match(&format!("0{lo}")), "no leading zeros");
        }
    }

    /// A string holding one number takes its range as a pattern; a string that is a range
    /// or a list of numbers does not.
    #[test]
    fn number_strings_take_their_range_as_a_pattern() {
        let (s, a) = applied("每页条数，取值范围[1, 100]", Ty::String);
        let (s2, _) = applied("最小值：0\n最大值：36", Ty::String);
        assert!(
            s2.get("pattern").is_none(),
            "a number or a value range must be named: {s2}"
        );
        let (s2, _) = applied("VLAN ID。取值范围：1-4094", Ty::String);
        assert_eq!(
            s2["pattern"],
            json!(format!("^(?:{})$", integer_range_regex(1, 4094)))
        );
        let (s2, _) = applied("带宽名称。取值范围：1-64", Ty::String);
        assert!(
            s2.get("pattern").is_none(),
            "a name's range is its length: {s2}"
        );
        let (s2, _) = applied("返回码个数。支持200~299,400~499。", Ty::String);
        assert!(s2.get("pattern").is_none(), "several ranges: {s2}");
        let (s2, _) = applied("名称个数，取值范围：1-64，支持数字、字母", Ty::String);
        assert!(s2.get("pattern").is_none(), "characters: a length: {s2}");
        let p = Regex::new(s["pattern"].as_str().unwrap_or_default()).unwrap();
        assert!(p.is_match("1") && p.is_match("100") && !p.is_match("101") && !p.is_match("0"));
        assert_eq!(s["x-phrases"]["pattern"], "取值范围[1, 100]");
        assert!(a.unread.is_empty(), "{:?}", a.unread);
        let (s, _) = applied(
            "查询记录数。limit最多为1000，不能为负数，最小值为1",
            Ty::String,
        );
        assert_eq!(
            s["pattern"],
            json!(format!("^(?:{})$", integer_range_regex(1, 1000)))
        );
        let (s, _) = applied("值为正整数且小于等于3600*24", Ty::String);
        assert_eq!(
            s["pattern"],
            json!(format!("^(?:{})$", integer_range_regex(1, 86400)))
        );
        let (s, a) = applied(
            "端口个数。该端口范围与外部端口映射。取值范围：1~65535",
            Ty::String,
        );
        assert!(s.get("pattern").is_none(), "{s}");
        assert!(
            a.unread.contains(&"取值范围：1~65535".to_string()),
            "{:?}",
            a.unread
        );
        let (s, _) = applied("端口个数，多个用逗号分隔，取值范围：1~65535", Ty::String);
        assert!(s.get("pattern").is_none());
        let (s, _) = applied(
            "整数，取值范围：1-10。仅当type为x时，取值范围：1-5",
            Ty::String,
        );
        assert!(
            s.get("pattern").is_some(),
            "a note leaves the rule alone: {s}"
        );
    }

    #[test]
    fn unglue_cuts_only_where_case_or_digits_turn() {
        assert_eq!(
            unglue("LinuxWindowsOther"),
            Some(vec!["Linux".into(), "Windows".into(), "Other".into()])
        );
        assert_eq!(unglue("x86arm"), Some(vec!["x86".into(), "arm".into()]));
        assert_eq!(unglue("qcow2"), None);
        assert_eq!(unglue("aB"), None, "parts of one letter are no values");
    }

    /// The rows of a phrase table whose reading is not the expected one, each said in full.
    fn differing(cases: &[(&str, &str)]) -> Vec<String> {
        let mut failures = Vec::new();
        for (text, expected) in cases {
            let paragraphs: Vec<String> = text.split('\n').map(str::to_string).collect();
            let got = render(&read(&paragraphs));
            if got != *expected {
                failures.push(format!(
                    "{text:?}\n    expected {expected:?}\n    got      {got:?}"
                ));
            }
        }
        failures
    }

    fn applied(text: &str, ty: Ty) -> (Value, Applied) {
        let paragraphs: Vec<String> = text.split('\n').map(str::to_string).collect();
        let mut schema = Map::new();
        if let Ty::Array(inner) = &ty {
            schema.insert("items".into(), json!({"type": inner.json_type()}));
        }
        let a = apply(&read(&paragraphs), &ty, &mut schema);
        (Value::Object(schema), a)
    }

    /// Values of a string the row says joins several by commas are its items: a pattern of
    /// them joined by commas (the page's example "1,4,5,6,7" fits), not an enum; without the
    /// words they stay an enum.
    #[test]
    fn values_of_a_comma_separated_string_are_its_items() {
        let text = "备份周期配置。\n取值范围：格式为半角逗号隔开的数字，数字代表星期。取值为：1,2,3,4,5,6,7。";
        let (s, _) = applied(text, Ty::String);
        assert!(s.get("enum").is_none(), "{s}");
        let re = regex::Regex::new(s["pattern"].as_str().unwrap_or_default()).unwrap();
        for ok in ["1", "1,4,5,6,7", "7"] {
            assert!(re.is_match(ok), "{ok}: {s}");
        }
        for bad in ["8", "1,,2", "1,", "a"] {
            assert!(!re.is_match(bad), "{bad}: {s}");
        }
        let (s, _) = applied("取值为：1,2,3,4,5,6,7。", Ty::String);
        assert_eq!(s["enum"], json!(["1", "2", "3", "4", "5", "6", "7"]), "{s}");
        let (s, _) = applied("多个类型用英文逗号分隔。取值为：a.b、c", Ty::String);
        assert_eq!(s["pattern"], r"^(?:a\.b|c)(?:,(?:a\.b|c))*$", "{s}");
    }

    /// Values stated for a value that is not empty ("不为空时…取值如下："): each item's values on
    /// a list field (an empty list has no item to break them), a note on a string (the empty
    /// string is a value the list leaves out), and any other condition keeps them a note.
    #[test]
    fn values_for_a_non_empty_value_bind_a_lists_items_only() {
        let text = "查询的类型。\n为空时表示查询全部。\n不为空时可查询一个或者多个类型，取值如下：\nbasic：基本信息。\nextra：附加信息。";
        let (s, a) = applied(text, Ty::Array(Box::new(Ty::String)));
        assert_eq!(s["items"]["enum"], json!(["basic", "extra"]), "{s}");
        assert!(s.get("x-notes").is_none() && a.unread.is_empty(), "{s}");
        let (s, _) = applied(text, Ty::String);
        assert!(s.get("enum").is_none(), "{s}");
        assert_eq!(s["x-notes"].as_array().map(Vec::len), Some(1), "{s}");
        let other = "不为空且type为a时，取值如下：\nbasic：基本信息。\nextra：附加信息。";
        let (s, _) = applied(other, Ty::Array(Box::new(Ty::String)));
        assert!(s["items"].get("enum").is_none(), "{s}");
        // The values glued after the intro in one paragraph read the same.
        let glued = "不为空时可查询多个类型，取值如下：basic：基本信息。extra：附加信息。";
        let (s, _) = applied(glued, Ty::Array(Box::new(Ty::String)));
        assert_eq!(s["items"]["enum"], json!(["basic", "extra"]), "{s}");
    }

    #[test]
    fn keywords_carry_their_phrases_and_conditions_stay_notes() {
        let (s, a) = applied(
            "长度为1-64。仅type为server时有效，取值范围：1-100",
            Ty::String,
        );
        assert_eq!(s["minLength"], 1);
        assert_eq!(s["maxLength"], 64);
        assert_eq!(s["x-phrases"]["maxLength"], "长度为1-64");
        assert_eq!(s["x-notes"][0], "仅type为server时有效，取值范围：1-100");
        assert!(s.get("minimum").is_none() && a.unread.is_empty());
    }

    /// Ranges labelled with their cases: the schema holds their span, each case a note; two
    /// advised ranges are no cases and both stay notes.
    #[test]
    fn labelled_case_ranges_become_their_span() {
        let (s, a) = applied(
            "磁盘大小，单位为GB\n系统盘取值范围：40~1024\n数据盘取值范围：100~32768",
            Ty::Integer,
        );
        assert_eq!(s["minimum"], 40);
        assert_eq!(s["maximum"], 32768);
        assert_eq!(
            s["x-notes"],
            json!(["系统盘取值范围：40~1024", "数据盘取值范围：100~32768"])
        );
        assert_eq!(
            s["x-phrases"]["minimum"],
            "系统盘取值范围：40~1024 / 数据盘取值范围：100~32768"
        );
        assert!(a.unread.is_empty(), "{:?}", a.unread);
        let (s, _) = applied("建议取值范围：10~20\n常用取值范围：1~100", Ty::Integer);
        assert!(
            s.get("minimum").is_none() && s.get("maximum").is_none(),
            "{s}"
        );
        // A case stating more than its range is not one of the cases' ranges.
        let (s, _) = applied(
            "系统盘取值范围：40~1024\n数据盘取值范围：100~32768，默认100",
            Ty::Integer,
        );
        assert!(s.get("maximum").is_none(), "{s}");
    }

    /// A string of two numbers shown by its example, each in the row's range with the decimal
    /// places it states: the pattern of such pairs; without the places, or with an example
    /// the range refuses, nothing is guessed.
    #[test]
    fn a_pair_of_decimals_takes_its_range_as_a_pattern() {
        let row = |range: &str, places: &str, example: &str| {
            format!("网卡预绑定比例配置，默认配置示例如下：\n\"{example}\"\n第一位小数：低水位\n第二位小数：高水位\n取值范围：{range}{places}; 低水位 <= 高水位\n仅在turbo集群时，该字段才可配置。")
        };
        let (s, a) = applied(&row("[0.0, 1.0]", "; 一位小数", "0.3:0.6"), Ty::String);
        let p = Regex::new(s["pattern"].as_str().unwrap_or_default()).unwrap();
        for good in ["0.3:0.6", "0.0:1.0", "1.0:1.0"] {
            assert!(p.is_match(good), "{p} must take {good}");
        }
        for bad in [
            "1.1:0.2",
            "0.3",
            "0.35:0.6",
            "1:0.5",
            "0.3:0.6:0.7",
            "0.3-0.6",
        ] {
            assert!(!p.is_match(bad), "{p} must refuse {bad}");
        }
        assert_eq!(
            s["x-phrases"]["pattern"],
            "取值范围：[0.0, 1.0] / 一位小数 / 0.3:0.6"
        );
        assert!(a.unread.is_empty(), "{:?}", a.unread);
        let (s, _) = applied(&row("[0.0, 1.0]", "", "0.3:0.6"), Ty::String);
        assert!(s.get("pattern").is_none(), "no decimal places stated: {s}");
        let (s, _) = applied(&row("[0.0, 1.0]", "; 一位小数", "0.3:1.6"), Ty::String);
        assert!(s.get("pattern").is_none(), "an example out of range: {s}");
        let (s, _) = applied(&row("[0.0, 1.0]", "; 一位小数", "0.3"), Ty::String);
        assert!(s.get("pattern").is_none(), "one number: {s}");
    }

    #[test]
    fn a_rule_the_type_cannot_hold_is_unread() {
        let (s, a) = applied("取值范围：0.5~2.5", Ty::String);
        assert!(s.get("minimum").is_none() && s.get("pattern").is_none());
        assert_eq!(a.unread, vec!["取值范围：0.5~2.5".to_string()]);
        let (s, _) = applied("缺省值：abc", Ty::Integer);
        assert!(s.get("default").is_none());
        let (s, _) = applied("取值为true或者false。", Ty::Boolean);
        assert!(
            s.get("enum").is_none(),
            "a boolean's two values restate its type"
        );
        let (s, _) = applied("只支持true。", Ty::Boolean);
        assert_eq!(s["enum"], json!([true]), "one value is a rule");
        let (s, a) = applied("最大为5个。", Ty::String);
        assert!(s.get("maxItems").is_none() && a.unread.len() == 1, "{s}");
    }

    #[test]
    fn typed_values_and_array_items() {
        let (s, _) = applied("取值范围：4、6\n缺省值：4", Ty::Integer);
        assert_eq!(s["enum"], json!([4, 6]));
        assert_eq!(s["default"], 4);
        let (s, _) = applied(
            "数组长度：1 - 20\n取值1-7",
            Ty::Array(Box::new(Ty::Integer)),
        );
        assert_eq!(
            (s["minItems"].clone(), s["maxItems"].clone()),
            (json!(1), json!(20))
        );
        assert_eq!(s["items"]["maximum"], 7);
        let (s, _) = applied("不能为空", Ty::Array(Box::new(Ty::String)));
        assert_eq!(s["minItems"], 1);
        let (s, _) = applied("偏移量为一个大于0的整数。缺省值：0", Ty::Integer);
        assert!(
            s.get("exclusiveMinimum").is_none() && s["default"] == 0,
            "{s}"
        );
        let (s, _) = applied("缺省值：9\n取值范围：1-5", Ty::Integer);
        assert!(
            s.get("default").is_none(),
            "a default outside the range is not the contract"
        );
    }

    #[test]
    fn one_keyword_stated_twice_differently_is_a_note() {
        let (s, _) = applied(
            "Redis3.0：实例取值：2、4、8。\nRedis4.0：实例取值：0.5、1、2。",
            Ty::Number,
        );
        assert!(s.get("enum").is_none());
        assert_eq!(s["x-notes"].as_array().map(Vec::len), Some(2));
    }

    #[test]
    fn phrases_read_as_documented() {
        assert!(CASES.len() >= 100, "{} cases", CASES.len());
        let failures = differing(CASES);
        assert!(
            failures.is_empty(),
            "{} of {} cases differ:\n{}",
            failures.len(),
            CASES.len(),
            failures.join("\n")
        );
    }
}
