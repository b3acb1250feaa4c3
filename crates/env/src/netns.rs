//! A network namespace for the server, joined to the host by a veth pair.
//!
//! Two hosts are simulated with two namespaces: the host's own (where Podium and its
//! load generator stay) and a new one for the server. Traffic between them crosses a
//! veth pair, so it goes through a real network device and the full IP stack instead
//! of the loopback shortcut. Each pair gets its own /30 in [`SUBNET`]: `.1` on the
//! host side, `.2` inside the namespace.

use crate::EnvError;
use std::net::Ipv4Addr;
use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};

/// The /16 the veth addresses are taken from: private, and unlikely to be routed on
/// a benchmark machine.
pub const SUBNET: (Ipv4Addr, u8) = (Ipv4Addr::new(10, 213, 0, 0), 16);

/// /30 blocks in the /16.
const BLOCKS: u32 = 1 << (32 - 16 - 2);

static NEXT_PAIR: AtomicU32 = AtomicU32::new(0);

/// A network namespace named `podium-<pid>-<n>` and a veth pair into it. Dropping it
/// deletes both (stop the server inside first).
#[derive(Debug)]
pub struct NetnsPair {
    name: String,
    host_if: String,
    ns_if: String,
    host_addr: Ipv4Addr,
    server_addr: Ipv4Addr,
    ns_created: bool,
    link_created: bool,
}

impl NetnsPair {
    /// Creates the namespace and the veth pair with `ip` (iproute2), both ends up with
    /// their addresses, and `lo` up inside. Needs root (CAP_SYS_ADMIN, CAP_NET_ADMIN).
    pub fn create() -> Result<Self, EnvError> {
        let pid = std::process::id();
        let n = NEXT_PAIR.fetch_add(1, Ordering::Relaxed);
        let used = addresses_in_use()?;
        let base = pick_block(pid, n, &used).ok_or_else(|| EnvError::Netns {
            step: "choosing addresses".into(),
            detail: format!(
                "every /30 in {}/{} is already in use on this host",
                SUBNET.0, SUBNET.1
            ),
        })?;
        let base = u32::from(base);
        // Interface names are at most 15 bytes: "pm" + pid (≤ 7 digits) + side + n.
        let suffix = n % 100_000;
        let mut pair = Self {
            name: format!("podium-{pid}-{n}"),
            host_if: format!("pm{pid}h{suffix}"),
            ns_if: format!("pm{pid}n{suffix}"),
            host_addr: Ipv4Addr::from(base + 1),
            server_addr: Ipv4Addr::from(base + 2),
            ns_created: false,
            link_created: false,
        };
        // From here on, a failure drops `pair`, which deletes what was created.
        ip(&["netns", "add", &pair.name])?;
        pair.ns_created = true;
        ip(&[
            "link",
            "add",
            &pair.host_if,
            "type",
            "veth",
            "peer",
            "name",
            &pair.ns_if,
        ])?;
        pair.link_created = true;
        ip(&["link", "set", &pair.ns_if, "netns", &pair.name])?;
        let host_cidr = format!("{}/30", pair.host_addr);
        let server_cidr = format!("{}/30", pair.server_addr);
        ip(&["addr", "add", &host_cidr, "dev", &pair.host_if])?;
        ip(&["link", "set", &pair.host_if, "up"])?;
        let name = pair.name.clone();
        ip(&["-n", &name, "addr", "add", &server_cidr, "dev", &pair.ns_if])?;
        ip(&["-n", &name, "link", "set", &pair.ns_if, "up"])?;
        ip(&["-n", &name, "link", "set", "lo", "up"])?;
        Ok(pair)
    }

    /// The namespace's name (`ip netns list`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The namespace file a process joins with `setns`: `/run/netns/NAME`.
    pub fn path(&self) -> PathBuf {
        PathBuf::from("/run/netns").join(&self.name)
    }

    /// The host side's address, in the root namespace (where the generator runs).
    pub fn host_addr(&self) -> Ipv4Addr {
        self.host_addr
    }

    /// The namespace side's address: where the server listens.
    pub fn server_addr(&self) -> Ipv4Addr {
        self.server_addr
    }

    /// The veth end in the root namespace.
    pub fn host_interface(&self) -> &str {
        &self.host_if
    }

    /// The veth end inside the namespace.
    pub fn namespace_interface(&self) -> &str {
        &self.ns_if
    }
}

impl Drop for NetnsPair {
    fn drop(&mut self) {
        // Deleting one end deletes the pair, even while a process still holds the
        // namespace open; deleting the namespace alone would keep the pair until
        // the last process inside is gone.
        if self.link_created {
            let _ = ip(&["link", "del", &self.host_if]);
        }
        if self.ns_created {
            let _ = ip(&["netns", "del", &self.name]);
        }
    }
}

