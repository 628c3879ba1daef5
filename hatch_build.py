"""Wheel build hook: compile the per-span kernels with mypyc, and the hand-written C readers.

The modules listed as ``kernels`` in pyproject.toml (``[tool.hatch.build.targets.wheel.hooks.
custom]``) are plain, fully typed Python; mypyc turns each into a C extension that runs their
loops over span arrays 2-5x faster (benchmarks/README.md).  The ``.py`` files stay in the wheel,
and Python imports the extension when there is one.

* Editable installs (``pip install -e``) stay pure Python, so edits take effect at once.
* ``TRACEWHY_PURE=1`` builds a pure-Python wheel.
* When compiling fails (no C compiler, no Python headers) the wheel is built pure Python, with a
  warning - unless ``TRACEWHY_REQUIRE_COMPILED=1`` (CI sets it), which makes it an error.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

# Runs in a child process whose working directory is a scratch directory: setuptools reads any
# pyproject.toml in the working directory, and ours is not one it accepts.
_COMPILE = """
import sys
from mypyc.build import mypycify
from setuptools import Extension, setup

out, scratch, config, native, *modules = sys.argv[1:]
# Hand-written C extensions: "dotted.name=path/to/source.c", comma-separated.
extensions = [Extension(name, [source], extra_compile_args=["-O2"])
              for name, source in (item.split("=") for item in native.split(",") if item)]
setup(name="tracewhy-kernels",
      # Other modules are read for their types, not checked: the build environment lacks the
      # runtime dependencies' type information, which only ``mypy src`` (CI) needs.
      ext_modules=mypycify(["--config-file", config, "--follow-imports=silent", *modules],
                           opt_level="3") + extensions,
      script_args=["build_ext", "--build-lib", out, "--build-temp", scratch])
"""


class KernelsHook(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        self._scratch: str | None = None
        if self.target_name != "wheel" or version == "editable" \
                or os.environ.get("TRACEWHY_PURE") == "1":
            return
        self._scratch = tempfile.mkdtemp(prefix="tracewhy-kernels-")
        try:
            built = self._compile(Path(self._scratch))
        except OSError as exc:
            if os.environ.get("TRACEWHY_REQUIRE_COMPILED") == "1":
                raise
            self.app.display_warning(f"tracewhy: compiling the kernels failed ({exc}); "
                                     "building a pure-Python wheel (slower, same results)")
            return
        build_data["pure_python"] = False
        build_data["infer_tag"] = True
        build_data["force_include"].update(built)

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)

    def _compile(self, scratch: Path) -> dict[str, str]:
        """The extension files, as {path on disk: path in the wheel}."""
        root = Path(self.root)
        modules = [str(root / "src" / module) for module in self.config["kernels"]]
        native = ",".join(f"{name}={root / 'src' / source}"
                          for name, source in self.config.get("native", {}).items())
        out = scratch / "lib"
        done = subprocess.run(
            [sys.executable, "-c", _COMPILE, str(out), str(scratch / "tmp"),
             str(root / "pyproject.toml"), native, *modules],
            cwd=scratch, capture_output=True, text=True, check=False)
        if done.returncode:
            tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-15:])
            raise OSError(f"mypyc exited with {done.returncode}:\n{tail}")
        built = {str(path): path.relative_to(out).as_posix()
                 for path in out.rglob("*") if path.suffix in (".so", ".pyd")}
        if not built:
            raise OSError("mypyc produced no extension modules")
        return built
