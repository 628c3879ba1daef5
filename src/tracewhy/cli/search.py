"""``tracewhy search``: list a backend's slow or failing traces, newest first.

The table's first column, and ``--format ids``, are trace ids ready for ``tracewhy analyze``.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import click
import orjson

from tracewhy import backends
from tracewhy.backends import SearchQuery, SearchResult
from tracewhy.cli import cli
from tracewhy.cli.inputs import backend_options, pop_backend_options, required_backend
from tracewhy.cli.output import write_output
from tracewhy.errors import ConfigError, ExitCode
from tracewhy.jsonio import dumps
from tracewhy.render.format import duration
from tracewhy.render.safe_text import clean
from tracewhy.units import DATE_RANGE_US, parse_duration_us, utc_datetime

DEFAULT_WINDOW = "1h"


@cli.command("search")
@click.option("--service", required=True, help="Service whose spans must match.")
@click.option("--operation", help="Operation (span name) that must match.")
@click.option("--min-duration", metavar="DURATION",
              help="A matching span lasted at least this long (e.g. 500ms).")
@click.option("--max-duration", metavar="DURATION", help="... and at most this long.")
@click.option("--errors", "errors_only", is_flag=True, help="Only traces with an error span.")
@click.option("--since", metavar="DURATION",
              help=f"Search the last DURATION  [default: {DEFAULT_WINDOW}]")
@click.option("--start", metavar="TIME", help="Window start (ISO 8601, or Unix seconds).")
@click.option("--end", metavar="TIME", help="Window end (ISO 8601, or Unix seconds; "
              "default: now).")
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True,
              help="At most this many traces.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "ids"]), default="table",
              show_default=True, help="ids: one trace id per line, for xargs.")
@click.option("-o", "--output", metavar="FILE", help="Write to FILE instead of stdout.")
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
@click.option("--fail-if-empty", is_flag=True,
              help="Exit 66 when no trace matched (for scripts; the default is 0).")
@click.option("--debug", is_flag=True, help="Show tracebacks instead of one-line errors.")
@backend_options
def search_command(fmt: str, output: str | None, force: bool, fail_if_empty: bool, debug: bool,
                   **kwargs: Any) -> None:
    """List traces of a service in a Jaeger or Zipkin backend, newest first."""
    config = required_backend(pop_backend_options(kwargs))
    query = _query(**kwargs)
    with backends.Backend(config) as backend:  # loads requests (lazily: see backends)
        result = backend.search(query)
    write_output(output, RENDER[fmt](result), force=force)
    for note in result.notes:
        click.echo(f"tracewhy: note: {note}", err=True)
    if not result.traces:
        click.echo(f"tracewhy: 0 traces matched in {config.label}", err=True)
        if fail_if_empty:
            raise SystemExit(int(ExitCode.NOT_FOUND))


def _query(service: str, operation: str | None, min_duration: str | None,
           max_duration: str | None, errors_only: bool, since: str | None, start: str | None,
           end: str | None, limit: int) -> SearchQuery:
    if since and (start or end):
        raise click.UsageError("give either --since or --start/--end, not both")
    end_us = _time_us(end, "--end") if end else int(time.time() * 1_000_000)
    window = _duration_us(since or DEFAULT_WINDOW, "--since")
    start_us = _time_us(start, "--start") if start else end_us - window
    return SearchQuery(service=service, operation=operation, start_us=start_us, end_us=end_us,
                       min_duration_us=_duration_us(min_duration, "--min-duration"),
                       max_duration_us=_duration_us(max_duration, "--max-duration"),
                       errors_only=errors_only, limit=limit)


def _duration_us(text: str | None, option: str) -> Any:
    if text is None:
        return None
    try:
        return parse_duration_us(text)
    except ValueError as exc:
        raise ConfigError(f"{option}: {exc}") from None


def _time_us(text: str, option: str) -> int:
    """ISO 8601 (a time without zone is UTC) or Unix seconds, as µs since the epoch."""
    value = text.strip()
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        if not DATE_RANGE_US[0] <= seconds * 1_000_000 <= DATE_RANGE_US[1]:  # nan fails too
            raise ConfigError(f"{option}: {text!r} is not a time between the years 1 and 9999")
        return round(seconds * 1_000_000)
    try:
        stamp = datetime.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"{option}: {text!r} is not a time like 2026-08-01T12:00:00Z "
                          "or Unix seconds") from None
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=UTC)
    return round(stamp.timestamp() * 1_000_000)


def render_table(result: SearchResult) -> str:
    header = (f"{'TRACE ID':<32}  {'START (UTC)':<23}  {'DURATION':>9}  {'SPANS':>5}  "
              f"{'ERRORS':>6}  ROOT")
    rows = [f"{row.trace_id:<32}  {_start(row.start_us):<23}  "
            f"{duration(row.duration_us):>9}  {row.span_count:>5}  "
            f"{row.error_count:>6}  {clean(row.root_service)}: {clean(row.root_operation)}"
            for row in result.traces]
    return "\n".join([header, *rows]) + "\n"


def _start(time_us: int) -> str:
    moment = utc_datetime(time_us)  # a backend's summary can hold any number
    return f"{moment:%Y-%m-%d %H:%M:%S.%f}"[:23] if moment is not None else f"{time_us} µs"


def render_ids(result: SearchResult) -> str:
    return "".join(f"{row.trace_id}\n" for row in result.traces)


def render_json(result: SearchResult) -> str:
    return dumps(result.to_dict(), option=orjson.OPT_INDENT_2) + "\n"


RENDER = {"table": render_table, "ids": render_ids, "json": render_json}
