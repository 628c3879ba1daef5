"""Strings from a trace are untrusted: on a terminal, control characters and ANSI escapes could
rewrite what the user sees.  ``clean`` makes them visible instead."""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
MAX_LEN = 300


def clean(text: str, max_len: int = MAX_LEN) -> str:
    text = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text).replace("\n", "\\n")
    if len(text) > max_len:
        return text[:max_len] + f"… (+{len(text) - max_len} chars)"
    return text
