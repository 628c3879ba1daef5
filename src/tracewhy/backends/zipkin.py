"""Zipkin's v2 API (``/api/v2``), as the Zipkin server serves it.

``GET /api/v2/trace/{id}`` answers a list of spans, or 404 with a plain-text "<id> not found".
``GET /api/v2/traces`` answers a list of traces; ``minDuration``/``maxDuration`` are
microseconds, ``endTs`` and ``lookback`` milliseconds.  ``annotationQuery=error`` keeps traces
with a span tagged ``error``, which is how Zipkin instrumentation (and OpenTelemetry's Zipkin
exporter) marks a failure.
"""

from __future__ import annotations

import re
from typing import Any

from tracewhy.backends import failures
from tracewhy.backends.http import HttpClient, Response
from tracewhy.backends.query import SearchAnswer, SearchQuery
from tracewhy.backends.urls import join, segment
from tracewhy.jsonio import JSONDecodeError, loads

KIND = "zipkin"
_NOT_FOUND = re.compile(rb"\s*[0-9a-f]{16,32} not found")  # the server's own 404 text


class ZipkinApi:
    kind = KIND

    def __init__(self, client: HttpClient) -> None:
        self.client = client
        self.config = client.config

    def trace_payload(self, trace_id: str) -> Response | None:
        answer = self.client.get(f"/api/v2/trace/{segment(trace_id)}")
        if answer.status == 200 and answer.body.lstrip()[:1] == b"[":
            return answer
        if answer.status == 404 and _NOT_FOUND.match(answer.body[:200]):
            return None
        if answer.status == 200:
            raise failures.not_json(self.config, answer.body, "fetching a trace")
        raise failures.status_error(self.config, answer.status, answer.body, answer.retries,
                                    "fetching a trace")

    def search_payload(self, query: SearchQuery) -> SearchAnswer:
        answer = self.client.get("/api/v2/traces", search_params(query))
        if answer.status != 200:
            raise failures.status_error(self.config, answer.status, answer.body, answer.retries,
                                        "the search")
        if answer.body.strip() == b"[]":
            return SearchAnswer(None)
        if answer.body.lstrip()[:1] != b"[":
            raise failures.not_json(self.config, answer.body, "the search")
        return SearchAnswer(answer)  # Zipkin's limit already keeps the newest

    def services(self) -> list[str]:
        return sorted(str(s) for s in self._get_list("/api/v2/services", None, "services"))

    def operations(self, service: str) -> list[str]:
        names = self._get_list("/api/v2/spans", {"serviceName": service}, "span names")
        return sorted(str(s) for s in names)

    def dependencies(self, start_us: int, end_us: int) -> list[dict[str, Any]]:
        end_ms = -(-end_us // 1000)
        params = {"endTs": str(end_ms), "lookback": str(end_ms - start_us // 1000)}
        links = self._get_list("/api/v2/dependencies", params, "dependencies")
        return [dict(link) for link in links if isinstance(link, dict)]

    def ui_url(self, trace_id: str) -> str:
        base = self.config.url
        path = "/traces/" if base.endswith("/zipkin") else "/zipkin/traces/"
        return join(base, path + segment(trace_id))

    def _get_list(self, path: str, params: dict[str, str] | None, what: str) -> list[Any]:
        answer = self.client.get(path, params)
        if answer.status != 200:
            raise failures.status_error(self.config, answer.status, answer.body, answer.retries,
                                        f"listing {what}")
        try:
            doc = loads(answer.body)
        except JSONDecodeError:
            raise failures.not_json(self.config, answer.body, f"listing {what}") from None
        if not isinstance(doc, list):
            raise failures.not_json(self.config, answer.body, f"listing {what}")
        return doc


def search_params(query: SearchQuery) -> dict[str, str]:
    end_ms = -(-query.end_us // 1000)  # round up: the window must cover its last microsecond
    params = {"serviceName": query.service, "endTs": str(end_ms),
              "lookback": str(end_ms - query.start_us // 1000), "limit": str(query.limit)}
    if query.operation:
        params["spanName"] = query.operation
    if query.min_duration_us is not None:
        params["minDuration"] = str(query.min_duration_us)
    if query.max_duration_us is not None:
        params["maxDuration"] = str(query.max_duration_us)
    if query.errors_only:
        params["annotationQuery"] = "error"
    return params
