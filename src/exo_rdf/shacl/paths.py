"""Well-formedness of the ``sh:path`` values of a shapes file, checked before either engine runs.

SHACL (section 2.3.1) allows six forms of property path: an IRI, a list of two or more paths
(sequence), and a blank node with exactly one of ``sh:alternativePath`` (a list of two or more paths),
``sh:inversePath``, ``sh:zeroOrMorePath``, ``sh:oneOrMorePath`` or ``sh:zeroOrOnePath``. Anything else
(a literal, an empty or broken list, a blank node with none or several of these keys, a path that
contains itself) is refused naming the file, the line of the shape and the shape, instead of ending
in an exception of pySHACL or in a silently different validation.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH

from ..errors import InputError
from ..namespaces import compress

__all__ = ["check_paths", "path_problems"]

_FORMS = (
    "a path is a property IRI (exo:foundIn), a list of two or more paths (exo:a exo:b), or a blank node "
    "with exactly one of sh:inversePath, sh:alternativePath, sh:zeroOrMorePath, sh:oneOrMorePath, "
    "sh:zeroOrOnePath (see https://www.w3.org/TR/shacl/#property-paths)"
)


def _show(term: Any) -> str:
    if isinstance(term, Literal):
        return f'the literal "{term}"'
    if isinstance(term, BNode):
        return "a blank node"
    return compress(str(term))


def _list_items(sg: Graph, node: Any) -> tuple[list[Any] | None, str]:
    """The members of the RDF list at ``node``, or (None, what is wrong with it)."""
    items: list[Any] = []
    seen: set[Any] = set()
    while node != RDF.nil:
        if not isinstance(node, BNode) or node in seen:
            return None, "a list that does not end in rdf:nil (its rdf:rest is " + _show(node) + ")"
        seen.add(node)
        firsts = list(sg.objects(node, RDF.first))
        rests = list(sg.objects(node, RDF.rest))
        if len(firsts) != 1 or len(rests) != 1:
            return None, (
                f"a broken list (a list cell with {len(firsts)} rdf:first and {len(rests)} rdf:rest values; "
                "each needs exactly one)"
            )
        items.append(firsts[0])
        node = rests[0]
    return items, ""


def _problem(sg: Graph, path: Any, stack: tuple[Any, ...] = ()) -> str | None:
    """What is wrong with the path ``path`` (None when it is well formed)."""
    if isinstance(path, Literal):
        return f"{_show(path)} is not a path (write the property as an IRI, without quotes)"
    if path == RDF.nil:
        return "an empty list () is not a path"
    if isinstance(path, URIRef):
        return None
    if not isinstance(path, BNode):
        return f"{_show(path)} is not a path"
    if path in stack:
        return "the path contains itself"
    stack = (*stack, path)
    if (path, RDF.first, None) in sg or (path, RDF.rest, None) in sg:
        items, why = _list_items(sg, path)
        if items is None:
            return why
        if len(items) < 2:
            return "a sequence path needs two or more members (write a single property without the brackets)"
        return next((p for p in (_problem(sg, item, stack) for item in items) if p), None)
    keys = (SH.inversePath, SH.alternativePath, SH.zeroOrMorePath, SH.oneOrMorePath, SH.zeroOrOnePath)
    found = [(k, o) for k in keys for o in sg.objects(path, k)]
    others = sorted({compress(str(p)) for p in sg.predicates(path) if p not in keys})
    if not found:
        extra = f" (it has {', '.join(others)})" if others else ""
        return f"a blank node with none of the path keys{extra}"
    if len(found) > 1:
        return f"a blank node with {len(found)} path keys ({', '.join(compress(str(k)) for k, _ in found)}); use one"
    if others:
        return f"a blank node with {compress(str(found[0][0]))} and also {', '.join(others)}"
    key, inner = found[0]
    if key == SH.alternativePath:
        if isinstance(inner, Literal) or (isinstance(inner, URIRef) and inner != RDF.nil):
            return f"sh:alternativePath takes a list of two or more paths, not {_show(inner)}"
        items, why = _list_items(sg, inner)
        if items is None:
            return f"sh:alternativePath: {why}"
        if len(items) < 2:
            return "sh:alternativePath needs a list of two or more paths"
        return next((p for p in (_problem(sg, item, stack) for item in items) if p), None)
    return _problem(sg, inner, stack)


def _owner(sg: Graph, shape: Any) -> Any:
    """The shape itself when named, else the nearest named node it hangs from (None if there is none)."""
    node, seen = shape, set()
    while isinstance(node, BNode) and node not in seen:
        seen.add(node)
        node = next(iter(sg.subjects(None, node)), None)
    return node


def path_problems(sg: Graph) -> list[tuple[Any, Any, str]]:
    """(shape, named owner or None, problem) for every shape whose sh:path is not a well-formed path."""
    found = []
    for shape in sorted(set(sg.subjects(SH.path, None)), key=str):
        values = list(sg.objects(shape, SH.path))
        if len(values) > 1:
            problem: str | None = f"{len(values)} sh:path values; a property shape has exactly one"
        else:
            problem = _problem(sg, values[0])
        if problem:
            found.append((shape, _owner(sg, shape), problem))
    return found


def _line_of_owner(text: str, owner: Any) -> int | None:
    """The line where the named shape ``owner`` is described in ``text`` (its CURIE or IRI at a line start)."""
    if owner is None:
        return None
    names = [re.escape(f"<{owner}>"), re.escape(compress(str(owner)))]
    m = re.search(r"(?m)^[ \t]*(?:" + "|".join(names) + r")\s", text)
    return text.count("\n", 0, m.start()) + 1 if m else None


def check_paths(sg: Graph, path: Path, text: str) -> None:
    """Raise :class:`InputError` naming ``path``, the line and the shape when a sh:path is malformed."""
    problems = path_problems(sg)
    if not problems:
        return
    shape, owner, problem = problems[0]
    if not isinstance(shape, BNode):
        who = f"shape {compress(str(shape))}"
    elif owner is not None:
        who = f"a property shape of {compress(str(owner))}"
    else:
        who = "a blank-node shape"
    more = f" ({len(problems) - 1} more shape(s) with a malformed sh:path)" if len(problems) > 1 else ""
    raise InputError(path, f"{who}: malformed sh:path: {problem}; {_FORMS}{more}", _line_of_owner(text, owner))
