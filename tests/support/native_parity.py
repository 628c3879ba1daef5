"""The rule the C readers (``tracewhy.sources.native``) are held to, shared by their tests.

A native reader may decline any input (None: the caller takes the msgspec path), but it must
never raise, must decline whatever the msgspec path leaves to the tolerant reader, and whatever
it reads must match that path: the same format, rejects, warnings, counts and trace warnings,
the same spans as a multiset, each trace's spans in (start_us, span_id) order.
"""

from __future__ import annotations

import itertools
import random
from collections import Counter
from collections.abc import Callable
from typing import Any

import msgspec
import pytest

from tracewhy.model import Span
from tracewhy.sources.common import ParseResult

Reader = Callable[[bytes], ParseResult | None]
Check = Callable[[bytes, str], object]  # a test file's assert_parity(data, what)


def assert_parity(data: bytes, read: Reader, reference: Reader, what: str = "", *,
                  by_trace: bool = False) -> ParseResult | None:
    """Read ``data`` with ``read`` and hold the result to ``reference``; ``by_trace``: the
    traces must also come in order of first appearance (formats whose spans name their trace).
    Returns the native result (None when it declined)."""
    where = f"{what} ({len(data)} bytes: {data[:160]!r})"
    try:
        got = read(data)
    except Exception as exc:  # the contract: never raise, on any bytes
        pytest.fail(f"{getattr(read, '__name__', 'the reader')} raised {exc!r} on {where}")
    assert got is None or isinstance(got, ParseResult), f"{type(got)} on {where}"
    try:
        want = reference(data)
    except RecursionError:  # msgspec gives up on deep nesting: no reference to compare with
        return got
    if want is None:
        assert got is None, f"native read what the typed reader leaves to the tolerant one: {where}"
        return None
    if got is None:
        return None
    assert (got.format, got.rejected, got.warnings, got.counts) == \
        (want.format, want.rejected, want.warnings, want.counts), where
    assert got.trace_warnings == want.trace_warnings, where
    assert_same_spans(got.spans, want.spans, where)
    if by_trace:
        assert_trace_order(got.spans, want.spans, where)
    assert_start_order(got.spans, where)
    return got


def comparable(value: Any) -> Any:
    """A hashable form of a span (or any value in one) for multiset comparison.

    Stricter than ``==`` where that hides a change a report would show (True, 1 and 1.0 differ;
    so do 0.0 and -0.0), and NaN equals NaN (a float64 tag of "nan").  Dict order is ignored."""
    if isinstance(value, msgspec.Struct):
        return type(value).__name__, tuple(comparable(getattr(value, name))
                                           for name in value.__struct_fields__)
    if isinstance(value, dict):
        return "dict", tuple(sorted((repr(k), comparable(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return type(value).__name__, tuple(comparable(item) for item in value)
    if isinstance(value, float):
        return "float", repr(value)
    return type(value).__name__, value


def assert_same_spans(got: list[Span], want: list[Span], where: str) -> None:
    mine, theirs = Counter(map(comparable, got)), Counter(map(comparable, want))
    if mine != theirs:
        extra = [s for s in got if mine[comparable(s)] > theirs[comparable(s)]][:3]
        lacking = [s for s in want if theirs[comparable(s)] > mine[comparable(s)]][:3]
        pytest.fail(f"spans differ on {where}\nonly native: {extra}\nonly reference: {lacking}")


def assert_start_order(spans: list[Span], where: str) -> None:
    """Within each trace, (start_us, span_id) never decreases; a missing start counts as 0."""
    last: dict[str, tuple[int, str]] = {}
    for span in spans:
        key = (span.start_us or 0, span.span_id)
        before = last.get(span.trace_id)
        assert before is None or before <= key, f"{key} after {before} in {where}"
        last[span.trace_id] = key


def assert_trace_order(got: list[Span], want: list[Span], where: str) -> None:
    """Each trace's spans together, the traces in the order their ids first appear in the file
    (the reference keeps file order)."""
    order = list(dict.fromkeys(span.trace_id for span in got))
    assert order == list(dict.fromkeys(span.trace_id for span in want)), \
        f"traces not in order of first appearance in {where}"
    runs = [trace_id for trace_id, _ in itertools.groupby(span.trace_id for span in got)]
    assert len(runs) == len(order), f"a trace's spans are not together in {where}: {runs[:8]}"


# -- broken bytes ---------------------------------------------------------------------------

def assert_every_truncation(data: bytes, name: str, reference: Reader, check: Check) -> None:
    """``data`` (which the reference reads) and every prefix of it, held to the rule."""
    assert reference(data) is not None, "a document the typed reader reads, to cut short"
    check(data, name)
    for end in range(len(data)):
        check(data[:end], f"{name}[:{end}]")


def assert_random_mutations(documents: dict[str, bytes], check: Check,
                            rounds: int = 3000) -> None:
    """Seeded byte mutations of ``documents`` in turn, each held to the rule."""
    named = list(documents.items())
    for seed in range(rounds):
        rng = random.Random(seed)
        name, data = named[seed % len(named)]
        check(mutated(data, rng), f"{name} mutated with random.Random({seed})")


INTERESTING_BYTES = b'"\\{}[],:0-+eE.tfn \x00\x1f\x7f\xff\xc0\xed\xf4'


def mutated(data: bytes, rng: random.Random) -> bytes:
    """One to three flips, insertions or deletions of a byte."""
    out = bytearray(data)
    for _ in range(rng.randint(1, 3)):
        at = rng.randrange(len(out))
        byte = rng.choice(INTERESTING_BYTES) if rng.random() < 0.7 else rng.randrange(256)
        op = rng.randrange(3)
        if op == 0:
            out[at] = byte if rng.random() < 0.5 else out[at] ^ (1 << rng.randrange(8))
        elif op == 1:
            out.insert(at, byte)
        else:
            del out[at]
    return bytes(out)


def replace_once(document: bytes, old: bytes, new: bytes) -> bytes:
    """``document`` with its first ``old`` (which must be there) replaced."""
    assert old in document, old
    return document.replace(old, new, 1)
