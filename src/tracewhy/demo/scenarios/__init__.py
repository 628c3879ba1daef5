"""The demo's scenarios, by name."""

from __future__ import annotations

from tracewhy.demo.scenarios.base import KINDS, LAYERS, Hop, Scenario, Verdict
from tracewhy.demo.scenarios.feature_latency import FeatureStoreLatency
from tracewhy.demo.scenarios.healthy import Healthy
from tracewhy.demo.scenarios.oom import InferenceOom
from tracewhy.demo.scenarios.preprocessing import PreprocessingMismatch
from tracewhy.demo.scenarios.retry_storm import MeshRetryStorm
from tracewhy.demo.scenarios.schema_retry import SilentSchemaRetry
from tracewhy.demo.scenarios.tenant_drift import TenantDrift

SCENARIOS: dict[str, Scenario] = {s.name: s for s in (
    PreprocessingMismatch(), FeatureStoreLatency(), TenantDrift(), MeshRetryStorm(),
    SilentSchemaRetry(), InferenceOom(), Healthy())}

__all__ = ["KINDS", "LAYERS", "SCENARIOS", "Hop", "Scenario", "Verdict"]
