"""User layer rules from a TOML file (``--rules FILE``), tried before the built-in ones.

    [[rule]]
    name = "our featurizer"        # optional; shown as the rule that decided
    layer = "feature_store"        # one of the layers
    service = "featurizer-*"       # glob on the service name (optional)
    operation = "lookup*"          # glob on the operation name (optional)
    attribute = "db.system"        # the span (or its resource) has this attribute (optional)
    value = "redis"                # ... with a value matching this glob (optional)

Every given condition must match.  Rules are tried in file order.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path

from tracewhy.errors import ConfigError
from tracewhy.model import Span

VALID_LAYERS = ("api", "mesh", "inference", "feature_store", "database", "cache", "messaging",
                "external", "service")
_KEYS = {"name", "layer", "service", "operation", "attribute", "value"}


@dataclass(frozen=True)
class UserRule:
    name: str
    layer: str
    service: str | None = None
    operation: str | None = None
    attribute: str | None = None
    value: str | None = None

    def matches(self, span: Span) -> bool:
        if self.service is not None and not fnmatchcase(span.service, self.service):
            return False
        if self.operation is not None and not fnmatchcase(span.name, self.operation):
            return False
        if self.attribute is not None:
            found = span.attributes.get(self.attribute, span.resource.get(self.attribute))
            if found is None:
                return False
            if self.value is not None and not fnmatchcase(str(found), self.value):
                return False
        return True


def load_rules(path: str) -> list[UserRule]:
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: rules file not found") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None
    raw_rules = data.get("rule", [])
    if not isinstance(raw_rules, list):
        raise ConfigError(f"{path}: expected [[rule]] tables")
    return [_rule(path, number, raw) for number, raw in enumerate(raw_rules, 1)]


def _rule(path: str, number: int, raw: object) -> UserRule:
    where = f"{path}: rule {number}"
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: expected a table")
    unknown = set(raw) - _KEYS
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    layer = raw.get("layer")
    if layer not in VALID_LAYERS:
        raise ConfigError(f"{where}: layer must be one of {', '.join(VALID_LAYERS)}")
    if raw.get("value") is not None and raw.get("attribute") is None:
        raise ConfigError(f"{where}: 'value' needs 'attribute'")
    fields = {k: (str(v) if v is not None else None) for k, v in raw.items()
              if k not in ("name", "layer")}
    return UserRule(name=str(raw.get("name") or f"#{number}"), layer=str(layer), **fields)
