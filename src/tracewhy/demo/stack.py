"""The ML-serving stack's deployment: apps, their pods, sidecars, ports and settings.

Request path: ``api-gateway`` (Kong-style edge) -> ``predict-svc`` (the application) ->
``feature-server`` (Feast online store over Redis) and ``inference-server`` (Triton, KServe v2
protocol), which loads models from ``model-registry`` (MLflow) when a new pod starts.  Every app
pod except the gateway runs an Istio sidecar, which reports its own spans under
``<app>.ml-serving`` (Istio's naming), so each hop has its own service name.
"""

from __future__ import annotations

from dataclasses import dataclass

from tracewhy.demo.sim import Process

NAMESPACE = "ml-serving"
ISTIO_VERSION = "1.24.2"
MODEL = "listing-classifier"
MODEL_VERSION = "7"
LABELS = ("apparel", "electronics", "furniture", "toys", "books", "beauty", "sports")
REDIS_HOST = "redis-online.feast.svc.cluster.local"
MODEL_STORE_HOST = "ml-models.s3.us-east-1.amazonaws.com"
PUBLIC_HOST = "api.shop.example"


@dataclass(frozen=True, slots=True)
class App:
    name: str
    port: int
    language: str
    pods: tuple[Process, ...]
    sidecars: tuple[Process, ...]

    @property
    def host(self) -> str:
        return f"{self.name}.{NAMESPACE}.svc.cluster.local"


def _app(name: str, version: str | tuple[str, ...], replica_set: str, suffixes: tuple[str, ...],
         subnet: int, port: int, language: str, *, meshed: bool = True) -> App:
    versions = version if isinstance(version, tuple) else (version,) * len(suffixes)
    pods, sidecars = [], []
    for i, suffix in enumerate(suffixes):
        pod, ip = f"{name}-{replica_set}-{suffix}", f"10.42.{subnet}.{11 + i}"
        pods.append(Process(name, versions[i], pod, ip, name, language))
        if meshed:
            sidecars.append(Process(f"{name}.{NAMESPACE}", ISTIO_VERSION, pod, ip, "istio-proxy",
                                    "cpp"))
    return App(name, port, language, tuple(pods), tuple(sidecars))


@dataclass(frozen=True, slots=True)
class Topology:
    gateway: App
    predict: App
    features: App
    features_upgraded: App  # the same app after a rolling upgrade: new pods, new version
    inference: App  # the last pod joins mid-run (autoscaler) and loads the model first
    registry: App


def topology(predict_versions: tuple[str, str, str] = ("1.14.2", "1.14.2", "1.14.2")) -> Topology:
    return Topology(
        gateway=_app("api-gateway", "3.9.1", "7d9c8b5f4", ("h6j2n", "r3t8c"), 1, 8000, "lua",
                     meshed=False),
        predict=_app("predict-svc", predict_versions, "5b8c7d6f9", ("k2x7q", "m4v9t", "p8d3w"),
                     2, 8080, "python"),
        features=_app("feature-server", "0.40.1", "6f4d8c7b5", ("b7n4x", "c2q9m", "zx9kq"), 3,
                      6566, "python"),
        features_upgraded=_app("feature-server", "0.41.0", "84c6f9d7b", ("d5r8k", "g3w6p",
                               "t9m2v"), 3, 6566, "python"),
        inference=_app("inference-server", "24.08", "7c5b9d8f6", ("f9k3s", "j5n8w", "w2c7r",
                       "x8q4h"), 4, 8001, "cpp"),
        registry=_app("model-registry", "2.17.2", "5d6c7b8f9", ("n3k8d",), 5, 5000, "python"),
    )


@dataclass(frozen=True, slots=True)
class Config:
    """Timeouts and retry policies: a scenario's deployment settings."""

    gateway_timeout_us: int = 15_000_000  # the gateway's route timeout (then 504)
    feature_timeout_us: int = 5_000_000  # predict-svc's feature-store client, per attempt
    feature_attempts: int = 3  # the feature client's own retries, then default features
    mesh_attempts: int = 4  # Envoy retry policy: 1 try + 3 retries on 503 / UNAVAILABLE
    inference_protocol: str = "grpc"  # "grpc" (ModelInfer) or "http" (/v2/models/.../infer)
