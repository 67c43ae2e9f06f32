"""The config file: defaults, syntax errors with line numbers, bad keys, env override."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from tuireader.store.config import (
    ClipboardConfig,
    Config,
    config_path,
    load_config,
    unknown_key_bindings,
)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_missing_file_means_defaults(tmp_path: Path) -> None:
    config, messages = load_config(tmp_path / "nope.toml")
    assert config == Config()
    assert messages == []
    assert config.mark_read_on_open is True
    assert config.mark_read_after_seconds == 1.5
    assert config.clipboard == ClipboardConfig(osc52=True, native=True, native_timeout=2.0)


def test_full_valid_file(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
corpus = "~/notes"
theme = "nord"
mark_read_on_open = false
mark_read_after_seconds = 3

[keys]
copy_link = "c"
next_unread = "n, ctrl+n"

[clipboard]
osc52 = false
native = true
native_timeout = 0.5
""",
    )
    config, messages = load_config(path)
    assert messages == []
    assert config.corpus == Path.home() / "notes"
    assert config.theme == "nord"
    assert config.mark_read_on_open is False
    assert config.mark_read_after_seconds == 3.0
    assert dict(config.keys) == {"copy_link": "c", "next_unread": "n,ctrl+n"}
    assert config.clipboard == ClipboardConfig(osc52=False, native=True, native_timeout=0.5)


def test_config_is_immutable(tmp_path: Path) -> None:
    config, _ = load_config(write(tmp_path, '[keys]\nquit = "q"\n'))
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.theme = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        config.keys["quit"] = "x"  # type: ignore[index]


def test_relative_corpus_is_relative_to_the_config_file(tmp_path: Path) -> None:
    config, _ = load_config(write(tmp_path, 'corpus = "articles"\n'))
    assert config.corpus == tmp_path / "articles"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('theme = "nord"\nbroken = \n', ("config.toml line 2, column ", "Invalid value")),
        ("[keys]\n[keys]\n", ("config.toml line 2, column ", "Cannot declare")),
        ("x = [1,", ("config.toml (end of file): ", "Invalid value")),
    ],
)
def test_invalid_toml_names_the_line_and_gives_defaults(
    tmp_path: Path, text: str, expected: tuple[str, str]
) -> None:
    config, messages = load_config(write(tmp_path, text))
    assert config == Config()
    assert len(messages) == 1
    prefix, reason = expected
    assert messages[0].startswith(prefix)
    assert reason in messages[0]
    assert messages[0].endswith("using defaults")


def test_non_utf8_and_unreadable_files_give_defaults(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(b'theme = "\xff"\n')
    config, messages = load_config(path)
    assert config == Config() and len(messages) == 1 and "UTF-8" in messages[0]

    folder = tmp_path / "dir.toml"
    folder.mkdir()
    config, messages = load_config(folder)
    assert config == Config() and len(messages) == 1 and "cannot read" in messages[0]


def test_bad_values_fall_back_per_key(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
theme = 3
mark_read_on_open = "yes"
mark_read_after_seconds = -1
corpus = ""

[keys]
copy_link = "c"
quit = ""
help = 5
search = "ctrl+f,,/"

[clipboard]
osc52 = 1
native = false
native_timeout = 0
""",
    )
    config, messages = load_config(path)
    assert messages == [
        "config.toml: `theme` must be a non-empty string; using the default",
        "config.toml: `mark_read_on_open` must be true or false; using the default",
        "config.toml: `mark_read_after_seconds` must be a number of seconds, 0 or more; "
        "using the default",
        "config.toml: `corpus` must be a non-empty string; using the default",
        'config.toml: [keys] `quit` must be a key like "c" or "ctrl+n,n"; keeping the default key',
        'config.toml: [keys] `help` must be a key like "c" or "ctrl+n,n"; keeping the default key',
        'config.toml: [keys] `search` must be a key like "c" or "ctrl+n,n"; '
        "keeping the default key",
        "config.toml: `clipboard.osc52` must be true or false; using the default",
        "config.toml: `clipboard.native_timeout` must be a number of seconds, more than 0; "
        "using the default",
    ]
    # The good keys still apply.
    assert dict(config.keys) == {"copy_link": "c"}
    assert config.clipboard == ClipboardConfig(osc52=True, native=False, native_timeout=2.0)
    assert (config.theme, config.corpus, config.mark_read_after_seconds) == (None, None, 1.5)


def test_booleans_are_not_numbers(tmp_path: Path) -> None:
    config, messages = load_config(write(tmp_path, "mark_read_after_seconds = true\n"))
    assert config.mark_read_after_seconds == 1.5
    assert len(messages) == 1


def test_tables_of_the_wrong_kind(tmp_path: Path) -> None:
    config, messages = load_config(write(tmp_path, 'keys = "c"\nclipboard = true\n'))
    assert config == Config()
    assert messages == [
        "config.toml: `keys` must be a table like [keys]; using the default",
        "config.toml: `clipboard` must be a table like [clipboard]; using the default",
    ]


def test_unknown_keys_are_reported(tmp_path: Path) -> None:
    text = 'them = "nord"\nmark_read_on_open = false\n[clipboard]\nosc_52 = false\n[colors]\n'
    config, messages = load_config(write(tmp_path, text))
    assert config.mark_read_on_open is False
    assert messages == [
        "config.toml: unknown key `them`; ignored",
        "config.toml: unknown key `clipboard.osc_52`; ignored",
        "config.toml: unknown key `colors`; ignored",
    ]


def test_unknown_binding_ids_are_reported_against_the_apps_ids(tmp_path: Path) -> None:
    config, _ = load_config(write(tmp_path, '[keys]\ncopy_link = "c"\ncopy_lnik = "y"\n'))
    assert unknown_key_bindings(config, ["copy_link", "quit"]) == [
        "config.toml: [keys] `copy_lnik` is not a known binding id; ignored"
    ]


def test_env_overrides_config_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = write(tmp_path, 'theme = "gruvbox"\n')
    monkeypatch.setenv("TUIREADER_CONFIG", str(path))
    assert config_path() == path
    config, messages = load_config()
    assert config.theme == "gruvbox" and messages == []

    monkeypatch.setenv("TUIREADER_CONFIG", "")
    assert config_path().name == "config.toml"
    assert "tuireader" in str(config_path())
