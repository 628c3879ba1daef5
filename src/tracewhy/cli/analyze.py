"""``tracewhy analyze``: read a trace, analyse it, print or write the result."""

from __future__ import annotations

import gc
import sys
from datetime import UTC, datetime
from typing import Any

import click

from tracewhy.analysis.analyze import Analysis
from tracewhy.analysis.graph import graph_to_dict, graph_to_dot
from tracewhy.cli import cli, keep_until_exit
from tracewhy.cli.inputs import (
    configured_backend,
    load_source,
    pop_source_options,
    source_options,
)
from tracewhy.cli.output import write_output
from tracewhy.cli.rca_options import (
    build_rca_options,
    pop_rca_options,
    rca_options,
    search_baseline,
)
from tracewhy.errors import ExitCode
from tracewhy.pipeline import analyze_trace
from tracewhy.render import RENDERERS, format_for, render
from tracewhy.render.redact import redact_argv


@cli.command("analyze")
@click.argument("source", metavar="SOURCE")
@source_options
@rca_options
@click.option("--format", "fmt", type=click.Choice(sorted(RENDERERS)),
              help="Output format (default: from the -o extension, else text).")
@click.option("-o", "--output", metavar="FILE", help="Write to FILE instead of stdout.")
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
@click.option("--graph", "graph_out", metavar="FILE",
              help="Also write the call graph (.dot for Graphviz, .json for node-link JSON).")
@click.option("--no-redact", is_flag=True,
              help="Keep secrets in the output (an HTML/Markdown report's header says so).")
@click.option("--strict", is_flag=True, help="Exit 1 when the trace needed repairs (warnings).")
@click.option("--debug", is_flag=True, help="Show tracebacks instead of one-line errors.")
def analyze_command(source: str, fmt: str | None, output: str | None, force: bool,
                    graph_out: str | None, strict: bool, debug: bool, **kwargs: Any) -> None:
    """Analyse the trace in SOURCE (a file, - for stdin, or a trace id with --jaeger/--zipkin):
    critical path, self time, hops."""
    if debug:  # the group prints errors as one line unless the root context says debug
        click.get_current_context().find_root().ensure_object(dict)["debug"] = True
    gc.disable()  # the parse allocates millions of containers and no cycles; see PERFORMANCE.md
    source_opts = pop_source_options(kwargs)
    trace = load_source(source, source_opts, force=force)
    rca_opts = pop_rca_options(kwargs)
    searched = None
    if rca_opts.get("baseline_search"):
        searched = search_baseline(trace, configured_backend(source_opts, required=False),
                                   rca_opts["baseline_search"], rca_opts["baseline_limit"])
    analysis = analyze_trace(trace, build_rca_options(rca_opts, searched))
    fmt = format_for(fmt, output)
    text = render(fmt, analysis, command=redact_argv(["tracewhy", *sys.argv[1:]]),
                  generated_at=datetime.now(UTC), redact=not kwargs.pop("no_redact"))
    written = write_output(output, text, force=force, inputs=(source,))
    if graph_out:
        _write_graph(graph_out, analysis, force, source)
    if written is not None:
        click.echo(f"wrote {written}", err=True)
    if trace.source and trace.source.other_trace_ids:
        click.echo(f"tracewhy: note: {len(trace.source.other_trace_ids)} other trace(s) in the "
                   f"input; analysed {trace.trace_id} (use --trace-id to choose)", err=True)
    keep_until_exit(trace, analysis, text)
    if strict and any(w.severity == "warning" for w in trace.warnings):
        raise SystemExit(int(ExitCode.FINDINGS))


def _write_graph(path: str, analysis: Analysis, force: bool, source: str) -> None:
    if path.lower().endswith(".json"):
        import orjson

        from tracewhy.jsonio import dumps

        text = dumps(graph_to_dict(analysis.graph), option=orjson.OPT_INDENT_2)
    else:
        text = graph_to_dot(analysis.graph)
    write_output(path, text, force=force, inputs=(source,))
