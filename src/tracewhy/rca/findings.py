"""The finding: one explained fact about where time or errors came from, with its evidence."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tracewhy.rca.context import RcaContext


@dataclass
class Evidence:
    text: str
    span_ids: list[str] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "span_ids": self.span_ids, "values": self.values}


@dataclass
class Finding:
    kind: str
    title: str
    service: str
    operation: str
    layer: str
    span_ids: list[str]
    impact_us: int  # critical-path time this finding accounts for
    evidence: list[Evidence]
    rule: str
    culprit: int = -1  # span index that stands for the finding in the 5 Whys
    detail: dict[str, Any] = field(default_factory=dict)  # kind-specific facts for the whys
    id: str = ""

    def to_dict(self, ctx: RcaContext) -> dict[str, Any]:
        return {
            "id": self.id, "kind": self.kind, "title": self.title, "service": self.service,
            "operation": self.operation, "layer": self.layer, "span_ids": self.span_ids,
            "impact_us": self.impact_us, "share": round(ctx.share(self.impact_us), 6),
            "evidence": [e.to_dict() for e in self.evidence], "rule": self.rule,
        }


def finding_for(ctx: RcaContext, kind: str, culprit: int, *, title: str, impact_us: int,
                span_ids: list[str], evidence: list[Evidence], rule: str,
                detail: dict[str, Any] | None = None, layer: str | None = None) -> Finding:
    service, operation = ctx.hop(culprit)
    return Finding(kind=kind, title=title, service=service, operation=operation,
                   layer=layer or ctx.layer[culprit], span_ids=span_ids, impact_us=impact_us,
                   evidence=evidence, rule=rule, culprit=culprit, detail=detail or {})
