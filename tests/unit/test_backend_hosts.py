"""Which hosts a backend request may go to (ROBUSTNESS.md B3): the rules on their own; the live
tests (tests/live/test_http_faults.py) hold the client to them, redirects included."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tracewhy.backends import BackendFlags, resolve_backend
from tracewhy.backends.hosts import check_peer, is_listed, metadata_reason, resolved
from tracewhy.backends.http import PeerCheckedAdapter
from tracewhy.errors import ConfigError


@pytest.mark.parametrize(("host", "allowed", "listed"), [
    ("jaeger.internal", ("jaeger.internal",), True),
    ("jaeger.internal", ("JAEGER.internal ",), True),  # as a user may type it
    ("query.tracing.example.com", ("*.example.com",), True),
    ("example.com", ("*.example.com",), False),  # the wildcard is below the domain only
    ("evil-example.com", ("*.example.com",), False),
    ("fe80::1", ("[fe80::1]",), True),
    ("jaeger.internal", (), False),
])
def test_the_allow_list(host: str, allowed: tuple[str, ...], listed: bool) -> None:
    assert is_listed(host, allowed) is listed


@pytest.mark.parametrize("address", ["169.254.169.254", "169.254.0.1", "fe80::1",
                                     "fe80::1%eth0", "::ffff:169.254.169.254", "fd00:ec2::254",
                                     "100.100.100.200"])
def test_metadata_and_link_local_addresses_are_named(address: str) -> None:
    reason = metadata_reason(address, [address])
    assert reason is not None and "metadata" in reason


def test_a_name_is_judged_by_what_it_resolves_to() -> None:
    reason = metadata_reason("innocent.example", ["10.0.0.5", "169.254.169.254"])
    assert reason is not None and "resolves to 169.254.169.254" in reason


@pytest.mark.parametrize("address", ["127.0.0.1", "10.0.0.5", "192.168.1.2", "::1", "8.8.8.8",
                                     "fd00::1", "not an address"])
def test_ordinary_addresses_pass(address: str) -> None:
    assert metadata_reason("backend", [address]) is None


def test_resolving_uses_the_real_resolver() -> None:
    assert resolved("127.0.0.1") == ["127.0.0.1"]
    assert resolved("::1") == ["::1"]
    assert "127.0.0.1" in resolved("localhost")
    assert resolved("no-such-host.invalid") == []  # the request then fails on its own


def test_a_bad_allow_list_in_the_config_file_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text('[jaeger]\nurl = "http://127.0.0.1:16686"\nallow_hosts = "one-host"\n')
    with pytest.raises(ConfigError) as caught:
        resolve_backend(BackendFlags(config=str(config)), env={})
    assert "allow_hosts: expected a list of host names" in str(caught.value)


def test_the_address_connected_to_is_judged_too() -> None:
    """DNS rebinding: a name that resolved to a harmless address when it was checked can
    resolve to the metadata service when the connection is made."""
    with pytest.raises(ConfigError) as caught:
        check_peer("innocent.example", "169.254.169.254", (), "jaeger")
    message = str(caught.value)
    assert "innocent.example, which connected to 169.254.169.254," in message
    assert "--allow-host innocent.example" in caught.value.hint
    check_peer("innocent.example", "10.0.0.5", (), "jaeger")  # ordinary: passes
    check_peer("Innocent.Example", "169.254.169.254", ("innocent.example",), "jaeger")  # allowed


class _Recorder(http.server.BaseHTTPRequestHandler):
    paths: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
        self.paths.append(self.path)
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def local_server() -> Iterator[tuple[int, list[str]]]:
    """A real HTTP server on loopback that records the paths it was asked for."""
    paths: list[str] = []
    handler = type("Handler", (_Recorder,), {"paths": paths})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1], paths
    server.shutdown()
    server.server_close()


def test_a_refused_peer_gets_no_request(local_server: tuple[int, list[str]]) -> None:
    """The check runs on the connected socket, before anything is sent: here it refuses
    loopback (standing in for a metadata address, which no test can listen on)."""
    port, paths = local_server
    seen: list[tuple[str, str]] = []

    def refuse_loopback(host: str, peer: str) -> None:
        seen.append((host, peer))
        check_peer(host, "169.254.169.254" if peer == "127.0.0.1" else peer, (), "test")

    session = requests.Session()
    session.mount("http://", PeerCheckedAdapter(refuse_loopback))
    with pytest.raises(ConfigError, match="which connected to 169.254.169.254"):
        session.get(f"http://localhost:{port}/api/traces", timeout=5)
    assert seen == [("localhost", "127.0.0.1")]
    assert paths == []  # not a byte of the request went out
    session.mount("http://", PeerCheckedAdapter(lambda host, peer: None))
    assert session.get(f"http://127.0.0.1:{port}/ok", timeout=5).status_code == 200
    assert paths == ["/ok"]
