"""Live backends: Jaeger v2 and Zipkin over HTTP.  The only package that imports ``requests``.

``Backend`` fetches traces by id and searches; ``fetch_trace`` and ``search_traces`` are the
one-call forms (the scheduled audit uses ``search_traces``).  Configuration comes from
``resolve_backend`` (flags > environment > config file) or ``make_config`` (code).
"""

from __future__ import annotations

from tracewhy.backends.backend import Backend, FetchedTrace, fetch_trace, search_traces
from tracewhy.backends.config import (
    BackendConfig,
    BackendFlags,
    Credentials,
    HttpSettings,
    make_config,
    resolve_backend,
)
from tracewhy.backends.query import SearchQuery
from tracewhy.backends.retry import Deadline
from tracewhy.backends.summary import SearchResult, TraceSummary

__all__ = ["Backend", "BackendConfig", "BackendFlags", "Credentials", "Deadline",
           "FetchedTrace", "HttpSettings", "SearchQuery", "SearchResult", "TraceSummary",
           "fetch_trace", "make_config", "resolve_backend", "search_traces"]
