"""Faults a real Jaeger or Zipkin cannot be made to produce, from a real local HTTP server.

Each case runs the real command line and checks: the exit code, a one-line message that names
the backend, no traceback, an end within its deadline, and that no credential (bearer token,
secret header) appears anywhere in what was printed.
"""

from __future__ import annotations

import json
import secrets
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.live import fault_server as fs
from tests.live.cli_runner import Ran, run_cli, run_process
from tests.live.fault_server import Exchange, FaultServer
from tests.live.tls import LOOPBACK_SAN, NO_CLIENT_CERTIFICATE, said, self_signed
from tracewhy.backends import BackendFlags, resolve_backend

pytestmark = pytest.mark.live

TOKEN = f"tw-token-{secrets.token_hex(12)}"
API_KEY = f"tw-key-{secrets.token_hex(12)}"
TRACE_ID = "0123456789abcdef0123456789abcdef"  # the id in the real api_v3 answer served below
HTML = b"<!DOCTYPE html><html><head><title>Sign in</title></head><body><form>...</form></html>"


@pytest.fixture(scope="module")
def v3_answer(external: Path) -> bytes:
    """A real Jaeger 2.21 api_v3 answer (jaeger-ui's test data)."""
    return (external / "jaeger-ui" / "v3-trace-local-2.21.0.json").read_bytes()


@pytest.fixture(scope="module")
def other_host() -> Iterator[FaultServer]:
    """Another origin (another address and port) for redirects to land on."""
    server = FaultServer(host="127.0.0.2").start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def fault(v3_answer: bytes, other_host: FaultServer, external: Path) -> Iterator[FaultServer]:
    server = FaultServer().start()
    ok = fs.reply(200, v3_answer)
    v1_trace = (external / "jaeger" / "ui_01.json").read_bytes()  # a real v1 trace object
    v1_answer = b'{"data":[' + v1_trace + b'],"total":1,"limit":0,"offset":0,"errors":null}'
    v1_id = json.loads(v1_trace)["traceID"]
    other_host.scenarios["landing"] = ok
    server.scenarios.update({
        "error-500": fs.reply(500, b'{"data":null,"total":0,"errors":[{"code":500,'
                                   b'"msg":"storage backend exploded"}]}'),
        "unavailable": fs.reply(503, b"upstream connect error", Content_Type="text/plain"),
        "flaky-503": fs.fail_then(2, fs.reply(503), ok),
        "429-seconds": fs.fail_then(1, fs.reply(429, Retry_After="1"), ok),
        "429-wait": fs.fail_then(1, fs.reply(429, Retry_After="1"), ok),
        "429-date": fs.fail_then(1, _retry_after_date(1), ok),
        "429-garbage": fs.fail_then(1, fs.reply(429, Retry_After="after lunch"), ok),
        "429-huge": fs.reply(429, Retry_After="99999999999"),
        "429-always": fs.reply(429, Retry_After="0"),
        "429-past-deadline": fs.reply(429, Retry_After="30"),
        "slow-drip": fs.slow_drip(0.2),
        "silent": fs.silent,
        "truncated": fs.truncated(v3_answer[:100], declared=len(v3_answer)),
        "chunked-cut": fs.chunked_cut(v3_answer[:200]),
        "reset": fs.reset_before_response,
        "reset-mid-body": fs.reset_mid_body(v3_answer),
        "login-page": fs.reply(200, HTML, Content_Type="text/html"),
        "huge-declared": lambda ex: ex.send(200, b"", content_length=10**12),
        # more digits than int() reads (4300): still a clear refusal, not a crash
        "endless-declared": lambda ex: ex.send(200, b"", {"Content-Length": "1" + "0" * 5000}),
        "endless": fs.endless_body,
        "gzip-bomb": fs.gzip_bomb(50_000_000),
        "gzip-ok": lambda ex: ex.send(200, fs.gzip.compress(v3_answer),
                                      {"Content-Encoding": "gzip"}),
        "unauthorized": fs.echo_auth_401,
        "forbidden": fs.reply(403, b"forbidden", Content_Type="text/plain"),
        "jaeger-errors": fs.reply(200, b'{"data":null,"total":0,"errors":[{"code":500,'
                                       b'"msg":"cassandra query timed out"}]}'),
        "no-api-v3": _v1_only(v1_answer),
        "stores-128-bit": _only_full_width(v3_answer),
        "wrong-url": fs.reply(404, b"404 page not found", Content_Type="text/plain"),
        "redirect-away": fs.redirect(f"{other_host.url('landing')}/api/v3/traces/{TRACE_ID}"),
        "redirect-same-host": fs.redirect(f"{server_url(server, 'landing-same')}"
                                          f"/api/v3/traces/{TRACE_ID}", 307),
        "landing-same": ok,
        "redirect-loop": lambda ex: fs.redirect(ex.request.path)(ex),
        "redirect-file": fs.redirect("file:///etc/passwd"),
        "redirect-metadata": fs.redirect("http://169.254.169.254/latest/meta-data/iam/"),
    })
    server.extra = {"v1_id": v1_id}  # type: ignore[attr-defined]
    yield server
    server.stop()


