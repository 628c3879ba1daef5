"""A real HTTP server on 127.0.0.1 that misbehaves on purpose, for the faults a real Jaeger or
Zipkin cannot be made to produce (resets, slow drips, lies about lengths, rate limits...).

It speaks HTTP/1.1 over raw sockets so each fault is exactly what goes over the wire.  The first
path segment names the behaviour: a client given the base URL ``<server>/s/<name>`` sends every
request of that scenario there.  Every request is recorded (path and headers) for assertions.
"""

from __future__ import annotations

import gzip
import socket
import socketserver
import ssl
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import formatdate

Handler = Callable[["Exchange"], None]


@dataclass
class Request:
    scenario: str
    path: str
    headers: dict[str, str]  # lower-case names


@dataclass
class Exchange:
    """One request, and the socket to answer it on."""

    server: FaultServer
    sock: socket.socket
    request: Request
    count: int  # how many requests this scenario has seen, this one included

    def send(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None,
             content_length: int | None = None) -> None:
        lines = [f"HTTP/1.1 {status} {_REASONS.get(status, 'Status')}"]
        all_headers = {"Content-Type": "application/json", "Connection": "close",
                       "Content-Length": str(len(body) if content_length is None
                                             else content_length)}
        all_headers.update(headers or {})
        lines += [f"{name}: {value}" for name, value in all_headers.items()]
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)

    def reset(self) -> None:
        """Close with a TCP RST instead of a FIN."""
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.sock.close()


@dataclass
class FaultServer:
    host: str = "127.0.0.1"
    tls: ssl.SSLContext | None = None  # serve https with this server-side context
    scenarios: dict[str, Handler] = field(default_factory=dict)
    requests: list[Request] = field(default_factory=list)
    stop_event: threading.Event = field(default_factory=threading.Event)
    _counts: dict[str, int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> FaultServer:
        outer = self

        class _Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                outer._serve(self.request)

        self._tcp = socketserver.ThreadingTCPServer((self.host, 0), _Handler,
                                                    bind_and_activate=False)
        self._tcp.daemon_threads = True
        self._tcp.allow_reuse_address = True
        self._tcp.server_bind()
        self._tcp.server_activate()
        self.port = self._tcp.server_address[1]
        threading.Thread(target=self._tcp.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.stop_event.set()
        self._tcp.shutdown()
        self._tcp.server_close()

    def url(self, scenario: str) -> str:
        scheme = "https" if self.tls else "http"
        return f"{scheme}://{self.host}:{self.port}/s/{scenario}"

    def seen(self, scenario: str) -> list[Request]:
        with self._lock:
            return [r for r in self.requests if r.scenario == scenario]

    def _serve(self, sock: socket.socket) -> None:
        if self.tls is not None:
            try:
                sock = self.tls.wrap_socket(sock, server_side=True)
            except (ssl.SSLError, OSError):
                return  # the client refused our certificate: that is the test
        request = _read_request(sock)
        if request is None:
            return
        with self._lock:
            self.requests.append(request)
            count = self._counts[request.scenario] = self._counts.get(request.scenario, 0) + 1
        handler = self.scenarios.get(request.scenario)
        exchange = Exchange(self, sock, request, count)
        try:
            if handler is None:
                exchange.send(404, b"no such scenario", {"Content-Type": "text/plain"})
            else:
                handler(exchange)
        except OSError:
            pass  # the client gave up first: that is what several scenarios test


def _read_request(sock: socket.socket) -> Request | None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return None
        data += chunk
    head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    _method, path, _version = head[0].split(" ", 2)
    headers = {}
    for line in head[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    parts = path.split("/")
    scenario = parts[2] if len(parts) > 2 and parts[1] == "s" else ""
    return Request(scenario, path, headers)


_REASONS = {200: "OK", 302: "Found", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
            429: "Too Many Requests", 500: "Internal Server Error", 502: "Bad Gateway",
            503: "Service Unavailable", 504: "Gateway Timeout"}


# ------------------------------------------------------------------ behaviours


def reply(status: int, body: bytes = b"", **headers: str) -> Handler:
    def handler(ex: Exchange) -> None:
        ex.send(status, body, {k.replace("_", "-"): v for k, v in headers.items()})
    return handler


def fail_then(failures: int, failure: Handler, success: Handler) -> Handler:
    """``failure`` for the first ``failures`` requests, then ``success``."""
    def handler(ex: Exchange) -> None:
        (failure if ex.count <= failures else success)(ex)
    return handler


def retry_after_date(seconds: float) -> str:
    return formatdate(time.time() + seconds, usegmt=True)


def slow_drip(interval: float) -> Handler:
    """Headers at once, then one byte of a never-ending body every ``interval`` seconds."""
    def handler(ex: Exchange) -> None:
        ex.send(200, b"", {"Content-Length": "100000000"}, content_length=100_000_000)
        ex.sock.sendall(b"[")
        while not ex.server.stop_event.wait(interval):
            ex.sock.sendall(b" ")
    return handler


def silent(ex: Exchange) -> None:
    """Accept the request and never answer."""
    ex.server.stop_event.wait(60)


def truncated(body: bytes, declared: int) -> Handler:
    """Promise ``declared`` bytes, send ``body`` (fewer), close."""
    def handler(ex: Exchange) -> None:
        ex.send(200, body, content_length=declared)
        ex.sock.shutdown(socket.SHUT_WR)
    return handler


def chunked_cut(body: bytes) -> Handler:
    """A chunked response that stops mid-stream without the final chunk."""
    def handler(ex: Exchange) -> None:
        head = ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
        ex.sock.sendall(head.encode() + f"{len(body):x}\r\n".encode() + body + b"\r\n")
        ex.sock.shutdown(socket.SHUT_WR)
    return handler


def reset_before_response(ex: Exchange) -> None:
    ex.reset()


def reset_mid_body(body: bytes) -> Handler:
    def handler(ex: Exchange) -> None:
        ex.send(200, body[: len(body) // 2], content_length=len(body))
        time.sleep(0.05)
        ex.reset()
    return handler


def endless_body(ex: Exchange) -> None:
    """A chunked body that never ends: megabytes of JSON whitespace inside a list."""
    head = ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
    ex.sock.sendall(head.encode())
    chunk = b" " * 65536
    frame = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
    ex.sock.sendall(b"1\r\n[\r\n")
    while not ex.server.stop_event.is_set():
        ex.sock.sendall(frame)


def gzip_bomb(decoded_size: int) -> Handler:
    payload = gzip.compress(b"[" + b" " * decoded_size + b"]", compresslevel=9)

    def handler(ex: Exchange) -> None:
        ex.send(200, payload, {"Content-Encoding": "gzip"})
    return handler


def echo_auth_401(ex: Exchange) -> None:
    """A careless proxy that quotes the credentials it refused."""
    said = f"invalid credentials: {ex.request.headers.get('authorization', '')}"
    ex.send(401, said.encode(), {"Content-Type": "text/plain"})


def redirect(location: str, status: int = 302) -> Handler:
    return reply(status, b"", Location=location, Content_Type="text/plain")
