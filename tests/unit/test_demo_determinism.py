"""Same scenario, seed and start: the same bytes, in this process or another one."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time

import pytest

from tracewhy.demo import SCENARIOS, generate
from tracewhy.demo.output import render_run

_DIGEST = """
import hashlib, sys
from tracewhy.demo import generate
from tracewhy.demo.output import render_run
files = render_run(generate(sys.argv[1], 25, 42))
print(hashlib.sha256("".join(files.values()).encode()).hexdigest())
"""


def _digest(files: dict[str, str]) -> str:
    return hashlib.sha256("".join(files.values()).encode()).hexdigest()


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_same_seed_same_bytes(name: str) -> None:
    first, second = render_run(generate(name, 25, 42)), render_run(generate(name, 25, 42))
    assert first == second


def test_another_seed_or_start_gives_other_traces() -> None:
    base = generate("healthy", 10, 42)
    other_seed = generate("healthy", 10, 43)
    later = generate("healthy", 10, 42, start_us=base.start_us + 3_600_000_000)
    other_scenario = generate("inference-oom", 10, 42)
    ids = {record.trace_id for record in base.records}
    for run in (other_seed, later, other_scenario):  # never the same ids in one backend
        assert ids.isdisjoint(record.trace_id for record in run.records)
    assert [r.duration_us for r in later.records] == [r.duration_us for r in base.records]
    assert later.records[0].root.start_us == base.records[0].root.start_us + 3_600_000_000


def test_bytes_do_not_depend_on_the_process_or_its_hash_seed() -> None:
    here = _digest(render_run(generate("mesh-retry-storm", 25, 42)))
    env = {**os.environ, "PYTHONHASHSEED": "12345", "OTEL_ATTRIBUTE_COUNT_LIMIT": "3",
           "OTEL_TRACES_SAMPLER": "always_off"}
    done = subprocess.run([sys.executable, "-c", _DIGEST, "mesh-retry-storm"], env=env,
                          capture_output=True, text=True, check=True, timeout=120)
    assert done.stdout.strip() == here


def test_a_thousand_traces_take_seconds() -> None:
    began = time.perf_counter()
    run = generate("silent-schema-retry", 1000, 1)
    elapsed = time.perf_counter() - began
    assert len(run.records) == 1000
    assert elapsed < 30, f"{elapsed:.1f} s for 1000 traces"  # ~3 s on an idle laptop core
