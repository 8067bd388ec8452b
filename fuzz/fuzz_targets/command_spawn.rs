//! Fuzzes the argv/envp preparation behind `Command::spawn`.
//!
//! Arbitrary bytes become the program, `argv[0]`, the arguments, the
//! environment (set, removed and cleared in any order) and the working
//! directory, and `spawn` is called for real.  Nothing can run: the
//! program is a path under a directory that does not exist, or a bare
//! name looked up in a `PATH` whose every entry lies under it.
//!
//! Invariants: `spawn` never panics and never succeeds; `InvalidInput`
//! comes exactly when a string holds a NUL byte or an environment name is
//! empty or holds `=`; any other failure is the errno of a path that
//! cannot be followed (`ENOENT`, or from the working directory
//! `ENOTDIR`, `ENAMETOOLONG`, `ELOOP`, `EACCES`) or `E2BIG`.

#![no_main]

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::io::ErrorKind;
use std::os::unix::ffi::OsStringExt;

use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;

/// A directory that must not exist; every program path starts here.
const NOWHERE: &[u8] = b"/nonexistent-colaunch-fuzz";

/// The errnos a well-formed command may fail with here.
const PATH_ERRORS: [i32; 6] = [
    libc::ENOENT,
    libc::ENOTDIR,
    libc::ENAMETOOLONG,
    libc::ELOOP,
    libc::EACCES,
    libc::E2BIG,
];

#[derive(Debug, Arbitrary)]
enum EnvOp {
    Set(Vec<u8>, Vec<u8>),
    Remove(Vec<u8>),
    Clear,
}

#[derive(Debug, Arbitrary)]
struct Input {
    /// A bare name looked up in `PATH`, rather than a path.
    bare: bool,
    program: Vec<u8>,
    arg0: Option<Vec<u8>>,
    args: Vec<Vec<u8>>,
    env: Vec<EnvOp>,
    /// The `PATH` entries of a bare name, each placed under [`NOWHERE`].
    path: Vec<Vec<u8>>,
    cwd: Option<Vec<u8>>,
}

fn os(bytes: &[u8]) -> OsString {
    OsString::from_vec(bytes.to_vec())
}

fn has_nul(bytes: &[u8]) -> bool {
    bytes.contains(&0)
}

/// The program, and for a bare name the `PATH` that keeps it nowhere.
fn program(input: &Input) -> (Vec<u8>, Option<Vec<u8>>) {
    if !input.bare {
        return ([NOWHERE, b"/", &input.program].concat(), None);
    }
    // No `/` in the name, so it is looked up; no `:` or NUL in an entry,
    // so no entry is empty (the current directory) or skipped.
    let name: Vec<u8> = input
        .program
        .iter()
        .copied()
        .filter(|&b| b != b'/')
        .collect();
    let entries = input.path.iter().map(|entry| {
        let entry = entry.iter().copied().filter(|&b| b != b':' && b != 0);
        [NOWHERE, b"/"]
            .concat()
            .into_iter()
            .chain(entry)
            .collect::<Vec<u8>>()
    });
    let mut path = entries.collect::<Vec<_>>().join(&b':');
    if path.is_empty() {
        path = NOWHERE.to_vec();
    }
    (name, Some(path))
}

fuzz_target!(|input: Input| {
    static NOWHERE_CHECKED: std::sync::Once = std::sync::Once::new();
    NOWHERE_CHECKED.call_once(|| {
        let nowhere = std::path::Path::new(std::ffi::OsStr::new(
            std::str::from_utf8(NOWHERE).expect("ASCII"),
        ));
        assert!(nowhere.symlink_metadata().is_err(), "{nowhere:?} exists");
    });

    let (program, path) = program(&input);
    let mut cmd = colaunch::Command::new(os(&program));
    if let Some(arg0) = &input.arg0 {
        cmd.arg0(os(arg0));
    }
    cmd.args(input.args.iter().map(|a| os(a)));

    // The environment as `Command` keeps it, built alongside: the last
    // word on a name wins, and clearing forgets everything before it.
    let mut env: BTreeMap<&[u8], Option<&[u8]>> = BTreeMap::new();
    for op in &input.env {
        match op {
            EnvOp::Set(key, value) => {
                cmd.env(os(key), os(value));
                env.insert(key, Some(value));
            }
            EnvOp::Remove(key) => {
                cmd.env_remove(os(key));
                env.insert(key, None);
            }
            EnvOp::Clear => {
                cmd.env_clear();
                env.clear();
            }
        }
    }
    if let Some(path) = &path {
        cmd.env("PATH", os(path));
        env.insert(b"PATH", Some(path));
    }
    if let Some(cwd) = &input.cwd {
        cmd.current_dir(os(cwd));
    }

    // A name is checked whether it is set or removed; a value, if set.
    let bad_env = env.iter().any(|(key, value)| {
        key.is_empty() || key.contains(&b'=') || has_nul(key) || value.is_some_and(has_nul)
    });
    let invalid = has_nul(&program)
        || input.arg0.as_deref().is_some_and(has_nul)
        || input.args.iter().any(|a| has_nul(a))
        || bad_env
        || input.cwd.as_deref().is_some_and(has_nul);

    let err = match cmd.spawn() {
        Ok(mut child) => {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{program:?} ran");
        }
        Err(err) => err,
    };
    if err.kind() == ErrorKind::InvalidInput {
        assert!(invalid, "InvalidInput for a well-formed command: {err}");
        assert_eq!(err.raw_os_error(), None, "{err}");
    } else if invalid && !program.is_empty() {
        panic!("malformed command gave {err:?}, not InvalidInput");
    } else {
        // An empty name is ENOENT before the directory is looked at.
        let errno = err.raw_os_error();
        assert!(
            errno.is_some_and(|e| PATH_ERRORS.contains(&e)),
            "{program:?} gave {err:?}"
        );
    }
});
