use super::*;

#[test]
fn test_signal_mask_insert_contains() {
    let mask: SignalMask = [libc::SIGINT, libc::SIGUSR2, 100].into_iter().collect();
    assert!(mask.contains(libc::SIGINT));
    assert!(mask.contains(libc::SIGUSR2));
    assert!(mask.contains(100));
    assert!(!mask.contains(libc::SIGTERM));
    assert!(mask.is_valid());
}

#[test]
fn test_signal_mask_rejects_out_of_range() {
    assert!(!SignalMask::from_iter([0]).is_valid());
    assert!(!SignalMask::from_iter([129]).is_valid());
    assert!(!SignalMask::from_iter([-1]).is_valid());
}

#[test]
fn test_command_env_remove_after_env_clear_mirrors_std() {
    let mut ours = Command::new("prog");
    ours.env("A", "1").env_clear().env("C", "3").env_remove("B");
    let mut std_cmd = std::process::Command::new("prog");
    std_cmd
        .env("A", "1")
        .env_clear()
        .env("C", "3")
        .env_remove("B");
    let theirs: Vec<_> = std_cmd.get_envs().collect();
    assert_eq!(ours.get_envs().collect::<Vec<_>>(), theirs);
    assert_eq!(theirs, [(OsStr::new("C"), Some(OsStr::new("3")))]);

    // Removing what env() set after the clear undoes it.
    ours.env_remove("C");
    assert_eq!(ours.get_envs().count(), 0);
}

#[test]
fn test_command_bad_name_removed_after_env_clear_is_still_refused() {
    for name in ["", "A=B", "A\0B"] {
        let err = Command::new("true")
            .env_clear()
            .env_remove(name)
            .spawn()
            .unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput, "{name:?}: {err}");
    }
}

#[test]
fn test_command_getters_mirror_std() {
    let mut cmd = Command::new("prog");
    cmd.arg("a")
        .args(["b", "c"])
        .env("K", "V")
        .env_remove("GONE");
    assert_eq!(cmd.get_program(), "prog");
    assert_eq!(cmd.get_args().collect::<Vec<_>>(), ["a", "b", "c"]);
    let envs: Vec<_> = cmd.get_envs().collect();
    assert_eq!(
        envs,
        [
            (OsStr::new("GONE"), None),
            (OsStr::new("K"), Some(OsStr::new("V")))
        ]
    );
}
