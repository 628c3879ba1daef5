"""Running the real ``tracewhy`` command line from tests, isolated from the caller's settings."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner

from tracewhy.cli import cli

# Settings a developer may have exported; a test decides its own.
_OURS = ("TRACEWHY_JAEGER_URL", "TRACEWHY_ZIPKIN_URL", "TRACEWHY_BACKEND", "TRACEWHY_CONFIG",
         "TRACEWHY_TOKEN", "TRACEWHY_TOKEN_FILE", "TRACEWHY_USER", "TRACEWHY_PASSWORD",
         "TRACEWHY_PASSWORD_FILE", "TRACEWHY_CA_BUNDLE", "TRACEWHY_CLIENT_CERT",
         "TRACEWHY_CLIENT_KEY", "TRACEWHY_DEBUG")


@dataclass(frozen=True)
class Ran:
    code: int
    stdout: str
    stderr: str

    @property
    def everything(self) -> str:
        return self.stdout + self.stderr


def clean_env(config_home: Path, extra: dict[str, str] | None = None) -> dict[str, str | None]:
    env: dict[str, str | None] = dict.fromkeys(_OURS)
    env["XDG_CONFIG_HOME"] = str(config_home)  # no developer config file
    env.update(extra or {})
    return env


def run_cli(args: list[str], config_home: Path, env: dict[str, str] | None = None) -> Ran:
    """In-process, through click's runner: fast, and the exit code is the real one."""
    result = CliRunner().invoke(cli, args, env=clean_env(config_home, env),
                                catch_exceptions=False)
    return Ran(result.exit_code, result.stdout, result.stderr)


def run_process(args: list[str], config_home: Path, env: dict[str, str] | None = None,
                timeout: float = 120) -> Ran:
    """As a separate process, the way a user or cron runs it."""
    full_env = {k: v for k, v in os.environ.items() if k not in _OURS}
    full_env.update({k: v for k, v in clean_env(config_home, env).items() if v is not None})
    done = subprocess.run([sys.executable, "-m", "tracewhy", *args], env=full_env, text=True,
                          capture_output=True, timeout=timeout, check=False)
    return Ran(done.returncode, done.stdout, done.stderr)
