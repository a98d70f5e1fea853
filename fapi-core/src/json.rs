//! A strict, borrowed, non-recursive JSON reader for attacker-controlled bytes.
//!
//! [`parse_object`] checks a whole document once — RFC 8259 syntax, UTF-8, every escape
//! (surrogate pairs included), a nesting-depth limit enforced with a fixed bit stack (no
//! recursion, so stack use does not grow with depth), at most [`JsonLimits::max_members`]
//! members per object, and no duplicate member names at any level, compared after unescaping.
//! After `Ok`, the returned [`Object`] is a view over the input whose accessors never panic and
//! never allocate. Strings are compared after unescaping without a buffer ([`JStr::eq_str`]).

use crate::error::JsonError;

/// Hard cap on [`JsonLimits::max_depth`]: the bit stack is this many bits (128 bytes).
pub const MAX_DEPTH_CAP: u16 = 1024;
/// Hard cap on [`JsonLimits::max_members`].
pub const MAX_MEMBERS_CAP: u16 = 64;

/// Limits for one JSON document. Exceeding any limit is an error, never a panic.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct JsonLimits {
    /// Maximum number of containers open at once (the top-level object counts as 1).
    pub max_depth: u16,
    /// Maximum members in any one object (≤ [`MAX_MEMBERS_CAP`]).
    pub max_members: u16,
    /// Maximum document length in bytes.
    pub max_len: usize,
}

impl JsonLimits {
    /// Defaults for tokens and proofs: depth 16, 64 members, 8 KiB.
    pub const DEFAULT: Self = Self {
        max_depth: 16,
        max_members: MAX_MEMBERS_CAP,
        max_len: 8192,
    };

    /// Whether every limit is within its hard cap and non-zero.
    pub const fn is_valid(&self) -> bool {
        self.max_depth >= 1
            && self.max_depth <= MAX_DEPTH_CAP
            && self.max_members >= 1
            && self.max_members <= MAX_MEMBERS_CAP
            && self.max_len >= 2
    }
}

impl Default for JsonLimits {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// Checks `input` completely and returns its top-level object.
///
/// # Errors
/// A [`JsonError`] naming the first defect found: syntax, UTF-8, escapes, control characters,
/// depth, member count, duplicate names, size, or a top-level value that is not an object.
pub fn parse_object<'a>(input: &'a [u8], limits: &JsonLimits) -> Result<Object<'a>, JsonError> {
    if input.len() > limits.max_len {
        return Err(JsonError::TooLarge);
    }
    let (start, end) = validate_syntax(input, limits.max_depth)?;
    let raw = input.get(start..end).ok_or(JsonError::Syntax)?;
    if raw.first() != Some(&b'{') {
        return Err(JsonError::NotObject);
    }
    check_objects(raw, limits.max_members)?;
    Ok(Object { raw })
}

/// Checks `input` completely, as [`parse_object`] does, and returns its top-level value of
/// any kind (e.g. the JSON array of RFC 9396 `authorization_details`).
///
/// # Errors
/// A [`JsonError`] naming the first defect found.
pub fn parse_value<'a>(input: &'a [u8], limits: &JsonLimits) -> Result<Value<'a>, JsonError> {
    if input.len() > limits.max_len {
        return Err(JsonError::TooLarge);
    }
    let (start, end) = validate_syntax(input, limits.max_depth)?;
    let raw = input.get(start..end).ok_or(JsonError::Syntax)?;
    check_objects(raw, limits.max_members)?;
    Ok(Value { raw })
}

// ---------------------------------------------------------------------------------------------
// Pass 1: syntax, UTF-8, escapes, depth.

#[derive(Copy, Clone, PartialEq, Eq)]
enum State {
    Value,
    ValueOrClose,
    KeyOrClose,
    Key,
    After,
}

struct BitStack {
    bits: [u8; (MAX_DEPTH_CAP as usize) / 8],
    depth: usize,
}

