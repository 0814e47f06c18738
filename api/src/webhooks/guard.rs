//! What a webhook may be pointed at (SSRF): https only unless allowed, and never an address in
//! a private, loopback, link-local or otherwise special range, unless it is in the explicit
//! allow-list (`EXODUS_WEBHOOK_ALLOW_NETWORKS`). The check runs on the addresses DNS returns
//! at connection time (the client's resolver below), so a name that resolves to a public
//! address when registered and to 127.0.0.1 later is refused then; redirects are not followed.

use crate::error::{AppError, AppResult};
use ipnet::IpNet;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

/// The rule, as configured.
#[derive(Debug, Clone, Default)]
pub struct Guard {
    /// Plain http allowed (tests, private deployments).
    pub allow_http: bool,
    /// Ranges allowed even though they are not public.
    pub allow: Vec<IpNet>,
}

impl Guard {
    /// Reads the comma-separated allow-list (`10.0.0.0/8, 127.0.0.1`).
    pub fn new(allow_http: bool, networks: &str) -> anyhow::Result<Self> {
        let allow = networks
            .split(',')
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(|n| {
                n.parse::<IpNet>()
                    .or_else(|_| n.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| anyhow::anyhow!("{n:?} is not an IP address or CIDR range"))
            })
            .collect::<anyhow::Result<_>>()?;
        Ok(Self { allow_http, allow })
    }

    /// Whether a connection to this address is allowed.
    pub fn allows(&self, ip: IpAddr) -> bool {
        is_public(ip) || self.allow.iter().any(|n| n.contains(&ip))
    }

    /// Checks a URL an admin registers: scheme, host, no credentials, and a literal address
    /// (which DNS never sees) against the ranges. Names are checked when connecting.
    pub fn check_url(&self, text: &str) -> AppResult<url::Url> {
        let bad = |why: &str| AppError::bad_input(format!("the webhook URL {text:?} {why}"));
        let url = url::Url::parse(text).map_err(|e| bad(&format!("is not a URL ({e})")))?;
        match url.scheme() {
            "https" => {}
            "http" if self.allow_http => {}
            "http" => return Err(bad("must use https (plain http is off on this server)")),
            _ => return Err(bad("must be an https URL")),
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(bad(
                "must not carry credentials; receivers verify the signature",
            ));
        }
        let literal = match url.host() {
            None => return Err(bad("has no host")),
            Some(url::Host::Ipv4(v4)) => Some(IpAddr::V4(v4)),
            Some(url::Host::Ipv6(v6)) => Some(IpAddr::V6(v6)),
            Some(url::Host::Domain(_)) => None,
        };
        if let Some(ip) = literal {
            if !self.allows(ip) {
                return Err(bad(&format!(
                    "points at {ip}, a private, loopback or reserved address"
                )));
            }
        }
        Ok(url)
    }
}

impl Guard {
    /// Checks a URL as [`Guard::check_url`] does, and resolves its name now, so that an admin
    /// who registers a name of a private address hears so at once. (Each delivery checks the
    /// addresses again when it connects: DNS may answer differently later.)
    pub async fn check_registration(&self, text: &str) -> AppResult<url::Url> {
        let url = self.check_url(text)?;
        if let Some(url::Host::Domain(name)) = url.host() {
            let port = url.port_or_known_default().unwrap_or(443);
            let lookup = tokio::net::lookup_host((name, port));
            let found: Vec<IpAddr> =
                tokio::time::timeout(std::time::Duration::from_secs(5), lookup)
                    .await
                    .map_err(|_| {
                        AppError::bad_input(format!(
                            "the webhook host {name:?} did not resolve within 5 s"
                        ))
                    })?
                    .map_err(|e| {
                        AppError::bad_input(format!(
                            "the webhook host {name:?} cannot be resolved: {e}"
                        ))
                    })?
                    .map(|a| a.ip())
                    .collect();
            if !found.iter().any(|ip| self.allows(*ip)) {
                let seen: Vec<String> = found.iter().map(ToString::to_string).collect();
                return Err(AppError::bad_input(format!(
                    "the webhook host {name:?} resolves only to private, loopback or reserved \
                     addresses ({})",
                    seen.join(", ")
                )));
            }
        }
        Ok(url)
    }
}

