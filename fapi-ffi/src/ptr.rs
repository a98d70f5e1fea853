//! Pointer and length checks shared by every exported function.

use crate::codes::FAPI_ERR_INVALID_ARGUMENT;

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

/// Copies `src` into `(out, cap)` and stores the length in `*out_len`: on success the bytes
/// written; on `FAPI_ERR_BUFFER_TOO_SMALL` the bytes needed (and `out` is untouched).
///
/// # Safety
/// As [`out_bytes`]; `out_len` must be writable (checked for NULL and alignment).
pub(crate) unsafe fn copy_out(src: &[u8], out: *mut u8, cap: usize, out_len: *mut usize) -> u32 {
    if !aligned(out_len) {
        return FAPI_ERR_INVALID_ARGUMENT;
    }
    // SAFETY: forwarded contract of this function (checks `out` before anything is written).
    let dst = match unsafe { out_bytes(out, cap) } {
        Ok(d) => d,
        Err(e) => return e,
    };
    // SAFETY: `out_len` is non-NULL and aligned; the caller guarantees it is writable.
    unsafe { *out_len = src.len() };
    if src.len() > cap {
        return crate::codes::FAPI_ERR_BUFFER_TOO_SMALL;
    }
    if let Some(d) = dst.get_mut(..src.len()) {
        d.copy_from_slice(src);
    }
    crate::codes::FAPI_OK
}
