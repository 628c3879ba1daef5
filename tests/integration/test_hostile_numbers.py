"""Numbers no clock or SDK writes, in the places a trace holds numbers: an attribute beyond
64 bits is read and written exactly; a time outside years 1-9999 is repaired with a warning.
Every output format is written, never an internal error (ROBUSTNESS.md A6, A8, A10).

The trace comes from the real OpenTelemetry SDK; then one value is damaged, as a corrupt
exporter or a hostile sender would.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from click.testing import CliRunner, Result

from tests.support.sdk import SdkTraceBuilder
from tracewhy.cli import cli

BIG = 10**30  # an order id, say: 100 bits
FORMATS = ("json", "text", "html", "md")


def sdk_document() -> dict[str, Any]:
    b = SdkTraceBuilder()
    root = b.span("gateway", "POST /predict", 0, 100, kind="server")
    call = b.span("gateway", "POST /infer", 5, 95, parent=root, kind="client")
    b.span("triton", "infer", 10, 90, parent=call, kind="server", error="model failed",
           events=[("exception", 50, {"exception.type": "RuntimeError"})], model__version=3)
    doc: dict[str, Any] = orjson.loads(b.otlp_bytes())
    return doc


def spans(doc: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for block in doc["resourceSpans"]:
        for scope in block["scopeSpans"]:
            yield from scope["spans"]


def the_server_span(doc: dict[str, Any]) -> dict[str, Any]:
    return next(s for s in spans(doc) if s["name"] == "infer")


def send_to_tolerant_reader(doc: dict[str, Any]) -> None:
    """A field the typed reader does not know: the input goes the general (tolerant) way."""
    the_server_span(doc)["attributes"].append(
        {"key": "odd", "value": {"stringValue": "x", "unknownField": 1}})


def analyse(tmp_path: Path, doc: dict[str, Any], fmt: str) -> Result:
    path = tmp_path / "damaged.otlp.json"
    path.write_text(json.dumps(doc))  # the stdlib writes integers of any size exactly
    out = tmp_path / f"out.{fmt}"
    result = CliRunner().invoke(cli, ["analyze", str(path), "--format", fmt, "-o", str(out),
                                      "--force", "--graph", str(tmp_path / "graph.json")])
    assert result.exit_code == 0, result.output
    assert "internal error" not in result.output
    return result


def numbers_in(value: Any) -> Iterator[int | float]:
    if isinstance(value, dict):
        for item in value.values():
            yield from numbers_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from numbers_in(item)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        yield value


@pytest.mark.parametrize("reader", ["typed", "tolerant"])
@pytest.mark.parametrize("written_as", ["number", "decimal string"])
def test_an_attribute_beyond_64_bits_is_kept_exact_in_every_output(
        tmp_path: Path, reader: str, written_as: str) -> None:
    doc = sdk_document()
    server = the_server_span(doc)
    (version,) = [a for a in server["attributes"] if a["key"] == "model.version"]
    version["value"] = {"intValue": BIG if written_as == "number" else str(BIG)}
    if reader == "tolerant":
        send_to_tolerant_reader(doc)
    for fmt in FORMATS:
        analyse(tmp_path, doc, fmt)
    output = json.loads((tmp_path / "out.json").read_text())
    found = list(numbers_in(output))
    assert BIG in found  # the evidence quotes the culprit's model.version, exactly
    assert not any(isinstance(n, float) and abs(n) > 2**64 for n in found)  # never a float
    assert str(BIG) in (tmp_path / "out.html").read_text()
    json.loads((tmp_path / "graph.json").read_text())


@pytest.mark.parametrize("reader", ["typed", "tolerant"])
@pytest.mark.parametrize("damage", ["start", "end", "event"])
def test_a_time_beyond_the_calendar_is_repaired_with_a_warning(
        tmp_path: Path, reader: str, damage: str) -> None:
    doc = sdk_document()
    server = the_server_span(doc)
    far = 10**30  # ns: some 3e13 years after the epoch
    if damage == "start":
        server["startTimeUnixNano"] = str(far)
    elif damage == "end":
        server["endTimeUnixNano"] = str(far)
    else:
        server["events"][0]["timeUnixNano"] = str(far)
    if reader == "tolerant":
        send_to_tolerant_reader(doc)
    for fmt in FORMATS:
        analyse(tmp_path, doc, fmt)
    output = json.loads((tmp_path / "out.json").read_text())
    codes = {w["code"]: w for w in output["warnings"]}
    assert "time-out-of-range" in codes, codes
    assert codes["time-out-of-range"]["span_ids"] == [server["spanId"]]  # the damaged span
    path = output["critical_path"]
    assert sum(s["end_us"] - s["start_us"] for s in path) == output["root"]["duration_us"]
    assert all(abs(n) < 2**63 for n in numbers_in(output))


def test_an_undamaged_trace_has_no_time_warning(tmp_path: Path) -> None:
    """The control: the same trace as the SDK wrote it."""
    analyse(tmp_path, sdk_document(), "json")
    output = json.loads((tmp_path / "out.json").read_text())
    assert "time-out-of-range" not in {w["code"] for w in output["warnings"]}
    assert 3 in list(numbers_in(output))  # model.version, quoted as evidence


def test_bubbleup_compares_values_beyond_any_float(tmp_path: Path) -> None:
    """Attribute values of many traces: one beyond float range is compared as a value."""
    huge = 10**400
    for seed in range(16):
        b = SdkTraceBuilder(seed=seed + 1)
        root = b.span("gateway", "POST /predict", 0, 100, kind="server",
                      error="failed" if seed < 8 else None)
        b.span("triton", "infer", 10, 90, parent=root, kind="server", model__version=3)
        doc: dict[str, Any] = orjson.loads(b.otlp_bytes())
        if seed < 8:  # the failing ones carry the huge value
            (version,) = [a for a in the_server_span(doc)["attributes"]
                          if a["key"] == "model.version"]
            version["value"] = {"intValue": huge}
        (tmp_path / f"t{seed}.otlp.json").write_text(json.dumps(doc))
    out = tmp_path / "bubbleup.json"
    result = CliRunner().invoke(cli, ["bubbleup", str(tmp_path), "--select", "error",
                                      "--min-support", "2", "--format", "json", "-o", str(out)])
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    assert report["selected"] == 8
    assert [(a["key"], a["value"]) for a in report["attributes"]] == [("model.version", str(huge))]


@pytest.mark.parametrize("value", [{"doubleValue": 10**400}, {"doubleValue": "1e400"},
                                   {"doubleValue": "abc"}, {"intValue": "abc"},
                                   {"intValue": "1e400"}])
def test_a_value_unreadable_as_its_type_is_read_as_missing_and_counted(
        tmp_path: Path, value: dict[str, Any]) -> None:
    doc = sdk_document()
    the_server_span(doc)["attributes"].append({"key": "ratio", "value": value})
    for fmt in FORMATS:
        analyse(tmp_path, doc, fmt)
    output = json.loads((tmp_path / "out.json").read_text())
    (warning,) = [w for w in output["warnings"] if w["code"] == "unreadable-value"]
    assert warning["message"].startswith("1 attribute value(s)")
