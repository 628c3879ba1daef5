"""What a scenario is: traffic over a time window, the conditions its fault needs, and the
verdict on each trace that the truth file records."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from tracewhy.demo.request import Request
from tracewhy.demo.sim import Dice, Node
from tracewhy.demo.stack import Config

HOUR_US = 3600 * 10**6
DAY_US = 24 * HOUR_US

# The root-cause vocabulary (docs/analysis-contract.md); truth files use exactly these words.
LAYERS = ("api", "mesh", "inference", "feature_store", "database", "cache", "messaging",
          "external", "service")
KINDS = ("n_plus_one", "retry", "timeout", "queueing", "uninstrumented_gap", "serialized_fanout",
         "slow_hop", "lock_contention", "error_origin", "wire_latency", "regression",
         "attribute_skew")


@dataclass(frozen=True, slots=True)
class Hop:
    """A hop the truth file names: who, what layer, what kind of fault, and the evidence."""

    service: str
    operation: str
    layer: str
    kind: str
    nodes: tuple[Node, ...] = ()

    def __post_init__(self) -> None:
        if self.layer not in LAYERS or self.kind not in KINDS:
            raise ValueError(f"not in the vocabulary: layer {self.layer!r}, kind {self.kind!r}")

    def describe(self) -> dict[str, str]:
        return {"service": self.service, "operation": self.operation, "layer": self.layer,
                "kind": self.kind}

    def to_dict(self) -> dict[str, Any]:
        return {**self.describe(), "span_ids": [node.span_id for node in self.nodes]}


@dataclass(slots=True)
class Verdict:
    faulty: bool = False
    culprit: Hop | None = None
    contributors: list[Hop] = field(default_factory=list)


NORMAL = Verdict()


class Scenario:
    """Base traffic and no fault: subclasses override what their story needs."""

    name: ClassVar[str]
    summary: ClassVar[str]
    window_us: ClassVar[int] = HOUR_US
    scale_up_at: ClassVar[float] = 0.4  # when the new inference pod joins (window fraction)
    config: ClassVar[Config] = Config()
    predict_versions: ClassVar[tuple[str, str, str]] = ("1.14.2", "1.14.2", "1.14.2")
    culprit: ClassVar[Hop | None] = None  # the hop every faulty trace names
    kinds: ClassVar[tuple[str, ...]] = ()  # per-trace kinds, when they vary (else culprit's)
    per_trace: ClassVar[bool] = True  # False: only a comparison across traces shows the fault

    def arrivals(self, d: Dice, n: int, start_us: int) -> list[int]:
        return spread(d, n, start_us, self.window_us, lambda _: 1.0)

    def shape(self, d: Dice, req: Request, frac: float) -> None:
        """Set the conditions of one request arriving at ``frac`` of the window."""

    def judge(self, req: Request, root: Node) -> Verdict:
        return NORMAL

    def fault(self) -> dict[str, Any] | None:
        """The scenario-wide part of the truth (separating attributes, measures, notes)."""
        return None

    def details(self, rows: list[dict[str, Any]], start_us: int) -> dict[str, Any]:
        """Figures measured on the run's truth rows, added to ``fault.details``."""
        return {}


def spread(d: Dice, n: int, start_us: int, window_us: int,
           weight: Callable[[float], float]) -> list[int]:
    """``n`` sorted arrival times in the window, denser where ``weight`` (max 1) is higher."""
    times: list[int] = []
    while len(times) < n:
        frac = d.rng.random()
        if d.rng.random() < weight(frac):
            times.append(start_us + int(frac * window_us))
    return sorted(times)


def where(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    """``found_on`` lists: the (service, operation) spans that carry an attribute."""
    return [{"service": service, "operation": operation} for service, operation in pairs]


def percentile(sorted_values: list[int], p: float) -> int | None:
    """Nearest-rank percentile (no interpolation: the value of a real trace)."""
    if not sorted_values:
        return None
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return sorted_values[rank - 1]
