"""The world outside: the clipboard, the browser, helper processes.

- `clipboard`: OSC 52 always, and a native copy when a display is really there.
- `browser`: `open_in_browser`, for http, https and mailto only.
- `processes`: `spawn_context` and `quiet_worker`, for helper processes that stay quiet and end
  with the app.

Nothing is imported here (see `tuireader.model`).
"""
