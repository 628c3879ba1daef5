"""``tracewhy demo``: a simulated ML-serving stack, instrumented with the real OpenTelemetry
SDK, whose fault scenarios have a known root cause.

``generate(scenario, traces, seed)`` simulates the traffic on a seeded virtual clock and emits
every span through per-service TracerProviders; ``output.render_run`` turns a run into its
files (traces, truth file, the worst trace and its analysis); ``export`` sends the spans to
real backends.  Same scenario, seed and start: same bytes.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from tracewhy.demo.scenarios import SCENARIOS

if TYPE_CHECKING:
    from tracewhy.demo.run import DEFAULT_START_US, DemoRun, TraceRecord, generate

# The OpenTelemetry SDK loads when traces are generated, not whenever the CLI starts (PEP 562).
_FROM_RUN = ("DEFAULT_START_US", "DemoRun", "TraceRecord", "generate")


def __getattr__(name: str) -> Any:
    if name not in _FROM_RUN:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.run"), name)

__all__ = ["DEFAULT_START_US", "SCENARIOS", "DemoRun", "TraceRecord", "generate"]
