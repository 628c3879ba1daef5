"""Per-span algorithms on integer-indexed arrays, and their roll-ups.

``index`` turns a Trace into arrays; ``critical_path`` and ``self_time`` run on them;
``hops`` rolls spans up by service and operation; ``graph`` builds the networkx call graph
from those roll-ups (never from individual spans); ``analyze`` runs them all.
"""
