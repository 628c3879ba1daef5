"""Which hosts a backend request may go to (ROBUSTNESS.md B3): the rules on their own; the live
tests (tests/live/test_http_faults.py) hold the client to them, redirects included."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracewhy.backends import BackendFlags, resolve_backend
from tracewhy.backends.hosts import is_listed, metadata_reason, resolved
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
