//! Facts stated in a field's description: length limits, character sets, time formats,
//! nullability and numeric bounds, in Chinese or English.
//!
//! Each fact is recognised by a phrase pattern, never by field or page name, so that unseen pages
//! written in the same style derive the same way.

use std::sync::LazyLock;

use regex::Regex;
use serde_json::{json, Map, Value};

fn re(pattern: &str) -> Regex {
    crate::statics::regex(pattern)
}

static MAX_BYTES: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    vec![
        re(r"最大(?:支持|长度为?|长度是)?\s*(\d+)\s*个?字节"),
        re(r"不超过\s*(\d+)\s*个?字节"),
        re(r"(?i)maximum of (\d+) bytes"),
        re(r"(?i)(?:at most|up to|no more than) (\d+) bytes"),
    ]
});
static MAX_CHARS: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    vec![
        re(r"最大(?:长度|支持)?为?\s*(\d+)\s*个?\s*(?:Unicode)?\s*字符"),
        re(r"不超过\s*(\d+)\s*个?\s*(?:Unicode)?\s*字符"),
        re(r"(?i)maximum of (\d+) (?:unicode )?characters"),
        re(r"(?i)(?:at most|up to|no more than) (\d+) (?:unicode )?characters"),
    ]
});
static CHAR_RANGE: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)(\d+)\s*(?:-|~|～|到|至|to)\s*(\d+)\s*(?:个)?\s*(?:unicode\s*)?(?:字符|characters)")
});
static NOT_EMPTY: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)不能为空|不可为空|不允许为空|cannot be empty|can't be empty|must not be empty")
});
static NULLABLE: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)可以为\s*null|可为\s*null|can be null"));
static TIME_FORMAT: LazyLock<Regex> = LazyLock::new(|| {
    // Upper case (`YYYY-MM-DDTHH:MM:SS`) and Java's letters (`yyyy-MM-ddTHH:mm:ss`, the VPC
    // pages' style) both: a digit is a digit whatever letter stands for it.
    re(r"(?:时间格式|[Tt]ime format)\s*[:：]\s*(?:UTC\s*)?([YyMmDdHhSsTXZ:\-.]+[YyMmDdHhSsX])")
});
static MINIMUM: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)最小值\s*(?:为|是)?\s*(-?\d+)|minimum value is (-?\d+)"));
static MAXIMUM: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)最大值\s*(?:为|是)?\s*(-?\d+)|maximum value is (-?\d+)"));
// `支持` alone ("支持汉字，英文，数字") is a cue too; one after 不 ("不支持中文") lists what is
// refused and is skipped where the cue is used.
static ALLOWED_CHARS: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)(?:可以为|可以是|可以包含|可包含|只能包含|只包含|仅包含|仅可包含|只能由|只能是|仅支持|目前只支持|只支持|支持包含|支持|can contain only|can only contain|can contain|consists of)",
    )
});

// A default written after its label: `缺省值： ${host}`, `默认值为abc`.
static DEFAULT_VALUE: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?:缺省值|默认值)\s*(?:为|是)?\s*[:：]?\s*([!-~]+)"));

/// Constraints found in one description.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Facts {
    /// A UTF-8 byte limit (`x-maxBytes`).
    pub max_bytes: Option<u64>,
    /// A character limit (`maxLength`).
    pub max_chars: Option<u64>,
    /// A minimum character count (`minLength`).
    pub min_chars: Option<u64>,
    /// An anchored regex for the allowed characters.
    pub pattern: Option<String>,
    /// The value may be JSON null.
    pub nullable: bool,
    /// Numeric bounds.
    pub minimum: Option<i64>,
    /// Numeric bounds.
    pub maximum: Option<i64>,
}

fn first_number(patterns: &[Regex], text: &str) -> Option<u64> {
    patterns
        .iter()
        .find_map(|p| p.captures(text).and_then(|c| c[1].parse().ok()))
}

fn signed(pattern: &Regex, text: &str) -> Option<i64> {
    let c = pattern.captures(text)?;
    c.get(1).or(c.get(2))?.as_str().parse().ok()
}

impl Facts {
    /// Reads every fact the text states.
    pub fn read(text: &str) -> Facts {
        let mut facts = Facts {
            max_bytes: first_number(&MAX_BYTES, text),
            max_chars: first_number(&MAX_CHARS, text),
            nullable: NULLABLE.is_match(text),
            minimum: signed(&MINIMUM, text),
            maximum: signed(&MAXIMUM, text),
            ..Facts::default()
        };
        if let Some(c) = CHAR_RANGE.captures(text) {
            facts.min_chars = c[1].parse().ok();
            facts.max_chars = facts.max_chars.or_else(|| c[2].parse().ok());
        }
        if NOT_EMPTY.is_match(text) {
            facts.min_chars = Some(facts.min_chars.unwrap_or(1).max(1));
        }
        if let Some(c) = TIME_FORMAT.captures(text) {
            facts.pattern = Some(time_pattern(&c[1]));
        } else if let Some(class) = one_char_class(text) {
            facts.pattern = Some(format!("^[{class}]$"));
        } else if let Some(allowed) = allowed_class(text) {
            // Empty is allowed unless a minimum length says otherwise.
            let repeat = if facts.min_chars.unwrap_or(0) >= 1 {
                '+'
            } else {
                '*'
            };
            let class = &allowed.class;
            let pattern = if allowed.absolute_path {
                // An absolute path starts with its separator, and separates its parts by it.
                let slash = if class.contains('/') { "" } else { "/" };
                format!("^/[{class}{slash}]*$")
            } else {
                format!("^[{class}]{repeat}$")
            };
            // A default the class refuses (`缺省值：${host}`): the list is not the whole story.
            let refused = DEFAULT_VALUE.captures_iter(text).any(|c| {
                Regex::new(&pattern)
                    .is_ok_and(|p| !p.is_match(c[1].trim_end_matches(['。', '，', ','])))
            });
            if !refused {
                facts.pattern = Some(pattern);
            }
        } else if let Some(class) = refused_class(text) {
            facts.pattern = Some(format!("^[^{class}]*$"));
        }
        facts
    }

