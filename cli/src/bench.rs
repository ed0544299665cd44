//! `steady bench`.

/// Arguments of `steady bench`.
#[derive(clap::Args)]
pub struct Args {}

/// Runs `steady bench`; returns the process exit code.
pub fn run(args: Args) -> u8 {
    let _ = args;
    todo!()
}
