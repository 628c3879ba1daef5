"""The whole per-trace job in one call: structural analysis, then the root-cause engine.

Used by every command that explains a trace (``analyze``, ``demo``, later audits), so they
all give the same answer for the same trace.
"""

from __future__ import annotations

from tracewhy.analysis.analyze import Analysis, analyze
from tracewhy.model import Trace
from tracewhy.rca import RcaOptions, explain


def analyze_trace(trace: Trace, options: RcaOptions | None = None) -> Analysis:
    analysis = analyze(trace)
    explain(analysis, options)
    return analysis
