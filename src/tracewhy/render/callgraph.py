"""The service call graph laid out for SVG: layers left to right, callers before callees.

Cycles (services calling each other) are broken at their weakest edge, which is then drawn as
an arc back; each service's column is the longest call path reaching it.  Within a column,
services are ordered by the mean row of their callers, then by critical time, which keeps most
edges short and uncrossed.
"""

from __future__ import annotations

from typing import Any

import networkx as nx

from tracewhy.analysis.analyze import Analysis
from tracewhy.render.context_types import CallGraph, GraphEdge, GraphNode
from tracewhy.render.format import duration, percent
from tracewhy.render.texts import Texts, css_layer, plural, shorten

MAX_NODES = 40
NODE_W, NODE_H, GAP_X, GAP_Y, PAD = 190, 52, 90, 22, 16


def build_call_graph(analysis: Analysis, texts: Texts) -> CallGraph:
    services = _services(analysis.graph)
    kept = sorted(services, key=lambda s: (-services[s]["critical_us"], -services[s]["total_us"],
                                           s))[:MAX_NODES]
    sub = nx.DiGraph()
    sub.add_nodes_from(kept)
    sub.add_edges_from((u, v, d) for u, v, d in analysis.graph.edges(data=True)
                       if d.get("type") == "calls" and u in sub and v in sub and u != v)
    pos = _layout(sub, services)
    layer_of = _service_layers(analysis)
    total = analysis.root_duration_us
    nodes = [_node(texts, services[s], pos[s], layer_of.get(services[s]["service"], "unknown"),
                   total) for s in sorted(sub.nodes, key=lambda s: pos[s])]
    edges = [_edge(texts, services, u, v, d, pos)
             for u, v, d in sorted(sub.edges(data=True), key=lambda e: (e[0], e[1]))]
    cols = max((x for x, _ in pos.values()), default=0) + 1
    rows = max((y for _, y in pos.values()), default=0) + 1
    left = len(services) - len(kept)
    note = f"{plural(left, 'service')} with the least critical time left out" if left else ""
    return CallGraph(PAD * 2 + cols * NODE_W + (cols - 1) * GAP_X,
                     PAD * 2 + rows * NODE_H + (rows - 1) * GAP_Y + 24, nodes, edges, note)


def _services(graph: nx.DiGraph) -> dict[str, dict[str, Any]]:
    return {node: data for node, data in graph.nodes(data=True) if data.get("type") == "service"}


def _layout(graph: nx.DiGraph, services: dict[str, dict[str, Any]]) -> dict[str, tuple[int, int]]:
    """(column, row) of each node: longest-path layers of the graph made acyclic."""
    dag = _acyclic(graph)
    column: dict[str, int] = {}
    for node in nx.lexicographical_topological_sort(dag):
        column[node] = max((column[p] + 1 for p in dag.predecessors(node)), default=0)
    by_col: dict[int, list[str]] = {}
    for node, col in column.items():
        by_col.setdefault(col, []).append(node)
    pos: dict[str, tuple[int, int]] = {}
    for col in sorted(by_col):
        def weight(node: str) -> tuple[float, int, str]:
            rows = [pos[p][1] for p in graph.predecessors(node) if p in pos]
            mean = sum(rows) / len(rows) if rows else 0.0
            return (mean, -int(services[node]["critical_us"]), node)
        for row, node in enumerate(sorted(by_col[col], key=weight)):
            pos[node] = (col, row)
    return pos


def _acyclic(graph: nx.DiGraph) -> nx.DiGraph:
    """A copy without cycles: each cycle loses its edge with the least critical time, calls."""
    dag = graph.copy()
    while True:
        try:
            cycle = nx.find_cycle(dag)
        except nx.NetworkXNoCycle:
            return dag
        weakest = min(cycle, key=lambda e: (dag.edges[e[0], e[1]]["critical_us"],
                                            dag.edges[e[0], e[1]]["calls"], e[0], e[1]))
        dag.remove_edge(weakest[0], weakest[1])


def _service_layers(analysis: Analysis) -> dict[str, str]:
    """Each service's layer: the engine's by_service, else its hop with most critical time."""
    out: dict[str, str] = {}
    for hop in sorted(analysis.hops, key=lambda h: h.critical_us):
        out[hop.service] = css_layer(hop.layer)
    for row in analysis.by_service:
        if isinstance(row, dict) and isinstance(row.get("service"), str):
            out[row["service"]] = css_layer(row.get("layer"))
    return out


def _xy(pos: tuple[int, int]) -> tuple[float, float]:
    return PAD + pos[0] * (NODE_W + GAP_X), PAD + pos[1] * (NODE_H + GAP_Y)


def _node(texts: Texts, data: dict[str, Any], pos: tuple[int, int], layer: str,
          total: int) -> GraphNode:
    x, y = _xy(pos)
    name = texts.text(data["service"], 200)
    crit = int(data["critical_us"])
    stats = f"crit {duration(crit)} ({percent(crit / total)})" if total else \
        f"crit {duration(crit)}"
    errors = f"{data['errors']:,} errors" if data["errors"] else ""
    title = f"{name}: {data['calls']:,} spans, {stats}" + (f", {errors}" if errors else "")
    return GraphNode(x, y, NODE_W, NODE_H, shorten(name, 26), title, stats, errors, layer)


def _edge(texts: Texts, services: dict[str, dict[str, Any]], u: str, v: str,
          data: dict[str, Any], pos: dict[str, tuple[int, int]]) -> GraphEdge:
    (ux, uy), (vx, vy) = _xy(pos[u]), _xy(pos[v])
    if pos[v][0] > pos[u][0]:  # forward: right side to left side
        x0, y0, x1, y1 = ux + NODE_W, uy + NODE_H / 2, vx, vy + NODE_H / 2
        mx = (x0 + x1) / 2
        path = f"M{x0:g},{y0:g} C{mx:g},{y0:g} {mx:g},{y1:g} {x1:g},{y1:g}"
        lx, ly = mx, (y0 + y1) / 2 - 4
    else:  # back or same-layer edge: an arc under the boxes
        x0, y0, x1, y1 = ux + NODE_W / 2, uy + NODE_H, vx + NODE_W / 2 + 8, vy + NODE_H
        drop = max(y0, y1) + GAP_Y * 0.9
        path = f"M{x0:g},{y0:g} C{x0:g},{drop:g} {x1:g},{drop:g} {x1:g},{y1:g}"
        lx, ly = (x0 + x1) / 2, drop - 2
    crit, errors = int(data["critical_us"]), int(data["errors"])
    label = f"{data['calls']:,}×" + (f" · crit {duration(crit)}" if crit else "") + \
        (f" · {errors} err" if errors else "")
    names = f"{texts.text(services[u]['service'], 120)} → {texts.text(services[v]['service'], 120)}"
    return GraphEdge(path, label, round(lx, 1), round(ly, 1), f"{names}: {label}", crit > 0,
                     errors > 0)
