"""The glossgraph command line: a thin front end over graph/ (see ``glossgraph --help``)."""

from __future__ import annotations

__all__ = ["cli", "main"]

import importlib
import os
import pkgutil
import sys
import traceback

import click

from graph.cli.base import cli, run_state, stderr
from graph.errors import GlossgraphError

# Every module of this package registers its commands on `cli` when imported.
for _module in pkgutil.iter_modules(__path__):
    if _module.name != "base":
        importlib.import_module(f"{__name__}.{_module.name}")


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; errors become one line on stderr and exit code 2 (1 for nothing found / no path)."""
    run_state.update(command=None, debug=os.environ.get("GLOSSGRAPH_DEBUG", "").lower() not in ("", "0", "false", "no"))
    try:
        return _run(argv)
    except BrokenPipeError:
        # The reader went away (`| head`): stop quietly, and keep Python from complaining at exit.
        _silence_stdout()
        return 1
    except OSError as error:
        _traceback()
        where = f"{error.filename}: " if error.filename else ""
        stderr.print(f"error: {_operation()} failed: {where}{_one_line(error.strerror or str(error))}", markup=False)
        return 2
    except Exception as error:  # the last resort: whatever slipped through is one line, never a traceback
        _traceback()
        stderr.print(
            f"error: {_operation()} failed unexpectedly: {type(error).__name__}: {_one_line(str(error))} "
            "(run with --debug for the traceback)",
            markup=False,
        )
        return 2


def _operation() -> str:
    command = run_state.get("command")
    return f"glossgraph {command}" if command else "glossgraph"


def _one_line(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _traceback() -> None:
    if run_state.get("debug"):
        traceback.print_exc(file=sys.stderr)


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def _run(argv: list[str] | None) -> int:
    """Run the command; the errors a user can cause become one line and their exit code."""
    try:
        # Without standalone mode click hands back the code of a command's Exit instead of raising it.
        outcome = cli.main(args=argv, prog_name="glossgraph", standalone_mode=False)
        if isinstance(outcome, int):
            return outcome
    except click.exceptions.Exit as done:
        return int(done.exit_code or 0)
    except click.Abort:
        stderr.print("aborted")
        return 130
    except click.ClickException as error:
        stderr.print(f"error: {error.format_message()}", markup=False)
        return 2
    except GlossgraphError as error:
        _traceback()
        stderr.print(f"error: {error}", markup=False)
        return error.exit_code
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