    /// Adds the facts to a string schema as JSON Schema keywords.
    pub fn apply_to_string(&self, schema: &mut Map<String, Value>) {
        if let Some(n) = self.max_bytes {
            schema.insert("x-maxBytes".into(), json!(n));
        }
        if let Some(n) = self.max_chars {
            schema.insert("maxLength".into(), json!(n));
        }
        if let Some(n) = self.min_chars {
            schema.insert("minLength".into(), json!(n));
        }
        if let Some(p) = &self.pattern {
            schema.insert("pattern".into(), json!(p));
        }
    }

    /// Adds only the pattern (allowed characters, time layout): the rest of a request row's
    /// rules come from the constraint reader.
    pub fn apply_pattern(&self, schema: &mut Map<String, Value>) {
        if let Some(p) = &self.pattern {
            schema.insert("pattern".into(), json!(p));
        }
    }

    /// Adds numeric bounds to an integer or number schema.
    pub fn apply_to_number(&self, schema: &mut Map<String, Value>) {
        if let Some(n) = self.minimum {
            schema.insert("minimum".into(), json!(n));
        }
        if let Some(n) = self.maximum {
            schema.insert("maximum".into(), json!(n));
        }
    }
}

/// Translates a documented time layout ("YYYY-MM-DDTHH:MM:SS.XXXXXX", or Java's
/// "yyyy-MM-ddTHH:mm:ss") into an anchored regex.
pub fn time_pattern(layout: &str) -> String {
    let mut out = String::from("^");
    let chars: Vec<char> = layout.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let run = chars[i..].iter().take_while(|&&x| x == c).count();
        match c {
            'Y' | 'M' | 'D' | 'H' | 'S' | 'X' | 'y' | 'm' | 'd' | 'h' | 's' => {
                out.push_str(&format!("\\d{{{run}}}"))
            }
            '.' => out.push_str(&"\\.".repeat(run)),
            // RFC 3339 (section 5.6, NOTE) allows the date-time separator in lower case.
            'T' => out.push_str(&"[Tt]".repeat(run)),
            other => out.push_str(&regex::escape(&other.to_string().repeat(run))),
        }
        i += run;
    }
    out.push('$');
    out
}

/// The characters a value may hold, as a regex class body.
struct Allowed {
    /// The class body (`A-Za-z0-9_`).
    class: String,
    /// The list names the characters of an absolute path ("…、下划线的绝对路径"): the value
    /// starts with `/` and holds `/` between its parts besides the class.
    absolute_path: bool,
}

/// A character class from a sentence listing the allowed characters: each item is a character
/// named in parentheses or quotes (`中划线（-）`, `_（下划线）`, `“-”`), a class word
/// (`字母`, `数字`, `下划线`, "letters", "digits") or a run of punctuation (`特殊字符：!$&`).
/// `None` when any item is none of these (`中文`, `等`, a character the conversion lost): a
/// class that left out what the page allows would fail correct values, so every item must be
/// read. A sentence under a condition, or about one part of the value (`单个字符串…`), states no
/// rule for the whole value.
fn allowed_class(text: &str) -> Option<Allowed> {
    // An ASCII comma beside Chinese text separates items ("只能包含字母,数字,-和_"); one between
    // ASCII characters may be one of the characters listed.
    let text = &wide_commas(text);
    let mut cues = ALLOWED_CHARS
        .find_iter(text)
        // "不支持中文": what follows is refused, not allowed.
        .filter(|m| !text[..m.start()].ends_with('不'))
        .peekable();
    if cues.peek().is_none() {
        return composed_class(text).map(|class| Allowed {
            class,
            absolute_path: false,
        });
    }
    // The first cue whose list reads wholly: "支持一个或多个值" before the list is no list.
    cues.find_map(|cue| class_after_cue(text, cue.start(), cue.end(), cue.as_str()))
}

// "仅支持一个字符，必须为大小写字母，数字和“!@#”其中的某一字符": one character of the class the
// list names (group 1).
static ONE_CHAR: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?:仅支持|只支持|只能(?:是|为|包含)?)\s*(?:一个|1个|单个)字符\s*[，,]\s*(?:且)?(?:必须|只能)(?:为|是)\s*([^。；]+?)\s*(?:其中|之中|中)的(?:某一|任一|任意一|一)个?字符",
    )
});
// A run of punctuation in quotes inside such a list (`“!@#$%”`): the characters themselves.
static QUOTED_RUN: LazyLock<Regex> = LazyLock::new(|| re(r#"[“"]([!-~]+?)[”"]"#));

/// The class of a value that is one character of a listed set, as a class body.
fn one_char_class(text: &str) -> Option<String> {
    let c = ONE_CHAR.captures(text)?;
    let before = &text[..c.get(0)?.start()];
    if super::constraints::is_conditional(before) {
        return None;
    }
    let list = QUOTED_RUN.replace_all(c.get(1)?.as_str(), "$1");
    class_of_list(&list.replace('，', "、"), true)
}

// "不能包含!<>=&\"'字符", "不可包含特殊字符&<>\"'/": characters refused, written as a run of
// ASCII punctuation (group 2) closing its clause, Chinese characters perhaps named before it
// (`han`: "不能包含中文以及&!"); a run with a letter, a digit or another word in it is no such
// list.
static REFUSED_RUN: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?:不能|不可|不得|不允许)(?:包含|含有)\s*(?:特殊字符|以下字符|字符)?\s*[:：]?\s*(?P<han>(?:中文|汉字)(?:以及|及|和|、))?([!-/:-@\[-`{-~]+?)\s*(?:等)?(?:特殊)?(?:字符)?\s*(?:$|[，。；])",
    )
});

// "cannot contain the following special characters: <>()\"'&": the English form; the run ends
// at a space or the text's end, a full stop closing it being the sentence's.
static REFUSED_RUN_EN: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)(?:cannot|can't|must not|may not) contain (?:any of )?the following (?:special )?characters\s*:\s*([!-/:-@\[-`{-~]+?)\.?(?:$|\s)",
    )
});

