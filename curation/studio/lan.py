"""The address a team types: a server listening on every interface (``0.0.0.0``) is reached at this
machine's own network addresses, never at ``0.0.0.0``, which only this machine can use."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit, urlunsplit

WILDCARDS = ("0.0.0.0", "::", "")


def machine_addresses() -> list[str]:
    """This machine's IPv4 addresses on interfaces that are up, loopback and link-local excepted."""
    import psutil

    up = {name for name, stats in psutil.net_if_stats().items() if stats.isup}
    found = []
    for name, addresses in sorted(psutil.net_if_addrs().items()):
        for address in addresses:
            if name in up and address.family == socket.AF_INET:
                ip = ipaddress.ip_address(address.address)
                if not (ip.is_loopback or ip.is_link_local):
                    found.append(address.address)
    return list(dict.fromkeys(found))


def team_urls(url: str) -> list[str]:
    """Where annotators on the network open ``url``: the machine's addresses when it listens on
    every interface, the URL itself when it names one, nothing when it is this machine's only."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if host in WILDCARDS:
        return [urlunsplit(parts._replace(netloc=f"{address}:{parts.port}")) for address in machine_addresses()]
    return [] if _loopback(host) else [url]


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # a name
        return host == "localhost"
