//! What the kernel and this build support, as `colaunch --probe` shows.

/// One kernel feature and whether this process can use it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Feature {
    /// The call or flag, as its man page names it.
    pub name: &'static str,
    /// Whether it can be used here.
    pub available: bool,
    /// How that was found out (an errno, the mechanism a spawn used).
    pub detail: String,
}

/// The result of [`probe`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Probe {
    /// `linux` or `freebsd`.
    pub os: &'static str,
    /// The architecture this build is for.
    pub arch: &'static str,
    /// Whether this is a CHERI purecap build.
    pub purecap: bool,
    /// Each feature the spawn engine may use.
    pub features: Vec<Feature>,
    /// The mechanism a default spawn uses, or why none works.
    pub auto_mechanism: Result<crate::Mechanism, String>,
    /// Whether a default spawn's child was seen sharing memory (vfork
    /// semantics really in force), if a spawn worked.
    pub shared_address_space: Option<bool>,
}

/// Asks the kernel what it supports.
///
/// This spawns one throw-away child through the normal fallback chain (it
/// tries to execute `/`, which fails, and is reaped), so the answer is the
/// one real spawns get, seccomp filters and emulators included.  Nothing
/// is probed until this or a spawn is called.
pub fn probe() -> Probe {
    crate::sys::probe()
}
