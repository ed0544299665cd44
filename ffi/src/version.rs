//! The library's version.

use std::ffi::c_char;

/// The version of the library, such as "0.1.0": static, NUL-terminated, never NULL. It equals
/// `STEADY_VERSION` when header and library match. Any thread.
#[no_mangle]
pub extern "C" fn steady_version() -> *const c_char {
    ffi_panic_boundary! {
        concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The value of `#define NAME value` in the committed header.
    fn header_define(name: &str) -> String {
        let header = include_str!("../../include/steady.h");
        let prefix = format!("#define {name} ");
        header
            .lines()
            .find_map(|l| l.strip_prefix(&prefix))
            .unwrap_or_else(|| panic!("{name} missing from include/steady.h"))
            .trim()
            .to_string()
    }

    #[test]
    fn header_macros_match_the_crate_version() {
        let version = unsafe { std::ffi::CStr::from_ptr(steady_version()) };
        assert_eq!(version.to_str().unwrap(), env!("CARGO_PKG_VERSION"));
        assert_eq!(
            header_define("STEADY_VERSION"),
            format!("\"{}\"", env!("CARGO_PKG_VERSION"))
        );
        let parts: Vec<u32> = ["MAJOR", "MINOR", "PATCH"]
            .iter()
            .map(|p| {
                header_define(&format!("STEADY_VERSION_{p}"))
                    .parse()
                    .unwrap()
            })
            .collect();
        let expected: Vec<u32> = [
            env!("CARGO_PKG_VERSION_MAJOR"),
            env!("CARGO_PKG_VERSION_MINOR"),
            env!("CARGO_PKG_VERSION_PATCH"),
        ]
        .iter()
        .map(|p| p.parse().unwrap())
        .collect();
        assert_eq!(parts, expected);
    }
}
