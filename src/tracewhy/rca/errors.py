"""Where an error started and how it travelled: origins, propagation, and errors that stopped.

CRISP's classification, per span: an *origin* is an error with no erroring child (nothing below
explains it); a *propagated* error has an erroring child; a *stopped* span is not an error but
has an erroring child (the failure was handled there: a retry succeeded, a fallback answered).
The primary origin is the one whose failure climbs highest (through errors and sidecars),
preferring the critical path, then the latest to finish (the attempt that decided the outcome).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import compress
from typing import Any

from tracewhy.analysis.index import TraceIndex

ORIGIN, PROPAGATED, STOPPED = "origin", "propagated", "stopped"


@dataclass
class ErrorAnalysis:
    role: dict[int, str]  # span index -> origin / propagated / stopped
    primary: int | None  # the origin that explains the trace's outcome
    chain: list[int]  # primary origin first, then its ancestors up to the root
    reaches_root: bool


def classify_errors(ix: TraceIndex, error: list[bool],
                    transparent: list[bool] | None = None) -> dict[int, str]:
    """Roles of the spans touched by errors.  ``transparent`` spans (sidecars) pass an error
    through without marking it themselves: they get no role, and the error below them counts as
    their parent's erroring child."""
    failed = list(compress(range(len(error)), error))
    erroring_child = _climb_from(failed, ix.parent, error, transparent)
    role: dict[int, str] = {}
    for i in sorted({*failed, *erroring_child}):  # in span order, as callers list them
        if error[i]:
            role[i] = PROPAGATED if i in erroring_child else ORIGIN
        elif not (transparent and transparent[i]):
            role[i] = STOPPED
    return role


def _climb_from(failed: list[int], parent: list[int], error: list[bool],
                transparent: list[bool] | None) -> set[int]:
    """The spans with an erroring child.  Only the ancestors of errors can have one, so this
    climbs from each error (through the transparent spans that pass it on) rather than walking
    every span of the trace bottom-up."""
    erroring_child: set[int] = set()
    for i in failed:
        p = parent[i]
        while p >= 0 and p not in erroring_child:  # a span seen before has passed it on
            erroring_child.add(p)
            if error[p] or not (transparent and transparent[p]):
                break  # an error climbs from itself; an opaque span stops the error
            p = parent[p]
    return erroring_child


def analyse_errors(ix: TraceIndex, error: list[bool], critical_us: list[int],
                   span_layer: list[str]) -> ErrorAnalysis:
    role = classify_errors(ix, error, list(map("mesh".__eq__, span_layer)))
    origins = [i for i, r in role.items() if r == ORIGIN]
    if not origins:
        return ErrorAnalysis(role, None, [], False)

    top = _tops(ix, origins)  # a forest: errors under other roots are not this request's

    def climb(i: int) -> tuple[int, bool]:
        """How many erroring (or sidecar) spans the error climbs through, and whether it
        reaches the request's root."""
        height, p = 0, ix.parent[i]
        while p >= 0 and (error[p] or span_layer[p] == "mesh"):
            height, p = height + 1, ix.parent[p]
        return height, p < 0 and top[i] == ix.root

    def rank(i: int) -> tuple[Any, ...]:
        height, to_root = climb(i)
        return (top[i] == ix.root, to_root, height, critical_us[i] > 0, ix.end[i], -ix.start[i],
                ix.spans[i].span_id)

    primary = max(origins, key=rank)
    chain = [primary]
    p = ix.parent[primary]
    while p >= 0:
        chain.append(p)
        p = ix.parent[p]
    return ErrorAnalysis(role, primary, chain, climb(primary)[1])


def _tops(ix: TraceIndex, spans: list[int]) -> dict[int, int]:
    """The topmost ancestor of each of ``spans`` (and of the spans on the way up), each span
    climbed once: a deep chain with an error every few spans stays linear."""
    top: dict[int, int] = {}
    for i in spans:
        path, j = [], i
        while j not in top and ix.parent[j] >= 0:
            path.append(j)
            j = ix.parent[j]
        found = top.setdefault(j, j)  # j: a root, or a span whose top is known
        for k in path:
            top[k] = found
    return top
