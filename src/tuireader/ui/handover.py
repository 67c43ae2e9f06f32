"""Handing the terminal to another program (an editor, a console browser) and taking it back."""

from __future__ import annotations

import subprocess

from textual.app import App, SuspendNotSupported


def run_in_terminal(app: App[object], command: list[str]) -> str | None:
    """Suspend `app`, run `command` in its terminal, resume; None on success, else why not."""
    try:
        with app.suspend():
            completed = subprocess.run(command, check=False)
    except SuspendNotSupported:
        return "this terminal cannot be handed to another program"
    except OSError as error:
        return f"could not start {command[0]}: {error.strerror or error}"
    if completed.returncode != 0:
        return f"{command[0]} ended with status {completed.returncode}"
    return None
