"""The package layout rules (CONTRIBUTING.md), read from the source with ``ast``:

* every public module declares ``__all__``, and lists only names it defines or imports;
* no module imports a private name (``_x``) from another module of the package;
* imports run one way: nothing imports the command line, only the command line imports the server;
* every public function and method carries type hints on all its parameters and its return.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "exo_rdf"
MODULES = sorted(p for p in PACKAGE.rglob("*.py"))


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path: Path) -> list[tuple[str, str, int]]:
    """(absolute module, imported name, line) of every ``from ... import`` inside the package."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target == "exo_rdf" or target.startswith("exo_rdf."):
                found += [(target, alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.Import):
            found += [(alias.name, "", node.lineno) for alias in node.names if alias.name.startswith("exo_rdf")]
    return found


def public(path: Path) -> bool:
    return not path.stem.startswith("_") or path.stem == "__init__"


@pytest.mark.parametrize("path", [p for p in MODULES if public(p)], ids=lambda p: module_name(p))
def test_public_module_declares_all(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    declared = [
        n
        for n in tree.body
        if isinstance(n, (ast.Assign, ast.AnnAssign))
        and any(
            isinstance(t, ast.Name) and t.id == "__all__"
            for t in (n.targets if isinstance(n, ast.Assign) else [n.target])
        )
    ]
    assert declared, f"{path.relative_to(PACKAGE)} has no __all__"
    names = ast.literal_eval(declared[0].value)
    defined = set()
    top = list(tree.body)
    for node in tree.body:  # names bound in a module-level try/if count too
        if isinstance(node, (ast.Try, ast.If)):
            top += node.body + [n for h in getattr(node, "handlers", []) for n in h.body] + node.orelse
    for node in top:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            defined.add(node.name)
        elif isinstance(node, ast.Assign):
            defined |= {t.id for t in node.targets if isinstance(t, ast.Name)}
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            defined.add(node.target.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            defined |= {(a.asname or a.name).split(".")[0] for a in node.names}
    assert not set(names) - defined, f"{path.relative_to(PACKAGE)}: __all__ lists undefined names"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: module_name(p))
def test_no_private_name_is_imported_across_modules(path):
    private = [
        (target, name, line)
        for target, name, line in imported(path)
        if name.startswith("_") and not name.startswith("__")
    ]
    assert not private, f"{path.relative_to(PACKAGE)} imports private names: {private}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: module_name(p))
def test_imports_run_one_way(path):
    me = module_name(path)
    for target, name, line in imported(path):
        full = f"{target}.{name}" if name else target
        if me != "exo_rdf.__main__":
            assert not (full == "exo_rdf.cli" or target == "exo_rdf.cli"), f"{me}:{line} imports the command line"
        if me not in ("exo_rdf.cli", "exo_rdf.__main__") and not me.startswith("exo_rdf.server"):
            assert not (target.startswith("exo_rdf.server") or full.startswith("exo_rdf.server")), (
                f"{me}:{line} imports the server"
            )
        if not me.startswith("exo_rdf.shacl") and me != "exo_rdf.validate" and me not in ("exo_rdf.cli",):
            assert not target.startswith("exo_rdf.shacl"), f"{me}:{line}: only validate uses the SHACL engine"


def _missing_hints(node: ast.FunctionDef | ast.AsyncFunctionDef, method: bool) -> list[str]:
    args = node.args.posonlyargs + node.args.args + node.args.kwonlyargs
    if method and args and args[0].arg in ("self", "cls"):
        args = args[1:]
    missing = [a.arg for a in args if a.annotation is None]
    missing += [f"*{a.arg}" for a in (node.args.vararg, node.args.kwarg) if a is not None and a.annotation is None]
    if node.returns is None:
        missing.append("return")
    return missing


def test_every_public_function_has_type_hints():
    problems = []
    for path in MODULES:
        tree = ast.parse(path.read_text(encoding="utf-8"))

        def visit(body, scope_public: bool, method: bool, where: str) -> None:
            for node in body:
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    dunder = node.name.startswith("__") and node.name.endswith("__")
                    if scope_public and (not node.name.startswith("_") or dunder):
                        missing = _missing_hints(node, method)
                        if missing:
                            problems.append(f"{where}{node.name} (line {node.lineno}): {', '.join(missing)}")
                elif isinstance(node, ast.ClassDef):
                    visit(node.body, scope_public and not node.name.startswith("_"), True, f"{where}{node.name}.")

        visit(tree.body, public(path), False, f"{path.relative_to(PACKAGE)}: ")
    assert not problems, "public functions without type hints:\n" + "\n".join(problems)
