//! `--net loopback`: the step gets a network namespace of its own, whose
//! only interface is its own loopback. It can serve and connect on
//! 127.0.0.1 and ::1, and reaches nothing else: not the machine's
//! loopback services, not the outside.
//!
//! The namespace is made by [`crate::namespaces`]; here its loopback is
//! brought up. Where no namespace can be made (Docker's default profile,
//! some CI runners) the run is refused with the reason.

use rustix::net::{
    AddressFamily, RecvFlags, SendFlags, SocketType, netlink::SocketAddrNetlink, recv, sendto,
    socket,
};

/// Brings the loopback interface of the calling process's (new) network
/// namespace up, or says why it could not.
pub fn up() -> Result<(), String> {
    loopback_up()
}

/// An `RTM_NEWLINK` request setting `IFF_UP` on interface 1, which is the
/// loopback in a new network namespace: a netlink header (16 bytes) and an
/// `ifinfomsg` (16 bytes), asking for an acknowledgement.
pub fn up_request() -> [u8; 32] {
    const RTM_NEWLINK: u16 = 16;
    const NLM_F_REQUEST: u16 = 1;
    const NLM_F_ACK: u16 = 4;
    const IFF_UP: u32 = 1;
    let mut m = [0u8; 32];
    m[0..4].copy_from_slice(&32u32.to_ne_bytes());
    m[4..6].copy_from_slice(&RTM_NEWLINK.to_ne_bytes());
    m[6..8].copy_from_slice(&(NLM_F_REQUEST | NLM_F_ACK).to_ne_bytes());
    m[8..12].copy_from_slice(&1u32.to_ne_bytes()); // sequence number
    // ifinfomsg: family 0, pad, type 0, index 1, flags, change mask.
    m[20..24].copy_from_slice(&1i32.to_ne_bytes());
    m[24..28].copy_from_slice(&IFF_UP.to_ne_bytes());
    m[28..32].copy_from_slice(&IFF_UP.to_ne_bytes());
    m
}

/// The error code of a netlink acknowledgement (`NLMSG_ERROR`: 0 is
/// success, else a negative errno).
pub fn ack_error(reply: &[u8]) -> Result<i32, String> {
    const NLMSG_ERROR: u16 = 2;
    let kind = reply
        .get(4..6)
        .map(|b| u16::from_ne_bytes([b[0], b[1]]))
        .ok_or("short netlink reply")?;
    if kind != NLMSG_ERROR {
        return Err(format!("unexpected netlink reply type {kind}"));
    }
    reply
        .get(16..20)
        .map(|b| i32::from_ne_bytes([b[0], b[1], b[2], b[3]]))
        .ok_or_else(|| "short netlink acknowledgement".to_owned())
}

fn loopback_up() -> Result<(), String> {
    let sock = socket(AddressFamily::NETLINK, SocketType::RAW, None).map_err(|e| e.to_string())?;
    sendto(
        &sock,
        &up_request(),
        SendFlags::empty(),
        &SocketAddrNetlink::new(0, 0),
    )
    .map_err(|e| e.to_string())?;
    let mut reply = [0u8; 512];
    let (n, _) = recv(&sock, &mut reply, RecvFlags::empty()).map_err(|e| e.to_string())?;
    match ack_error(&reply[..n])? {
        0 => Ok(()),
        e => Err(std::io::Error::from_raw_os_error(-e).to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_request_sets_interface_one_up() {
        let m = up_request();
        assert_eq!(
            u32::from_ne_bytes(m[0..4].try_into().unwrap_or_default()),
            32
        );
        assert_eq!(u16::from_ne_bytes([m[4], m[5]]), 16);
        assert_eq!(
            i32::from_ne_bytes(m[20..24].try_into().unwrap_or_default()),
            1
        );
        assert_eq!(m[24], 1);
        assert_eq!(m[28], 1);
    }

    #[test]
    fn acknowledgements() {
        let mut ok = [0u8; 36];
        ok[4] = 2;
        assert_eq!(ack_error(&ok), Ok(0));
        ok[16..20].copy_from_slice(&(-1i32).to_ne_bytes());
        assert_eq!(ack_error(&ok), Ok(-1));
        assert!(ack_error(&[0, 0]).is_err());
        let mut other = [0u8; 20];
        other[4] = 16;
        assert!(ack_error(&other).is_err());
    }
}
