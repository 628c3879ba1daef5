"""Where ``analyze`` gets its trace: a file, stdin, or a live Jaeger or Zipkin backend.

``source_options`` declares the command-line options for choosing and reading the input (and
``backend_options`` those for reaching a backend, shared with ``search``); ``load_source`` turns
them into one normalised Trace.  With a backend (``--jaeger``/``--zipkin``/``--backend``, or a
URL from the environment or config file when SOURCE is not a file), SOURCE is a trace id.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, TypeVar

import click

from tracewhy import backends
from tracewhy.backends import BackendConfig, BackendFlags, resolve_backend
from tracewhy.cli.memory import available_memory, memory_warning
from tracewhy.cli.output import write_output
from tracewhy.errors import ConfigError
from tracewhy.ids import is_hex
from tracewhy.model import Trace
from tracewhy.normalise import DEFAULT_MAX_SPANS, NormaliseOptions
from tracewhy.sources import load_trace
from tracewhy.sources.decode import DEFAULT_MAX_INPUT_BYTES
from tracewhy.units import parse_duration_us

F = TypeVar("F", bound=Callable[..., Any])

HTTP_SETTING_NAMES = ("connect_timeout", "read_timeout", "request_timeout", "deadline",
                      "max_response_bytes", "retries")
BACKEND_OPTION_NAMES = ("jaeger", "zipkin", "backend", "config", "token_file", "user",
                        "password_file", "header", "ca_bundle", "insecure", "client_cert",
                        "client_key", "no_env_proxy", "allow_host", *HTTP_SETTING_NAMES)
SOURCE_OPTION_NAMES = ("input_format", "trace_id", "adjust_skew", "max_skew", "max_input_bytes",
                       "max_spans", "save_raw", *BACKEND_OPTION_NAMES)


def backend_options(command: F) -> F:
    """Options to reach a backend.  Secrets only from files or the environment, never argv."""
    seconds = click.FloatRange(min=0, min_open=True)
    options = [
        click.option("--jaeger", metavar="URL", help="Jaeger query service base URL "
                     "(or TRACEWHY_JAEGER_URL), e.g. http://localhost:16686."),
        click.option("--zipkin", metavar="URL", help="Zipkin base URL (or TRACEWHY_ZIPKIN_URL), "
                     "e.g. http://localhost:9411."),
        click.option("--backend", type=click.Choice(["jaeger", "zipkin"]),
                     help="Which configured backend to use when both are configured."),
        click.option("--config", metavar="FILE", help="Config file (TOML; default "
                     "~/.config/tracewhy/config.toml or TRACEWHY_CONFIG)."),
        click.option("--token-file", metavar="FILE",
                     help="Bearer token from FILE (or TRACEWHY_TOKEN / TRACEWHY_TOKEN_FILE)."),
        click.option("--user", metavar="NAME", help="Basic-auth user; the password comes from "
                     "--password-file or TRACEWHY_PASSWORD."),
        click.option("--password-file", metavar="FILE", help="Basic-auth password from FILE."),
        click.option("-H", "--header", multiple=True, metavar="'NAME: VALUE'",
                     help="Extra request header; VALUE may be @FILE or env:VAR for secrets."),
        click.option("--ca-bundle", metavar="FILE", help="CA certificates to verify TLS with."),
        click.option("--insecure", is_flag=True,
                     help="Do not verify TLS certificates (dangerous; warns on every run)."),
        click.option("--client-cert", metavar="FILE", help="Client certificate (PEM) for mutual "
                     "TLS (or TRACEWHY_CLIENT_CERT); may hold the key too."),
        click.option("--client-key", metavar="FILE", help="The client certificate's private key "
                     "(PEM), when it is in a file of its own (or TRACEWHY_CLIENT_KEY)."),
        click.option("--no-env-proxy", is_flag=True, help="Connect directly, ignoring "
                     "HTTP_PROXY, HTTPS_PROXY and ALL_PROXY in the environment."),
        click.option("--allow-host", multiple=True, metavar="HOST",
                     help="Send requests (redirects too) only to these hosts; *.domain "
                          "matches below it (or TRACEWHY_ALLOW_HOSTS).  Also allows a "
                          "link-local or cloud-metadata address, refused otherwise."),
        click.option("--connect-timeout", type=seconds, metavar="SECONDS",
                     help="Time to connect  [default: 5]"),
        click.option("--read-timeout", type=seconds, metavar="SECONDS",
                     help="Longest silence while reading a response  [default: 30]"),
        click.option("--request-timeout", type=seconds, metavar="SECONDS",
                     help="Longest time for one request, retries included  [default: 60]"),
        click.option("--deadline", type=seconds, metavar="SECONDS",
                     help="Longest time for the whole command  [default: 300]"),
        click.option("--max-response-bytes", type=click.IntRange(min=1), metavar="N",
                     help="Refuse responses larger than N bytes (decoded)  [default: 256 MiB]"),
        click.option("--retries", type=click.IntRange(0, 10), metavar="N",
                     help="Retries on connection failures and 429/502/503/504  [default: 4]"),
    ]
    for option in reversed(options):
        command = option(command)
    return command


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
        click.option("--max-spans", type=click.IntRange(min=1), default=DEFAULT_MAX_SPANS,
                     show_default=True, metavar="N",
                     help="Analyse at most the N earliest-starting spans of a bigger trace, "
                          "and say how many were left out."),
        click.option("--save-raw", metavar="FILE",
                     help="With a backend: also keep the exact payload fetched in FILE."),
    ]
    for option in reversed(options):
        command = option(command)
    return backend_options(command)


def pop_source_options(kwargs: dict[str, Any]) -> dict[str, Any]:
    return {name: kwargs.pop(name) for name in SOURCE_OPTION_NAMES if name in kwargs}


def pop_backend_options(kwargs: dict[str, Any]) -> dict[str, Any]:
    return {name: kwargs.pop(name) for name in BACKEND_OPTION_NAMES if name in kwargs}


def normalise_options(opts: dict[str, Any]) -> NormaliseOptions:
    max_skew = opts.get("max_skew")
    limit = None
    if max_skew is not None:
        try:
            limit = parse_duration_us(max_skew)
        except ValueError as exc:
            raise ConfigError(f"--max-skew: {exc}") from None
    return NormaliseOptions(adjust_skew=bool(opts.get("adjust_skew")), max_skew_us=limit,
                            max_spans=opts.get("max_spans") or DEFAULT_MAX_SPANS)


def backend_flags(opts: dict[str, Any]) -> BackendFlags:
    settings = {name: opts[name] for name in HTTP_SETTING_NAMES if opts.get(name) is not None}
    return BackendFlags(
        jaeger=opts.get("jaeger"), zipkin=opts.get("zipkin"), backend=opts.get("backend"),
        config=opts.get("config"), token_file=opts.get("token_file"), user=opts.get("user"),
        password_file=opts.get("password_file"), headers=tuple(opts.get("header") or ()),
        ca_bundle=opts.get("ca_bundle"), insecure=bool(opts.get("insecure")),
        client_cert=opts.get("client_cert"), client_key=opts.get("client_key"),
        no_env_proxy=bool(opts.get("no_env_proxy")),
        allow_hosts=tuple(opts.get("allow_host") or ()), settings=settings)


def configured_backend(opts: dict[str, Any], *, required: bool) -> BackendConfig | None:
    """The backend the options, environment and config file name; warns about --insecure."""
    config = resolve_backend(backend_flags(opts), required=required)
    if config is not None and config.http.insecure:
        click.echo(f"tracewhy: WARNING: TLS certificates are NOT verified for {config.url} "
                   "(--insecure); anyone on the network path can read and change the data",
                   err=True)
    return config


def required_backend(opts: dict[str, Any]) -> BackendConfig:
    config = configured_backend(opts, required=True)
    if config is None:  # resolve_backend raises first; this keeps the type honest
        raise ConfigError("no backend given", hint="use --jaeger URL or --zipkin URL")
    return config


def load_source(source: str, opts: dict[str, Any], *, force: bool = False) -> Trace:
    config = _backend_for(source, opts)
    if config is not None:
        return _fetch(source, config, opts, force)
    if opts.get("save_raw"):
        raise click.UsageError("--save-raw needs a backend (--jaeger URL or --zipkin URL)")
    fmt = opts.get("input_format")
    max_bytes = opts.get("max_input_bytes") or DEFAULT_MAX_INPUT_BYTES
    warning = memory_warning(source, max_bytes, available_memory())
    if warning:
        click.echo(warning, err=True)
    return load_trace(source, trace_id=opts.get("trace_id"),
                      fmt=None if fmt in (None, "auto") else fmt,
                      options=normalise_options(opts), max_bytes=max_bytes)


def _backend_for(source: str, opts: dict[str, Any]) -> BackendConfig | None:
    """A backend when one is named on the command line, or when SOURCE is no file but looks
    like a trace id and the environment or config file names a backend."""
    named = backend_flags(opts).names_a_backend()
    if not named and (source == "-" or os.path.exists(source) or not _looks_like_id(source)):
        return None
    return configured_backend(opts, required=named)


def _looks_like_id(text: str) -> bool:
    text = text.strip()
    return 0 < len(text) <= 34 and is_hex(text.removeprefix("0x"))


def _fetch(source: str, config: BackendConfig, opts: dict[str, Any], force: bool) -> Trace:
    fmt = opts.get("input_format")
    with backends.Backend(config) as backend:  # loads requests (lazily: see backends)
        fetched = backend.fetch(source, options=normalise_options(opts),
                                fmt=None if fmt in (None, "auto") else fmt)
    if opts.get("save_raw"):
        written = write_output(opts["save_raw"], fetched.raw, force=force)
        if written is not None:
            click.echo(f"saved the fetched payload to {written}", err=True)
    if len(fetched.tried) > 1:
        click.echo(f"tracewhy: note: {config.kind} knows this trace as {fetched.matched_id} "
                   f"(tried {', '.join(fetched.tried)})", err=True)
    return fetched.trace
