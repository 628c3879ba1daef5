"""The hop table as CSV: one row per service and operation, with the columns of the JSON's
``hops`` (and their order: critical time, descending).

This is the "trace statistics" table people paste into spreadsheets and tickets.  Names come
from trace data, so two things a spreadsheet would do with them are prevented: a cell that
starts like a formula (``=``, ``+``, ``-``, ``@``, a tab or a carriage return) gets a leading
apostrophe, as OWASP advises against CSV injection; control characters are written visibly, so
printing the table cannot drive a terminal; and with redaction on (the default) names are
masked as in every other output.
"""

from __future__ import annotations

import csv
import io
import sys
from typing import TYPE_CHECKING

from tracewhy.render.format import share
from tracewhy.render.redact import Redactor
from tracewhy.render.safe_text import clean

if TYPE_CHECKING:
    from tracewhy.analysis.analyze import Analysis

COLUMNS = ("service", "operation", "layer", "layer_rule", "calls", "total_us", "self_us",
           "max_us", "critical_us", "critical_share", "errors", "wire_us", "mesh_us")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def render_csv(analysis: Analysis, *, redact: bool = True) -> str:
    redactor = Redactor(enabled=redact)
    total = analysis.root_duration_us
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for hop in analysis.hops:
        writer.writerow([
            cell(redactor.text(hop.service)), cell(redactor.text(hop.operation)), hop.layer,
            cell(hop.layer_rule), hop.calls, hop.total_us, hop.self_us, hop.max_us,
            hop.critical_us, share(hop.critical_us, total), hop.errors,
            hop.wire_us, hop.mesh_us])
    return out.getvalue()


def cell(text: str) -> str:
    """Text a spreadsheet shows as text, never evaluates, and a terminal shows as it is:
    control characters (ANSI escapes, line breaks) are written visibly, as in the text output,
    but long names are not cut."""
    text = clean(text, max_len=sys.maxsize)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text
