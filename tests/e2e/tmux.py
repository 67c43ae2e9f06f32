"""Driving the real `tuireader` command in a real terminal: a private tmux server."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

TMUX = shutil.which("tmux")
TUIREADER = Path(sys.executable).with_name("tuireader")


class TmuxSession:
    """One tmux server of our own (its own socket), so tests never touch the user's tmux."""

    def __init__(self, tmp_path: Path, *, width: int = 120, height: int = 36) -> None:
        assert TMUX is not None
        self.socket = f"tuireader-test-{uuid.uuid4().hex[:8]}"
        self.config = tmp_path / "tmux.conf"
        # set-clipboard on: tmux accepts OSC 52 from the app and puts the text in a buffer.
        self.config.write_text("set -g set-clipboard on\nset -g status off\n")
        self.width = width
        self.height = height
        self.env = {
            **os.environ,
            "TUIREADER_STATE_DIR": str(tmp_path / "state"),
            "TUIREADER_CONFIG": str(tmp_path / "config.toml"),
            "TUIREADER_CACHE_DIR": str(tmp_path / "cache"),
            "TERM": "xterm-256color",
        }
        self.env.pop("DISPLAY", None)
        self.env.pop("WAYLAND_DISPLAY", None)

    def tmux(self, *args: str) -> str:
        assert TMUX is not None
        completed = subprocess.run(
            [TMUX, "-L", self.socket, "-f", str(self.config), *args],
            capture_output=True,
            text=True,
            env=self.env,
            timeout=30,
            check=False,
        )
        return completed.stdout

    def start(self, *command: str) -> None:
        self.tmux(
            "new-session",
            "-d",
            "-x",
            str(self.width),
            "-y",
            str(self.height),
            "-s",
            "main",
            *command,
        )

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "main")

    def wait_for(self, text: str, timeout: float = 60.0) -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.2)
        raise AssertionError(f"{text!r} never appeared on screen:\n{screen}")

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", "main", *keys)

    def type(self, text: str) -> None:
        self.tmux("send-keys", "-t", "main", "-l", text)

    def buffer(self) -> str:
        return self.tmux("show-buffer")

    def kill(self) -> None:
        self.tmux("kill-server")
