//! The public builder, modelled on `std::process::Command`.

use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::fs::File;
use std::io;
use std::os::fd::OwnedFd;
use std::path::{Path, PathBuf};

use crate::child::{Child, ChildStderr, ChildStdin, ChildStdout};
use crate::plan::Plan;
use crate::status::{ExitStatus, Output};
use crate::sys;

/// How the child's address space is created.
///
/// colaunch exists to avoid copying the parent's address space, so the
/// default never forks behind the caller's back.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Strategy {
    /// The cheapest spawn with a process descriptor this platform offers.
    ///
    /// On Linux and on FreeBSD with `pdrfork` this is [`Strategy::Vfork`].
    /// Only where the kernel has no vfork-style spawn that returns a
    /// descriptor (FreeBSD before 15.1, CheriBSD) does it use `pdfork`,
    /// and [`Child::mechanism`] then says so.
    #[default]
    Auto,
    /// Share the address space and suspend the parent until the child
    /// calls `execve` or exits.
    ///
    /// Spawning fails with `Unsupported` where the kernel has no such
    /// spawn that returns a descriptor (FreeBSD before 15.1).  An emulator
    /// that silently runs a vfork as a fork (qemu-user) cannot be told
    /// apart before the child runs; [`Child::shared_address_space`] says
    /// afterwards what happened.
    Vfork,
    /// Copy the address space (copy-on-write), as `fork` does.  Only used
    /// when asked for: it costs time in proportion to the parent's memory.
    Fork,
}

/// Where a colocated child's new image is placed (CheriBSD `coexecve`).
///
/// `coexecve(2)` names the target address space by pid; no kernel offers a
/// form that takes a process descriptor, so there is none here.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Colocation {
    /// The address space of the process calling `spawn`.
    Parent,
    /// The address space of the process with this pid.
    Pid(u32),
}

/// What the child's standard input, output or error is connected to.
#[derive(Debug)]
pub struct Stdio(pub(crate) StdioKind);

#[derive(Debug)]
pub(crate) enum StdioKind {
    Inherit,
    Null,
    Piped,
    Fd(OwnedFd),
}

impl Stdio {
    /// The child shares the parent's descriptor.
    pub fn inherit() -> Self {
        Self(StdioKind::Inherit)
    }

    /// The child's stream is connected to `/dev/null`.
    pub fn null() -> Self {
        Self(StdioKind::Null)
    }

    /// A new pipe; the parent's end appears on [`Child`].
    pub fn piped() -> Self {
        Self(StdioKind::Piped)
    }
}

impl From<OwnedFd> for Stdio {
    fn from(fd: OwnedFd) -> Self {
        Self(StdioKind::Fd(fd))
    }
}

impl From<File> for Stdio {
    fn from(file: File) -> Self {
        Self(StdioKind::Fd(file.into()))
    }
}

impl From<ChildStdin> for Stdio {
    fn from(stream: ChildStdin) -> Self {
        Self(StdioKind::Fd(stream.into()))
    }
}

impl From<ChildStdout> for Stdio {
    fn from(stream: ChildStdout) -> Self {
        Self(StdioKind::Fd(stream.into()))
    }
}

impl From<ChildStderr> for Stdio {
    fn from(stream: ChildStderr) -> Self {
        Self(StdioKind::Fd(stream.into()))
    }
}

/// A process builder whose children are held by process descriptors.
///
/// The names and defaults follow `std::process::Command`, so switching is
/// a change of import; the additions are the spawn [`Strategy`], extra
/// descriptors ([`Command::fd`]), an explicit child signal mask, daemon
/// children and colocation.  How the child is started is explained in
/// the crate docs and in `docs/design.md`.
#[derive(Debug)]
pub struct Command {
    pub(crate) program: OsString,
    pub(crate) arg0: Option<OsString>,
    pub(crate) args: Vec<OsString>,
    pub(crate) env_clear: bool,
    pub(crate) env: BTreeMap<OsString, Option<OsString>>,
    pub(crate) cwd: Option<PathBuf>,
    pub(crate) stdin: Option<Stdio>,
    pub(crate) stdout: Option<Stdio>,
    pub(crate) stderr: Option<Stdio>,
    pub(crate) fds: Vec<(i32, OwnedFd)>,
    pub(crate) process_group: Option<i32>,
    pub(crate) signal_mask: Option<SignalMask>,
    pub(crate) parent_death_signal: Option<i32>,
    pub(crate) daemon: bool,
    pub(crate) strategy: Strategy,
    pub(crate) descriptor: bool,
    pub(crate) colocation: Option<Colocation>,
    #[cfg(cheri_purecap)]
    pub(crate) capability_vector: Option<crate::plan::CapabilityVector>,
}

