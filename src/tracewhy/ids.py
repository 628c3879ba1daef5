"""Trace and span id canonical forms.

Hex ids are lower-cased and left-padded (span: 16, trace: 16 or 32), which is what Jaeger does
and what makes an id with stripped leading zeros match its full form.  Traces whose own id is
not a plausible hex id (hand-made test traces such as CRISP's ``A``) keep every id verbatim:
padding ``A`` to ``000000000000000a`` would only make such traces harder to read.
"""

from __future__ import annotations

import base64
import binascii
import re

_HEX = re.compile(r"[0-9a-fA-F]+")
_B64 = re.compile(r"[A-Za-z0-9+/]+={0,2}")

# Hex trace ids shorter than this are taken as hand-made opaque ids, not stripped 64-bit ids.
MIN_HEX_TRACE_ID = 13


def is_hex(text: str) -> bool:
    return _HEX.fullmatch(text) is not None


def is_all_zero(text: str) -> bool:
    return bool(text) and text.strip("0") == ""


def canonical_trace_id(raw: object) -> str:
    text = _text(raw)
    if MIN_HEX_TRACE_ID <= len(text) <= 32 and is_hex(text):
        return text.lower().rjust(16 if len(text) <= 16 else 32, "0")
    return text


def uses_hex_ids(trace_id: str) -> bool:
    """True when the trace's spans should get hex-canonical ids (see module docstring)."""
    return len(trace_id) in (16, 32) and is_hex(trace_id)


def canonical_span_id(raw: object, hex_ids: bool) -> str:
    text = _text(raw)
    if hex_ids and len(text) <= 16 and is_hex(text):
        return text.lower().rjust(16, "0")
    if hex_ids and is_hex(text):
        return text.lower()
    return text


def trace_id_forms(trace_id: str) -> list[str]:
    """Every form a backend might store this id under: as canonical, 128-bit, 64-bit, unpadded."""
    tid = canonical_trace_id(trace_id.strip())
    forms = [tid]
    if is_hex(tid):
        if len(tid) == 16:
            forms.append(tid.rjust(32, "0"))
        elif tid.startswith("0" * 16):
            forms.append(tid[16:])
        stripped = tid.lstrip("0") or "0"
        forms.append(stripped)
    return list(dict.fromkeys(forms))


def looks_base64(text: str, n_bytes: int) -> bool:
    """OTLP ids written by protobuf-JSON encoders (Tempo) are base64 of the raw bytes."""
    if len(text) != 4 * ((n_bytes + 2) // 3) or not _B64.fullmatch(text):
        return False
    return not is_hex(text) or text.endswith("=")


def base64_to_hex(text: str) -> str | None:
    try:
        return base64.b64decode(text, validate=True).hex()
    except (binascii.Error, ValueError):
        return None


def _text(raw: object) -> str:
    if raw is None:
        return ""
    if isinstance(raw, int) and not isinstance(raw, bool):
        return format(raw, "x") if raw >= 0 else str(raw)
    return str(raw).strip()
