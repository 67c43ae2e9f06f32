"""The user's TOML config file: default folder, theme, reading behaviour, key remaps, clipboard.

Loading never raises. Every problem becomes one human message and the affected key keeps its
default, so a typo in one line never costs the user the rest of their settings::

    config, messages = load_config()     # show `messages` as warnings at startup

Example file::

    corpus = "~/notes"
    theme = "nord"
    mark_read_on_open = true
    mark_read_after_seconds = 1.5

    [keys]
    copy_link = "c"
    next_unread = "n,ctrl+n"

    [clipboard]
    osc52 = true
    native = true
    native_timeout = 2.0
"""

from __future__ import annotations

import math
import os
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

import platformdirs

CONFIG_ENV = "TUIREADER_CONFIG"
_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")
_TOML_AT_END = " (at end of document)"


@dataclass(frozen=True, slots=True)
class ClipboardConfig:
    """How links and text are copied: OSC 52 through the terminal, the native tool, or both."""

    osc52: bool = True
    native: bool = True
    native_timeout: float = 2.0


@dataclass(frozen=True, slots=True)
class Config:
    """Settings from the config file; every field has a usable default.

    `keys` maps binding ids to Textual key strings, already normalized ("j, down" -> "j,down").
    """

    corpus: Path | None = None
    theme: str | None = None
    mark_read_on_open: bool = True
    mark_read_after_seconds: float = 1.5
    keys: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    clipboard: ClipboardConfig = field(default_factory=ClipboardConfig)


def config_path() -> Path:
    """Where the config file is read from: `$TUIREADER_CONFIG` or the platform's config dir."""
    override = os.environ.get(CONFIG_ENV)
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_config_dir("tuireader")) / "config.toml"


def load_config(path: Path | None = None) -> tuple[Config, list[str]]:
    """Read the config file at `path` (default: `config_path()`); return it with messages.

    A missing file gives the defaults silently. An unreadable or syntactically invalid file gives
    the defaults and one message (naming the line for TOML errors). Otherwise each bad or unknown
    key gives one message and keeps its default; the valid keys still apply.
    """
    path = config_path() if path is None else path
    name = path.name
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        return Config(), []
    except OSError as error:
        return Config(), [f"{path}: cannot read it ({error.strerror or error}); using defaults"]
    except UnicodeDecodeError:
        return Config(), [f"{name}: not UTF-8 text; using defaults"]
    except tomllib.TOMLDecodeError as error:
        return Config(), [f"{_describe_toml_error(name, error)}; using defaults"]
    return _ConfigReader(name, path.parent).read(data)


def _describe_toml_error(name: str, error: tomllib.TOMLDecodeError) -> str:
    # Python 3.11's TOMLDecodeError has no line attribute; the position ends its message.
    message = str(error)
    position = _TOML_POSITION.search(message)
    if position is not None:
        return f"{name} line {position[1]}, column {position[2]}: {message[: position.start()]}"
    if message.endswith(_TOML_AT_END):
        return f"{name} (end of file): {message.removesuffix(_TOML_AT_END)}"
    return f"{name}: {message}"


def unknown_key_bindings(config: Config, binding_ids: Iterable[str]) -> list[str]:
    """Messages for `[keys]` entries that name no binding of the app (the app knows the ids)."""
    known = set(binding_ids)
    return [
        f"config.toml: [keys] `{binding_id}` is not a known binding id; ignored"
        for binding_id in config.keys
        if binding_id not in known
    ]


class _ConfigReader:
    """Checks one parsed file key by key, collecting a message per problem."""

    def __init__(self, name: str, folder: Path) -> None:
        self.name = name
        self.folder = folder
        self.messages: list[str] = []

    def read(self, data: dict[str, Any]) -> tuple[Config, list[str]]:
        config = Config()
        fields: dict[str, Callable[[str, Any], Any]] = {
            "corpus": self._corpus,
            "theme": self._string,
            "mark_read_on_open": self._bool,
            "mark_read_after_seconds": self._non_negative,
        }
        for key, value in data.items():
            if key in fields:
                checked = fields[key](key, value)
                if checked is not None:
                    config = replace(config, **{key: checked})
            elif key == "keys":
                config = replace(config, keys=self._keys(value))
            elif key == "clipboard":
                config = replace(config, clipboard=self._clipboard(value))
            else:
                self._warn(f"unknown key `{key}`; ignored")
        return config, self.messages

    def _warn(self, text: str) -> None:
        self.messages.append(f"{self.name}: {text}")

    def _bad(self, key: str, expected: str) -> None:
        self._warn(f"`{key}` must be {expected}; using the default")

    def _string(self, key: str, value: Any) -> str | None:
        if isinstance(value, str) and value.strip():
            return value.strip()
        self._bad(key, "a non-empty string")
        return None

    def _bool(self, key: str, value: Any) -> bool | None:
        if isinstance(value, bool):
            return value
        self._bad(key, "true or false")
        return None

    def _non_negative(self, key: str, value: Any) -> float | None:
        seconds = _finite_number(value)
        if seconds is not None and seconds >= 0:
            return seconds
        self._bad(key, "a number of seconds, 0 or more")
        return None

    def _positive(self, key: str, value: Any) -> float | None:
        seconds = _finite_number(value)
        if seconds is not None and seconds > 0:
            return seconds
        self._bad(key, "a number of seconds, more than 0")
        return None

    def _corpus(self, key: str, value: Any) -> Path | None:
        text = self._string(key, value)
        if text is None:
            return None
        folder = Path(text).expanduser()
        # Relative to the config file, not to wherever tuireader happens to be started.
        return folder if folder.is_absolute() else self.folder / folder

    def _keys(self, value: Any) -> Mapping[str, str]:
        if not isinstance(value, dict):
            self._bad("keys", "a table like [keys]")
            return MappingProxyType({})
        keys: dict[str, str] = {}
        for binding_id, key_string in value.items():
            normalized = _normalize_keys(key_string)
            if normalized is None:
                self._warn(
                    f'[keys] `{binding_id}` must be a key like "c" or "ctrl+n,n"; '
                    "keeping the default key"
                )
            else:
                keys[binding_id] = normalized
        return MappingProxyType(keys)

    def _clipboard(self, value: Any) -> ClipboardConfig:
        clipboard = ClipboardConfig()
        if not isinstance(value, dict):
            self._bad("clipboard", "a table like [clipboard]")
            return clipboard
        checks: dict[str, Callable[[str, Any], Any]] = {
            "osc52": self._bool,
            "native": self._bool,
            "native_timeout": self._positive,
        }
        for key, item in value.items():
            if key not in checks:
                self._warn(f"unknown key `clipboard.{key}`; ignored")
                continue
            checked = checks[key](f"clipboard.{key}", item)
            if checked is not None:
                clipboard = replace(clipboard, **{key: checked})
        return clipboard


def _normalize_keys(value: Any) -> str | None:
    """ "j, down" -> "j,down"; None for anything that is not a list of non-empty key names."""
    if not isinstance(value, str):
        return None
    parts = [part.strip() for part in value.split(",")]
    if not all(parts) or any(" " in part for part in parts):
        return None
    return ",".join(parts)


def _finite_number(value: Any) -> float | None:
    # TOML booleans are not numbers, even though Python's bool is an int.
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return None
