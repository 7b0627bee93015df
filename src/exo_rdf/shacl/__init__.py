"""The set-based SHACL engine behind ``exo-rdf validate --engine oxigraph`` (the default).

* :mod:`~exo_rdf.shacl.store` -- data, ontology and imports loaded into one pyoxigraph store, keeping the
  datatypes Oxigraph re-types on load;
* :mod:`~exo_rdf.shacl.compiler` -- each constraint of each shape compiled into one SPARQL SELECT over all
  focus nodes (the supported SHACL features are listed there);
* :mod:`~exo_rdf.shacl.runner` -- runs the compiled checks, sharing scans, and returns the results;
* :mod:`~exo_rdf.shacl.report` -- the validation report of either engine: grouped results, text, RDF.

:mod:`exo_rdf.validate` (the ``validate`` stage) chooses the engine and calls these in that order.
"""

__all__: list[str] = []
