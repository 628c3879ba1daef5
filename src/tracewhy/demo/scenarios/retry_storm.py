"""``mesh-retry-storm``: for twelve minutes the inference server is overloaded; requests wait
in its queue, are rejected with 503, and predict-svc's sidecar retries them three times, each
retry adding load and another second.  The gateway's 3 s timeout answers 504.

The culprit is the overloaded inference server: the time goes into its queue and the errors
start there.  The sidecar's retries (which multiply the load and carry the request past the
gateway's deadline) and the gateway's timeout are contributors.
"""

from __future__ import annotations

from typing import Any

from tracewhy.demo.request import Request
from tracewhy.demo.scenarios.base import NORMAL, Hop, Scenario, Verdict
from tracewhy.demo.sim import Dice, Node
from tracewhy.demo.stack import Config

STORM = (20 / 60, 32 / 60)
SIDECAR = "predict-svc.ml-serving"
OUTBOUND = "inference-server.ml-serving.svc.cluster.local:8001/*"
INFER = "POST /v2/models/{model}/infer"


class MeshRetryStorm(Scenario):
    name = "mesh-retry-storm"
    summary = ("inference server overloaded answers 503, the sidecar retries 3x, the gateway "
               "times out with 504")
    config = Config(gateway_timeout_us=3_000_000, inference_protocol="http")
    scale_up_at = 0.8  # the autoscaler reacts after the storm
    culprit = Hop("inference-server", INFER, "inference", "queueing")

    def shape(self, d: Dice, req: Request, frac: float) -> None:
        if STORM[0] <= frac < STORM[1]:
            req.overloaded = tuple(d.chance(0.85) for _ in range(self.config.mesh_attempts))

    def judge(self, req: Request, root: Node) -> Verdict:
        if not req.overloaded or not req.overloaded[0]:
            return NORMAL
        rejected = tuple(n for n in root.find("inference.server")
                         if n.attributes.get("http.response.status_code") == 503)
        attempts = tuple(root.find("inference.attempt"))
        contributors = [Hop(SIDECAR, OUTBOUND, "mesh", "retry", attempts)]
        if root.attributes.get("http.response.status_code") == 504:
            contributors.append(Hop("api-gateway", "POST /predict", "api", "timeout",
                                    tuple(root.find("predict.client"))))
        culprit = Hop("inference-server", INFER, "inference", "queueing", rejected)
        return Verdict(True, culprit, contributors)

    def fault(self) -> dict[str, Any]:
        return {"details": {"storm_minutes": [20, 32], "gateway_timeout_ms": 3000,
                            "mesh_attempts": self.config.mesh_attempts,
                            "inference_queue_timeout_ms": 900}}
