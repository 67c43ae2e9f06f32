"""The shape of the package: a core that never imports Textual, and no import cycles."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "tuireader"
CORE = ("model", "corpus", "search", "render", "store", "system", "session")


def _modules() -> dict[str, Path]:
    modules = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        modules[".".join(parts)] = path
    return modules


def _type_checking_only(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imported(path: Path, known: set[str]) -> set[str]:
    """Every tuireader module `path` imports, at module level or inside a function, leaving out
    imports made for type checking only."""
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _type_checking_only(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            # `from tuireader.corpus import cache` imports the module `tuireader.corpus.cache`.
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Call) and _is_import_module(node):
            first = node.args[0] if node.args else None
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                found.add(first.value)
        for inner in ast.iter_child_nodes(node):
            visit(inner)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    return {name for name in found if name in known}


def _is_import_module(node: ast.Call) -> bool:
    func = node.func
    return isinstance(func, ast.Attribute) and func.attr == "import_module"


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle of `graph`, or None."""
    done: set[str] = set()
    path: list[str] = []
    on_path: set[str] = set()

    def visit(module: str) -> list[str] | None:
        if module in on_path:
            return [*path[path.index(module) :], module]
        if module in done:
            return None
        path.append(module)
        on_path.add(module)
        for target in sorted(graph[module]):
            if (found := visit(target)) is not None:
                return found
        path.pop()
        on_path.discard(module)
        done.add(module)
        return None

    for module in sorted(graph):
        if (found := visit(module)) is not None:
            return found
    return None


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imported(path, set(modules)) - {name} for name, path in modules.items()}


def test_no_module_imports_itself_back_through_others() -> None:
    cycle = _cycle(_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_the_cycle_finder_finds_a_cycle() -> None:
    # The test above is only as good as this.
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_the_core_never_imports_the_interface() -> None:
    graph = _graph()
    leaks = {
        module: sorted(target for target in targets if target.startswith("tuireader.ui"))
        for module, targets in graph.items()
        if module.split(".")[1:2] and module.split(".")[1] in CORE
    }
    assert {module: targets for module, targets in leaks.items() if targets} == {}


def test_every_subsystem_is_a_package() -> None:
    for name in (*CORE, "ui"):
        assert (PACKAGE / name / "__init__.py").is_file(), name
    flat = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert flat == ["__init__.py", "cli.py"]


@pytest.mark.parametrize("package", CORE)
def test_a_core_package_imports_without_textual(package: str) -> None:
    modules = sorted(
        name
        for name in _modules()
        if name == f"tuireader.{package}" or name.startswith(f"tuireader.{package}.")
    )
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "leaked = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "print(','.join(leaked))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert done.stdout.strip() == "", f"{package} imported {done.stdout.strip()}"
