"""What tuireader keeps between runs, outside the folder it reads.

- `state`: `StateStore` and `FolderState`, per folder: read and bookmarked articles, positions,
  filter, order, theme.
- `config`: `load_config` and `Config`, the user's TOML file.
- `atomicfile`: atomic writes and locks for both.

Nothing is imported here (see `tuireader.model`).
"""
