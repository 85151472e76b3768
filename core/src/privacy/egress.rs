//! The egress allowlist: the only hosts this workspace's processes may connect to (the
//! Graph API, Meta's media hosts, later mail servers and the hub). Anything else is
//! refused before a connection is made. This computer (loopback) is always allowed: no
//! data leaves the machine there.

use crate::error::{CoreError, Result};
use serde::{Deserialize, Serialize};

/// Hosts a new workspace may reach: the Graph API and Meta's media download hosts.
pub const DEFAULT_HOSTS: &[&str] = &["graph.facebook.com", "*.fbsbx.com", "*.fbcdn.net"];

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct EgressPolicy {
    /// Exact host names, or `*.example.com` for every subdomain of example.com.
    pub hosts: Vec<String>,
}

impl Default for EgressPolicy {
    fn default() -> Self {
        Self {
            hosts: DEFAULT_HOSTS.iter().map(|h| h.to_string()).collect(),
        }
    }
}

/// The host of an `http(s)://host[:port]/…` URL, lowercased, without brackets.
pub fn host_of(url: &str) -> Option<String> {
    let rest = url.split_once("://")?.1;
    let authority = rest.split(['/', '?', '#']).next()?;
    let authority = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if let Some(v6) = authority.strip_prefix('[') {
        v6.split(']').next()?
    } else {
        authority.split(':').next()?
    };
    (!host.is_empty()).then(|| host.to_ascii_lowercase())
}

/// Exactly `localhost`, or a loopback IP address (not a name that starts with `127.`).
fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

impl EgressPolicy {
    /// Whether a connection to `url` may be made.
    pub fn allows_url(&self, url: &str) -> std::result::Result<(), String> {
        let host = host_of(url).ok_or_else(|| "an address without a host".to_string())?;
        if is_loopback(&host) || self.hosts.iter().any(|allowed| matches(allowed, &host)) {
            Ok(())
        } else {
            Err(host)
        }
    }

    /// Whether a connection to `host` (a mail server's name or address) may be made.
    pub fn allows_host(&self, host: &str) -> bool {
        let host = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_ascii_lowercase();
        is_loopback(&host) || self.hosts.iter().any(|allowed| matches(allowed, &host))
    }

    /// Checks and normalises a list an admin typed.
    pub fn parse(hosts: &[String]) -> Result<Self> {
        let mut out: Vec<String> = Vec::new();
        for raw in hosts {
            let h = raw.trim().trim_end_matches('.').to_ascii_lowercase();
            if h.is_empty() {
                continue;
            }
            let bare = h.strip_prefix("*.").unwrap_or(&h);
            let valid = bare.contains('.')
                && bare.len() <= 253
                && bare.split('.').all(|label| {
                    !label.is_empty()
                        && label.len() <= 63
                        && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                        && !label.starts_with('-')
                        && !label.ends_with('-')
                });
            if !valid {
                return Err(CoreError::invalid(
                    "allowed hosts",
                    format!(
                        "{raw:?} is not a host name (write e.g. graph.facebook.com or *.fbcdn.net)"
                    ),
                ));
            }
            if !out.contains(&h) {
                out.push(h);
            }
        }
        Ok(Self { hosts: out })
    }
}

fn matches(allowed: &str, host: &str) -> bool {
    match allowed.strip_prefix("*.") {
        Some(domain) => {
            host.len() > domain.len() + 1
                && host.ends_with(domain)
                && host[..host.len() - domain.len()].ends_with('.')
        }
        None => allowed == host,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_hosts_wildcards_and_loopback() {
        let p = EgressPolicy::default();
        assert!(p
            .allows_url("https://graph.facebook.com/v23.0/123/messages")
            .is_ok());
        assert!(p
            .allows_url("https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1")
            .is_ok());
        assert!(p
            .allows_url("https://scontent.xx.fbcdn.net/v/t1.png")
            .is_ok());
        assert_eq!(
            p.allows_url("https://fbcdn.net.evil.example/x"),
            Err("fbcdn.net.evil.example".into())
        );
        assert_eq!(
            p.allows_url("https://evilfbcdn.net/x"),
            Err("evilfbcdn.net".into())
        );
        assert_eq!(
            p.allows_url("https://user@graph.example.com:8443/x"),
            Err("graph.example.com".into())
        );
        assert!(p.allows_url("http://127.0.0.1:9000/v23.0").is_ok());
        assert!(p.allows_url("http://[::1]:9000/").is_ok());
        assert!(p.allows_url("https://127.attacker.example/x").is_err());
    }

    #[test]
    fn an_admins_list_is_checked_and_normalised() {
        let p = EgressPolicy::parse(&[
            " Graph.Facebook.com ".into(),
            "*.fbcdn.net".into(),
            "".into(),
            "graph.facebook.com".into(),
        ])
        .expect("valid");
        assert_eq!(
            p.hosts,
            vec!["graph.facebook.com".to_string(), "*.fbcdn.net".to_string()]
        );
        assert!(EgressPolicy::parse(&["http://graph.facebook.com".into()]).is_err());
        assert!(EgressPolicy::parse(&["localhost".into()]).is_err());
        assert!(EgressPolicy::parse(&["bad_host.com".into()]).is_err());
    }
}
