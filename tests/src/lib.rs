//! Test-support code shared by the fapi test suites.
