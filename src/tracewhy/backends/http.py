"""The HTTP client every backend call goes through: one requests Session per backend.

What it guarantees: a connect and a read timeout on every request, a total deadline per request
and per command (checked between chunks, so a slow drip cannot hold us), retries with backoff on
connection failures and 429/502/503/504 that never sleep past a cap or a deadline, a cap on the
decoded size of a response, and credentials that are never sent to another host: redirects
are followed here, at most five, never from https to http, and a hop to another origin drops
every credential header.  No request goes to a host ``hosts.check_host`` refuses (cloud metadata
addresses; with an allow-list, any host not on it), and no request is sent over a connection
that reached a metadata address whatever the name said (``hosts.check_peer``; connections made
through a proxy are judged by name only: the proxy resolves them).
"""

from __future__ import annotations

import base64
import socket
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any, TypeVar

import requests
from requests.adapters import HTTPAdapter
from urllib3 import exceptions as u3
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from tracewhy import __version__
from tracewhy.backends import failures
from tracewhy.backends.config import BackendConfig
from tracewhy.backends.hosts import check_host, check_peer
from tracewhy.backends.retry import Deadline, RetryStopped, make_retry
from tracewhy.backends.urls import join, origin, resolve_redirect, strip_credentials
from tracewhy.errors import BackendDataError, BackendUnavailable, ConfigError

MAX_REDIRECTS = 5
CHUNK = 256 * 1024
_REDIRECTS = (301, 302, 303, 307, 308)


@dataclass(frozen=True)
class Response:
    status: int
    url: str  # the final URL, without credentials
    headers: Mapping[str, str]
    body: bytes  # decoded (gunzipped)
    retries: int


