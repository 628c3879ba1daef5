"""Building the wheel where the kernels cannot be compiled (hatch_build.py).

A machine without a working C compiler still gets a working, pure-Python tracewhy, and is told
so; with TRACEWHY_REQUIRE_COMPILED=1 (CI) the same failure stops the build instead.  The
compiler is made to fail with ``CC=false``, which setuptools uses for every compile.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.slow


def _build(out: Path, **env: str) -> subprocess.CompletedProcess[str]:
    false = shutil.which("false") or "/bin/false"
    environ = {k: v for k, v in os.environ.items()
               if k not in ("TRACEWHY_REQUIRE_COMPILED", "TRACEWHY_PURE")}
    return subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(REPO), "--no-deps", "-v", "-w", str(out)],
        cwd=out, capture_output=True, text=True, timeout=600, check=False,
        env={**environ, "CC": false, **env})


def test_a_failed_compile_builds_a_pure_wheel_and_says_so(tmp_path: Path) -> None:
    done = _build(tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "compiling the kernels failed" in done.stdout + done.stderr
    (wheel,) = tmp_path.glob("tracewhy-*.whl")
    assert wheel.name.endswith("-py3-none-any.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "tracewhy/analysis/critical_path.py" in names
    assert not [name for name in names if name.endswith((".so", ".pyd"))]


def test_require_compiled_turns_a_failed_compile_into_an_error(tmp_path: Path) -> None:
    done = _build(tmp_path, TRACEWHY_REQUIRE_COMPILED="1")
    assert done.returncode != 0
    assert "mypyc exited with" in done.stdout + done.stderr
    assert not list(tmp_path.glob("tracewhy-*.whl"))
