"""The jinja environment's safety settings, asset inlining, CSP and template location."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import jinja2
import pytest

from tracewhy.render import EXTENSIONS, RENDERERS, format_for
from tracewhy.render.html import (
    content_security_policy,
    environment,
    include_file,
    templates_dir,
)


def test_autoescape_is_forced_whatever_the_template_name() -> None:
    env = environment()
    assert env.autoescape is True  # not select_autoescape, which would skip "x.html.j2"
    template = env.from_string("<p title=\"{{ v }}\">{{ v }}</p>")
    out = template.render(v='"><script>x</script>')
    assert "<script>" not in out and "&#34;&gt;&lt;script&gt;" in out


def test_undefined_fails_loudly() -> None:
    with pytest.raises(jinja2.UndefinedError):
        environment().from_string("{{ ctx.nope }}").render(ctx={})


def test_tojson_sorts_keys_and_escapes_markup() -> None:
    out = environment().from_string("{{ v|tojson }}").render(v={"b": "</script>", "a": "\u2028"})
    assert out == '{"a": "\\u2028", "b": "\\u003c/script\\u003e"}'


def test_environment_is_built_once() -> None:
    assert environment() is environment()


def test_include_file_inlines_assets_verbatim_and_nothing_else() -> None:
    css = include_file("report.css")
    assert str(css) == (templates_dir() / "report.css").read_text(encoding="utf-8")
    with pytest.raises(ValueError, match="not an inlinable asset"):
        include_file("../pyproject.toml")


def test_csp_hash_is_the_hash_of_our_script() -> None:
    script = (templates_dir() / "report.js").read_text(encoding="utf-8").encode()
    digest = base64.b64encode(hashlib.sha256(script).digest()).decode()
    csp = content_security_policy()
    assert f"script-src 'sha256-{digest}'" in csp
    assert "default-src 'none'" in csp and "connect-src" not in csp


def test_no_template_marks_data_safe() -> None:
    for path in Path(templates_dir()).glob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert "|safe" not in text.replace(" ", "") and "Markup" not in text, path.name
        assert "autoescape false" not in text, path.name


@pytest.mark.parametrize(("output", "fmt"), [("r.html", "html"), ("R.HTM", "html"),
                                             ("r.md", "md"), ("r.json", "json"),
                                             ("r.txt", "text"), (None, "text")])
def test_formats_are_registered(output: str | None, fmt: str) -> None:
    assert format_for(None, output) == fmt
    assert fmt in RENDERERS
    assert {".html", ".md"} <= set(EXTENSIONS)