/// A resolver that drops every address the guard refuses, and fails when none is left.
pub struct GuardedResolver(pub Arc<Guard>);

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let guard = self.0.clone();
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let allowed: Vec<SocketAddr> = found
                .iter()
                .copied()
                .filter(|a| guard.allows(a.ip()))
                .collect();
            if allowed.is_empty() {
                let seen: Vec<String> = found.iter().map(|a| a.ip().to_string()).collect();
                return Err(format!(
                    "{host} resolves only to refused addresses ({}): private, loopback or \
                     reserved (see EXODUS_WEBHOOK_ALLOW_NETWORKS)",
                    seen.join(", ")
                )
                .into());
            }
            let addrs: Addrs = Box::new(allowed.into_iter());
            Ok(addrs)
        })
    }
}

/// Whether an address is on the public internet: not loopback, private, link-local,
/// carrier-grade NAT, unique-local, multicast, documentation, benchmarking or unspecified.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        // IPv4-mapped (::ffff:a.b.c.d) and the deprecated IPv4-compatible (::a.b.c.d) forms
        // reach the IPv4 address: judge that one (`::1` reads as 0.0.0.1, refused too).
        IpAddr::V6(v6) => match v6.to_ipv4() {
            Some(v4) => is_public_v4(v4),
            None => is_public_v6(v6),
        },
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // carrier-grade NAT
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 198 && (18..20).contains(&b)) // benchmarking
        || (a == 192 && b == 88 && c == 99) // 6to4 relays
        || a >= 240) // reserved
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let [first, second, ..] = ip.segments();
    !(ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        || (first & 0xfe00) == 0xfc00 // unique local
        || (first & 0xffc0) == 0xfe80 // link-local
        || (first & 0xffc0) == 0xfec0 // site-local (deprecated)
        || first == 0x2002 // 6to4: embeds any IPv4 address
        || (first == 0x2001 && second < 0x0200) // IETF protocol assignments, Teredo
        || (first == 0x2001 && second == 0x0db8) // documentation
        || (first == 0x0064 && second == 0xff9b) // NAT64: may reach private IPv4
        || (first == 0 && second == 0)) // ::ffff:0:a.b.c.d and other embedded forms
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn special_addresses_are_refused_and_public_ones_pass() {
        for refused in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "::127.0.0.1",
            "::ffff:0:127.0.0.1",
            "2002:7f00:1::1",
            "2001:0:4136:e378::1",
            "fec0::1",
            "64:ff9b::10.0.0.1",
            "192.88.99.1",
        ] {
            assert!(!is_public(refused.parse().unwrap()), "{refused}");
        }
        for public in ["93.184.216.34", "8.8.8.8", "2606:4700::1111"] {
            assert!(is_public(public.parse().unwrap()), "{public}");
        }
    }

    #[test]
    fn urls_are_checked_before_any_connection() {
        let strict = Guard::new(false, "").unwrap();
        assert!(strict.check_url("https://hooks.example.org/x").is_ok());
        for bad in [
            "http://hooks.example.org/x",
            "ftp://hooks.example.org/x",
            "https://127.0.0.1/x",
            "https://[::1]/x",
            "https://user:pw@hooks.example.org/x",
            "https://169.254.169.254/latest/meta-data",
            "not a url",
        ] {
            assert_eq!(
                strict.check_url(bad).unwrap_err().code(),
                "BAD_USER_INPUT",
                "{bad}"
            );
        }
        let tests = Guard::new(true, "127.0.0.0/8, ::1").unwrap();
        assert!(tests.check_url("http://127.0.0.1:9999/hook").is_ok());
        assert!(tests.check_url("http://10.0.0.1/hook").is_err());
        assert!(Guard::new(false, "nonsense").is_err());
    }

    #[tokio::test]
    async fn names_are_resolved_and_checked() {
        let strict = Guard::new(true, "").unwrap();
        let refused = strict.check_registration("http://localhost:9/x").await;
        assert!(refused.unwrap_err().message().contains("loopback"));
        let allowed = Guard::new(true, "127.0.0.0/8,::1").unwrap();
        assert!(allowed
            .check_registration("http://localhost:9/x")
            .await
            .is_ok());
        let resolver = GuardedResolver(Arc::new(strict));
        let name: Name = "localhost".parse().unwrap();
        let err = resolver.resolve(name).await.err().expect("refused");
        assert!(err.to_string().contains("refused addresses"), "{err}");
    }
}
