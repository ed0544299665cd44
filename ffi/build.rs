//! Gives libsteady.so its SONAME, `libsteady.so.<major>` (from the crate version), so that
//! programs linked against it record that name and an installed `libsteady.so.0` symlink
//! (see packaging/install.sh) is what they load.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    // ELF platforms only; Mach-O (install_name) and Windows have their own conventions.
    if matches!(
        os.as_str(),
        "linux"
            | "android"
            | "freebsd"
            | "netbsd"
            | "openbsd"
            | "dragonfly"
            | "illumos"
            | "solaris"
    ) {
        let major = std::env::var("CARGO_PKG_VERSION_MAJOR").expect("cargo sets the version");
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libsteady.so.{major}");
    }
}
