"""JSON in and out for untrusted values: big integers exact both ways, deep values cut when
written, and every document the fast path refuses still refused."""

from __future__ import annotations

import json
from dataclasses import dataclass

import orjson
import pytest

from tracewhy.jsonio import MAX_DEPTH, JSONDecodeError, dumps, loads

BIG = 10**30


def test_integers_beyond_64_bits_are_read_exactly() -> None:
    assert loads(b'{"id": 1000000000000000000000000000000, "n": -18446744073709551617}') == \
        {"id": BIG, "n": -(2**64) - 1}
    assert isinstance(orjson.loads(b"[1000000000000000000000000000000]")[0], float)  # why


@pytest.mark.parametrize("bad", [b"", b"[1] x", b"[NaN]", b'"\\ud800"', b"\xff", b"[1e400]",
                                 b"[" * 2000 + b"]" * 2000])
def test_what_orjson_refuses_is_refused(bad: bytes) -> None:
    with pytest.raises(JSONDecodeError):
        orjson.loads(bad)
    with pytest.raises(JSONDecodeError):
        loads(bad)


def test_nesting_orjson_reads_is_read() -> None:
    """msgspec stops within Python's recursion limit; orjson reads to 1024 levels."""
    deep = b"[" * 1000 + b"]" * 1000
    value = loads(deep)
    for _ in range(999):
        (value,) = value
    assert value == []


def test_big_integers_are_written_exactly_in_any_layout() -> None:
    doc = {"a": [1, BIG, -BIG], "b": {"c": 2**64 - 1}, "t": ("x", BIG)}
    for option in (0, orjson.OPT_INDENT_2):
        text = dumps(doc, option=option)
        assert json.loads(text) == {"a": [1, BIG, -BIG], "b": {"c": 2**64 - 1}, "t": ["x", BIG]}
    assert dumps({"a": 1}, option=orjson.OPT_INDENT_2) == orjson.dumps(
        {"a": 1}, option=orjson.OPT_INDENT_2).decode()  # the common case: orjson's own text


def test_a_string_that_looks_like_the_mark_stays_a_string() -> None:
    text = dumps({"big": BIG, "s": "int-0123456789abcdef:42", "t": f'"int-x:{BIG}"'})
    assert json.loads(text) == {"big": BIG, "s": "int-0123456789abcdef:42",
                                "t": f'"int-x:{BIG}"'}


def test_values_nested_too_deep_for_orjson_are_cut_and_said() -> None:
    value: object = "leaf"
    for _ in range(300):
        value = [value]
    text = dumps({"deep": value, "n": 1})
    back = json.loads(text)
    depth, node = 0, back["deep"]
    while isinstance(node, list):
        (node,) = node
        depth += 1
    assert depth == MAX_DEPTH - 1 and "nested deeper" in node and back["n"] == 1


def test_dataclasses_inside_are_written_as_orjson_would() -> None:
    @dataclass
    class Row:
        name: str
        count: int

    assert json.loads(dumps([Row("x", BIG)])) == [{"name": "x", "count": BIG}]


def test_other_errors_are_not_hidden() -> None:
    with pytest.raises(TypeError):
        dumps({"x": object()})
