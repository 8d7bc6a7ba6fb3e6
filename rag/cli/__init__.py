"""The ``rag`` command line: the :func:`cli` group (:mod:`.common`) and a module per
command group, registered here. A front end: nothing outside ``rag.cli`` imports it."""

from __future__ import annotations

import sys

import click

from rag.cli.ask import ask_cmd, chat_cmd, retrieve_cmd
from rag.cli.common import Context, cli, crash_line, friendly_errors, read_queries
from rag.cli.evaluate import eval_group
from rag.cli.feedback import feedback_group
from rag.cli.feeds import feeds_group, sync_cmd
from rag.cli.indexing import docs_cmd, index_cmd, remove_cmd
from rag.cli.serve import doctor_cmd, mcp_cmd, serve_cmd
from rag.cli.summarize import summarize_cmd

for _command in (
    index_cmd,
    retrieve_cmd,
    docs_cmd,
    remove_cmd,
    ask_cmd,
    chat_cmd,
    doctor_cmd,
    serve_cmd,
    mcp_cmd,
    eval_group,
    feedback_group,
    summarize_cmd,
    feeds_group,
    sync_cmd,
):
    cli.add_command(_command)


def main() -> None:
    """Entry point of the ``rag`` console script: the one place where an exception no
    command foresaw becomes one line (and the path of a log with its traceback)."""
    try:
        cli.main(prog_name="rag", standalone_mode=False)
    except click.UsageError as exc:  # a bad option or value: one line, as every error
        hint = f" (see `{exc.ctx.command_path} --help`)" if exc.ctx is not None else ""
        click.echo(f"Error: {exc.format_message()}{hint}", err=True)
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.Abort:
        click.echo("Aborted!", err=True)
        sys.exit(1)
    except Exception as exc:  # noqa: BLE001 (the last edge: anything left is reported)
        click.echo(crash_line(exc), err=True)
        sys.exit(1)


__all__ = ["Context", "cli", "friendly_errors", "main", "read_queries"]
