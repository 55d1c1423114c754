"""Entry point for gunicorn: ``gunicorn -c gunicorn.conf.py wsgi:app``."""

from game import busy, collector, create_app

app = create_app()
# Everything built at start-up, then whatever survives two young collections, moves out of the collector's
# sight, and young collections run on a clock: each walks only what was allocated since the last ones
# (game/collector.py).
collector.freeze_survivors()
collector.collect_young_on_a_clock()
# While the worker is full, new sockets are refused so those playing keep their latency (game/busy.py).
busy.watch(app.extensions["glimpse_gate"].load)
