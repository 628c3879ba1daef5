"""Which backend to talk to, with which credentials and limits.

Each setting is taken from the first place that has it: command-line flags, then environment
variables (``TRACEWHY_JAEGER_URL``, ``TRACEWHY_ZIPKIN_URL``, ``TRACEWHY_TOKEN``, ...), then the
config file (``--config``, ``TRACEWHY_CONFIG`` or ``~/.config/tracewhy/config.toml``).  Secrets
come from the environment or from files, never from a literal on the command line, and are
masked in every ``repr``.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from tracewhy.backends.urls import split_base_url
from tracewhy.errors import ConfigError

KINDS = ("jaeger", "zipkin")
DEFAULT_MAX_RESPONSE_BYTES = 256 * 1024**2
ENV_URL = {"jaeger": "TRACEWHY_JAEGER_URL", "zipkin": "TRACEWHY_ZIPKIN_URL"}
_SETTINGS = ("connect_timeout", "read_timeout", "request_timeout", "deadline",
             "max_response_bytes", "retries", "retry_after_cap")


@dataclass(frozen=True)
class Credentials:
    token: str | None = None
    user: str | None = None
    password: str | None = None
    headers: tuple[tuple[str, str], ...] = ()

    def __repr__(self) -> str:  # never show a secret, even in a traceback
        return (f"Credentials(token={'***' if self.token else None}, user={self.user!r}, "
                f"password={'***' if self.password else None}, "
                f"headers={[name for name, _ in self.headers]})")

    def secrets(self) -> list[str]:
        """Every secret value, so callers can check that none reached their output."""
        values = [self.token, self.password, *(value for _, value in self.headers)]
        return [v for v in values if v]


@dataclass(frozen=True)
class HttpSettings:
    connect_timeout: float = 5.0  # seconds to open a connection
    read_timeout: float = 30.0  # longest silence between two reads
    request_timeout: float = 60.0  # one request, start to last byte, retries included
    deadline: float = 300.0  # the whole command
    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES  # decoded bytes of one response
    retries: int = 4
    retry_after_cap: float = 60.0  # a longer Retry-After is "try again later", not a sleep
    ca_bundle: str | None = None
    insecure: bool = False
    client_cert: str | None = None  # PEM file: a client certificate for mutual TLS
    client_key: str | None = None  # its private key, when not in client_cert's file
    env_proxy: bool = True  # use HTTP_PROXY / HTTPS_PROXY / ALL_PROXY from the environment
    allow_hosts: tuple[str, ...] = ()  # when given, the only hosts requests may go to (hosts.py)


@dataclass(frozen=True)
class BackendConfig:
    kind: str  # "jaeger" or "zipkin"
    url: str  # base URL, no credentials, no trailing slash
    credentials: Credentials = field(default_factory=Credentials)
    http: HttpSettings = field(default_factory=HttpSettings)
    origin: str = "flag"  # where the URL came from, for messages

    @property
    def label(self) -> str:
        return f"{self.kind} {self.url}"


@dataclass
class BackendFlags:
    """What the command line said (None: not given)."""

    jaeger: str | None = None
    zipkin: str | None = None
    backend: str | None = None  # pick one of the configured backends
    config: str | None = None
    token_file: str | None = None
    user: str | None = None
    password_file: str | None = None
    headers: tuple[str, ...] = ()
    ca_bundle: str | None = None
    insecure: bool = False
    client_cert: str | None = None
    client_key: str | None = None
    no_env_proxy: bool = False
    allow_hosts: tuple[str, ...] = ()
    settings: dict[str, Any] = field(default_factory=dict)  # HttpSettings fields given

    def names_a_backend(self) -> bool:
        return bool(self.jaeger or self.zipkin or self.backend)


def make_config(kind: str, url: str, **settings: Any) -> BackendConfig:
    """A config from code (tests, the audit mode): no env, no file."""
    clean, user, password = split_base_url(url, f"{kind} URL")
    credentials = settings.pop("credentials", Credentials())
    if user and not credentials.user:
        credentials = replace(credentials, user=user, password=password)
    return BackendConfig(kind, clean, credentials, HttpSettings(**settings), "code")


def resolve_backend(flags: BackendFlags, env: Mapping[str, str] | None = None,
                    *, required: bool = False) -> BackendConfig | None:
    """The backend the flags, environment and config file point at, or None if none does."""
    env = os.environ if env is None else env
    file = load_config_file(flags.config, env)
    chosen = _choose(flags, env, file)
    if chosen is None:
        if required:
            raise ConfigError("no backend given",
                              hint="use --jaeger URL or --zipkin URL, set TRACEWHY_JAEGER_URL "
                                   "or TRACEWHY_ZIPKIN_URL, or add one to the config file")
        return None
    kind, raw_url, origin = chosen
    section = _section(file, kind)
    clean, url_user, url_password = split_base_url(raw_url, f"{kind} URL ({origin})")
    credentials = _credentials(flags, env, section, url_user, url_password)
    return BackendConfig(kind, clean, credentials, _http_settings(flags, env, section), origin)


def _choose(flags: BackendFlags, env: Mapping[str, str],
            file: dict[str, Any]) -> tuple[str, str, str] | None:
    if flags.jaeger and flags.zipkin:
        raise ConfigError("--jaeger and --zipkin given together; choose one backend")
    for kind in KINDS:
        url = getattr(flags, kind)
        if url:
            return kind, url, f"--{kind}"
    wanted = flags.backend or env.get("TRACEWHY_BACKEND") or file.get("default")
    if wanted is not None and wanted not in KINDS:
        raise ConfigError(f"unknown backend {wanted!r}; choose jaeger or zipkin")
    candidates = [(k, env[ENV_URL[k]], ENV_URL[k]) for k in KINDS if env.get(ENV_URL[k])]
    candidates += [(k, str(_section(file, k)["url"]), "config file") for k in KINDS
                   if _section(file, k).get("url") and not env.get(ENV_URL[k])]
    if wanted is not None:
        candidates = [c for c in candidates if c[0] == wanted]
        if not candidates:
            raise ConfigError(f"no URL configured for {wanted}",
                              hint=f"use --{wanted} URL or set {ENV_URL[wanted]}")
    if len({c[0] for c in candidates}) > 1:
        raise ConfigError("both Jaeger and Zipkin are configured",
                          hint="choose one with --backend jaeger|zipkin")
    return candidates[0] if candidates else None


def default_config_path(env: Mapping[str, str]) -> Path:
    base = env.get("XDG_CONFIG_HOME") or str(Path(env.get("HOME", "~")) / ".config")
    return Path(base).expanduser() / "tracewhy" / "config.toml"


def load_config_file(path: str | None, env: Mapping[str, str]) -> dict[str, Any]:
    """The parsed TOML file; {} when no file was asked for and the default one is absent."""
    explicit = path or env.get("TRACEWHY_CONFIG")
    target = Path(explicit).expanduser() if explicit else default_config_path(env)
    if not target.exists():
        if explicit:
            raise ConfigError(f"{target}: config file not found")
        return {}
    try:
        with open(target, "rb") as handle:
            data = tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{target}: not valid TOML ({exc})") from None
    except OSError as exc:
        raise ConfigError(f"{target}: cannot read ({exc.strerror})") from None
    for kind in KINDS:
        if kind in data and not isinstance(data[kind], dict):
            raise ConfigError(f"{target}: [{kind}] must be a table")
    return data


def _section(file: dict[str, Any], kind: str) -> dict[str, Any]:
    section = file.get(kind)
    return section if isinstance(section, dict) else {}


def _credentials(flags: BackendFlags, env: Mapping[str, str], section: dict[str, Any],
                 url_user: str | None, url_password: str | None) -> Credentials:
    token = _secret("token", flags.token_file, env, "TRACEWHY_TOKEN", section)
    user = flags.user or env.get("TRACEWHY_USER") or section.get("user") or url_user
    password = _secret("password", flags.password_file, env, "TRACEWHY_PASSWORD", section)
    password = password or url_password
    if password and not user:
        raise ConfigError("a password is configured but no user", hint="add --user NAME")
    if token and user:
        raise ConfigError("both a bearer token and basic auth are configured; keep one")
    headers = _headers(section.get("headers"), flags.headers, env)
    return Credentials(token, str(user) if user else None, password, headers)


def _secret(name: str, flag_file: str | None, env: Mapping[str, str], env_name: str,
            section: dict[str, Any]) -> str | None:
    """A secret from --NAME-file, $ENV, $ENV_FILE, then the file's NAME_file / NAME_env / NAME."""
    if flag_file:
        return read_secret_file(flag_file, f"--{name}-file")
    if env.get(env_name):
        return env[env_name].strip()
    if env.get(f"{env_name}_FILE"):
        return read_secret_file(env[f"{env_name}_FILE"], f"{env_name}_FILE")
    if section.get(f"{name}_file"):
        return read_secret_file(str(section[f"{name}_file"]), f"config {name}_file")
    if section.get(f"{name}_env"):
        variable = str(section[f"{name}_env"])
        if not env.get(variable):
            raise ConfigError(f"config {name}_env names ${variable}, which is not set")
        return env[variable].strip()
    value = section.get(name)
    return str(value) if value else None


