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
import re
import threading
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
# `from "./x.js"`, `import "./x.js"`, `import("./x.js")`: relative module specifiers only.
_IMPORT = re.compile(r"""(?P<lead>\bfrom\s*|\bimport\s*\(?\s*)(?P<q>["'])(?P<spec>\.{1,2}/[^"'?#]+?\.m?js)(?P=q)""")
_DYNAMIC = re.compile(r"""\bimport\s*\(\s*$""")


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
    """The static folder, read lazily and kept in memory until a file changes."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self._cache: dict[str, tuple[int, Asset]] = {}
        self._lock = threading.Lock()

    def get(self, path: str) -> Asset | None:
        """The asset at ``path`` (relative to the static folder), or None if there is no such file."""
        full = safe_join(str(self.root), path)
        if full is None or not Path(full).is_file():
            return None
        with self._lock:
            return self._load(str(PurePosixPath(path)), set())

    def version(self, path: str) -> str | None:
        asset = self.get(path)
        return asset.version if asset else None

    def module_graph(self, entries: list[str], *, dynamic: bool = False) -> list[str]:
        """Every module reachable from the entries through static imports (and dynamic ones if asked), deps first."""
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

    def _load(self, path: str, loading: set[str]) -> Asset:
        full = self.root / path
        mtime = full.stat().st_mtime_ns
        cached = self._cache.get(path)
        if cached and cached[0] == mtime and all(self._fresh(dep) for dep in cached[1].imports
                                                 + cached[1].dynamic_imports):
            return cached[1]
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

    def _fresh(self, path: str) -> bool:
        cached = self._cache.get(path)
        full = self.root / path
        return (cached is not None and full.is_file() and cached[0] == full.stat().st_mtime_ns
                and all(self._fresh(dep) for dep in cached[1].imports + cached[1].dynamic_imports))

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


def compress(data: bytes, *, fast: bool = False) -> dict[str, bytes]:
    """The data in each content-coding we serve, best first. ``fast`` for per-request pages and JSON."""
    encoded = {}
    if brotli is not None:
        encoded["br"] = brotli.compress(data, quality=5 if fast else 11)
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
