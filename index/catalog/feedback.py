"""Readers' feedback on answers (thumbs up or down, a comment, and what was asked and
answered, as JSON that :mod:`rag.feedback` gives its shape); a reset of the index keeps
it."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from index.catalog.database import Database
from index.catalog.rows import FeedbackRow


class Feedback(Database):
    """The feedback table."""

    def add_feedback(
        self, rating: str, question: str, comment: str, data: Mapping[str, Any],
        created_at: str | None = None,
    ) -> FeedbackRow:
        """Store one piece of feedback (its own transaction); ``created_at`` defaults to
        now (UTC). Returns it with its id."""
        at = created_at or datetime.now(UTC).isoformat(timespec="seconds")
        text = json.dumps(dict(data), ensure_ascii=False, sort_keys=True)
        with self._db:
            cursor = self._db.execute(
                "INSERT INTO feedback (created_at, rating, question, comment, data) "
                "VALUES (?, ?, ?, ?, ?)", (at, rating, question, comment, text),
            )
        return FeedbackRow(int(cursor.lastrowid or 0), at, rating, question, comment,
                           json.loads(text))

    def feedbacks(self, rating: str | None = None) -> list[FeedbackRow]:
        """Stored feedback, oldest first; only that of ``rating`` when given."""
        select = "SELECT id, created_at, rating, question, comment, data FROM feedback"
        rows = (self._db.execute(f"{select} WHERE rating = ? ORDER BY id", (rating,))
                if rating else self._db.execute(f"{select} ORDER BY id"))
        return [FeedbackRow(r[0], r[1], r[2], r[3], r[4], json.loads(r[5])) for r in rows]

    def update_feedback(
        self, feedback_id: int, rating: str | None = None, comment: str | None = None
    ) -> bool:
        """Change the rating or the comment of stored feedback; False when there is none
        of that id."""
        with self._db:
            cursor = self._db.execute(
                "UPDATE feedback SET rating = coalesce(?, rating), "
                "comment = coalesce(?, comment) WHERE id = ?", (rating, comment, feedback_id),
            )
        return cursor.rowcount > 0

    def delete_feedback(self, feedback_id: int) -> bool:
        """Forget stored feedback (a reader took it back); False when there is none."""
        with self._db:
            cursor = self._db.execute("DELETE FROM feedback WHERE id = ?", (feedback_id,))
        return cursor.rowcount > 0
