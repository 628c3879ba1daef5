"""The virtual timeline: a tree of planned spans, built on a clock that only moves forward.

Services are written as ordinary code (``with b.span(...): b.wait(...)``) but time is a
seeded cursor, not the wall clock, so a run is deterministic and a thousand traces take
seconds.  The finished tree is then emitted through the real OpenTelemetry SDK
(:mod:`tracewhy.demo.emit`).  Times are integer microseconds.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")

# Span kinds, as the SDK names them.
SERVER = "server"
CLIENT = "client"
INTERNAL = "internal"


@dataclass(frozen=True, slots=True)
class Process:
    """One instrumented process (a pod's container): everything its Resource says."""

    service: str
    version: str
    pod: str
    ip: str
    container: str
    language: str

    def resource(self) -> dict[str, Any]:
        return {
            "service.name": self.service,
            "service.version": self.version,
            "service.namespace": "ml-serving",
            "service.instance.id": f"{self.pod}/{self.container}",
            "k8s.namespace.name": "ml-serving",
            "k8s.pod.name": self.pod,
            "k8s.container.name": self.container,
            "telemetry.sdk.language": self.language,
        }


@dataclass(slots=True)
class Event:
    time_us: int
    name: str
    attributes: dict[str, Any]


@dataclass(slots=True, eq=False)
class Node:
    """A planned span.  ``role`` lets scenarios find the spans their truth file names."""

    process: Process
    scope: str
    name: str
    kind: str
    start_us: int
    end_us: int
    attributes: dict[str, Any]
    role: str = ""
    error: str | None = None  # status ERROR with this description
    events: list[Event] = field(default_factory=list)
    children: list[Node] = field(default_factory=list)
    span_id: str = ""  # filled in when the SDK emits the span

    def walk(self) -> Iterator[Node]:
        stack = [self]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.children))

    def find(self, role: str) -> list[Node]:
        return [node for node in self.walk() if node.role == role]


class Dice:
    """Seeded draws in the shapes the simulation needs (latencies are log-normal)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def us(self, median_us: float, spread: float = 0.25) -> int:
        """A latency around ``median_us``; ``spread`` is the log-normal sigma."""
        return max(1, round(median_us * math.exp(self.rng.gauss(0.0, spread))))

    def between(self, low: int, high: int) -> int:
        return self.rng.randint(low, high)

    def uniform(self, low: float, high: float) -> float:
        return self.rng.uniform(low, high)

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def pick(self, items: Sequence[T], weights: Sequence[float] | None = None) -> T:
        return self.rng.choices(items, weights)[0]


class Builder:
    """Builds one trace's tree; ``t`` is the virtual clock of the code being simulated."""

    def __init__(self, dice: Dice, start_us: int) -> None:
        self.d = dice
        self.t = start_us
        self.root: Node | None = None
        self._open: list[Node] = []

    @contextmanager
    def span(self, process: Process, scope: str, name: str, kind: str,
             attributes: dict[str, Any] | None = None, role: str = "") -> Iterator[Node]:
        node = Node(process, scope, name, kind, self.t, self.t, dict(attributes or {}), role)
        if self._open:
            self._open[-1].children.append(node)
        elif self.root is None:
            self.root = node
        else:
            raise RuntimeError("a trace has one root")
        self._open.append(node)
        try:
            yield node
        finally:
            self._open.pop()
            self.t = max(self.t, node.start_us + 1)  # no zero-length spans
            node.end_us = self.t

    @property
    def current(self) -> Node:
        """The innermost open span: the one the code being simulated is running in."""
        return self._open[-1]

    def wait(self, us: int) -> None:
        self.t += max(0, us)

    def event(self, name: str, attributes: dict[str, Any] | None = None) -> None:
        self._open[-1].events.append(Event(self.t, name, dict(attributes or {})))

    def rewind(self, t: int) -> None:
        """Move the clock back to ``t`` after :func:`cut` shortened the last finished span."""
        self.t = t


def cut(node: Node, deadline: int) -> None:
    """The caller gave up at ``deadline``: end everything still running there.

    Work that had not started is dropped; spans still open end a microsecond inside their
    parent (a cancelled callee notices after its caller), with their status codes removed and
    proxies flagged ``DC`` (downstream connection termination), as Envoy does.
    """
    _cut(node, deadline, 0)


def _cut(node: Node, deadline: int, depth: int) -> None:
    if node.end_us <= deadline - depth:
        return
    node.end_us = max(node.start_us + 1, deadline - depth)
    for key in ("http.response.status_code", "rpc.grpc.status_code", "grpc.status_code"):
        node.attributes.pop(key, None)
    if node.attributes.get("component") == "proxy":
        node.attributes["response_flags"] = "DC"
        node.error = None
    node.events = [e for e in node.events if e.time_us <= node.end_us]
    kept = [c for c in node.children if c.start_us < node.end_us - 1]
    node.children = kept
    for child in kept:
        _cut(child, node.end_us, 1)
