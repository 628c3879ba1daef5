"""tracewhy: where the time went in a distributed trace, and why."""

__version__ = "0.1.0"
