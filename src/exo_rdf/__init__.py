"""exo-rdf: a linked-data knowledge graph and OWL ontology of MSC-derived exosomes."""

from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _version

try:
    __version__ = _version("exo-rdf")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0"

__all__ = ["__version__"]