impl BitStack {
    fn push(&mut self, is_object: bool, max: u16) -> Result<(), JsonError> {
        if self.depth >= usize::from(max) {
            return Err(JsonError::DepthExceeded);
        }
        let byte = self
            .bits
            .get_mut(self.depth / 8)
            .ok_or(JsonError::DepthExceeded)?;
        let mask = 1u8 << (self.depth % 8);
        if is_object {
            *byte |= mask;
        } else {
            *byte &= !mask;
        }
        self.depth += 1;
        Ok(())
    }

    fn top_is_object(&self) -> Option<bool> {
        let d = self.depth.checked_sub(1)?;
        let byte = self.bits.get(d / 8)?;
        Some(byte & (1u8 << (d % 8)) != 0)
    }

    fn pop(&mut self, is_object: bool) -> Result<(), JsonError> {
        match self.top_is_object() {
            Some(top) if top == is_object => {
                self.depth -= 1;
                Ok(())
            }
            _ => Err(JsonError::Syntax),
        }
    }
}

const fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

fn skip_ws(input: &[u8], mut i: usize) -> usize {
    while let Some(&b) = input.get(i) {
        if !is_ws(b) {
            break;
        }
        i += 1;
    }
    i
}

/// Returns the span (start, end) of the single top-level value.
fn validate_syntax(input: &[u8], max_depth: u16) -> Result<(usize, usize), JsonError> {
    let mut stack = BitStack {
        bits: [0; (MAX_DEPTH_CAP as usize) / 8],
        depth: 0,
    };
    let start = skip_ws(input, 0);
    let mut i = start;
    let mut state = State::Value;
    loop {
        i = skip_ws(input, i);
        match state {
            State::Value | State::ValueOrClose => {
                let c = *input.get(i).ok_or(JsonError::Syntax)?;
                if state == State::ValueOrClose && c == b']' {
                    stack.pop(false)?;
                    i += 1;
                    state = State::After;
                    continue;
                }
                match c {
                    b'{' => {
                        stack.push(true, max_depth)?;
                        i += 1;
                        state = State::KeyOrClose;
                    }
                    b'[' => {
                        stack.push(false, max_depth)?;
                        i += 1;
                        state = State::ValueOrClose;
                    }
                    b'"' => {
                        i = scan_string(input, i)?;
                        state = State::After;
                    }
                    b'-' | b'0'..=b'9' => {
                        i = scan_number(input, i)?;
                        state = State::After;
                    }
                    b't' => {
                        i = scan_literal(input, i, b"true")?;
                        state = State::After;
                    }
                    b'f' => {
                        i = scan_literal(input, i, b"false")?;
                        state = State::After;
                    }
                    b'n' => {
                        i = scan_literal(input, i, b"null")?;
                        state = State::After;
                    }
                    _ => return Err(JsonError::Syntax),
                }
            }
            State::KeyOrClose | State::Key => {
                let c = *input.get(i).ok_or(JsonError::Syntax)?;
                if state == State::KeyOrClose && c == b'}' {
                    stack.pop(true)?;
                    i += 1;
                    state = State::After;
                    continue;
                }
                if c != b'"' {
                    return Err(JsonError::Syntax);
                }
                i = scan_string(input, i)?;
                i = skip_ws(input, i);
                if input.get(i) != Some(&b':') {
                    return Err(JsonError::Syntax);
                }
                i += 1;
                state = State::Value;
            }
            State::After => {
                if stack.depth == 0 {
                    let end = i;
                    // `i` is already past trailing whitespace; anything else is trailing data.
                    if i != input.len() {
                        return Err(JsonError::Syntax);
                    }
                    // Trim the whitespace we skipped to get the value's own end.
                    let mut e = end;
                    while e > start && input.get(e - 1).is_some_and(|&b| is_ws(b)) {
                        e -= 1;
                    }
                    return Ok((start, e));
                }
                let c = *input.get(i).ok_or(JsonError::Syntax)?;
                let in_object = stack.top_is_object().ok_or(JsonError::Syntax)?;
                i += 1;
                match c {
                    b',' => state = if in_object { State::Key } else { State::Value },
                    b']' => stack.pop(false)?,
                    b'}' => stack.pop(true)?,
                    _ => return Err(JsonError::Syntax),
                }
            }
        }
    }
}

