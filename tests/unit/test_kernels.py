"""The kernels: the modules a wheel compiles with mypyc (hatch_build.py, pyproject.toml).

mypyc compiles plain typed Python to the same behaviour, with two known silent exceptions that
these modules must avoid: ``functools.cached_property`` becomes a plain property (recomputed on
every access: a detector went from 9 ms to 2.9 s that way) and msgspec structs stop decoding.
CI installs the wheel, so the suite runs on the compiled kernels there; on a compiled install
the analyses must equal, byte for byte, those of the pure-Python sources.
"""

from __future__ import annotations

import ast
import importlib.machinery
import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, REPO
from tracewhy.build import compiled, kernels

CONFIG = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
KERNELS: list[str] = CONFIG["tool"]["hatch"]["build"]["targets"]["wheel"]["hooks"]["custom"][
    "kernels"]
MODULES = [path.removesuffix(".py").replace("/", ".") for path in KERNELS]
FORBIDDEN = {"cached_property": "mypyc compiles it as a plain, uncached property",
             "msgspec": "mypyc-compiled classes are not msgspec structs"}


def test_version_says_which_build_runs() -> None:
    from click.testing import CliRunner

    from tracewhy import __version__
    from tracewhy.cli import cli

    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0
    build = "compiled kernels" if kernels() == "compiled" else "pure-Python kernels"
    assert result.output.startswith(f"tracewhy {__version__} ({build}, ")
    # one kernel stands for all: a wheel compiles every one or none
    assert kernels() == ("compiled" if all(map(compiled, MODULES)) else "pure")


COMPILED = all(compiled(module) for module in MODULES)


@pytest.mark.parametrize("path", KERNELS)
def test_kernel_avoids_what_mypyc_compiles_differently(path: str) -> None:
    tree = ast.parse((REPO / "src" / path).read_text(encoding="utf-8"))
    names = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    names |= {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            names |= {(node.module or "").split(".")[0]} | {a.name for a in node.names}
    used = sorted(names & FORBIDDEN.keys())
    assert not used, f"{path} uses {used}: {[FORBIDDEN[name] for name in used]}"


def test_ci_runs_the_compiled_kernels() -> None:
    """CI installs the wheel with TRACEWHY_REQUIRE_COMPILED=1: a silent fallback to the pure
    build would leave the compiled code untested."""
    if os.environ.get("CI") != "true":
        pytest.skip("outside CI any install is fine (an editable one runs the sources)")
    pure = [module for module in MODULES if not compiled(module)]
    assert not pure, f"not compiled: {pure}"


# Traces with every repair the kernels make: skew, orphans, duplicate halves, errors, mesh hops.
PARITY_TRACES = [FIXTURES / "crisp-16.json",
                 *sorted((FIXTURES / "demo").glob("*/worst.json"))]
PARITY_EXTERNAL = ["crisp/1.json", "crisp/11.json", "zipkin-lens/skew.json",
                   "zipkin-lens/envoy.json", "zipkin-lens/yelp.json", "jaeger/ui_01.json",
                   "otlp-proto/trace.json"]
PROBE = """
import sys, json
from tracewhy.normalise import NormaliseOptions
from tracewhy.pipeline import analyze_trace
from tracewhy.render.json import render_json
from tracewhy.sources import load_trace
import tracewhy.analysis.critical_path as kernel
out = {"kernel": kernel.__file__}
for path in sys.argv[1:]:
    for skew in (False, True):
        trace = load_trace(path, options=NormaliseOptions(adjust_skew=skew))
        out[f"{path} {skew}"] = json.loads(render_json(analyze_trace(trace)))
print(json.dumps(out, sort_keys=True))
"""


@pytest.mark.skipif(not COMPILED, reason="the kernels are not compiled in this install")
def test_compiled_kernels_analyse_like_the_sources(external: Path) -> None:
    paths = [str(p) for p in PARITY_TRACES] + [str(external / p) for p in PARITY_EXTERNAL]

    def analyses(pythonpath: str | None) -> dict[str, object]:
        env = {**os.environ, "PYTHONPATH": pythonpath} if pythonpath else dict(os.environ)
        done = subprocess.run([sys.executable, "-c", PROBE, *paths], capture_output=True,
                              text=True, env=env, cwd=REPO / "tests", check=True)
        return json.loads(done.stdout)  # type: ignore[no-any-return]

    compiled, pure = analyses(None), analyses(str(REPO / "src"))
    assert str(compiled.pop("kernel")).endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES))
    assert pure.pop("kernel") == str(REPO / "src" / "tracewhy" / "analysis" / "critical_path.py")
    assert len(compiled) == 2 * len(paths)
    for key in compiled:
        assert compiled[key] == pure[key], key
