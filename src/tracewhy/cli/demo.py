"""``tracewhy demo``: generate a scenario's traces, write them with their truth file, and send
them to real backends."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from tracewhy import demo
from tracewhy.cli import cli
from tracewhy.cli.output import write_output
from tracewhy.demo import SCENARIOS
from tracewhy.errors import OutputError

if TYPE_CHECKING:
    from tracewhy.demo.run import DemoRun


@cli.command("demo")
@click.argument("scenario", metavar="SCENARIO", required=False,
                type=click.Choice(list(SCENARIOS)))
@click.option("--list", "show_list", is_flag=True, help="List the scenarios and exit.")
@click.option("--traces", type=click.IntRange(1, 100_000), default=200, show_default=True,
              help="How many requests to simulate.")
@click.option("--seed", type=click.IntRange(0), default=1, show_default=True,
              help="Same seed, same traces, byte for byte.")
@click.option("--start", metavar="TIME",
              help="Start of the scenario's time window: ISO 8601 (UTC unless an offset is "
                   "given), or 'now' for a window that ends now.  [default: 2026-11-02T00:00Z]")
@click.option("--sample", type=click.IntRange(1), metavar="N",
              help="Keep only N traces: the worst, then normal and faulty ones alternately.")
@click.option("--out", "out_dir", metavar="DIR", help="Write the traces and truth file here.")
@click.option("--force", is_flag=True, help="Replace files of an earlier run in DIR.")
@click.option("--export-otlp", metavar="URL",
              help="Also send the spans over OTLP/HTTP (e.g. http://127.0.0.1:4318).")
@click.option("--export-zipkin", metavar="URL",
              help="Also send the spans to Zipkin (e.g. http://127.0.0.1:9411).")
@click.option("--debug", is_flag=True, help="Show tracebacks instead of one-line errors.")
def demo_command(scenario: str | None, show_list: bool, traces: int, seed: int,
                 start: str | None, sample: int | None, out_dir: str | None, force: bool,
                 export_otlp: str | None, export_zipkin: str | None, debug: bool) -> None:
    """Simulate an instrumented ML-serving stack and write a SCENARIO's traces.

    Writes traces.otlp.jsonl, traces.jaeger.json, truth.json (the known root cause of each
    trace), worst.json (the worst trace alone) and worst.analysis.json into DIR.
    """
    if show_list:
        for name, entry in SCENARIOS.items():
            click.echo(f"{name:<24} {entry.summary}")
        return
    if scenario is None:
        raise click.UsageError("give a SCENARIO (tracewhy demo --list shows them)")
    if not (out_dir or export_otlp or export_zipkin):
        raise click.UsageError("nothing to do: give --out DIR, --export-otlp URL or "
                               "--export-zipkin URL")
    target = _check_out_dir(out_dir, force) if out_dir else None
    from tracewhy.demo import output  # the OpenTelemetry SDK: only when generating

    run = demo.generate(scenario, traces, seed, _start_us(start, SCENARIOS[scenario].window_us))
    if sample is not None:
        run = output.sample(run, sample)
    if target is not None:
        _write(run, target, force)
    _export(run, export_otlp, export_zipkin)


def _start_us(text: str | None, window_us: int) -> int:
    if text is None:
        return int(demo.DEFAULT_START_US)
    if text == "now":
        return int(time.time() * 1_000_000) - window_us
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(f"{text!r} is not an ISO 8601 time or 'now'",
                                 param_hint="--start") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp()) * 1_000_000 + moment.microsecond


def _check_out_dir(out_dir: str, force: bool) -> Path:
    """Refuse before simulating anything: a file where DIR should be, or earlier results."""
    from tracewhy.demo import output

    target = Path(out_dir)
    if target.exists() and not target.is_dir():
        raise OutputError(f"{target}: exists and is not a directory")
    existing = [name for name in output.FILES if (target / name).exists()]
    if existing and not force:
        raise OutputError(f"{target}: already holds {', '.join(existing)}",
                          hint="use --force to replace them")
    return target


def _write(run: DemoRun, target: Path, force: bool) -> None:
    from tracewhy.demo import output

    files = output.render_run(run)
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{target}: cannot create the directory ({exc.strerror})") from None
    for name, text in files.items():
        write_output(str(target / name), text, force=force)
    spans = sum(len(record.spans) for record in run.records)
    click.echo(f"wrote {len(run.records)} traces ({spans} spans) to {target}/: "
               + ", ".join(files), err=True)
    click.echo(_verdict(run), err=True)


def _verdict(run: DemoRun) -> str:
    faulty = sum(record.verdict.faulty for record in run.records)
    worst = run.worst()
    line = (f"{run.scenario.name}: {faulty} of {len(run.records)} traces faulty; worst "
            f"{worst.trace_id} ({worst.duration_us / 1000:.1f} ms, HTTP {worst.status})")
    culprit = worst.verdict.culprit
    if culprit is not None:
        line += (f"; culprit {culprit.service} / {culprit.operation} "
                 f"({culprit.layer}, {culprit.kind})")
    return line


def _export(run: DemoRun, otlp_url: str | None, zipkin_url: str | None) -> None:
    if not (otlp_url or zipkin_url):
        return
    from tracewhy.demo.export import export_otlp, export_zipkin

    spans = run.all_spans()
    if otlp_url:
        click.echo(f"exported {export_otlp(spans, otlp_url)} spans over OTLP/HTTP to "
                   f"{otlp_url}", err=True)
    if zipkin_url:
        click.echo(f"exported {export_zipkin(spans, zipkin_url)} spans to Zipkin at "
                   f"{zipkin_url}", err=True)
