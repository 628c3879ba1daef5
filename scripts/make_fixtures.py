"""Regenerate ``fixtures/demo/``: a small sample of every demo scenario, made by the CLI.

    python scripts/make_fixtures.py [--out DIR]

Each scenario simulates SIMULATED requests and keeps KEEP of them (the worst trace, then normal
and faulty ones alternately), so every sample holds the fault and its baseline.  The files are
deterministic: tests/unit/test_demo_fixtures.py regenerates them and compares byte for byte.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from tracewhy.cli import cli
from tracewhy.demo import SCENARIOS

REPO = Path(__file__).resolve().parents[1]
SEED = 1
SIMULATED = 200
KEEP = 4


def regenerate(root: Path) -> list[Path]:
    """Write every scenario's sample under ``root``; return the directories written."""
    written = []
    for name in SCENARIOS:
        target = root / name
        cli.main(["demo", name, "--traces", str(SIMULATED), "--seed", str(SEED), "--sample",
                  str(KEEP), "--out", str(target), "--force"], prog_name="tracewhy",
                 standalone_mode=False)
        written.append(target)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "fixtures" / "demo",
                        help="where to write (default: fixtures/demo)")
    regenerate(parser.parse_args().out)


if __name__ == "__main__":
    main()
