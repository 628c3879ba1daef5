"""The JSON document's ``critical_path``: one row per section, a million on a wide trace.

A dict per row, then orjson walking them, was most of the JSON renderer's time.  Instead the
rows are written here as the exact text orjson writes at that place of the indented document
(strings escaped by orjson itself); the renderer splices them into orjson's text of the rest.
"""

from __future__ import annotations

from itertools import compress
from typing import Any

import orjson

from tracewhy.analysis.analyze import Analysis
from tracewhy.analysis.critical_path import Section
from tracewhy.jsonio import ORJSON_INT_RANGE

# The list is the value of a top-level key: its rows sit at depth 2, their keys at depth 3.
_ROW_START = '{\n      "span_id": '
_ROW_END = "\n    }"
ROW_SEPARATOR = ",\n    "


def critical_path_rows(analysis: Analysis) -> list[dict[str, Any]]:
    spans = analysis.index.spans
    return [{"span_id": span.span_id, "service": span.service, "operation": span.name,
             "start_us": s.start_us, "end_us": s.end_us}
            for s in analysis.sections for span in (spans[s.span],)]


def critical_path_texts(analysis: Analysis) -> list[str] | None:
    """The list as orjson indents it, in pieces that ``ROW_SEPARATOR.join`` puts together: the
    first opens the list, the last closes it.  None when there are no rows or a time is outside
    what orjson writes (the rows then go through ``jsonio.dumps``, which writes them exactly)."""
    sections = analysis.sections
    if not sections or not _ints_orjson_writes(sections):
        return None
    heads = _row_heads(analysis)
    rows = [f'{heads[span]}{start},\n      "end_us": {end}{_ROW_END}'
            for span, start, end in sections]
    rows[0] = "[\n    " + rows[0]
    rows[-1] += "\n  ]"
    return rows


def _ints_orjson_writes(sections: list[Section]) -> bool:
    """The sections tile the root's interval in time order: the first start and the last end
    bound all their times."""
    lo, hi = ORJSON_INT_RANGE
    return lo <= sections[0].start_us and sections[-1].end_us <= hi


def _row_heads(analysis: Analysis) -> list[str]:
    """Per span on the path: its row's text up to the start time, which all its sections share
    (two per span on a deep chain)."""
    spans = analysis.index.spans
    on_path = list(compress(range(len(spans)), analysis.critical_us))  # no section is empty
    ids = _json_strings([spans[i].span_id for i in on_path])
    span_hop, hop_keys = analysis.span_hop, analysis.hop_keys  # each span's hop, as a code
    hop_texts: list[str | None] = [None] * len(hop_keys)  # a few hops among all those spans
    heads = [""] * len(spans)
    for i, span_id in zip(on_path, ids, strict=True):
        code = span_hop[i]
        hop_text = hop_texts[code]
        if hop_text is None:
            service, operation = _json_strings(list(hop_keys[code]))
            hop_text = hop_texts[code] = (f',\n      "service": {service},\n      "operation": '
                                          f'{operation},\n      "start_us": ')
        heads[i] = f"{_ROW_START}{span_id}{hop_text}"
    return heads


def _json_strings(values: list[str]) -> list[str]:
    """Each string as orjson writes it.  One orjson call for all: when no string holds a quote,
    every quote in its output delimits one, and splitting at '","' gives them back."""
    if not values:
        return []
    text = orjson.dumps(values).decode()
    if text.count('"') == 2 * len(values):
        return [f'"{value}"' for value in text[2:-2].split('","')]
    return [orjson.dumps(value).decode() for value in values]
