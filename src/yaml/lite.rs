//! A scanner for the plain YAML case files are written in: block mappings and sequences, flow
//! collections (on one line inside block context; over several lines when one is the whole
//! document, as a JSON case file is), and one-line plain, single- and double-quoted scalars, with
//! comments and blank lines between them.
//!
//! granit-parser spends about 50,000 instructions on a three-line case (its tokens carry spans,
//! tag spans and a queue of candidate keys, all copied several times). Case files use a small part
//! of YAML, so this scanner reads that part in one pass and gives up ([`Fallback`]) on everything
//! else: tabs, carriage returns and other control characters, byte-order marks, directives and
//! document markers, block scalars (`|`, `>`), scalars over several lines, flow collections over
//! several lines inside block context, empty values, complex keys, anchors, aliases, tags,
//! trailing commas, and any syntax error. The document is then read by the granit-parser path,
//! and, when that is unsure too, by serde-saphyr, so whatever this scanner accepts must read
//! exactly as serde-saphyr reads it: a differential property test holds the two to the same
//! values and positions.

use std::borrow::Cow;

use super::fast::{Ev, Fallback, Node, MAX_DEPTH, R};

/// YAML's limit on the length of an implicit key.
const MAX_KEY: usize = 1024;

/// The events of `text`'s one document, ending in [`Ev::End`], or [`Fallback`].
pub(super) fn events(text: &str) -> R<Vec<Node<'_>>> {
    let (printable, ascii) = printable(text);
    if !printable {
        return Err(Fallback);
    }
    let mut s = Scan {
        src: text,
        b: text.as_bytes(),
        pos: 0,
        line: 1,
        line_start: 0,
        out: Vec::with_capacity(32),
        depth: 0,
        multiline: false,
        ascii,
    };
    let rest = match s.lines()? {
        Some(indent) => {
            s.multiline = matches!(s.peek(), Some(b'[' | b'{'));
            s.block_node(indent)?
        }
        // An empty document is serde-saphyr's to judge.
        None => return Err(Fallback),
    };
    // The root must take every line: anything left is less indented than it, or a second node.
    if rest.is_some() {
        return Err(Fallback);
    }
    let (line, column) = s.at();
    s.out.push(Node {
        ev: Ev::End,
        line,
        column,
    });
    Ok(s.out)
}

/// Whether `text` holds only characters this scanner reads as YAML does: no tab, carriage
/// return or other C0 control but the line feed, no DEL, no C1 control (NEL is a line break in
/// YAML 1.1), no byte-order mark, no line or paragraph separator, no non-character. And whether
/// it is all ASCII, when columns are byte offsets.
fn printable(text: &str) -> (bool, bool) {
    let b = text.as_bytes();
    // One branch-free pass decides the usual file: printable ASCII and line feeds.
    let odd = b.iter().fold(false, |odd, &c| {
        odd | ((c < 0x20) & (c != b'\n')) | (c >= 0x7f)
    });
    if !odd {
        return (true, true);
    }
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let next = |k: usize| b.get(i + k).copied();
        let bad = match c {
            b'\n' => false,
            0..0x20 | 0x7f => true,
            0xc2 => next(1).is_some_and(|n| (0x80..0xa0).contains(&n)),
            0xe2 => next(1) == Some(0x80) && matches!(next(2), Some(0xa8 | 0xa9)),
            0xef => {
                (next(1) == Some(0xbb) && next(2) == Some(0xbf))
                    || (next(1) == Some(0xbf) && matches!(next(2), Some(0xbe | 0xbf)))
            }
            _ => false,
        };
        if bad {
            return (false, false);
        }
        i += 1;
    }
    (true, false)
}

/// Characters that may not start a plain scalar (`-`, `?` and `:` may, when a safe character
/// follows).
fn indicator(c: u8) -> bool {
    matches!(
        c,
        b',' | b'['
            | b']'
            | b'{'
            | b'}'
            | b'#'
            | b'&'
            | b'*'
            | b'!'
            | b'|'
            | b'>'
            | b'\''
            | b'"'
            | b'%'
            | b'@'
            | b'`'
    )
}

fn flow_indicator(c: u8) -> bool {
    matches!(c, b',' | b'[' | b']' | b'{' | b'}')
}

struct Scan<'a> {
    src: &'a str,
    b: &'a [u8],
    pos: usize,
    /// 1-based line of `pos`.
    line: u64,
    /// Where `pos`'s line starts.
    line_start: usize,
    out: Vec<Node<'a>>,
    depth: usize,
    /// The root is a flow collection (a JSON file): line breaks and comments may separate its
    /// tokens, with no block indentation to keep.
    multiline: bool,
    /// The text is ASCII: a column is a byte offset.
    ascii: bool,
}

