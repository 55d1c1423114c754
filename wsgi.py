"""Entry point for gunicorn: ``gunicorn -c gunicorn.conf.py wsgi:app``."""

from game import collector, create_app

app = create_app()
# Everything built at start-up, then whatever survives each full collection, moves out of the collector's
# sight: a full collection only walks what drills allocated since (game/collector.py).
collector.freeze_after_full_collections()
