"""Network facts shared by the servers the package runs (the local engine, the relay)."""

from __future__ import annotations

import ipaddress


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and loopback addresses (IPv4 or bracketed IPv6): binding any
    other host exposes a server to the network and needs ``--public``."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