impl<'a> Scan<'a> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    fn peek_at(&self, ahead: usize) -> Option<u8> {
        self.b.get(self.pos + ahead).copied()
    }

    /// 1-based line and column (in characters) of `pos`.
    fn at(&self) -> (u64, u64) {
        let before = &self.src[self.line_start..self.pos];
        let width = if self.ascii {
            before.len()
        } else {
            before.chars().count()
        };
        (self.line, width as u64 + 1)
    }

    fn push(&mut self, ev: Ev<'a>, (line, column): (u64, u64)) {
        self.out.push(Node { ev, line, column });
    }

    fn skip_spaces(&mut self) -> usize {
        let start = self.pos;
        while self.peek() == Some(b' ') {
            self.pos += 1;
        }
        self.pos - start
    }

    /// From the start of a line, past blank and comment lines to the first character of the
    /// next line with content: its indentation, or `None` at the end of the text.
    fn lines(&mut self) -> R<Option<usize>> {
        loop {
            let indent = self.skip_spaces();
            match self.peek() {
                None => return Ok(None),
                Some(b'\n') => self.newline(),
                Some(b'#') => {
                    self.skip_line();
                    if self.peek().is_some() {
                        self.newline();
                    }
                }
                Some(c) => {
                    let marker = self.b[self.pos..].starts_with(b"---")
                        || self.b[self.pos..].starts_with(b"...");
                    if indent == 0 && (c == b'%' || marker) {
                        return Err(Fallback);
                    }
                    return Ok(Some(indent));
                }
            }
        }
    }

    fn newline(&mut self) {
        self.pos += 1;
        self.line += 1;
        self.line_start = self.pos;
    }

    fn skip_line(&mut self) {
        self.pos = memchr_newline(self.b, self.pos);
    }

    /// After a node: nothing but spaces and a comment up to the end of the line; then on to the
    /// next line with content.
    fn end_line(&mut self) -> R<Option<usize>> {
        let spaces = self.skip_spaces();
        match self.peek() {
            None => return Ok(None),
            Some(b'\n') => {}
            Some(b'#') if spaces > 0 => self.skip_line(),
            Some(_) => return Err(Fallback),
        }
        if self.peek().is_some() {
            self.newline();
        }
        self.lines()
    }

    fn seq_entry(&self) -> bool {
        self.peek() == Some(b'-') && matches!(self.peek_at(1), None | Some(b' ' | b'\n'))
    }

    /// Starts a collection at `at`, nested no deeper than [`MAX_DEPTH`].
    fn open(&mut self, start: Ev<'a>, at: (u64, u64)) -> R<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(Fallback);
        }
        self.push(start, at);
        Ok(())
    }

    /// Ends the collection [`Scan::open`] started, at `pos`.
    fn close(&mut self, end: Ev<'a>) {
        let at = self.at();
        self.push(end, at);
        self.depth -= 1;
    }

    /// The block node at `pos`, whose column is `col`; returns the indentation of the next line
    /// with content, where it leaves `pos`.
    fn block_node(&mut self, col: usize) -> R<Option<usize>> {
        match self.peek() {
            _ if self.seq_entry() => self.block_seq(col, false),
            Some(b'[' | b'{') => {
                self.flow_node()?;
                self.end_line()
            }
            Some(b'"' | b'\'') => {
                let at = self.at();
                let text = self.quoted()?;
                self.skip_spaces();
                if self.key_separator() {
                    self.block_map(col, text, false, at)
                } else {
                    self.push(Ev::Scalar(text, false), at);
                    self.end_line()
                }
            }
            _ => {
                let at = self.at();
                let (text, key) = self.plain_block()?;
                if key {
                    self.block_map(col, text, true, at)
                } else {
                    self.push(Ev::Scalar(text, true), at);
                    self.end_line()
                }
            }
        }
    }

    /// A `:` that ends an implicit key: followed by a space, a line break or the end.
    fn key_separator(&self) -> bool {
        self.peek() == Some(b':') && matches!(self.peek_at(1), None | Some(b' ' | b'\n'))
    }

    /// A block mapping whose keys are at column `col`, the first of them read already and
    /// `pos` at its `:`.
    fn block_map(
        &mut self,
        col: usize,
        first: Cow<'a, str>,
        plain: bool,
        at: (u64, u64),
    ) -> R<Option<usize>> {
        self.open(Ev::MapStart, at)?;
        self.push(Ev::Scalar(first, plain), at);
        let next = loop {
            // Past the `:`.
            self.pos += 1;
            let next = self.map_value(col)?;
            match next {
                Some(i) if i == col => {
                    if self.seq_entry() {
                        return Err(Fallback);
                    }
                    let at = self.at();
                    let (key, plain) = self.key()?;
                    self.push(Ev::Scalar(key, plain), at);
                }
                Some(i) if i > col => return Err(Fallback),
                other => break other,
            }
        };
        self.close(Ev::MapEnd);
        Ok(next)
    }

    /// A key at the start of a mapping's later line, `pos` left at its `:`.
    fn key(&mut self) -> R<(Cow<'a, str>, bool)> {
        match self.peek() {
            Some(b'"' | b'\'') => {
                let text = self.quoted()?;
                self.skip_spaces();
                if self.key_separator() {
                    Ok((text, false))
                } else {
                    Err(Fallback)
                }
            }
            _ => match self.plain_block()? {
                (text, true) => Ok((text, true)),
                _ => Err(Fallback),
            },
        }
    }

    /// The value after a key's `:` in a mapping at column `col`.
    fn map_value(&mut self, col: usize) -> R<Option<usize>> {
        let spaces = self.skip_spaces();
        let next = match self.peek() {
            None | Some(b'\n') => self.value_below(col)?,
            Some(b'#') if spaces > 0 => {
                self.skip_line();
                self.value_below(col)?
            }
            Some(b'[' | b'{') => {
                self.flow_node()?;
                self.end_line()?
            }
            Some(b'"' | b'\'') => {
                let at = self.at();
                let text = self.quoted()?;
                self.push(Ev::Scalar(text, false), at);
                self.end_line()?
            }
            _ => {
                let at = self.at();
                match self.plain_block()? {
                    (text, false) => self.push(Ev::Scalar(text, true), at),
                    // `a: b: c`.
                    (_, true) => return Err(Fallback),
                }
                self.end_line()?
            }
        };
        match next {
            Some(i) if i > col => Err(Fallback),
            other => Ok(other),
        }
    }

    /// A value on the lines below its key (at column `col`): more indented, or a sequence at
    /// the key's own indentation. An empty value is left to the slower readers.
    fn value_below(&mut self, col: usize) -> R<Option<usize>> {
        match self.end_line()? {
            Some(i) if i > col => self.block_node(i),
            Some(i) if i == col && self.seq_entry() => self.block_seq(col, true),
            _ => Err(Fallback),
        }
    }

    /// A block sequence whose `-` are at column `col`, `pos` at the first. serde-saphyr places
    /// a sequence at its first `-`, but one at its key's own indentation (`indentless`) at its
    /// first item.
    fn block_seq(&mut self, col: usize, indentless: bool) -> R<Option<usize>> {
        let start = self.out.len();
        let at = self.at();
        self.open(Ev::SeqStart, at)?;
        let next = loop {
            // Past the `-`.
            self.pos += 1;
            let spaces = self.skip_spaces();
            if indentless && self.out.len() == start + 1 {
                if matches!(self.peek(), None | Some(b'\n' | b'#')) {
                    return Err(Fallback);
                }
                let (line, column) = self.at();
                self.out[start].line = line;
                self.out[start].column = column;
            }
            let next = match self.peek() {
                None | Some(b'\n') => self.item_below(col)?,
                Some(b'#') if spaces > 0 => {
                    self.skip_line();
                    self.item_below(col)?
                }
                _ => {
                    let inner = self.pos - self.line_start;
                    self.block_node(inner)?
                }
            };
            match next {
                Some(i) if i == col && self.seq_entry() => continue,
                Some(i) if i > col => return Err(Fallback),
                other => break other,
            }
        };
        self.close(Ev::SeqEnd);
        Ok(next)
    }

    /// An item on the lines below its `-` (at column `col`); an empty item is left to the
    /// slower readers.
    fn item_below(&mut self, col: usize) -> R<Option<usize>> {
        match self.end_line()? {
            Some(i) if i > col => self.block_node(i),
            _ => Err(Fallback),
        }
    }

    /// A plain scalar in block context, and whether it is an implicit key (`pos` left at its
    /// `:`) rather than a value.
    fn plain_block(&mut self) -> R<(Cow<'a, str>, bool)> {
        let start = self.pos;
        self.plain_start(false)?;
        let mut key = false;
        while let Some(c) = self.peek() {
            match c {
                b'\n' => break,
                b':' if matches!(self.peek_at(1), None | Some(b' ' | b'\n')) => {
                    key = true;
                    break;
                }
                b' ' if self.peek_at(1) == Some(b'#') => break,
                _ => self.pos += 1,
            }
        }
        let text = self.src[start..self.pos].trim_end_matches(' ');
        if key && text.len() > MAX_KEY {
            return Err(Fallback);
        }
        Ok((Cow::Borrowed(text), key))
    }

    /// Checks the first character of a plain scalar at `pos`.
    fn plain_start(&self, flow: bool) -> R<()> {
        let c = self.peek().ok_or(Fallback)?;
        if indicator(c) {
            return Err(Fallback);
        }
        if matches!(c, b'-' | b'?' | b':') {
            let safe = match self.peek_at(1) {
                None | Some(b' ' | b'\n') => false,
                Some(n) => !(flow && flow_indicator(n)),
            };
            if !safe {
                return Err(Fallback);
            }
        }
        Ok(())
    }

    /// A flow collection or scalar at `pos`, all on this line.
    fn flow_node(&mut self) -> R<()> {
        match self.peek() {
            Some(b'[') => self.flow_seq(),
            Some(b'{') => self.flow_map(),
            Some(b'"' | b'\'') => {
                let at = self.at();
                let text = self.quoted()?;
                self.push(Ev::Scalar(text, false), at);
                Ok(())
            }
            _ => {
                let at = self.at();
                let text = self.plain_flow()?;
                self.push(Ev::Scalar(text, true), at);
                Ok(())
            }
        }
    }

    /// Spaces inside a flow collection, and in a root one line breaks and comments too; a
    /// line break or a comment inside one nested in block context is left to the slower
    /// readers, which know the indentation its lines must keep.
    fn flow_spaces(&mut self) -> R<()> {
        loop {
            let spaces = self.skip_spaces();
            match self.peek() {
                Some(b'\n') if self.multiline => self.newline(),
                Some(b'#') if self.multiline && (spaces > 0 || self.pos == self.line_start) => {
                    self.skip_line()
                }
                None | Some(b'\n' | b'#') => return Err(Fallback),
                _ => return Ok(()),
            }
        }
    }

    /// Spaces between a flow key and its `:`, which must be on the key's line.
    fn inline_spaces(&mut self) -> R<()> {
        self.skip_spaces();
        match self.peek() {
            None | Some(b'\n' | b'#') => Err(Fallback),
            _ => Ok(()),
        }
    }

    fn flow_seq(&mut self) -> R<()> {
        // `[a: 1]` is a mapping of one pair: its `:` ends the entry where `,` or `]` should.
        self.flow_collection(Ev::SeqStart, Ev::SeqEnd, b']', |s| s.flow_node())
    }

    fn flow_map(&mut self) -> R<()> {
        self.flow_collection(Ev::MapStart, Ev::MapEnd, b'}', |s| {
            let at = s.at();
            let (key, plain) = match s.peek() {
                Some(b'"' | b'\'') => (s.quoted()?, false),
                Some(b'[' | b'{') => return Err(Fallback),
                _ => (s.plain_flow()?, true),
            };
            if key.len() > MAX_KEY {
                return Err(Fallback);
            }
            s.push(Ev::Scalar(key, plain), at);
            s.inline_spaces()?;
            if s.peek() != Some(b':') {
                return Err(Fallback);
            }
            s.pos += 1;
            // Only a quoted (JSON-like) key may have its value right after the `:`.
            if plain && s.peek() != Some(b' ') {
                return Err(Fallback);
            }
            s.flow_spaces()?;
            // An empty value.
            if matches!(s.peek(), Some(b',' | b'}')) {
                return Err(Fallback);
            }
            s.flow_node()
        })
    }

    /// A flow collection at `pos` (its opening bracket): `entry` reads each entry, which
    /// commas separate; an empty entry (a trailing comma) is left to the slower readers.
    fn flow_collection(
        &mut self,
        start: Ev<'a>,
        end: Ev<'a>,
        close: u8,
        mut entry: impl FnMut(&mut Scan<'a>) -> R<()>,
    ) -> R<()> {
        let at = self.at();
        self.open(start, at)?;
        self.pos += 1;
        self.flow_spaces()?;
        if self.peek() != Some(close) {
            loop {
                entry(self)?;
                self.flow_spaces()?;
                match self.peek() {
                    Some(b',') => {
                        self.pos += 1;
                        self.flow_spaces()?;
                        if self.peek() == Some(close) {
                            return Err(Fallback);
                        }
                    }
                    Some(c) if c == close => break,
                    _ => return Err(Fallback),
                }
            }
        }
        self.close(end);
        self.pos += 1;
        Ok(())
    }

    /// A plain scalar in flow context: it ends before a flow indicator, a `:` that a space or
    /// flow indicator follows, a comment, or the line's end.
    fn plain_flow(&mut self) -> R<Cow<'a, str>> {
        let start = self.pos;
        self.plain_start(true)?;
        while let Some(c) = self.peek() {
            match c {
                b'\n' | b',' | b'[' | b']' | b'{' | b'}' => break,
                b':' if matches!(self.peek_at(1), None | Some(b' ' | b'\n'))
                    || self.peek_at(1).is_some_and(flow_indicator) =>
                {
                    break
                }
                b' ' if self.peek_at(1) == Some(b'#') => break,
                _ => self.pos += 1,
            }
        }
        let text = self.src[start..self.pos].trim_end_matches(' ');
        if text.is_empty() {
            return Err(Fallback);
        }
        Ok(Cow::Borrowed(text))
    }

    /// A single- or double-quoted scalar on one line, `pos` at its opening quote; leaves `pos`
    /// past the closing one.
    fn quoted(&mut self) -> R<Cow<'a, str>> {
        let quote = self.peek().ok_or(Fallback)?;
        self.pos += 1;
        let start = self.pos;
        let special: &[u8] = if quote == b'"' { b"\"\\\n" } else { b"'\n" };
        let mut owned: Option<String> = None;
        let mut chunk = start;
        loop {
            while self.peek().is_some_and(|c| !special.contains(&c)) {
                self.pos += 1;
            }
            match self.peek() {
                // Line folding is the slower readers' business.
                None | Some(b'\n') => return Err(Fallback),
                Some(b'\'') if self.peek_at(1) == Some(b'\'') => {
                    let s = owned.get_or_insert_with(String::new);
                    s.push_str(&self.src[chunk..=self.pos]);
                    self.pos += 2;
                    chunk = self.pos;
                }
                Some(b'\\') => {
                    let s = owned.get_or_insert_with(String::new);
                    s.push_str(&self.src[chunk..self.pos]);
                    self.pos += 1;
                    let c = escape(self.b, &mut self.pos)?;
                    s.push(c);
                    chunk = self.pos;
                }
                Some(_) => break,
            }
        }
        let text = match owned {
            None => Cow::Borrowed(&self.src[start..self.pos]),
            Some(mut s) => {
                s.push_str(&self.src[chunk..self.pos]);
                Cow::Owned(s)
            }
        };
        // Past the closing quote.
        self.pos += 1;
        Ok(text)
    }
}

