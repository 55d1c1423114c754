"""Entry point for gunicorn: ``gunicorn -c gunicorn.conf.py wsgi:app``."""

import gc

from game import create_app

app = create_app()
# Everything built at start-up (the app, templates, compressed assets, the tz list) lives as long as the
# process: move it out of the collector's sight, so a full collection only scans what drills allocate.
gc.freeze()
