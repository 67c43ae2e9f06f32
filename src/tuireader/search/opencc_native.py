"""OpenCC converters that load their dictionaries without holding the GIL.

The `opencc` package's `OpenCC` class holds the GIL while it loads a configuration: ~0.1 s each
for s2twp and tw2sp, during which no other thread of the app runs (the first frame, the folder
walk and the hand-off to the parsing processes all waited for it). Its extension module also
exports OpenCC's C API (`opencc_open`, `opencc_convert_utf8`, ... from `opencc.h`), and ctypes
releases the GIL around each foreign call, so the dictionaries load on the other core. That API
is used where the extension exports it; the class otherwise.

```
converter = open_converter("s2twp")
converter.convert("软件")  # '軟體'
```
"""

from __future__ import annotations

import ctypes
import functools
import importlib.util
from pathlib import Path
from typing import Protocol


class Converter(Protocol):
    def convert(self, text: str) -> str: ...


def open_converter(config: str) -> Converter:
    """A converter for an OpenCC configuration ("t2s", "s2twp", ...); slow (dictionaries load)."""
    library = _library()
    if library is not None:
        native = library.open(config)
        if native is not None:
            return native
    import opencc  # the fallback: loads holding the GIL

    return _Wrapped(opencc.OpenCC(config))


class _Wrapped:
    def __init__(self, converter: object) -> None:
        self._converter = converter

    def convert(self, text: str) -> str:
        return str(self._converter.convert(text))  # type: ignore[attr-defined]


class _NativeConverter:
    """One `opencc_t` handle; kept for the life of the process, like the class's converters."""

    def __init__(self, library: _Library, handle: int) -> None:
        self._library = library
        self._handle = handle

    def convert(self, text: str) -> str:
        if "\0" in text:  # the C API returns a NUL-terminated string
            return "\0".join(self.convert(part) for part in text.split("\0"))
        try:
            data = text.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate: nothing OpenCC could map anyway
            return text
        return self._library.convert(self._handle, data) or text


class _Library:
    """OpenCC's C API in the `opencc` package's extension module."""

    def __init__(self, path: Path, configs: Path) -> None:
        dll = ctypes.CDLL(str(path))
        self._open = dll.opencc_open
        self._open.argtypes = [ctypes.c_char_p]
        self._open.restype = ctypes.c_void_p
        self._convert = dll.opencc_convert_utf8
        self._convert.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t]
        self._convert.restype = ctypes.c_void_p  # a pointer to free, not a copied bytes
        self._free = dll.opencc_convert_utf8_free
        self._free.argtypes = [ctypes.c_void_p]
        self._free.restype = None
        self._configs = configs

    def open(self, config: str) -> _NativeConverter | None:
        path = self._configs / f"{config}.json"
        if not path.is_file():
            return None
        handle = self._open(str(path).encode())
        if not handle or handle == ctypes.c_void_p(-1).value:  # (opencc_t) -1: failed
            return None
        return _NativeConverter(self, handle)

    def convert(self, handle: int, data: bytes) -> str | None:
        pointer = self._convert(handle, data, len(data))
        if not pointer:
            return None
        try:
            return ctypes.string_at(pointer).decode("utf-8", "replace")
        finally:
            self._free(pointer)


@functools.cache
def _library() -> _Library | None:
    """The C API, found beside the `opencc` package without importing it."""
    try:
        spec = importlib.util.find_spec("opencc")
        if spec is None or not spec.submodule_search_locations:
            return None
        clib = Path(next(iter(spec.submodule_search_locations))) / "clib"
        configs = clib / "share" / "opencc"
        for path in sorted(clib.glob("opencc_clib*")):
            if path.suffix in (".so", ".pyd", ".dylib") and configs.is_dir():
                return _Library(path, configs)
    except (OSError, AttributeError, ImportError, ValueError):
        pass  # no such library, or it lacks the C API: the class is used
    return None
