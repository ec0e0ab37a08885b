"""The tree keeps its shape: no import cycles (not even through an import inside a
function), no module over 300 lines, and layers that point one way."""

from __future__ import annotations

import ast
import subprocess
import sys
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("memory_service", "agent_cli")
MAX_LINES = 300


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


def _imports(path: Path, modules: dict[str, Path]) -> set[str]:
    """Every project module `path` imports, at the top or inside a function."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name in modules)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                child = f"{node.module}.{alias.name}"
                if child in modules:
                    out.add(child)
                elif node.module in modules:
                    out.add(node.module)
    return out


def test_no_module_imports_itself_back_through_others() -> None:
    modules = _modules()
    graph = {name: _imports(path, modules) - {name} for name, path in modules.items()}
    try:
        tuple(TopologicalSorter(graph).static_order())
    except CycleError as error:
        raise AssertionError(f"import cycle: {' -> '.join(error.args[1])}") from None


def test_no_module_is_over_300_lines() -> None:
    long = {
        str(path.relative_to(ROOT)): n
        for path in _modules().values()
        if (n := len(path.read_text().splitlines())) > MAX_LINES
    }
    assert long == {}, f"split these modules (over {MAX_LINES} lines): {long}"


# Each layer's refused imports, and the exceptions to them; a name covers its submodules.
LAYERS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "memory_service.services": (("memory_service.api", "memory_service.ui", "fastapi"), ()),
    "memory_service.store": (("memory_service.api", "memory_service.services"), ()),
    # agentmem talks to the service over HTTP and shares only its schemas (decisions/0034).
    "agent_cli": (("memory_service",), ("memory_service.schemas",)),
    # The shared schemas stay pure pydantic, cheap to import for agentmem.
    "memory_service.schemas": (
        ("memory_service", "sqlmodel", "fastapi", "chromadb", "onnxruntime"),
        ("memory_service.schemas",),
    ),
}


def _within(name: str, packages: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(f"{p}.") for p in packages)


def _targets(node: ast.AST) -> list[str]:
    """What an import statement names: `from a import b` names `a.b`."""
    if isinstance(node, ast.Import):
        return [a.name for a in node.names]
    if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
        return [f"{node.module}.{a.name}" for a in node.names]
    return []


def test_layers_point_one_way() -> None:
    wrong = []
    for name, path in _modules().items():
        tree = ast.parse(path.read_text())
        for layer, (refused, allowed) in LAYERS.items():
            if not _within(name, (layer,)):
                continue
            wrong += [
                f"{name} imports {target}"
                for node in ast.walk(tree)
                for target in _targets(node)
                if _within(target, refused) and not _within(target, allowed)
            ]
    assert wrong == []


def test_the_shared_schemas_load_without_the_services_dependencies() -> None:
    schemas = sorted(p.stem for p in (ROOT / "memory_service" / "schemas").glob("[a-z]*.py"))
    probe = (
        "import importlib, sys\n"
        f"for name in {schemas!r}:\n"
        "    importlib.import_module(f'memory_service.schemas.{name}')\n"
        "heavy = ('sqlmodel', 'sqlalchemy', 'fastapi', 'starlette', 'chromadb', 'onnxruntime')\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & set(heavy)))\n"
    )
    ran = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip() == "[]"


def test_routes_never_open_a_sql_session() -> None:
    """Routes (api/, ui/) ask the services; only services and the store speak SQL."""
    opened = []
    for name, path in _modules().items():
        if not name.startswith(("memory_service.api", "memory_service.ui")):
            continue
        text = path.read_text()
        for needle in (".db.read(", ".db.write(", "from sqlmodel", "import sqlalchemy"):
            if needle in text:
                opened.append(f"{name}: {needle}")
        # Services answer routes with public models; table rows stay inside.
        if name.startswith("memory_service.api") and "from memory_service.models import" in text:
            opened.append(f"{name}: imports table models")
    assert opened == []