/// The class of the characters a sentence refuses, as a class body; `None` under a condition
/// or about one part of the value.
fn refused_class(text: &str) -> Option<String> {
    let c = REFUSED_RUN
        .captures(text)
        .or_else(|| REFUSED_RUN_EN.captures(text))?;
    let start = c.get(0)?.start();
    let before = &text[..start];
    let sentence_start = before
        .rfind(['。', '；'])
        .map_or(0, |i| i + '。'.len_utf8());
    let before = &before[sentence_start..];
    if super::constraints::is_conditional(before) || PART_OF_VALUE.is_match(before) {
        return None;
    }
    // `\"` is a quote escaped in the page's source (`;|&>'<$!\"`), not a backslash refused;
    // `\\` is one backslash.
    let run = c
        .get(2)
        .or_else(|| c.get(1))?
        .as_str()
        .replace("\\\"", "\"")
        .replace("\\\\", "\\");
    let mut class: Vec<String> = Vec::new();
    if c.name("han").is_some() {
        class.push(HAN.to_string());
    }
    for part in run.chars().map(class_char) {
        if !class.contains(&part) {
            class.push(part);
        }
    }
    Some(class.concat())
}

/// The class of the list after one cue word, `None` when the list cannot be read whole.
fn class_after_cue(text: &str, cue_start: usize, cue_end: usize, cue: &str) -> Option<Allowed> {
    let han = |s: &str| s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
    // A Chinese list runs to the next comma; an English one separates its items with commas.
    let chinese = han(cue);
    let ends: &[char] = if chinese {
        // Not the ASCII `;`: it may be one of the characters listed.
        &['。', '；', '，']
    } else {
        &['。', ';', '；']
    };
    let before_cue = &text[..cue_start];
    let sentence_start = [
        before_cue.rfind('。').map(|i| i + '。'.len_utf8()),
        before_cue.rfind('；').map(|i| i + '；'.len_utf8()),
        before_cue.rfind(';').map(|i| i + 1),
        before_cue.rfind(". ").map(|i| i + 2),
    ]
    .into_iter()
    .flatten()
    .max()
    .unwrap_or(0);
    let before = &before_cue[sentence_start..];
    if super::constraints::is_conditional(before) || PART_OF_VALUE.is_match(before) {
        return None;
    }
    // "支持包含：数字、…": the colon after the cue opens the list.
    let rest = text[cue_end..].trim_start_matches([':', '：']);
    let end = if chinese {
        rest.find(ends).unwrap_or(rest.len())
    } else {
        [
            rest.find(ends),
            rest.find(". "),
            rest.strip_suffix('.').map(str::len),
        ]
        .into_iter()
        .flatten()
        .min()
        .unwrap_or(rest.len())
    };
    // "…和中划线且不能以数字开头": the list ends where a rule on its first character starts.
    let end = RULE_AFTER_LIST
        .find(&rest[..end])
        .map_or(end, |m| m.start());
    let mut list = trim_list(&rest[..end]).to_string();
    // "支持包含：数字、大小写字母、点、中划线、下划线的绝对路径": the characters of a path's parts.
    let absolute_path = match list.strip_suffix("的绝对路径") {
        Some(items) => {
            list = items.to_string();
            true
        }
        None => false,
    };
    // A path's list ends with the path: no items after it.
    if chinese && !absolute_path {
        // "支持汉字，英文，数字，下划线，且只能以英文开头": items may be cut by commas too; the
        // list goes on while each clause is items, and ends at a clause stating another rule.
        let mut at = end;
        while rest[at..].starts_with('，') {
            let from = at + '，'.len_utf8();
            let to = rest[from..].find(ends).map_or(rest.len(), |i| from + i);
            let clause = trim_list(&rest[from..to]);
            if clause.is_empty() || !items_read(clause) {
                // A clause that seems one more item but cannot be read ("中文", `“”` a
                // conversion emptied): the class would leave it out, so there is none.
                if looks_like_item(clause) {
                    return None;
                }
                break;
            }
            list.push('、');
            list.push_str(clause);
            at = to;
        }
    }
    // "另外可以使用DNS子域作为前缀": the words after the list, in its sentence, allow more than
    // it names.
    let after = &rest[end..];
    let sentence_end = after.find(['。', '\n']).unwrap_or(after.len());
    if ALLOWS_MORE.is_match(&after[..sentence_end]) {
        return None;
    }
    class_of_list(&list, chinese).map(|class| Allowed {
        class,
        absolute_path,
    })
}

// Words granting characters besides a list ("另外可以使用…作为前缀", "also", "prefix").
static ALLOWS_MORE: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)另外|此外|还可以|也可以|还支持|也支持|前缀|\balso\b|\bprefix"));

/// A list's words without what closes it ("…组成", "…的字符串", "…组成的合法字符串").
fn trim_list(list: &str) -> &str {
    list.trim()
        .trim_end_matches("的合法字符串")
        .trim_end_matches("的字符串")
        .trim_end_matches("组成")
        .trim_end_matches("的字符串")
        .trim()
}

/// Whether every item of a Chinese clause names characters.
fn items_read(clause: &str) -> bool {
    ZH_ITEM_SEP
        .split(clause)
        .map(str::trim)
        .filter(|i| !i.is_empty())
        .all(|i| item_class(i).is_some())
}

