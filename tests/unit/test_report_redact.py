"""Redaction rules: what is masked, what is kept, and that the notes never repeat a secret."""

from __future__ import annotations

import pytest

from tracewhy.render.redact import MASK, Redactor, is_secret_key, redact_argv


@pytest.mark.parametrize("key", [
    "authorization", "http.request.header.authorization", "Proxy-Authorization", "cookie",
    "http.response.header.set-cookie", "x-api-key", "apiKey", "access_token", "x-auth-token",
    "db.password", "passwd", "client_secret", "session.id", "jwt", "private_key",
    "aws.credentials",
])
def test_secret_keys(key: str) -> None:
    assert is_secret_key(key)
    assert Redactor().attribute(key, "anything at all") == MASK


@pytest.mark.parametrize("key", [
    "gen_ai.usage.input_tokens", "gen_ai.usage.output_tokens", "llm.token_count",
    "http.status_code", "db.system", "peer.service", "component",
])
def test_ordinary_keys_are_kept(key: str) -> None:
    assert not is_secret_key(key)
    assert Redactor().attribute(key, "512") == "512"


@pytest.mark.parametrize(("text", "rule"), [
    ("auth was Bearer abc.DEF-123_456 ok", "bearer/basic credential"),
    ("Basic dXNlcjpwYXNz", "bearer/basic credential"),
    ("tok eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl end", "JWT"),
    ("key AKIAIOSFODNN7EXAMPLE used", "AWS access key"),
    ("paid with 4111 1111 1111 1111 today", "card number"),
    ("paid with 4111-1111-1111-1111", "card number"),
    ("GET https://bob:pw@example.com/x", "URL credentials"),
    ("GET https://example.com/x?token=abc&page=2", "URL query value"),
    ("GET /login?password=hunter2", "URL query value"),
])
def test_secret_values_are_masked_and_counted(text: str, rule: str) -> None:
    r = Redactor()
    out = r.text(text)
    assert MASK in out
    assert r.counts[rule] == 1
    secret = text.split()[-2] if rule == "card number" and "today" in text else None
    if secret:
        assert secret not in out


def test_url_keeps_its_shape() -> None:
    out = Redactor().text("https://bob:pw@example.com:8443/a/b?x=1&y=&z=3#frag")
    assert out == f"https://{MASK}@example.com:8443/a/b?x={MASK}&y=&z={MASK}#frag"


def test_card_like_numbers_failing_luhn_are_kept() -> None:
    assert Redactor().text("order 4111 1111 1111 1112") == "order 4111 1111 1111 1112"
    assert Redactor().text("span 1234567890123") == "span 1234567890123"


def test_query_string_keys() -> None:
    assert Redactor().attribute("url.query", "a=1&b=two") == f"a={MASK}&b={MASK}"


def test_disabled_redactor_passes_everything_and_counts_nothing() -> None:
    r = Redactor(enabled=False)
    assert r.attribute("authorization", "Bearer abcdefgh") == "Bearer abcdefgh"
    assert r.text("https://u:p@h/?q=1") == "https://u:p@h/?q=1"
    assert r.notes() == []


def test_notes_count_distinct_values_and_never_show_them() -> None:
    r = Redactor()
    for _ in range(3):
        r.attribute("authorization", "Bearer sekrit-123456")
        r.text("Bearer other-987654")
    notes = " ".join(r.notes())
    assert "1 × secret attribute key" in notes
    assert "1 × bearer/basic credential" in notes
    assert "authorization" in notes  # the key is named, the value is not
    assert "sekrit" not in notes and "other-987654" not in notes


def test_non_string_values() -> None:
    r = Redactor()
    assert r.attribute("retries", 3) == "3"
    assert r.attribute("ok", True) == "true"
    assert r.attribute("hosts", ["a", "b"]) == "a, b"
    assert r.attribute("password", 1234) == MASK


def test_argv_secrets_are_stripped() -> None:
    argv = ["tracewhy", "analyze", "abc", "--jaeger", "https://u:pw@jaeger:16686/?k=v",
            "--token", "s3cret", "--header=Authorization: Bearer xyz", "--api-key=k",
            "-o", "r.html"]
    out = redact_argv(argv)
    assert "s3cret" not in out and "pw" not in " ".join(out) and "xyz" not in " ".join(out)
    assert out[:4] == ["tracewhy", "analyze", "abc", "--jaeger"]
    assert out[5:7] == ["--token", MASK]
    assert out[7] == f"--header={MASK}"
    assert out[8] == f"--api-key={MASK}"
    assert out[-2:] == ["-o", "r.html"]


@pytest.mark.parametrize(("statement", "masked", "literals"), [
    ("SELECT * FROM users WHERE email = 'ann@example.com' AND id = 42",
     "SELECT * FROM users WHERE email = ? AND id = ?", 2),
    ("UPDATE t SET note = 'it''s paid', amount = 12.50 WHERE id IN (1, 2, 3)",
     "UPDATE t SET note = ?, amount = ? WHERE id IN (?, ?, ?)", 5),
    ("SELECT v2.col1 FROM t1 AS v2 WHERE name = %(name)s LIMIT $1", None, 0),
    ("HGETALL listing_stats:981", None, 0),
    ("EXPIRE session 300", "EXPIRE session ?", 1),
])
def test_statement_literals_are_masked(statement: str, masked: str | None,
                                       literals: int) -> None:
    redactor = Redactor()
    for key in ("db.statement", "db.query.text"):
        assert redactor.attribute(key, statement) == (masked or statement)
    # counted once per distinct statement and key, never showing the values
    assert redactor.counts["database statement literal"] == 2 * literals
    assert all("ann@" not in note and "42" not in note for note in redactor.notes())


def test_statement_literals_are_kept_without_redaction() -> None:
    statement = "SELECT * FROM users WHERE email = 'ann@example.com'"
    assert Redactor(enabled=False).attribute("db.statement", statement) == statement
    assert Redactor().attribute("db.system", "postgresql") == "postgresql"


def test_skipping_rules_by_needle_masks_exactly_what_scanning_every_rule_masks() -> None:
    """``_text`` skips a case-sensitive rule (and the URL rule) when the text lacks what every
    match contains; the result must be what running every rule gives."""
    import itertools

    from tracewhy.render import redact

    def every_rule(value: str) -> str:
        for _name, pattern in redact._VALUE_RULES:
            value = pattern.sub(MASK, value)
        value = redact._CARD.sub(redact._mask_card, value)
        return redact._URL.sub(lambda m: redact._mask_url(m.group()), value)

    pieces = ["Bearer abcdef123456", "BASIC dXNlcjpwYXNz", "Baſic dXNlcjpwYXNz",
              "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig", "EYJhbGciOi.abcd.ef",
              "AKIAABCDEFGHIJKLMNOP", "ASIAABCDEFGHIJKLMNOP", "akiaabcdefghijklmnop",
              "4111 1111 1111 1111", "https://u:p@h.io/x?token=1", "/p?a=1&b=2", "a/b?c",
              "plain words", "GET /api/resource-0", "ｈｔｔｐｓ://x?y=1", ""]
    for a, b in itertools.product(pieces, repeat=2):
        text = f"{a} {b}".strip()
        assert Redactor()._text(text) == every_rule(text), text
