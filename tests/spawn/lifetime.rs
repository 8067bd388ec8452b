//! What happens to a child when its handle or its parent goes away.

use std::time::Duration;

use colaunch::Command;

use crate::common::{eventually, process_exists, zombie_children};

const LIMIT: Duration = Duration::from_secs(30);

#[test]
fn test_drop_kills_and_reaps_a_running_child() {
    let child = Command::new("sleep").arg("30").spawn().unwrap();
    let pid = child.id();
    drop(child);
    // Reaped, not merely killed: not even a zombie is left.
    assert!(!process_exists(pid), "child {pid} survived its handle");
    assert!(!zombie_children().contains(&pid));
}

#[test]
fn test_drop_after_wait_leaves_nothing_to_do() {
    let mut child = Command::new("true").spawn().unwrap();
    let pid = child.id();
    assert!(child.wait().unwrap().success());
    drop(child);
    assert!(!process_exists(pid));
}

#[test]
fn test_daemon_outlives_its_handle_and_is_reaped_later() {
    let child = Command::new("sleep")
        .arg("30")
        .daemon(true)
        .spawn()
        .unwrap();
    let pid = child.id();
    drop(child);
    assert!(
        process_exists(pid),
        "a daemon child must outlive its handle"
    );

    // When it exits, the library reaps it: it must not stay a zombie.
    // SAFETY: `pid` is the daemon child, still ours (unreaped).
    unsafe { libc::kill(pid as libc::pid_t, libc::SIGTERM) };
    let gone = eventually(LIMIT, || !process_exists(pid));
    assert!(
        gone,
        "daemon child {pid} lingered (zombies: {:?})",
        zombie_children()
    );
}

#[test]
fn test_parent_death_signal_follows_the_spawning_thread() {
    // PR_SET_PDEATHSIG fires when the spawning thread exits, even though
    // the process lives on: the caveat documented on the option.
    let child = std::thread::spawn(|| {
        Command::new("sleep")
            .arg("30")
            .parent_death_signal(Some(libc::SIGKILL))
            .spawn()
            .unwrap()
    })
    .join()
    .unwrap();
    let mut child = child;
    let status = child
        .wait_timeout(LIMIT)
        .unwrap()
        .expect("the child was not signalled");
    assert_eq!(status.signal(), Some(libc::SIGKILL));
}
