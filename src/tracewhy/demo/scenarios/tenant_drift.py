"""``tenant-drift``: tenant acme's upstream feed changes schema on day 2; its
``avg_order_value`` feature arrives null for more and more of its requests, and acme's
prediction confidence drifts down over two weeks.  No error, no latency change, no alert."""

from __future__ import annotations

from typing import Any

from tracewhy.demo.request import Request
from tracewhy.demo.scenarios.base import DAY_US, NORMAL, Hop, Scenario, Verdict, where
from tracewhy.demo.sim import Dice, Node

TENANT = "acme"
FEATURE = "tenant_profile:avg_order_value"
DAYS = 14
DRIFT = (2 / DAYS, 12 / DAYS)  # the share of acme's rows with the null grows 0 -> 100 %
LOOKUP = ("feature-server", "get_online_features")


class TenantDrift(Scenario):
    name = "tenant-drift"
    summary = ("tenant acme's feed changes schema: avg_order_value arrives null, acme's "
               "confidence drifts down over two weeks; no errors")
    window_us = DAYS * DAY_US
    culprit = Hop(*LOOKUP, "feature_store", "attribute_skew")
    per_trace = False

    def shape(self, d: Dice, req: Request, frac: float) -> None:
        share = min(1.0, max(0.0, (frac - DRIFT[0]) / (DRIFT[1] - DRIFT[0])))
        if req.tenant == TENANT and d.chance(share):
            req.null_feature = FEATURE

    def judge(self, req: Request, root: Node) -> Verdict:
        if req.null_feature is None:
            return NORMAL
        return Verdict(True, Hop(*LOOKUP, "feature_store", "attribute_skew",
                                 tuple(root.find("features.lookup"))))

    def fault(self) -> dict[str, Any]:
        return {
            "separators": [
                {"attribute": "tenant.id", "value": TENANT,
                 "found_on": where(("api-gateway", "POST /v1/predict"),
                                   ("predict-svc", "POST /predict"), LOOKUP)},
                {"attribute": "feast.null_features", "value": FEATURE, "found_on": where(LOOKUP)},
            ],
            "measure": {"attribute": "prediction.confidence", "effect": "lower",
                        "found_on": where(("predict-svc", "POST /predict"),
                                          ("inference-server", "postprocess")),
                        "also": "drifts down day by day for tenant acme (see details.trend)"},
            "details": {"drift_days": [2, 12]},
        }

    def details(self, rows: list[dict[str, Any]], start_us: int) -> dict[str, Any]:
        """Mean confidence per day, acme against the other tenants."""
        days: dict[int, tuple[list[float], list[float]]] = {}
        for row in rows:
            if row["prediction"] is not None:
                mine, others = days.setdefault((row["start_us"] - start_us) // DAY_US, ([], []))
                bucket = mine if row["request"]["tenant.id"] == TENANT else others
                bucket.append(row["prediction"]["confidence"])
        return {"trend": [{"day": day, "acme_mean": _mean(mine), "others_mean": _mean(others)}
                          for day, (mine, others) in sorted(days.items())]}


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 4) if values else None
