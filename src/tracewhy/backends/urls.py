"""Backend URLs: validated once, kept without credentials, joined and compared safely.

Credentials in a URL (``https://user:secret@host``) are taken out at configuration time and sent
as basic auth, so every URL we keep, print or link to is already clean.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode, urljoin, urlsplit, urlunsplit

from tracewhy.errors import ConfigError

SCHEMES = ("http", "https")


def split_base_url(raw: str, what: str) -> tuple[str, str | None, str | None]:
    """(clean base URL, user, password) from a user-given base URL; refuse what we cannot use."""
    text = raw.strip()
    if "://" not in text:
        raise ConfigError(f"{what}: {strip_credentials(text)!r} is not a URL",
                          hint="give it as http://host:port or https://host:port")
    parts = urlsplit(text)
    if parts.scheme.lower() not in SCHEMES:
        raise ConfigError(f"{what}: scheme {parts.scheme!r} is not supported; use http or https")
    if not parts.hostname:
        raise ConfigError(f"{what}: {strip_credentials(text)!r} has no host name")
    try:
        parts.port  # noqa: B018  (raises on a non-numeric port)
    except ValueError:
        raise ConfigError(f"{what}: {strip_credentials(text)!r} has an invalid port") from None
    if parts.query or parts.fragment:
        raise ConfigError(f"{what}: give the base URL without ?query or #fragment")
    clean = urlunsplit((parts.scheme.lower(), _netloc(parts.hostname, parts.port),
                        parts.path.rstrip("/"), "", ""))
    return clean, parts.username or None, parts.password or None


def strip_credentials(url: str) -> str:
    """The URL without any user:password@ part (for anything shown to people)."""
    if "@" not in url:
        return url
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<url>"
    if parts.hostname is None:
        return url.rsplit("@", 1)[-1]
    try:
        port = parts.port
    except ValueError:
        port = None
    return urlunsplit((parts.scheme, _netloc(parts.hostname, port), parts.path, parts.query,
                       parts.fragment))


def _netloc(host: str, port: int | None) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"{shown}:{port}" if port is not None else shown


def join(base: str, path: str, params: dict[str, str] | None = None) -> str:
    """``base`` + ``path`` (each segment given already quoted) + an encoded query string."""
    url = base.rstrip("/") + "/" + path.lstrip("/")
    return f"{url}?{urlencode(params)}" if params else url


def segment(text: str) -> str:
    """One path segment, quoted (trace ids are hex, but a user can type anything)."""
    return quote(text, safe="")


def resolve_redirect(current: str, location: str) -> str:
    return urljoin(current, location)


def origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return parts.scheme.lower(), (parts.hostname or "").lower(), port


def host_port(url: str) -> str:
    _, host, port = origin(url)
    return f"{host}:{port}"
