"""``error_reasons`` tells plainly fine spans apart without ``error_reason``; both must agree."""

from __future__ import annotations

from itertools import product

from tests.conftest import span
from tracewhy.analysis.errors import error_reason, error_reasons
from tracewhy.model import CLIENT, SERVER, STATUS_ERROR, UNSPECIFIED

CODES: list[object] = [None, 200, 302, 399, 400, 404, 500, 503, True, 200.0, "200", "302",
                       "399", "400", "404", "500", " 200", "200 ", "2OO", "20", "2000", "-200",
                       "\uff12\uff10\uff10", "\u0663\u0660\u0660", "", "abc"]


def test_the_shortcut_agrees_with_error_reason_on_every_status_spelling() -> None:
    spans = []
    for n, (code, kind, grpc) in enumerate(product(CODES, (SERVER, CLIENT, UNSPECIFIED),
                                                   (None, 0, 14, "OK", "UNAVAILABLE"))):
        attributes = {} if code is None else {"http.status_code": code}
        if grpc is not None:
            attributes["rpc.grpc.status_code" if isinstance(grpc, int) else "grpc.status"] = grpc
        spans.append(span(f"s{n}", None, 0, 10, kind=kind, **attributes))
    spans.append(span("e", None, 0, 10, **{"http.status_code": "200"}))
    spans[-1].status = STATUS_ERROR
    assert error_reasons(spans) == [error_reason(s) for s in spans]


def test_string_statuses_read_as_numbers() -> None:
    reasons = error_reasons([span("a", None, 0, 1, kind=CLIENT, **{"http.status_code": "404"}),
                             span("b", None, 0, 1, kind=SERVER, **{"http.status_code": "404"}),
                             span("c", None, 0, 1, kind=SERVER, **{"http.status_code": "503"}),
                             span("d", None, 0, 1, kind=SERVER, **{"http.status_code": "200"})])
    assert reasons == ["HTTP 404", None, "HTTP 503", None]
