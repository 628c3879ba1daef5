"""Command-line options of the root-cause engine: SLO, baseline traces, layer rules."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from tracewhy.errors import ConfigError, InputError
from tracewhy.parallel import LocalExecutor, default_workers
from tracewhy.rca import RcaOptions
from tracewhy.rca.baseline import Baseline, profile_files
from tracewhy.rca.rules import load_rules
from tracewhy.sources import expand_paths
from tracewhy.units import parse_duration_us

F = TypeVar("F", bound=Callable[..., Any])
RCA_OPTION_NAMES = ("slo", "baseline_paths", "rules_file", "jobs")


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
        click.option("--rules", "rules_file", metavar="FILE",
                     help="TOML file of layer rules tried before the built-in ones."),
        jobs_option,
    ]
    for option in reversed(options):
        command = option(command)
    return command


def pop_rca_options(kwargs: dict[str, Any]) -> dict[str, Any]:
    return {name: kwargs.pop(name) for name in RCA_OPTION_NAMES if name in kwargs}


def build_rca_options(opts: dict[str, Any], baseline: Baseline | None = None) -> RcaOptions:
    slo = None
    if opts.get("slo"):
        try:
            slo = parse_duration_us(opts["slo"])
        except ValueError as exc:
            raise ConfigError(f"--slo: {exc}") from None
    rules = tuple(load_rules(opts["rules_file"])) if opts.get("rules_file") else ()
    paths = list(opts.get("baseline_paths") or ())
    if baseline is None and paths:
        baseline = load_baseline(paths, opts.get("jobs"))
    return RcaOptions(slo_us=slo, rules=rules, baseline=baseline)


def load_baseline(paths: list[str], jobs: int | None = None) -> Baseline:
    files = expand_paths(paths)
    if not files:
        raise InputError(f"--baseline {' '.join(paths)}: no trace files found")
    executor = LocalExecutor(jobs if jobs is not None else default_workers())
    baseline = Baseline(", ".join(paths), executor.map_paths(profile_files, files))
    if not baseline.profiles:
        raise InputError(f"--baseline {' '.join(paths)}: no usable traces")
    return baseline
