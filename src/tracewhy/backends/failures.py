"""Every way a backend call fails, as one line that names the backend and says what to do.

Nothing here repeats an exception's own text: that can hold a URL we did not clean or a body
we did not ask for.  Backend error messages are quoted from the body, shortened and stripped
of control characters.
"""

from __future__ import annotations

import re
import socket
from typing import Any

import requests
from urllib3 import exceptions as u3

from tracewhy.backends.config import BackendConfig
from tracewhy.backends.retry import RetryStopped
from tracewhy.backends.urls import host_port
from tracewhy.errors import (
    BackendAuthError,
    BackendDataError,
    BackendUnavailable,
    ConfigError,
    TracewhyError,
    TryAgainLater,
)
from tracewhy.jsonio import JSONDecodeError, dumps, loads

_RUNNING_HINT = {
    "jaeger": "is Jaeger's query service running there? Its API listens on port 16686 by default",
    "zipkin": "is the Zipkin server running there? It listens on port 9411 by default",
}
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
MESSAGE_CHARS = 300


def transport_error(config: BackendConfig, url: str, exc: Exception,
                    timeout: float) -> TracewhyError:
    """A failure before a response arrived: connect, TLS, timeout, reset."""
    where = host_port(url)
    reason = _root_cause(exc)
    if isinstance(exc, requests.exceptions.SSLError) or isinstance(reason, u3.SSLError):
        return _tls_error(config, where, str(reason))
    if isinstance(exc, requests.exceptions.ProxyError):
        proxy = requests.utils.select_proxy(url, requests.utils.get_environ_proxies(url))
        through = f"the proxy {host_port(proxy)}" if proxy else "a proxy"
        return BackendUnavailable(f"{config.label}: cannot reach {where} through {through} "
                                  "(from the environment)", hint="check HTTPS_PROXY, HTTP_PROXY "
                                  "and NO_PROXY, or connect directly with --no-env-proxy")
    if isinstance(reason, u3.NameResolutionError) or isinstance(reason, socket.gaierror):
        return ConfigError(f"{config.label}: cannot resolve host {where.rsplit(':', 1)[0]}",
                           hint="check the URL")
    if _is_refused(reason):
        return BackendUnavailable(f"{config.label}: cannot connect to {where} "
                                  "(connection refused)", hint=_RUNNING_HINT[config.kind])
    if isinstance(exc, requests.exceptions.ConnectTimeout) or _is_connect_timeout(reason):
        return BackendUnavailable(f"{config.label}: timed out connecting to {where}",
                                  hint="check the host, port and any firewall")
    if isinstance(exc, requests.exceptions.ReadTimeout) or isinstance(reason, u3.ReadTimeoutError):
        return BackendUnavailable(f"{config.label}: no response from {where} within "
                                  f"{timeout:g} s", hint="raise --read-timeout if it is just slow")
    if isinstance(reason, (u3.ProtocolError, ConnectionError, OSError)):
        return BackendUnavailable(f"{config.label}: the connection to {where} was closed or "
                                  "reset before a response", hint="check the URL and any proxy")
    if isinstance(exc, requests.exceptions.InvalidURL):
        return ConfigError(f"{config.label}: invalid URL")
    return BackendUnavailable(f"{config.label}: request to {where} failed "
                              f"({type(reason).__name__})")


# What the server says (a TLS alert) about our client certificate, and what OpenSSL says when
# it cannot load ours; anything else is our check of the server's certificate failing.
_WANTS_CLIENT_CERT = ("CERTIFICATE_REQUIRED", "ALERT_HANDSHAKE_FAILURE")
_REFUSED_CLIENT_CERT = ("ALERT_UNKNOWN_CA", "ALERT_BAD_CERTIFICATE", "ALERT_CERTIFICATE_UNKNOWN",
                        "ALERT_ACCESS_DENIED", "ALERT_UNSUPPORTED_CERTIFICATE",
                        "ALERT_CERTIFICATE_EXPIRED", "ALERT_CERTIFICATE_REVOKED")
_UNUSABLE_CLIENT_CERT = ("PEM lib", "KEY_VALUES_MISMATCH", "NO_START_LINE", "BAD_DECRYPT")
# The server hung up mid-handshake: often how it refuses a missing or untrusted client cert.
_HUNG_UP = ("EOF occurred in violation of protocol", "UNEXPECTED_EOF")


def _tls_error(config: BackendConfig, where: str, message: str) -> ConfigError:
    cert = config.http.client_cert
    if cert is None and any(code in message for code in _WANTS_CLIENT_CERT):
        return ConfigError(f"{config.label}: {where} asks for a client certificate (mutual TLS)",
                           hint="give one with --client-cert FILE [--client-key FILE]")
    if cert is None and any(code in message for code in _HUNG_UP):
        return ConfigError(f"{config.label}: {where} closed the TLS connection during the "
                           "handshake", hint="if it wants a client certificate (mutual TLS), "
                                             "give one with --client-cert FILE")
    if cert is not None:
        key = config.http.client_key
        if any(code in message for code in _UNUSABLE_CLIENT_CERT):
            return ConfigError(f"{config.label}: cannot use the client certificate {cert}"
                               + (f" with the key {key}" if key else ""),
                               hint="both must be PEM files, the key the certificate's own "
                                    "and not encrypted")
        if any(code in message for code in _WANTS_CLIENT_CERT + _REFUSED_CLIENT_CERT + _HUNG_UP):
            return ConfigError(f"{config.label}: {where} did not accept the client certificate "
                               f"{cert}", hint="check that it is signed by a CA the server "
                                               "trusts, and has not expired")
    return ConfigError(f"{config.label}: TLS verification failed for {where}",
                       hint="give the server's CA with --ca-bundle FILE")


