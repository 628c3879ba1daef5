"""Which layer of an ML-serving stack each hop belongs to, and the rule that decided it.

Rules run per hop (service, operation) on a sample span plus facts about the hop's place in
the trace, first match wins: the user's rules file, then OpenTelemetry semantic conventions,
then names, then structure (a hop inherits the layer of the service it runs in, a store call
under a feature-store hop is feature-store time, a client takes its callee's layer).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any

from tracewhy.analysis.hops import hop_codes
from tracewhy.analysis.index import TraceIndex
from tracewhy.model import CLIENT, CONSUMER, PRODUCER, SERVER, Span
from tracewhy.rca.rules import UserRule

LAYERS = ("api", "mesh", "inference", "feature_store", "database", "cache", "messaging",
          "external", "service")
CACHE_SYSTEMS = {"redis", "memcached", "valkey", "hazelcast", "ignite", "aerospike"}
INFERENCE_RPC_SERVICES = {
    "inference.grpcinferenceservice",  # Triton / KServe v2
    "tensorflow.serving.predictionservice",  # TF Serving
    "org.pytorch.serve.grpc.inference.inferenceapisservice",  # TorchServe
    "seldon.protos.seldon",
}
_INFERENCE_PATH = re.compile(
    r"(/v2/models/[^/\s]+(/versions/[^/\s]+)?/(infer|generate)\b"  # KServe v2 / Triton
    r"|/v1/models/[^/\s:]+(/versions/\d+)?:(predict|classify|regress)\b"  # TF Serving REST
    r"|/predictions/[^/\s]+|/invocations\b"  # TorchServe, MLflow / SageMaker
    r"|/v1/(chat/)?completions\b|/v1/embeddings\b|/generate(_stream)?\b)",  # vLLM / OpenAI / TGI
    re.IGNORECASE)
_INFERENCE_OPERATION = re.compile(r"(^model\.|modelinfer|\bpredict(ion)?s?\b|\binfer(ence)?\b)",
                                  re.IGNORECASE)
_FEATURE_STORE = re.compile(r"(get[-_]?online[-_]?features|feast|tecton|"
                            r"feature[-_ ]?(store|service|server)|get[-_]features)", re.IGNORECASE)
_MESH_SERVICE = re.compile(r"(istio-proxy|linkerd-proxy|sidecar)", re.IGNORECASE)
_GATEWAY_NAME = re.compile(r"(gateway|ingress|edge|kong|nginx|traefik|apisix|frontend|api[-_]?gw)",
                           re.IGNORECASE)
_PATH_KEYS = ("url.path", "http.route", "http.target", "http.url", "url.full")


@dataclass
class HopFacts:
    """What the classifier knows about one hop, gathered in one pass over the spans."""

    sample: Span
    key: tuple[str, str]  # (service, operation): one tuple shared by all the hop's spans
    kinds: set[str] = field(default_factory=set)
    is_root: bool = False
    has_remote_child: bool = False
    parents: set[tuple[str, str]] = field(default_factory=set)
    children: set[tuple[str, str]] = field(default_factory=set)
    remote_children: set[tuple[str, str]] = field(default_factory=set)


Decision = tuple[str, str]  # (layer, rule)
Rule = Callable[[HopFacts], str | None]


HopEdges = set[tuple[tuple[str, str], tuple[str, str]]]  # (caller hop, callee hop)


def gather_facts(ix: TraceIndex, edges: HopEdges | None = None,
                 hop_keys: list[tuple[str, str]] | None = None, span_hop: list[int] | None = None
                 ) -> tuple[list[tuple[str, str]], dict[tuple[str, str], HopFacts]]:
    """Each span's hop, (service, operation), and the facts about each hop.  ``hop_keys`` and
    ``span_hop``: the structural analysis' hop codes (``Rollup``), else made here; ``edges``: the
    pairs of hops that call each other, when the caller has them (else read off the spans)."""
    spans = ix.spans
    if hop_keys is None or span_hop is None or len(span_hop) != len(spans):
        hop_keys, span_hop = hop_codes(spans)
    # One tuple per hop, shared by its spans: the detectors' lookups then read a few tuples.
    keys = list(map(hop_keys.__getitem__, span_hop))
    last_first = zip(reversed(span_hop), range(len(spans) - 1, -1, -1), strict=True)
    first = dict(last_first)  # code -> its first span (the earliest index is written last)
    facts = {key: HopFacts(spans[first[code]], key) for code, key in enumerate(hop_keys)}
    for code, kind in set(zip(span_hop, map(attrgetter("kind"), spans), strict=True)):
        facts[hop_keys[code]].kinds.add(kind)
    if edges is None:
        edges = {(keys[p], keys[i]) for i, p in enumerate(ix.parent) if p >= 0}
    for caller_key, key in edges:
        facts[key].parents.add(caller_key)
        caller_fact = facts[caller_key]
        caller_fact.children.add(key)
        if caller_key[0] != key[0]:
            caller_fact.has_remote_child = True
            caller_fact.remote_children.add(key)
    for i in ix.order:
        if ix.parent[i] >= 0:
            break
        facts[keys[i]].is_root = True
    return keys, facts


def decide_layers(facts: dict[tuple[str, str], HopFacts],
                  user_rules: list[UserRule]) -> dict[tuple[str, str], Decision]:
    decided: dict[tuple[str, str], Decision] = {}
    for key, fact in facts.items():
        decided[key] = _first_match(fact, user_rules) or ("", "")
    _inherit_service_layer(facts, decided)
    _store_calls_under_feature_store(facts, decided)
    _clients_take_callee_layer(facts, decided)
    for key, fact in facts.items():
        if not decided[key][0]:
            decided[key] = _structural(fact)
    return decided


def _first_match(fact: HopFacts, user_rules: list[UserRule]) -> Decision | None:
    span = fact.sample
    for rule in user_rules:
        if rule.matches(span):
            return rule.layer, f"user rule {rule.name}"
    for name, check in SEMANTIC_RULES:
        layer = check(fact)
        if layer:
            return layer, name
    return None


def _attr(span: Span, key: str) -> Any:
    value = span.attributes.get(key)
    return value if value is not None else span.resource.get(key)


def _mesh(fact: HopFacts) -> str | None:
    return "mesh" if is_sidecar(fact.sample) else None


_SIDECAR_KEYS = frozenset({"component", "upstream_cluster", "istio.mesh_id"})
_SIDECAR_PREFIXES = ("envoy.", "istio.", "linkerd.")


def sidecar_attribute(key: str) -> bool:
    """Is this one of the attributes ``is_sidecar`` reads?  (Baselines read only these.)"""
    return key in _SIDECAR_KEYS or key.startswith(_SIDECAR_PREFIXES)


def is_sidecar(span: Span) -> bool:
    """Envoy/Istio/Linkerd sidecar spans, by the attributes those proxies write."""
    attributes = span.attributes
    if str(attributes.get("component", "")).lower() in ("proxy", "envoy") \
            or "upstream_cluster" in attributes or "istio.mesh_id" in attributes:
        return True
    if any(key.startswith(_SIDECAR_PREFIXES) for key in attributes):
        return True
    return _MESH_SERVICE.search(span.service) is not None


def _gen_ai(fact: HopFacts) -> str | None:
    return "inference" if any(k.startswith("gen_ai.") for k in fact.sample.attributes) else None


def _inference_rpc(fact: HopFacts) -> str | None:
    service = str(_attr(fact.sample, "rpc.service") or "").lower()
    if service in INFERENCE_RPC_SERVICES or "modelinfer" in fact.sample.name.lower():
        return "inference"
    return None


def _inference_path(fact: HopFacts) -> str | None:
    span = fact.sample
    texts = [span.name] + [str(span.attributes.get(k, "")) for k in _PATH_KEYS]
    return "inference" if any(_INFERENCE_PATH.search(t) for t in texts if t) else None


def _feature_store(fact: HopFacts) -> str | None:
    span = fact.sample
    if _FEATURE_STORE.search(span.name):
        return "feature_store"
    if any(k.startswith(("feast.", "feature_store.", "tecton.")) for k in span.attributes):
        return "feature_store"
    return None


def _db_system(fact: HopFacts) -> str | None:
    system = _attr(fact.sample, "db.system") or _attr(fact.sample, "db.system.name")
    if not system:
        return None
    return "cache" if str(system).lower() in CACHE_SYSTEMS else "database"


_DB_KEY_PREFIXES = ("sql.", "jdbc.", "cassandra.", "mongodb.", "mongo.", "elasticsearch.")
_DB_KEYS = ("db.statement", "db.query.text", "db.instance", "db.type", "db.name",
            "db.namespace", "db.operation", "db.operation.name")
_DB_PEER = re.compile(r"(mysql|postgres|mariadb|oracle|mssql|sqlserver|cassandra|mongo|dynamo|"
                      r"elasticsearch|opensearch|clickhouse|bigquery|spanner|_db$|-db$|\bdb\b)",
                      re.IGNORECASE)
_CACHE_PEER = re.compile(r"(redis|memcache|valkey)", re.IGNORECASE)


def _db_hints(fact: HopFacts) -> str | None:
    """Older instrumentation: SQL/driver tags, or a peer named like a database or cache."""
    attributes = fact.sample.attributes
    peer = str(attributes.get("peer.service") or "")
    if _CACHE_PEER.search(peer):
        return "cache"
    if any(k in attributes for k in _DB_KEYS) or _DB_PEER.search(peer) or any(
            k.startswith(_DB_KEY_PREFIXES) for k in attributes):
        return "database"
    return None


def _messaging(fact: HopFacts) -> str | None:
    if _attr(fact.sample, "messaging.system") or fact.kinds & {PRODUCER, CONSUMER}:
        return "messaging"
    return None


def _edge_server(fact: HopFacts) -> str | None:
    span = fact.sample
    if fact.is_root and (SERVER in fact.kinds or _looks_http(span)):
        return "api"
    if SERVER in fact.kinds and _GATEWAY_NAME.search(span.service):
        return "api"
    return None


def _model_operation(fact: HopFacts) -> str | None:
    span = fact.sample
    in_model_service = bool(_attr(span, "model.name")) and span.kind != CLIENT
    return "inference" if in_model_service and _INFERENCE_OPERATION.search(span.name) else None


def _looks_http(span: Span) -> bool:
    return any(k.startswith(("http.", "url.")) for k in span.attributes)


SEMANTIC_RULES: list[tuple[str, Rule]] = [
    ("semconv: component=proxy / upstream_cluster / envoy.* (sidecar)", _mesh),
    ("semconv: gen_ai.* attributes", _gen_ai),
    ("semconv: rpc.service is an inference API (Triton/KServe, TF Serving, TorchServe)",
     _inference_rpc),
    ("name: inference endpoint path (KServe v2, TF Serving, TorchServe, MLflow, OpenAI-style)",
     _inference_path),
    ("name: online feature retrieval (Feast/Tecton style)", _feature_store),
    ("semconv: db.system (cache systems -> cache)", _db_system),
    ("name: SQL/driver tags or a database-named peer", _db_hints),
    ("semconv: messaging.system / producer-consumer kind", _messaging),
    ("structure: the trace's entry server span (or a gateway-named server)", _edge_server),
    ("name: model.* / infer / predict operation with model.name", _model_operation),
]


def _inherit_service_layer(facts: dict[tuple[str, str], HopFacts],
                           decided: dict[tuple[str, str], Decision]) -> None:
    """Internal work inside an inference server or feature store belongs to that layer."""
    service_layer: dict[str, str] = {}
    for key, fact in facts.items():
        layer = decided[key][0]
        if layer in ("inference", "feature_store") and SERVER in fact.kinds:
            service_layer.setdefault(key[0], layer)
    for key, fact in facts.items():
        inherited = service_layer.get(key[0])
        if inherited and not decided[key][0] and not fact.kinds & {CLIENT, PRODUCER}:
            decided[key] = (inherited, f"structure: runs inside the {inherited} service {key[0]}")


def _store_calls_under_feature_store(facts: dict[tuple[str, str], HopFacts],
                                     decided: dict[tuple[str, str], Decision]) -> None:
    for key, fact in facts.items():
        if decided[key][0] not in ("cache", "database") or not fact.parents:
            continue
        if all(decided.get(p, ("", ""))[0] == "feature_store" for p in fact.parents):
            decided[key] = ("feature_store",
                            "structure: store call made by a feature-store hop")


def _clients_take_callee_layer(facts: dict[tuple[str, str], HopFacts],
                               decided: dict[tuple[str, str], Decision]) -> None:
    for key, fact in facts.items():
        if decided[key][0] or not fact.remote_children:
            continue
        if CLIENT not in fact.kinds and fact.kinds - {"unspecified"}:
            continue
        callee_layers = {decided[c][0] or _structural(facts[c])[0]
                         for c in _callees_through_mesh(key, facts, decided)}
        if len(callee_layers) == 1:
            (layer,) = callee_layers
            if layer not in ("api", "service"):
                decided[key] = (layer, "structure: a client takes the layer of what it calls")


def _callees_through_mesh(key: tuple[str, str], facts: dict[tuple[str, str], HopFacts],
                          decided: dict[tuple[str, str], Decision]) -> set[tuple[str, str]]:
    """The hops a client reaches, looking through sidecar (mesh) hops to the server."""
    found: set[tuple[str, str]] = set()
    seen = {key}
    stack = list(facts[key].remote_children)
    while stack:
        hop = stack.pop()
        if hop in seen:
            continue
        seen.add(hop)
        if decided[hop][0] == "mesh":
            stack.extend(facts[hop].children)
        elif hop[0] != key[0]:
            found.add(hop)
    return found


def _structural(fact: HopFacts) -> Decision:
    span = fact.sample
    if CLIENT in fact.kinds and not fact.has_remote_child and _names_a_peer(span):
        return "external", "structure: a client call to a peer that is not in the trace"
    return "service", "default: application code"


def _names_a_peer(span: Span) -> bool:
    return any(k in span.attributes for k in (
        "peer.service", "server.address", "net.peer.name", "http.url", "url.full",
        "network.peer.address"))
