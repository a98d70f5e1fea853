//! The strict JSON reader: any input, default and tight limits; every member and element of
//! an accepted document is visited and every string unescaped. No panic, no allocation, no
//! recursion deep enough to overflow (depth is bounded by the limits).
#![no_main]
use fapi_core::json::{self, JsonLimits, Kind, Value};
use fapi_fuzz::no_alloc;
use libfuzzer_sys::fuzz_target;

/// Visits `v` and everything in it, without recursion: a fixed stack of iterators is
/// unnecessary because `Value` views re-parse; instead walk breadth-first over raw slices.
fn walk(v: Value<'_>, out: &mut [u8], budget: &mut usize) {
    // Bounded explicit work list (depth ≤ limits.max_depth ≤ 16 here).
    let mut stack: [Option<Value<'_>>; 64] = [None; 64];
    let mut top = 0usize;
    stack[0] = Some(v);
    top += 1;
    while top > 0 {
        top -= 1;
        let Some(v) = stack[top].take() else { continue };
        if *budget == 0 {
            return;
        }
        *budget -= 1;
        match v.kind() {
            Kind::Object => {
                for (name, value) in v.as_object().expect("object").members() {
                    let _ = name.unescape_into(out);
                    if top < stack.len() {
                        stack[top] = Some(value);
                        top += 1;
                    }
                }
            }
            Kind::Array => {
                for e in v.as_array().expect("array") {
                    if top < stack.len() {
                        stack[top] = Some(e);
                        top += 1;
                    }
                }
            }
            Kind::String => {
                let s = v.as_str().expect("string");
                let n = s.unescaped_len();
                if let Ok(text) = s.unescape_into(out) {
                    assert_eq!(text.len(), n);
                    assert!(s.eq_str(text));
                }
            }
            Kind::Number => assert!(v.as_number().is_some()),
            _ => {}
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let tight = JsonLimits {
        max_depth: 3,
        max_members: 8,
        max_len: 256,
    };
    let mut out = [0u8; 8192];
    no_alloc(|| {
        for limits in [&JsonLimits::DEFAULT, &tight] {
            if let Ok(obj) = json::parse_object(data, limits) {
                let mut budget = 10_000;
                for (_, v) in obj.members() {
                    walk(v, &mut out, &mut budget);
                }
                let _ = obj.get("alg");
                let _ = obj.get_many(["iss", "aud", "exp"]);
            }
        }
    });
});
