"""Shared pytest set-up: fixture plugins from tests/fixtures/ and paths to the bundled data."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
SAMPLE = ROOT / "data" / "ai-glossary"

# Progress bars would only clutter captured output.
os.environ.setdefault("GLOSSGRAPH_NO_PROGRESS", "1")

# Each module in tests/fixtures/ is a plugin (the Neo4j server, the browser, ...).
pytest_plugins = sorted(
    f"fixtures.{p.stem}" for p in (Path(__file__).parent / "fixtures").glob("*.py") if p.stem != "__init__"
)


@pytest.fixture(scope="session")
def sample_dir() -> Path:
    """The bundled AI glossary."""
    return SAMPLE


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """Hand-written test inputs."""
    return DATA
