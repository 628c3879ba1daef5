"""The templates (and the right modules) are found both from a built wheel (``pip install .``)
and from an editable install.

The wheel is built from this checkout and installed, without dependencies, into a throwaway
venv whose only extra path is the current environment's site-packages (for jinja2, networkx,
...; a ``.pth`` file there is not processed, so the editable ``src/`` stays out).  The report is
then rendered by the installed ``tracewhy`` command, from a directory outside the checkout.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, REPO

pytestmark = pytest.mark.slow


def _run(*args: str | Path, cwd: Path) -> str:
    done = subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    isolation = [] if importlib.util.find_spec("hatchling") is None else ["--no-build-isolation"]
    _run(sys.executable, "-m", "pip", "wheel", REPO, "--no-deps", "-q", *isolation, "-w", out,
         cwd=out)
    (found,) = out.glob("tracewhy-*.whl")
    return found


def test_wheel_ships_the_templates(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in ("report.html", "report.css", "report.js", "_whys.html", "_macros.html"):
        assert f"tracewhy/templates/{name}" in names


def _venv_with(install: list[str | Path], where: Path) -> tuple[Path, Path]:
    """A throwaway venv with tracewhy installed by ``pip install <install>``, its dependencies
    taken from this environment's site-packages; its python and its site-packages."""
    venv = where / "venv"
    _run(sys.executable, "-m", "venv", venv, cwd=where)
    python = venv / "bin" / "python"
    _run(python, "-m", "pip", "install", "-q", "--no-deps", *install, cwd=where)
    site = Path(_run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])",
                     cwd=where).strip())
    (site / "zz_tracewhy_test_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return python, site


def _templates_dir(python: Path, cwd: Path) -> Path:
    return Path(_run(python, "-c", "import tracewhy.render.html as h; print(h.templates_dir())",
                     cwd=cwd).strip())


def test_report_from_the_installed_wheel(wheel: Path, tmp_path: Path) -> None:
    python, site = _venv_with(["--no-index", wheel], tmp_path)
    assert _templates_dir(python, tmp_path) == site / "tracewhy" / "templates"
    report = tmp_path / "report.html"
    _run(python.parent / "tracewhy", "analyze", FIXTURES / "crisp-16.json", "-o", report,
         cwd=tmp_path)
    html = report.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and 'id="verdict"' in html
    assert "Content-Security-Policy" in html


def test_editable_install_reads_the_checkout_templates(tmp_path: Path) -> None:
    python, _ = _venv_with(["-e", REPO], tmp_path)
    assert _templates_dir(python, tmp_path) == REPO / "templates"
    assert not (REPO / "src" / "tracewhy" / "templates").exists()
    # and runs the checkout's pure-Python modules: an edit takes effect without a rebuild
    module = _run(python, "-c", "import tracewhy.analysis.critical_path as m; print(m.__file__)",
                  cwd=tmp_path).strip()
    assert module == str(REPO / "src" / "tracewhy" / "analysis" / "critical_path.py")
