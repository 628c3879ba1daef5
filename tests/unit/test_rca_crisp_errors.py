"""Error origins against CRISP's expected error paths.

CRISP counts, per call path, [self, propagated, stopped] errors: an erroring span with no
erroring child, an erroring span with one, and a span that is fine but has an erroring child.
The ``err_pattern*`` traces carry these counts for the whole trace (``errCounts``) and must
match exactly.  Traces 11-25 carry them for CRISP's "error critical path" (``errCPErrCounts``),
which also counts same-operation calls on that path as self errors even without error evidence
(e.g. the untagged O2 calls of 15.json); there we check that every span we call an error origin
on the critical path is counted by CRISP as a self error on its call path, never more often
than CRISP counts, and that where CRISP sees errors on the critical path we find an origin.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from tests.conftest import EXTERNAL
from tracewhy.analysis.analyze import analyze
from tracewhy.rca.errors import ORIGIN, PROPAGATED, STOPPED, classify_errors
from tracewhy.sources import load_trace

CRISP = EXTERNAL / "crisp"
PATTERNS = sorted(CRISP.glob("err_pattern*/*.json"))
NUMBERED = [CRISP / f"{n}.json" for n in range(11, 26)]
ROLE_INDEX = {ORIGIN: 0, PROPAGATED: 1, STOPPED: 2}


def call_path_roles(path: Path, *, critical_only: bool = False
                    ) -> tuple[dict[str, list[int]], dict[str, list[str]]]:
    analysis = analyze(load_trace(str(path)))
    ix = analysis.index
    roles = classify_errors(ix, analysis.error)
    counts: dict[str, list[int]] = {}
    members: dict[str, list[str]] = {}
    for i in range(len(ix)):
        if critical_only and not analysis.critical_us[i]:
            continue
        names, p = [], i
        while p >= 0:
            names.append(f"[{ix.spans[p].service}] {ix.spans[p].name}")
            p = ix.parent[p]
        key = "->".join(reversed(names))
        members.setdefault(key, []).append(roles.get(i, "ok"))
        if i in roles:
            counts.setdefault(key, [0, 0, 0])[ROLE_INDEX[roles[i]]] += 1
    return counts, members


@pytest.mark.parametrize("path", PATTERNS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_error_roles_match_crisp_err_counts(path: Path, external: Path) -> None:
    expected = json.loads(path.read_text())["testing"]["errCounts"]
    counts, _ = call_path_roles(path)
    assert counts == expected


@pytest.mark.parametrize("path", NUMBERED, ids=lambda p: p.name)
def test_error_origins_lie_on_crisps_error_paths(path: Path, external: Path) -> None:
    expected = json.loads(path.read_text())["testing"].get("errCPErrCounts", {})
    self_paths = {key.split("->", 1)[1].lstrip("["): counts[0]
                  for key, counts in expected.items() if counts[0]}
    _, members = call_path_roles(path, critical_only=True)
    ours = {key: Counter(roles)[ORIGIN] for key, roles in members.items() if ORIGIN in roles}
    for key in ours:
        on_error_path = any(key.endswith(crisp_key) or crisp_key.endswith(key)
                            for crisp_key in self_paths)
        assert on_error_path, f"{key}: we call it an origin, CRISP has no self error there"
    for crisp_key, count in self_paths.items():
        ours_here = sum(n for key, n in ours.items() if key.endswith(crisp_key))
        assert ours_here <= count
    if expected:
        assert ours, "CRISP sees errors, we found no origin"


def test_error_origin_of_a_propagated_chain(external: Path) -> None:
    analysis = analyze(load_trace(str(CRISP / "err_pattern3" / "err1.json")))
    roles = classify_errors(analysis.index, analysis.error)
    by_service = {analysis.index.spans[i].service: role for i, role in roles.items()}
    assert by_service == {"S3": ORIGIN, "S2": PROPAGATED, "S1": STOPPED}