def read_secret_file(path: str, what: str) -> str:
    target = Path(path).expanduser()
    try:
        text = target.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        raise ConfigError(f"{what}: {target}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{what}: {target}: cannot read ({type(exc).__name__})") from None
    if not text or "\n" in text:
        raise ConfigError(f"{what}: {target}: expected one line holding the secret")
    return text


def _headers(from_file: Any, from_flags: tuple[str, ...],
             env: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    merged: dict[str, tuple[str, str]] = {}
    if from_file is not None and not isinstance(from_file, dict):
        raise ConfigError("config headers must be a table of name = value")
    for name, value in (from_file or {}).items():
        merged[str(name).lower()] = (str(name), header_value(str(value), str(name), env))
    for raw in from_flags:
        name, sep, value = raw.partition(":")
        if not sep or not name.strip() or any(c in name for c in " \t\r\n"):
            raise ConfigError(f"-H {name.strip()!r}...: expected 'Name: value'")
        merged[name.strip().lower()] = (name.strip(), header_value(value.strip(), name, env))
    return tuple(merged.values())


def header_value(value: str, name: str, env: Mapping[str, str]) -> str:
    """A header value, or ``@FILE`` / ``env:VAR`` to keep secret values off the command line."""
    if value.startswith("@"):
        value = read_secret_file(value[1:], f"header {name.strip()}")
    elif value.startswith("env:"):
        variable = value[4:]
        if not env.get(variable):
            raise ConfigError(f"header {name.strip()}: ${variable} is not set")
        value = env[variable].strip()
    if any(c in value for c in "\r\n\0"):
        raise ConfigError(f"header {name.strip()}: the value holds a line break")
    return value


def _http_settings(flags: BackendFlags, env: Mapping[str, str],
                   section: dict[str, Any]) -> HttpSettings:
    values: dict[str, Any] = {}
    for name in _SETTINGS:
        value = flags.settings.get(name)
        value = section.get(name) if value is None else value
        if value is not None:
            values[name] = _number(name, value)
    ca_bundle = _existing("CA bundle", flags.ca_bundle or env.get("TRACEWHY_CA_BUNDLE")
                          or section.get("ca_bundle"))
    client_cert = _existing("client certificate", flags.client_cert
                            or env.get("TRACEWHY_CLIENT_CERT") or section.get("client_cert"))
    client_key = _existing("client key", flags.client_key or env.get("TRACEWHY_CLIENT_KEY")
                           or section.get("client_key"))
    if client_key and not client_cert:
        raise ConfigError("a client key is configured but no client certificate",
                          hint="add --client-cert FILE")
    insecure = flags.insecure or section.get("insecure") is True
    env_proxy = not flags.no_env_proxy and section.get("env_proxy") is not False
    return HttpSettings(**values, ca_bundle=ca_bundle, insecure=insecure,
                        client_cert=client_cert, client_key=client_key, env_proxy=env_proxy,
                        allow_hosts=_allow_hosts(flags, env, section))


def _allow_hosts(flags: BackendFlags, env: Mapping[str, str],
                 section: dict[str, Any]) -> tuple[str, ...]:
    """--allow-host, else TRACEWHY_ALLOW_HOSTS (comma-separated), else the file's list."""
    if flags.allow_hosts:
        return flags.allow_hosts
    if env.get("TRACEWHY_ALLOW_HOSTS"):
        return tuple(h.strip() for h in env["TRACEWHY_ALLOW_HOSTS"].split(",") if h.strip())
    listed = section.get("allow_hosts", [])
    if not isinstance(listed, list) or not all(isinstance(h, str) for h in listed):
        raise ConfigError(f"allow_hosts: expected a list of host names, got {listed!r}")
    return tuple(listed)


def _existing(what: str, path: Any) -> str | None:
    """A configured file's path, ~ expanded; refused at once when there is nothing there."""
    if not path:
        return None
    target = str(Path(str(path)).expanduser())
    if not Path(target).exists():
        raise ConfigError(f"{what} {target}: no such file or directory")
    return target


def _number(name: str, value: Any) -> float | int:
    integral = name in ("max_response_bytes", "retries")
    try:
        number = int(value) if integral else float(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{name}: {value!r} is not a number") from None
    if number < 0 or (number == 0 and name != "retries"):
        raise ConfigError(f"{name}: must be positive, got {value!r}")
    return number
