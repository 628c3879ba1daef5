"""Reading trace inputs: bytes -> JSON -> format parser -> spans grouped by trace -> one Trace.

``load_trace`` is the one call the CLI makes for a file; live backends (``tracewhy.backends``)
fetch bytes and hand them to ``parse_bytes`` so a fetched trace goes through the same code.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from operator import attrgetter
from pathlib import Path
from typing import Any

from tracewhy.errors import InputError, InputNotFound
from tracewhy.ids import canonical_trace_id, trace_id_forms
from tracewhy.model import DataWarning, SourceInfo, Span, Trace
from tracewhy.normalise import NormaliseOptions, ParseNotes, normalise
from tracewhy.sources.common import ParseResult
from tracewhy.sources.decode import DEFAULT_MAX_INPUT_BYTES, decode_json, display_name, read_input
from tracewhy.sources.detect import FORMATS, detect_format
from tracewhy.sources.jaeger import parse_jaeger
from tracewhy.sources.otlp import parse_otlp
from tracewhy.sources.typed import parse_typed
from tracewhy.sources.zipkin import parse_zipkin


@dataclass
class TraceInput:
    """Every trace found in one input, in order of first appearance."""

    name: str
    format: str
    traces: dict[str, list[Span]]
    notes: ParseNotes = field(default_factory=ParseNotes)  # about the whole input
    trace_warnings: dict[str, list[DataWarning]] = field(default_factory=dict)  # about one trace

    @property
    def trace_ids(self) -> list[str]:
        return list(self.traces)

    def notes_for(self, trace_id: str) -> ParseNotes:
        """What normalising this trace must carry: the input's notes and this trace's own."""
        warnings = list(self.notes.warnings) + self.trace_warnings.get(trace_id, [])
        if len(self.traces) > 1 and (self.notes.counts or self.notes.rejected):
            # A span rejected for having no ids, or a byte that was not UTF-8, cannot be pinned
            # on one trace: say so rather than let the counts read as this trace's alone.
            warnings.append(DataWarning(
                "input-level-notes", f"{self.name} holds {len(self.traces)} traces; the rejects "
                "and repairs counted while reading it are for the whole input and may concern "
                "the other traces", (), "info"))
        return ParseNotes(dict(self.notes.counts), list(self.notes.rejected), warnings)


def parse_documents(docs: list[Any], name: str, fmt: str | None = None,
                    keep: Callable[[str], bool] | None = None) -> ParseResult:
    if fmt is not None and fmt not in FORMATS:
        raise InputError(f"unknown input format {fmt!r}; choose one of {', '.join(FORMATS)}")
    fmt = fmt or detect_format(docs, name)
    if fmt == "otlp":
        return parse_otlp(docs, keep)
    if len(docs) != 1:
        raise InputError(f"{name}: several JSON documents in one {fmt} input")
    if fmt == "jaeger":
        return parse_jaeger(docs[0], keep)
    return parse_zipkin(docs[0], name, keep)


def parse_bytes(data: bytes, name: str, fmt: str | None = None, *,
                keep: Callable[[str], bool] | None = None) -> TraceInput:
    """``keep``: which span attributes to read (all when None); see ParseResult.keep."""
    with gc_paused():
        result = _fast_path(data, fmt, keep)
        repairs: dict[str, int] = {}
        if result is None:
            decoded = decode_json(data, name)
            repairs = decoded.repairs
            result = parse_documents(decoded.documents, name, fmt, keep)
    notes = ParseNotes(counts={**repairs}, rejected=result.rejected, warnings=result.warnings)
    for code, n in result.counts.items():
        notes.counts[code] = notes.counts.get(code, 0) + n
    traces = _group_by_trace(result.spans, notes, result.trace_warnings)
    if not traces:
        raise InputError(f"{name}: no usable spans in the input"
                         + (f" ({len(result.rejected)} rejected: {result.rejected[0].reason})"
                            if result.rejected else ""))
    return TraceInput(name, result.format, traces, notes, result.trace_warnings)


def _fast_path(data: bytes, fmt: str | None,
               keep: Callable[[str], bool] | None) -> ParseResult | None:
    """The input read by the typed readers when it is plainly well-formed, else None."""
    try:
        return parse_typed(data, fmt, keep)
    except RecursionError:  # nested deeper than msgspec goes: the tolerant reader says how deep
        return None


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic GC (if it runs) while a document is parsed and normalised.

    That builds millions of containers and no reference cycles, and each collection walks all
    of them: with the GC on, parsing 100k spans takes 2-3x as long (benchmarks/README.md).  The
    CLI disables the GC for the whole run; this gives library callers the same speed.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def read_traces(path: str, fmt: str | None = None,
                max_bytes: int = DEFAULT_MAX_INPUT_BYTES, *,
                keep: Callable[[str], bool] | None = None) -> TraceInput:
    return parse_bytes(read_input(path, max_bytes=max_bytes), display_name(path), fmt,
                       keep=keep)


_TRACE_ID = attrgetter("trace_id")


def _group_by_trace(spans: list[Span], notes: ParseNotes,
                    trace_warnings: dict[str, list[DataWarning]]) -> dict[str, list[Span]]:
    trace_ids = set(map(_TRACE_ID, spans))
    if len(trace_ids) == 1:
        return {trace_ids.pop(): spans}  # one trace, the usual case: no grouping pass
    traces: dict[str, list[Span]] = {}
    for span in spans:
        group = traces.get(span.trace_id)
        if group is None:
            traces[span.trace_id] = [span]
        else:
            group.append(span)
    for short in [tid for tid in traces if len(tid) == 16]:
        full = next((tid for tid in traces if len(tid) == 32 and tid[16:] == short), None)
        if full is not None:
            moved = traces.pop(short)
            for span in moved:
                span.trace_id = full
            traces[full].extend(moved)
            trace_warnings.setdefault(full, []).extend(trace_warnings.pop(short, []))
            notes.counts["mixed-id-width"] = notes.counts.get("mixed-id-width", 0) + len(moved)
    return traces


def select_trace(found: TraceInput, trace_id: str | None = None, *,
                 options: NormaliseOptions | None = None,
                 source: SourceInfo | None = None) -> Trace:
    """Normalise one trace of the input: ``trace_id`` or the first; never a mix of traces."""
    chosen = _choose(found, trace_id)
    others = tuple(tid for tid in found.traces if tid != chosen)
    notes = found.notes_for(chosen)
    if others:
        notes.warnings.append(DataWarning(
            "other-traces",
            f"the input holds {len(others)} other trace(s); analysed only {chosen} "
            "(use --trace-id to pick another): " + ", ".join(others[:20])
            + (" ..." if len(others) > 20 else ""), (), "info"))
    info = source or SourceInfo(found.format, found.name)
    info.other_trace_ids = others
    with gc_paused():  # normalising allocates per span too (see gc_paused)
        return normalise(found.traces[chosen], chosen, options=options, notes=notes,
                         source=info)


def _choose(found: TraceInput, trace_id: str | None) -> str:
    if trace_id is None:
        return next(iter(found.traces))
    forms = trace_id_forms(trace_id)
    for form in forms:
        if form in found.traces:
            return form
    wanted = canonical_trace_id(trace_id)
    for tid in found.traces:
        if len(wanted) >= 16 and len(tid) >= 16 and tid[-16:] == wanted[-16:]:
            return tid
    listed = ", ".join(list(found.traces)[:10])
    raise InputNotFound(f"{found.name}: trace {trace_id} is not in the input; it holds: {listed}")


def load_trace(path: str, *, trace_id: str | None = None, fmt: str | None = None,
               options: NormaliseOptions | None = None,
               max_bytes: int = DEFAULT_MAX_INPUT_BYTES) -> Trace:
    return select_trace(read_traces(path, fmt, max_bytes), trace_id, options=options)


def expand_paths(paths: list[str]) -> list[str]:
    """Files as given; directories expanded to their trace files (recursively, sorted)."""
    out: list[str] = []
    for path in paths:
        base = Path(path)
        if base.is_dir():
            out.extend(_trace_files_under(str(base)))
        else:
            out.append(path)
    return out


def _trace_files_under(directory: str) -> list[str]:
    """What ``sorted(Path(directory).rglob("*"))`` gives, kept to trace files (following
    symlinks to files, not to directories), from one scandir per directory: without a stat per
    file (a thousand files: ~10 -> ~2 ms)."""
    found: list[tuple[tuple[str, ...], str]] = []  # (parts below directory, path)
    pending: list[tuple[tuple[str, ...], str]] = [((), directory)]
    while pending:
        parts, path = pending.pop()
        try:
            with os.scandir(path) as listing:
                entries = list(listing)
        except PermissionError:  # as rglob: an unreadable directory is skipped
            continue
        for entry in entries:
            name = entry.name
            if entry.is_dir(follow_symlinks=False):
                pending.append(((*parts, name), _child(path, name)))
            elif name.endswith(TRACE_SUFFIXES) and not name.startswith(".") and \
                    (Path(entry.path).is_file() if entry.is_symlink() else entry.is_file()):
                found.append(((*parts, name), _child(path, name)))
    found.sort()  # part by part, as paths sort
    return [path for _, path in found]


def _child(directory: str, name: str) -> str:
    """``str(Path(directory) / name)`` for a ``directory`` that is already ``str(Path(...))``."""
    if directory == ".":
        return name
    return directory + name if directory.endswith("/") else f"{directory}/{name}"


TRACE_SUFFIXES = (".json", ".json.gz", ".jsonl", ".ndjson", ".jsonl.gz")


def iter_traces(paths: list[str], *, fmt: str | None = None,
                options: NormaliseOptions | None = None,
                keep: Callable[[str], bool] | None = None) -> Iterator[Trace]:
    """Every trace in every file (directories expanded), each normalised on its own."""
    yield from iter_file_traces(expand_paths(paths), fmt=fmt, options=options, keep=keep)


def iter_file_traces(files: list[str], *, fmt: str | None = None,
                     options: NormaliseOptions | None = None,
                     keep: Callable[[str], bool] | None = None) -> Iterator[Trace]:
    """``iter_traces`` of paths already expanded (``expand_paths``): no second look at each."""
    for path in files:
        found = read_traces(path, fmt, keep=keep)
        for trace_id in found.trace_ids:
            notes = found.notes_for(trace_id)
            yield normalise(found.traces[trace_id], trace_id, options=options, notes=notes,
                            source=SourceInfo(found.format, found.name))


__all__ = ["TraceInput", "expand_paths", "iter_file_traces", "iter_traces", "load_trace",
           "parse_bytes", "read_traces", "select_trace"]