fn scan_literal(input: &[u8], i: usize, lit: &[u8]) -> Result<usize, JsonError> {
    let end = i.checked_add(lit.len()).ok_or(JsonError::Syntax)?;
    if input.get(i..end) == Some(lit) {
        Ok(end)
    } else {
        Err(JsonError::Syntax)
    }
}

fn scan_digits(input: &[u8], mut i: usize) -> (usize, usize) {
    let start = i;
    while input.get(i).is_some_and(u8::is_ascii_digit) {
        i += 1;
    }
    (i, i - start)
}

/// RFC 8259 §6 number grammar. Returns the index after the number.
fn scan_number(input: &[u8], mut i: usize) -> Result<usize, JsonError> {
    if input.get(i) == Some(&b'-') {
        i += 1;
    }
    match input.get(i) {
        Some(b'0') => i += 1,
        Some(b'1'..=b'9') => i = scan_digits(input, i).0,
        _ => return Err(JsonError::Syntax),
    }
    if input.get(i) == Some(&b'.') {
        let (j, n) = scan_digits(input, i + 1);
        if n == 0 {
            return Err(JsonError::Syntax);
        }
        i = j;
    }
    if matches!(input.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(input.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let (j, n) = scan_digits(input, i);
        if n == 0 {
            return Err(JsonError::Syntax);
        }
        i = j;
    }
    // A number must be followed by a delimiter (or the end), never by more value bytes.
    match input.get(i) {
        None | Some(b',' | b']' | b'}' | b' ' | b'\t' | b'\n' | b'\r') => Ok(i),
        _ => Err(JsonError::Syntax),
    }
}

fn hex4(input: &[u8], i: usize) -> Result<u32, JsonError> {
    let mut v = 0u32;
    for k in 0..4 {
        let c = *input.get(i + k).ok_or(JsonError::InvalidEscape)?;
        let d = match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            b'A'..=b'F' => c - b'A' + 10,
            _ => return Err(JsonError::InvalidEscape),
        };
        v = (v << 4) | u32::from(d);
    }
    Ok(v)
}

/// Checks the string starting at the opening quote `input[i]`; returns the index after the
/// closing quote.
fn scan_string(input: &[u8], i: usize) -> Result<usize, JsonError> {
    let mut i = i + 1;
    loop {
        let c = *input.get(i).ok_or(JsonError::Syntax)?;
        match c {
            b'"' => return Ok(i + 1),
            b'\\' => {
                let e = *input.get(i + 1).ok_or(JsonError::InvalidEscape)?;
                match e {
                    b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => i += 2,
                    b'u' => {
                        let cp = hex4(input, i + 2)?;
                        i += 6;
                        if (0xD800..0xDC00).contains(&cp) {
                            if input.get(i) != Some(&b'\\') || input.get(i + 1) != Some(&b'u') {
                                return Err(JsonError::InvalidEscape);
                            }
                            let lo = hex4(input, i + 2)?;
                            if !(0xDC00..0xE000).contains(&lo) {
                                return Err(JsonError::InvalidEscape);
                            }
                            i += 6;
                        } else if (0xDC00..0xE000).contains(&cp) {
                            return Err(JsonError::InvalidEscape);
                        }
                    }
                    _ => return Err(JsonError::InvalidEscape),
                }
            }
            0x00..=0x1F => return Err(JsonError::ControlCharacter),
            0x20..=0x7F => i += 1,
            _ => i = scan_utf8(input, i)?,
        }
    }
}

