"""Widgets of the reader, grouped by screen area."""
