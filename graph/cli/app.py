"""`glossgraph app`: start the Streamlit app (graph/app, also shipped in the wheel) on a source."""

from __future__ import annotations

__all__ = ["APP_SCRIPT", "app", "streamlit_command"]

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import click

from graph.app import MAIN_SCRIPT
from graph.appstate import (
    ALLOW_PATH_ENV,
    ALLOW_WRITE_ENV,
    DEFAULT_SAMPLE,
    HISTORY_ENV,
    MAX_UPLOAD_BYTES,
    SOURCE_ENV,
    WATCH_ENV,
)
from graph.cli.base import cli, open_source, run_state, stderr
from graph.errors import UsageError
from graph.stores import is_neo4j_uri

#: The Streamlit entry point, inside the package so an installed wheel serves the app too.
APP_SCRIPT = MAIN_SCRIPT


def streamlit_command(port: int, host: str) -> list[str]:
    """The command that serves the app: headless, no usage statistics, the app's upload limit, no GC after each run."""
    return [
        sys.executable, "-m", "streamlit", "run", str(APP_SCRIPT),
        "--server.port", str(port),
        "--server.address", host,
        "--server.headless", "true",
        "--browser.gatherUsageStats", "false",
        "--server.maxUploadSize", str(MAX_UPLOAD_BYTES // (1024 * 1024)),
        "--server.fileWatcherType", "none",
        "--client.toolbarMode", "viewer",
        # Streamlit runs a full garbage collection after every script run: at 100,000 concepts that
        # walked the whole store, 3-4 s added to every page a visitor opened, and it starved the
        # Overview's background computation during its once-a-second refresh. Python's own
        # generational collection still runs.
        "--runner.postScriptGC", "false",
    ]


@cli.command()
@click.argument("source", required=False)
@click.option("--port", type=click.IntRange(1, 65535), default=8501, show_default=True, help="Port to serve on.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--dataset", metavar="NAME", help="Dataset name inside a Neo4j database.")
@click.option("--neo4j-user", envvar="NEO4J_USERNAME", help="Neo4j user [env NEO4J_USERNAME].")
@click.option("--neo4j-password", envvar="NEO4J_PASSWORD", help="Neo4j password [env NEO4J_PASSWORD].")
@click.option("--neo4j-database", envvar="NEO4J_DATABASE", help="Neo4j database [env NEO4J_DATABASE].")
@click.option(
    "--allow-path",
    type=click.Path(exists=True, file_okay=False, resolve_path=True),
    metavar="DIR",
    help="Let visitors load files and folders inside DIR by path (off by default: any visitor could read them).",
)
@click.option(
    "--history",
    "history_dir",
    type=click.Path(exists=True, file_okay=False, resolve_path=True),
    metavar="DIR",
    help="A folder of dated snapshots: the Audit page charts each check's count across them.",
)
@click.option(
    "--allow-write",
    is_flag=True,
    help="Let the Audit page apply fixes to the source files (off by default: any visitor could edit them).",
)
@click.option("--watch", is_flag=True, help="Reload the source when its files change; pages keep their place.")
def app(source: str | None, port: int, host: str, allow_path: str | None, history_dir: str | None, allow_write: bool,
        watch: bool, **params: Any) -> None:
    """Open the app on SOURCE (default: the bundled sample glossary) at http://HOST:PORT/.

    SOURCE is loaded once first, so a source that does not load fails here with one line.
    """
    source = source or str(DEFAULT_SAMPLE)
    if not is_neo4j_uri(source):
        source = str(Path(source).resolve())
    elif watch:
        raise UsageError("--watch follows the files of a file or folder source, not a Neo4j dataset")
    open_source({"source": source, **params}).close()
    env = dict(os.environ)
    env[SOURCE_ENV] = source
    # Only these options open the path box, the fix buttons and the watcher: a variable left in
    # the shell must not turn them on silently.
    for variable, wanted in ((ALLOW_PATH_ENV, allow_path), (ALLOW_WRITE_ENV, "1" if allow_write else None),
                             (WATCH_ENV, "1" if watch else None)):
        env.pop(variable, None)
        if wanted:
            env[variable] = wanted
    env.pop(HISTORY_ENV, None)
    if history_dir:
        from graph.audit.history import snapshot_entries

        snapshot_entries(history_dir)  # a folder without snapshots fails here with one line
        env[HISTORY_ENV] = history_dir
    if run_state.get("debug"):
        env["GLOSSGRAPH_DEBUG"] = "1"  # the app shows tracebacks under its error boxes too
    if params.get("dataset"):
        env["GLOSSGRAPH_DATASET"] = params["dataset"]
    for option, variable in (("neo4j_user", "NEO4J_USERNAME"), ("neo4j_password", "NEO4J_PASSWORD"),
                             ("neo4j_database", "NEO4J_DATABASE")):
        # Secrets travel in the environment, never on the command line where `ps` shows them.
        if params.get(option):
            env[variable] = params[option]
    modes = [text for on, text in ((watch, "watching for changes"), (allow_write, "fixes may be written")) if on]
    stderr.print(f"glossgraph app on {source}: http://{host}:{port}/" + "".join(f"; {m}" for m in modes),
                 markup=False)
    command = streamlit_command(port, host)
    if os.name == "posix":
        # Become the server: signals (Ctrl-C, a test stopping it by pid) reach Streamlit directly.
        sys.stdout.flush()
        sys.stderr.flush()
        os.execve(sys.executable, command, env)
    try:
        code = subprocess.call(command, env=env)
    except KeyboardInterrupt:
        code = 130
    if code:
        raise click.exceptions.Exit(code)