/// A double-quoted scalar's escape, `pos` just past its backslash; leaves `pos` after it.
fn escape(b: &[u8], pos: &mut usize) -> R<char> {
    let c = *b.get(*pos).ok_or(Fallback)?;
    *pos += 1;
    let hex = |pos: &mut usize, n: usize| -> R<char> {
        let digits = b.get(*pos..*pos + n).ok_or(Fallback)?;
        let text = std::str::from_utf8(digits).map_err(|_| Fallback)?;
        if !text.bytes().all(|d| d.is_ascii_hexdigit()) {
            return Err(Fallback);
        }
        let code = u32::from_str_radix(text, 16).map_err(|_| Fallback)?;
        *pos += n;
        // Surrogates (JSON writes astral characters as pairs) are the slower readers' to judge.
        char::from_u32(code).ok_or(Fallback)
    };
    Ok(match c {
        b'0' => '\0',
        b'a' => '\u{07}',
        b'b' => '\u{08}',
        b't' => '\t',
        b'n' => '\n',
        b'v' => '\u{0b}',
        b'f' => '\u{0c}',
        b'r' => '\r',
        b'e' => '\u{1b}',
        b' ' => ' ',
        b'"' => '"',
        b'/' => '/',
        b'\\' => '\\',
        b'N' => '\u{85}',
        b'_' => '\u{a0}',
        b'L' => '\u{2028}',
        b'P' => '\u{2029}',
        b'x' => hex(pos, 2)?,
        b'u' => hex(pos, 4)?,
        b'U' => hex(pos, 8)?,
        _ => return Err(Fallback),
    })
}

/// The offset of the next line feed at or after `from`, or the end.
fn memchr_newline(b: &[u8], from: usize) -> usize {
    b[from..]
        .iter()
        .position(|&c| c == b'\n')
        .map_or(b.len(), |i| from + i)
}
