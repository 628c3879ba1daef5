"""Bytes to JSON values, refusing what cannot be understood with a one-line reason.

The fast path is ``jsonio.loads`` (msgspec: integers of any size read exactly, where orjson
makes floats of those beyond 64 bits).  Only when it refuses do we look closer: invalid UTF-8 and
lone surrogates are replaced (and counted), non-finite numbers and integers of more than 4300 digits
become ``None`` (and are counted), several JSON documents one per line (the OTel collector's file
exporter) are read line by line.  Everything else becomes an :class:`InputError`.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import sys
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from tracewhy.errors import InputError, InputNotFound
from tracewhy.jsonio import JSONDecodeError, loads

DEFAULT_MAX_INPUT_BYTES = 4 * 1024**3
_SURROGATE = re.compile("[\ud800-\udfff]")
_BOM = b"\xef\xbb\xbf"
# Python's default limit for converting between int and str (CVE-2020-10735), which msgspec
# keeps too: longer integers are read as missing, shorter ones exactly, on every path.
MAX_INT_DIGITS = 4300


@dataclass
class Decoded:
    """The JSON documents in one input and what had to be repaired to read them."""

    documents: list[Any]
    repairs: dict[str, int] = field(default_factory=dict)  # code -> count

    def count(self, code: str, n: int = 1) -> None:
        self.repairs[code] = self.repairs.get(code, 0) + n


def read_input(path: str, *, max_bytes: int = DEFAULT_MAX_INPUT_BYTES) -> bytes:
    """Read a file (``-`` for stdin), gunzipping if needed, refusing more than ``max_bytes``."""
    if path == "-":
        raw = _read_capped(sys.stdin.buffer, max_bytes)
    else:
        try:
            with open(path, "rb") as handle:
                raw = _read_capped(handle, max_bytes)
        except FileNotFoundError:
            raise InputNotFound(f"{path}: no such file") from None
        except IsADirectoryError:
            raise InputError(f"{path}: is a directory, expected a trace file") from None
        except OSError as exc:
            raise InputNotFound(f"{path}: cannot read ({exc.strerror})") from None
    if len(raw) > max_bytes:
        raise InputError(f"{display_name(path)}: larger than {max_bytes} bytes",
                         hint="raise --max-input-bytes")
    if raw[:2] == b"\x1f\x8b":
        raw = _gunzip(raw, path, max_bytes)
    return raw


_CHUNK = 1 << 20


def _read_capped(stream: BinaryIO, max_bytes: int) -> bytes:
    """The stream's bytes, but no more than ``max_bytes + 1`` (one more tells it is too big).

    ``read(max_bytes + 1)`` would do, but it allocates that much up front: 4 GiB by default, for
    each of a baseline's thousand small files.  A file is read in one call sized from its length.
    """
    try:
        size = os.fstat(stream.fileno()).st_size  # 0 for a pipe: its length is unknown
    except (OSError, ValueError, AttributeError):  # no file behind it (a test's BytesIO)
        size = 0
    chunks: list[bytes] = []
    total = 0
    want = min(size + 1 if size else _CHUNK, max_bytes + 1)
    while want > 0:
        chunk = stream.read(want)
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
        want = min(_CHUNK, max_bytes + 1 - total)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def display_name(path: str) -> str:
    return "<stdin>" if path == "-" else str(Path(path))


def _gunzip(raw: bytes, path: str, max_bytes: int) -> bytes:
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(raw, max_bytes + 1)
    except zlib.error as exc:
        raise InputError(f"{display_name(path)}: corrupt gzip data ({exc})") from None
    if len(out) > max_bytes or inflater.unconsumed_tail:
        raise InputError(f"{display_name(path)}: decompresses to more than {max_bytes} bytes",
                         hint="raise --max-input-bytes")
    if not inflater.eof:
        raise InputError(f"{display_name(path)}: gzip data is truncated")
    return out


def decode_json(data: bytes, name: str) -> Decoded:
    """Parse one JSON document, or one per line; see the module docstring for what is repaired."""
    if data.startswith(_BOM):
        data = data[len(_BOM):]
    if not data or data.isspace():  # (not data.strip(): that copies the whole input)
        raise InputError(f"{name}: empty input, expected trace JSON")
    try:
        return Decoded([loads(data)])
    except JSONDecodeError as exc:
        first_error = exc
    if _looks_like_json_lines(data):
        return _decode_lines(data, name)
    return _decode_tolerant(data, name, first_error)


def _looks_like_json_lines(data: bytes) -> bool:
    head = data.lstrip()[:1]
    return head in (b"{", b"[") and b"\n" in data.strip()


def _decode_lines(data: bytes, name: str) -> Decoded:
    decoded = Decoded([])
    for number, line in enumerate(data.splitlines(), 1):
        if not line.strip():
            continue
        try:
            decoded.documents.append(loads(line))
        except JSONDecodeError as exc:
            one = _decode_tolerant(line, f"{name} line {number}", exc)
            decoded.documents.extend(one.documents)
            for code, n in one.repairs.items():
                decoded.count(code, n)
    return decoded


def _decode_tolerant(data: bytes, name: str, first_error: Exception) -> Decoded:
    """The slow path: stdlib json with hooks that repair and count instead of failing."""
    message = str(first_error)
    if "depth limit" in message or "recursion" in message:
        raise InputError(f"{name}: JSON nested deeper than 1024 levels; refusing to read it")
    decoded = Decoded([])
    text = data.decode("utf-8", errors="replace")
    replaced = text.count("\ufffd") - data.count("\xef\xbf\xbd".encode("latin-1"))
    if replaced > 0:
        decoded.count("invalid-utf8", replaced)

    def bad_constant(token: str) -> None:
        decoded.count("non-finite-number")
        return None

    def parse_float(token: str) -> float | None:
        value = float(token)
        if value in (float("inf"), float("-inf")):
            decoded.count("non-finite-number")
            return None
        return value

    def parse_int(token: str) -> int | None:
        if len(token.lstrip("-")) > MAX_INT_DIGITS:
            decoded.count("huge-number")
            return None
        return int(token)

    try:
        value = json.loads(text, parse_constant=bad_constant, parse_float=parse_float,
                           parse_int=parse_int)
    except RecursionError:
        raise InputError(f"{name}: JSON nested too deeply; refusing to read it") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{name}: {_explain(text, exc)}") from None
    if _has_surrogates(text):
        value = _replace_surrogates(value, decoded)
    decoded.documents.append(value)
    return decoded


def _explain(text: str, exc: json.JSONDecodeError) -> str:
    stripped = text.lstrip()[:200].lower()
    if stripped.startswith("<"):
        kind = "an HTML page (a login or proxy page?)" if "html" in stripped else "XML/HTML"
        return f"not trace JSON: looks like {kind}"
    if exc.pos >= len(text.rstrip()) - 1:
        return f"JSON is truncated (ends at byte {len(text)} in the middle of a value)"
    return f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"


def _has_surrogates(text: str) -> bool:
    return "\\ud" in text.lower()


def _replace_surrogates(value: Any, decoded: Decoded) -> Any:
    """Replace lone surrogates in every string (keys too), iteratively, counting them."""

    def fix(item: Any) -> Any:
        if isinstance(item, str) and _SURROGATE.search(item):
            decoded.count("lone-surrogate")
            return _SURROGATE.sub("\ufffd", item)
        return item

    root = [value]
    stack: list[Any] = [root]
    while stack:
        container = stack.pop()
        if isinstance(container, list):
            for i, item in enumerate(container):
                container[i] = fix(item)
                if isinstance(item, (list, dict)):
                    stack.append(item)
        else:
            for key in list(container):
                item = container.pop(key)
                container[fix(key)] = fix(item)
                if isinstance(item, (list, dict)):
                    stack.append(item)
    return root[0]


def gzip_bytes(data: bytes) -> bytes:
    """Used by tests and the demo writer; kept here beside its inverse."""
    return gzip.compress(data, mtime=0)
