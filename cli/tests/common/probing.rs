//! `steady doctor` run as a process against a live broker, for the CLI's probe tests.
//!
//! Include it with `#[path = "common/probing.rs"] mod probing;`.
#![allow(dead_code)]

use std::process::Command;

/// Generous probe timeout for a busy machine.
pub const PROBE_TIMEOUT_MS: &str = "30000";

/// Runs `steady doctor ARGS… --probe-timeout-ms …`; returns (exit code, stdout, stderr).
pub fn doctor(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_steady"))
        .arg("doctor")
        .args(args)
        .args(["--probe-timeout-ms", PROBE_TIMEOUT_MS])
        .output()
        .expect("steady runs");
    (
        out.status.code().expect("exited"),
        String::from_utf8(out.stdout).expect("UTF-8"),
        String::from_utf8(out.stderr).expect("UTF-8"),
    )
}
