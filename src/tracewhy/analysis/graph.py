"""The call graph of a trace as a networkx DiGraph, built from roll-ups, never per span.

Nodes are services (``"svc:<service>"``, type "service") and operations
(``"op:<service>/<operation>"``, type "operation").  "calls" edges join a caller to a callee at
both levels, with the callee side's call count, total, self and critical time and errors;
"contains" edges join a service to each of its operations.
"""

from __future__ import annotations

from typing import Any

import networkx as nx

from tracewhy.analysis.hops import CallEdge, Hop

_FIELDS = ("calls", "total_us", "self_us", "critical_us", "errors")


def service_node(service: str) -> str:
    return f"svc:{service}"


def operation_node(service: str, operation: str) -> str:
    return f"op:{service}/{operation}"


def build_call_graph(hops: list[Hop], edges: list[CallEdge]) -> nx.DiGraph:
    """Nodes and edges are added in bulk (networkx does its checks and cache clearing once per
    call, not once per node), in the order one add per hop would give."""
    services: dict[str, dict[str, Any]] = {}
    for hop in hops:
        totals = services.get(hop.service)
        if totals is None:
            totals = services[hop.service] = {"type": "service", "service": hop.service,
                                              **dict.fromkeys(_FIELDS, 0)}
        for name in _FIELDS:
            totals[name] += getattr(hop, name)
    nodes: list[tuple[str, dict[str, Any]]] = []
    contains: list[tuple[str, str, dict[str, Any]]] = []
    for hop in hops:
        svc, op = service_node(hop.service), operation_node(hop.service, hop.operation)
        totals = services.pop(hop.service, None)
        if totals is not None:  # the service's first hop: its node comes first
            nodes.append((svc, totals))
        nodes.append((op, {"type": "operation", "service": hop.service,
                           "operation": hop.operation, "layer": hop.layer,
                           **{name: getattr(hop, name) for name in _FIELDS}}))
        contains.append((svc, op, {"type": "contains"}))
    graph = nx.DiGraph()
    graph.add_nodes_from(nodes)
    graph.add_edges_from(contains)
    graph.add_edges_from((caller, callee, {"type": "calls", **dict(zip(_FIELDS, totals,
                                                                        strict=True))})
                         for (caller, callee), totals in _edge_totals(edges).items())
    return graph


def _edge_totals(edges: list[CallEdge]) -> dict[tuple[str, str], list[int]]:
    """Operation edges as node names, plus the service edges they add up to (calls within one
    service are operation edges only)."""
    totals: dict[tuple[str, str], list[int]] = {}
    names: dict[tuple[str, str], str] = {}  # each hop's node name, made once
    for caller, callee, row in edges:
        caller_node = names.get(caller) or names.setdefault(caller, operation_node(*caller))
        callee_node = names.get(callee) or names.setdefault(callee, operation_node(*callee))
        keys = [(caller_node, callee_node)]
        if callee[0] != caller[0]:
            keys.append((service_node(caller[0]), service_node(callee[0])))
        for key in keys:
            total = totals.get(key)
            if total is None:
                totals[key] = list(row)
            else:
                for j, value in enumerate(row):
                    total[j] += value
    return totals


def graph_to_dict(graph: nx.DiGraph) -> dict[str, Any]:
    nodes = [{"id": node, **data} for node, data in sorted(graph.nodes(data=True))]
    edges = [{"source": u, "target": v, **data}
             for u, v, data in sorted(graph.edges(data=True), key=lambda e: (e[0], e[1]))]
    return {"directed": True, "nodes": nodes, "edges": edges}


def graph_to_dot(graph: nx.DiGraph) -> str:
    """Graphviz DOT of the service level (with operation counts in the labels)."""
    lines = ["digraph tracewhy {", "  rankdir=LR;", "  node [shape=box, fontname=Helvetica];"]
    for node, data in sorted(graph.nodes(data=True)):
        if data["type"] != "service":
            continue
        label = f"{data['service']}\n{data['calls']} spans, crit {data['critical_us']} µs"
        style = ", color=red" if data["errors"] else ""
        lines.append(f"  {_dot_id(node)} [label={_dot_str(label)}{style}];")
    for u, v, data in sorted(graph.edges(data=True), key=lambda e: (e[0], e[1])):
        if data["type"] != "calls" or not u.startswith("svc:"):
            continue
        label = f"{data['calls']} calls, crit {data['critical_us']} µs"
        if data["errors"]:
            label += f", {data['errors']} errors"
        lines.append(f"  {_dot_id(u)} -> {_dot_id(v)} [label={_dot_str(label)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _dot_id(node: str) -> str:
    return _dot_str(node)


def _dot_str(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'
