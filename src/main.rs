use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    onshi::cli::main_with(onshi::cli::Cli::parse())
}
