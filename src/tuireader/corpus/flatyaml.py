"""A fast path for the flat YAML that most frontmatter is written in.

`yaml.load` costs ~55 µs of CPU for a five-line frontmatter, nearly all of it in PyYAML's
constructor, which is Python even when libyaml parses; a folder of 10k articles pays that at
every cold start. Most frontmatter is one `key: value` per line, each value a plain scalar, a
quoted string without escapes, or a one-line flow list of those. `FlatYaml.load` reads exactly
that shape and declines everything else, however harmless (comments, anchors, tags, block
scalars, nesting, escapes, tabs...), so that the caller runs the real parser.

Scalars are resolved and constructed by the given loader's own resolver and constructors, so a
plain `yes`, `1:20` or `2024-02-30` becomes whatever that loader makes of it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

from yaml.nodes import ScalarNode

_STR = "tag:yaml.org,2002:str"
# The tags of plain scalars whose constructors only read the scalar's text. Others (`=` is a
# "value", `<<` a merge key) mean something to the mapping around them: declined.
_SCALAR_TAGS = frozenset(
    (
        "tag:yaml.org,2002:null",
        "tag:yaml.org,2002:bool",
        "tag:yaml.org,2002:int",
        "tag:yaml.org,2002:float",
        "tag:yaml.org,2002:timestamp",
    )
)

# Anything but a newline and the characters YAML reads as ordinary text: line breaks other than
# \n (\r, NEL, LS, PS), tabs, controls, the BOM and the non-characters.
_UNUSUAL_CHAR = re.compile(
    "[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
)
# A key at the start of the line (libyaml refuses simple keys over 1,024 characters).
_KEY_LINE = re.compile(r"(\w[\w.-]{0,99}):(?: +(.*))?")
_DOUBLE_QUOTED = re.compile(r'"([^"\\]*)" *')
_SINGLE_QUOTED = re.compile(r"'((?:[^']|'')*)' *")
# Characters that give a plain scalar another meaning when they start it.
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")
# One item of a flow list and what follows it. A plain item has no colon (libyaml versions
# disagree on `[a:b]`) and no quote.
_FLOW_ITEM = re.compile(
    r" *(?:\"(?P<double>[^\"\\]*)\"|'(?P<single>(?:[^']|'')*)'"
    r"|(?P<plain>[^-?:,\[\]{}#&*!|>'\"%@` ][^,\[\]{}:\"']*?)) *(?P<end>[,\]])"
)
_EMPTY_FLOW = re.compile(r"\[ *\] *")
_CACHED_CHARS = 40  # longer scalars (titles) rarely repeat; the cache holds 4,096 short ones


class _NotFlat(Exception):
    """The block is not in the shape this module reads."""


class FlatYaml:
    """Loads flat YAML mappings exactly as `yaml.load(block, Loader=loader_class)` would."""

    def __init__(self, loader_class: Any) -> None:
        if loader_class.yaml_path_resolvers:
            # They type a scalar by where it is in the document, which this does not track.
            raise ValueError("FlatYaml cannot follow a loader with path resolvers")
        # One idle loader lends its resolver and constructors; neither keeps state for scalars.
        self._loader = loader_class("")
        # Keys and many short values (tags, layouts) repeat from file to file.
        self._cached_tag: Callable[[str], str] = functools.lru_cache(maxsize=4096)(self._resolve)

    def load(self, block: str) -> dict[str, Any] | None:
        """The mapping `block` holds, or None when it is not flat YAML (parse it with PyYAML).

        Errors are declined too: the real parser reports them in its own words.
        """
        if _UNUSUAL_CHAR.search(block):
            return None
        mapping: dict[str, Any] = {}
        try:
            for line in block.split("\n"):
                if not line:
                    continue
                match = _KEY_LINE.fullmatch(line)
                if match is None:
                    return None
                key = match[1]
                if self._cached_tag(key) != _STR:
                    return None
                # A repeated key keeps its first place and its last value, as in PyYAML.
                mapping[key] = self._value(match[2] or "")
        except Exception:  # _NotFlat, or a constructor's error
            return None
        return mapping or None

    def _value(self, text: str) -> Any:
        first = text[:1]
        if first == '"':
            return _whole(_DOUBLE_QUOTED, text)[1]
        if first == "'":
            return _whole(_SINGLE_QUOTED, text)[1].replace("''", "'")
        if first == "[":
            return self._flow_list(text)
        if first in _INDICATORS or " #" in text or ": " in text:
            raise _NotFlat
        text = text.rstrip(" ")
        if text.endswith(":"):
            raise _NotFlat
        return self._scalar(text)

    def _flow_list(self, text: str) -> list[Any]:
        if _EMPTY_FLOW.fullmatch(text):
            return []
        items: list[Any] = []
        position = 1
        while True:
            match = _FLOW_ITEM.match(text, position)
            if match is None:
                raise _NotFlat
            position = match.end()
            if match["double"] is not None:
                items.append(match["double"])
            elif match["single"] is not None:
                items.append(match["single"].replace("''", "'"))
            elif " #" in match["plain"]:
                raise _NotFlat
            else:
                items.append(self._scalar(match["plain"]))
            if match["end"] == "]":
                break
        if text[position:].strip(" "):
            raise _NotFlat
        return items

    def _scalar(self, text: str) -> Any:
        tag = self._cached_tag(text) if len(text) <= _CACHED_CHARS else self._resolve(text)
        if tag == _STR:
            return text
        if tag not in _SCALAR_TAGS:
            raise _NotFlat
        # Looked up now, not when this loader was made: constructors may be added later.
        return self._loader.yaml_constructors[tag](self._loader, ScalarNode(tag, text))

    def _resolve(self, text: str) -> str:
        tag: str = self._loader.resolve(ScalarNode, text, (True, False))
        return tag


def _whole(pattern: re.Pattern[str], text: str) -> re.Match[str]:
    match = pattern.fullmatch(text)
    if match is None:
        raise _NotFlat
    return match
