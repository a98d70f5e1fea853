//! The strict JSON reader against hostile input: one exact result per named case.

use fapi_core::error::JsonError;
use fapi_core::json::{self, JsonLimits, Kind, MAX_DEPTH_CAP};

fn parse(bytes: &[u8]) -> Result<(), JsonError> {
    json::parse_object(bytes, &JsonLimits::DEFAULT).map(|_| ())
}

fn nested(depth: usize, open: &str, inner: &str, close: &str) -> String {
    let mut s = String::with_capacity(depth * (open.len() + close.len()) + inner.len());
    for _ in 0..depth {
        s.push_str(open);
    }
    s.push_str(inner);
    for _ in 0..depth {
        s.push_str(close);
    }
    s
}

fn members(n: usize) -> String {
    let body: Vec<String> = (0..n).map(|i| format!("\"m{i}\":{i}")).collect();
    format!("{{{}}}", body.join(","))
}

#[test]
fn table() {
    let cases: Vec<(&str, Vec<u8>, Result<(), JsonError>)> = vec![
        ("empty object", b"{}".to_vec(), Ok(())),
        ("whitespace around", b" \t\r\n{ } \n".to_vec(), Ok(())),
        (
            "all value kinds",
            br#"{"s":"x","n":-0.5e+3,"t":true,"f":false,"z":null,"a":[],"o":{}}"#.to_vec(),
            Ok(()),
        ),
        (
            "surrogate pair",
            br#"{"e":"\ud83d\ude00"}"#.to_vec(),
            Ok(()),
        ),
        (
            "every simple escape",
            br#"{"e":"\"\\\/\b\f\n\r\t"}"#.to_vec(),
            Ok(()),
        ),
        (
            "utf-8 4-byte",
            "{\"e\":\"\u{1F600}\u{10FFFF}\"}".as_bytes().to_vec(),
            Ok(()),
        ),
        (
            "escaped NUL is legal",
            br#"{"e":"\u0000"}"#.to_vec(),
            Ok(()),
        ),
        ("empty input", b"".to_vec(), Err(JsonError::Syntax)),
        ("top-level array", b"[]".to_vec(), Err(JsonError::NotObject)),
        (
            "top-level string",
            b"\"x\"".to_vec(),
            Err(JsonError::NotObject),
        ),
        (
            "trailing comma object",
            br#"{"a":1,}"#.to_vec(),
            Err(JsonError::Syntax),
        ),
        (
            "trailing comma array",
            br#"{"a":[1,]}"#.to_vec(),
            Err(JsonError::Syntax),
        ),
        (
            "leading zero",
            br#"{"a":01}"#.to_vec(),
            Err(JsonError::Syntax),
        ),
        ("bare minus", br#"{"a":-}"#.to_vec(), Err(JsonError::Syntax)),
        (
            "dot without digits",
            br#"{"a":1.}"#.to_vec(),
            Err(JsonError::Syntax),
        ),
        (
            "exponent without digits",
            br#"{"a":1e}"#.to_vec(),
            Err(JsonError::Syntax),
        ),
        (
            "malformed scalar",
            br#"{"x":tru-e1x}"#.to_vec(),
            Err(JsonError::Syntax),
        ),
        (
            "number glued to letters",
            br#"{"x":12ab}"#.to_vec(),
            Err(JsonError::Syntax),
        ),
        ("NaN", br#"{"x":NaN}"#.to_vec(), Err(JsonError::Syntax)),
        ("single quotes", b"{'a':1}".to_vec(), Err(JsonError::Syntax)),
        ("unquoted key", b"{a:1}".to_vec(), Err(JsonError::Syntax)),
        (
            "missing colon",
            br#"{"a" 1}"#.to_vec(),
            Err(JsonError::Syntax),
        ),
        (
            "mismatched brackets",
            br#"{"a":[1}"#.to_vec(),
            Err(JsonError::Syntax),
        ),
        (
            "mismatched brackets 2",
            br#"{"a":{]}"#.to_vec(),
            Err(JsonError::Syntax),
        ),
        (
            "unterminated",
            br#"{"a":"x"#.to_vec(),
            Err(JsonError::Syntax),
        ),
        (
            "trailing data",
            br#"{"a":1}{}"#.to_vec(),
            Err(JsonError::Syntax),
        ),
        (
            "trailing garbage",
            br#"{"a":1} x"#.to_vec(),
            Err(JsonError::Syntax),
        ),
        ("comment", b"{/*x*/}".to_vec(), Err(JsonError::Syntax)),
        (
            "lone high surrogate",
            br#"{"e":"\ud83d"}"#.to_vec(),
            Err(JsonError::InvalidEscape),
        ),
        (
            "lone low surrogate",
            br#"{"e":"\ude00"}"#.to_vec(),
            Err(JsonError::InvalidEscape),
        ),
        (
            "high + non-low",
            br#"{"e":"\ud83d\u0041"}"#.to_vec(),
            Err(JsonError::InvalidEscape),
        ),
        (
            "bad escape letter",
            br#"{"e":"\x41"}"#.to_vec(),
            Err(JsonError::InvalidEscape),
        ),
        (
            "short \\u",
            br#"{"e":"\u12"}"#.to_vec(),
            Err(JsonError::InvalidEscape),
        ),
        (
            "raw control char",
            b"{\"e\":\"a\x01b\"}".to_vec(),
            Err(JsonError::ControlCharacter),
        ),
        (
            "raw newline in string",
            b"{\"e\":\"a\nb\"}".to_vec(),
            Err(JsonError::ControlCharacter),
        ),
        (
            "invalid utf-8 byte",
            b"{\"e\":\"\xff\"}".to_vec(),
            Err(JsonError::InvalidUtf8),
        ),
        (
            "overlong utf-8",
            b"{\"e\":\"\xc0\xaf\"}".to_vec(),
            Err(JsonError::InvalidUtf8),
        ),
        (
            "utf-8 surrogate",
            b"{\"e\":\"\xed\xa0\x80\"}".to_vec(),
            Err(JsonError::InvalidUtf8),
        ),
        (
            "utf-8 above 10FFFF",
            b"{\"e\":\"\xf4\x90\x80\x80\"}".to_vec(),
            Err(JsonError::InvalidUtf8),
        ),
        (
            "truncated utf-8",
            b"{\"e\":\"\xe2\x82\"}".to_vec(),
            Err(JsonError::InvalidUtf8),
        ),
        (
            "invalid utf-8 in key",
            b"{\"\xfe\":1}".to_vec(),
            Err(JsonError::InvalidUtf8),
        ),
        (
            "duplicate",
            br#"{"alg":"ES256","alg":"none"}"#.to_vec(),
            Err(JsonError::DuplicateMember),
        ),
        (
            "escaped duplicate",
            br#"{"alg":"ES256","\u0061lg":"none"}"#.to_vec(),
            Err(JsonError::DuplicateMember),
        ),
        (
            "escaped slash duplicate",
            br#"{"a/b":1,"a\/b":2}"#.to_vec(),
            Err(JsonError::DuplicateMember),
        ),
        (
            "nested duplicate",
            br#"{"cnf":{"jkt":"a","jkt":"b"}}"#.to_vec(),
            Err(JsonError::DuplicateMember),
        ),
        (
            "duplicate inside array",
            br#"{"k":[{"x":1},{"y":1,"y":2}]}"#.to_vec(),
            Err(JsonError::DuplicateMember),
        ),
        (
            "same name different objects",
            br#"{"a":{"x":1},"b":{"x":1}}"#.to_vec(),
            Ok(()),
        ),
        ("64 members", members(64).into_bytes(), Ok(())),
        (
            "65 members",
            members(65).into_bytes(),
            Err(JsonError::TooManyMembers),
        ),
        (
            "depth 16 objects",
            nested(16, "{\"a\":", "1", "}").into_bytes(),
            Ok(()),
        ),
        (
            "depth 17 objects",
            nested(17, "{\"a\":", "1", "}").into_bytes(),
            Err(JsonError::DepthExceeded),
        ),
        (
            "depth 17 arrays",
            format!("{{\"a\":{}}}", nested(16, "[", "", "]")).into_bytes(),
            Err(JsonError::DepthExceeded),
        ),
        (
            "10,000 deep arrays",
            format!("{{\"a\":{}}}", nested(10_000, "[", "", "]")).into_bytes(),
            Err(JsonError::TooLarge),
        ),
    ];
    let mut failures = Vec::new();
    for (name, input, want) in &cases {
        let got = parse(input);
        if got != *want {
            failures.push(format!("{name}: want {want:?}, got {got:?}"));
        }
    }
    assert!(cases.len() >= 50);
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Values compare after unescaping.
#[test]
fn unescaped_comparison() {
    let o = json::parse_object(
        br#"{"iss":"https:\/\/as.example","u":"\u00e9\ud83d\ude00","k":"\u0041"}"#,
        &JsonLimits::DEFAULT,
    )
    .unwrap();
    assert!(
        o.get("iss")
            .unwrap()
            .as_str()
            .unwrap()
            .eq_str("https://as.example")
    );
    assert!(o.get("u").unwrap().as_str().unwrap().eq_str("é😀"));
    let mut buf = [0u8; 8];
    assert_eq!(
        o.get("u")
            .unwrap()
            .as_str()
            .unwrap()
            .unescape_into(&mut buf)
            .unwrap(),
        "é😀"
    );
    assert_eq!(
        o.get("u")
            .unwrap()
            .as_str()
            .unwrap()
            .unescape_into(&mut [0u8; 3]),
        Err(fapi_core::Error::BufferTooSmall { needed: 6 })
    );
    assert!(o.get("\u{41}").is_none());
    assert_eq!(o.get("k").unwrap().kind(), Kind::String);
}

/// Depth is limited without recursion: 10,000 and 1,000,000 levels of nesting, with the limit
/// at its cap, are refused in a thread with a 64 KiB stack (a recursive parser overflows).
#[test]
fn deep_nesting_uses_constant_stack() {
    let handle = std::thread::Builder::new()
        .stack_size(64 * 1024)
        .spawn(|| {
            let mut out = Vec::new();
            for depth in [10_000usize, 1_000_000] {
                for (open, close) in [("[", "]"), ("{\"a\":", "}")] {
                    let doc = format!("{{\"x\":{}}}", nested(depth, open, "1", close));
                    let limits = JsonLimits {
                        max_depth: MAX_DEPTH_CAP,
                        max_members: 64,
                        max_len: doc.len(),
                    };
                    out.push(json::parse_object(doc.as_bytes(), &limits).map(|_| ()));
                }
            }
            out
        })
        .unwrap();
    let results = handle.join().expect("parser overflowed a 64 KiB stack");
    assert_eq!(results, vec![Err(JsonError::DepthExceeded); 4]);
}

/// A document at exactly the depth cap is accepted (the cap is usable, not off by one).
#[test]
fn depth_cap_is_exact() {
    let at = nested(usize::from(MAX_DEPTH_CAP), "{\"a\":", "1", "}");
    let over = nested(usize::from(MAX_DEPTH_CAP) + 1, "{\"a\":", "1", "}");
    let limits = |n| JsonLimits {
        max_depth: MAX_DEPTH_CAP,
        max_members: 64,
        max_len: n,
    };
    assert!(json::parse_object(at.as_bytes(), &limits(at.len())).is_ok());
    assert_eq!(
        json::parse_object(over.as_bytes(), &limits(over.len())).map(|_| ()),
        Err(JsonError::DepthExceeded)
    );
}
