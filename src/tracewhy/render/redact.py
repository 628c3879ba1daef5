"""Secrets out of report text: attribute values by key, tokens by shape, URL credentials.

Reports get pasted into tickets and chats, so redaction is on by default (ROBUSTNESS.md B5).
A :class:`Redactor` masks values and counts what it masked, per rule, so the report can say
what was hidden without saying what it was.  With ``enabled=False`` it passes text through and
counts nothing: the report header then says so.
"""

from __future__ import annotations

import re
import shlex
from collections import Counter
from functools import lru_cache
from urllib.parse import urlsplit, urlunsplit

MASK = "[REDACTED]"
_HEX_DIGITS = "0123456789abcdefABCDEF"

# Attribute keys whose values are secrets, wherever they sit in a dotted key.
_SECRET_KEY = re.compile(
    r"authorization|cookie|api[-_.]?key|token|secret|passw(or)?d|\bpwd\b|session|jwt"
    r"|private[-_.]?key|credential", re.IGNORECASE)
# ... except counters that merely mention tokens (gen_ai.usage.input_tokens, token_count).
_COUNT_KEY = re.compile(r"tokens$|token[-_.]?(count|type)$|tokens?[-_.]usage", re.IGNORECASE)
# Keys whose whole value is a query string.
_QUERY_KEY = re.compile(r"(^|[._])(query|query[-_]?string)$", re.IGNORECASE)

# Values that are secrets whatever the key: (rule name, pattern).
_VALUE_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("bearer/basic credential", re.compile(r"\b(?:Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{6,}",
                                           re.IGNORECASE)),
    ("JWT", re.compile(r"\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*")),
    ("AWS access key", re.compile(r"\b(?:AKIA|ASIA)[A-Z0-9]{16}\b")),
)
# Per rule, text one of which any match contains as is (case-sensitive rules only): a text
# holding none is not scanned by that rule (most report text holds no secret, and a scan costs
# ~1 µs a rule).  No needles for the case-blind rule: Unicode case folding (ſ matches s) would
# make any needle leaky.
_RULE_NEEDLES: tuple[tuple[str, ...], ...] = ((), ("eyJ",), ("AKIA", "ASIA"))
_CARD = re.compile(r"(?<![\w-])\d(?:[ -]?\d){12,18}(?![\w-])")
# A URL, or a path with a query string, inside free text.
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s\"'<>]+|(?<![\w/])/[^\s\"'<>?]*\?[^\s\"'<>]+")
_QUERY_VALUE = re.compile(r"([^=&;#]+=)([^&;#]*)")
# Database statements: the literals they carry are user data (emails, ids, amounts), the rest
# (tables, columns, placeholders) is what a reader needs.  Like the OTel collector's
# db_sanitizer: quoted strings ('' escapes a quote) and free-standing numbers become "?".
_STATEMENT_KEYS = frozenset(("db.statement", "db.query.text"))
_SQL_LITERAL = re.compile(r"'(?:[^']|'')*'|(?<![\w.:$@])\d+(?:\.\d+)?(?:[eE][-+]?\d+)?(?![\w.])")

# Command-line options whose next argument is a secret.
_SECRET_OPTIONS = re.compile(r"^--?[\w-]*(token|password|passwd|secret|api-?key|header|"
                             r"cookie|auth)[\w-]*$", re.IGNORECASE)


