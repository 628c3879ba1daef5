"""``tracewhy bubbleup``: which attribute values set a group of traces apart from the rest."""

from __future__ import annotations

from typing import Any

import click
import orjson

from tracewhy.cli import cli
from tracewhy.cli.output import write_output
from tracewhy.errors import InputError
from tracewhy.jsonio import dumps
from tracewhy.rca.cohort import (
    Selection,
    TraceRow,
    compare_cohorts,
    measured_attribute,
    quality_measures,
    trace_row,
    trend,
)
from tracewhy.render.safe_text import clean
from tracewhy.sources import expand_paths, iter_file_traces

SCHEMA = "tracewhy.cohort/1"


@cli.command("bubbleup")
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option("--select", "select", default=None, metavar="EXPR",
              help="Which traces to explain: 'error', 'slow' (slowest 10%), or conditions "
                   "like 'duration>2s', 'prediction.confidence<0.5', 'tenant.id=acme' joined "
                   "by 'and'. Default: error if any trace failed, else slow.")
@click.option("--min-support", default=5, show_default=True,
              help="Selected traces a value needs before it is reported.")
@click.option("--top", default=20, show_default=True, help="How many values to show.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
@click.option("-o", "--output", metavar="FILE", help="Write to FILE instead of stdout.")
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
@click.option("--debug", is_flag=True, help="Show tracebacks instead of one-line errors.")
def bubbleup_command(paths: tuple[str, ...], select: str | None, min_support: int, top: int,
                     fmt: str, output: str | None, force: bool, debug: bool) -> None:
    """Compare attribute values of selected traces (slow, failing, ...) with the others."""
    files = expand_paths(list(paths))
    if not files:
        raise InputError(f"{' '.join(paths)}: no trace files found")
    rows = [trace_row(trace) for trace in iter_file_traces(files)]
    selection = Selection(select or ("error" if any(r.error for r in rows) else "slow"))
    result = compare_cohorts(rows, selection.pick(rows), min_support=min_support, top=top)
    report = {"schema": SCHEMA, "traces": len(rows), "selection": selection.text, **result,
              "trend": _trend(rows, selection, result),
              "hints": _hints(rows) if select is None and not result["attributes"] else []}
    text = dumps(report, option=orjson.OPT_INDENT_2) + "\n" if fmt == "json" \
        else _table(report, rows)
    write_output(output, text, force=force, inputs=tuple(files))


def _hints(rows: list[TraceRow]) -> list[str]:
    """Other selections worth a try when the default (errors, else the slowest) sets nothing
    apart: a model that degrades silently shows in its quality measures."""
    return [f"--select '{key}<p10'" for key in quality_measures(rows)]


def _trend(rows: list[TraceRow], selection: Selection,
           result: dict[str, Any]) -> dict[str, Any] | None:
    measure = measured_attribute(selection)
    if measure is None or not result["attributes"]:
        return None
    top = result["attributes"][0]
    points = trend(rows, measure, top["key"], top["value"])
    return {"measure": measure, "key": top["key"], "value": top["value"], "points": points}


def _table(report: dict[str, Any], rows: list[TraceRow]) -> str:
    lines = [f"{report['traces']} traces; selected {report['selected']} by "
             f"'{clean(report['selection'])}', compared with {report['others']} others "
             f"({report['tested']} attribute values tested)"]
    if not report["attributes"]:
        lines.append("no attribute value is over-represented in the selection "
                     "(after Benjamini-Hochberg at q < 0.05)")
        lines.extend(f"hint: the traces carry a quality measure; try {clean(hint)} (its lowest "
                     "10%): silent degradation shows there, not in latency or errors"
                     for hint in report["hints"])
        return "\n".join(lines) + "\n"
    lines.append(f"{'selected':>9} {'others':>7} {'delta':>7} {'q':>9}  attribute")
    lines.extend(f"{item['selection_share']:>9.0%} {item['baseline_share']:>7.0%} "
                 f"{item['delta']:>+7.0%} {item['q_value']:>9.2g}  "
                 f"{clean(item['key'])}={clean(item['value'])}" for item in report["attributes"])
    lines.extend(_trend_lines(report.get("trend")))
    return "\n".join(lines) + "\n"


def _trend_lines(trend_report: dict[str, Any] | None) -> list[str]:
    if not trend_report or not trend_report["points"]:
        return []
    unit = "day" if "day" in trend_report["points"][0] else "hour"
    label = f"{clean(trend_report['key'])}={clean(trend_report['value'])}"
    lines = ["", f"mean {clean(trend_report['measure'])} by {unit}: {label} vs others"]
    for point in trend_report["points"]:
        mine = "-" if point["with"] is None else f"{point['with']:.3f}"
        rest = "-" if point["others"] is None else f"{point['others']:.3f}"
        lines.append(f"  {unit} {point[unit]:>3}  {mine:>6} ({point['with_traces']:>3})  "
                     f"{rest:>6} ({point['other_traces']:>3})")
    return lines