/// Checks one multi-byte UTF-8 sequence starting at `i` (RFC 3629: no overlongs, no
/// surrogates, nothing above U+10FFFF). Returns the index after it.
fn scan_utf8(input: &[u8], i: usize) -> Result<usize, JsonError> {
    let b0 = *input.get(i).ok_or(JsonError::InvalidUtf8)?;
    let cont = |k: usize, lo: u8, hi: u8| -> Result<(), JsonError> {
        match input.get(i + k) {
            Some(&b) if (lo..=hi).contains(&b) => Ok(()),
            _ => Err(JsonError::InvalidUtf8),
        }
    };
    match b0 {
        0xC2..=0xDF => {
            cont(1, 0x80, 0xBF)?;
            Ok(i + 2)
        }
        0xE0 => {
            cont(1, 0xA0, 0xBF)?;
            cont(2, 0x80, 0xBF)?;
            Ok(i + 3)
        }
        0xE1..=0xEC | 0xEE..=0xEF => {
            cont(1, 0x80, 0xBF)?;
            cont(2, 0x80, 0xBF)?;
            Ok(i + 3)
        }
        0xED => {
            cont(1, 0x80, 0x9F)?;
            cont(2, 0x80, 0xBF)?;
            Ok(i + 3)
        }
        0xF0 => {
            cont(1, 0x90, 0xBF)?;
            cont(2, 0x80, 0xBF)?;
            cont(3, 0x80, 0xBF)?;
            Ok(i + 4)
        }
        0xF1..=0xF3 => {
            cont(1, 0x80, 0xBF)?;
            cont(2, 0x80, 0xBF)?;
            cont(3, 0x80, 0xBF)?;
            Ok(i + 4)
        }
        0xF4 => {
            cont(1, 0x80, 0x8F)?;
            cont(2, 0x80, 0xBF)?;
            cont(3, 0x80, 0xBF)?;
            Ok(i + 4)
        }
        _ => Err(JsonError::InvalidUtf8),
    }
}

// ---------------------------------------------------------------------------------------------
// Pass 2: member counts and duplicate names, on syntactically valid input.

/// Index after the string whose opening quote is at `i` (input already validated).
fn string_end(input: &[u8], mut i: usize) -> Option<usize> {
    i += 1;
    loop {
        match *input.get(i)? {
            b'"' => return Some(i + 1),
            b'\\' => i += 2,
            _ => i += 1,
        }
    }
}

/// Index after the value starting at `i` (input already validated). Iterative.
fn value_end(input: &[u8], i: usize) -> Option<usize> {
    match *input.get(i)? {
        b'"' => string_end(input, i),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut j = i;
            loop {
                match *input.get(j)? {
                    b'"' => {
                        j = string_end(input, j)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(j + 1);
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
        }
        _ => {
            let mut j = i;
            while let Some(&b) = input.get(j) {
                if matches!(b, b',' | b']' | b'}') || is_ws(b) {
                    break;
                }
                j += 1;
            }
            Some(j)
        }
    }
}

fn check_objects(raw: &[u8], max_members: u16) -> Result<(), JsonError> {
    let mut i = 0;
    while let Some(&b) = raw.get(i) {
        match b {
            b'"' => i = string_end(raw, i).ok_or(JsonError::Syntax)?,
            b'{' => {
                check_one_object(raw, i, max_members)?;
                i += 1;
            }
            _ => i += 1,
        }
    }
    Ok(())
}

fn check_one_object(raw: &[u8], open: usize, max_members: u16) -> Result<(), JsonError> {
    let mut names: [(u32, u32); MAX_MEMBERS_CAP as usize] = [(0, 0); MAX_MEMBERS_CAP as usize];
    let mut count = 0usize;
    let obj = Object {
        raw: raw.get(open..).ok_or(JsonError::Syntax)?,
    };
    let mut it = obj.members_raw();
    while let Some((ks, ke)) = it.next_key_span() {
        if count >= usize::from(max_members) {
            return Err(JsonError::TooManyMembers);
        }
        let name = JStr {
            raw: obj.raw.get(ks..ke).ok_or(JsonError::Syntax)?,
        };
        for &(ps, pe) in names.get(..count).ok_or(JsonError::Syntax)? {
            let prev = JStr {
                raw: obj
                    .raw
                    .get(ps as usize..pe as usize)
                    .ok_or(JsonError::Syntax)?,
            };
            if prev.eq_jstr(&name) {
                return Err(JsonError::DuplicateMember);
            }
        }
        let slot = names.get_mut(count).ok_or(JsonError::TooManyMembers)?;
        *slot = (
            u32::try_from(ks).map_err(|_| JsonError::TooLarge)?,
            u32::try_from(ke).map_err(|_| JsonError::TooLarge)?,
        );
        count += 1;
    }
    if it.failed {
        return Err(JsonError::Syntax);
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Views.

/// The kind of a JSON value.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `{…}`
    Object,
    /// `[…]`
    Array,
    /// `"…"`
    String,
    /// A number.
    Number,
    /// `true` or `false`.
    Bool,
    /// `null`.
    Null,
}

/// One validated JSON value (its exact bytes, no surrounding whitespace).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Value<'a> {
    raw: &'a [u8],
}

impl<'a> Value<'a> {
    /// The value's kind.
    pub fn kind(&self) -> Kind {
        match self.raw.first() {
            Some(b'{') => Kind::Object,
            Some(b'[') => Kind::Array,
            Some(b'"') => Kind::String,
            Some(b't' | b'f') => Kind::Bool,
            Some(b'n') => Kind::Null,
            _ => Kind::Number,
        }
    }

    /// The value's exact bytes.
    pub fn raw(&self) -> &'a [u8] {
        self.raw
    }

    /// The string, if this value is one.
    pub fn as_str(&self) -> Option<JStr<'a>> {
        if self.kind() != Kind::String {
            return None;
        }
        let inner = self.raw.get(1..self.raw.len().checked_sub(1)?)?;
        Some(JStr { raw: inner })
    }

    /// The object, if this value is one.
    pub fn as_object(&self) -> Option<Object<'a>> {
        (self.kind() == Kind::Object).then_some(Object { raw: self.raw })
    }

    /// The array's elements, if this value is an array.
    pub fn as_array(&self) -> Option<Elements<'a>> {
        (self.kind() == Kind::Array).then_some(Elements {
            raw: self.raw,
            pos: 1,
        })
    }

    /// The number's text, if this value is a number.
    pub fn as_number(&self) -> Option<&'a [u8]> {
        (self.kind() == Kind::Number).then_some(self.raw)
    }
}

