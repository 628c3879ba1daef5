"""Errors a user can act on, each with a one-line message and a documented exit code.

The CLI catches :class:`TracewhyError` in one place and prints ``tracewhy: <message>``;
a traceback appears only with ``--debug``.  Exit codes follow BSD ``sysexits`` where one fits,
so cron jobs and CI can tell "bad data" from "backend down" from "try again later".
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    FINDINGS = 1  # --strict: warnings or findings promoted to failure
    USAGE = 2  # bad command line (click's own code)
    PARTIAL = 3  # some traces of a batch failed; the rest were written
    DATA = 65  # input could not be understood (EX_DATAERR)
    NOT_FOUND = 66  # input file or trace id not found (EX_NOINPUT)
    UNAVAILABLE = 69  # backend unreachable / timed out (EX_UNAVAILABLE)
    CANT_CREATE = 73  # cannot write the output (EX_CANTCREAT)
    TEMPFAIL = 75  # try again later: rate limited beyond the cap, lock held (EX_TEMPFAIL)
    NO_PERMISSION = 77  # backend said 401/403 (EX_NOPERM)
    CONFIG = 78  # bad configuration: URL scheme, token file, CA path (EX_CONFIG)


class TracewhyError(Exception):
    """Base for every error that is the user's input or environment, not a bug."""

    exit_code: ExitCode = ExitCode.DATA

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def one_line(self) -> str:
        text = self.message if not self.hint else f"{self.message} ({self.hint})"
        return " ".join(text.split())


class InputError(TracewhyError):
    """The input exists but cannot be understood as a trace."""

    exit_code = ExitCode.DATA


class InputNotFound(TracewhyError):
    exit_code = ExitCode.NOT_FOUND


class OutputError(TracewhyError):
    exit_code = ExitCode.CANT_CREATE


class ConfigError(TracewhyError):
    exit_code = ExitCode.CONFIG


class BackendUnavailable(TracewhyError):
    exit_code = ExitCode.UNAVAILABLE


class BackendAuthError(TracewhyError):
    exit_code = ExitCode.NO_PERMISSION


class TraceNotFound(TracewhyError):
    exit_code = ExitCode.NOT_FOUND


class BackendDataError(TracewhyError):
    """The backend answered, but with something that is not a usable trace payload."""

    exit_code = ExitCode.DATA


class TryAgainLater(TracewhyError):
    exit_code = ExitCode.TEMPFAIL
