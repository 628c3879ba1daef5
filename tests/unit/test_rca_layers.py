"""Layer classification on traces emitted by the real OpenTelemetry SDK."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.sdk import SdkTraceBuilder
from tracewhy.errors import ConfigError
from tracewhy.pipeline import analyze_trace
from tracewhy.rca import RcaOptions
from tracewhy.rca.rules import load_rules


def serving_trace() -> SdkTraceBuilder:
    b = SdkTraceBuilder()
    root = b.span("api-gateway", "POST /v1/score", 0, 300, kind="server",
                  http__request__method="POST", url__path="/v1/score")
    out = b.span("scorer", "egress inference.svc", 5, 290, parent=root, kind="client",
                 component="proxy", upstream_cluster="outbound|8001||triton")
    app = b.span("scorer", "score", 10, 280, parent=root, kind="server")
    fs = b.span("scorer", "get_online_features", 12, 60, parent=app)
    b.span("scorer", "HGETALL", 13, 20, parent=fs, kind="client", db__system="redis")
    b.span("scorer", "SELECT accounts", 60, 70, parent=app, kind="client",
           db__system="postgresql", db__statement="SELECT * FROM accounts WHERE id = $1")
    call = b.span("scorer", "POST /v2/models/ctr/infer", 70, 270, parent=out, kind="client",
                  url__path="/v2/models/ctr/infer")
    server = b.span("triton", "POST /v2/models/ctr/infer", 75, 265, parent=call, kind="server",
                    url__path="/v2/models/ctr/infer")
    b.span("triton", "preprocess", 76, 90, parent=server)
    b.span("triton", "model.forward", 90, 250, parent=server)
    b.span("scorer", "publish score", 271, 275, parent=app, kind="producer",
           messaging__system="kafka")
    b.span("scorer", "GET api.partner.example/v1/enrich", 61, 69, parent=app, kind="client",
           server__address="api.partner.example")
    return b


def layers_of(options: RcaOptions | None = None) -> dict[tuple[str, str], tuple[str, str]]:
    analysis = analyze_trace(serving_trace().trace(), options)
    return {(h.service, h.operation): (h.layer, h.layer_rule) for h in analysis.hops}


def test_each_hop_gets_its_layer_and_the_rule_that_decided() -> None:
    layers = layers_of()
    expected = {
        ("api-gateway", "POST /v1/score"): "api",
        ("scorer", "egress inference.svc"): "mesh",
        ("scorer", "score"): "service",
        ("scorer", "get_online_features"): "feature_store",
        ("scorer", "HGETALL"): "feature_store",  # a store call under a feature-store hop
        ("scorer", "SELECT accounts"): "database",
        ("scorer", "POST /v2/models/ctr/infer"): "inference",
        ("triton", "POST /v2/models/ctr/infer"): "inference",
        ("triton", "preprocess"): "inference",  # runs inside the inference service
        ("triton", "model.forward"): "inference",
        ("scorer", "publish score"): "messaging",
        ("scorer", "GET api.partner.example/v1/enrich"): "external",
    }
    assert {key: layer for key, (layer, _) in layers.items()} == expected
    assert "db.system" in layers[("scorer", "SELECT accounts")][1]
    assert "store call made by a feature-store hop" in layers[("scorer", "HGETALL")][1]
    assert "proxy" in layers[("scorer", "egress inference.svc")][1]


def test_layer_rollup_adds_up_to_the_root_duration() -> None:
    analysis = analyze_trace(serving_trace().trace())
    assert sum(row["critical_us"] for row in analysis.layers) == analysis.root_duration_us
    assert sum(row["critical_us"] for row in analysis.by_service) == analysis.root_duration_us
    assert abs(sum(row["share"] for row in analysis.layers) - 1.0) < 1e-4
    top = analysis.layers[0]
    assert top["layer"] == "inference"  # model.forward dominates the request


def test_user_rules_come_first(tmp_path: Path) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text('[[rule]]\nname = "accounts cache"\nlayer = "cache"\n'
                     'operation = "SELECT *"\nattribute = "db.system"\nvalue = "postgres*"\n')
    layers = layers_of(RcaOptions(rules=tuple(load_rules(str(rules)))))
    assert layers[("scorer", "SELECT accounts")] == ("cache", "user rule accounts cache")
    assert layers[("scorer", "score")][0] == "service"


@pytest.mark.parametrize("text, problem", [
    ('[[rule]]\nlayer = "gpu"\n', "layer must be one of"),
    ('[[rule]]\nlayer = "cache"\nvalue = "x"\n', "'value' needs 'attribute'"),
    ('[[rule]]\nlayer = "cache"\ncolour = "red"\n', "unknown key(s) colour"),
    ("[[rule]\n", "not valid TOML"),
])
def test_bad_rules_files_are_refused_with_a_reason(tmp_path: Path, text: str,
                                                   problem: str) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_rules(str(rules))
    assert problem in caught.value.one_line()
    assert str(rules) in caught.value.one_line()


def test_hop_edges_come_off_the_call_graph_unless_two_hops_share_a_node() -> None:
    from tracewhy.analysis.analyze import analyze
    from tracewhy.rca import _hop_edges

    analysis = analyze(serving_trace().trace())
    keys = [(span.service, span.name) for span in analysis.index.spans]
    parent = analysis.index.parent
    assert _hop_edges(analysis) == {(keys[p], keys[i]) for i, p in enumerate(parent) if p >= 0}
    b = SdkTraceBuilder()  # "op:a/b/c" names both hops: the graph cannot tell them apart
    root = b.span("a/b", "c", 0, 10, kind="server")
    b.span("a", "b/c", 1, 9, parent=root)
    assert _hop_edges(analyze(b.trace())) is None
