"""The machine-readable analysis (``"schema": "tracewhy.analysis/1"``).

The contract is ``schemas/analysis.schema.json``, shipped in the package and documented in
README.  Keys are stable; new keys may be added within version 1, none removed or renamed.
"""

from __future__ import annotations

from typing import Any

import orjson

from tracewhy import __version__
from tracewhy.analysis.analyze import Analysis
from tracewhy.analysis.graph import graph_to_dict
from tracewhy.jsonio import dumps
from tracewhy.render.critical_path_json import (
    ROW_SEPARATOR,
    critical_path_rows,
    critical_path_texts,
)
from tracewhy.render.format import share
from tracewhy.render.redact import Redactor

SCHEMA = "tracewhy.analysis/1"
SKEW_ADJUSTED = "skew-adjusted"  # the warning code normalise/skew.py notes each shift under
_OPTIONS = orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE
# Where the critical path's text goes: orjson escapes control characters in strings, so a raw
# NUL in its output can only be this fragment.
_SPLICE_MARK = "\x00"
_SPLICE_POINT = orjson.Fragment(_SPLICE_MARK)


# Sections written from span data by the root-cause engine: free text that may quote a secret.
EXPLAINED = ("symptom", "errors", "findings", "root_cause", "whys", "next_checks", "baseline")


def analysis_to_dict(analysis: Analysis, *, redact: bool = True) -> dict[str, Any]:
    """The JSON document; with ``redact`` (the default) secrets in the engine's text, evidence
    values and warnings are masked, and ``redaction`` says what was masked (counts only)."""
    return _redacted_document(analysis, critical_path_rows(analysis), redact)


def _redacted_document(analysis: Analysis, critical_path: Any, redact: bool) -> dict[str, Any]:
    out = _document(analysis, critical_path)
    redactor = Redactor(enabled=redact)
    for key in (*EXPLAINED, "warnings"):
        out[key] = _redacted(out[key], redactor, "")
    out["redaction"] = {"enabled": redact, "masked": redactor.notes()}
    return out


def _redacted(value: Any, redactor: Redactor, key: str) -> Any:
    if isinstance(value, str):
        return redactor.attribute(key, value) if key else redactor.text(value)
    if isinstance(value, dict):
        return {k: _redacted(v, redactor, k if isinstance(k, str) else "")
                for k, v in value.items()}
    if isinstance(value, list):
        # Most lists hold span ids or numbers: those items are done here, without a call each
        # (evidence cites thousands of ids).
        text = redactor.text
        return [text(item) if type(item) is str else
                item if type(item) in _SCALARS else _redacted(item, redactor, "")
                for item in value]
    return value


_SCALARS = frozenset({int, float, bool, type(None)})


def _document(analysis: Analysis, critical_path: Any) -> dict[str, Any]:
    trace, ix = analysis.trace, analysis.index
    root_duration = analysis.root_duration_us
    spans = ix.spans
    return {
        "schema": SCHEMA,
        "tool": {"name": "tracewhy", "version": __version__},
        "trace_id": trace.trace_id,
        "source": _source(analysis),
        "root": _root(analysis),
        "extent": _extent(analysis),
        "span_count": len(spans),
        "accounting": trace.accounting(),
        "services": sorted({hop.service for hop in analysis.hops}),  # every span is in a hop
        "warnings": [w.to_dict() for w in trace.warnings],
        "merged": [{"span_id": m.span_id, "into": m.into, "reason": m.reason}
                   for m in trace.merged],
        "rejected": [{"span_id": r.span_id, "reason": r.reason} for r in trace.rejected],
        "skew_shifts": _skew_shifts(analysis),
        "critical_path": critical_path,
        "hops": [
            {"service": h.service, "operation": h.operation, "layer": h.layer,
             "layer_rule": h.layer_rule, "calls": h.calls, "total_us": h.total_us,
             "self_us": h.self_us, "max_us": h.max_us, "critical_us": h.critical_us,
             "critical_share": share(h.critical_us, root_duration),
             "errors": h.errors, "wire_us": h.wire_us, "mesh_us": h.mesh_us}
            for h in analysis.hops
        ],
        "layers": analysis.layers,
        "by_service": analysis.by_service,
        "graph": graph_to_dict(analysis.graph),
        "symptom": analysis.symptom,
        "errors": analysis.errors,
        "findings": analysis.findings,
        "root_cause": analysis.root_cause,
        "whys": analysis.whys,
        "next_checks": analysis.next_checks,
        "baseline": analysis.baseline,
    }


def _skew_shifts(analysis: Analysis) -> list[dict[str, Any]]:
    """Spans moved by --adjust-skew.  The normaliser notes every span it moves under the
    "skew-adjusted" warning: without one, no span needs reading."""
    if not any(w.code == SKEW_ADJUSTED for w in analysis.trace.warnings):
        return []
    moved = sorted((span.span_id, span.skew_shift_us)  # by span id, as warnings list them
                   for span in analysis.index.spans if span.skew_shift_us)
    return [{"span_id": span_id, "shift_us": shift} for span_id, shift in moved]


def _source(analysis: Analysis) -> dict[str, Any]:
    source = analysis.trace.source
    if source is None:
        return {"format": None, "name": None, "other_trace_ids": []}
    return {"format": source.format, "name": source.name,
            "other_trace_ids": list(source.other_trace_ids), "backend": source.backend,
            "ui_url": source.ui_url}


def _root(analysis: Analysis) -> dict[str, Any] | None:
    root = analysis.root
    if root is None:
        return None
    return {"span_id": root.span_id, "service": root.service, "operation": root.name,
            "kind": root.kind, "start_us": root.start_us or 0,
            "duration_us": analysis.root_duration_us,
            "error": analysis.error[analysis.index.root]}


def _extent(analysis: Analysis) -> dict[str, Any] | None:
    extent = analysis.extent()
    if extent is None:
        return None
    return {"start_us": extent.start_us, "end_us": extent.end_us,
            "duration_us": extent.duration_us, "spans_after_root": extent.after_root}


def render_json(analysis: Analysis, *, redact: bool = True) -> str:
    rows = critical_path_texts(analysis)
    if rows is None:
        return dumps(analysis_to_dict(analysis, redact=redact), option=_OPTIONS)
    return _spliced(_redacted_document(analysis, _SPLICE_POINT, redact), rows)


def _spliced(document: dict[str, Any], rows: list[str]) -> str:
    """orjson's text of the document with the critical path's rows in place of the mark.  The
    rows (most of the output on a big trace) are copied once, by the join, instead of once into
    orjson's buffer and once more decoding that."""
    before, after = dumps(document, option=_OPTIONS).split(_SPLICE_MARK)
    rows[0] = before + rows[0]
    rows[-1] += after
    return ROW_SEPARATOR.join(rows)
