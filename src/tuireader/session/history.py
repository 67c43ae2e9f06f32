"""Back and forward through the articles opened, as a browser goes through pages."""

from __future__ import annotations

HISTORY_KEPT = 200


class History:
    """The articles opened, in order, and where the user is among them."""

    def __init__(self, kept: int = HISTORY_KEPT) -> None:
        self._ids: list[str] = []
        self._at = -1
        self._kept = kept

    def visit(self, article_id: str) -> None:
        """An article was opened: it follows the current one, and what was ahead is dropped."""
        if 0 <= self._at < len(self._ids) and self._ids[self._at] == article_id:
            return
        del self._ids[self._at + 1 :]
        self._ids.append(article_id)
        if len(self._ids) > self._kept:
            del self._ids[0]
        self._at = len(self._ids) - 1

    def back(self) -> str | None:
        """Step back; the article to show, or None at the start."""
        if self._at <= 0:
            return None
        self._at -= 1
        return self._ids[self._at]

    def forward(self) -> str | None:
        """Step forward again; the article to show, or None at the end."""
        if self._at >= len(self._ids) - 1:
            return None
        self._at += 1
        return self._ids[self._at]

    def forget(self, gone: set[str]) -> None:
        """Drop articles that no longer exist."""
        current = self._ids[self._at] if 0 <= self._at < len(self._ids) else None
        self._ids = [i for i in self._ids if i not in gone]
        self._at = self._ids.index(current) if current in self._ids else len(self._ids) - 1