/// A set of signal numbers for [`Command::signal_mask`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct SignalMask {
    pub(crate) bits: [u64; 2],
    out_of_range: bool,
}

impl SignalMask {
    /// The empty set: no signal blocked.
    pub fn empty() -> Self {
        Self::default()
    }

    /// Adds `signal`; numbers outside 1 to 128 make `spawn` fail with
    /// `InvalidInput`, and so do numbers the kernel does not have.
    pub fn insert(&mut self, signal: i32) -> &mut Self {
        match usize::try_from(signal) {
            Ok(n @ 1..=128) => self.bits[(n - 1) / 64] |= 1 << ((n - 1) % 64),
            _ => self.out_of_range = true,
        }
        self
    }

    /// Whether `signal` is in the set.
    pub fn contains(&self, signal: i32) -> bool {
        match usize::try_from(signal) {
            Ok(n @ 1..=128) => self.bits[(n - 1) / 64] & (1 << ((n - 1) % 64)) != 0,
            _ => false,
        }
    }

    /// The highest signal number in the set, or 0 for none.
    pub(crate) fn max_signal(&self) -> i32 {
        (1..=128).rev().find(|&s| self.contains(s)).unwrap_or(0)
    }

    pub(crate) fn is_valid(&self) -> bool {
        !self.out_of_range
    }
}

impl FromIterator<i32> for SignalMask {
    fn from_iter<I: IntoIterator<Item = i32>>(signals: I) -> Self {
        let mut mask = Self::empty();
        for signal in signals {
            mask.insert(signal);
        }
        mask
    }
}

impl Command {
    /// Starts building a command for `program`.
    ///
    /// A program name without a `/` is looked up in `PATH` as `execvp(3)`
    /// does: the `PATH` of the environment the child will get (the
    /// parent's, unless the command sets, removes or clears it), or
    /// `/bin:/usr/bin` if that environment has none.  The search list is
    /// built in the parent; the child only tries the candidates in order.
    /// Unlike `execvp`, a file the kernel cannot execute (`ENOEXEC`, such
    /// as a script without `#!`) is not handed to `/bin/sh`: `spawn`
    /// reports `ENOEXEC`, as `posix_spawnp` and std do.
    pub fn new<S: AsRef<OsStr>>(program: S) -> Self {
        Self {
            program: program.as_ref().to_owned(),
            arg0: None,
            args: Vec::new(),
            env_clear: false,
            env: BTreeMap::new(),
            cwd: None,
            stdin: None,
            stdout: None,
            stderr: None,
            fds: Vec::new(),
            process_group: None,
            signal_mask: None,
            parent_death_signal: None,
            daemon: false,
            strategy: Strategy::Auto,
            descriptor: true,
            colocation: None,
            #[cfg(cheri_purecap)]
            capability_vector: None,
        }
    }

    /// Adds an argument.
    pub fn arg<S: AsRef<OsStr>>(&mut self, arg: S) -> &mut Self {
        self.args.push(arg.as_ref().to_owned());
        self
    }

