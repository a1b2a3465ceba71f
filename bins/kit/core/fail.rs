//! Failpoints for the crash tests: with the `failpoints` feature, `point("name")` kills the
//! process with SIGKILL when `$SEANCE_FAILPOINT` is that name, or sleeps for a while when it is
//! `name:pause` (so a test can look at what we hold there, such as the lock, or change the
//! world under us: swap a dir, send a signal). A pause first creates `$SEANCE_FAILPOINT_MARK`
//! when set, so the test acts exactly while we are there, not after a guessed delay. Without the
//! feature, which normal builds never have, every point compiles to nothing.
//!
//! Points sit between the mutating steps of stage, unstage, gc and the index editor; the crash
//! test finds them by reading the sources, so a new point is tested as soon as it is written.

#[cfg(feature = "failpoints")]
pub fn point(name: &str) {
    let Some(wanted) = std::env::var_os("SEANCE_FAILPOINT") else { return };
    let wanted = wanted.to_string_lossy();
    if wanted == name {
        let _ = nix::sys::signal::raise(nix::sys::signal::Signal::SIGKILL);
    } else if wanted.strip_suffix(":pause") == Some(name) {
        if let Some(mark) = std::env::var_os("SEANCE_FAILPOINT_MARK") {
            let _ = std::fs::write(mark, name);
        }
        std::thread::sleep(std::time::Duration::from_millis(1500));
    }
}

#[cfg(not(feature = "failpoints"))]
#[inline(always)]
pub fn point(_name: &str) {}