def server_url(server: FaultServer, scenario: str) -> str:
    return f"http://{server.host}:{server.port}/s/{scenario}"


def _retry_after_date(seconds: float) -> fs.Handler:
    def handler(ex: Exchange) -> None:
        ex.send(429, b"", {"Retry-After": fs.retry_after_date(seconds)})
    return handler


def _v1_only(v1_answer: bytes) -> fs.Handler:
    """An older Jaeger: no api_v3 route (Go's plain 404), the v1 API answers."""
    def handler(ex: Exchange) -> None:
        if "/api/v3/" in ex.request.path:
            ex.send(404, b"404 page not found\n", {"Content-Type": "text/plain"})
        else:
            ex.send(200, v1_answer)
    return handler


def _only_full_width(v3_answer: bytes) -> fs.Handler:
    """A backend that stores a 64-bit id as 128-bit and finds it only by all 32 digits."""
    full = "0" * 16 + TRACE_ID[16:]
    answer = v3_answer.replace(TRACE_ID.encode(), full.encode())

    def handler(ex: Exchange) -> None:
        if ex.request.path.endswith(full):
            ex.send(200, answer)
        else:
            ex.send(404, b'{"error":{"httpCode":404,"message":"No traces found"}}')
    return handler


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    path = tmp_path / "api-key"
    path.write_text(API_KEY + "\n", encoding="utf-8")
    return path


def analyze(fault: FaultServer, scenario: str, tmp_path: Path, key_file: Path,
            *extra: str, trace_id: str = TRACE_ID) -> tuple[Ran, float]:
    args = ["analyze", "--jaeger", fault.url(scenario), trace_id, "--retries", "2",
            "-H", f"X-Api-Key: @{key_file}", "-H", "X-Scope-OrgID: ml-platform", *extra]
    started = time.monotonic()
    ran = run_cli(args, tmp_path, {"TRACEWHY_TOKEN": TOKEN})
    return ran, time.monotonic() - started


def assert_clean_failure(ran: Ran, code: int, fault_url: str, *phrases: str) -> None:
    assert ran.code == code, ran.everything
    assert ran.stdout == ""
    line = ran.stderr.strip()
    assert "\n" not in line and "Traceback" not in line
    base = fault_url.rsplit("/s/", 1)[0]
    assert line.startswith(f"tracewhy: jaeger {base}/s/"), line
    for phrase in phrases:
        assert phrase in line, line
    assert TOKEN not in ran.everything and API_KEY not in ran.everything


