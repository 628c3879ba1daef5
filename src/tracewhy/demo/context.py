"""What the services of one request share: the deployment, its settings, the request itself,
and what the request has learnt so far."""

from __future__ import annotations

from dataclasses import dataclass

from tracewhy.demo.request import Request
from tracewhy.demo.stack import Config, Topology


@dataclass(slots=True)
class Ctx:
    top: Topology
    cfg: Config
    req: Request
    features_ok: bool = True  # False: predict-svc fell back to default features
    label: str = ""  # the model's answer, once postprocess has run
    confidence: float = 0.0
