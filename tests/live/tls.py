"""Certificates for TLS tests, made by openssl in a test's temporary folder."""

from __future__ import annotations

import subprocess
from pathlib import Path

LOOPBACK_SAN = ("-addext", "subjectAltName=IP:127.0.0.1")  # what a loopback server must name

# A server that demands a client certificate and gets none sends a TLS 1.3 alert and closes.
# Whether the client reads the alert before it meets the closed socket is a race between the
# two processes, so either wording is right (both end with the --client-cert hint).
NO_CLIENT_CERTIFICATE = ("asks for a client certificate (mutual TLS)",
                         "closed the TLS connection during the handshake (if it wants a client "
                         "certificate (mutual TLS)")


def said(text: str, message: str | tuple[str, ...]) -> bool:
    """Does ``text`` hold the message (or one of its alternative wordings)?"""
    return any(m in text for m in ((message,) if isinstance(message, str) else message))


def self_signed(folder: Path, name: str, *extra: str) -> tuple[Path, Path]:
    """A one-day self-signed certificate and its key: (cert.pem, key)."""
    cert, key = folder / f"{name}.pem", folder / f"{name}.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-keyout", str(key), "-out", str(cert), "-subj", f"/CN={name}", *extra],
                   check=True, capture_output=True, timeout=60)
    return cert, key
