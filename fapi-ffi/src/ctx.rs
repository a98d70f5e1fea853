//! The per-thread context: decode scratch, a copy of the key set, and the last verdict.

use crate::codes::*;
use crate::ptr::aligned;
use crate::verifier::FAPI_REGION_ALIGN;
use core::mem::size_of;
use fapi_core::request::Context;

const CTX_MAGIC: u32 = 0x4641_4358; // "FACX"

/// A fresh context, evaluated at compile time (see `fapi_ctx_init`).
const FRESH_CONTEXT: Context<{ crate::types::FAPI_MAX_KEYS as usize }> = Context::new();

/// A per-thread context (opaque to C; memory owned by the caller). Never use one context
/// from two threads at once; any number of contexts may share one verifier.
pub struct fapi_ctx {
    _opaque: [u8; 0],
}

#[repr(C)]
pub(crate) struct CtxMem {
    magic: u32,
    _pad: u32,
    pub(crate) handles: crate::provider::Handles,
    pub(crate) core: Context<{ crate::types::FAPI_MAX_KEYS as usize }>,
}

/// Bytes of context memory a configuration needs (about 59 KiB: token and proof decode
/// scratch, certificate buffers, a copy of the key set). `cfg` NULL gives the most any
/// configuration needs. In this version every configuration needs the same size; the parameter
/// lets scratch grow with enabled algorithms and limits later without an ABI change. Returns 0
/// for a configuration whose size/version fields are wrong.
///
/// # Safety
/// `cfg` must be NULL or point to a readable `fapi_config`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn fapi_ctx_size(cfg: *const crate::types::fapi_config) -> usize {
    if !cfg.is_null() {
        if !aligned(cfg) {
            return 0;
        }
        // SAFETY: forwarded contract (the same size and version rules as the verifier).
        if unsafe { crate::verifier::read_config(cfg) }.is_err() {
            return 0;
        }
    }
    size_of::<CtxMem>()
}

/// Formats `mem` (`len` ≥ `fapi_ctx_size(cfg)` for the verifier's configuration, aligned to `FAPI_REGION_ALIGN`) as a context and
/// sets `*out`. Contexts hold no pointers and no resources: to discard one, just reuse or
/// free its memory.
///
/// Returns `FAPI_OK` or `FAPI_ERR_INVALID_ARGUMENT`.
///
/// # Safety
/// `mem` must point to `len` writable bytes used by nothing else; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn fapi_ctx_init(
    mem: *mut core::ffi::c_void,
    len: usize,
    out: *mut *mut fapi_ctx,
) -> u32 {
    crate::guard(|| {
        let p = mem.cast::<CtxMem>();
        if !aligned(out)
            || !aligned(p)
            || !(p as usize).is_multiple_of(FAPI_REGION_ALIGN as usize)
            || len < size_of::<CtxMem>()
        {
            return FAPI_ERR_INVALID_ARGUMENT;
        }
        // SAFETY: `p` is non-NULL, aligned, with at least size_of::<CtxMem>() writable bytes
        // owned by the caller; the four writes initialise every field. `out` checked. Field by
        // field and from a constant, because building a whole `CtxMem` at run time put it on
        // the stack first (a 57 KB frame on thumbv7em, fatal on a firmware stack); a constant
        // fresh `Context` is all zero bytes, written in place as a memset.
        unsafe {
            core::ptr::addr_of_mut!((*p).magic).write(CTX_MAGIC);
            core::ptr::addr_of_mut!((*p)._pad).write(0);
            core::ptr::addr_of_mut!((*p).handles).write(crate::provider::Handles::new());
            core::ptr::addr_of_mut!((*p).core).write(FRESH_CONTEXT);
            *out = p.cast::<fapi_ctx>();
        }
        FAPI_OK
    })
}

/// Checks a context pointer and returns its memory.
///
/// # Safety
/// `ctx` must be NULL or come from `fapi_ctx_init`, and not be used by another thread now.
pub(crate) unsafe fn ctx_mut<'a>(ctx: *mut fapi_ctx) -> Result<&'a mut CtxMem, u32> {
    let p = ctx.cast::<CtxMem>();
    if !aligned(p) {
        return Err(FAPI_ERR_INVALID_ARGUMENT);
    }
    // SAFETY: non-NULL, aligned, initialised by fapi_ctx_init, exclusively ours per contract.
    let c = unsafe { &mut *p };
    if c.magic != CTX_MAGIC {
        return Err(FAPI_ERR_BAD_REGION);
    }
    Ok(c)
}

/// Read-only variant of [`ctx_mut`].
///
/// # Safety
/// As [`ctx_mut`] (no concurrent writer).
pub(crate) unsafe fn ctx_ref<'a>(ctx: *const fapi_ctx) -> Result<&'a CtxMem, u32> {
    let p = ctx.cast::<CtxMem>();
    if !aligned(p) {
        return Err(FAPI_ERR_INVALID_ARGUMENT);
    }
    // SAFETY: non-NULL, aligned, initialised by fapi_ctx_init; no concurrent writer.
    let c = unsafe { &*p };
    if c.magic != CTX_MAGIC {
        return Err(FAPI_ERR_BAD_REGION);
    }
    Ok(c)
}
