"""Spans that share an id: identical copies, Zipkin client/server halves, pieces, conflicts.

Order of the rules follows Jaeger's adjusters: first make ids unique (the Zipkin split), then
dedupe.  Every decision depends on span content, never on input order, so shuffling the input
gives the same result.
"""

from __future__ import annotations

import hashlib
from operator import attrgetter
from typing import Any

from tracewhy.ids import is_hex
from tracewhy.model import CLIENT, SERVER, UNSPECIFIED, MergedSpan, Span
from tracewhy.normalise.repairs import Repairs
from tracewhy.normalise.skew import host_of

_SPAN_ID = attrgetter("span_id")


def resolve_duplicates(spans: list[Span], repairs: Repairs,
                       merged: list[MergedSpan]) -> list[Span]:
    """Return spans with unique ids; removed copies are recorded in ``merged``."""
    if len(set(map(_SPAN_ID, spans))) == len(spans):
        return spans  # the usual case, told in C
    first: dict[str, Span] = {}
    groups: dict[str, list[Span]] = {}
    for span in spans:
        seen = first.setdefault(span.span_id, span)
        if seen is not span:
            groups.setdefault(span.span_id, [seen]).append(span)
    if not groups:
        return spans
    taken = set(first)
    in_groups = {id(span) for group in groups.values() for span in group}
    replacements: dict[str, list[Span]] = {}
    reparent: dict[str, tuple[Span, list[Span]]] = {}  # shared id -> (client, server halves)
    for span_id in sorted(groups):
        group = _drop_identical(groups[span_id], repairs, merged)
        group = _merge_pieces(group, repairs, merged)
        split = _split_shared(group, taken, repairs)
        if split is not None:
            reparent[span_id] = split
        _rename_conflicts(group, taken, repairs)
        replacements[span_id] = group
    out = [span for span in spans if id(span) not in in_groups]
    for span_id in sorted(replacements):
        out.extend(replacements[span_id])
    _reattach_children(out, reparent, groups, repairs)
    return out


def _content_key(span: Span) -> tuple[Any, ...]:
    """A total order on span content: spans that differ never tie, so input order cannot decide
    which copy keeps the id or which piece hosts a merge."""
    return (span.start_us is None, span.start_us or 0, span.duration_us is None,
            span.duration_us or 0, span.kind, span.service, span.name, span.parent_id or "",
            repr(sorted(span.attributes.items(), key=lambda kv: kv[0])), span.status,
            span.status_message, span.shared, span.parent_ref, repr(span.events),
            repr(span.links), repr(sorted(span.resource.items(), key=lambda kv: kv[0])))


def _drop_identical(group: list[Span], repairs: Repairs, merged: list[MergedSpan]) -> list[Span]:
    unique: list[Span] = []
    for span in sorted(group, key=_content_key):
        if any(span == kept for kept in unique):
            merged.append(MergedSpan(span.span_id, span.span_id, "identical copy removed"))
            repairs.note("duplicate-identical", span.span_id)
        else:
            unique.append(span)
    return unique


def _compatible(a: Span, b: Span) -> bool:
    """Pieces of one span: same side (service, host, kind), no field that disagrees.

    A piece without a kind (instrumentation that reports a span's name or tags separately, as
    in zipkin-lens/smartthings-*.json) joins the half of its own service and host; Zipkin's
    ``shared`` flag only tells the halves apart, so such a piece may join a shared half.
    """
    if a.service != b.service or not _same_host(a, b):
        return False
    if a.kind != b.kind and UNSPECIFIED not in (a.kind, b.kind):
        return False
    kindless = (a.kind == UNSPECIFIED and not a.shared) or (b.kind == UNSPECIFIED and not b.shared)
    if a.shared != b.shared and not kindless:
        return False
    pairs = ((a.name, b.name), (a.start_us, b.start_us), (a.duration_us, b.duration_us),
             (a.parent_id, b.parent_id))
    return all(x == y or not x or not y for x, y in pairs)


def _same_host(a: Span, b: Span) -> bool:
    """Zipkin's rule for endpoints sent in pieces: equal, or one side does not say."""
    ha, hb = host_of(a), host_of(b)
    return ha == hb or not ha or not hb


def _merge_pieces(group: list[Span], repairs: Repairs, merged: list[MergedSpan]) -> list[Span]:
    out: list[Span] = []
    for span in group:
        host = next((kept for kept in out if _compatible(kept, span)), None)
        if host is None:
            out.append(span)
            continue
        host.name = host.name or span.name
        host.kind = span.kind if host.kind == UNSPECIFIED else host.kind
        host.shared = host.shared or span.shared
        host.resource = host.resource or span.resource
        host.links = host.links + tuple(link for link in span.links if link not in host.links)
        host.start_us = host.start_us or span.start_us
        host.duration_us = host.duration_us or span.duration_us
        host.parent_id = host.parent_id or span.parent_id
        host.attributes = {**span.attributes, **host.attributes}
        host.events = host.events + tuple(e for e in span.events if e not in host.events)
        if span.status == "error":
            host.status = span.status
            host.status_message = host.status_message or span.status_message
        merged.append(MergedSpan(span.span_id, host.span_id, "piece of the same span merged"))
        repairs.note("duplicate-merged", span.span_id)
    return out


def _split_shared(group: list[Span], taken: set[str],
                  repairs: Repairs) -> tuple[Span, list[Span]] | None:
    """Zipkin: give each server half its own id under the client that shares its id."""
    clients = [s for s in group if s.kind == CLIENT and not s.shared]
    servers = [s for s in group if s not in clients and (s.kind == SERVER or s.shared)]
    if len(clients) != 1 or not servers:
        return None
    client = clients[0]
    for number, server in enumerate(servers):
        new_id = _derived_id(server.span_id, f"server/{server.service}/{number}", taken)
        server.original_id = server.span_id
        server.span_id = new_id
        server.parent_id = client.span_id
        repairs.note("shared-span-split", new_id)
    return client, servers


def _rename_conflicts(group: list[Span], taken: set[str], repairs: Repairs) -> None:
    remaining = [s for s in group if s.original_id is None]
    for number, span in enumerate(remaining[1:], start=2):
        new_id = f"{span.span_id}#{number}"
        while new_id in taken:
            new_id += "'"
        taken.add(new_id)
        span.original_id = span.span_id
        span.span_id = new_id
        repairs.note("duplicate-conflict", new_id)


def _reattach_children(spans: list[Span], reparent: dict[str, tuple[Span, list[Span]]],
                       groups: dict[str, list[Span]], repairs: Repairs) -> None:
    """Children of a split shared id belong to a server half (Zipkin's B3 convention)."""
    for span in spans:
        pid = span.parent_id
        if pid is None or pid not in groups or span.original_id == pid:
            continue
        split = reparent.get(pid)
        if split is not None:
            client, servers = split
            same_service = [s for s in servers if s.service == span.service]
            if same_service or span.service != client.service:
                span.parent_id = (same_service or servers)[0].span_id
        elif len(groups[pid]) > 1 and any(s.original_id == pid for s in groups[pid]):
            repairs.note("ambiguous-parent", span.span_id)


def _derived_id(span_id: str, salt: str, taken: set[str]) -> str:
    counter = 0
    while True:
        if is_hex(span_id):
            digest = hashlib.blake2b(f"{span_id}/{salt}/{counter}".encode(), digest_size=8)
            candidate = digest.hexdigest()
        else:
            candidate = f"{span_id}~{salt.split('/')[0]}{counter or ''}"
        if candidate not in taken:
            taken.add(candidate)
            return candidate
        counter += 1
