"""WebSocket endpoint /ws (flask-sock)."""

from flask import Flask
from flask_sock import Sock

sock = Sock()


def init_app(app: Flask) -> None:
    sock.init_app(app)
