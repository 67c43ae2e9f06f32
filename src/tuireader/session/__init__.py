"""What the interface drives, without Textual: one reading session over one folder.

- `loading`: `LoadDriver`, the whole start-up load as a stream of events (`LoadProgress`,
  `LoadDone`, `IndexReady`) for the interface to consume: batches from the cache and the
  workers, the first titles, the index, the cache saved.
- `reader`: `ReaderSession`, the state the interface shows: the library, the reading state, the
  index or plain scan, the search shown, the problems, and the sidebar's and status line's text.

Nothing is imported here (see `tuireader.model`).
"""
