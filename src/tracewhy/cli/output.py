"""Writing results: never over a file the user did not ask to replace, never half a file."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from tracewhy.errors import OutputError


def write_output(path: str | None, text: str | bytes, *, force: bool,
                 inputs: tuple[str, ...] = ()) -> Path | None:
    """Write ``text`` to ``path`` atomically (stdout for None or ``-``); return the path.
    Bytes (a fetched payload kept by --save-raw) are written exactly as given."""
    if path is None or path == "-":
        if isinstance(text, bytes):
            sys.stdout.flush()
            sys.stdout.buffer.write(text)
        else:
            sys.stdout.write(text)
        sys.stdout.flush()
        return None
    target = Path(path)
    _refuse_inputs(target, inputs)
    if target.is_dir():
        raise OutputError(f"{target}: is a directory; give a file name for the output")
    if target.exists() and not force:
        raise OutputError(f"{target}: already exists", hint="use --force to replace it")
    parent = target.parent if str(target.parent) else Path(".")
    if not parent.is_dir():
        raise OutputError(f"{target}: directory {parent} does not exist")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=parent)
        try:
            os.fchmod(fd, _mode_for_new_files())  # mkstemp makes 0600; a report is shareable
            with os.fdopen(fd, "wb") as handle:
                handle.write(text.encode("utf-8") if isinstance(text, str) else text)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise OutputError(f"{target}: cannot write ({exc.strerror or exc})") from None
    return target


def _mode_for_new_files() -> int:
    """0666 minus the umask, as open() would give a new file."""
    umask = os.umask(0o022)  # reading the umask means setting it; put it straight back
    os.umask(umask)
    return 0o666 & ~umask


def _refuse_inputs(target: Path, inputs: tuple[str, ...]) -> None:
    for source in inputs:
        if source == "-" or not Path(source).exists() or not target.exists():
            continue
        if os.path.samefile(source, target):
            raise OutputError(f"{target}: is the input file; refusing to overwrite it")
