//! Opaque handles: which Rust value stands behind each C type, and who owns it.
//!
//! A C handle type (`steady_consumer`, …) is a zero-sized marker; [`Castable`] names the Rust
//! value its pointers really point to and whether the caller owns it (`Box`, released by
//! `steady_<type>_free`) or borrows it from another handle.

use crate::error::{steady_result, Error};

/// Ties a C handle type to the Rust value behind it.
pub(crate) trait Castable {
    /// The Rust value.
    type Rust;
    /// [`OwnershipBox`] or [`OwnershipRef`].
    type Ownership;
}

/// The handle is a `Box` owned by the caller.
pub(crate) struct OwnershipBox;

/// The handle is borrowed from another handle and is never freed on its own.
pub(crate) struct OwnershipRef;

/// Moves `value` to the heap and returns it as the caller-owned handle.
pub(crate) fn to_boxed_mut_ptr<C: Castable<Ownership = OwnershipBox>>(value: C::Rust) -> *mut C {
    Box::into_raw(Box::new(value)).cast()
}

/// A borrowed handle to a value that lives inside another handle.
pub(crate) fn to_borrowed_ptr<C: Castable<Ownership = OwnershipRef>>(value: &C::Rust) -> *const C {
    (value as *const C::Rust).cast()
}

/// The value behind `ptr`, or `None` when it is NULL.
pub(crate) fn as_ref<'a, C: Castable>(ptr: *const C) -> Option<&'a C::Rust> {
    // SAFETY: a non-NULL handle was made by this crate from a live `C::Rust` and, per the
    // documented lifetime rules, has not been freed.
    unsafe { ptr.cast::<C::Rust>().as_ref() }
}

/// The value behind `ptr`; `STEADY_RESULT_NULL_PARAMETER` naming `what` when it is NULL.
pub(crate) fn try_ref<'a, C: Castable>(ptr: *const C, what: &str) -> Result<&'a C::Rust, Error> {
    as_ref(ptr).ok_or_else(|| null_parameter(what))
}

/// The value behind `ptr` for mutation; `STEADY_RESULT_NULL_PARAMETER` naming `what` when NULL.
pub(crate) fn try_mut<'a, C: Castable<Ownership = OwnershipBox>>(
    ptr: *mut C,
    what: &str,
) -> Result<&'a mut C::Rust, Error> {
    // SAFETY: as in `as_ref`; the caller's thread rules exclude concurrent use of mutable handles.
    unsafe { ptr.cast::<C::Rust>().as_mut() }.ok_or_else(|| null_parameter(what))
}

/// Stores `value` in the output parameter `out` (checked not to be NULL beforehand).
pub(crate) fn write_out<T>(out: *mut T, value: T) {
    // SAFETY: `out` was checked with `try_out` and points to storage the caller provided.
    unsafe { out.write(value) }
}

/// Checks that the output parameter `out` is not NULL.
pub(crate) fn try_out<T>(out: *mut T, what: &str) -> Result<*mut T, Error> {
    if out.is_null() {
        Err(null_parameter(what))
    } else {
        Ok(out)
    }
}

/// Releases a caller-owned handle; NULL is ignored.
pub(crate) fn free_box<C: Castable<Ownership = OwnershipBox>>(ptr: *mut C) {
    if !ptr.is_null() {
        // SAFETY: the handle came from `to_boxed_mut_ptr` and is freed once, as documented.
        drop(unsafe { Box::from_raw(ptr.cast::<C::Rust>()) });
    }
}

/// `STEADY_RESULT_NULL_PARAMETER` naming the parameter.
pub(crate) fn null_parameter(what: &str) -> Error {
    Error::new(steady_result::NullParameter, format!("{what} is NULL"))
}