FAILURES = [
    # scenario, extra options, exit code, phrases in the message, requests expected, seconds
    ("error-500", (), 69, ["HTTP 500", "storage backend exploded"], 1, 10),
    ("unavailable", (), 69, ["HTTP 503 after 2 retries", "upstream connect error"], 3, 15),
    ("429-huge", (), 75, ["retry after", "longer than the 60 s"], 1, 10),
    ("429-always", (), 75, ["rate limited (HTTP 429) after 2 retries"], 3, 15),
    ("429-past-deadline", ("--deadline", "5"), 75, ["retry after 30 s, past the deadline"], 1,
     10),
    ("slow-drip", ("--request-timeout", "2"), 69, ["timed out", "bytes received"], 1, 10),
    ("silent", ("--read-timeout", "1"), 69, ["no response", "within 1 s"], 2, 10),
    ("truncated", (), 65, ["cut off after 100 bytes"], 1, 10),
    ("chunked-cut", (), 65, ["cut off after 200 bytes"], 1, 10),
    ("reset", (), 69, ["closed or reset before a response"], 2, 10),
    ("reset-mid-body", (), 65, ["cut off after"], 1, 10),
    ("login-page", (), 65, ["HTML page, not JSON", "login"], 2, 10),
    ("huge-declared", (), 65, ["1000000000000 bytes, over the"], 1, 10),
    ("endless-declared", ("--max-response-bytes", "1000000"), 65,
     ["more than 1000000 bytes, over the 1000000-byte limit"], 1, 10),
    ("endless", ("--max-response-bytes", "1000000"), 65,
     ["more than 1000000 bytes, over the 1000000-byte limit"], 1, 10),
    ("gzip-bomb", ("--max-response-bytes", "1000000"), 65, ["more than 1000000 bytes"], 1, 10),
    ("unauthorized", (), 77, ["authentication rejected (HTTP 401)"], 1, 10),
    ("forbidden", (), 77, ["authentication rejected (HTTP 403)"], 1, 10),
    ("jaeger-errors", (), 65, ["the backend returned an error", "cassandra query timed out"],
     2, 10),
    ("wrong-url", (), 78, ["HTTP 404", "wrong base URL"], 2, 10),
    ("redirect-loop", (), 65, ["more than 5 redirects"], 6, 10),
    ("redirect-file", (), 78, ["redirected to a 'file' URL; refusing"], 1, 10),
    ("redirect-metadata", (), 78, ["169.254.169.254 is a link-local or cloud instance-metadata "
                                   "address; refusing", "--allow-host 169.254.169.254"], 1, 10),
    ("gzip-ok", ("--allow-host", "example.com"), 78,
     ["127.0.0.1 is not an allowed host (example.com)"], 0, 10),
]


@pytest.mark.parametrize(("scenario", "extra", "code", "phrases", "requests", "seconds"),
                         FAILURES, ids=[case[0] for case in FAILURES])
def test_each_fault_ends_in_its_clear_error(fault: FaultServer, tmp_path: Path,
                                            key_file: Path, scenario: str,
                                            extra: tuple[str, ...], code: int,
                                            phrases: list[str], requests: int,
                                            seconds: float) -> None:
    before = len(fault.seen(scenario))
    ran, elapsed = analyze(fault, scenario, tmp_path, key_file, *extra)
    assert_clean_failure(ran, code, fault.url(scenario), *phrases)
    assert len(fault.seen(scenario)) - before == requests
    assert elapsed < seconds, f"took {elapsed:.1f} s"


@pytest.mark.parametrize("scenario", ["flaky-503", "429-seconds", "429-date", "429-garbage",
                                      "gzip-ok"])
def test_transient_faults_are_retried_until_the_trace_arrives(
        fault: FaultServer, tmp_path: Path, key_file: Path, scenario: str) -> None:
    before = len(fault.seen(scenario))
    ran, _ = analyze(fault, scenario, tmp_path, key_file)
    assert ran.code == 0, ran.stderr
    assert ran.stdout.startswith(f"trace  {TRACE_ID}  (otlp, {fault.url(scenario)}")
    expected = {"flaky-503": 3, "gzip-ok": 1}.get(scenario, 2)
    assert len(fault.seen(scenario)) - before == expected


def test_retry_after_is_honoured(fault: FaultServer, tmp_path: Path, key_file: Path) -> None:
    ran, elapsed = analyze(fault, "429-wait", tmp_path, key_file)
    assert ran.code == 0, ran.stderr
    assert len(fault.seen("429-wait")) == 2
    assert elapsed >= 1.0  # the server asked for one second


