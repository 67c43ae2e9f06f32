"""Turning an article's body into styled lines for the reading pane.

- `document`: `build_document`, Markdown or plain text to `Document` blocks.
- `table`: table layout. `wrap`: wrapping styled text to a width, CJK-aware.

Nothing is imported here (see `tuireader.model`).
"""
