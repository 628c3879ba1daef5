"""``inference-oom``: tenant umbrella's bulk re-scoring job sends batches of 40-128 images;
from 48 up, model.forward can run out of GPU memory (torch.OutOfMemoryError), Triton answers
gRPC INTERNAL and the 500 travels up to the client."""

from __future__ import annotations

from typing import Any

from tracewhy.demo.request import Request
from tracewhy.demo.scenarios.base import NORMAL, Hop, Scenario, Verdict
from tracewhy.demo.sim import Dice, Node

BULK_TENANT = "umbrella"
OOM_MIN_BATCH = 48


class InferenceOom(Scenario):
    name = "inference-oom"
    summary = ("large batches make model.forward fail with CUDA out-of-memory; 500s propagate "
               "to the client")
    culprit = Hop("inference-server", "model.forward", "inference", "error_origin")

    def shape(self, d: Dice, req: Request, frac: float) -> None:
        if req.tenant == BULK_TENANT and d.chance(0.7):
            req.batch_size = d.between(40, 128)
            req.oom = req.batch_size >= 64 or (req.batch_size >= OOM_MIN_BATCH and d.chance(0.5))

    def judge(self, req: Request, root: Node) -> Verdict:
        if not req.oom:
            return NORMAL
        return Verdict(True, Hop("inference-server", "model.forward", "inference", "error_origin",
                                 tuple(root.find("inference.forward"))))

    def fault(self) -> dict[str, Any]:
        return {"details": {"bulk_tenant": BULK_TENANT, "oom_min_batch": OOM_MIN_BATCH,
                            "exception_type": "torch.OutOfMemoryError"}}
