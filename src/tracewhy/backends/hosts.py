"""Which hosts a backend request may go to.

Backend URLs come from config files in repositories and from cron jobs, and backends answer
with redirects: a URL can point tracewhy at a cloud's instance-metadata service, which hands
out credentials to whoever asks from inside the machine.  So, unless the user allows the host
by name, no request (the first or a redirect) goes to a link-local address (169.254.0.0/16,
fe80::/10, where every big cloud serves metadata), to the few metadata addresses outside that
range, or to a name resolving to one.  With an allow-list (``--allow-host``), every request
must go to a listed host.
"""

from __future__ import annotations

import ipaddress
import socket

from tracewhy.errors import ConfigError

# Instance-metadata services outside the link-local ranges: AWS over IPv6, Alibaba Cloud.
_METADATA_ADDRESSES = frozenset({ipaddress.ip_address("fd00:ec2::254"),
                                 ipaddress.ip_address("100.100.100.200")})
_METADATA_NAMES = frozenset({"metadata.google.internal", "metadata.goog", "instance-data",
                             "instance-data.ec2.internal"})


def check_host(host: str, allowed: tuple[str, ...], label: str) -> None:
    """Raise ConfigError when a request to ``host`` (lower-case, as ``urls.origin`` gives it)
    must not be sent."""
    if is_listed(host, allowed):
        return
    if allowed:
        raise ConfigError(f"{label}: {host} is not an allowed host ({', '.join(allowed)}); "
                          "refusing to send it a request",
                          hint=f"add --allow-host {host} if it is one of your backends")
    why = "a cloud instance-metadata service's name" if host in _METADATA_NAMES \
        else metadata_reason(host, resolved(host))
    if why:
        raise ConfigError(f"{label}: {host} is {why}; refusing to send it a request",
                          hint=f"if it really is your backend, allow it: --allow-host {host}")


def is_listed(host: str, allowed: tuple[str, ...]) -> bool:
    """``host`` is in the list, exactly or under a ``*.domain`` entry."""
    for entry in allowed:
        entry = entry.strip().lower().strip("[]")
        if host == entry or (entry.startswith("*.") and host.endswith(entry[1:])):
            return True
    return False


def metadata_reason(host: str, addresses: list[str]) -> str | None:
    """Why ``host``, which resolves to ``addresses``, may be a metadata service; None if not."""
    for text in addresses:
        if is_metadata_address(text):
            shown = "" if text == host else f" (it resolves to {text})"
            return f"a link-local or cloud instance-metadata address{shown}"
    return None


def is_metadata_address(text: str) -> bool:
    """A link-local address or a known metadata address (False for anything not an address)."""
    try:
        address = ipaddress.ip_address(text.split("%")[0])  # fe80::1%eth0
    except ValueError:
        return False
    address = getattr(address, "ipv4_mapped", None) or address
    return address.is_link_local or address in _METADATA_ADDRESSES


def check_peer(host: str, peer: str, allowed: tuple[str, ...], label: str) -> None:
    """Raise ConfigError when a connection to ``host`` reached ``peer``, a metadata address.

    ``check_host`` judged the name by what the resolver said then; the resolver may answer
    differently when the connection is made (DNS rebinding: a short-lived record that first
    points at a harmless address, then at the metadata service).  So the address actually
    connected to is judged too, before a byte of the request is sent."""
    host = host.lower().strip("[]")
    if is_listed(host, allowed) or not is_metadata_address(peer):
        return
    shown = f"{host}, which connected to {peer}," if peer != host else host
    raise ConfigError(f"{label}: {shown} is a link-local or cloud instance-metadata address; "
                      "refusing to send it a request",
                      hint=f"if it really is your backend, allow it: --allow-host {host}")


def resolved(host: str) -> list[str]:
    """The host's addresses: itself when it is one, else what the resolver says (nothing when
    it cannot say: the request then fails with the connection's own message)."""
    try:
        return [str(ipaddress.ip_address(host))]
    except ValueError:
        pass
    try:
        return sorted({str(info[4][0]) for info in socket.getaddrinfo(host, None)})
    except (OSError, UnicodeError):
        return []
