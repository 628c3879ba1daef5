"""Where ``analyze`` gets its trace: a file, stdin, or (``tracewhy.backends``) a live backend.

``source_options`` declares the command-line options for choosing and reading the input;
``load_source`` turns them into one normalised Trace.  Commands that read traces share both.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from tracewhy.errors import ConfigError
from tracewhy.model import Trace
from tracewhy.normalise import NormaliseOptions
from tracewhy.sources import load_trace
from tracewhy.sources.decode import DEFAULT_MAX_INPUT_BYTES
from tracewhy.units import parse_duration_us

F = TypeVar("F", bound=Callable[..., Any])

SOURCE_OPTION_NAMES = ("input_format", "trace_id", "adjust_skew", "max_skew", "max_input_bytes")


def source_options(command: F) -> F:
    options = [
        click.option("--input-format", type=click.Choice(["auto", "jaeger", "otlp", "zipkin"]),
                     default="auto", show_default=True,
                     help="Input format (auto: decided by content)."),
        click.option("--trace-id", help="Which trace to analyse when the input holds several."),
        click.option("--adjust-skew", is_flag=True,
                     help="Shift spans whose clocks disagree with their parent's, as Jaeger does."),
        click.option("--max-skew", metavar="DURATION",
                     help="With --adjust-skew: the largest shift allowed (e.g. 500ms)."),
        click.option("--max-input-bytes", type=int, default=DEFAULT_MAX_INPUT_BYTES,
                     show_default=True, help="Refuse inputs larger than this (after gunzip)."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def pop_source_options(kwargs: dict[str, Any]) -> dict[str, Any]:
    return {name: kwargs.pop(name) for name in SOURCE_OPTION_NAMES if name in kwargs}


def normalise_options(opts: dict[str, Any]) -> NormaliseOptions:
    max_skew = opts.get("max_skew")
    limit = None
    if max_skew is not None:
        try:
            limit = parse_duration_us(max_skew)
        except ValueError as exc:
            raise ConfigError(f"--max-skew: {exc}") from None
    return NormaliseOptions(adjust_skew=bool(opts.get("adjust_skew")), max_skew_us=limit)


def load_source(source: str, opts: dict[str, Any]) -> Trace:
    fmt = opts.get("input_format")
    return load_trace(source, trace_id=opts.get("trace_id"),
                      fmt=None if fmt in (None, "auto") else fmt,
                      options=normalise_options(opts),
                      max_bytes=opts.get("max_input_bytes") or DEFAULT_MAX_INPUT_BYTES)
