"""Rules of the house that a reviewer should not have to check by eye (issue 13.6).

- No function over 60 lines and no class over 300 lines in src/xlate (the AST says how long).
- No import cycle among xlate's modules, function-level (lazy) imports included.
- `xlate.decide` (pure decisions) imports nothing that does I/O, directly or through other modules.

Today's offenders are listed by name below with the size they have now, as a ceiling: they may
shrink, never grow, and nothing new may join. The lists shrink as issue 13 lands; an entry that
no longer offends is reported as a warning so that it is deleted.

Gone so far: decide's I/O imports, every import cycle, _Run, Store over 300 lines, translate_all.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.helpers import REPO

SRC = REPO / "src"
MAX_FUNCTION_LINES = 60
MAX_CLASS_LINES = 300

# Shrinks as issue 13 lands: qualified name -> its length today (a ceiling, not a permission to grow).
LONG_ALLOWED: dict[str, int] = {}

# Shrinks as issue 13 lands: today's offenders of ruff's complexity rules (pyproject's
# [tool.ruff.lint.per-file-ignores] lists their files; this pins them to the function).
COMPLEXITY_ALLOWED: dict[str, frozenset[str]] = {
    "bench/corpus.py::Generator.extension": frozenset({"PLR0911"}),
    "src/xlate/cliopts.py::Opt.__init__": frozenset({"PLR0913"}),
    "src/xlate/ingest/text.py::finish_article": frozenset({"PLR0913"}),
    "src/xlate/noop.py::write": frozenset({"PLR0913"}),
    "src/xlate/stages/ingest.py::ingest": frozenset({"PLR0913"}),
    "src/xlate/translate/__init__.py::translate_units": frozenset({"PLR0913"}),
    "tests/fixtures/build_models.py::train_pair": frozenset({"C901", "PLR0915"}),
    "tests/test_ingest_cli.py::test_bad_corpus_beside_good_articles_in_one_run": frozenset({"C901"}),
    # pytest fixtures and parameters arrive as arguments
    "tests/test_operations.py::test_unexpected_errors_never_show_a_traceback": frozenset({"PLR0913"}),
}

# Shrinks as issue 13 lands: today's import cycles, each as the set of modules in it.
CYCLES_ALLOWED: list[frozenset[str]] = []

# Standard-library modules whose use is I/O (files, processes, sockets, signals, logs). Not pathlib:
# records may carry a Path as a value; reading or writing through it needs `open` or `os` anyway.
IO_STDLIB = frozenset(
    {
        "os",
        "io",
        "shutil",
        "subprocess",
        "socket",
        "sqlite3",
        "tempfile",
        "urllib",
        "http",
        "fcntl",
        "signal",
        "select",
        "mmap",
        "glob",
        "logging",
        "threading",
        "multiprocessing",
        "asyncio",
        "zipfile",
        "tarfile",
    }
)


@dataclass(frozen=True)
class Module:
    name: str
    path: Path
    tree: ast.Module


def _modules() -> dict[str, Module]:
    out = {}
    for path in sorted((SRC / "xlate").rglob("*.py")):
        parts = path.relative_to(SRC).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = Module(name, path, ast.parse(path.read_text(encoding="utf-8"), str(path)))
    return out


MODULES = _modules()


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _runtime_nodes(node: ast.AST) -> Iterator[ast.AST]:
    """Every node that can run, at any depth (function bodies included), but not `if TYPE_CHECKING:` bodies."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.If) and _is_type_checking(child.test):
            yield from (n for stmt in child.orelse for n in (stmt, *_runtime_nodes(stmt)))
            continue
        yield child
        yield from _runtime_nodes(child)