    /// Adds several arguments.
    pub fn args<I, S>(&mut self, args: I) -> &mut Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.args
            .extend(args.into_iter().map(|a| a.as_ref().to_owned()));
        self
    }

    /// Sets `argv[0]`, which defaults to the program as given.
    pub fn arg0<S: AsRef<OsStr>>(&mut self, arg0: S) -> &mut Self {
        self.arg0 = Some(arg0.as_ref().to_owned());
        self
    }

    /// Sets an environment variable for the child.
    ///
    /// Unlike std, a name that is empty or contains `=` (which the child
    /// would read back as another name) makes `spawn` fail with
    /// `InvalidInput`, and so does a NUL byte in the name or the value.
    pub fn env<K: AsRef<OsStr>, V: AsRef<OsStr>>(&mut self, key: K, val: V) -> &mut Self {
        self.env
            .insert(key.as_ref().to_owned(), Some(val.as_ref().to_owned()));
        self
    }

    /// Sets several environment variables for the child.
    pub fn envs<I, K, V>(&mut self, vars: I) -> &mut Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<OsStr>,
        V: AsRef<OsStr>,
    {
        for (key, val) in vars {
            self.env(key, val);
        }
        self
    }

    /// Removes an environment variable from the child's environment.
    ///
    /// After [`Command::env_clear`] there is nothing inherited to remove,
    /// so this only undoes an earlier [`Command::env`], as with std; the
    /// name is still checked by `spawn`, as for [`Command::env`].
    pub fn env_remove<K: AsRef<OsStr>>(&mut self, key: K) -> &mut Self {
        self.env.insert(key.as_ref().to_owned(), None);
        self
    }

    /// Starts the child with no environment but what [`Command::env`] adds.
    pub fn env_clear(&mut self) -> &mut Self {
        self.env_clear = true;
        self.env.clear();
        self
    }

    /// Sets the child's working directory (`chdir(2)` before `execve`).
    ///
    /// As with std, a relative program path is then resolved by the
    /// kernel against the new directory.
    pub fn current_dir<P: AsRef<Path>>(&mut self, dir: P) -> &mut Self {
        self.cwd = Some(dir.as_ref().to_owned());
        self
    }

    /// Sets the child's standard input.
    pub fn stdin<T: Into<Stdio>>(&mut self, cfg: T) -> &mut Self {
        self.stdin = Some(cfg.into());
        self
    }

    /// Sets the child's standard output.
    pub fn stdout<T: Into<Stdio>>(&mut self, cfg: T) -> &mut Self {
        self.stdout = Some(cfg.into());
        self
    }

    /// Sets the child's standard error.
    pub fn stderr<T: Into<Stdio>>(&mut self, cfg: T) -> &mut Self {
        self.stderr = Some(cfg.into());
        self
    }

    /// Hands `fd` to the child as descriptor number `child_fd`.
    ///
    /// The parent keeps `fd` open for later spawns of this command.  A
    /// mapping onto 0, 1 or 2 replaces that stream's default (inherit for
    /// `spawn`, `/dev/null` or a pipe for `output`).  Two mappings onto the
    /// same number, or one onto a standard stream also set with
    /// [`Command::stdin`], [`Command::stdout`] or [`Command::stderr`], make
    /// `spawn` fail with `InvalidInput`.
    pub fn fd(&mut self, child_fd: i32, fd: OwnedFd) -> &mut Self {
        self.fds.push((child_fd, fd));
        self
    }

    /// Puts the child in process group `pgroup` (`setpgid(2)`); 0 makes a
    /// new group whose id is the child's pid.
    pub fn process_group(&mut self, pgroup: i32) -> &mut Self {
        self.process_group = Some(pgroup);
        self
    }

    /// Sets the signal mask the child starts its program with.
    ///
    /// Without it the child inherits the mask of the thread that calls
    /// `spawn`, as `posix_spawn(3)` and std do.  See the crate docs for
    /// the whole signal policy.
    pub fn signal_mask(&mut self, mask: SignalMask) -> &mut Self {
        self.signal_mask = Some(mask);
        self
    }

    /// Sends `signal` to the child when its parent goes away.
    ///
    /// On Linux this is `PR_SET_PDEATHSIG` (`prctl(2)`), which follows the
    /// spawning *thread*, not the process: spawn from a thread that lives
    /// as long as the child should.  On FreeBSD it is
    /// `PROC_PDEATHSIG_CTL` (`procctl(2)`), which follows the process;
    /// there the process descriptor already ends a child that is not a
    /// daemon when the parent exits: its last close, early in `exit1()`,
    /// sends `SIGKILL`.  The signal chosen here is seen only if the
    /// descriptor was passed to another process that still holds it.  Not
    /// allowed with [`Command::daemon`].
    pub fn parent_death_signal(&mut self, signal: Option<i32>) -> &mut Self {
        self.parent_death_signal = signal;
        self
    }

    /// Lets the child outlive its handle, as `PD_DAEMON` does.
    ///
    /// By default dropping the last handle on a running child kills it
    /// with `SIGKILL` and reaps it.  A daemon child is left running when
    /// the handle is dropped; it is still reaped when it exits, so it does
    /// not linger as a zombie of this process (see [`Child`] for how, and
    /// for the rare cases where it can).
    ///
    /// Nothing else is detached: the child stays in this process's process
    /// group and session, so a terminal's `^C` still reaches it.  Add
    /// [`Command::process_group`]`(0)` and null standard streams for a
    /// child that should be left alone, as the `colaunch --daemon` command
    /// does.
    pub fn daemon(&mut self, daemon: bool) -> &mut Self {
        self.daemon = daemon;
        self
    }

    /// Chooses how the child's address space is made; see [`Strategy`].
    pub fn strategy(&mut self, strategy: Strategy) -> &mut Self {
        self.strategy = strategy;
        self
    }

    /// Whether to hold the child by a process descriptor (the default).
    ///
    /// With `false` no descriptor syscall is made at all (no `clone3`,
    /// `CLONE_PIDFD` or `pidfd_open` on Linux), for sandboxes that kill a
    /// process making them.  The child is then held by its pid, which is
    /// safe while it is unreaped, and [`Child::pidfd`] is `None`.  On
    /// FreeBSD `spawn` then fails with `Unsupported`: that path is not
    /// implemented there.
    pub fn descriptor(&mut self, descriptor: bool) -> &mut Self {
        self.descriptor = descriptor;
        self
    }

    /// Runs the program inside an existing address space (CheriBSD).
    ///
    /// The child calls `coexecve(pid, ...)` instead of `execve`, so the new
    /// image shares the address space of `pid` (of the spawning process for
    /// [`Colocation::Parent`]) and its memory is kept apart by CHERI
    /// capabilities, not by page tables.  The child is still created with
    /// `pdrfork(RFSPAWN)`, or with `pdfork` where the kernel lacks it (see
    /// [`Strategy::Auto`]), and held by its process descriptor.
    ///
    /// # Errors
    ///
    /// `spawn` fails with `Unsupported`, naming what is missing, on Linux,
    /// in builds that are not purecap (CheriBSD offers `coexecve` to
    /// CheriABI programs only), and on kernels without it (colocation lives
    /// on CheriBSD's experimental branch); that check comes first.  Where
    /// colocation is possible, a pid that names no process (0, or above
    /// `i32::MAX`) is `InvalidInput`; a pid the kernel refuses
    /// comes back as the child's errno (`ESRCH`, `EPERM`).
    ///
    /// # References
    ///
    /// - [CheriBSD] (`execve.2`, which documents `coexecve`)
    ///
    /// [CheriBSD]: https://github.com/CTSRD-CHERI/cheribsd/blob/06dbbf28945d90969aa2c44a8cb67a29b465ca5b/lib/libsys/execve.2
    #[doc(alias = "coexecve")]
    pub fn colocate(&mut self, colocation: Colocation) -> &mut Self {
        self.colocation = Some(colocation);
        self
    }

    /// Hands the colocated program a capability vector (`coexecvec(2)`),
    /// which it reads with `elf_aux_info(3)` (`AT_CAPV`, `AT_CAPC`).
    ///
    /// Only in purecap CheriBSD builds, where every pointer is a
    /// capability.  The kernel passes the vector only to a child that still
    /// shares this address space, so it needs a vfork-style spawn with a
    /// descriptor, `pdrfork(2)`.
    ///
    /// # Errors
    ///
    /// `spawn` fails with `InvalidInput` without [`Command::colocate`] or
    /// with [`Strategy::Fork`], and with `Unsupported` on a kernel without
    /// `pdrfork` (every CheriBSD release to date), rather than drop the
    /// vector or the descriptor.
    #[cfg(cheri_purecap)]
    #[doc(alias = "coexecvec")]
    pub fn capability_vector<I>(&mut self, capv: I) -> &mut Self
    where
        I: IntoIterator<Item = *mut std::ffi::c_void>,
    {
        let capv = capv.into_iter().collect();
        self.capability_vector = Some(crate::plan::CapabilityVector(capv));
        self
    }

    /// The program as given to [`Command::new`].
    pub fn get_program(&self) -> &OsStr {
        &self.program
    }

    /// The arguments after `argv[0]`.
    pub fn get_args(&self) -> impl ExactSizeIterator<Item = &OsStr> {
        self.args.iter().map(OsString::as_os_str)
    }

    /// The explicit environment changes: `None` marks a removal.
    ///
    /// After [`Command::env_clear`] a removal changes nothing and is not
    /// listed, as with std.
    pub fn get_envs(&self) -> impl ExactSizeIterator<Item = (&OsStr, Option<&OsStr>)> {
        let listed: Vec<_> = self
            .env
            .iter()
            .filter(|(_, v)| !(self.env_clear && v.is_none()))
            .map(|(k, v)| (k.as_os_str(), v.as_deref()))
            .collect();
        listed.into_iter()
    }

    /// The working directory set with [`Command::current_dir`].
    pub fn get_current_dir(&self) -> Option<&Path> {
        self.cwd.as_deref()
    }

    /// Starts the child and returns a handle on it.
    ///
    /// The child is created with vfork semantics (see [`Strategy`]) on a
    /// stack of its own, through an assembly stub; the soundness argument
    /// is in the docs of the crate's `arch` module and in
    /// `docs/design.md`.  Standard streams default to inherit.
    ///
    /// # Errors
    ///
    /// - A failure in the child before its program runs (`execve`,
    ///   `chdir`, descriptor setup) is returned as
    ///   `io::Error::from_raw_os_error` with the child's errno, for
    ///   example `ENOENT`, `EACCES`, `ENOEXEC` or `E2BIG`; the child has
    ///   been reaped.
    /// - A NUL byte inside the program, an argument, an environment entry
    ///   or the directory, an environment variable name that is empty or
    ///   has `=`, or a conflicting descriptor mapping, is `InvalidInput`,
    ///   before any process exists.
    /// - An option this platform cannot honour (colocation off CheriBSD,
    ///   a vfork-style spawn where there is none) is `Unsupported`, naming
    ///   the option.
    /// - Failures to create the process (`EAGAIN`, `ENOMEM`) carry the
    ///   kernel's errno.
    pub fn spawn(&mut self) -> io::Result<Child> {
        self.spawn_with_defaults(StdioKind::Inherit, StdioKind::Inherit)
    }

    /// Runs the child to completion and returns how it ended.
    ///
    /// # Errors
    ///
    /// As [`Command::spawn`], and any error from waiting.
    pub fn status(&mut self) -> io::Result<ExitStatus> {
        self.spawn()?.wait()
    }

    /// Runs the child to completion, collecting its output.
    ///
    /// Standard output and error default to pipes and standard input to
    /// `/dev/null`, as with std.
    ///
    /// # Errors
    ///
    /// As [`Command::spawn`], and any error from reading or waiting.
    pub fn output(&mut self) -> io::Result<Output> {
        self.spawn_with_defaults(StdioKind::Null, StdioKind::Piped)?
            .wait_with_output()
    }

    fn spawn_with_defaults(&mut self, stdin: StdioKind, out: StdioKind) -> io::Result<Child> {
        let out_again = match out {
            StdioKind::Piped => StdioKind::Piped,
            _ => StdioKind::Inherit,
        };
        let mut plan = Plan::new(self, [stdin, out, out_again])?;
        let spawned = sys::spawn(&mut plan)?;
        Ok(Child::new(spawned, &mut plan, self.daemon))
    }
}

#[cfg(test)]
mod tests;