def test_credentials_are_not_sent_to_another_host(fault: FaultServer, other_host: FaultServer,
                                                  tmp_path: Path, key_file: Path) -> None:
    ran, _ = analyze(fault, "redirect-away", tmp_path, key_file)
    assert ran.code == 0, ran.stderr
    first = fault.seen("redirect-away")[-1].headers
    assert first["authorization"] == f"Bearer {TOKEN}" and first["x-api-key"] == API_KEY
    landed = other_host.seen("landing")[-1].headers
    assert "authorization" not in landed
    assert "x-api-key" not in landed and "x-scope-orgid" not in landed
    assert landed["user-agent"].startswith("tracewhy/")


def test_credentials_follow_a_redirect_on_the_same_host(fault: FaultServer, tmp_path: Path,
                                                        key_file: Path) -> None:
    ran, _ = analyze(fault, "redirect-same-host", tmp_path, key_file)
    assert ran.code == 0, ran.stderr
    landed = fault.seen("landing-same")[-1].headers
    assert landed["authorization"] == f"Bearer {TOKEN}" and landed["x-api-key"] == API_KEY


def test_basic_auth_from_a_password_file(fault: FaultServer, tmp_path: Path) -> None:
    password = tmp_path / "password"
    password.write_text("s3cret-pass\n", encoding="utf-8")
    ran = run_cli(["analyze", "--jaeger", fault.url("gzip-ok"), TRACE_ID, "--user", "reader",
                   "--password-file", str(password)], tmp_path)
    assert ran.code == 0, ran.stderr
    assert fault.seen("gzip-ok")[-1].headers["authorization"] == "Basic cmVhZGVyOnMzY3JldC1wYXNz"


def test_a_server_without_api_v3_is_read_through_v1(fault: FaultServer, tmp_path: Path,
                                                    key_file: Path) -> None:
    v1_id = fault.extra["v1_id"]  # type: ignore[attr-defined]
    ran, _ = analyze(fault, "no-api-v3", tmp_path, key_file, trace_id=v1_id)
    assert ran.code == 0, ran.stderr
    assert f"(jaeger, {fault.url('no-api-v3')}/api/traces/" in ran.stdout
    paths = [r.path for r in fault.seen("no-api-v3")][-2:]
    assert "/api/v3/traces/" in paths[0] and "/api/traces/" in paths[1]


def test_a_64_bit_id_is_tried_as_128_bit(fault: FaultServer, tmp_path: Path,
                                         key_file: Path) -> None:
    ran, _ = analyze(fault, "stores-128-bit", tmp_path, key_file, trace_id=TRACE_ID[16:])
    assert ran.code == 0, ran.stderr
    full = "0" * 16 + TRACE_ID[16:]
    assert f"knows this trace as {full} (tried {TRACE_ID[16:]}, {full})" in ran.stderr
    assert ran.stdout.startswith(f"trace  {full}")


