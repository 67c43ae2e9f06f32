"""The Textual interface: the only package that imports Textual.

- `app`: `TuiReaderApp`, the layout, start-up and loading; `flows/` the main screen's flows.
- `widgets/`: the sidebar (`ArticleList`), the reader (`ArticleView`), the footer (`KeyHints`).
- `screens/`: the dialogs (help, links, problems, tags). `tuireader.tcss`: every style.
"""
