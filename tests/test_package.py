"""The package as users get it: docstring examples, the README's API example, the wheel's package list,
and an installed wheel working from outside the checkout."""

from __future__ import annotations

import doctest
import importlib
import json
import os
import pkgutil
import shutil
import subprocess
import sys
import time
import tomllib
import urllib.request
from pathlib import Path

import pytest
from setuptools import find_namespace_packages

import graph
import loaders
from scripts.bench_app import free_port

ROOT = Path(__file__).resolve().parents[1]

# Streamlit page scripts run the app when imported; they hold no docstring examples.
_SCRIPTS = ("graph.app.main", "graph.app.pages.")


def _modules() -> list[str]:
    names = []
    for package in (graph, loaders):
        names.append(package.__name__)
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            if not info.name.startswith(_SCRIPTS):
                names.append(info.name)
    return sorted(names)


@pytest.mark.parametrize("module", _modules())
def test_docstring_examples(module: str) -> None:
    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


def test_docstring_examples_exist_where_promised() -> None:
    tried = sum(doctest.testmod(importlib.import_module(m)).attempted for m in ("graph", "graph.audit", "loaders.io"))
    assert tried >= 6


def test_readme_api_example_runs() -> None:
    result = doctest.testfile(str(ROOT / "README.md"), module_relative=False, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 5 and result.failed == 0


def test_pyproject_lists_every_package_in_the_tree() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    listed = set(config["packages"])
    found = set(find_namespace_packages(str(ROOT), include=["graph*", "loaders*"], exclude=["*__pycache__*"]))
    mapped = set(config["package-dir"])
    assert listed == found | mapped


def test_the_sample_ships_as_package_data() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    assert config["package-dir"]["graph.sample_data"] == "data"
    assert len(list((ROOT / "data" / "ai-glossary").glob("*.md"))) == 244


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with the project's wheel (not editable) installed; its bin folder."""
    work = tmp_path_factory.mktemp("wheel")
    # Build from a copy of the tree: setuptools' build/ folder in a checkout can hold stale modules.
    tree = work / "tree"
    shutil.copytree(ROOT, tree, ignore=shutil.ignore_patterns(
        ".git", ".venv", ".neo4j", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", "bench-out"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(work / "dist"), str(tree)],
                   check=True, cwd=work)
    wheels = list((work / "dist").glob("glossgraph-*.whl"))
    assert len(wheels) == 1
    subprocess.run([sys.executable, "-m", "venv", str(work / "venv")], check=True)
    bin_dir = work / "venv" / "bin"
    subprocess.run([str(bin_dir / "python"), "-m", "pip", "install", "--quiet", str(wheels[0])], check=True, cwd=work)
    return bin_dir


def _outside(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "GLOSSGRAPH_SOURCE")}
    env["HOME"] = str(tmp_path)
    return env


def test_installed_wheel_answers_from_outside_the_checkout(installed: Path, tmp_path: Path) -> None:
    env = _outside(tmp_path)
    where = subprocess.run(
        [str(installed / "python"), "-c", "import graph; print(graph.__file__); print(graph.SAMPLE)"],
        check=True, cwd=tmp_path, env=env, capture_output=True, text=True,
    ).stdout.splitlines()
    assert "site-packages" in where[0] and not where[0].startswith(str(ROOT))
    assert where[1].endswith("graph/sample_data/ai-glossary")
    stats = subprocess.run([str(installed / "glossgraph"), "stats", where[1], "--format", "json"],
                           check=True, cwd=tmp_path, env=env, capture_output=True, text=True)
    assert json.loads(stats.stdout)["concepts"] == 244
    readme = subprocess.run(
        [str(installed / "python"), "-c",
         "import doctest, sys; r = doctest.testfile(sys.argv[1], module_relative=False, "
         "optionflags=doctest.ELLIPSIS); print(r.attempted, r.failed)", str(ROOT / "README.md")],
        check=True, cwd=tmp_path, env=env, capture_output=True, text=True,
    )
    attempted, failed = map(int, readme.stdout.split())
    assert attempted >= 5 and failed == 0


def test_installed_wheel_serves_the_app_on_the_bundled_sample(installed: Path, tmp_path: Path) -> None:
    env = _outside(tmp_path)
    check = subprocess.run(
        [str(installed / "python"), "-c",
         "from streamlit.testing.v1 import AppTest; from graph.app import MAIN_SCRIPT; "
         "at = AppTest.from_file(str(MAIN_SCRIPT), default_timeout=60).run(); "
         "assert not at.exception, at.exception; print(at.sidebar.caption[0].value)"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )
    assert check.returncode == 0, check.stderr[-2000:]
    assert "the bundled sample glossary (ai-glossary): 244 concepts" in check.stdout.replace("\\", "")
    port = free_port()
    server = subprocess.Popen([str(installed / "glossgraph"), "app", "--port", str(port)], cwd=tmp_path, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline, body = time.monotonic() + 90, ""
        while time.monotonic() < deadline and body != "ok":
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=5) as response:
                    body = response.read().decode()
            except OSError:
                time.sleep(0.5)
        assert body == "ok"
    finally:
        server.terminate()
        server.wait(timeout=30)
