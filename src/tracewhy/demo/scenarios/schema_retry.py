"""``silent-schema-retry``: the feature server is upgraded to Feast 0.41, which forbids the
legacy ``entity_rows`` field; two of predict-svc's three pods still run 1.14 and send it.  The
new server's error handler swallows the validation error and never answers, predict-svc's
client times out after 250 ms, retries twice, then silently falls back to default features:
200 OK, a second late, slightly worse predictions."""

from __future__ import annotations

from typing import Any

from tracewhy.demo.request import Request
from tracewhy.demo.scenarios.base import NORMAL, Hop, Scenario, Verdict
from tracewhy.demo.sim import Dice, Node
from tracewhy.demo.stack import Config

UPGRADE_AT = 0.25  # the feature server's rollout, as a fraction of the window
OLD_PODS = (0, 1)  # predict-svc pods still on 1.14.2
SERVER_OP = "POST /get-online-features"


class SilentSchemaRetry(Scenario):
    name = "silent-schema-retry"
    summary = ("upgraded feature server can't parse a legacy payload field and never answers: "
               "silent client timeouts, retries and fallback between predict-svc and the store")
    config = Config(feature_timeout_us=250_000, feature_attempts=3)
    predict_versions = ("1.14.2", "1.14.2", "1.15.0")
    culprit = Hop("feature-server", SERVER_OP, "feature_store", "timeout")

    def shape(self, d: Dice, req: Request, frac: float) -> None:
        req.features_upgraded = frac >= UPGRADE_AT
        req.legacy_payload = req.predict_pod in OLD_PODS

    def judge(self, req: Request, root: Node) -> Verdict:
        if not (req.features_upgraded and req.legacy_payload):
            return NORMAL
        culprit = Hop("feature-server", SERVER_OP, "feature_store", "timeout",
                      tuple(root.find("features.server")))
        retries = Hop("predict-svc", SERVER_OP, "service", "retry",
                      tuple(root.find("features.client")))
        return Verdict(True, culprit, [retries])

    def fault(self) -> dict[str, Any]:
        return {
            "separators": [
                {"attribute": "service.version", "value": "1.14.2", "scope": "resource",
                 "found_on": [{"service": "predict-svc", "operation": "*"}]},
                {"attribute": "service.version", "value": "0.41.0", "scope": "resource",
                 "found_on": [{"service": "feature-server", "operation": "*"}]},
            ],
            "details": {"upgrade_at_minute": 15, "client_timeout_ms": 250,
                        "client_attempts": self.config.feature_attempts},
        }
