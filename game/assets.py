"""Static files as served: content-hashed versions, rewritten module imports, compressed bytes kept in memory.

There is no build step. Instead each file is read once, and an ES module's
relative imports (``from "./drill.js"``) are rewritten to carry the imported
file's version (``"./drill.js?v=1a2b3c4d5e"``). A module's version hashes its
rewritten text, so a change anywhere below it changes every URL above it, and
every versioned URL can be cached for a year.

Text files are kept brotli-compressed (quality 11, when the ``brotli`` package is installed) and
gzipped: brotli makes the home page's JavaScript about 13% smaller than gzip -9, which is what keeps
a first visit under its 50 KB budget (see bench/first_load.py).
"""

from __future__ import annotations

import gzip
import hashlib
import os
import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from werkzeug.security import safe_join

try:  # optional: without it, gzip alone
    import brotli
except ImportError:  # pragma: no cover - depends on the install
    brotli = None

MIMETYPES = {
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".css": "text/css",
    ".svg": "image/svg+xml",
    ".json": "application/json",
    ".webmanifest": "application/manifest+json",
    ".txt": "text/plain",
    ".png": "image/png",
}
COMPRESSIBLE = {".js", ".mjs", ".css", ".svg", ".json", ".webmanifest", ".txt"}
MIN_COMPRESS_BYTES = 256  # below this gzip's header costs more than it saves
# `from "./x.js"`, `import "./x.js"`, `import("./x.js")`, and a worker's `new URL("./x.js", import.meta.url)`
# (loaded later, like a dynamic import): relative module specifiers only.
_IMPORT = re.compile(r"""(?P<lead>\bfrom\s*|\bimport\s*\(?\s*|\bnew URL\(\s*)"""
                     r"""(?P<q>["'])(?P<spec>\.{1,2}/[^"'?#]+?\.m?js)(?P=q)""")
_DYNAMIC = re.compile(r"""\b(import|new URL)\s*\(\s*$""")


@dataclass(frozen=True)
class Asset:
    """One static file ready to send."""

    path: str  # relative to the static folder, with forward slashes
    body: bytes
    encoded: dict[str, bytes]  # content-coding -> bytes, best first ("br", then "gzip"); empty if not worth it
    version: str  # 10 hex digits of the body's SHA-256
    mimetype: str
    imports: tuple[str, ...] = ()  # static imports, as paths relative to the static folder
    dynamic_imports: tuple[str, ...] = field(default=())


