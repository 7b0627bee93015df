"""Running compiled checks on a store: each query once, shared scans batched, results as rdflib terms."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable, Sequence

from rdflib import Graph, URIRef

from ..errors import ExoError
from ..namespaces import compress
from .compiler import Check, ShapesCompiler
from .store import ValidationStore, rdflib_term

if TYPE_CHECKING:
    from pyoxigraph import Store

__all__ = ["Runner", "ShaclResult", "run_checks", "validate_store"]


@dataclass(frozen=True)
class ShaclResult:
    """One validation result, as rdflib terms (focus and value from the data, the rest from the shapes)."""

    focus: object
    value: object | None
    path: object | None
    component: URIRef
    severity: URIRef
    shape: object
    message: str
    source_constraint: object | None = None


# ---------------------------------------------------------------------------------------------------------
# Running


def _text(term) -> str:
    if term is None:
        return ""
    return compress(str(term)) if isinstance(term, URIRef) else str(term)


class Runner:
    """Runs checks on a store, caching query rows and focus sets shared by several checks."""

    def __init__(self, store: Store, checks: Sequence[Check] = ()) -> None:
        self.store = store
        self._rows: dict[str, list] = {}
        self._focus: dict[str, set] = {}
        self._conds: dict[str, list[str]] = {}  # scan pattern -> the conditions checked on it
        self._batched: dict[tuple[str, str], list] = {}
        todo = list(checks)
        while todo:
            c = todo.pop()
            if c.scan is not None and c.cond not in self._conds.setdefault(c.scan, []):
                self._conds[c.scan].append(c.cond)
            if c.logic is not None:
                todo.extend(m for members in c.logic[2] for m in members)

    def _batch(self, check: Check) -> list[dict]:
        """Rows of a scan-and-condition check: one query per scan, one boolean column per condition."""
        key = (check.scan, check.cond)
        if key not in self._batched:
            conds = self._conds.setdefault(check.scan, [])
            if check.cond not in conds:
                conds.append(check.cond)
            cols = " ".join(f"({c} AS ?k{i})" for i, c in enumerate(conds))
            query = (
                f"SELECT ?this ?value {cols} WHERE {{ {check.scan} FILTER({' || '.join(f'({c})' for c in conds)}) }}"
            )
            rows = self._query(check, query)
            for i, c in enumerate(conds):
                flag = f"k{i}"
                self._batched[(check.scan, c)] = [
                    {"this": r["this"], "value": r["value"]}
                    for r in rows
                    if r.get(flag) is not None and r[flag].value == "true"
                ]
        return self._batched[key]

    def _query(self, check: Check, query: str) -> list[dict]:
        if query not in self._rows:
            try:
                solutions = self.store.query(query)
                names = [v.value for v in solutions.variables]
                self._rows[query] = [{n: sol[n] for n in names} for sol in solutions]
            except (SyntaxError, OSError, ValueError) as exc:
                where = compress(str(check.shape)) if isinstance(check.shape, URIRef) else "a blank-node shape"
                raise ExoError(
                    f"SHACL shape {where}: the compiled query for {compress(str(check.component))} failed: {exc}"
                ) from None
        return self._rows[query]

    def focus_set(self, check: Check, query: str) -> set:
        if query not in self._focus:
            if query in self._rows:
                self._focus[query] = {row["this"] for row in self._rows[query]}
            else:
                try:
                    self._focus[query] = {sol[0] for sol in self.store.query(query)}
                except (SyntaxError, OSError, ValueError) as exc:
                    raise ExoError(f"the focus-node query of {_text(check.shape)} failed: {exc}") from None
        return self._focus[query]

    def rows(self, check: Check) -> list[dict]:
        """The rows of a check (pyoxigraph terms), restricted to its focus nodes."""
        if check.logic is not None:
            op, focus_query, members = check.logic
            focus = self.focus_set(check, focus_query)
            viol = [self.violators(m) & focus for m in members]
            if op == "or":
                bad = set.intersection(*viol) if viol else set(focus)
            elif op == "and" or op == "node":
                bad = set().union(*viol)
            elif op == "not":
                bad = focus - viol[0]
            else:  # xone: exactly one member must conform
                bad = {x for x in focus if sum(x not in v for v in viol) != 1}
            return [{"this": x} for x in bad]
        rows = self._batch(check) if check.scan is not None else self._query(check, check.query)
        if check.count is not None:
            var, op, bound = check.count
            kept = []
            for r in rows:
                n = int(r[var].value) if r.get(var) is not None else 0
                if (n < bound) if op == "<" else (n > bound):
                    kept.append({"this": r["this"]})
            rows = kept
        if check.focus is not None:
            focus = self.focus_set(check, check.focus)
            rows = [r for r in rows if r.get("this") in focus]
        return rows

    def violators(self, checks: Sequence[Check]) -> set:
        return {r["this"] for c in checks for r in self.rows(c) if r.get("this") is not None}


def run_checks(store: Store, checks: Iterable[Check]) -> list[ShaclResult]:
    """Run compiled checks on a pyoxigraph store; return their validation results (without duplicates)."""
    checks = list(checks)
    runner = Runner(store, checks)
    results: list[ShaclResult] = []
    for check in checks:
        seen = set()
        for raw in runner.rows(check):
            row = {n: rdflib_term(t) for n, t in raw.items()}
            focus = row.get("this")
            if focus is None:
                continue
            value = focus if check.value_is_focus else row.get("value")
            path = check.path
            if check.source_constraint is not None and row.get("path") is not None:
                path = row["path"]
            key = (focus, value, path) if check.source_constraint is None else tuple(sorted(row.items(), key=str))
            if key in seen:
                continue
            seen.add(key)
            if check.messages:
                message = str(check.messages[0])
                if check.templated:
                    for var, val in row.items():
                        if val is not None:
                            message = re.sub(r"\{[?$]" + re.escape(var) + r"\}", lambda _: str(val), message)
            else:
                message = check.generic.replace("{focus}", _text(focus)).replace("{value}", _text(value))
            results.append(
                ShaclResult(
                    focus, value, path, check.component, check.severity, check.shape, message, check.source_constraint
                )
            )
    return results


def validate_store(vstore: ValidationStore, shapes: Graph) -> list[ShaclResult]:
    """Validate everything in a store from :func:`~exo_rdf.shacl.store.load_validation_store` against a shapes graph."""
    checks = ShapesCompiler(shapes, folded=vstore.folded, store=vstore.store).compile()
    return run_checks(vstore.store, checks)
