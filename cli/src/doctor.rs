//! `steady doctor`.

/// Arguments of `steady doctor`.
#[derive(clap::Args)]
pub struct Args {}

/// Runs `steady doctor`; returns the process exit code.
pub fn run(args: Args) -> u8 {
    let _ = args;
    todo!()
}