/// A validated JSON object.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Object<'a> {
    raw: &'a [u8],
}

impl<'a> Object<'a> {
    /// Wraps bytes that [`parse_object`] accepted earlier. Accessors stay panic-free on any
    /// bytes; they are only meaningful on validated ones.
    pub(crate) fn from_validated(raw: &'a [u8]) -> Self {
        let start = raw.iter().position(|&b| !is_ws(b)).unwrap_or(0);
        Self {
            raw: raw.get(start..).unwrap_or(&[]),
        }
    }

    /// The object's exact bytes.
    pub fn raw(&self) -> &'a [u8] {
        self.raw
    }

    /// The value of member `name` (compared after unescaping). Names are unique.
    pub fn get(&self, name: &str) -> Option<Value<'a>> {
        self.members().find(|(k, _)| k.eq_str(name)).map(|(_, v)| v)
    }

    /// The values of several members in one pass over the object (names are unique, so the
    /// result is the same as `N` calls of [`Object::get`], at the cost of one).
    pub fn get_many<const N: usize>(&self, names: [&str; N]) -> [Option<Value<'a>>; N] {
        let mut found = [None; N];
        for (k, v) in self.members() {
            if let Some(i) = names.iter().position(|n| k.eq_str(n))
                && let Some(slot) = found.get_mut(i)
            {
                *slot = Some(v);
            }
        }
        found
    }

    /// Whether member `name` is present.
    pub fn contains(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// Iterates the members in document order.
    pub fn members(&self) -> Members<'a> {
        self.members_raw()
    }

    fn members_raw(&self) -> Members<'a> {
        Members {
            raw: self.raw,
            pos: 1,
            failed: false,
        }
    }
}

/// Iterator over an object's members.
pub struct Members<'a> {
    raw: &'a [u8],
    pos: usize,
    failed: bool,
}

