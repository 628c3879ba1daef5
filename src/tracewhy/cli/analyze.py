"""``tracewhy analyze``: read a trace, analyse it, print or write the result."""

from __future__ import annotations

import gc
from pathlib import Path

import click

from tracewhy.analysis.analyze import analyze
from tracewhy.analysis.graph import graph_to_dict, graph_to_dot
from tracewhy.cli import cli
from tracewhy.cli.output import write_output
from tracewhy.errors import ConfigError, ExitCode
from tracewhy.normalise import NormaliseOptions
from tracewhy.render.json import render_json
from tracewhy.render.text import render_text
from tracewhy.sources import load_trace
from tracewhy.sources.decode import DEFAULT_MAX_INPUT_BYTES
from tracewhy.units import parse_duration_us

RENDERERS = {"text": render_text, "json": render_json}
EXTENSIONS = {".json": "json", ".txt": "text"}


def _format_for(fmt: str | None, output: str | None) -> str:
    if fmt:
        return fmt
    if output and output != "-":
        return EXTENSIONS.get(Path(output).suffix.lower(), "text")
    return "text"


def _skew_limit(max_skew: str | None) -> int | None:
    if max_skew is None:
        return None
    try:
        return parse_duration_us(max_skew)
    except ValueError as exc:
        raise ConfigError(f"--max-skew: {exc}") from None


@cli.command("analyze")
@click.argument("source", metavar="PATH")
@click.option("--format", "fmt", type=click.Choice(sorted(RENDERERS)),
              help="Output format (default: from the -o extension, else text).")
@click.option("-o", "--output", metavar="FILE", help="Write to FILE instead of stdout.")
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
@click.option("--input-format", type=click.Choice(["auto", "jaeger", "otlp", "zipkin"]),
              default="auto", show_default=True, help="Input format (auto: decided by content).")
@click.option("--trace-id", help="Which trace to analyse when the input holds several.")
@click.option("--adjust-skew", is_flag=True,
              help="Shift spans whose clocks disagree with their parent's, as Jaeger does.")
@click.option("--max-skew", metavar="DURATION", help="With --adjust-skew: largest shift allowed.")
@click.option("--graph", "graph_out", metavar="FILE",
              help="Also write the call graph (.dot for Graphviz, .json for node-link JSON).")
@click.option("--max-input-bytes", type=int, default=DEFAULT_MAX_INPUT_BYTES, show_default=True,
              help="Refuse inputs larger than this (after gunzip).")
@click.option("--strict", is_flag=True, help="Exit 1 when the trace needed repairs (warnings).")
@click.option("--debug", is_flag=True, help="Show tracebacks instead of one-line errors.")
def analyze_command(source: str, fmt: str | None, output: str | None, force: bool,
                    input_format: str, trace_id: str | None, adjust_skew: bool,
                    max_skew: str | None, graph_out: str | None, max_input_bytes: int,
                    strict: bool, debug: bool) -> None:
    """Analyse the trace in PATH (a file, or - for stdin): critical path, self time, hops."""
    gc.disable()  # the parse allocates millions of containers and no cycles; see PERFORMANCE.md
    options = NormaliseOptions(adjust_skew=adjust_skew, max_skew_us=_skew_limit(max_skew))
    trace = load_trace(source, trace_id=trace_id,
                       fmt=None if input_format == "auto" else input_format,
                       options=options, max_bytes=max_input_bytes)
    analysis = analyze(trace)
    fmt = _format_for(fmt, output)
    written = write_output(output, RENDERERS[fmt](analysis), force=force, inputs=(source,))
    if graph_out:
        _write_graph(graph_out, analysis, force, source)
    if written is not None:
        click.echo(f"wrote {written}", err=True)
    if trace.source and trace.source.other_trace_ids:
        click.echo(f"tracewhy: note: {len(trace.source.other_trace_ids)} other trace(s) in the "
                   f"input; analysed {trace.trace_id} (use --trace-id to choose)", err=True)
    if strict and any(w.severity == "warning" for w in trace.warnings):
        raise SystemExit(int(ExitCode.FINDINGS))


def _write_graph(path: str, analysis: object, force: bool, source: str) -> None:
    from tracewhy.analysis.analyze import Analysis

    assert isinstance(analysis, Analysis)
    if path.lower().endswith(".json"):
        import orjson

        text = orjson.dumps(graph_to_dict(analysis.graph), option=orjson.OPT_INDENT_2).decode()
    else:
        text = graph_to_dot(analysis.graph)
    write_output(path, text, force=force, inputs=(source,))
