//! The `colaunch` command: run a program as a coprocess with vfork cost,
//! held by its process descriptor.  See `docs/colaunch.1` and `--help`.

mod cli;

use std::process::ExitCode;

use cli::exit::Exit;

fn main() -> ExitCode {
    match cli::run() {
        Ok(code) => code,
        Err(err) => {
            cli::messages::print_error(&err);
            Exit::of_error(&err).into()
        }
    }
}
