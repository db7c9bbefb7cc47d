"""The glossgraph command line: a thin front end over graph/ (see ``glossgraph --help``)."""

from __future__ import annotations

__all__ = ["cli", "main"]

import importlib
import pkgutil
import sys

import click

from graph.cli.base import cli, stderr
from graph.errors import GlossgraphError

# Every module of this package registers its commands on `cli` when imported.
for _module in pkgutil.iter_modules(__path__):
    if _module.name != "base":
        importlib.import_module(f"{__name__}.{_module.name}")


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; errors become one line on stderr and exit code 2 (1 for nothing found / no path)."""
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
        stderr.print(f"error: {error}", markup=False)
        return error.exit_code
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
