"""``feature-store-latency``: bulk requests make the feature server read one Redis row per
entity, in sequence (N+1).  At the evening peak Redis is slower and one feature-server pod
stalls for long pauses between those calls: P99 goes above 2 s."""

from __future__ import annotations

from typing import Any

from tracewhy.demo.request import Request
from tracewhy.demo.scenarios.base import (
    DAY_US,
    NORMAL,
    Hop,
    Scenario,
    Verdict,
    percentile,
    spread,
)
from tracewhy.demo.sim import Dice, Node

PEAK = (18 / 24, 20 / 24)  # 18:00-20:00 of the day
HOT_POD = 2  # feature-server pod index with the long pauses
BULK_MIN = 16  # bulk requests: this many entities or more
LOOKUP = ("feature-server", "get_online_features")


def at_peak(frac: float) -> bool:
    return PEAK[0] <= frac < PEAK[1]


class FeatureStoreLatency(Scenario):
    name = "feature-store-latency"
    summary = ("N+1: one sequential Redis call per entity in get_online_features, plus a hot "
               "feature-server pod with long pauses; P99 > 2 s at the evening peak")
    window_us = DAY_US
    culprit = Hop("feature-server", "get_online_features", "feature_store", "n_plus_one")
    kinds = ("n_plus_one", "uninstrumented_gap")

    def arrivals(self, d: Dice, n: int, start_us: int) -> list[int]:
        return spread(d, n, start_us, self.window_us, lambda f: 1.0 if at_peak(f) else 0.18)

    def shape(self, d: Dice, req: Request, frac: float) -> None:
        req.n_plus_one = True  # the code path every request takes
        bulk = d.chance(0.4)  # bulk re-scoring sends many listings at once
        req.batch_size = d.between(BULK_MIN, 64) if bulk else d.between(1, 4)
        peak = at_peak(frac)
        req.redis_median_us = d.us(14_000, 0.3) if peak else d.us(4_000, 0.2)
        if peak and req.feature_pod == HOT_POD and req.batch_size >= BULK_MIN:
            req.pauses_us = tuple(d.us(350_000, 0.4) for _ in range(d.between(2, 5)))

    def judge(self, req: Request, root: Node) -> Verdict:
        """Faulty when the N+1 is where the time went: the largest hop, 40 % of the request."""
        rows = tuple(root.find("features.redis.rows"))
        (inference,) = root.find("inference.server")
        loop_us = rows[-1].end_us - rows[0].start_us
        if req.batch_size < BULK_MIN or loop_us < 0.4 * (root.end_us - root.start_us) \
                or loop_us <= inference.end_us - inference.start_us:
            return NORMAL
        calls = Hop(*LOOKUP, "feature_store", "n_plus_one", rows)
        if not req.pauses_us:
            return Verdict(True, calls)
        gaps = Hop(*LOOKUP, "feature_store", "uninstrumented_gap",
                   tuple(root.find("features.lookup")))
        # On the hot pod the trace is dominated by whichever took longer: pauses or calls.
        if sum(req.pauses_us) > sum(n.end_us - n.start_us for n in rows):
            return Verdict(True, gaps, [calls])
        return Verdict(True, calls, [gaps])

    def fault(self) -> dict[str, Any]:
        return {"details": {"peak_window_hours": [18, 20], "bulk_min_entities": BULK_MIN,
                            "hot_pod": "feature-server-6f4d8c7b5-zx9kq"}}

    def details(self, rows: list[dict[str, Any]], start_us: int) -> dict[str, Any]:
        peak = sorted(row["duration_us"] for row in rows
                      if at_peak((row["start_us"] - start_us) / self.window_us))
        return {"peak_traces": len(peak), "p99_us_at_peak": percentile(peak, 99)}
