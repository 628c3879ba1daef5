"""``tracewhy analyze FILE`` starts in a third of a second because the heavy libraries load only
when a run needs them.  This keeps it so: a file analysis in a fresh interpreter must not import
them (a timed assertion would be flaky; which modules got imported is not)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

FIXTURE = Path(__file__).parents[2] / "fixtures" / "demo" / "feature-store-latency" / "worst.json"

# library -> what needs it
LOADED_ON_DEMAND = {
    "pandas": "nothing yet (the baseline comparison groups in dicts: faster at its size)",
    "requests": "a live backend",
    "urllib3": "a live backend",
    "jinja2": "an HTML or Markdown report",
    "opentelemetry.sdk": "tracewhy demo",
}

PROBE = """
import sys
from click.testing import CliRunner
from tracewhy.cli import cli
result = CliRunner().invoke(cli, ["analyze", sys.argv[1], "--format", "json"])
assert result.exit_code == 0, result.output
print(" ".join(sorted(m for m in sys.modules if m.split(".")[0] in {names})))
"""


def _modules_after(args: list[str]) -> set[str]:
    roots = {name.split(".")[0] for name in LOADED_ON_DEMAND}
    out = subprocess.run([sys.executable, "-c", PROBE.format(names=roots), *args],
                         capture_output=True, text=True, check=True).stdout
    return set(out.split())


def test_analysing_a_file_loads_no_library_it_does_not_use() -> None:
    loaded = _modules_after([str(FIXTURE)])
    unexpected = {name: why for name, why in LOADED_ON_DEMAND.items() if name in loaded}
    assert not unexpected, f"imported at start-up, though only needed for: {unexpected}"


def test_the_lazy_names_still_resolve() -> None:
    from tracewhy import backends, demo

    assert backends.Backend.__name__ == "Backend"
    assert callable(backends.fetch_trace) and backends.Deadline.__name__ == "Deadline"
    assert callable(demo.generate) and demo.DEFAULT_START_US > 0
