//! Pointer and length checks shared by every exported function.

use crate::codes::{FAPI_ERR_BUFFER_TOO_SMALL, FAPI_ERR_INVALID_ARGUMENT, FAPI_OK};

/// A `(ptr, len)` pair from C as a slice. NULL is allowed only with length 0.
///
/// # Safety
/// `ptr` must point to `len` readable bytes that stay valid and unchanged for `'a`.
pub(crate) unsafe fn bytes<'a>(ptr: *const u8, len: usize) -> Result<&'a [u8], u32> {
    if ptr.is_null() {
        return if len == 0 {
            Ok(&[])
        } else {
            Err(FAPI_ERR_INVALID_ARGUMENT)
        };
    }
    if len > isize::MAX as usize {
        return Err(FAPI_ERR_INVALID_ARGUMENT);
    }
    // SAFETY: non-NULL, length bounded by isize::MAX, and the caller guarantees `len` readable
    // bytes valid for 'a (documented on every function taking a buffer).
    Ok(unsafe { core::slice::from_raw_parts(ptr, len) })
}

/// An optional `(ptr, len)`: NULL with length 0 is "absent"; NULL with a length is refused.
///
/// # Safety
/// As [`bytes`].
pub(crate) unsafe fn opt_bytes<'a>(ptr: *const u8, len: usize) -> Result<Option<&'a [u8]>, u32> {
    if ptr.is_null() {
        return if len == 0 {
            Ok(None)
        } else {
            Err(FAPI_ERR_INVALID_ARGUMENT)
        };
    }
    // SAFETY: forwarded contract.
    unsafe { bytes(ptr, len) }.map(Some)
}

/// A `(ptr, len)` that must be UTF-8 text.
///
/// # Safety
/// As [`bytes`].
pub(crate) unsafe fn text<'a>(ptr: *const u8, len: usize) -> Result<&'a str, u32> {
    // SAFETY: forwarded contract.
    let b = unsafe { bytes(ptr, len)? };
    core::str::from_utf8(b).map_err(|_| FAPI_ERR_INVALID_ARGUMENT)
}

/// An optional `(ptr, len)` that must be UTF-8 text when present.
///
/// # Safety
/// As [`bytes`].
pub(crate) unsafe fn opt_text<'a>(ptr: *const u8, len: usize) -> Result<Option<&'a str>, u32> {
    // SAFETY: forwarded contract.
    match unsafe { opt_bytes(ptr, len)? } {
        None => Ok(None),
        Some(b) => core::str::from_utf8(b)
            .map(Some)
            .map_err(|_| FAPI_ERR_INVALID_ARGUMENT),
    }
}

/// An output buffer `(out, cap)` from C. NULL is allowed only with capacity 0.
///
/// # Safety
/// `out` must point to `cap` writable bytes not aliased elsewhere during the call.
pub(crate) unsafe fn out_bytes<'a>(out: *mut u8, cap: usize) -> Result<&'a mut [u8], u32> {
    if out.is_null() {
        return if cap == 0 {
            Ok(&mut [])
        } else {
            Err(FAPI_ERR_INVALID_ARGUMENT)
        };
    }
    if cap > isize::MAX as usize {
        return Err(FAPI_ERR_INVALID_ARGUMENT);
    }
    // SAFETY: non-NULL, bounded, and the caller guarantees `cap` writable, unaliased bytes.
    Ok(unsafe { core::slice::from_raw_parts_mut(out, cap) })
}

/// Whether `p` is non-NULL and aligned for `T`.
pub(crate) fn aligned<T>(p: *const T) -> bool {
    !p.is_null() && (p as usize).is_multiple_of(core::mem::align_of::<T>())
}

/// Stores `v` through an optional out-pointer (NULL: ignored; misaligned: ignored, as the
/// existing accessors do).
///
/// # Safety
/// `p` must be NULL or writable.
pub(crate) unsafe fn put<T>(p: *mut T, v: T) {
    if aligned(p) {
        // SAFETY: non-NULL and aligned; the caller guarantees writable.
        unsafe { p.write(v) };
    }
}

/// A core error as its result code.
pub(crate) fn code(e: fapi_core::Error) -> u32 {
    u32::from(e.code())
}

/// Copies `src` into `(out, cap)` and stores the length in `*out_len`: on success the bytes
/// written; on `FAPI_ERR_BUFFER_TOO_SMALL` the bytes needed (and `out` is untouched).
///
/// # Safety
/// As [`out_bytes`]; `out_len` must be writable (checked for NULL and alignment).
pub(crate) unsafe fn copy_out(src: &[u8], out: *mut u8, cap: usize, out_len: *mut usize) -> u32 {
    // SAFETY: forwarded contract.
    unsafe {
        write_out(out, cap, out_len, |dst| {
            let d = dst
                .get_mut(..src.len())
                .ok_or(fapi_core::Error::BufferTooSmall { needed: src.len() })?;
            d.copy_from_slice(src);
            Ok(src.len())
        })
    }
}

/// Runs a core writer on `(out, cap)` and maps its result: `Ok(n)` → `*out_len = n`,
/// `FAPI_OK`; `BufferTooSmall { needed }` → `*out_len = needed`,
/// `FAPI_ERR_BUFFER_TOO_SMALL`; any other error → its code (`*out_len` untouched). Core
/// writers write nothing when the buffer is too small.
///
/// # Safety
/// As [`out_bytes`]; `out_len` must be writable (checked for NULL and alignment).
pub(crate) unsafe fn write_out(
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
    f: impl FnOnce(&mut [u8]) -> Result<usize, fapi_core::Error>,
) -> u32 {
    if !aligned(out_len) {
        return FAPI_ERR_INVALID_ARGUMENT;
    }
    // SAFETY: forwarded contract (checks `out` before anything is written).
    let dst = match unsafe { out_bytes(out, cap) } {
        Ok(d) => d,
        Err(e) => return e,
    };
    let (rc, n) = match f(dst) {
        Ok(n) => (FAPI_OK, n),
        Err(fapi_core::Error::BufferTooSmall { needed }) => (FAPI_ERR_BUFFER_TOO_SMALL, needed),
        Err(e) => return code(e),
    };
    // SAFETY: `out_len` is non-NULL and aligned; the caller guarantees it is writable.
    unsafe { *out_len = n };
    rc
}
