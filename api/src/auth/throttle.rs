//! The client address that password guesses are counted by (`domain::throttle`; the counts live
//! in the database, `persistence::throttle`, so every replica sees them).
//!
//! The address is the connection's peer, unless the peer is one of the configured trusted
//! proxies (`SERIKTES_TRUSTED_PROXIES`): then it is the right-most address in
//! `X-Forwarded-For` that is not a trusted proxy. Without trusted proxies the header is
//! ignored, so a client cannot pick the address it is counted by.

use actix_web::HttpRequest;
use actix_web::http::header::HeaderName;
use std::net::{IpAddr, Ipv6Addr};

const X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");

/// The address of the client that sent `req`, as described above.
pub fn client_address(req: &HttpRequest, trusted_proxies: &[IpAddr]) -> IpAddr {
    let peer = req
        .peer_addr()
        .map_or(IpAddr::V6(Ipv6Addr::UNSPECIFIED), |a| a.ip());
    if !trusted_proxies.contains(&peer) {
        return peer;
    }
    // Each proxy appends the address it received from; read from the nearest hop outwards.
    let hops: Vec<IpAddr> = req
        .headers()
        .get_all(X_FORWARDED_FOR)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map_while(|hop| hop.trim().parse::<IpAddr>().ok())
        .collect();
    hops.into_iter()
        .rev()
        .find(|hop| !trusted_proxies.contains(hop))
        .unwrap_or(peer)
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    const PROXY: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(10, 0, 0, 2));

    fn from_proxy(xff: &[&str]) -> HttpRequest {
        let mut r = TestRequest::default().peer_addr((PROXY, 4000).into());
        for v in xff {
            r = r.append_header(("X-Forwarded-For", *v));
        }
        r.to_http_request()
    }

    #[test]
    fn the_forwarded_address_counts_only_behind_a_trusted_proxy() {
        let req = from_proxy(&["203.0.113.9, 198.51.100.7"]);
        assert_eq!(client_address(&req, &[]), PROXY);
        assert_eq!(
            client_address(&req, &[PROXY]),
            "198.51.100.7".parse::<IpAddr>().unwrap()
        );
        // A second trusted hop is skipped; a forged left-most entry never wins.
        let req = from_proxy(&["1.2.3.4, 203.0.113.9", "10.0.0.3"]);
        let trusted = [PROXY, "10.0.0.3".parse().unwrap()];
        assert_eq!(
            client_address(&req, &trusted),
            "203.0.113.9".parse::<IpAddr>().unwrap()
        );
        // No header, or garbage: the peer.
        assert_eq!(client_address(&from_proxy(&[]), &[PROXY]), PROXY);
        assert_eq!(client_address(&from_proxy(&["nonsense"]), &[PROXY]), PROXY);
    }
}