// Words of a clause that states another rule than one more allowed character.
static OTHER_RULE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)且|但|必须|须|不能|不可|不得|不支持|开头|结尾|长度|默认|例如|如|\d|\b(?:and|but|must)\b",
    )
});

/// Whether an unreadable clause after a list reads as one more item of it (short, no rule).
fn looks_like_item(clause: &str) -> bool {
    clause.chars().count() <= 8 && !OTHER_RULE.is_match(clause)
}

/// The text with each ASCII comma beside a character outside ASCII made a Chinese one.
fn wide_commas(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    chars
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            let wide =
                |j: Option<usize>| j.and_then(|j| chars.get(j)).is_some_and(|c| !c.is_ascii());
            if c == ',' && (wide(i.checked_sub(1)) || wide(Some(i + 1))) {
                '，'
            } else {
                c
            }
        })
        .collect()
}

/// "英文字母、数字、点、中连线组成" opening a sentence, without a cue before it: the list names
/// every character the value is made of. Only a list of two items or more, opening its
/// sentence (a list after other words may be about a part of the value).
fn composed_class(text: &str) -> Option<String> {
    let c = COMPOSED_OF.captures(text)?;
    class_of_list(c.get(1)?.as_str(), true)
}

/// The class of a list of allowed characters, `None` unless every item (two at least) is read.
fn class_of_list(list: &str, chinese: bool) -> Option<String> {
    let sep: &Regex = if chinese { &ZH_ITEM_SEP } else { &EN_ITEM_SEP };
    let mut class: Vec<String> = Vec::new();
    let mut items = 0;
    for item in sep.split(list) {
        let item = item.trim();
        if item.is_empty() {
            continue;
        }
        // "0-9/a-z/A-Z/_": ranges and characters set apart by slashes, each an item.
        if let Some(parts) = slash_run(item) {
            items += parts.len();
            for part in parts {
                if !class.contains(&part) {
                    class.push(part);
                }
            }
            continue;
        }
        for part in item_class(item)? {
            // Each character once: a doubled `&&` or `~~` is an operator in some dialects.
            if !class.contains(&part) {
                class.push(part);
            }
        }
        items += 1;
    }
    (items >= 2).then(|| class.concat())
}

