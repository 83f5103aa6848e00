"""Who sent a request, and whether over TLS: what the connection says, or, for a request that
came through a proxy named in `MUSTER_TRUSTED_PROXIES`, what that proxy says."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from fastapi import Request

from muster.config import Network, Settings, trusted_networks


@dataclass(frozen=True)
class Client:
    """The client's address (as the login limits count it) and whether it used TLS."""

    address: str
    tls: bool


def client_of(request: Request, settings: Settings) -> Client:
    """The client behind a request.

    From a trusted proxy, the address is the last one in X-Forwarded-For that no trusted
    proxy holds (each proxy appends the address it was connected from, so what a client
    writes there itself is further left and never read), and the request came over TLS when
    X-Forwarded-Proto says https. From anywhere else both headers are ignored: anyone can
    write them.
    """
    peer = request.client.host if request.client is not None else ""
    tls = request.url.scheme in ("https", "wss")
    trusted = trusted_networks(settings)
    if not trusted or not is_trusted(peer, trusted):
        return Client(peer or "unknown", tls)
    address = peer
    for hop in reversed(header_values(request, "x-forwarded-for")):
        address = hop
        if not is_trusted(hop, trusted):
            break
    # Any hop that says https: a client that writes it itself only makes its cookie stricter.
    tls = tls or "https" in (p.lower() for p in header_values(request, "x-forwarded-proto"))
    return Client(address, tls)


def header_values(request: Request, name: str) -> list[str]:
    """The comma-separated values of every header `name`, in order."""
    joined = ",".join(request.headers.getlist(name))
    return [v.strip() for v in joined.split(",") if v.strip()]


def is_trusted(address: str, trusted: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # an IPv4 proxy seen through a dual-stack socket
    return any(ip in net for net in trusted)
