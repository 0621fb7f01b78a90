//! The step holds no capability, even when custody runs as root: the
//! bounding and ambient sets are emptied, the securebits make root an
//! ordinary user for `execve` (and are locked), and the effective,
//! permitted and inheritable sets are cleared. A root step then cannot
//! make device nodes, set file capabilities, change the host name or the
//! clock, or read the kernel log; files it does not own are closed to it
//! as to anyone else.

use rustix::thread::{
    CapabilitiesSecureBits, CapabilitySet, CapabilitySets, capabilities,
    clear_ambient_capability_set, remove_capability_from_bounding_set, set_capabilities,
    set_capabilities_secure_bits,
};
use serde::{Deserialize, Serialize};

/// What was dropped, as read back from the kernel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dropped {
    /// The effective, permitted and inheritable sets are empty.
    pub capabilities_empty: bool,
    /// The bounding set is empty (an unprivileged caller outside a user
    /// namespace cannot empty it; it has nothing to bound).
    pub bounding_empty: bool,
    /// `SECBIT_NOROOT` and friends are set and locked.
    pub securebits_locked: bool,
}

/// Drops every capability of the calling thread (the single-threaded
/// helper, just before `execve`).
pub fn drop_all() -> Dropped {
    // The bounding set first: dropping from it needs CAP_SETPCAP, which
    // the last step clears.
    let mut bounding_empty = true;
    for bit in 0..64u32 {
        let cap = CapabilitySet::from_bits_retain(1u64 << bit);
        match rustix::thread::capability_is_in_bounding_set(cap) {
            Ok(false) => {}
            Ok(true) => bounding_empty &= remove_capability_from_bounding_set(cap).is_ok(),
            // Past the kernel's last capability.
            Err(_) => break,
        }
    }
    let _ = clear_ambient_capability_set();
    let bits = CapabilitiesSecureBits::NO_ROOT
        | CapabilitiesSecureBits::NO_ROOT_LOCKED
        | CapabilitiesSecureBits::NO_SETUID_FIXUP
        | CapabilitiesSecureBits::NO_SETUID_FIXUP_LOCKED
        | CapabilitiesSecureBits::KEEP_CAPS_LOCKED
        | CapabilitiesSecureBits::NO_CAP_AMBIENT_RAISE
        | CapabilitiesSecureBits::NO_CAP_AMBIENT_RAISE_LOCKED;
    let securebits_locked = set_capabilities_secure_bits(bits).is_ok();
    let empty = CapabilitySets {
        effective: CapabilitySet::empty(),
        permitted: CapabilitySet::empty(),
        inheritable: CapabilitySet::empty(),
    };
    let _ = set_capabilities(None, empty);
    let capabilities_empty = capabilities(None).is_ok_and(|c| {
        c.effective.is_empty() && c.permitted.is_empty() && c.inheritable.is_empty()
    });
    Dropped {
        capabilities_empty,
        bounding_empty,
        securebits_locked,
    }
}