class HttpClient:
    """GETs under one backend's base URL.  Not thread-safe: use one client per thread."""

    def __init__(self, config: BackendConfig, deadline: Deadline | None = None) -> None:
        self.config = config
        self.settings = config.http
        self.deadline = deadline or Deadline(self.settings.deadline)
        self._adapter = PeerCheckedAdapter(lambda host, peer: check_peer(
            host, peer, self.settings.allow_hosts, self.config.label))
        self.session = requests.Session()
        self.session.headers.update({"User-Agent": f"tracewhy/{__version__}",
                                     "Accept": "application/json"})
        self.session.mount("http://", self._adapter)
        self.session.mount("https://", self._adapter)
        # Passed on every request: a session-level verify loses to $REQUESTS_CA_BUNDLE.
        self._verify: str | bool = self.settings.ca_bundle or not self.settings.insecure
        cert, key = self.settings.client_cert, self.settings.client_key
        self._cert: str | tuple[str, str] | None = (cert, key) if cert and key else cert
        # None for a scheme overrides the environment's proxy for it (requests drops the key)
        self._proxies: dict[str, str | None] | None = \
            None if self.settings.env_proxy else {"http": None, "https": None, "all": None}
        self._hosts_checked: set[str] = set()  # a baseline search makes hundreds of requests

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        self.session.close()

    def get(self, path: str, params: dict[str, str] | None = None) -> Response:
        """GET base + path.  Raises for transport failures, 401/403, 429 and 5xx; returns every
        other status (the caller knows what a 404 means for its endpoint)."""
        url = join(self.config.url, path, params)
        deadline = Deadline(self.settings.request_timeout).sooner(self.deadline)
        headers: dict[str, str] = self._credential_headers()
        for _ in range(MAX_REDIRECTS + 1):
            self._check_host(url)
            raw = self._send(url, headers, deadline)
            if raw.status_code not in _REDIRECTS:
                return self._finish(raw, url, deadline)
            target = self._redirect_target(url, raw)
            if origin(target) != origin(url):
                headers = {}  # another host gets no credentials, now or later in the chain
            url = target
        raise BackendDataError(f"{self.config.label}: more than {MAX_REDIRECTS} redirects",
                               hint="give the URL the backend finally redirects to")

    def _check_host(self, url: str) -> None:
        """``hosts.check_host``, once per host (it may ask the resolver)."""
        host = origin(url)[1]
        if host not in self._hosts_checked:
            check_host(host, self.settings.allow_hosts, self.config.label)
            self._hosts_checked.add(host)

    def _credential_headers(self) -> dict[str, str]:
        creds = self.config.credentials
        headers = dict(creds.headers)
        if creds.token:
            headers["Authorization"] = f"Bearer {creds.token}"
        elif creds.user:
            pair = f"{creds.user}:{creds.password or ''}".encode()
            headers["Authorization"] = "Basic " + base64.b64encode(pair).decode("ascii")
        return headers

    def _send(self, url: str, headers: dict[str, str], deadline: Deadline) -> requests.Response:
        if deadline.expired():
            raise self._timed_out(deadline)
        read = max(0.001, min(self.settings.read_timeout, deadline.remaining()))
        self._adapter.max_retries = make_retry(self.settings.retries, deadline,
                                               self.settings.retry_after_cap)
        try:
            with warnings.catch_warnings():  # --insecure already warned, once and loudly
                warnings.simplefilter("ignore", u3.InsecureRequestWarning)
                return self.session.get(url, headers=headers, stream=True,
                                        allow_redirects=False, verify=self._verify,
                                        cert=self._cert, proxies=self._proxies,  # type: ignore[arg-type]
                                        timeout=(self.settings.connect_timeout, read))
        except RetryStopped as stop:
            raise failures.retry_stopped(self.config, stop) from None
        except requests.exceptions.RequestException as exc:
            raise failures.transport_error(self.config, url, exc, read) from None

    def _redirect_target(self, url: str, raw: requests.Response) -> str:
        location = raw.headers.get("Location")
        raw.close()
        if not location:
            raise BackendDataError(f"{self.config.label}: HTTP {raw.status_code} redirect "
                                   "without a Location")
        target = resolve_redirect(url, location)
        scheme = origin(target)[0]
        if scheme not in ("http", "https"):
            raise ConfigError(f"{self.config.label}: redirected to a {scheme!r} URL; refusing")
        if origin(url)[0] == "https" and scheme == "http":
            raise ConfigError(f"{self.config.label}: redirected from https to http "
                              f"({strip_credentials(target)}); refusing to downgrade",
                              hint="use the final URL, with https")
        return target

    def _finish(self, raw: requests.Response, url: str, deadline: Deadline) -> Response:
        retries = _retries_done(raw)
        try:
            body = self._read_body(raw, url, deadline)
        finally:
            raw.close()
        status = raw.status_code
        if status in (401, 403, 429) or status >= 500:
            raise failures.status_error(self.config, status, body, retries)
        return Response(status, strip_credentials(url), raw.headers, body, retries)

    def _read_body(self, raw: requests.Response, url: str, deadline: Deadline) -> bytes:
        cap = self.settings.max_response_bytes
        declared = raw.headers.get("Content-Length", "")
        if declared.isascii() and declared.isdigit():  # a server's word, checked as text first:
            if len(declared) > 18:  # int() refuses 4300+ digits; 19 already exceed any cap
                raise self._too_large(cap, at_least=True)
            if int(declared) > cap:
                raise self._too_large(int(declared))
        chunks: list[bytes] = []
        total = 0
        while True:
            chunk = self._read_chunk(raw, total, deadline)
            if not chunk:
                return b"".join(chunks)
            total += len(chunk)
            if total > cap:
                raise self._too_large(total, at_least=True)
            chunks.append(chunk)
            if deadline.expired():
                raise self._timed_out(deadline, total)

    def _read_chunk(self, raw: requests.Response, total: int, deadline: Deadline) -> bytes:
        # read1 returns what has arrived (one recv); read() would block until CHUNK bytes.
        try:
            return raw.raw.read1(CHUNK, decode_content=True)
        except u3.ReadTimeoutError:
            raise BackendUnavailable(
                f"{self.config.label}: the response stalled after {total} bytes "
                f"(nothing for {self.settings.read_timeout:g} s)",
                hint="raise --read-timeout if the backend is just slow") from None
        except u3.DecodeError:
            raise BackendDataError(f"{self.config.label}: the response's compressed body "
                                   f"is corrupt (after {total} bytes)") from None
        except (u3.ProtocolError, OSError):
            raise BackendDataError(
                f"{self.config.label}: the response was cut off after {total} bytes "
                "(connection closed or reset early)", hint="try again") from None

    def _too_large(self, size: int, at_least: bool = False) -> BackendDataError:
        cap = self.settings.max_response_bytes
        size_text = f"more than {cap}" if at_least else str(size)
        return BackendDataError(f"{self.config.label}: the response is {size_text} bytes, "
                                f"over the {cap}-byte limit",
                                hint="raise --max-response-bytes, or narrow the search")

    def _timed_out(self, deadline: Deadline, received: int | None = None) -> BackendUnavailable:
        got = f" ({received} bytes received)" if received is not None else ""
        limit = "command deadline" if deadline is self.deadline else "request time limit"
        return BackendUnavailable(f"{self.config.label}: timed out: the {limit} passed{got}",
                                  hint="raise --request-timeout / --deadline if the backend is "
                                       "just slow")


PeerCheck = Callable[[str, str], None]  # (host asked for, address connected to); raises
_Connection = TypeVar("_Connection", bound=HTTPConnection)


class PeerCheckedAdapter(HTTPAdapter):
    """An adapter whose direct connections pass ``check`` once connected, before anything is
    sent on them: a refusal closes the socket and propagates (it is not retried)."""

    def __init__(self, check: PeerCheck) -> None:
        self._pools = _checked_pools(check)
        super().__init__()  # builds the pool manager, through init_poolmanager below

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = self._pools


def _checked_pools(check: PeerCheck) -> dict[str, type[HTTPConnectionPool]]:
    def checked(base: type[_Connection]) -> type[_Connection]:
        class Checked(base):  # type: ignore[valid-type,misc]
            def _new_conn(self) -> socket.socket:
                sock: socket.socket = super()._new_conn()
                try:
                    check(self.host, str(sock.getpeername()[0]))
                except BaseException:
                    sock.close()
                    raise
                return sock
        return Checked

    class CheckedHTTPPool(HTTPConnectionPool):
        ConnectionCls = checked(HTTPConnection)

    class CheckedHTTPSPool(HTTPSConnectionPool):
        ConnectionCls = checked(HTTPSConnection)

    return {"http": CheckedHTTPPool, "https": CheckedHTTPSPool}


def _retries_done(raw: requests.Response) -> int:
    retry = getattr(raw.raw, "retries", None)
    history = getattr(retry, "history", None)
    return len(history) if history else 0