def _root_cause(exc: BaseException) -> BaseException:
    """The innermost urllib3/socket error behind a requests exception."""
    seen: set[int] = set()
    current: BaseException = exc
    while id(current) not in seen:
        seen.add(id(current))
        nested = getattr(current, "reason", None)
        if not isinstance(nested, BaseException) and current.args:
            nested = current.args[0] if isinstance(current.args[0], BaseException) else None
        if not isinstance(nested, BaseException):
            break
        current = nested
    return current


def _is_refused(reason: BaseException) -> bool:
    if isinstance(reason, ConnectionRefusedError):
        return True
    return isinstance(reason, u3.NewConnectionError) and "refused" in str(reason).lower()


def _is_connect_timeout(reason: BaseException) -> bool:
    return isinstance(reason, u3.ConnectTimeoutError) and not isinstance(
        reason, u3.NewConnectionError)


def retry_stopped(config: BackendConfig, stop: RetryStopped) -> TracewhyError:
    status = f"HTTP {stop.status}" if stop.status else "connection failures"
    if stop.retry_after and stop.reason == "cap":
        return TryAgainLater(f"{config.label}: {status}: the server asks to retry after "
                             f"{_seconds(stop.wait)}, longer than the "
                             f"{config.http.retry_after_cap:g} s tracewhy waits",
                             hint="try again later")
    if stop.retry_after:
        return TryAgainLater(f"{config.label}: {status}: the server asks to retry after "
                             f"{_seconds(stop.wait)}, past the deadline", hint="try again later")
    return BackendUnavailable(f"{config.label}: {status}: still failing when the deadline "
                              "came", hint="check the backend, or raise --deadline")


def _seconds(wait: float) -> str:
    return f"{wait:.0f} s" if wait < 1e7 else f"{wait:.3g} s"


def status_error(config: BackendConfig, status: int, body: bytes, retries: int,
                 what: str = "the request") -> TracewhyError:
    """An error for a response whose status the caller did not expect."""
    after = f" after {retries} retries" if retries else ""
    said = scrub(backend_message(body), config)
    said_part = f": {said}" if said else ""
    if status in (401, 403):
        return BackendAuthError(f"{config.label}: authentication rejected (HTTP {status})",
                                hint="check the token (TRACEWHY_TOKEN, --token-file) or "
                                     "--user and its password, and any -H headers")
    if status == 429:
        return TryAgainLater(f"{config.label}: rate limited (HTTP 429){after}",
                             hint="try again later")
    if status >= 500:
        return BackendUnavailable(f"{config.label}: HTTP {status}{after} from the backend"
                                  f"{said_part}", hint="the backend's own error; see its logs")
    if status == 404:
        return ConfigError(f"{config.label}: {what} got HTTP 404{said_part}",
                           hint="wrong base URL? Give the address the API is served under: "
                                "Jaeger's query service with its base path, Zipkin without "
                                "/zipkin")
    return BackendDataError(f"{config.label}: the backend rejected {what} (HTTP {status})"
                            f"{said_part}")


def backend_message(body: bytes) -> str:
    """What the backend said in an error body: Jaeger's ``errors[].msg`` or ``error.message``,
    Zipkin's text; an HTML page is called that rather than quoted."""
    text = body[:4096].decode("utf-8", errors="replace").strip()
    if not text:
        return ""
    if looks_html(body):
        return "an HTML page"
    try:
        said = _json_message(loads(body))
    except JSONDecodeError:
        said = text
    return clean_message(said)


def _json_message(doc: Any) -> str:
    if isinstance(doc, dict):
        errors = doc.get("errors")
        if isinstance(errors, list) and errors:
            return "; ".join(str(e.get("msg", e)) if isinstance(e, dict) else str(e)
                             for e in errors)
        error = doc.get("error")
        if isinstance(error, dict):
            return str(error.get("message", error))
        if error is not None or "message" in doc:
            return str(error if error is not None else doc["message"])
    return dumps(doc)[:MESSAGE_CHARS]


def scrub(text: str, config: BackendConfig) -> str:
    """Mask our own secrets in text the backend sent back (a proxy may echo request headers)."""
    for secret in config.credentials.secrets():
        if len(secret) >= 4:
            text = text.replace(secret, "***")
    return text


def clean_message(text: str) -> str:
    flat = _CONTROL.sub(" ", text).strip()
    return flat if len(flat) <= MESSAGE_CHARS else flat[:MESSAGE_CHARS] + "..."


def looks_html(body: bytes) -> bool:
    head = body[:512].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<?xml")) or (
        head.startswith(b"<") and b"<html" in body[:4096].lower())


def not_json(config: BackendConfig, body: bytes, what: str) -> TracewhyError:
    if looks_html(body):
        return BackendDataError(f"{config.label}: {what} returned an HTML page, not JSON",
                                hint="a login or proxy page? check the URL and credentials")
    return BackendDataError(f"{config.label}: {what} did not return JSON: "
                            f"{clean_message(body[:120].decode('utf-8', errors='replace'))!r}")
