"""Live backends: Jaeger v2 and Zipkin over HTTP.  The only package that imports ``requests``.

``Backend`` fetches traces by id and searches; ``fetch_trace`` and ``search_traces`` are the
one-call forms (the scheduled audit uses ``search_traces``).  Configuration comes from
``resolve_backend`` (flags > environment > config file) or ``make_config`` (code).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from tracewhy.backends.config import (
    BackendConfig,
    BackendFlags,
    Credentials,
    HttpSettings,
    make_config,
    resolve_backend,
)
from tracewhy.backends.query import SearchQuery
from tracewhy.backends.summary import SearchResult, TraceSummary

if TYPE_CHECKING:
    from tracewhy.backends.backend import Backend, FetchedTrace, fetch_trace, search_traces
    from tracewhy.backends.retry import Deadline

# requests and urllib3 take ~0.1 s to import; a run that reads a file never needs them, so the
# names that pull them in are loaded on first use (PEP 562).
_LAZY = {"Backend": "backend", "FetchedTrace": "backend", "fetch_trace": "backend",
         "search_traces": "backend", "Deadline": "retry"}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)


__all__ = ["Backend", "BackendConfig", "BackendFlags", "Credentials", "Deadline",
           "FetchedTrace", "HttpSettings", "SearchQuery", "SearchResult", "TraceSummary",
           "fetch_trace", "make_config", "resolve_backend", "search_traces"]
