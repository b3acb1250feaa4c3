//! `podium`: the command-line front end. Thin by design: it parses arguments and calls
//! the library crates (`podium-subjects`, `podium-verify`).

mod cli;
mod commands;

use clap::Parser;

fn main() {
    let cli = cli::Cli::parse();
    match commands::dispatch(cli) {
        Ok(code) => std::process::exit(code),
        Err(err) => {
            eprintln!("error: {err:#}");
            std::process::exit(1);
        }
    }
}
