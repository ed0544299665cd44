//! `steady demo`.

/// Arguments of `steady demo`.
#[derive(clap::Args)]
pub struct Args {}

/// Runs `steady demo`; returns the process exit code.
pub fn run(args: Args) -> u8 {
    let _ = args;
    todo!()
}
