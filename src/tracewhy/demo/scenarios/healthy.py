"""``healthy``: the baseline; nothing is wrong (one new inference pod loads its model)."""

from __future__ import annotations

from tracewhy.demo.scenarios.base import Scenario


class Healthy(Scenario):
    name = "healthy"
    summary = "the baseline: no fault (one cold start as a new inference pod loads the model)"
