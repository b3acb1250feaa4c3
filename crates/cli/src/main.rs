//! `podium`: the command-line front end. Thin by design: it parses arguments and calls
//! the library crates (`podium-subjects`, `podium-verify`).

mod cli;
mod commands;

use clap::Parser;

fn main() {
    let cli = cli::Cli::parse();
    let error_exit_code = cli.error_exit_code();
    match commands::dispatch(cli) {
        Ok(code) => std::process::exit(code),
        Err(err) => {
            eprintln!("error: {}", one_line(&err));
            std::process::exit(error_exit_code);
        }
    }
}

/// The error and its causes on one line. Library errors already quote their cause in
/// their own message; a cause is added only when it says something new.
fn one_line(err: &anyhow::Error) -> String {
    let mut msg = err.to_string();
    for cause in err.chain().skip(1) {
        let cause = cause.to_string();
        if !msg.contains(&cause) {
            msg.push_str(": ");
            msg.push_str(&cause);
        }
    }
    msg
}
