"""Mutual TLS against a real Jaeger v2 whose query service demands a client certificate.

The fault server's TLS tests (test_http_faults.py) pin every message against Python's TLS
stack.  Here the server is Jaeger itself, configured with ``client_ca_file`` as an operator
would, so Go's TLS stack does the refusing: tracewhy must fetch with the right certificate and
read Go's refusals (alerts and closes) as well as Python's to say what is wrong without one.
The spans come from the OpenTelemetry SDK through Jaeger's OTLP receiver.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import orjson
import pytest
import requests

from tests.live.cli_runner import Ran, run_cli
from tests.live.servers import answers, free_ports, jaeger_binary, missing, wait_until
from tests.live.tls import LOOPBACK_SAN, NO_CLIENT_CERTIFICATE, said, self_signed
from tests.support.sdk import SdkTraceBuilder

# Only what the test needs: memory storage, the query service with mutual TLS, health, and an
# OTLP/HTTP receiver; every port its own, beside the shared Jaeger the other tests use.
CONFIG = """\
service:
  extensions: [jaeger_storage, jaeger_query, healthcheckv2]
  pipelines:
    traces:
      receivers: [otlp]
      exporters: [jaeger_storage_exporter]
  telemetry:
    metrics:
      level: none
    logs:
      level: warn
extensions:
  jaeger_storage:
    backends:
      memory_store:
        memory:
          max_traces: 100
  jaeger_query:
    storage:
      traces: memory_store
    http:
      endpoint: 127.0.0.1:{query}
      tls:
        cert_file: {server_cert}
        key_file: {server_key}
        client_ca_file: {client_ca}
    grpc:
      endpoint: 127.0.0.1:{grpc}
  healthcheckv2:
    use_v2: true
    http:
      endpoint: 127.0.0.1:{health}
receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:{otlp}
exporters:
  jaeger_storage_exporter:
    trace_storage: memory_store
"""


@dataclass(frozen=True)
class MtlsJaeger:
    query_url: str
    otlp_url: str
    ca_bundle: Path  # the server's self-signed certificate
    client_cert: Path
    client_key: Path
    stranger_cert: Path  # a certificate the server does not trust
    stranger_key: Path


@pytest.fixture(scope="module")
def mtls_jaeger(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MtlsJaeger]:
    binary = jaeger_binary()
    if not binary.is_file():
        missing(f"the Jaeger binary ({binary}) is not installed: run .ci/backends.sh install")
    folder = tmp_path_factory.mktemp("jaeger-mtls")
    server_cert, server_key = self_signed(folder, "127.0.0.1", *LOOPBACK_SAN)
    client_cert, client_key = self_signed(folder, "tracewhy-client")
    stranger_cert, stranger_key = self_signed(folder, "stranger")
    query, grpc, health, otlp = free_ports(4)
    config = folder / "jaeger.yaml"
    config.write_text(CONFIG.format(query=query, grpc=grpc, health=health, otlp=otlp,
                                    server_cert=server_cert, server_key=server_key,
                                    client_ca=client_cert))
    log = folder / "jaeger.log"
    with log.open("wb") as sink:
        process = subprocess.Popen([str(binary), "--config", str(config)], stdout=sink,
                                   stderr=subprocess.STDOUT)
    try:
        healthy = f"http://127.0.0.1:{health}/status"
        wait_until(lambda: process.poll() is not None or answers(healthy), timeout=60)
        if not answers(healthy):
            pytest.fail(f"Jaeger with mutual TLS did not start: {log.read_text()[-800:]}")
        yield MtlsJaeger(f"https://127.0.0.1:{query}", f"http://127.0.0.1:{otlp}/v1/traces",
                         server_cert, client_cert, client_key, stranger_cert, stranger_key)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def stored_trace(mtls_jaeger: MtlsJaeger) -> str:
    """A three-span trace from the OpenTelemetry SDK, sent over OTLP/HTTP and queryable."""
    builder = SdkTraceBuilder(seed=4242)
    root = builder.span("gateway", "POST /predict", 0, 120, kind="server")
    call = builder.span("gateway", "GET features", 5, 95, parent=root, kind="client")
    builder.span("feature-store", "GetOnlineFeatures", 8, 92, parent=call, kind="server")
    body = builder.otlp_bytes()
    trace_id = orjson.loads(body)["resourceSpans"][0]["scopeSpans"][0]["spans"][0]["traceId"]
    sent = requests.post(mtls_jaeger.otlp_url, data=body, timeout=10,
                         headers={"Content-Type": "application/json"})
    assert sent.status_code == 200, sent.text

    def stored() -> bool:
        answer = requests.get(f"{mtls_jaeger.query_url}/api/v3/traces/{trace_id}", timeout=5,
                              verify=str(mtls_jaeger.ca_bundle),
                              cert=(str(mtls_jaeger.client_cert), str(mtls_jaeger.client_key)))
        return answer.status_code == 200 and answer.content.count(b'"spanId"') == 3

    assert wait_until(stored, timeout=30), "Jaeger never returned the three spans"
    return str(trace_id)


def _analyze(jaeger: MtlsJaeger, trace_id: str, config_home: Path, *args: str | Path) -> Ran:
    return run_cli(["analyze", "--jaeger", jaeger.query_url, trace_id, "--ca-bundle",
                    str(jaeger.ca_bundle), "--format", "json", *map(str, args)], config_home)


def test_fetches_from_jaeger_with_a_client_certificate(mtls_jaeger: MtlsJaeger,
                                                       stored_trace: str,
                                                       tmp_path: Path) -> None:
    ran = _analyze(mtls_jaeger, stored_trace, tmp_path, "--client-cert",
                   mtls_jaeger.client_cert, "--client-key", mtls_jaeger.client_key)
    assert ran.code == 0, ran.stderr
    analysis = orjson.loads(ran.stdout)
    assert analysis["trace_id"] == stored_trace and analysis["span_count"] == 3
    assert analysis["root"]["service"] == "gateway"
    assert analysis["source"]["backend"] == "jaeger"
    assert {hop["service"] for hop in analysis["hops"]} == {"gateway", "feature-store"}


def test_jaeger_refusals_are_one_line_that_says_what_to_do(mtls_jaeger: MtlsJaeger,
                                                           stored_trace: str,
                                                           tmp_path: Path) -> None:
    key_text = mtls_jaeger.client_key.read_text()
    cases = [
        ([], NO_CLIENT_CERTIFICATE, "--client-cert FILE"),
        (["--client-cert", mtls_jaeger.stranger_cert, "--client-key", mtls_jaeger.stranger_key],
         f"did not accept the client certificate {mtls_jaeger.stranger_cert}", "CA the server"),
    ]
    for args, message, hint in cases:
        ran = _analyze(mtls_jaeger, stored_trace, tmp_path, *args)
        assert ran.code == 78, (args, ran.stderr)
        assert ran.stdout == "" and ran.stderr.count("\n") == 1, ran.stderr
        assert said(ran.stderr, message) and hint in ran.stderr, ran.stderr
        assert "Traceback" not in ran.stderr and key_text.splitlines()[1] not in ran.everything
