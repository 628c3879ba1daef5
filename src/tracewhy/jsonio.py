"""JSON text in and out, for whatever a trace holds.

Trace data is untrusted, and nothing bounds its integers or its nesting: a tag may hold a
30-digit order id, or a list in a list 500 deep.  orjson reads an integer beyond 64 bits as a
float (silently changing it), and refuses to write one, or 255 levels of nesting.  msgspec reads
big integers exactly, and faster.  Writing goes through orjson; the rare document it refuses is
written with each big integer exact and values nested too deep cut, and said to be.
"""

from __future__ import annotations

import dataclasses
import re
import secrets
from typing import Any

import msgspec
import orjson

JSONDecodeError = (msgspec.DecodeError, orjson.JSONDecodeError)
ORJSON_INT_RANGE = (-(2**63), 2**64 - 1)  # the integers orjson writes
MAX_DEPTH = 200  # orjson writes 255 levels; documents of ours put trace values a few levels down


def loads(data: bytes | str) -> Any:
    """One JSON document; raises one of ``JSONDecodeError`` on anything that is not."""
    try:
        return msgspec.json.decode(data)
    except RecursionError:
        # msgspec nests within Python's recursion limit (~1000 levels, less the caller's
        # frames); orjson reads up to 1024 levels, and says "depth limit" beyond.
        return orjson.loads(data)


def dumps(value: Any, option: int = 0) -> str:
    """orjson's text of ``value``; integers beyond 64 bits are written exactly, and values
    nested deeper than ``MAX_DEPTH`` as a string saying so."""
    try:
        return orjson.dumps(value, option=option).decode()
    except orjson.JSONEncodeError as exc:
        if "64-bit" not in str(exc) and "Recursion" not in str(exc):
            raise
    # Each big integer becomes a string with a mark no input can know, which orjson writes as
    # is; the quotes and the mark are then taken off again.
    mark = f"int-{secrets.token_hex(8)}:"
    text = orjson.dumps(_marked(value, mark, 0), option=option).decode()
    return re.sub(f'"{mark}(-?[0-9]+)"', r"\1", text)


def _marked(value: Any, mark: str, depth: int) -> Any:
    """A copy of ``value`` that orjson writes: each integer it cannot write as ``mark`` + its
    digits, and each container below ``MAX_DEPTH`` levels as a note."""
    if isinstance(value, (dict, list, tuple)) and depth >= MAX_DEPTH:
        return f"<nested deeper than {MAX_DEPTH} levels: not shown>"
    depth += 1
    if type(value) is int:
        if ORJSON_INT_RANGE[0] <= value <= ORJSON_INT_RANGE[1]:
            return value
        try:
            return f"{mark}{value}"
        except ValueError:  # beyond Python's digit limit for int -> str: say what it was
            return f"<a {value.bit_length()}-bit integer>"
    if isinstance(value, dict):
        return {key: _marked(item, mark, depth) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_marked(item, mark, depth) for item in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _marked(getattr(value, f.name), mark, depth)
                for f in dataclasses.fields(value)}
    return value
