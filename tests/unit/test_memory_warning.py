"""The warning before reading an input too big for the free memory (cli/memory.py)."""

from __future__ import annotations

import gzip
from pathlib import Path

from click.testing import CliRunner

from tests.conftest import FIXTURES
from tracewhy.cli import cli
from tracewhy.cli.memory import (
    PEAK_PER_INPUT_BYTE,
    available_memory,
    input_size,
    memory_warning,
    shortfall_warning,
)

QUICK_START = FIXTURES / "demo" / "feature-store-latency" / "worst.json"


def test_the_size_is_the_json_a_gzip_file_holds(tmp_path: Path) -> None:
    body = QUICK_START.read_bytes()
    packed = tmp_path / "trace.json.gz"
    packed.write_bytes(gzip.compress(body))
    assert input_size(str(packed)) == len(body) > packed.stat().st_size
    assert input_size(str(QUICK_START)) == len(body)
    assert input_size("-") is None  # stdin: not known before reading it
    assert input_size(str(tmp_path / "missing.json")) is None  # the reader says why


def test_this_machine_reports_its_free_memory() -> None:
    free = available_memory()
    assert free is None or free > 0
    if Path("/proc/meminfo").exists():
        assert free is not None and free > 10**7


def test_the_warning_compares_the_need_with_what_is_free() -> None:
    text = shortfall_warning("big.json", 3_900_000_000, 12_100_000_000)
    assert text == ("tracewhy: warning: big.json is 3.9 GB of JSON; analysing it takes about "
                    "19.5 GB of memory and 12.1 GB is available, so it may be stopped for lack "
                    "of memory (--max-input-bytes refuses inputs above a size)")
    assert shortfall_warning("ok.json", 566_000_000, 2_831_000_000) is None  # 5x fits
    assert shortfall_warning("ok.json", 566_000_000, None) is None  # free memory unknown


def test_a_file_that_fits_or_that_the_cap_refuses_gets_no_warning() -> None:
    size = QUICK_START.stat().st_size
    tight = size * PEAK_PER_INPUT_BYTE - 1
    assert memory_warning(str(QUICK_START), 10**9, tight) is not None
    assert memory_warning(str(QUICK_START), 10**9, tight + 1) is None
    assert memory_warning(str(QUICK_START), size - 1, tight) is None  # refused by the cap


def test_the_cli_says_nothing_for_a_small_trace() -> None:
    result = CliRunner().invoke(cli, ["analyze", str(QUICK_START)])
    assert result.exit_code == 0
    assert "warning:" not in result.output