impl Members<'_> {
    /// Advances to the next member and returns its name span (inside the quotes).
    fn next_key_span(&mut self) -> Option<(usize, usize)> {
        let (ks, ke, _, _) = self.next_spans()?;
        Some((ks, ke))
    }

    fn next_spans(&mut self) -> Option<(usize, usize, usize, usize)> {
        if self.failed {
            return None;
        }
        let r = self.step();
        if r.is_none() {
            // Distinguish the normal end from a structural surprise.
            let i = skip_ws(self.raw, self.pos);
            if self.raw.get(i) != Some(&b'}') {
                self.failed = true;
            }
        }
        r
    }

    fn step(&mut self) -> Option<(usize, usize, usize, usize)> {
        let raw = self.raw;
        let mut i = skip_ws(raw, self.pos);
        match *raw.get(i)? {
            b',' => i = skip_ws(raw, i + 1),
            b'"' => {}
            _ => return None,
        }
        if raw.get(i) != Some(&b'"') {
            return None;
        }
        let key_end = string_end(raw, i)?;
        let (ks, ke) = (i + 1, key_end - 1);
        i = skip_ws(raw, key_end);
        if raw.get(i) != Some(&b':') {
            return None;
        }
        let vs = skip_ws(raw, i + 1);
        let ve = value_end(raw, vs)?;
        self.pos = ve;
        Some((ks, ke, vs, ve))
    }
}

impl<'a> Iterator for Members<'a> {
    type Item = (JStr<'a>, Value<'a>);

    fn next(&mut self) -> Option<Self::Item> {
        let (ks, ke, vs, ve) = self.next_spans()?;
        let raw = self.raw;
        Some((
            JStr {
                raw: raw.get(ks..ke)?,
            },
            Value {
                raw: raw.get(vs..ve)?,
            },
        ))
    }
}

/// Iterator over an array's elements.
pub struct Elements<'a> {
    raw: &'a [u8],
    pos: usize,
}

impl<'a> Iterator for Elements<'a> {
    type Item = Value<'a>;

    fn next(&mut self) -> Option<Value<'a>> {
        let raw = self.raw;
        let mut i = skip_ws(raw, self.pos);
        match *raw.get(i)? {
            b']' => return None,
            b',' => i = skip_ws(raw, i + 1),
            _ if self.pos == 1 => {}
            _ => return None,
        }
        let end = value_end(raw, i)?;
        self.pos = end;
        Some(Value {
            raw: raw.get(i..end)?,
        })
    }
}

/// A validated JSON string's contents (between the quotes, still escaped).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct JStr<'a> {
    raw: &'a [u8],
}

impl<'a> JStr<'a> {
    /// The escaped bytes between the quotes.
    pub fn raw(&self) -> &'a [u8] {
        self.raw
    }

    /// Whether the string has any escape sequence.
    pub fn has_escapes(&self) -> bool {
        self.raw.contains(&b'\\')
    }

    /// The unescaped UTF-8 bytes, one at a time.
    pub fn bytes(&self) -> Unescaped<'a> {
        Unescaped {
            raw: self.raw,
            pos: 0,
            pending: [0; 4],
            pending_len: 0,
            pending_pos: 0,
        }
    }

    /// Length in bytes after unescaping.
    pub fn unescaped_len(&self) -> usize {
        if self.has_escapes() {
            self.bytes().count()
        } else {
            self.raw.len()
        }
    }

    /// Whether the unescaped string equals `s`.
    pub fn eq_str(&self, s: &str) -> bool {
        self.eq_bytes(s.as_bytes())
    }

    /// Whether the unescaped string equals `s` byte for byte.
    pub fn eq_bytes(&self, s: &[u8]) -> bool {
        if !self.has_escapes() {
            return self.raw == s;
        }
        self.bytes().eq(s.iter().copied())
    }

    /// Whether two strings are equal after unescaping both.
    pub fn eq_jstr(&self, other: &JStr<'_>) -> bool {
        if !self.has_escapes() && !other.has_escapes() {
            return self.raw == other.raw;
        }
        self.bytes().eq(other.bytes())
    }

    /// Unescapes into `out` and returns the UTF-8 text.
    ///
    /// # Errors
    /// [`crate::Error::BufferTooSmall`] with the length needed.
    pub fn unescape_into<'o>(&self, out: &'o mut [u8]) -> Result<&'o str, crate::Error> {
        let needed = self.unescaped_len();
        let dst = out
            .get_mut(..needed)
            .ok_or(crate::Error::BufferTooSmall { needed })?;
        for (d, s) in dst.iter_mut().zip(self.bytes()) {
            *d = s;
        }
        // Input was validated as UTF-8 and escapes decode to scalar values.
        core::str::from_utf8(dst).map_err(|_| crate::Error::Json(JsonError::InvalidUtf8))
    }
}