def _imports(mod: Module) -> tuple[set[str], set[str]]:
    """(xlate modules, top-level names of other modules) that `mod` imports at run time, lazily or not."""
    internal: set[str] = set()
    external: set[str] = set()
    package = mod.name if mod.path.name == "__init__.py" else mod.name.rpartition(".")[0]

    def resolve(name: str) -> str:
        while name not in MODULES:  # `import xlate.a.b` names a module; a trailing attribute is not one
            name = name.rpartition(".")[0]
        return name

    for node in _runtime_nodes(mod.tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                (
                    internal.add(resolve(alias.name))
                    if alias.name.split(".")[0] == "xlate"
                    else external.add(alias.name.split(".")[0])
                )
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{base}.{node.module}" if node.module else base
            else:
                base = node.module or ""
            if base.split(".")[0] != "xlate":
                external.add(base.split(".")[0])
                continue
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                internal.add(sub if sub in MODULES else resolve(base))
    internal.discard(mod.name)
    return internal, external


GRAPH = {name: _imports(mod) for name, mod in MODULES.items()}


def _reach(graph: dict[str, set[str]], start: str) -> set[str]:
    seen: set[str] = set()
    todo = [start]
    while todo:
        for w in graph[todo.pop()] - seen:
            seen.add(w)
            todo.append(w)
    return seen


def _cycles(graph: dict[str, set[str]]) -> list[frozenset[str]]:
    """The import cycles: groups of modules that each reach the others (strongly connected components)."""
    reach = {v: _reach(graph, v) for v in graph}
    comps = {frozenset({v} | {w for w in reach[v] if v in reach[w]}) for v in graph if v in reach[v]}
    return sorted(comps, key=sorted)


def _long_definitions() -> dict[str, int]:
    long: dict[str, int] = {}

    def walk(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                name = f"{prefix}.{child.name}"
                lines = (child.end_lineno or child.lineno) - child.lineno + 1
                limit = MAX_CLASS_LINES if isinstance(child, ast.ClassDef) else MAX_FUNCTION_LINES
                if lines > limit:
                    long[name] = lines
                walk(child, name)
            else:
                walk(child, prefix)

    for mod in MODULES.values():
        walk(mod.tree, mod.name)
    return long


def _warn_stale(kind: str, stale: object) -> None:
    if stale:
        warnings.warn(f"{kind} no longer offend; delete them from tests/test_house_rules.py: {stale}", stacklevel=2)


def test_no_function_over_60_lines_and_no_class_over_300() -> None:
    long = _long_definitions()
    new = {n: k for n, k in long.items() if n not in LONG_ALLOWED}
    grown = {n: (k, LONG_ALLOWED[n]) for n, k in long.items() if n in LONG_ALLOWED and k > LONG_ALLOWED[n]}
    assert not new, f"split these (functions <= {MAX_FUNCTION_LINES} lines, classes <= {MAX_CLASS_LINES}): {new}"
    assert not grown, f"allow-listed offenders grew (now, ceiling): {grown}; shrink them instead"
    _warn_stale("these long definitions", sorted(set(LONG_ALLOWED) - set(long)))


def test_no_import_cycle_lazy_imports_included() -> None:
    cycles = _cycles({name: internal for name, (internal, _) in GRAPH.items()})
    new = [sorted(c) for c in cycles if c not in CYCLES_ALLOWED]
    assert not new, f"import cycles (function-level imports count too): {new}"
    _warn_stale("these import cycles", [sorted(c) for c in CYCLES_ALLOWED if c not in cycles])


def _does_io(name: str) -> list[str]:
    """Why module `name` itself does I/O: the I/O modules it imports and the builtins it calls."""
    external = GRAPH[name][1]
    why = sorted(external & IO_STDLIB)
    calls = {
        n.func.id
        for n in _runtime_nodes(MODULES[name].tree)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id in {"open", "print", "input"}
    }
    return why + sorted(f"{c}()" for c in calls)


def test_decide_imports_nothing_that_does_io() -> None:
    assert _does_io("xlate.decide") == [], "xlate.decide must stay pure"
    reached: dict[str, str] = {}  # module -> the decide import it is reached through
    todo = [(m, m) for m in sorted(GRAPH["xlate.decide"][0])]
    while todo:
        mod, via = todo.pop()
        if mod in reached:
            continue
        reached[mod] = via
        todo.extend((m, via) for m in GRAPH[mod][0])
    impure = {m: (_does_io(m), f"via {via}") for m, via in sorted(reached.items()) if _does_io(m)}
    assert not impure, f"xlate.decide reaches modules that do I/O: {impure}"


def test_the_rules_see_what_they_claim() -> None:
    """The checks above find what they look for (so that passing means something)."""
    probe = Module(
        "xlate.probe",
        SRC / "xlate" / "probe.py",
        ast.parse("def f():\n    from xlate import store\nif TYPE_CHECKING:\n    import xlate.cli\n"),
    )
    assert _imports(probe)[0] == {"xlate.store"}  # a function-level import is an edge; a type-only one is not
    assert "sqlite3" in GRAPH["xlate.store"][1] and _does_io("xlate.store")
    assert _does_io("xlate.model") == [] and _does_io("xlate.languages") == []
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [frozenset("abc")]
    long = _long_definitions()
    assert "xlate.pipeline._Run" in long or "xlate.pipeline._Run" not in LONG_ALLOWED


def test_ci_script_installs_the_debian_tools_and_runs_make_test() -> None:
    ci = REPO / ".ci" / "run"
    assert os.access(ci, os.X_OK)
    subprocess.run(["bash", "-n", str(ci)], check=True, timeout=30)
    text = ci.read_text(encoding="utf-8")
    assert "DEBIAN_PACKAGES=(chromium newsboat default-jre-headless)" in text
    assert "--no-install-recommends" in text and "rm -rf .venv" in text and "make test" in text


def _enclosing_function(tree: ast.Module, row: int) -> str:
    """The qualified name of the innermost function or class whose definition covers `row`."""
    best, prefix = "<module>", ""
    node: ast.AST = tree
    while True:
        inner = [
            c
            for c in ast.iter_child_nodes(node)
            if isinstance(c, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
            and c.lineno <= row <= (c.end_lineno or c.lineno)
        ]
        if not inner:
            return best
        node = inner[0]
        prefix = f"{prefix}.{inner[0].name}" if prefix else inner[0].name
        best = prefix


def _complexity_offenders() -> dict[str, set[str]]:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "ruff",
            "check",
            "--select",
            "C901,PLR0911,PLR0912,PLR0913,PLR0915",
            "--config",
            "lint.per-file-ignores = {}",
            "--output-format",
            "json",
            "--exit-zero",
            "src",
            "tests",
            "bench",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    found: dict[str, set[str]] = {}
    trees: dict[str, ast.Module] = {}
    for d in json.loads(proc.stdout):
        rel = Path(d["filename"]).resolve().relative_to(REPO).as_posix()
        if rel not in trees:
            trees[rel] = ast.parse((REPO / rel).read_text(encoding="utf-8"))
        found.setdefault(f"{rel}::{_enclosing_function(trees[rel], d['location']['row'])}", set()).add(d["code"])
    return found


def test_complexity_rules_allow_only_todays_offenders() -> None:
    found = _complexity_offenders()
    new = {k: sorted(v - COMPLEXITY_ALLOWED.get(k, frozenset())) for k, v in found.items()}
    new = {k: v for k, v in new.items() if v}
    assert not new, f"too complex (C901 <= 10, PLR0911/0912/0913/0915 at pylint's limits): {new}"
    _warn_stale(
        "these complexity entries",
        sorted(k for k, codes in COMPLEXITY_ALLOWED.items() if not codes <= found.get(k, set())),
    )


def test_tests_share_helpers_through_tests_helpers() -> None:
    """A test module imports shared code from tests/helpers.py, never from another test module
    or from conftest (which holds fixtures only)."""
    from_tests, from_conftest = [], []
    for path in sorted((REPO / "tests").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                where = f"{path.relative_to(REPO)}: {name}"
                if name.startswith("tests.test_"):
                    from_tests.append(where)
                elif name == "tests.conftest":
                    from_conftest.append(where)
    assert from_tests == [], "move the shared code to tests/helpers.py and import it from there"
    assert from_conftest == [], "import these from tests.helpers instead of tests.conftest"
