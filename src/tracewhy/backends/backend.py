"""A live backend: fetch a trace by id, search for traces, list what it knows.

Fetched bytes go through ``tracewhy.sources.parse_bytes`` and ``select_trace``, so a trace from a
server is read and normalised exactly like the same trace from a file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from tracewhy.backends.config import BackendConfig
from tracewhy.backends.http import HttpClient, Response
from tracewhy.backends.jaeger import JaegerApi
from tracewhy.backends.query import SearchQuery
from tracewhy.backends.retry import Deadline
from tracewhy.backends.summary import SearchResult, TraceSummary, newest_first, summarise
from tracewhy.backends.zipkin import ZipkinApi
from tracewhy.errors import InputError, TraceNotFound
from tracewhy.ids import base64_to_hex, is_all_zero, is_hex, looks_base64, trace_id_forms
from tracewhy.model import SourceInfo, Trace
from tracewhy.normalise import NormaliseOptions
from tracewhy.sources import TraceInput, parse_bytes, select_trace

_LOW64 = (1 << 64) - 1


@dataclass(frozen=True)
class FetchedTrace:
    trace: Trace
    raw: bytes  # the payload exactly as fetched (decoded from gzip)
    url: str  # where it came from, without credentials
    matched_id: str  # the id form the backend knew the trace by
    tried: tuple[str, ...]  # every form asked for, in order


class Backend:
    """One backend and its HTTP session; use as a context manager, or call close()."""

    def __init__(self, config: BackendConfig, deadline: Deadline | None = None) -> None:
        self.config = config
        self.client = HttpClient(config, deadline)
        self.api: JaegerApi | ZipkinApi = (
            JaegerApi(self.client) if config.kind == "jaeger" else ZipkinApi(self.client))

    def __enter__(self) -> Backend:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        self.client.close()

    def fetch(self, trace_id: str, *, options: NormaliseOptions | None = None,
              fmt: str | None = None) -> FetchedTrace:
        """The trace with this id, trying every form it may be stored under."""
        forms = self.id_forms(trace_id)
        for number, form in enumerate(forms, 1):
            answer = self.api.trace_payload(form)
            if answer is not None:
                trace = self._normalise(answer, form, options, fmt)
                return FetchedTrace(trace, answer.body, answer.url, form, tuple(forms[:number]))
        self.services()  # a wrong base URL fails here, with its own message
        raise TraceNotFound(f"{self.config.label}: trace {trace_id.strip()} not found "
                            f"(tried {', '.join(forms)})",
                            hint="check the id, and that the backend still keeps traces that old")

    def _normalise(self, answer: Response, form: str, options: NormaliseOptions | None,
                   fmt: str | None) -> Trace:
        found = parse_bytes(answer.body, f"{self.config.kind} {answer.url}", fmt)
        info = SourceInfo(found.format, answer.url, backend=self.config.kind)
        chosen = select_trace(found, _same_id(found, form), options=options, source=info)
        info.ui_url = self.api.ui_url(chosen.trace_id)
        return chosen

    def id_forms(self, trace_id: str) -> list[str]:
        """The forms to ask for: as given (canonical), 64/128-bit, without leading zeros."""
        text = trace_id.strip()
        if text.lower().startswith("0x"):
            text = text[2:]
        if not is_hex(text) and (looks_base64(text, 16) or looks_base64(text, 8)):
            text = base64_to_hex(text) or text
        if not is_hex(text) or len(text) > 32 or is_all_zero(text):
            raise InputError(f"{self.config.label}: {trace_id.strip()[:80]!r} is not a trace id",
                             hint="expected 16 or 32 hex digits")
        forms = trace_id_forms(text)
        if len(text) < 16:
            forms += [text.lower().rjust(16, "0"), text.lower().rjust(32, "0")]
        return list(dict.fromkeys(forms))

    def search(self, query: SearchQuery, *,
               options: NormaliseOptions | None = None) -> SearchResult:
        """Traces matching the query, newest first, at most ``query.limit``."""
        answer = self.api.search_payload(query)
        notes = list(answer.notes)
        summaries: list[TraceSummary] = []
        if answer.response is not None:
            found = parse_bytes(answer.response.body,
                                f"{self.config.kind} {answer.response.url}")
            summaries = self._summaries(found, options)
        if answer.asked is not None and len(summaries) >= answer.asked:
            notes.append(f"the backend returned as many traces as asked for ({answer.asked}); "
                         "newer matches may be missing: narrow the window or the filters")
        if query.errors_only:
            summaries = [s for s in summaries if s.error_count]
        return SearchResult(self.config.kind, self.config.url, query,
                            newest_first(summaries)[:query.limit], notes)

    def find(self, query: SearchQuery, *, options: NormaliseOptions | None = None,
             keep: Callable[[str], bool] | None = None) -> list[Trace]:
        """Whole traces matching the query, newest first, at most ``query.limit`` (baselines
        use these; ``keep`` picks the span attributes to read, as in parse_bytes)."""
        answer = self.api.search_payload(query)
        if answer.response is None:
            return []
        found = parse_bytes(answer.response.body, f"{self.config.kind} {answer.response.url}",
                            keep=keep)
        traces = [select_trace(found, trace_id, options=options) for trace_id in found.trace_ids]
        if query.errors_only:
            traces = [t for t in traces if summarise(t).error_count]
        starts = {t.trace_id: min((s.start_us or 0 for s in t.spans), default=0) for t in traces}
        traces.sort(key=lambda t: (-starts[t.trace_id], t.trace_id))
        return traces[:query.limit]

    def _summaries(self, found: TraceInput,
                   options: NormaliseOptions | None) -> list[TraceSummary]:
        out = []
        for trace_id in found.trace_ids:
            trace = select_trace(found, trace_id, options=options)
            out.append(summarise(trace, self.api.ui_url(trace.trace_id)))
        return out

    def services(self) -> list[str]:
        return self.api.services()

    def operations(self, service: str) -> list[str]:
        return self.api.operations(service)

    def dependencies(self, start_us: int, end_us: int) -> list[dict[str, Any]]:
        return self.api.dependencies(start_us, end_us)


def _same_id(found: TraceInput, form: str) -> str:
    """The id the payload uses for the trace asked for as ``form`` (short ids stay verbatim in
    the reader, so compare numbers); lower 64 bits as a fallback, as Zipkin matches them."""
    wanted = int(form, 16)
    hex_ids = [tid for tid in found.trace_ids if is_hex(tid)]
    for tid in hex_ids:
        if int(tid, 16) == wanted:
            return tid
    for tid in hex_ids:
        if int(tid, 16) & _LOW64 == wanted & _LOW64:
            return tid
    return form  # select_trace says what the payload holds instead


def fetch_trace(config: BackendConfig, trace_id: str, *,
                options: NormaliseOptions | None = None) -> FetchedTrace:
    with Backend(config) as backend:
        return backend.fetch(trace_id, options=options)


def search_traces(config: BackendConfig, query: SearchQuery, *,
                  options: NormaliseOptions | None = None) -> SearchResult:
    """The library entry point the scheduled audit calls: one search, summaries only."""
    with Backend(config) as backend:
        return backend.search(query, options=options)
