"""``preprocessing-mismatch``: the new mobile app uploads 4-channel PNGs (BGRA); the server's
preprocessing assumes 3-channel RGB, so those predictions go wrong.  Latency is fine and
nothing errors: only comparing mobile traces with the rest shows it."""

from __future__ import annotations

from typing import Any

from tracewhy.demo.request import Request
from tracewhy.demo.scenarios.base import HOUR_US, NORMAL, Hop, Scenario, Verdict, where
from tracewhy.demo.sim import Dice, Node

GATEWAY = ("api-gateway", "POST /v1/predict")
APP = ("predict-svc", "POST /predict")
PREPROCESS = ("inference-server", "preprocess")


class PreprocessingMismatch(Scenario):
    name = "preprocessing-mismatch"
    summary = ("mobile app 6.0 uploads 4-channel PNG (BGRA); preprocessing assumes RGB: "
               "wrong, unconfident predictions, no errors, normal latency")
    window_us = 6 * HOUR_US
    culprit = Hop("inference-server", "preprocess", "inference", "attribute_skew")
    per_trace = False

    def shape(self, d: Dice, req: Request, frac: float) -> None:
        if req.platform == "mobile":
            req.app_version = "6.0.0"
            req.image_format, req.image_channels, req.channel_order = "png", 4, "BGRA"

    def judge(self, req: Request, root: Node) -> Verdict:
        if req.image_channels != 4:
            return NORMAL
        culprit = Hop(*PREPROCESS, "inference", "attribute_skew",
                      tuple(root.find("inference.preprocess")))
        return Verdict(True, culprit)

    def fault(self) -> dict[str, Any]:
        return {
            "separators": [
                {"attribute": "client.platform", "value": "mobile", "found_on": where(GATEWAY,
                                                                                       APP)},
                {"attribute": "image.format", "value": "png", "found_on": where(APP,
                                                                                PREPROCESS)},
                {"attribute": "image.channels", "value": 4, "found_on": where(APP, PREPROCESS)},
                {"attribute": "client.app_version", "value": "6.0.0",
                 "found_on": where(GATEWAY)},
            ],
            "measure": {"attribute": "prediction.confidence", "effect": "lower",
                        "found_on": where(APP, ("inference-server", "postprocess")),
                        "also": "prediction.label is wrong more often (see true_label)"},
        }
