"""The module layers of ``bulletin/``: each module imports only from layers below it.

The table is ``LAYERS``; ``docs/architecture.md`` shows the same table (checked here).
Every import counts, at the top of a module or inside a function. Within a layer, the
modules of one package (``plan/``, ``search/``, ``serve/``) may import each other, without
a cycle. No module imports, or reaches through an imported module for, a private name
(``_x``) of another module.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
PACKAGE = ROOT / "bulletin"
DOC = ROOT / "docs" / "architecture.md"

LAYERS: list[tuple[str, ...]] = [
    ("messages",),
    (
        "bulletin",
        "diagnostics",
        "fsutil",
        "fingerprint",
        "parallel",
        "i18n",
        "charts",
        "slips",
        "export",
    ),
    ("config", "frontmatter", "search"),
    ("urls", "templates", "clock", "arguments"),
    ("schema", "markdown", "skeletons"),
    ("content", "importer"),
    ("cache", "checks", "issues"),
    ("sources", "model"),
    ("stats",),
    ("plan",),
    ("render", "confidential", "output", "indexing", "context"),
    ("session",),
    ("publish",),
    ("build",),
    ("watch",),
    ("console",),
    ("serve", "document_commands"),
    ("cli",),
    ("__main__",),
]
LAYER_OF = {unit: n for n, units in enumerate(LAYERS) for unit in units}


def modules() -> dict[str, Path]:
    """Dotted module name → file, for every module of the package."""
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def unit(module: str) -> str:
    """The layer unit of a module: its top-level name below ``bulletin`` (a package's
    modules share their package's unit)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "bulletin"


def imports(module: str, path: Path) -> list[tuple[str, list[str], int]]:
    """Every import of a bulletin module in ``path``: (module, names imported, line)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "bulletin":
                    found.append((alias.name, [], node.lineno))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "bulletin":
                continue
            names = [a.name for a in node.names]
            if node.module is None or target in MODULES_AND_PACKAGES:
                # ``from . import x``: x may be a module of that package
                subs = [f"{target}.{n}" for n in names if f"{target}.{n}" in MODULES_AND_PACKAGES]
                if subs:
                    found += [(s, [], node.lineno) for s in subs]
                    names = [n for n in names if f"{target}.{n}" not in MODULES_AND_PACKAGES]
                    if not names:
                        continue
            found.append((target, names, node.lineno))
    return found


MODULES = modules()
MODULES_AND_PACKAGES = set(MODULES)


def graph() -> dict[str, set[str]]:
    return {m: {t for t, _n, _l in imports(m, p)} - {m} for m, p in MODULES.items()}


def test_every_module_has_a_layer() -> None:
    units = {unit(m) for m in MODULES}
    assert units == set(LAYER_OF), (
        f"not in LAYERS: {sorted(units - set(LAYER_OF))}; "
        f"in LAYERS but gone: {sorted(set(LAYER_OF) - units)}"
    )


def test_modules_import_only_from_layers_below() -> None:
    wrong = []
    for module, path in MODULES.items():
        mine = unit(module)
        for target, _names, line in imports(module, path):
            theirs = unit(target)
            if theirs == mine:
                continue  # within one package (checked for cycles below)
            if LAYER_OF[theirs] >= LAYER_OF[mine]:
                wrong.append(
                    f"{path.relative_to(ROOT)}:{line}: {module} (layer {LAYER_OF[mine]}) "
                    f"imports {target} (layer {LAYER_OF[theirs]})"
                )
    assert not wrong, "\n".join(wrong)


def test_no_import_cycle() -> None:
    edges = graph()
    state: dict[str, int] = {}
    cycles = []

    def visit(m: str, stack: list[str]) -> None:
        state[m] = 1
        for t in sorted(edges.get(m, ())):
            if t not in edges:
                continue
            if state.get(t) == 1:
                cycles.append(" → ".join([*stack[stack.index(t) :], t]))
            elif t not in state:
                visit(t, [*stack, t])
        state[m] = 2

    for m in sorted(edges):
        if m not in state:
            visit(m, [m])
    assert not cycles, "\n".join(cycles)


def test_no_private_name_crosses_a_module() -> None:
    wrong = []
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        aliases = set()
        for target, names, line in imports(module, path):
            for name in names:
                if name.startswith("_") and not name.startswith("__"):
                    wrong.append(f"{path.relative_to(ROOT)}:{line}: imports {target}.{name}")
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom | ast.Import):
                for alias in node.names:
                    aliases.add(alias.asname or alias.name.split(".")[0])
        bulletin_aliases = {
            t.rpartition(".")[2] for t, names, _l in imports(module, path) if not names
        } & aliases
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in bulletin_aliases
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
            ):
                wrong.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.value.id}.{node.attr}")
    assert not wrong, "\n".join(wrong)


def documented_layers() -> list[tuple[str, ...]]:
    """The layer table of docs/architecture.md: rows ``| n | `a`, `b` | job |``."""
    rows = []
    for line in DOC.read_text(encoding="utf-8").splitlines():
        m = re.match(r"\|\s*(\d+)\s*\|([^|]*)\|", line)
        if m:
            assert int(m.group(1)) == len(rows), f"layer rows out of order at: {line}"
            rows.append(tuple(re.findall(r"`([\w.]+)/?`", m.group(2))))
    return rows


def test_the_architecture_document_shows_these_layers() -> None:
    assert documented_layers() == LAYERS


def long_modules() -> dict[str, str]:
    """The section "Modules over 500 lines" of docs/architecture.md: file → reason."""
    text = DOC.read_text(encoding="utf-8")
    section = text.partition("## Modules over 500 lines")[2].partition("\n## ")[0]
    return dict(re.findall(r"^- `([\w/]+\.py)`[^:]*: (.+)$", section, re.M))


@pytest.mark.parametrize("module", sorted(MODULES))
def test_modules_stay_small_unless_the_document_says_why(module: str) -> None:
    path = MODULES[module]
    lines = path.read_text(encoding="utf-8").count("\n")
    name = path.relative_to(PACKAGE).as_posix()
    if lines > 500:
        assert name in long_modules(), f"{name}: {lines} lines, and no reason given for it"
