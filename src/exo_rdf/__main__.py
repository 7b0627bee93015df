"""``python -m exo_rdf``: the ``exo-rdf`` command line, run by whatever interpreter starts it."""

from .cli import main

if __name__ == "__main__":
    main(prog_name="exo-rdf")