/// Runs `ip ARGS`; a failure carries the command and its error output.
fn ip(args: &[&str]) -> Result<(), EnvError> {
    let step = format!("`ip {}`", args.join(" "));
    let output = Command::new("ip")
        .args(args)
        .output()
        .map_err(|e| EnvError::Netns {
            step: step.clone(),
            detail: if e.kind() == std::io::ErrorKind::NotFound {
                "the `ip` command (iproute2) is not installed".into()
            } else {
                format!("cannot run it: {e}")
            },
        })?;
    if output.status.success() {
        return Ok(());
    }
    let mut detail = String::from_utf8_lossy(&output.stderr).trim().to_string();
    if detail.is_empty() {
        detail = output.status.to_string();
    }
    // SAFETY: geteuid(2) cannot fail and has no side effects.
    if unsafe { libc::geteuid() } != 0 {
        detail.push_str(" (network namespaces need root: CAP_SYS_ADMIN and CAP_NET_ADMIN)");
    }
    Err(EnvError::Netns { step, detail })
}

/// IPv4 addresses configured in the root namespace (`ip -o -4 addr show`).
fn addresses_in_use() -> Result<Vec<Ipv4Addr>, EnvError> {
    let step = "`ip -o -4 addr show`".to_string();
    let output = Command::new("ip")
        .args(["-o", "-4", "addr", "show"])
        .output()
        .map_err(|e| EnvError::Netns {
            step: step.clone(),
            detail: if e.kind() == std::io::ErrorKind::NotFound {
                "the `ip` command (iproute2) is not installed".into()
            } else {
                format!("cannot run it: {e}")
            },
        })?;
    if !output.status.success() {
        return Err(EnvError::Netns {
            step,
            detail: String::from_utf8_lossy(&output.stderr).trim().to_string(),
        });
    }
    Ok(parse_inet_addresses(&String::from_utf8_lossy(
        &output.stdout,
    )))
}

/// The addresses after `inet` in `ip -o addr` lines.
fn parse_inet_addresses(text: &str) -> Vec<Ipv4Addr> {
    let mut found = Vec::new();
    for line in text.lines() {
        let mut words = line.split_whitespace();
        while let Some(word) = words.next() {
            if word != "inet" {
                continue;
            }
            let address = words.next().and_then(|a| a.split('/').next());
            if let Some(Ok(addr)) = address.map(str::parse) {
                found.push(addr);
            }
        }
    }
    found
}

/// The network address of a free /30 in [`SUBNET`]. The search starts at a block
/// derived from the pid and the pair counter, so concurrent Podium processes start
/// far apart; blocks holding an address already in use are skipped.
fn pick_block(pid: u32, n: u32, used: &[Ipv4Addr]) -> Option<Ipv4Addr> {
    let subnet = u32::from(SUBNET.0);
    let taken: std::collections::HashSet<u32> = used
        .iter()
        .map(|a| u32::from(*a).wrapping_sub(subnet))
        .filter(|offset| *offset < BLOCKS * 4)
        .map(|offset| offset / 4)
        .collect();
    // Odd multipliers spread neighbouring pids and counters over the whole range.
    let start = pid
        .wrapping_mul(2_654_435_761)
        .wrapping_add(n.wrapping_mul(97))
        % BLOCKS;
    (0..BLOCKS)
        .map(|i| (start + i) % BLOCKS)
        .find(|block| !taken.contains(block))
        .map(|block| Ipv4Addr::from(subnet + block * 4))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_ip_o_addr_output() {
        let text = "1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever\n\
                    4: eth0    inet 192.0.2.2/24 brd 192.0.2.255 scope global eth0\\\n\
                    9: pm12h0    inet 10.213.4.1/30 scope global pm12h0\\\n";
        assert_eq!(
            parse_inet_addresses(text),
            [
                Ipv4Addr::new(127, 0, 0, 1),
                Ipv4Addr::new(192, 0, 2, 2),
                Ipv4Addr::new(10, 213, 4, 1)
            ]
        );
    }

    #[test]
    fn picked_blocks_are_aligned_in_the_subnet_and_skip_used_ones() {
        let first = pick_block(1234, 0, &[]).unwrap();
        let octets = first.octets();
        assert_eq!(&octets[..2], &[10, 213]);
        assert_eq!(octets[3] % 4, 0, "a /30 network address: {first}");
        // The same inputs with that block taken: the next block.
        let taken = Ipv4Addr::from(u32::from(first) + 1);
        let second = pick_block(1234, 0, &[taken]).unwrap();
        assert_ne!(second, first);
        assert_eq!(second.octets()[3] % 4, 0);
        // Different pids start elsewhere.
        assert_ne!(pick_block(1235, 0, &[]), Some(first));
        assert_ne!(pick_block(1234, 1, &[]), Some(first));
    }

    #[test]
    fn no_block_left_is_none() {
        let all: Vec<Ipv4Addr> = (0..BLOCKS)
            .map(|b| Ipv4Addr::from(u32::from(SUBNET.0) + b * 4 + 1))
            .collect();
        assert_eq!(pick_block(1, 0, &all), None);
    }

    #[test]
    fn interface_names_fit_ifnamsiz() {
        // The longest pid Linux hands out (pid_max ≤ 2^22) and the largest suffix.
        let name = format!("pm{}h{}", 4_194_304, 99_999);
        assert!(name.len() <= 15, "{name}");
    }
}
