//! C ABI for fapi-core.
//!
//! A stub until the C ABI issue lands: it only re-exports the core so the workspace layout is
//! in place. It will hold no logic of its own: pointer and length checks, calls into the core,
//! and result mapping.
#![no_std]

pub use fapi_core;