class Assets:
    """The static folder, read on first use and kept in memory.

    In production a file is read once per process: a page view looks its assets up in a dict
    (checking freshness on every lookup cost a page 25-36 ms of the only worker). With ``watch``
    (development), the files' modification times are checked at most once a second, and any
    change drops the whole cache (a module's version depends on everything it imports).
    """

    WATCH_INTERVAL_S = 1.0

    def __init__(self, root: str | Path, *, watch: bool = False) -> None:
        self.root = Path(root)
        self.watch = watch
        self._cache: dict[str, tuple[int, Asset]] = {}
        self._by_request: dict[str, Asset] = {}  # the path as asked for -> its asset
        self._graphs: dict[tuple[tuple[str, ...], bool], list[str]] = {}
        self._checked = 0.0
        self._lock = threading.Lock()

    def get(self, path: str) -> Asset | None:
        """The asset at ``path`` (relative to the static folder), or None if there is no such file."""
        if self.watch:
            self._drop_if_changed()
        asset = self._by_request.get(path)
        if asset is not None:
            return asset
        full = safe_join(str(self.root), path)
        if full is None or not Path(full).is_file():
            return None
        with self._lock:
            asset = self._load(str(PurePosixPath(path)), set())
            self._by_request[path] = asset
            return asset

    def version(self, path: str) -> str | None:
        asset = self.get(path)
        return asset.version if asset else None

    def module_graph(self, entries: list[str], *, dynamic: bool = False) -> list[str]:
        """Every module reachable from the entries through static imports (and dynamic ones if asked), deps first."""
        if self.watch:
            self._drop_if_changed()
        key = (tuple(entries), dynamic)
        graph = self._graphs.get(key)
        if graph is None:
            graph = self._graphs[key] = self._module_graph(entries, dynamic)
        return graph

    def _module_graph(self, entries: list[str], dynamic: bool) -> list[str]:
        seen: dict[str, None] = {}

        def visit(path: str) -> None:
            if path in seen:
                return
            seen[path] = None
            asset = self.get(path)
            if asset is None:
                return
            for dep in (*asset.imports, *(asset.dynamic_imports if dynamic else ())):
                visit(dep)

        for entry in entries:
            visit(entry)
        return [path for path in seen if self.get(path) is not None]

    def _drop_if_changed(self) -> None:
        now = time.monotonic()
        if now - self._checked < self.WATCH_INTERVAL_S:
            return
        self._checked = now
        for path, (mtime, _asset) in list(self._cache.items()):
            full = self.root / path
            if not full.is_file() or full.stat().st_mtime_ns != mtime:
                with self._lock:
                    self._cache.clear()
                    self._by_request.clear()
                    self._graphs.clear()
                return

    def _load(self, path: str, loading: set[str]) -> Asset:
        cached = self._cache.get(path)
        if cached:
            return cached[1]
        full = self.root / path
        mtime = full.stat().st_mtime_ns
        raw = full.read_bytes()
        suffix = full.suffix
        imports: list[str] = []
        dynamic: list[str] = []
        if suffix in (".js", ".mjs"):
            raw = self._rewrite_imports(path, raw.decode(), loading | {path}, imports, dynamic).encode()
        encoded = compress(raw) if suffix in COMPRESSIBLE and len(raw) >= MIN_COMPRESS_BYTES else {}
        asset = Asset(path=path, body=raw, encoded=encoded, version=hashlib.sha256(raw).hexdigest()[:10],
                      mimetype=MIMETYPES.get(suffix, "application/octet-stream"), imports=tuple(imports),
                      dynamic_imports=tuple(dynamic))
        self._cache[path] = (mtime, asset)
        return asset

    def _rewrite_imports(self, path: str, text: str, loading: set[str], imports: list[str],
                         dynamic: list[str]) -> str:
        folder = PurePosixPath(path).parent

        def versioned(match: re.Match[str]) -> str:
            spec = match["spec"]
            target = _normalise(folder / spec)
            if target is None or not (self.root / target).is_file():
                return match[0]
            (dynamic if _DYNAMIC.search(match["lead"]) else imports).append(target)
            if target in loading:  # an import cycle: leave the back edge unversioned
                return match[0]
            version = self._load(target, loading).version
            return f"{match['lead']}{match['q']}{spec}?v={version}{match['q']}"

        return _IMPORT.sub(versioned, text)


CODINGS = ("br", "gzip") if brotli is not None else ("gzip",)  # best first
# Quality 11 costs seconds of CPU at every start; the test suite starts ~20 servers and sets it lower
# (tests/conftest.py). Production and bench/first_load.py's sizes use 11.
STATIC_BROTLI_QUALITY = int(os.environ.get("GLIMPSE_STATIC_BROTLI_QUALITY", "11"))


def compress(data: bytes, *, fast: bool = False, codings: tuple[str, ...] = CODINGS) -> dict[str, bytes]:
    """The data in each content-coding asked for (all we serve by default), best first.

    ``fast`` for per-request pages and JSON, which ask for the one coding they will send.
    """
    encoded = {}
    if brotli is not None and "br" in codings:
        encoded["br"] = brotli.compress(data, quality=5 if fast else STATIC_BROTLI_QUALITY)
    if "gzip" in codings:
        encoded["gzip"] = gzip.compress(data, compresslevel=6 if fast else 9, mtime=0)
    return encoded


def _normalise(path: PurePosixPath) -> str | None:
    """Resolve ``..`` segments; None if the path climbs out of the static folder."""
    parts: list[str] = []
    for part in path.parts:
        if part == "..":
            if not parts:
                return None
            parts.pop()
        elif part != ".":
            parts.append(part)
    return "/".join(parts)
