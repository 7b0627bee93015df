"""The linked-data server of ``exo-rdf serve``.

* :mod:`~exo_rdf.server.app` -- the ASGI application and ``run`` (routes, the raw ``/sparql`` front);
* :mod:`~exo_rdf.server.site` -- the HTML pages and RDF documents of the site (``templates/``, ``static/``);
* :mod:`~exo_rdf.server.sparql` -- the SPARQL 1.1 Protocol: request parsing, negotiation, cache, pool;
* :mod:`~exo_rdf.server.workers` -- the query worker processes and the frames spoken to them;
* :mod:`~exo_rdf.server.conneg` -- HTTP content negotiation (RFC 9110 ``Accept``).

Nothing here is imported by the rest of the package except through ``exo-rdf serve``.
"""

__all__: list[str] = []
