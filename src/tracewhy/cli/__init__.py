"""The ``tracewhy`` command line.  The only code that prints, reads arguments or writes files.

Every expected failure is a :class:`~tracewhy.errors.TracewhyError`, caught once here and
printed as one line with its exit code; ``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import os
import sys
import traceback
from typing import Any

import click

from tracewhy import __version__
from tracewhy.errors import TracewhyError

INTERNAL_ERROR = 70  # EX_SOFTWARE: a bug in tracewhy


class TracewhyGroup(click.Group):
    """Turns TracewhyError into ``tracewhy: <message>`` and its exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except TracewhyError as exc:
            if _debug(ctx):
                raise
            click.echo(f"tracewhy: {exc.one_line()}", err=True)
            ctx.exit(int(exc.exit_code))
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort):
            raise
        except KeyboardInterrupt:
            click.echo("tracewhy: interrupted", err=True)
            ctx.exit(130)
        except BrokenPipeError:  # `tracewhy ... | head`: the reader left; not an error of ours
            _silence_stdout()
            ctx.exit(0)
        except MemoryError:
            click.echo("tracewhy: out of memory while analysing; try a smaller input", err=True)
            ctx.exit(INTERNAL_ERROR)
        except Exception as exc:  # a bug: say so plainly, traceback only on request
            if _debug(ctx):
                raise
            click.echo(f"tracewhy: internal error: {type(exc).__name__}: {exc} "
                       "(rerun with --debug for the traceback)", err=True)
            ctx.exit(INTERNAL_ERROR)


def _silence_stdout() -> None:
    """Point stdout at /dev/null so Python's exit flush does not raise again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def _debug(ctx: click.Context) -> bool:
    root = ctx.find_root()
    return bool((root.obj or {}).get("debug")) or os.environ.get("TRACEWHY_DEBUG") == "1" \
        or "--debug" in sys.argv[1:]


@click.group(cls=TracewhyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--version", is_flag=True, expose_value=False, is_eager=True,
              callback=lambda ctx, _param, value: _print_version(ctx, value),
              help="Show the version, and whether the kernels are compiled, and exit.")
@click.option("--debug", is_flag=True, help="Show tracebacks instead of one-line errors.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Find where the time went in a distributed trace, and why."""
    ctx.obj = {"debug": debug}


def _print_version(ctx: click.Context, asked: bool) -> None:
    import platform

    from tracewhy.build import kernels

    if not asked or ctx.resilient_parsing:
        return
    build = "compiled kernels" if kernels() == "compiled" else "pure-Python kernels"
    click.echo(f"tracewhy {__version__} ({build}, "
               f"{platform.python_implementation()} {platform.python_version()})")
    ctx.exit()


# What a command made and the process can drop without freeing: see ``keep_until_exit``.
_HELD: list[object] = []


def keep_until_exit(*objects: object) -> None:
    """Hold a command's big results until the process ends, then end it without freeing them.

    Freeing a 100k-span trace and its analysis object by object takes ~0.2 s (seconds at a
    million spans) and serves nothing when the process is about to exit; the OS takes the
    memory back at once.  Only ``main`` (the console script) ends the process that way, after
    flushing output; commands run in-process (tests, library callers) free as usual.
    """
    _HELD.extend(objects)


def main() -> None:
    try:
        cli.main(prog_name="tracewhy", standalone_mode=True)
    except TracewhyError as exc:  # raised outside a command (e.g. during --debug re-raise)
        if "--debug" in sys.argv[1:]:
            traceback.print_exc()
        click.echo(f"tracewhy: {exc.one_line()}", err=True)
        sys.exit(int(exc.exit_code))
    except SystemExit as exc:  # how click ends every run
        if _HELD and (exc.code is None or isinstance(exc.code, int)):
            _exit_without_freeing(exc.code or 0)
        raise


def _exit_without_freeing(code: int) -> None:
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (BrokenPipeError, ValueError):  # the reader left, or a stream is closed
        pass
    os._exit(code)


from tracewhy.cli import analyze as _analyze  # noqa: E402,F401  (registers the command)
from tracewhy.cli import cohort as _cohort  # noqa: E402,F401  (registers the command)
from tracewhy.cli import demo as _demo  # noqa: E402,F401  (registers the command)
from tracewhy.cli import search as _search  # noqa: E402,F401  (registers the command)
