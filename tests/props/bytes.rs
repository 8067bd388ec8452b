//! Arguments and environment entries that are not UTF-8 reach the child
//! exactly as given, as the kernel recorded them for the new program.

use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;

use colaunch::Command;
use proptest::collection::{btree_map, vec};
use proptest::prelude::*;

use crate::{config, name_byte, non_utf8, not_nul};

/// The shell reads its own command line, which the kernel keeps as
/// `execve` received it; `exit` after `cat` keeps the shell from
/// replacing itself with `cat`, as dash does with a last command.
const SCRIPT: &str = "cat /proc/$$/cmdline; exit";

fn os(bytes: &[u8]) -> OsString {
    OsString::from_vec(bytes.to_vec())
}

/// The whole output of `cmd`, which must succeed.
fn stdout_of(cmd: &mut Command) -> Result<Vec<u8>, TestCaseError> {
    let output = cmd.output()?;
    prop_assert!(output.status.success(), "{:?}", output);
    Ok(output.stdout)
}

/// `argv[0]` for the shell: not starting with `-`, which makes a login
/// shell that reads profile files.
fn shell_name() -> impl Strategy<Value = Vec<u8>> {
    non_utf8(not_nul(), 24).prop_filter("a login shell", |name| name[0] != b'-')
}

proptest! {
    #![proptest_config(config(64))]

    #[test]
    fn test_command_args_non_utf8_reach_the_child_byte_for_byte(
        name in shell_name(),
        args in vec(non_utf8(not_nul(), 48), 1..8),
    ) {
        let mut cmd = Command::new("sh");
        cmd.arg0(os(&name)).args(["-c", SCRIPT, "sh"]);
        cmd.args(args.iter().map(|a| os(a)));

        let mut want = name.clone();
        for arg in [b"-c".as_slice(), SCRIPT.as_bytes(), b"sh"].into_iter().chain(
            args.iter().map(Vec::as_slice),
        ) {
            want.push(0);
            want.extend_from_slice(arg);
        }
        want.push(0);
        prop_assert_eq!(stdout_of(&mut cmd)?, want);
    }

    #[test]
    fn test_command_envs_non_utf8_reach_the_child_byte_for_byte(
        vars in btree_map(non_utf8(name_byte(), 16), non_utf8(not_nul(), 48), 0..12),
    ) {
        // With a cleared environment, /proc/self/environ holds exactly
        // the entries given, each `NAME=VALUE` and NUL-terminated.
        let mut cmd = Command::new("/bin/cat");
        cmd.arg("/proc/self/environ").env_clear();
        cmd.envs(vars.iter().map(|(k, v)| (os(k), os(v))));
        let environ = stdout_of(&mut cmd)?;

        let entries = match environ.split_last() {
            None => Vec::new(),
            Some((last, body)) => {
                prop_assert_eq!(*last, 0, "unterminated entry");
                body.split(|&b| b == 0).collect()
            }
        };
        let mut got: Vec<(Vec<u8>, Vec<u8>)> = entries
            .into_iter()
            .map(|entry| {
                let at = entry.iter().position(|&b| b == b'=').unwrap_or(entry.len());
                (entry[..at].to_vec(), entry.get(at + 1..).unwrap_or_default().to_vec())
            })
            .collect();
        got.sort();
        let want: Vec<(Vec<u8>, Vec<u8>)> = vars.into_iter().collect();
        prop_assert_eq!(got, want);
    }
}
