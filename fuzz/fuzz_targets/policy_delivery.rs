//! `delivery.toml` (`custody accept`'s rules):
//! `custody::workflow::deliver::policy::DeliveryPolicy::parse`, then the
//! signer rules asked of one key id.
#![no_main]
use custody::workflow::deliver::policy::DeliveryPolicy;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Some(text) = custody_fuzz::text(data)
        && let Ok(policy) = DeliveryPolicy::parse(std::path::Path::new("delivery.toml"), text)
    {
        let _ = policy.signing("0123456789abcdef");
    }
});
