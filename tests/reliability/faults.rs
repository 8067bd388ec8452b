//! Faults from outside: the parent killed, the descriptor closed behind
//! the library's back.  (A child killed between clone and exec is in
//! tests/spawn/sandbox.rs.)

use std::io::{BufRead, BufReader};
use std::os::fd::AsRawFd;
use std::time::Duration;

use colaunch::{Command, Stdio};

use crate::common::{eventually, is_inner, process_exists, spawn_copy};
use crate::inner_test;

const LIMIT: Duration = Duration::from_secs(30);

#[test]
fn test_faults_parent_killed_takes_its_children_but_not_daemons() {
    const NAME: &str = "faults::test_faults_parent_killed_takes_its_children_but_not_daemons";
    if is_inner(NAME) {
        // The copy: spawn one ordinary child (with the parent-death signal
        // the colaunch command uses) and one daemon, print their pids and
        // wait to be killed.
        let child = Command::new("sleep")
            .arg("60")
            .parent_death_signal(Some(libc::SIGKILL))
            .spawn()
            .unwrap();
        let daemon = Command::new("sleep")
            .arg("60")
            .daemon(true)
            .spawn()
            .unwrap();
        println!("pids {} {}", child.id(), daemon.id());
        std::thread::sleep(Duration::from_secs(120));
        return;
    }

    let mut parent = spawn_copy(NAME, |cmd| {
        cmd.stdout(Stdio::piped()).stderr(Stdio::null());
    });
    let mut lines = BufReader::new(parent.stdout.take().unwrap()).lines();
    // libtest prints "test NAME ... " first, on the same line.
    let line = lines
        .find_map(|l| l.ok().filter(|l| l.contains("pids ")))
        .unwrap();
    let pids = line.split_once("pids ").unwrap().1;
    let pids: Vec<u32> = pids.split(' ').map(|p| p.parse().unwrap()).collect();

    parent.kill().unwrap();
    assert_eq!(parent.wait().unwrap().signal(), Some(libc::SIGKILL));
    let child_gone = eventually(LIMIT, || !process_exists(pids[0]));
    let daemon_alive = process_exists(pids[1]);
    // SAFETY: the daemon is reparented to init; it is a sleep we started.
    unsafe { libc::kill(pids[1] as libc::pid_t, libc::SIGKILL) };
    assert!(child_gone, "child {} outlived its killed parent", pids[0]);
    assert!(daemon_alive, "daemon {} died with its parent", pids[1]);
}

inner_test! {
    fn test_faults_descriptor_closed_behind_the_library() {
        let child = Command::new("sleep").arg("60").spawn().unwrap();
        let pid = child.id() as libc::pid_t;
        let fd = child.pidfd().unwrap().as_raw_fd();
        // SAFETY: deliberately breaking the handle's ownership, in a copy
        // of the test binary that opens nothing else meanwhile.
        assert_eq!(unsafe { libc::close(fd) }, 0);

        let mut child = child;
        for result in [child.wait().map(drop), child.try_wait().map(drop), child.kill()] {
            assert_eq!(result.unwrap_err().raw_os_error(), Some(libc::EBADF));
        }
        let err = child.wait_timeout(Duration::from_millis(10)).unwrap_err();
        assert_eq!(err.raw_os_error(), Some(libc::EBADF));

        // Dropping the handle would close the number again: std treats that
        // as an I/O-safety violation, so clean up by pid and forget it.
        // SAFETY: our unreaped child.
        unsafe {
            libc::kill(pid, libc::SIGKILL);
            libc::waitpid(pid, std::ptr::null_mut(), 0);
        }
        std::mem::forget(child);
    }
}