/// Iterator over a [`JStr`]'s unescaped UTF-8 bytes.
pub struct Unescaped<'a> {
    raw: &'a [u8],
    pos: usize,
    pending: [u8; 4],
    pending_len: u8,
    pending_pos: u8,
}

impl Iterator for Unescaped<'_> {
    type Item = u8;

    fn next(&mut self) -> Option<u8> {
        if self.pending_pos < self.pending_len {
            let b = *self.pending.get(usize::from(self.pending_pos))?;
            self.pending_pos += 1;
            return Some(b);
        }
        let raw = self.raw;
        let c = *raw.get(self.pos)?;
        if c != b'\\' {
            self.pos += 1;
            return Some(c);
        }
        let e = *raw.get(self.pos + 1)?;
        self.pos += 2;
        let simple = match e {
            b'"' => b'"',
            b'\\' => b'\\',
            b'/' => b'/',
            b'b' => 0x08,
            b'f' => 0x0C,
            b'n' => b'\n',
            b'r' => b'\r',
            b't' => b'\t',
            b'u' => {
                let hi = hex4(raw, self.pos).ok()?;
                self.pos += 4;
                let cp = if (0xD800..0xDC00).contains(&hi) {
                    let lo = hex4(raw, self.pos + 2).ok()?;
                    self.pos += 6;
                    0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                } else {
                    hi
                };
                let ch = char::from_u32(cp)?;
                let n = ch.encode_utf8(&mut self.pending).len();
                self.pending_len = u8::try_from(n).ok()?;
                self.pending_pos = 1;
                return self.pending.first().copied();
            }
            _ => return None,
        };
        Some(simple)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Result<Object<'_>, JsonError> {
        parse_object(s.as_bytes(), &JsonLimits::DEFAULT)
    }

    #[test]
    fn accepts_and_reads() {
        let o = p(r#" {"a":"x\u0041\/","b":[1,-2.5e3,{"c":null}],"d":true} "#).unwrap();
        assert!(o.get("a").unwrap().as_str().unwrap().eq_str("xA/"));
        assert_eq!(o.get("b").unwrap().as_array().unwrap().count(), 3);
        assert_eq!(o.get("d").unwrap().kind(), Kind::Bool);
        assert!(o.get("z").is_none());
    }

    #[test]
    fn refuses() {
        assert_eq!(p(r#"{"a":1,}"#), Err(JsonError::Syntax));
        assert_eq!(p(r#"{"a":01}"#), Err(JsonError::Syntax));
        assert_eq!(p(r#"{"a":1}x"#), Err(JsonError::Syntax));
        assert_eq!(p(r#"{"a":[1}"#), Err(JsonError::Syntax));
        assert_eq!(p(r#"{"a":tru}"#), Err(JsonError::Syntax));
        assert_eq!(p(r#"{"a":"\ud83d"}"#), Err(JsonError::InvalidEscape));
        assert_eq!(p(r#"{"a":"\ude00"}"#), Err(JsonError::InvalidEscape));
        assert_eq!(p("{\"a\":\"\x01\"}"), Err(JsonError::ControlCharacter));
        assert_eq!(
            p(r#"{"alg":"ES256","\u0061lg":"none"}"#),
            Err(JsonError::DuplicateMember)
        );
        assert_eq!(p(r#"[1]"#), Err(JsonError::NotObject));
        assert!(p(r#"{"a":"\ud83d\ude00"}"#).is_ok());
    }
}
