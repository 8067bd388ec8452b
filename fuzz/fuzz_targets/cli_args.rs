//! Fuzzes the `colaunch` command line as clap parses it.
//!
//! The command's modules are not part of the library, so the pure parsing
//! ones are compiled in here by path: `args` (the clap `Args`) and the
//! `duration` and `signals` modules its value parsers live in.  Should
//! `src/cli/args.rs` import another sibling module, add it below.
//!
//! The input is split at NUL bytes into arguments, since no argument a
//! kernel hands over can hold one.  Invariants: parsing never panics
//! (clap's debug assertions included, which the fuzz build keeps); an
//! accepted `-e` entry has a non-empty name without `=`; the program and
//! its arguments are the tail of the command line, unchanged.

#![no_main]

use std::ffi::OsString;
use std::os::unix::ffi::{OsStrExt, OsStringExt};

use clap::Parser;
use libfuzzer_sys::fuzz_target;

#[path = "../../src/cli/args.rs"]
mod args;
#[path = "../../src/cli/duration.rs"]
mod duration;
// Only `parse_signal` is reached from here; the forwarding is dead code.
#[allow(dead_code)]
#[path = "../../src/cli/signals.rs"]
mod signals;

fuzz_target!(|data: &[u8]| {
    let argv: Vec<OsString> = std::iter::once(OsString::from("colaunch"))
        .chain(
            data.split(|&b| b == 0)
                .map(|a| OsString::from_vec(a.to_vec())),
        )
        .collect();
    match args::Args::try_parse_from(&argv) {
        Ok(args) => check(&argv, &args),
        Err(err) => {
            // `colaunch` renders every usage error it prints.
            let _ = err.render().to_string();
        }
    }
});

fn check(argv: &[OsString], args: &args::Args) {
    for (key, value) in &args.env {
        let key = key.as_bytes();
        assert!(!key.is_empty() && !key.contains(&b'='), "-e name {key:?}");

        // The entry is the end of one argument (`-e K=V`, `-eK=V`,
        // `--env=K=V`), split at its first `=`.
        let entry = [key, b"=", value.as_bytes()].concat();
        let whole = argv.iter().any(|a| a.as_bytes().ends_with(&entry));
        assert!(whole, "-e {entry:?} is in no argument");
    }

    if args.signal.is_some() || args.kill_after.is_some() {
        assert!(args.timeout.is_some(), "--signal or --kill-after alone");
    }
    let _ = args.log_level();

    // Everything from the program on goes to it as given.
    if args.command.is_empty() {
        assert!(args.probe, "no program and no --probe");
        return;
    }
    assert!(
        argv.ends_with(&args.command),
        "{:?} is not the tail of {argv:?}",
        args.command
    );
    // And the command reads them back through these two.
    assert_eq!(args.program(), args.command.first());
    assert_eq!(args.program_args(), &args.command[1..]);
}