class Redactor:
    """Masks secrets in report text and counts each rule that fired."""

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled
        self.counts: Counter[str] = Counter()
        self.keys: Counter[str] = Counter()  # attribute keys whose values were masked
        self._cache: dict[str, str] = {}
        self._seen: set[tuple[str, str]] = set()

    def text(self, value: str) -> str:
        """Free text (names, messages, summaries): mask tokens, card numbers, URL secrets."""
        if not self.enabled or not value or _is_hex_id(value):
            return value
        hit = self._cache.get(value)
        if hit is None:  # each distinct text is masked and counted once
            hit = self._cache[value] = self._text(value)
            if hit != value:
                self._count(value)
        return hit

    def attribute(self, key: str, value: object) -> str:
        """An attribute value as report text: masked whole when its key names a secret."""
        text = value if isinstance(value, str) else _plain(value)
        if not self.enabled:
            return text
        kind = _key_kind(key)
        if kind == _PLAIN_KEY:
            return self.text(text)
        if kind == _SECRET:
            if (key, text) not in self._seen:
                self._seen.add((key, text))
                self.keys[key] += 1
                self.counts["secret attribute key"] += 1
            return MASK
        if isinstance(value, str) and kind == _STATEMENT:
            masked, literals = _SQL_LITERAL.subn("?", text)
            if literals and (key, text) not in self._seen:
                self._seen.add((key, text))
                self.counts["database statement literal"] += literals
            return self.text(masked)
        if isinstance(value, str) and kind == _QUERY:
            masked = _mask_query(text)
            if masked != text:
                self.counts["URL query value"] += 1
            return self.text(masked)
        return self.text(text)

    def _text(self, value: str) -> str:
        for (_name, pattern), needles in zip(_VALUE_RULES, _RULE_NEEDLES, strict=True):
            if not needles or any(needle in value for needle in needles):
                value = pattern.sub(MASK, value)
        value = _CARD.sub(_mask_card, value)
        if "://" in value or ("?" in value and "/" in value):  # what _URL needs to match
            value = _URL.sub(lambda m: _mask_url(m.group()), value)
        return value

    def _count(self, value: str) -> None:
        """Count the rules that fire on ``value``."""
        for name, pattern in _VALUE_RULES:
            self.counts[name] += len(pattern.findall(value))
        self.counts["card number"] += sum(_luhn(m.group()) for m in _CARD.finditer(value))
        for m in _URL.finditer(value):
            url = m.group()
            self.counts["URL credentials"] += _has_userinfo(url)
            query = _url_query(url)
            self.counts["URL query value"] += _mask_query(query) != query

    def notes(self) -> list[str]:
        """What was masked, as counts per rule (never the values)."""
        out = [f"{count} × {rule}" for rule, count in sorted(self.counts.items()) if count]
        if self.keys:
            names = ", ".join(sorted(self.keys)[:12])
            more = f" and {len(self.keys) - 12} more" if len(self.keys) > 12 else ""
            out.append(f"values of attribute keys: {names}{more}")
        return out


def _is_hex_id(value: str) -> bool:
    """Hex digits with a letter among them, like most span ids, which evidence cites by the
    thousand: no rule can match.  Tokens, JWTs and AWS keys need letters beyond a-f, URLs
    need punctuation, and a card number needs digits only, from end to end."""
    return not value.strip(_HEX_DIGITS) and not value.isdigit()


def is_secret_key(key: str) -> bool:
    return bool(_SECRET_KEY.search(key)) and not _COUNT_KEY.search(key)


_PLAIN_KEY, _SECRET, _STATEMENT, _QUERY = "plain", "secret", "statement", "query"


@lru_cache(maxsize=4096)
def _key_kind(key: str) -> str:
    """How ``Redactor.attribute`` treats a key's values.  Cached: a JSON document has a few
    dozen keys but thousands of values (two regex searches a value otherwise)."""
    if is_secret_key(key):
        return _SECRET
    if key in _STATEMENT_KEYS:
        return _STATEMENT
    if _QUERY_KEY.search(key):
        return _QUERY
    return _PLAIN_KEY


def redact_argv(argv: list[str]) -> list[str]:
    """A command line with secrets masked: values of secret options, URL credentials/queries."""
    out: list[str] = []
    masking = False
    for arg in argv:
        if masking:
            out.append(MASK)
            masking = False
            continue
        option, eq, value = arg.partition("=")
        if _SECRET_OPTIONS.match(option):
            out.append(f"{option}={MASK}" if eq else option)
            masking = not eq
            continue
        out.append(Redactor().text(arg))
    return out


def command_line(argv: list[str]) -> str:
    return shlex.join(argv)


def _plain(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return ", ".join(_plain(v) for v in value)
    return str(value)


def _mask_card(match: re.Match[str]) -> str:
    return MASK if _luhn(match.group()) else match.group()


def _luhn(text: str) -> bool:
    digits = [int(c) for c in text if c.isdigit()]
    if not 13 <= len(digits) <= 19:
        return False
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _has_userinfo(url: str) -> bool:
    return "://" in url and "@" in url.split("://", 1)[1].split("/", 1)[0]


def _url_query(url: str) -> str:
    if "://" not in url:
        return url.partition("?")[2]
    try:
        return urlsplit(url).query
    except ValueError:
        return ""


def _mask_url(url: str) -> str:
    if "://" not in url:  # a bare path with a query
        path, _, query = url.partition("?")
        return f"{path}?{_mask_query(query)}"
    try:
        parts = urlsplit(url)
    except ValueError:
        return MASK
    netloc = parts.netloc
    if "@" in netloc:
        netloc = f"{MASK}@{netloc.rsplit('@', 1)[1]}"
    return urlunsplit((parts.scheme, netloc, parts.path, _mask_query(parts.query),
                       parts.fragment))


def _mask_query(query: str) -> str:
    return _QUERY_VALUE.sub(lambda m: m.group(1) + (MASK if m.group(2) else ""), query)
