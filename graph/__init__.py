"""glossgraph: the library behind the CLI and the app (model, stores, queries, audit, export, diff)."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
