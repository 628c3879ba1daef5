"""Jaeger's query API, as Jaeger v2 serves it.

api_v3 is the supported API: ``GET /api/v3/traces/{id}`` and ``GET /api/v3/traces?query.*``.
Parameter names are the snake_case ones (``query.service_name``...), the only ones v2.13-v2.18
accept and still accepted as aliases later.  A search answer holds the spans of every matching
trace in one ``resourceSpans`` list; the OTLP reader groups them by trace id.  Servers without
api_v3 get the v1 ``GET /api/traces/{id}`` for fetching; v1 search is not used (removed
upstream).  api_v3 answers "not found" as ``{"error": {"httpCode": 404, ...}}``, v1 as
``{"errors": [...]}``; a 404 without either is a wrong URL, not a missing trace.
"""

from __future__ import annotations

from typing import Any

from tracewhy.backends import failures
from tracewhy.backends.http import HttpClient, Response
from tracewhy.backends.query import SearchAnswer, SearchQuery, rfc3339
from tracewhy.backends.urls import join, segment
from tracewhy.jsonio import JSONDecodeError, loads

KIND = "jaeger"
# The storage decides which matches fill query.num_traces (the in-memory store: the most
# recently received, in no particular order within one batch), so a search asks for this many
# times the limit and keeps the newest.  api_v3 cannot filter on errors over HTTP (v2.13 ignores
# query.attributes): an errors-only search reads more and keeps the failing ones.
OVERFETCH = 5
ERRORS_OVERFETCH = 20
MAX_SEARCH_DEPTH = 1000


class JaegerApi:
    kind = KIND

    def __init__(self, client: HttpClient) -> None:
        self.client = client
        self.config = client.config
        self._has_v3: bool | None = None  # unknown until the first answer

    def trace_payload(self, trace_id: str) -> Response | None:
        """The trace as the backend sends it (api_v3, else v1), or None when not found."""
        if self._has_v3 is not False:
            answer = self.client.get(f"/api/v3/traces/{segment(trace_id)}")
            if _is_v3_answer(answer):
                self._has_v3 = True
                if answer.status in (200, 404):
                    return answer if answer.status == 200 else None
                raise failures.status_error(self.config, answer.status, answer.body,
                                            answer.retries, "fetching a trace")
            self._has_v3 = False
        answer = self.client.get(f"/api/traces/{segment(trace_id)}")
        if answer.status == 200 and failures.looks_html(answer.body):
            raise failures.not_json(self.config, answer.body, "fetching a trace")
        if answer.status == 200:
            return answer
        if answer.status == 404 and _json_has(answer.body, "errors"):
            return None
        raise failures.status_error(self.config, answer.status, answer.body, answer.retries,
                                    "fetching a trace")

    def search_payload(self, query: SearchQuery) -> SearchAnswer:
        """The matching traces, and how the search was done."""
        factor = ERRORS_OVERFETCH if query.errors_only else OVERFETCH
        depth = min(MAX_SEARCH_DEPTH, query.limit * factor)
        notes = [f"Jaeger cannot filter on errors over HTTP: tracewhy read up to {depth} "
                 "matching traces and kept those with an error span"] if query.errors_only else []
        answer = self.client.get("/api/v3/traces", search_params(query, depth))
        if answer.status == 200 and not failures.looks_html(answer.body):
            return SearchAnswer(answer, notes, depth)
        if answer.status == 404 and _is_v3_answer(answer):
            return SearchAnswer(None, notes, depth)
        if answer.status == 200 or (answer.status == 404 and not _is_v3_answer(answer)):
            raise failures.status_error(self.config, 404, answer.body, answer.retries,
                                        "search (api_v3, Jaeger 1.35+ or v2)")
        raise failures.status_error(self.config, answer.status, answer.body, answer.retries,
                                    "the search")

    def services(self) -> list[str]:
        doc = self._get_json("/api/v3/services", None, "listing services")
        return sorted(str(s) for s in doc.get("services") or [])

    def operations(self, service: str) -> list[str]:
        doc = self._get_json("/api/v3/operations", {"service": service}, "listing operations")
        return sorted({str(op.get("name")) for op in doc.get("operations") or []
                       if isinstance(op, dict)})

    def dependencies(self, start_us: int, end_us: int) -> list[dict[str, Any]]:
        # api_v3 has no dependencies route on the server; v1's keeps it (milliseconds).
        params = {"endTs": str(end_us // 1000), "lookback": str((end_us - start_us) // 1000)}
        doc = self._get_json("/api/dependencies", params, "listing dependencies")
        return [dict(link) for link in doc.get("data") or [] if isinstance(link, dict)]

    def ui_url(self, trace_id: str) -> str:
        return join(self.config.url, f"/trace/{segment(trace_id)}")

    def _get_json(self, path: str, params: dict[str, str] | None, what: str) -> dict[str, Any]:
        answer = self.client.get(path, params)
        if answer.status != 200:
            raise failures.status_error(self.config, answer.status, answer.body, answer.retries,
                                        what)
        try:
            doc = loads(answer.body)
        except JSONDecodeError:
            raise failures.not_json(self.config, answer.body, what) from None
        if not isinstance(doc, dict):
            raise failures.not_json(self.config, answer.body, what)
        return doc


def search_params(query: SearchQuery, depth: int) -> dict[str, str]:
    params = {"query.service_name": query.service,
              "query.start_time_min": rfc3339(query.start_us),
              "query.start_time_max": rfc3339(query.end_us),
              "query.num_traces": str(depth)}
    if query.operation:
        params["query.operation_name"] = query.operation
    if query.min_duration_us is not None:
        params["query.duration_min"] = f"{query.min_duration_us}us"
    if query.max_duration_us is not None:
        params["query.duration_max"] = f"{query.max_duration_us}us"
    return params


def _is_v3_answer(answer: Response) -> bool:
    """An api_v3 route answered: a trace result, or its JSON error object."""
    if failures.looks_html(answer.body):
        return False
    return _json_has(answer.body, "result") or _json_has(answer.body, "error")


def _json_has(body: bytes, key: str) -> bool:
    """Is ``body`` a JSON object with ``key``?  Big bodies are judged by their first bytes."""
    head = body[:64].lstrip()
    if not head.startswith(b"{"):
        return False
    if len(body) > 65536:
        return head[1:].lstrip().startswith(f'"{key}"'.encode())
    try:
        doc = loads(body)
    except JSONDecodeError:
        return False
    return isinstance(doc, dict) and key in doc