// Words after a list of characters opening another rule ("且不能以数字开头", "但是不能以点开头").
static RULE_AFTER_LIST: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?:且|并且|但|但是)\s*(?:不能|不可|不得|必须|须|需|只能|要)"));
// A Chinese list of characters opening its sentence and closed by 组成 (no 由 or 只能由 before
// it, which the cue words read).
// "由…组成" opening the sentence (a list item's dash before it) is the same list.
static COMPOSED_OF: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?:^|[。；\n]|\s{2,})\s*(?:[-•]\s*)?由?((?:[^，。；、\s]{1,8}、)+[^，。；、\s]{1,8}?)\s*组成",
    )
});
// What cuts a list of allowed characters into items (never an ASCII comma in a Chinese list:
// it may be one of the characters).
static ZH_ITEM_SEP: LazyLock<Regex> = LazyLock::new(|| re(r"、|或者|以及|和|或|及"));
static EN_ITEM_SEP: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)\s*,\s*(?:and\s+|or\s+)?|\s+(?:and|or)\s+"));
// Words before the cue that make the list about one part of the value, not all of it, or
// about one case ("对于HMS平台是…，只能包含…").
// Two named parts ("service和item必须…，只能包含…" of a `service.item` value, "key和value…") make
// the list about each part.
static PART_OF_VALUE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)单个|每个|每段|分割|分隔|对于|\beach\b|\blabel\b|\bfor\b|[A-Za-z_]+\s*(?:和|与|及)\s*[A-Za-z_]+",
    )
});
// A character in quotes: “-”, "-", ’-’, '-'.
static QUOTED_CHAR: LazyLock<Regex> = LazyLock::new(|| re(r#"^[“”"'‘’]([!-~]{1,3})[“”"'‘’]$"#));
// A class word, alone or with its character after it in parentheses (`中划线(-)`).
// A class word with its character after it in quotes (`中划线"-"`, `下划线“_”`).
// Or right after it, bare (`下划线_`, `点.`, `中划线 -`).
static WORD_THEN_QUOTED: LazyLock<Regex> =
    LazyLock::new(|| re(r#"^(\p{Han}{1,6})\s*(?:[“”"'‘’]([!-~])[“”"'‘’]|([!-/:-@\[-`{-~]))$"#));
static CLASS_WORD: LazyLock<Regex> =
    LazyLock::new(|| re(r"^(?P<word>[^（()）]+?)\s*(?:[（(](?P<paren>[^）()]{1,5})[）)])?$"));

/// The class one item of the list stands for, or `None` when it cannot be read.
fn item_class(item: &str) -> Option<Vec<String>> {
    if let Some(c) = QUOTED_CHAR.captures(item) {
        return Some(c[1].chars().map(class_char).collect());
    }
    if let Some(run) = punctuation(item) {
        return Some(run);
    }
    // "特殊字符：!$&'()*+": the characters after the label.
    if let Some(rest) = item
        .strip_prefix("特殊字符")
        .map(|r| r.trim_start_matches(['：', ':']).trim())
    {
        return punctuation(rest);
    }
    // "中划线"-"": a class word, then its character in quotes; the word must name it.
    if let Some(c) = WORD_THEN_QUOTED.captures(item) {
        let named = class_word(&c[1])?;
        let char = c.get(2).or(c.get(3))?.as_str();
        let chars: Vec<String> = char.chars().map(class_char).collect();
        return (chars.concat() == named).then_some(chars);
    }
    if let Some(c) = CLASS_WORD.captures(item) {
        let word = c.name("word").map_or("", |m| m.as_str()).trim();
        match c.name("paren").map(|m| m.as_str().trim()) {
            // "空格（ ）": the character in the parentheses is blank, the word names it.
            Some("") => {}
            // "中划线（-）", "数字（0-9）": the character in the parentheses.
            Some(p) if p.is_ascii() => return Some(paren_class(p)),
            // "_（下划线）": the character before the word.
            Some(_) if word.is_ascii() => return punctuation(word),
            Some(_) => return None,
            None => {}
        }
        if let Some(class) = class_word(word) {
            return Some(vec![class.to_string()]);
        }
        return punctuation(word);
    }
    None
}

/// The class of a word naming characters ("字母", "digits"), if it names one.
fn class_word(word: &str) -> Option<&'static str> {
    let w = word.to_lowercase();
    // "英文" alone, "大小写英文": the letters; "英文格式的下划线": the ASCII underscore.
    if matches!(w.as_str(), "英文" | "大小写英文" | "英文大小写") {
        return Some("A-Za-z");
    }
    let w = w
        .trim_start_matches("英文格式的")
        .trim_start_matches("英文")
        .trim_start_matches("半角");
    Some(match w {
        "字母" | "大小写字母" | "letters" | "letter" | "english letters" => "A-Za-z",
        "数字字母" => "0-9A-Za-z",
        "字母数字" => "A-Za-z0-9",
        // The CJK Unified Ideographs block, written as the characters themselves so the class
        // reads the same in every regular expression dialect (no `\p{Han}`, no `\u` escape).
        "汉字" | "中文" | "中文字符" | "汉字字符" | "chinese characters" => HAN,
        "斜线" | "斜杠" | "正斜杠" | "正斜线" => "/",
        "等号" => "=",
        "感叹号" | "叹号" => "!",
        "加号" => "+",
        "井号" => "#",
        "百分号" => "%",
        "星号" => "*",
        "大写字母" | "uppercase letters" | "upper-case letters" => "A-Z",
        "小写字母" | "lowercase letters" | "lower-case letters" => "a-z",
        "数字" | "digits" | "numbers" | "digit" => "0-9",
        "中划线" | "中连线" | "连字符" | "短横线" | "中横线" | "hyphens" | "hyphen" => {
            r"\-"
        }
        "下划线" | "underscores" | "underscore" => "_",
        "点" | "点号" | "句点" | "句号" | "小数点" | "periods" | "period" | "dots" | "dot" => {
            "."
        }
        "空格" | "spaces" | "space" => " ",
        "冒号" | "colons" | "colon" => ":",
        _ => return None,
    })
}

/// The class part of the Chinese characters (CJK Unified Ideographs, U+4E00 to U+9FA5).
const HAN: &str = "\u{4e00}-\u{9fa5}";

/// A run of ASCII punctuation written as is (`-`, `_~';@^`): each character literally.
fn punctuation(run: &str) -> Option<Vec<String>> {
    let run = run.trim();
    (!run.is_empty() && run.chars().all(|c| c.is_ascii_punctuation() || c == ' '))
        .then(|| run.chars().filter(|c| *c != ' ').map(class_char).collect())
}

// Ranges of letters or digits and single ASCII characters set apart by slashes, one range at
// least ("0-9/a-z/A-Z/_/-"): the slash separates, it is none of the characters.
static SLASH_RUN: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"^(?:[0-9]-[0-9]|[a-z]-[a-z]|[A-Z]-[A-Z]|[!-.:-@\[-`{-~])(?:/(?:[0-9]-[0-9]|[a-z]-[a-z]|[A-Z]-[A-Z]|[!-.:-@\[-`{-~]))+$",
    )
});

/// The class parts of a slash-separated run of ranges and characters, where it has a range.
fn slash_run(item: &str) -> Option<Vec<String>> {
    if !SLASH_RUN.is_match(item) {
        return None;
    }
    let parts: Vec<&str> = item.split('/').collect();
    if !parts.iter().any(|p| p.len() == 3) {
        return None;
    }
    Some(
        parts
            .into_iter()
            .map(|p| match p.len() {
                3 => p.to_string(),
                _ => p.chars().map(class_char).collect(),
            })
            .collect(),
    )
}

/// "0-9", "A-Z" or single characters named in parentheses.
fn paren_class(item: &str) -> Vec<String> {
    let chars: Vec<char> = item.chars().collect();
    if chars.len() == 3 && chars[1] == '-' && chars[0] < chars[2] {
        vec![format!("{}-{}", class_char(chars[0]), class_char(chars[2]))]
    } else {
        chars.into_iter().map(class_char).collect()
    }
}

