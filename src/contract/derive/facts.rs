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
static ALLOWED_CHARS: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)(?:可以为|可以是|可包含|只能包含|只能由|仅支持|can contain|can only contain|consists of)",
    )
});
static CHAR_ITEM: LazyLock<Regex> = LazyLock::new(|| re(r"[（(]([^）()]{1,5})[）)]"));

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
        } else if let Some(class) = allowed_class(text) {
            facts.pattern = Some(format!("^[{class}]+$"));
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

/// A character class from a sentence listing allowed characters in parentheses:
/// "可以为大写字母（A-Z）、数字（0-9）、中划线（-）".
fn allowed_class(text: &str) -> Option<String> {
    let start = ALLOWED_CHARS.find(text)?.end();
    let sentence_end = text[start..]
        .find(['。', ';', '；'])
        .map_or(text.len(), |e| start + e);
    let sentence = &text[start..sentence_end];
    let items: Vec<String> = CHAR_ITEM
        .captures_iter(sentence)
        .map(|c| c[1].trim().to_string())
        .collect();
    // Items must be the characters themselves ("中划线（-）"); a list written the other way
    // round ("-（中划线）") or naming classes in words cannot be read as a character set.
    if items.len() < 2 || items.iter().any(|i| !i.is_ascii()) {
        return None;
    }
    let mut class = String::new();
    for item in items {
        let chars: Vec<char> = item.chars().collect();
        if chars.len() == 3 && chars[1] == '-' && chars[0] < chars[2] {
            class.push_str(&format!(
                "{}-{}",
                class_char(chars[0]),
                class_char(chars[2])
            ));
        } else {
            for c in chars {
                class.push_str(&class_char(c));
            }
        }
    }
    Some(class)
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
    fn characters_named_in_parentheses_are_not_a_pattern() {
        let f = Facts::read(
            "取值范围：0-64个字符，支持数字、字母、中文、_(下划线)、-（中划线）、.（点）",
        );
        assert_eq!(f.pattern, None);
        assert_eq!(f.max_chars, Some(64));
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
