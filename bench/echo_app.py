"""A bare flask-sock echo app: the baseline bench/load.py measures the game against (same gunicorn settings)."""

from flask import Flask
from flask_sock import Sock

app = Flask(__name__)
app.config["SOCK_SERVER_OPTIONS"] = {"ping_interval": 25, "max_message_size": 65536}
sock = Sock(app)


@sock.route("/ws")
def echo(ws) -> None:
    while True:
        message = ws.receive()
        if message is None:
            return
        ws.send(message)


@app.get("/healthz")
def healthz() -> dict:
    return {"ok": True}
