"""The house as a picture (issue 13): no module over 600 lines, the case part (appeals) imports no part
built on top of it, and the parts' packages form no import circle at all. Imports are read with
``ast`` (module level and inside functions alike), so a lazy import inside a function counts as much
as one at the top.

The core is layered, each part importing only those before it (decision 0044):

    lib < api (its shared errors and messages; api.root composes) < audit < regions < accounts < households

audit records and shows the trail; regions holds places and the one jurisdiction filter; accounts
holds people, posts and roles; households the register. What a lower part needs from a higher one is
registered by the higher part in its AppConfig.ready(): accounts gives jurisdiction a user's posts and
what their roles mean (regions.jurisdiction.register_posts) and the trail page who reads which events
(audit.trail.register_readers); households gives regions how its records follow a village that merges
or splits (regions.services.register_movers)."""

from __future__ import annotations

import ast
from pathlib import Path

import minqing

ROOT = Path(minqing.__file__).parent
MAX_LINES = 600

# Parts built on top of the cases: appeals must not know them (they register with it instead).
ABOVE_APPEALS = ("disputes", "checklists", "enterprises", "dashboards", "briefing", "nlp", "fieldwork", "portal",
                 "notices")

# Modules whose job is to wire every part together; they import the parts, the parts never import them,
# so they are not edges of their package (api.root mounts every router, demo.generator runs every demo).
COMPOSITION_ROOTS = {"minqing.api.root", "minqing.demo.generator"}

# Package edges that would close a circle, each with why it is there. The test fails if one of them
# disappears (remove it from the list) and if any circle remains once they are left out. None today:
# keep it so; a higher part registers with a lower one instead (module docstring).
ALLOWED_BACK_EDGES: dict[tuple[str, str], str] = {}

# The core's layers, lowest first: a part imports only the parts before it.
CORE_LAYERS = ("lib", "api", "audit", "regions", "accounts", "households")


def _modules() -> list[tuple[str, Path]]:
    out = []
    for path in sorted(ROOT.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out.append((".".join(parts), path))
    return out


def _imports(name: str, path: Path) -> set[str]:
    """Every module name imported anywhere in the file (``from x import y`` gives x and x.y)."""
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            found.add(module)
            found.update(f"{module}.{a.name}" for a in node.names)
    return found


def _part(module: str) -> str | None:
    bits = module.split(".")
    if len(bits) < 2 or bits[0] != "minqing" or not (ROOT / bits[1] / "__init__.py").exists():
        return None
    return bits[1]


def _graph() -> dict[str, dict[str, set[str]]]:
    """part → part it imports → the importing modules."""
    graph: dict[str, dict[str, set[str]]] = {}
    for name, path in _modules():
        src = _part(name)
        if src is None or name in COMPOSITION_ROOTS:
            continue
        for imported in _imports(name, path):
            dst = _part(imported)
            if dst is not None and dst != src:
                graph.setdefault(src, {}).setdefault(dst, set()).add(name)
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One circle of the graph, or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(v: str) -> list[str] | None:
        state[v] = 1
        stack.append(v)
        for w in sorted(graph.get(v, ())):
            if state.get(w) == 1:
                return stack[stack.index(w):] + [w]
            if w not in state and (found := visit(w)):
                return found
        state[v] = 2
        stack.pop()
        return None

    for v in sorted(graph):
        if v not in state and (found := visit(v)):
            return found
    return None


def test_no_module_is_over_600_lines():
    long = {name: n for name, path in _modules()
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not long, f"split these modules by what they hold: {long}"


def test_appeals_imports_no_part_built_on_it():
    wrong = sorted((name, imported) for name, path in _modules() if _part(name) == "appeals"
                   for imported in _imports(name, path) if _part(imported) in ABOVE_APPEALS)
    assert not wrong, f"appeals imports a part above it: {wrong}"


def test_appeals_imports_no_higher_part_in_the_graph():
    assert not set(_graph().get("appeals", {})) & set(ABOVE_APPEALS)


def test_the_parts_form_no_import_circle_beyond_the_listed_edges():
    graph = _graph()
    rest = {a: {b for b in bs if (a, b) not in ALLOWED_BACK_EDGES} for a, bs in graph.items()}
    circle = _cycle(rest)
    assert circle is None, "import circle between parts: " + " → ".join(
        f"{a} ({sorted(graph[a][b])[0]})" for a, b in zip(circle, circle[1:], strict=False)) + f" → {circle[-1]}"


def test_every_listed_edge_still_exists():
    graph = _graph()
    gone = [edge for edge in ALLOWED_BACK_EDGES if edge[1] not in graph.get(edge[0], {})]
    assert not gone, f"these edges are gone, remove them from ALLOWED_BACK_EDGES: {gone}"


def test_the_core_imports_only_downwards():
    graph = _graph()
    upward = sorted((low, high, sorted(graph[low][high])[0]) for i, low in enumerate(CORE_LAYERS)
                    for high in CORE_LAYERS[i + 1:] if high in graph.get(low, {}))
    assert not upward, f"a core part imports one above it (part, higher part, first module): {upward}"


def test_the_circle_finder_finds_a_circle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": {"c"}}) is None
