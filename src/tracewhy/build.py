"""Which build of tracewhy this is: its per-span kernels compiled with mypyc (what ``pip
install .`` makes, see hatch_build.py) or run as Python (an editable install, or a machine
where compiling failed).  Both give the same results; the compiled one is faster."""

from __future__ import annotations

import importlib
from importlib.machinery import EXTENSION_SUFFIXES


def kernels() -> str:
    """"compiled" or "pure", judged by one kernel: a wheel compiles all of them or none."""
    return "compiled" if compiled("tracewhy.analysis.critical_path") else "pure"


def compiled(module: str) -> bool:
    """Is this module imported from a C extension?"""
    return (importlib.import_module(module).__file__ or "").endswith(tuple(EXTENSION_SUFFIXES))
