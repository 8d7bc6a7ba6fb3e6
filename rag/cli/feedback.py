"""``rag feedback list|export``: readers' thumbs up and down on answers, and the question
set they make for ``rag eval``."""

from __future__ import annotations

import json
from pathlib import Path

import click

from rag.cli.common import Context, friendly_errors
from rag.errors import UserError

RATING = click.Choice(["up", "down"])


@click.group("feedback")
def feedback_group() -> None:
    """Readers' thumbs up / down on answers (the chat's 👍 👎, the API's feedback):
    `rag feedback list` shows them, `rag feedback export FILE.yaml` makes a question set
    of them for `rag eval` (a thumbs-down is a case to fix)."""


@feedback_group.command("list")
@click.option("--rating", type=RATING, default=None, help="Only thumbs-up or thumbs-down.")
@click.option("--json", "as_json", is_flag=True, help="Print every record as JSON.")
@click.pass_obj
@friendly_errors
def feedback_list(obj: Context, rating: str | None, as_json: bool) -> None:
    """The feedback given, oldest first: date, rating, question, comment."""
    from rag.feedback import list_rows, stored_feedback, table_lines

    items = stored_feedback(obj.services().store.catalog, rating)
    if as_json:
        click.echo(json.dumps([f.to_json() for f in items], ensure_ascii=False, indent=2))
        return
    click.echo("\n".join(table_lines(list_rows(items))))


@feedback_group.command("export")
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--rating", type=RATING, default=None,
              help="Only thumbs-up (regression cases) or thumbs-down (cases to fix).")
@click.pass_obj
@friendly_errors
def feedback_export(obj: Context, path: Path, rating: str | None) -> None:
    """Write the feedback to PATH as a question set `rag eval PATH` runs: a thumbs-up
    expects the articles it cited and its short answer; a thumbs-down is marked
    `status: to-fix` with the reader's comment as its note."""
    import yaml

    from rag.feedback import TO_FIX, stored_feedback, to_question_set

    data = to_question_set(stored_feedback(obj.services().store.catalog, rating))
    text = ("# Made by `rag feedback export`: readers' thumbs up and down on answers.\n"
            "# A case marked `status: to-fix` got a thumbs-down: add what a right answer\n"
            "# holds (facts, sources, answer) once it is known. Run with `rag eval FILE`.\n"
            + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100))
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UserError(f"{path}: cannot write ({exc.strerror})") from exc
    cases = data["cases"]
    to_fix = sum(1 for c in cases if c.get("status") == TO_FIX)
    click.echo(f"{len(cases)} cases written to {path} ({to_fix} to fix); "
               f"run them with `rag eval {path}`", err=True)
