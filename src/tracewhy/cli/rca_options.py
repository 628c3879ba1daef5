"""Command-line options of the root-cause engine: SLO, baseline traces, layer rules."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from tracewhy import backends
from tracewhy.backends import BackendConfig
from tracewhy.backends.query import SearchQuery
from tracewhy.backends.summary import summarise
from tracewhy.errors import ConfigError, InputError
from tracewhy.model import Trace
from tracewhy.parallel import LocalExecutor, default_workers
from tracewhy.rca import RcaOptions
from tracewhy.rca.baseline import BASELINE_ATTRIBUTES, Baseline, build_baseline, profile_files
from tracewhy.rca.rules import load_rules
from tracewhy.sources import expand_paths
from tracewhy.units import parse_duration_us

F = TypeVar("F", bound=Callable[..., Any])
RCA_OPTION_NAMES = ("slo", "baseline_paths", "baseline_search", "baseline_limit", "rules_file",
                    "jobs")


jobs_option = click.option(
    "--jobs", type=click.IntRange(min=1), metavar="N",
    help="Worker processes for reading many traces (baselines, bubbleup) [default: all cores].")


def rca_options(command: F) -> F:
    options = [
        click.option("--slo", metavar="DURATION",
                     help="Latency objective of the root operation (e.g. 500ms): the symptom "
                          "is measured against it."),
        click.option("--baseline", "baseline_paths", multiple=True, metavar="PATH",
                     help="Normal traces (files or directories; repeatable) to compare each hop "
                          "with."),
        click.option("--baseline-search", metavar="LOOKBACK",
                     help="With a live backend: use the normal (error-free) traces of the same "
                          "root operation from LOOKBACK (e.g. 1h) before this trace as baseline."),
        click.option("--baseline-limit", type=click.IntRange(min=1), default=200,
                     show_default=True, help="With --baseline-search: at most this many traces."),
        click.option("--rules", "rules_file", metavar="FILE",
                     help="TOML file of layer rules tried before the built-in ones."),
        jobs_option,
    ]
    for option in reversed(options):
        command = option(command)
    return command


def pop_rca_options(kwargs: dict[str, Any]) -> dict[str, Any]:
    return {name: kwargs.pop(name) for name in RCA_OPTION_NAMES if name in kwargs}


def build_rca_options(opts: dict[str, Any], searched: Baseline | None = None) -> RcaOptions:
    """The engine's options; ``searched`` is a baseline fetched by --baseline-search, joined
    with the traces of --baseline when both are given."""
    slo = None
    if opts.get("slo"):
        try:
            slo = parse_duration_us(opts["slo"])
        except ValueError as exc:
            raise ConfigError(f"--slo: {exc}") from None
    rules = tuple(load_rules(opts["rules_file"])) if opts.get("rules_file") else ()
    paths = list(opts.get("baseline_paths") or ())
    baseline = load_baseline(paths, opts.get("jobs")) if paths else None
    if baseline is not None and searched is not None:
        baseline = Baseline(f"{baseline.source}; {searched.source}",
                            baseline.profiles + searched.profiles)
    return RcaOptions(slo_us=slo, rules=rules, baseline=baseline or searched)


def search_baseline(trace: Trace, config: BackendConfig | None, lookback: str,
                    limit: int) -> Baseline:
    """Normal traces of the same root operation, fetched from the live backend the trace
    came from: the ``lookback`` window that ends where this trace starts."""
    if config is None:
        raise ConfigError("--baseline-search needs a live backend (--jaeger URL or --zipkin URL)")
    try:
        window = parse_duration_us(lookback)
    except ValueError as exc:
        raise ConfigError(f"--baseline-search: {exc}") from None
    root = next((s for s in trace.spans if s.span_id == trace.root_id), None)
    if root is None:
        raise InputError(f"trace {trace.trace_id} has no spans to take a root operation from")
    start = root.start_us or 0
    query = SearchQuery(service=root.service, operation=root.name, start_us=start - window,
                        end_us=max(start, start - window + 1), limit=limit)
    with backends.Backend(config) as backend:  # loads requests (lazily: see backends)
        found = backend.find(query, keep=BASELINE_ATTRIBUTES)
    normal = [t for t in found if t.trace_id != trace.trace_id and not summarise(t).error_count]
    source = f"{config.kind} search: {root.service} {root.name}, {lookback} before the trace"
    baseline = build_baseline(normal, source)
    if not baseline.profiles:
        raise InputError(f"--baseline-search: {config.label} has no error-free trace of "
                         f"{root.service} {root.name} in the {lookback} before this trace",
                         hint="widen the window, or give --baseline PATH")
    return baseline


def load_baseline(paths: list[str], jobs: int | None = None) -> Baseline:
    files = expand_paths(paths)
    if not files:
        raise InputError(f"--baseline {' '.join(paths)}: no trace files found")
    executor = LocalExecutor(jobs if jobs is not None else default_workers())
    baseline = Baseline(", ".join(paths), executor.map_paths(profile_files, files))
    if not baseline.profiles:
        raise InputError(f"--baseline {' '.join(paths)}: no usable traces")
    return baseline