fn class_char(c: char) -> String {
    match c {
        '-' | ']' | '[' | '\\' | '^' => format!("\\{c}"),
        _ => c.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("云硬盘快照名称。最大支持255个字节。", Some(255), None)]
    #[case(
        "The snapshot name, which can contain a maximum of 255 bytes.",
        Some(255),
        None
    )]
    #[case("最大长度为255个Unicode字符。", None, Some(255))]
    #[case("最大长度255个Unicode字符，不能为空。", None, Some(255))]
    #[case("The value can contain a maximum of 64 characters.", None, Some(64))]
    #[case("快照ID。", None, None)]
    fn length_limits_are_bytes_or_characters(
        #[case] text: &str,
        #[case] bytes: Option<u64>,
        #[case] chars: Option<u64>,
    ) {
        let f = Facts::read(text);
        assert_eq!((f.max_bytes, f.max_chars), (bytes, chars));
    }

    #[test]
    fn allowed_characters_become_a_pattern() {
        let f = Facts::read("最大长度255个Unicode字符，不能为空。可以为大写字母（A-Z）、小写字母（a-z）、数字（0-9）、中划线（-）、下划线（_）、冒号（:）和小数点（.）。");
        assert_eq!(f.pattern.as_deref(), Some(r"^[A-Za-z0-9\-_:.]+$"));
        assert_eq!(f.min_chars, Some(1));
        let re = Regex::new(f.pattern.as_deref().unwrap()).unwrap();
        assert!(re.is_match("a-b_c:d.e9"));
        assert!(!re.is_match("a b"));
        assert!(!re.is_match("键"));
    }

    #[test]
    fn characters_named_in_parentheses_join_the_class() {
        let f = Facts::read(
            "取值范围：0-64个字符，支持数字、字母、中文、_(下划线)、-（中划线）、.（点）",
        );
        assert_eq!(f.pattern.as_deref(), Some("^[0-9A-Za-z一-龥_\\-.]*$"));
        assert_eq!(f.max_chars, Some(64));
    }

    /// Shapes of the freshest sets (session 47): Chinese characters as a class, `支持` and
    /// `只支持` as cues, items cut by commas, a class word with its character bare after it,
    /// more class words. `accepted` must match the pattern and `refused` must not.
    #[rstest]
    #[case(
        "不超过60个字符，只支持英文字母、数字、汉字、下划线和中划线",
        Some("^[A-Za-z0-9一-龥_\\-]*$"),
        "云手机-a_1",
        "a b"
    )]
    #[case(
        "英文字母、数字、中文组成",
        Some("^[A-Za-z0-9一-龥]*$"),
        "名称a1",
        "a-b"
    )]
    #[case(
        "仅支持数字、字母、_（下划线）、-（中划线）、中文",
        Some("^[0-9A-Za-z_\\-一-龥]*$"),
        "中文_a-1",
        "a.b"
    )]
    #[case(
        "由英文字母、数字、下划线、中划线、中文字符组成",
        Some("^[A-Za-z0-9_\\-一-龥]*$"),
        "键_a-1",
        "a.b"
    )]
    #[case(
        "The name can contain only letters, digits and Chinese characters.",
        Some("^[A-Za-z0-9一-龥]*$"),
        "名a1",
        "a_b"
    )]
    // Items cut by Chinese commas run on until a clause states another rule.
    #[case(
        "支持汉字，英文，数字，下划线，且只能以英文和汉字开头，3 ~ 64字符",
        Some("^[一-龥A-Za-z0-9_]+$"),
        "策略_a1",
        "a-b"
    )]
    #[case(
        "仅可包含大小写字母，数字，下划线，1到64个字符",
        Some("^[A-Za-z0-9_]+$"),
        "ds_1",
        "ds-1"
    )]
    #[case(
        "支持英文，数字，“_”,“-”,“!”,“@”,“#”,“$”,“%”,且只能以英文或数字开头，8 ~ 64个字符",
        Some("^[A-Za-z0-9_\\-!@#$%]+$"),
        "a_-!@#$%1",
        "a+b"
    )]
    #[case(
        "支持英文，+_!@#$%/=，且只能以英文和+、/开头，64-180个字符",
        Some("^[A-Za-z+_!@#$%/=]+$"),
        "ab+/=",
        "a1"
    )]
    // An item a conversion emptied (`“”`) leaves the list unread: no class at all.
    #[case(
        "密钥支持英文，数字，“”,“-”,“”,“!”,且只能以英文或数字开头，8 ~ 64个字符",
        None,
        "",
        ""
    )]
    // ASCII commas beside Chinese words separate items; "但是…" closes the list.
    #[case("只能包含字母,数字,-和_", Some("^[A-Za-z0-9\\-_]*$"), "a-_1", "a.b")]
    #[case(
        "以小写字母开头只能包含字母、数字和_,长度3-28位",
        Some("^[A-Za-z0-9_]*$"),
        "plan_1",
        "plan-1"
    )]
    #[case(
        "名称只能包含数字字母，下划线，感叹号，中划线，点，但是不能以点开头",
        Some("^[0-9A-Za-z_!\\-.]*$"),
        "a!b.c-d_1",
        "a b"
    )]
    // More cues and class words: 目前只支持, 只支持, 斜线, 等号, 空格, 英文格式的下划线.
    #[case(
        "以/开头，最大长度4096字节，目前只支持大小写字母、数字、点（.）、斜线（/）、中划线（-）、空格、下划线（_）、等号（=），不支持中文",
        Some("^[A-Za-z0-9./\\- _=]*$"),
        "/a b/c=d_e-1.txt",
        "/文件"
    )]
    #[case(
        "最大长度为1024字节，只支持大小写字母、数字、下划线_、点.、斜线/、冒号:、中划线 -",
        Some("^[A-Za-z0-9_./:\\-]*$"),
        "/a/b-1.apk:x_y",
        "a b"
    )]
    #[case(
        "支持英文字母、数字、英文格式的下划线、中划线，斜线（/）、点、冒号，1 ~ 255个字符",
        Some("^[A-Za-z0-9_\\-/.:]+$"),
        "a/b.c:d-e_1",
        "a b"
    )]
    #[case(
        "节点组名称，最大长度64，支持大小写英文、数字以及“_”",
        Some("^[A-Za-z0-9_]*$"),
        "group_1",
        "group-1"
    )]
    // The characters of an absolute path: it starts with `/` and separates its parts by it.
    #[case(
        "支持包含：数字、大小写字母、点、中划线、下划线的绝对路径",
        Some(r"^/[0-9A-Za-z.\-_/]*$"),
        "/home/user_1/data-2.d",
        "home/user"
    )]
    #[case(
        "磁盘挂载路径。仅在用户配置中生效。支持包含：数字、大小写字母、点、中划线、下划线的绝对路径。",
        Some(r"^/[0-9A-Za-z.\-_/]*$"),
        "/mnt/a.b",
        "/mnt/a b"
    )]
    // Not a list of characters: other words after the cue, what is refused.
    #[case("ACL策略值，支持一个或多个值，使用英文半角逗号分隔", None, "", "")]
    #[case("不支持中文、空格", None, "", "")]
    #[case("支持汉字", None, "", "")]
    // Words after the list allowing more than it names.
    #[case(
        "必须以字母或数字开头，可以包含字母、数字、连字符、下划线和点，最长63个字符；另外可以使用DNS子域作为前缀",
        None,
        "",
        ""
    )]
    #[case(
        "Can contain only letters, digits and hyphens; a DNS subdomain may also be used as a prefix.",
        None,
        "",
        ""
    )]
    fn allowed_character_shapes_of_the_fresh_sets(
        #[case] text: &str,
        #[case] expected: Option<&str>,
        #[case] accepted: &str,
        #[case] refused: &str,
    ) {
        pattern_reads(text, expected, accepted, refused);
    }

    /// The text reads as `expected` (or as no pattern), which takes `accepted` and refuses
    /// `refused`.
    fn pattern_reads(text: &str, expected: Option<&str>, accepted: &str, refused: &str) {
        let f = Facts::read(text);
        assert_eq!(f.pattern.as_deref(), expected, "{text}");
        if let Some(p) = expected {
            let re = Regex::new(p).unwrap();
            assert!(re.is_match(accepted), "{p} must take {accepted}");
            assert!(!re.is_match(refused), "{p} must refuse {refused}");
        }
    }

    /// Sentences listing allowed characters, in the shapes of the pages: a class must hold
    /// every character the sentence allows (a class that lost the letters fails every correct
    /// value), so a list with an item that cannot be read, a condition, or a rule about one
    /// part of the value makes no pattern.
    #[rstest]
    #[case(
        "cookie名称。 格式：仅支持字母、数字、中划线(-)、下划线(_)和点号(.)。",
        Some(r"^[A-Za-z0-9\-_.]*$")
    )]
    #[case("只能包含数字、字母、’-’、’.’", Some(r"^[0-9A-Za-z\-.]*$"))]
    #[case(
        "只能包含英文字母、数字、“-”或“.”，且必须以字母或数字开头",
        Some(r"^[A-Za-z0-9\-.]*$")
    )]
    #[case(
        "由英文字符开头，只能由英文字母、数字、中划线和下划线组成，长度为1~64的字符",
        Some(r"^[A-Za-z0-9\-_]*$")
    )]
    #[case(
        "只能包含英文字母和特殊字符：!$&'()*+,-./:;=?@^_`",
        Some(r"^[A-Za-z!$&'()*+,\-./:;=?@\^_`]*$")
    )]
    #[case("只能包含大写字母、小写字母、数字、-和_", Some(r"^[A-Za-z0-9\-_]*$"))]
    #[case(
        "The name can contain only letters, digits, hyphens (-), and underscores (_).",
        Some(r"^[A-Za-z0-9\-_]*$")
    )]
    #[case(
        "名称只能由字母（a-z）、中划线（-）、空格（ ）和冒号（:）组成",
        Some(r"^[a-z\- :]*$")
    )]
    // A list opening its sentence, closed by 组成 (APIG's rules on parameter names).
    #[case(
        "英文字母、数字、点、中连线组成\n必须以英文字母开头，最长32字节",
        Some(r"^[A-Za-z0-9.\-]*$")
    )]
    #[case("名称由英文字母、数字、中连线组成", None)]
    // A class word with its character in quotes; a word naming another character reads nothing.
    #[case(
        "只能包含数字、字母、中划线\"-\"和下划线\"_\"",
        Some(r"^[0-9A-Za-z\-_]*$")
    )]
    #[case("只能包含数字、字母、中划线\"_\"", None)]
    // More cue words, and a rule on the first character closing the list.
    #[case(
        "名称只能包含数字、英文字母、下划线和中划线且不能以数字开头，长度在5-32字符之间",
        Some(r"^[0-9A-Za-z_\-]+$")
    )]
    #[case(
        "必须以字母开头，可以包含字母、数字、中划线或者下划线，不能包含其他的特殊字符",
        Some(r"^[A-Za-z0-9\-_]*$")
    )]
    #[case("只能包含字母、数字等", None)]
    #[case("只能包含英文字母、数字、“-”、“.”或“”，必须以字母、数字或“”开头", None)]
    #[case(
        "当type为HOST_NAME时，取值范围：String (100)，字符串只能包含英文字母、数字、“-”或“.”",
        None
    )]
    #[case(
        "总长度为0-100，字符串间以\".\"分割，单个字符串长度不超过63个字符，只能包含英文字母、数字或\"-\"",
        None
    )]
    #[case("The value can contain 1 to 64 characters.", None)]
    #[case("只能包含字母", None)]
    #[case("主机名。只能包含英文字母、数字、“-”、“.”。 缺省值： ${host}", None)]
    #[case(
        "对于HMS平台是APP SECRET， 只能包含英文字母和数字，32到64个字符。",
        None
    )]
    fn allowed_character_sentences(#[case] text: &str, #[case] expected: Option<&str>) {
        let f = Facts::read(text);
        assert_eq!(f.pattern.as_deref(), expected, "{text}");
        if let Some(p) = expected {
            let re = Regex::new(p).unwrap();
            assert!(re.is_match("ab-"), "{p} must take letters and hyphens");
            assert!(
                !re.is_match("键"),
                "{p} must refuse what the list leaves out"
            );
        }
    }

    /// Shapes of the freshest set (session 49), written anew: a list closed by "组成的合法字符串"
    /// after "只能是"; one character of a class; characters refused as a run of punctuation
    /// (the class of everything else). A condition, a word among the refused characters or a
    /// run about one part of the value makes no pattern.
    #[rstest]
    #[case(
        "分组名称，名称只能是中文、字母、数字、下划线或中划线组成的合法字符串，长度为1-50位",
        Some("^[一-龥A-Za-z0-9_\\-]*$"),
        "分组_a-1",
        "a b"
    )]
    #[case(
        "分隔符仅支持一个字符，必须为大小写字母，数字和“!@#$%^&*_=|?/':.;,”其中的某一字符。",
        Some("^[A-Za-z0-9!@#$%\\^&*_=|?/':.;,]$"),
        ";",
        "ab"
    )]
    #[case(
        "审核意见，限制长度为[0,512]，且不能包含!<>=&\"'字符",
        Some("^[^!<>=&\"']*$"),
        "好的",
        "a<b"
    )]
    #[case(
        "配置说明，不可包含特殊字符&<>\"'/，缺省值为空。",
        Some("^[^&<>\"'/]*$"),
        "a b",
        "a/b"
    )]
    #[case(
        "描述，不能包含^!<>=&\"'特殊字符",
        Some("^[^\\^!<>=&\"']*$"),
        "ab",
        "a^b"
    )]
    #[case(
        "参数，不能包含;|&>'<$!\\\"特殊字符，可为空",
        Some("^[^;|&>'<$!\"]*$"),
        "a\\b",
        "a!b"
    )]
    #[case(
        "The description cannot contain the following special characters: <>()\"'&",
        Some("^[^<>()\"'&]*$"),
        "a b",
        "a&b"
    )]
    #[case(
        "The name cannot contain any of the following characters: =*<>\\\\,|/.",
        Some("^[^=*<>\\\\,|/]*$"),
        "a.b",
        "a/b"
    )]
    #[case("The name cannot contain the following characters: abc", None, "", "")]
    #[case(
        "只能以英文字母开头，不能包含中文以及&!'<>=，不超过36个字符",
        Some("^[^一-龥&!'<>=]*$"),
        "ab",
        "a中"
    )]
    #[case("不能包含abc字符", None, "", "")]
    #[case("不能包含空格以及&!<>", None, "", "")]
    #[case("若为空，不能包含<>字符", None, "", "")]
    #[case("每个标签不能包含<>字符", None, "", "")]
    fn one_character_and_refused_characters(
        #[case] text: &str,
        #[case] pattern: Option<&str>,
        #[case] accepted: &str,
        #[case] refused: &str,
    ) {
        pattern_reads(text, pattern, accepted, refused);
    }

    /// Ranges and characters set apart by slashes (CES: `0-9/a-z/A-Z/_`) are the allowed
    /// characters, the slash none of them; a sentence about two named parts of the value
    /// (`service和item…` of `service.item`) states no class for the whole value.
    #[rstest]
    #[case(
        "告警名称，只能包含0-9/a-z/A-Z/_/-或汉字，长度1-128",
        Some("^[0-9a-zA-Z_\\-一-龥]*$"),
        "告警_a-1",
        "a/b"
    )]
    #[case(
        "必须以字母开头，只能包含0-9/a-z/A-Z/_，长度最短为1，最大为64",
        Some("^[0-9a-zA-Z_]*$"),
        "cpu_util",
        "cpu-util"
    )]
    #[case(
        "service和item必须是字符串，必须以字母开头，只能包含0-9/a-z/A-Z/_，service.item总长度最短为3，最大为32",
        None,
        "",
        ""
    )]
    fn slash_separated_ranges_are_the_class(
        #[case] text: &str,
        #[case] pattern: Option<&str>,
        #[case] accepted: &str,
        #[case] refused: &str,
    ) {
        pattern_reads(text, pattern, accepted, refused);
    }

    #[test]
    fn only_containing_names_the_whole_class() {
        let f = Facts::read("以小写字母开头，只包含小写字母、数字、下划线(_)，长度3-28个字符");
        assert_eq!(f.pattern.as_deref(), Some(r"^[a-z0-9_]+$"));
    }

    #[test]
    fn time_layouts_become_patterns() {
        let f = Facts::read("云硬盘快照创建时间。 时间格式：UTC YYYY-MM-DDTHH:MM:SS.XXXXXX");
        let p = f.pattern.unwrap();
        assert_eq!(p, r"^\d{4}\-\d{2}\-\d{2}[Tt]\d{2}:\d{2}:\d{2}\.\d{6}$");
        let re = Regex::new(&p).unwrap();
        assert!(re.is_match("2013-02-25T03:56:53.081642"));
        assert!(!re.is_match("2013-02-25T03:56:53Z"));
        assert!(Facts::read("Time format: UTC YYYY-MM-DDTHH:MM:SS.XXXXXX")
            .pattern
            .is_some());
    }

    /// The VPC pages write Java's layout letters; an SDK parses the answer as a date-time, so
    /// the mock must answer one, not a placeholder word.
    #[test]
    fn java_style_time_layouts_become_patterns() {
        let f = Facts::read("功能说明：安全组创建时间 取值范围：UTC时间格式：yyyy-MM-ddTHH:mm:ss");
        let p = f.pattern.unwrap();
        assert_eq!(p, r"^\d{4}\-\d{2}\-\d{2}[Tt]\d{2}:\d{2}:\d{2}$");
        assert!(Regex::new(&p).unwrap().is_match("2020-07-09T05:56:27"));
    }

    #[test]
    fn bounds_and_nullability() {
        let f = Facts::read("最小值1，最大值1000，默认为1000。");
        assert_eq!((f.minimum, f.maximum), (Some(1), Some(1000)));
        assert!(Facts::read("云硬盘快照描述，可以为null。").nullable);
        assert!(!Facts::read("云硬盘快照描述。").nullable);
    }
}
