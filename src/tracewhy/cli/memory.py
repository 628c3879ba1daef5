"""A warning before reading an input too big for the memory this machine has free.

Analysing a trace holds about five times its JSON in memory at the peak (a 566 MB file of a
million spans: 2.6 GB; benchmarks/README.md).  Without a warning, a cron job given a huge export
is killed by the kernel with no word of why; with it, stderr says so before the work starts.
"""

from __future__ import annotations

import os
import struct

PEAK_PER_INPUT_BYTE = 5  # measured: 4.6 (Jaeger, 1M spans) to 5.3 (Jaeger, 100k spans)


def input_size(path: str) -> int | None:
    """The bytes ``path`` holds once gunzipped; None for stdin or what cannot be told cheaply.
    (gzip records the size modulo 4 GiB in its last four bytes; the input cap is 4 GiB.)"""
    if path == "-":
        return None
    try:
        size = os.path.getsize(path)
        with open(path, "rb") as handle:
            if size < 18 or handle.read(2) != b"\x1f\x8b":
                return size
            handle.seek(-4, os.SEEK_END)
            return int(struct.unpack("<I", handle.read(4))[0])
    except (OSError, struct.error):
        return None


def available_memory() -> int | None:
    """Bytes of memory available to a new allocation now (Linux's MemAvailable), or None."""
    try:
        with open("/proc/meminfo", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def memory_warning(path: str, max_bytes: int, available: int | None) -> str | None:
    """The warning for the input at ``path``, if it needs more memory than ``available``
    (none for an input the ``max_bytes`` cap refuses anyway: that refusal says enough)."""
    size = input_size(path)
    if size is None or size > max_bytes:
        return None
    return shortfall_warning(path, size, available)


def shortfall_warning(name: str, size: int, available: int | None) -> str | None:
    """The warning when analysing ``size`` bytes of JSON likely needs more than ``available``."""
    if available is None:
        return None
    needed = size * PEAK_PER_INPUT_BYTE
    if needed <= available:
        return None
    return (f"tracewhy: warning: {name} is {_gb(size)} of JSON; analysing it takes about "
            f"{_gb(needed)} of memory and {_gb(available)} is available, so it may be stopped "
            "for lack of memory (--max-input-bytes refuses inputs above a size)")


def _gb(n: int) -> str:
    return f"{n / 1e9:.1f} GB" if n >= 1e8 else f"{n / 1e6:.0f} MB"
