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



def _error_story(path: Path) -> tuple[str, str | None]:
    """The error-origin finding's propagation evidence, and the 5-Whys answer about the error
    (None when the chain follows another finding)."""
    from tracewhy.pipeline import analyze_trace

    result = analyze_trace(load_trace(str(path)))
    finding = next(f for f in result.findings if f["kind"] == "error_origin")
    answer = next((w["answer"] for w in result.whys
                   if w["question"].startswith("Where did the error")), None)
    return finding["evidence"][1]["text"], answer


@pytest.mark.parametrize(("name", "says"), [
    # S3 fails, S2 passes it on, S1 is fine: handled at S1, after one erroring span
    ("err_pattern3/err1.json", "up through 1 erroring span(s) (S2 O2) and was handled by S1 O1"),
    # S4's error is S1's child, and S1 is fine: nothing travelled
    ("14.json", "S1 O1, above it, did not fail: the error was handled there"),
    # S2 fails and so does the root above it
    ("err_pattern1/err1.json", "up through 1 erroring span(s) (S1 O1) to the root"),
])
def test_the_error_story_says_where_the_error_stopped(name: str, says: str,
                                                      external: Path) -> None:
    evidence, answer = _error_story(CRISP / name)
    assert says in evidence
    assert answer is None or says in answer
    # the origin is never listed among the spans the error travelled through
    assert not any(f"({s} O{s[1]}" in evidence for s in ("S3", "S4"))


def test_a_failing_root_is_not_asked_about_twice(external: Path) -> None:
    """err_pattern2/err2: the root is the error's origin, so the finding's question ("Why did
    S1 O1 fail?") is the symptom's; the chain asks it once and still ends by saying what to
    check outside the trace."""
    from tracewhy.pipeline import analyze_trace

    whys = analyze_trace(load_trace(str(CRISP / "err_pattern2" / "err2.json"))).whys
    questions = [w["question"] for w in whys]
    assert questions.count("Why did S1 O1 fail?") == 1
    assert len(set(questions)) == len(questions)
    assert 3 <= len(whys) <= 7 and whys[-1]["rule"] == "stop: the trace's evidence ends"
    assert [w["step"] for w in whys] == list(range(1, len(whys) + 1))
