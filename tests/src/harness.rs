//! The runner of the named-case tables: every case runs (a panic is caught and reported as
//! that case's result), every mismatch is collected, and the table fails once.

use std::collections::HashSet;
use std::panic::{AssertUnwindSafe, catch_unwind};

/// Runs every case, catching panics, and returns the failure lines (each prefixed with the
/// case name; a repeated case name is a failure too).
pub fn run_all<C>(
    cases: &[C],
    name: impl Fn(&C) -> &str,
    run: impl Fn(&C) -> Vec<String>,
) -> Vec<String> {
    let mut seen = HashSet::new();
    let mut failures = Vec::new();
    for c in cases {
        let n = name(c);
        if !seen.insert(n.to_string()) {
            failures.push(format!("duplicate case name {n:?}"));
        }
        match catch_unwind(AssertUnwindSafe(|| run(c))) {
            Ok(lines) => failures.extend(lines.into_iter().map(|l| format!("{n}: {l}"))),
            Err(p) => {
                let msg = p
                    .downcast_ref::<String>()
                    .map(String::as_str)
                    .or_else(|| p.downcast_ref::<&str>().copied())
                    .unwrap_or("?");
                failures.push(format!("{n}: panicked: {msg}"));
            }
        }
    }
    failures
}

/// Fails unless at least `min` cases ran and none failed, listing every failure.
pub fn report(table: &str, ran: usize, min: usize, failures: &[String]) {
    assert!(
        ran >= min,
        "{table}: only {ran} cases ran, expected at least {min}"
    );
    assert!(
        failures.is_empty(),
        "{table}: {} of {ran} cases failed:\n  {}",
        failures.len(),
        failures.join("\n  ")
    );
}
