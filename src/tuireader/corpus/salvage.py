"""Recovering the valid keys of a YAML or TOML frontmatter block that fails to parse.

One bad line (Hugo's `dateday = 08`, a YAML title with an unquoted `: `) must not cost a post its
title and date. Each function here is called only after the whole block failed, so the cost of
re-parsing falls on broken files alone. What was repaired or dropped is described in notes that
end up in the article's problems.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Callable
from typing import Any

from tuireader.model.text import sanitize_line

_MAX_TOML_ATTEMPTS = 20  # re-parses per block: a block broken in more places is given up
_MAX_NOTES = 5

# tomllib says where it stopped only in its message.
_TOML_ERROR_LINE = re.compile(r"\(at line (\d+), column \d+\)")
_TOML_KEY_VALUE = re.compile(r"(\s*[\w\"'. -]+?\s*=\s*)(.*?)\s*")
# An integer with leading zeros, not part of a date, time, float or name (`2024-01-08`, `08:30`).
_LEADING_ZEROS = re.compile(r"(?<![\w.:+-])([+-]?)0+(\d+)(?![\w.:-])")
# Values that were meant as structure or a string: read as plain text they would be a guess.
_STRUCTURED_START = tuple("[{\"'")

# A YAML entry starts at a line that is not indented, a comment or a block-sequence item.
_YAML_ENTRY_START = re.compile(r"[^\s#-]")
_YAML_KEY_VALUE = re.compile(r"([\w][\w .-]{0,99}?):[ \t]+(.+?)[ \t]*")
_YAML_STRUCTURED_START = tuple("[{\"'|>&*!%")


def salvage_toml(block: str, first_line: int) -> tuple[dict[str, Any] | None, list[str]]:
    """The keys of a broken TOML block that still parse, and notes on the lines fixed or dropped.

    Re-parses after repairing (leading-zero integers read as decimal, as Hugo reads them, or a
    bare value read as text) or dropping the line each error points at. `first_line` is the
    file's line number of the block's first line, for the notes.
    """
    lines = block.split("\n")
    outcomes: dict[int, str] = {}  # line index -> what was done to it
    for _ in range(_MAX_TOML_ATTEMPTS):
        try:
            return tomllib.loads("\n".join(lines)), _notes("TOML", outcomes, first_line)
        except tomllib.TOMLDecodeError as error:
            reason = _reason(error)
            match = _TOML_ERROR_LINE.search(str(error))
            index = int(match[1]) - 1 if match else -1
            if not 0 <= index < len(lines) or not lines[index].strip():
                break  # an error at the end (an unclosed array or string): nothing to drop
            repaired = None if index in outcomes else _repair_toml_line(lines[index])
            if repaired is None:
                outcomes[index] = f"dropped ({reason})"
                lines[index] = ""  # kept as a blank line so later line numbers stay right
            else:
                outcomes[index] = f"read as {_shown(repaired[1])} ({reason})"
                lines[index] = repaired[0]
        except (RecursionError, MemoryError):
            break
    return None, []


def _repair_toml_line(line: str) -> tuple[str, str] | None:
    """The line rewritten to parse and the value it now holds, or None if it should go."""
    match = _TOML_KEY_VALUE.fullmatch(line)
    if match is None or not match[2]:
        return None
    key, value = match[1], match[2]
    if '"' not in value and "'" not in value:
        unpadded = _LEADING_ZEROS.sub(r"\1\2", value)
        if unpadded != value:
            return key + unpadded, unpadded
    if value.startswith(_STRUCTURED_START):
        return None
    return key + json.dumps(value, ensure_ascii=False), value


def salvage_yaml(
    block: str, first_line: int, load: Callable[[str], Any]
) -> tuple[dict[str, Any] | None, list[str]]:
    """The top-level entries of a broken YAML block that still parse, and notes on the others.

    Each entry (a key line and the indented or `- ` lines under it) is parsed on its own with
    `load`. An entry with a syntax error keeps its key line's value as text unless that value
    starts like YAML structure (`[`, `{`, a quote, a tag...); other broken entries are dropped.
    """
    import yaml  # already imported: `load` failed on the whole block just before

    mapping: dict[str, Any] = {}
    outcomes: dict[int, str] = {}
    for index, entry in _yaml_entries(block):
        try:
            value = load(entry)
        except (RecursionError, MemoryError):
            value = None
        except yaml.MarkedYAMLError as error:  # a syntax error: the entry's text may be kept
            mapping.update(_salvage_yaml_entry(entry, index, _reason(error), load, outcomes))
            continue
        except Exception as error:  # well-formed but not constructible (a 5,000-digit number)
            outcomes[index] = f"dropped ({_reason(error)})"
            continue
        if isinstance(value, dict):
            mapping.update(value)
        elif value is not None:
            outcomes[index] = "dropped (not a key: value entry)"
    if not mapping:
        return None, []
    return mapping, _notes("YAML", outcomes, first_line)


def _yaml_entries(block: str) -> list[tuple[int, str]]:
    """(index of its first line, text) of each top-level entry of a YAML block."""
    entries: list[tuple[int, list[str]]] = []
    for index, line in enumerate(block.split("\n")):
        if _YAML_ENTRY_START.match(line) or not entries:
            entries.append((index, [line]))
        else:
            entries[-1][1].append(line)
    return [(index, "\n".join(lines)) for index, lines in entries]


def _salvage_yaml_entry(
    entry: str, index: int, reason: str, load: Callable[[str], Any], outcomes: dict[int, str]
) -> dict[str, Any]:
    """What one broken entry still holds: its key line alone, parsed or read as text."""
    key_line, _, rest = entry.partition("\n")
    if rest.strip():  # a badly indented line under it: its key line may stand alone
        outcomes[index + 1] = f"dropped, with the rest of its entry ({reason})"
        try:
            value = load(key_line)
        except Exception:  # the key line is broken too: repaired below
            value = None
        if isinstance(value, dict):
            return value
    match = _YAML_KEY_VALUE.fullmatch(key_line)
    if match is None or match[2].startswith(_YAML_STRUCTURED_START):
        outcomes[index] = f"dropped ({reason})"
        return {}
    outcomes[index] = f"read as text ({reason})"
    return {match[1]: match[2]}


def _notes(kind: str, outcomes: dict[int, str], first_line: int) -> list[str]:
    notes = [
        f"invalid {kind} frontmatter line {first_line + index} {outcome}"
        for index, outcome in sorted(outcomes.items())
    ]
    if len(notes) > _MAX_NOTES:
        notes[_MAX_NOTES:] = [f"and {len(notes) - _MAX_NOTES} more invalid {kind} lines"]
    return notes


def _reason(error: BaseException) -> str:
    problem = getattr(error, "problem", None)  # a YAML error's own words, without its context
    message = problem if isinstance(problem, str) else str(error)
    text = sanitize_line(message.split("\n", 1)[0])
    return _TOML_ERROR_LINE.sub("", text).strip()[:80] or type(error).__name__


def _shown(value: str) -> str:
    return repr(sanitize_line(value)[:40])
