//! Strings across the boundary: NUL-terminated UTF-8 in, owned or borrowed C strings out.

use crate::error::{steady_result, Error};
use crate::handle::null_parameter;
use std::ffi::{c_char, CStr, CString};

/// The UTF-8 text behind `ptr`; errors name the parameter `what`.
pub(crate) fn try_str<'a>(ptr: *const c_char, what: &str) -> Result<&'a str, Error> {
    if ptr.is_null() {
        return Err(null_parameter(what));
    }
    // SAFETY: the caller passes a NUL-terminated string that outlives the call.
    let bytes = unsafe { CStr::from_ptr(ptr) };
    bytes.to_str().map_err(|e| {
        Error::new(
            steady_result::InvalidUtf8,
            format!("{what} is not valid UTF-8 (at byte {})", e.valid_up_to()),
        )
    })
}

/// The strings of a C array `items[0..count]`; errors name the element (`what[i]`).
pub(crate) fn try_str_array<'a>(
    items: *const *const c_char,
    count: usize,
    what: &str,
) -> Result<Vec<&'a str>, Error> {
    if items.is_null() {
        return Err(null_parameter(what));
    }
    // SAFETY: the caller passes an array of `count` string pointers.
    let items = unsafe { std::slice::from_raw_parts(items, count) };
    items
        .iter()
        .enumerate()
        .map(|(i, p)| try_str(*p, &format!("{what}[{i}]")))
        .collect()
}

/// `text` as a string the caller owns and releases with `steady_string_free`.
pub(crate) fn to_owned_ptr(text: String) -> *mut c_char {
    to_cstring(text).into_raw()
}

/// `text` as a C string; text that holds a NUL byte is cut at it.
pub(crate) fn to_cstring(text: impl Into<Vec<u8>>) -> CString {
    let mut bytes = text.into();
    if let Some(nul) = bytes.iter().position(|b| *b == 0) {
        bytes.truncate(nul);
    }
    CString::new(bytes).unwrap_or_default()
}

/// Releases a string that steady returned as owned (JSON texts). NULL is fine; never pass a
/// string steady only lent (accessor results) or one from another allocator.
#[no_mangle]
pub extern "C" fn steady_string_free(s: *mut c_char) {
    ffi_panic_boundary! {
        if !s.is_null() {
            // SAFETY: `s` came from `CString::into_raw` in `to_owned_ptr`.
            drop(unsafe { CString::from_raw(s) });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_null_and_bad_utf8() {
        let e = try_str(std::ptr::null(), "key").unwrap_err();
        assert_eq!(e.code, steady_result::NullParameter);
        assert_eq!(e.text(), "key is NULL");
        let e = try_str(c"ab\xff".as_ptr(), "value").unwrap_err();
        assert_eq!(e.code, steady_result::InvalidUtf8);
        assert!(e.text().starts_with("value is not valid UTF-8"));
        assert_eq!(try_str(c"ok".as_ptr(), "v").unwrap(), "ok");
    }

    #[test]
    fn arrays_name_the_bad_element() {
        let items = [c"a".as_ptr(), std::ptr::null()];
        let e = try_str_array(items.as_ptr(), 2, "topics").unwrap_err();
        assert_eq!(e.text(), "topics[1] is NULL");
        assert_eq!(try_str_array(items.as_ptr(), 1, "topics").unwrap(), ["a"]);
    }

    #[test]
    fn owned_strings_round_trip() {
        let out = to_owned_ptr("a\0b".to_string());
        assert_eq!(unsafe { CStr::from_ptr(out) }.to_str().unwrap(), "a");
        steady_string_free(out);
        steady_string_free(std::ptr::null_mut());
    }
}
