//! A NUL byte in any string, or an environment name that is empty or holds
//! `=`, is `InvalidInput` naming the culprit, before any process exists.

use std::ffi::OsString;
use std::io::ErrorKind;
use std::os::unix::ffi::OsStringExt;

use colaunch::Command;
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::Index;

use crate::{config, not_nul};

/// Where the bad string goes.
#[derive(Clone, Copy, Debug)]
enum Slot {
    Program,
    Arg0,
    Argument,
    Name,
    Value,
    Dir,
}

fn slot() -> impl Strategy<Value = Slot> {
    prop_oneof![
        Just(Slot::Program),
        Just(Slot::Arg0),
        Just(Slot::Argument),
        Just(Slot::Name),
        Just(Slot::Value),
        Just(Slot::Dir),
    ]
}

/// Spawns `cmd`, which must be refused as `InvalidInput` naming `culprit`.
fn refused(cmd: &mut Command, culprit: &str) -> Result<(), TestCaseError> {
    let err = match cmd.spawn() {
        // Stop the program that should never have started, then fail.
        Ok(mut child) => {
            let _ = child.kill();
            let _ = child.wait();
            return Err(TestCaseError::fail(format!("{cmd:?} was spawned")));
        }
        Err(err) => err,
    };
    prop_assert_eq!(err.kind(), ErrorKind::InvalidInput, "{}", err);
    prop_assert!(
        err.to_string().contains(culprit),
        "{} does not name {}",
        err,
        culprit
    );
    Ok(())
}

proptest! {
    // No process is started, so cases are cheap.
    #![proptest_config(config(256))]

    #[test]
    fn test_spawn_nul_anywhere_is_invalid_input(
        slot in slot(),
        head in vec(not_nul(), 0..24),
        tail in vec(not_nul(), 0..24),
        others in vec(vec(not_nul(), 0..24), 0..5),
        at in any::<Index>(),
    ) {
        let bad = OsString::from_vec([head, vec![0], tail].concat());
        let program = match slot {
            Slot::Program => bad.clone(),
            _ => OsString::from("true"),
        };
        let mut cmd = Command::new(program);
        let at = at.index(others.len() + 1);
        let mut args: Vec<OsString> = others.into_iter().map(OsString::from_vec).collect();
        if let Slot::Argument = slot {
            args.insert(at, bad.clone());
        }
        cmd.args(&args);

        let culprit = match slot {
            Slot::Program => "the program".to_owned(),
            Slot::Arg0 => {
                cmd.arg0(&bad);
                "argv[0]".to_owned()
            }
            Slot::Argument => format!("argument {}", at + 1),
            Slot::Name => {
                cmd.env(&bad, "value");
                "environment variable".to_owned()
            }
            Slot::Value => {
                cmd.env("COLAUNCH_PROPS", &bad);
                "environment variable \"COLAUNCH_PROPS\"".to_owned()
            }
            Slot::Dir => {
                cmd.current_dir(&bad);
                "the working directory".to_owned()
            }
        };
        refused(&mut cmd, &culprit)?;
    }

    #[test]
    fn test_spawn_env_name_empty_or_with_equals_is_invalid_input(
        head in vec(not_nul(), 0..16),
        tail in vec(not_nul(), 0..16),
        equals in any::<bool>(),
        removed in any::<bool>(),
    ) {
        // Removing such a name is refused too: it names no variable.
        let name = match equals {
            true => [head, b"=".to_vec(), tail].concat(),
            false => Vec::new(),
        };
        let name = OsString::from_vec(name);
        let mut cmd = Command::new("true");
        match removed {
            true => cmd.env_remove(&name),
            false => cmd.env(&name, "value"),
        };
        refused(&mut cmd, "is empty or has '='")?;
    }
}
