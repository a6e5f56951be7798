"""A small on-disk cache of check results, keyed by a hash of what was checked.

The health checks measure the same section texts on every build, and
counting syllables is the slow part (about half a second for the shipped
topic, seconds for a library).  :func:`results_cache` opens a JSON file of
``key -> result`` for the length of one run, and the readability measures
(:mod:`handoutkit.checks.readability`) look up each text there first.

* **Keys** are SHA-256 digests of the measured text together with the
  version of the measuring code (see ``readability.ANALYSIS_VERSION``), so
  a changed text or a changed rule is simply a miss; nothing is ever
  invalidated by hand, and entries nobody asks for again age out.
* **Values** are plain counts (and the longest sentences, which are content
  text).  Only content goes through the checks: never a patient's details,
  which exist only in ``handout sheet``/``batch`` and are never measured.
* **Where**: ``$HANDOUT_CACHE_DIR`` if set (empty or ``off`` turns the
  cache off), else ``$XDG_CACHE_HOME/handoutkit``, else
  ``~/.cache/handoutkit``.  A missing, unreadable or damaged file is an
  empty cache, and a folder that cannot be written only means no cache:
  the cache can make a run faster, never make it fail or change its result.
* The file is written (owner-only, replaced atomically through
  :mod:`handoutkit.press.output`) only if the run added something, and is
  capped at :data:`MAX_ENTRIES`, dropping the entries used longest ago.
"""

from __future__ import annotations

import hashlib
import json
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator, Optional

ENV = "HANDOUT_CACHE_DIR"
MAX_ENTRIES = 200_000
_FORMAT = 1


def cache_dir() -> Optional[Path]:
    """The folder for caches, or None when caching is turned off (see the module docstring)."""
    chosen = os.environ.get(ENV)
    if chosen is not None:
        return None if chosen.strip() in ("", "off") else Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "handoutkit"


def key(*parts: str) -> str:
    """A cache key: the SHA-256 of the parts, each length-prefixed so no two lists of parts collide."""
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8")
        digest.update(f"{len(data)}:".encode("ascii"))
        digest.update(data)
    return digest.hexdigest()


class ResultCache:
    """``key -> JSON value`` loaded from one file, saved back if anything was added."""

    def __init__(self, path: Optional[Path]) -> None:
        self.path = path
        self.entries: dict[str, Any] = {}
        self.added = 0
        if path is None:
            return
        try:
            loaded = json.loads(path.read_bytes())
        except (OSError, ValueError):
            return
        if isinstance(loaded, dict) and loaded.get("format") == _FORMAT and isinstance(loaded.get("entries"), dict):
            self.entries = loaded["entries"]

    def get(self, name: str) -> Any:
        value = self.entries.pop(name, None)
        if value is not None:
            self.entries[name] = value  # most recently used last: what the cap keeps
        return value

    def put(self, name: str, value: Any) -> None:
        self.entries.pop(name, None)
        self.entries[name] = value
        self.added += 1

    def save(self) -> None:
        """Write the file if this run added entries; any failure just leaves the old file."""
        if self.path is None or not self.added:
            return
        from handoutkit.press.output import OutputFolder

        entries = self.entries
        if len(entries) > MAX_ENTRIES:
            entries = dict(list(entries.items())[-MAX_ENTRIES:])
        data = json.dumps({"format": _FORMAT, "entries": entries}, separators=(",", ":")).encode("utf-8")
        try:
            with OutputFolder(self.path.parent) as folder:
                folder.write_file(self.path.name, data, mode=0o600)
        except Exception:  # a read-only home, a full disk: the run goes on uncached
            return
        self.added = 0


_active: Optional[ResultCache] = None


def active() -> Optional[ResultCache]:
    """The cache of the run in progress, or None outside :func:`results_cache`."""
    return _active


def remembered(kind: str, version: str, text: str, measure: Callable[[str], Any],
               to_json: Callable[[Any], Any], from_json: Callable[[Any], Any]) -> Any:
    """``measure(text)``, looked up first in the active cache by (kind, version, text), stored there after.

    ``from_json`` turns a stored value back into a result, or returns None
    for a value it does not recognise (then the text is measured again).
    Content texts only: never pass text that holds a patient's details.
    """
    store = active()
    if store is None:
        return measure(text)
    name = key(kind, version, text)
    hit = store.get(name)
    found = from_json(hit) if hit is not None else None
    if found is not None:
        return found
    result = measure(text)
    store.put(name, to_json(result))
    return result


@contextmanager
def results_cache(name: str = "checks") -> Iterator[Optional[ResultCache]]:
    """Use ``<cache dir>/<name>.json`` for the checks run inside the block, and save it after.

    Nested use shares the outer cache.  With caching off, the block runs
    with no cache (``active()`` is None).
    """
    global _active
    if _active is not None:
        yield _active
        return
    folder = cache_dir()
    cache = ResultCache(folder / f"{name}.json" if folder is not None else None)
    _active = cache if folder is not None else None
    try:
        yield _active
    finally:
        _active = None
        cache.save()  # what was measured stays true even if the run then stopped on a finding
