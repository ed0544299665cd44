//! The panic boundary: no panic unwinds into C.

use crate::error::steady_result;

/// The value an exported function returns when its body panicked.
pub(crate) trait PanicOrDefault {
    /// `STEADY_RESULT_PANIC` for results, NULL for pointers, 0 or -1 for numbers, false for
    /// booleans, nothing for `()`.
    fn value() -> Self;
}

impl PanicOrDefault for steady_result {
    fn value() -> Self {
        steady_result::Panic
    }
}

impl<T> PanicOrDefault for *const T {
    fn value() -> Self {
        std::ptr::null()
    }
}

impl<T> PanicOrDefault for *mut T {
    fn value() -> Self {
        std::ptr::null_mut()
    }
}

impl PanicOrDefault for usize {
    fn value() -> Self {
        0
    }
}

impl PanicOrDefault for u32 {
    fn value() -> Self {
        0
    }
}

impl PanicOrDefault for i32 {
    fn value() -> Self {
        -1
    }
}

impl PanicOrDefault for i64 {
    fn value() -> Self {
        -1
    }
}

impl PanicOrDefault for bool {
    fn value() -> Self {
        false
    }
}

impl PanicOrDefault for () {
    fn value() -> Self {}
}

/// The text of a caught panic.
pub(crate) fn describe(payload: Box<dyn std::any::Any + Send>) -> String {
    let detail = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no message".to_string());
    format!("internal panic in steady: {detail}")
}

/// Runs an exported function's body so that a panic never crosses into C.
///
/// `ffi_panic_boundary! { body }` returns the body's value, or [`PanicOrDefault::value`] after a
/// panic. `ffi_panic_boundary! { err_out => body }` runs a body of type `Result<(), Error>`:
/// it returns `STEADY_RESULT_OK`, or the error's code (a panic becomes `STEADY_RESULT_PANIC`)
/// after writing the error to `err_out` when that is not NULL.
macro_rules! ffi_panic_boundary {
    ($err_out:ident => $($body:tt)*) => {{
        let outcome = ::std::panic::catch_unwind(::std::panic::AssertUnwindSafe(
            || -> ::std::result::Result<(), $crate::error::Error> { $($body)* },
        ));
        let outcome = outcome.unwrap_or_else(|payload| {
            Err($crate::error::Error::new(
                $crate::error::steady_result::Panic,
                $crate::panic::describe(payload),
            ))
        });
        $crate::error::finish($err_out, outcome)
    }};
    ($($body:tt)*) => {
        match ::std::panic::catch_unwind(::std::panic::AssertUnwindSafe(|| { $($body)* })) {
            Ok(value) => value,
            Err(_) => $crate::panic::PanicOrDefault::value(),
        }
    };
}

#[cfg(test)]
mod tests {
    use crate::error::{steady_error, steady_error_code, steady_error_free, steady_result};

    fn fails_with_panic(err_out: *mut *mut steady_error) -> steady_result {
        ffi_panic_boundary! { err_out =>
            panic!("boom")
        }
    }

    fn pointer_after_panic() -> *const u8 {
        ffi_panic_boundary! {
            panic!("boom")
        }
    }

    #[test]
    fn panics_become_codes_and_defaults() {
        let mut err = std::ptr::null_mut();
        assert_eq!(fails_with_panic(&mut err), steady_result::Panic);
        assert_eq!(steady_error_code(err), steady_result::Panic);
        let detail = crate::handle::as_ref(err.cast_const()).unwrap().text();
        assert!(detail.contains("boom"), "{detail}");
        steady_error_free(err);
        assert!(pointer_after_panic().is_null());
    }
}
