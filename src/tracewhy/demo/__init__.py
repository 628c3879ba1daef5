"""``tracewhy demo``: a simulated ML-serving stack, instrumented with the real OpenTelemetry
SDK, whose fault scenarios have a known root cause.

``generate(scenario, traces, seed)`` simulates the traffic on a seeded virtual clock and emits
every span through per-service TracerProviders; ``output.render_run`` turns a run into its
files (traces, truth file, the worst trace and its analysis); ``export`` sends the spans to
real backends.  Same scenario, seed and start: same bytes.
"""

from __future__ import annotations

from tracewhy.demo.run import DEFAULT_START_US, DemoRun, TraceRecord, generate
from tracewhy.demo.scenarios import SCENARIOS

__all__ = ["DEFAULT_START_US", "SCENARIOS", "DemoRun", "TraceRecord", "generate"]
