"""gunicorn settings for Glimpse (see docs in README.md)."""

import os

# flask-sock holds each WebSocket open for a whole drill: the gevent worker
# keeps each one as a cheap greenlet (sync would kill it after `timeout`,
# gthread holds only as many sockets as it has threads).
worker_class = "gevent"
worker_connections = 2000
# One worker: the trial in flight of each drill and the per-player flood limits
# live in this process's memory (everything answered is in SQLite, which takes
# one writer at a time anyway). Scale out only after moving those to a shared store.
workers = 1
bind = f"0.0.0.0:{os.environ['PORT']}" if os.environ.get("PORT") else "127.0.0.1:8000"
# A drill's socket is long-lived; only plain HTTP requests are bound by this.
timeout = 60
graceful_timeout = 10
accesslog = "-"
control_socket_disable = True
