"""One user request: who sent what, where it was routed, and the conditions it met.

The base traffic is drawn here; a scenario then changes the fields its fault depends on.  The
services read these fields and nothing else, so a fault is always visible in the code path
that produces it.
"""

from __future__ import annotations

from dataclasses import dataclass

from tracewhy.demo.sim import Dice
from tracewhy.demo.stack import LABELS

TENANTS = ("acme", "globex", "initech", "umbrella", "hooli")
TENANT_WEIGHTS = (0.25, 0.25, 0.2, 0.15, 0.15)


@dataclass(slots=True)
class Request:
    start_us: int
    tenant: str
    platform: str  # "web" or "mobile"
    app_version: str
    image_format: str  # "jpeg" or "png"
    image_channels: int
    channel_order: str  # "RGB", or "BGRA" for raw mobile camera PNGs
    batch_size: int  # images (listings) in the request; one feature row each
    true_label: str  # what the images really show (for the truth file, never on a span)
    gateway_pod: int = 0
    predict_pod: int = 0
    feature_pod: int = 0
    inference_pod: int = 0
    # Conditions a scenario sets:
    redis_median_us: int = 900  # one Redis round trip
    n_plus_one: bool = False  # feature rows fetched one HGETALL per entity, in sequence
    pauses_us: tuple[int, ...] = ()  # long stalls between those calls (a hot pod)
    null_feature: str | None = None  # a feature the online store returns as null
    overloaded: tuple[bool, ...] = ()  # per inference attempt: queued, then rejected (503)
    legacy_payload: bool = False  # predict-svc sends a field the upgraded store can't parse
    features_upgraded: bool = False
    oom: bool = False  # model.forward runs out of GPU memory
    cold_start: bool = False  # first request on a new inference pod: load the model first

    @property
    def user_agent(self) -> str:
        if self.platform == "mobile":
            return f"ShopApp/{self.app_version} (Android 15; Pixel 8)"
        return "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0 Safari/537.36"


def base_request(d: Dice, start_us: int) -> Request:
    platform = d.pick(("web", "mobile"), (0.65, 0.35))
    batch = d.pick((1, d.between(2, 8), d.between(12, 32)), (0.7, 0.25, 0.05))
    return Request(
        start_us=start_us,
        tenant=d.pick(TENANTS, TENANT_WEIGHTS),
        platform=platform,
        app_version="5.2.0" if platform == "mobile" else "web-2026.11",
        image_format="jpeg",
        image_channels=3,
        channel_order="RGB",
        batch_size=batch,
        true_label=d.pick(LABELS),
        gateway_pod=d.between(0, 1),
        predict_pod=d.between(0, 2),
        feature_pod=d.between(0, 2),
        inference_pod=d.between(0, 2),
        redis_median_us=d.us(900, 0.2),
    )