def test_connection_refused_names_the_default_port(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # free once closed: nothing listens there
    ran = run_cli(["analyze", "--jaeger", f"http://127.0.0.1:{port}", TRACE_ID,
                   "--retries", "1"], tmp_path, {"TRACEWHY_TOKEN": TOKEN})
    assert ran.code == 69
    assert f"cannot connect to 127.0.0.1:{port} (connection refused)" in ran.stderr
    assert "16686" in ran.stderr and TOKEN not in ran.everything


def test_zipkin_faults_name_zipkin(fault: FaultServer, tmp_path: Path) -> None:
    ran = run_cli(["analyze", "--zipkin", fault.url("login-page"), TRACE_ID], tmp_path)
    assert ran.code == 65
    assert ran.stderr.startswith(f"tracewhy: zipkin {fault.url('login-page')}: ")
    assert "HTML page, not JSON" in ran.stderr


def test_bad_configuration_is_refused_before_any_request(tmp_path: Path) -> None:
    cases = [
        (["--jaeger", "ftp://example.com"], "scheme 'ftp' is not supported"),
        (["--jaeger", "localhost:16686"], "is not a URL"),
        (["--jaeger", "http://x", "--token-file", str(tmp_path / "missing")], "no such file"),
        (["--jaeger", "http://x", "--ca-bundle", str(tmp_path / "nope.pem")], "CA bundle"),
        (["--jaeger", "http://x", "-H", "no colon"], "expected 'Name: value'"),
        (["--jaeger", "http://x", "--zipkin", "http://y"], "choose one backend"),
        (["--jaeger", "http://x", "--config", str(tmp_path / "none.toml")],
         "config file not found"),
    ]
    for options, phrase in cases:
        ran = run_cli(["analyze", *options, TRACE_ID], tmp_path)
        assert ran.code == 78, (options, ran.everything)
        assert phrase in ran.stderr and "Traceback" not in ran.stderr


def test_credentials_in_the_url_are_never_shown(fault: FaultServer, tmp_path: Path) -> None:
    url = fault.url("forbidden").replace("http://", "http://reader:pa55word-xyz@")
    ran = run_cli(["analyze", "--jaeger", url, TRACE_ID], tmp_path)
    assert ran.code == 77
    assert "pa55word-xyz" not in ran.everything and "reader:" not in ran.everything
    assert fault.seen("forbidden")[-1].headers["authorization"].startswith("Basic ")


def test_secrets_are_masked_in_repr(tmp_path: Path, key_file: Path) -> None:
    flags = BackendFlags(jaeger="https://jaeger.example", headers=(f"X-Api-Key: @{key_file}",))
    config = resolve_backend(flags, {"TRACEWHY_TOKEN": TOKEN,
                                     "XDG_CONFIG_HOME": str(tmp_path)})
    assert config is not None and config.credentials.token == TOKEN
    assert dict(config.credentials.headers)["X-Api-Key"] == API_KEY
    for text in (repr(config), str(config), repr(config.credentials)):
        assert TOKEN not in text and API_KEY not in text
        assert "X-Api-Key" in text or "credentials" not in text


def test_not_a_trace_id(fault: FaultServer, tmp_path: Path) -> None:
    ran = run_cli(["analyze", "--jaeger", fault.url("gzip-ok"), "not-an-id"], tmp_path)
    assert ran.code == 65 and "is not a trace id" in ran.stderr


def test_faults_in_a_real_process_print_one_line(fault: FaultServer, tmp_path: Path) -> None:
    ran = run_process(["analyze", "--jaeger", fault.url("error-500"), TRACE_ID], tmp_path,
                      {"TRACEWHY_TOKEN": TOKEN})
    assert ran.code == 69 and ran.stdout == ""
    assert ran.stderr.count("\n") == 1 and "storage backend exploded" in ran.stderr
    assert TOKEN not in ran.everything


# ------------------------------------------------------------------ TLS


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return self_signed(tmp_path_factory.mktemp("tls"), "127.0.0.1", *LOOPBACK_SAN)


@pytest.fixture(scope="module")
def tls_server(certificate: tuple[Path, Path], fault: FaultServer,
               v3_answer: bytes) -> Iterator[FaultServer]:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    server = FaultServer(tls=context).start()
    server.scenarios.update({
        "ok": fs.reply(200, v3_answer),
        "downgrade": fs.redirect(f"{fault.url('gzip-ok')}/api/v3/traces/{TRACE_ID}"),
    })
    yield server
    server.stop()


def test_self_signed_certificate_needs_the_ca_bundle(tls_server: FaultServer,
                                                     certificate: tuple[Path, Path],
                                                     tmp_path: Path) -> None:
    refused = run_cli(["analyze", "--jaeger", tls_server.url("ok"), TRACE_ID], tmp_path)
    assert refused.code == 78
    assert "TLS verification failed" in refused.stderr and "--ca-bundle" in refused.stderr
    trusted = run_cli(["analyze", "--jaeger", tls_server.url("ok"), TRACE_ID,
                       "--ca-bundle", str(certificate[0])], tmp_path)
    assert trusted.code == 0, trusted.stderr
    assert trusted.stdout.startswith(f"trace  {TRACE_ID}")


def test_insecure_works_but_warns(tls_server: FaultServer, tmp_path: Path) -> None:
    ran = run_cli(["analyze", "--jaeger", tls_server.url("ok"), TRACE_ID, "--insecure"],
                  tmp_path)
    assert ran.code == 0, ran.stderr
    assert "WARNING: TLS certificates are NOT verified" in ran.stderr


def test_https_to_http_redirect_is_refused(tls_server: FaultServer, fault: FaultServer,
                                           certificate: tuple[Path, Path],
                                           tmp_path: Path) -> None:
    before = len(fault.seen("gzip-ok"))
    ran = run_cli(["analyze", "--jaeger", tls_server.url("downgrade"), TRACE_ID,
                   "--ca-bundle", str(certificate[0])], tmp_path, {"TRACEWHY_TOKEN": TOKEN})
    assert ran.code == 78 and "from https to http" in ran.stderr
    assert len(fault.seen("gzip-ok")) == before  # never went there
    assert TOKEN not in ran.everything


# ------------------------------------------------------------------ mutual TLS


@pytest.fixture(scope="module")
def client_certs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The client certificate the server trusts (also as one file with its key), and another."""
    folder = tmp_path_factory.mktemp("mtls")
    cert, key = self_signed(folder, "tracewhy-client")
    other_cert, other_key = self_signed(folder, "stranger")
    both = folder / "both.pem"
    both.write_bytes(cert.read_bytes() + key.read_bytes())
    return {"cert": cert, "key": key, "both": both, "other_cert": other_cert,
            "other_key": other_key}


@pytest.fixture(scope="module")
def mtls_server(certificate: tuple[Path, Path], client_certs: dict[str, Path],
                v3_answer: bytes) -> Iterator[FaultServer]:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    context.verify_mode = ssl.CERT_REQUIRED  # as an mTLS ingress in front of Jaeger does
    context.load_verify_locations(client_certs["cert"])
    server = FaultServer(tls=context).start()
    server.scenarios["ok"] = fs.reply(200, v3_answer)
    yield server
    server.stop()


def _mtls(server: FaultServer, certificate: tuple[Path, Path], config_home: Path,
          *args: str | Path, env: dict[str, str] | None = None) -> Ran:
    return run_cli(["analyze", "--jaeger", server.url("ok"), TRACE_ID, "--ca-bundle",
                    str(certificate[0]), *map(str, args)], config_home, env)


def test_mutual_tls_with_a_client_certificate(mtls_server: FaultServer,
                                              certificate: tuple[Path, Path],
                                              client_certs: dict[str, Path],
                                              tmp_path: Path) -> None:
    ran = _mtls(mtls_server, certificate, tmp_path,
                "--client-cert", client_certs["cert"], "--client-key", client_certs["key"])
    assert ran.code == 0, ran.stderr
    assert ran.stdout.startswith(f"trace  {TRACE_ID}")
    # certificate and key in one file, from the environment
    ran = _mtls(mtls_server, certificate, tmp_path,
                env={"TRACEWHY_CLIENT_CERT": str(client_certs["both"])})
    assert ran.code == 0, ran.stderr
    # and from the config file
    (tmp_path / "mtls.toml").write_text(
        f'[jaeger]\nclient_cert = "{client_certs["cert"]}"\n'
        f'client_key = "{client_certs["key"]}"\n')
    ran = _mtls(mtls_server, certificate, tmp_path, "--config", tmp_path / "mtls.toml")
    assert ran.code == 0, ran.stderr


def test_mutual_tls_failures_say_what_to_do(mtls_server: FaultServer,
                                            certificate: tuple[Path, Path],
                                            client_certs: dict[str, Path],
                                            tmp_path: Path) -> None:
    cases = [
        ([], NO_CLIENT_CERTIFICATE, "--client-cert FILE"),
        (["--client-cert", client_certs["other_cert"], "--client-key", client_certs["other_key"]],
         f"did not accept the client certificate {client_certs['other_cert']}", "CA the server"),
        (["--client-cert", client_certs["cert"], "--client-key", client_certs["other_key"]],
         f"cannot use the client certificate {client_certs['cert']} with the key "
         f"{client_certs['other_key']}", "PEM"),
        (["--client-key", client_certs["key"]], "a client key is configured but no client "
         "certificate", "--client-cert"),
        (["--client-cert", tmp_path / "nope.pem"], "client certificate", "no such file"),
    ]
    for args, message, hint in cases:
        ran = _mtls(mtls_server, certificate, tmp_path, *args)
        assert ran.code == 78, (args, ran.stderr)
        assert ran.stderr.count("\n") == 1, ran.stderr  # one line, no traceback
        assert said(ran.stderr, message) and hint in ran.stderr, (args, ran.stderr)
        assert ran.stdout == ""


def test_a_server_that_hangs_up_mid_handshake_suggests_a_client_certificate(
        tmp_path: Path) -> None:
    """Some TLS terminators refuse a missing client certificate by closing the connection, with
    no alert: the message says what happened and what may fix it."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def hang_up() -> None:
        for _ in range(8):  # the first attempt and any retries
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            conn.recv(4096)  # the ClientHello
            conn.close()

    threading.Thread(target=hang_up, daemon=True).start()
    try:
        ran = run_cli(["analyze", "--jaeger", f"https://127.0.0.1:{port}", TRACE_ID,
                       "--retries", "0"], tmp_path)
    finally:
        listener.close()
    assert ran.code == 78, ran.stderr
    assert "closed the TLS connection during the handshake" in ran.stderr
    assert "--client-cert FILE" in ran.stderr and ran.stderr.count("\n") == 1


def test_a_redirect_off_the_allow_list_is_refused(fault: FaultServer, other_host: FaultServer,
                                                  tmp_path: Path, key_file: Path) -> None:
    landed = len(other_host.seen("landing"))
    ran, _ = analyze(fault, "redirect-away", tmp_path, key_file, "--allow-host", "127.0.0.1")
    assert_clean_failure(ran, 78, fault.url("redirect-away"),
                         "127.0.0.2 is not an allowed host (127.0.0.1)")
    assert len(other_host.seen("landing")) == landed  # refused before sending


@pytest.mark.parametrize("how", ["flags", "env", "config file"])
def test_a_redirect_to_an_allowed_host_is_followed(fault: FaultServer, other_host: FaultServer,
                                                   tmp_path: Path, key_file: Path,
                                                   how: str) -> None:
    landed = len(other_host.seen("landing"))
    args = ["analyze", "--jaeger", fault.url("redirect-away"), TRACE_ID]
    env = {"TRACEWHY_TOKEN": TOKEN}
    if how == "flags":
        args += ["--allow-host", "127.0.0.1", "--allow-host", "127.0.0.2"]
    elif how == "env":
        env["TRACEWHY_ALLOW_HOSTS"] = "127.0.0.1, 127.0.0.2"
    else:
        config = tmp_path / "tracewhy.toml"
        config.write_text('[jaeger]\nallow_hosts = ["127.0.0.1", "127.0.0.2"]\n',
                          encoding="utf-8")
        args += ["--config", str(config)]
    ran = run_cli(args, tmp_path, env)
    assert ran.code == 0, ran.everything
    assert len(other_host.seen("landing")) == landed + 1


@pytest.mark.parametrize("url", ["http://169.254.169.254", "http://[fe80::1]:16686",
                                 "http://metadata.google.internal"])
def test_a_metadata_address_is_refused_before_any_connection(tmp_path: Path, url: str) -> None:
    """Refused within the time of one DNS lookup at most: no connection is tried."""
    started = time.monotonic()
    ran = run_cli(["analyze", "--jaeger", url, TRACE_ID, "--connect-timeout", "30"], tmp_path)
    assert ran.code == 78, ran.everything
    assert "refusing to send it a request" in ran.stderr and "--allow-host" in ran.stderr
    assert ran.stderr.count("\n") == 1 and "Traceback" not in ran.stderr
    assert time.monotonic() - started < 10
