"""The work of a build as items: what is already made, which shard makes what, and processes.

A build is a list of :class:`WorkItem` ``(topic, language, edition)``: one
topic's files in one language for one edition (``print`` is the PDFs of
``handout build``, named by its options, e.g. ``print-large-print``; other
editions and languages slot in as more items).  Everything here works on
that list, whatever the items are:

* **Incremental builds.**  :func:`inputs_digest` hashes everything an
  item's files are made from, as bytes, before any YAML is parsed: the
  topic's folder (sections, images, ``topic.yaml``, ``handouts.yaml``), the
  shared files of the content folder (brand, logo, ``checks.yaml``), the
  build settings (options, chosen handouts, ``--strict``, the date review
  deadlines are judged by, ``SOURCE_DATE_EPOCH``) and the tool itself (its
  version and a digest of its code and data).  :class:`BuildRecords` keeps,
  per output folder, the digest and the files (with their SHA-256) of each
  item; when the digest matches and the files are as they were left, the
  item is *unchanged*: it is not loaded, checked or laid out, and its files
  are left alone.  The date is part of the digest so that a review that
  falls due still stops the build on the day it does.
* **Sharding.**  ``--shard K/N`` keeps the items whose key hashes to K-1
  modulo N (:func:`in_shard`): deterministic, the same on every machine, and
  stable when topics are added (an item never moves to another shard
  because another item appeared), so a CI matrix or a set of indexed jobs
  can split a library with no coordination.
* **Processes.**  :func:`run_units` lays out units of work (an item's
  handouts) in forked processes; results come back in the order of the
  units, so ``--jobs N`` writes the same bytes as ``--jobs 1``.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable, Optional, Sequence, TypeVar

from handoutkit.errors import HandoutError

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True, order=True)
class WorkItem:
    """One topic's files in one language for one edition."""

    topic: str
    language: str
    edition: str

    @property
    def key(self) -> str:
        return f"{self.topic}/{self.language}/{self.edition}"


# --------------------------------------------------------------------------- the items


def topic_languages(source: Path, topic: str) -> list[str]:
    """The languages a topic is made in, read cheaply from its ``topic.yaml`` (no validation):
    its ``language`` and then each of its ``translations``.

    A file that cannot be read gives ``["?"]``: the item is then never
    unchanged, and loading the topic reports what is wrong with it.
    """
    import yaml

    loader = getattr(yaml, "CBaseLoader", yaml.BaseLoader)  # strings only: no dates to fail on, fast
    try:
        meta = yaml.load((source / topic / "topic.yaml").read_text(encoding="utf-8"), Loader=loader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return ["?"]
    language = meta.get("language") if isinstance(meta, dict) else None
    if not language:
        return ["?"]
    translations = meta.get("translations") or []
    return [str(language)] + ([str(code) for code in translations] if isinstance(translations, list) else ["?"])


def plan(source: Path, topics: Iterable[str], edition: str) -> list[WorkItem]:
    """The work items of ``edition`` for ``topics``, sorted by key."""
    return sorted(WorkItem(topic, language, edition) for topic in topics for language in topic_languages(source, topic))


def parse_shard(text: str) -> tuple[int, int]:
    """``"K/N"`` -> (K, N) with 1 <= K <= N; ValueError with a message otherwise."""
    try:
        k_text, n_text = text.split("/")
        k, n = int(k_text), int(n_text)
    except ValueError:
        raise ValueError(f"{text!r} is not K/N (e.g. 1/4: the first of four shards)") from None
    if not 1 <= k <= n:
        raise ValueError(f"{text!r}: K must be between 1 and N (e.g. 1/4 ... 4/4)")
    return k, n


def in_shard(item: WorkItem, shard: Optional[tuple[int, int]]) -> bool:
    """Whether ``item`` belongs to shard ``(K, N)`` (every item does without a shard)."""
    if shard is None:
        return True
    k, n = shard
    return int(hashlib.sha256(item.key.encode("utf-8")).hexdigest()[:12], 16) % n == k - 1


# --------------------------------------------------------------------------- what an item is made from


@lru_cache(maxsize=1)
def tool_digest() -> str:
    """The tool's version and a digest of its code and data (fonts, labels, word lists)."""
    from importlib import metadata

    try:
        version = metadata.version("handoutkit")
    except metadata.PackageNotFoundError:
        version = "unknown"
    digest = hashlib.sha256(f"handoutkit {version}\n".encode("utf-8"))
    root = Path(__file__).resolve().parents[2]
    for package in ("handoutkit", "layouts"):
        for path in sorted((root / package).rglob("*")):
            if path.is_file() and path.suffix not in (".pyc",) and "__pycache__" not in path.parts:
                digest.update(path.relative_to(root).as_posix().encode("utf-8") + b"\0")
                digest.update(hashlib.sha256(path.read_bytes()).digest())
    for module in ("reportlab", "pypdf", "svglib", "pyphen", "weasyprint", "pikepdf", "fonttools", "Jinja2"):
        try:
            digest.update(f"{module} {metadata.version(module)}\n".encode("utf-8"))
        except metadata.PackageNotFoundError:
            pass
    return digest.hexdigest()


def _tree_digest(folder: Path, skip: Callable[[Path], bool] = lambda path: False) -> bytes:
    """SHA-256 over the relative names and bytes of every file under ``folder`` (hidden ones left out)."""
    digest = hashlib.sha256()
    if not folder.is_dir():
        return digest.digest()
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if any(part.startswith(".") for part in rel.parts) or skip(path) or not path.is_file():
            continue
        digest.update(rel.as_posix().encode("utf-8") + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.digest()


def shared_digest(source: Path) -> bytes:
    """The content folder's shared files: everything outside the topic folders (brand, assets, checks)."""
    topics = {p.parent.resolve() for p in source.glob("*/topic.yaml")}
    return _tree_digest(source, skip=lambda path: any(parent in topics for parent in path.resolve().parents))


def inputs_digest(source: Path, item: WorkItem, settings: dict[str, Any], shared: bytes) -> str:
    """Everything ``item``'s files are made from (see the module docstring), as one hex digest."""
    digest = hashlib.sha256()
    digest.update(tool_digest().encode("ascii"))
    digest.update(json.dumps({"item": item.key, **settings}, sort_keys=True, default=str).encode("utf-8"))
    digest.update(shared)
    digest.update(_tree_digest(source / item.topic))
    return digest.hexdigest()


# --------------------------------------------------------------------------- build records


class BuildRecords:
    """What each work item was last built from, and the files it made, per output folder.

    Kept in the user's cache folder (``builds.json``, see
    :mod:`handoutkit.checks.cache`), not in the output folder, whose sets
    hold only the handouts.  A record names each file with its SHA-256, and
    an item is unchanged only if every file on disk still has it: a file
    replaced, edited or deleted since (by hand, or by a build that kept no
    record) is simply rebuilt.  With the cache off, every item is built.
    """

    def __init__(self) -> None:
        from handoutkit.checks.cache import ResultCache, cache_dir

        folder = cache_dir()
        self.store = ResultCache(folder / "builds.json" if folder is not None else None)

    @staticmethod
    def _name(out: Path, item: WorkItem) -> str:
        from handoutkit.checks.cache import key

        return key("build", str(Path(out).resolve()), item.key)

    def unchanged(self, out: Path, item: WorkItem, digest: str) -> Optional[dict[str, Any]]:
        """The item's record if it was built into ``out`` from these inputs and its files are as it left them."""
        if self.store.path is None:
            return None
        record = self.store.get(self._name(out, item))
        if not isinstance(record, dict) or record.get("inputs") != digest or not isinstance(record.get("files"), list):
            return None
        for entry in record["files"]:
            try:
                data = (Path(out) / item.topic / entry["file"]).read_bytes()
            except (OSError, KeyError, TypeError):
                return None
            if hashlib.sha256(data).hexdigest() != entry.get("sha256"):
                return None
        return record

    def put(self, out: Path, item: WorkItem, digest: str, files: list[dict[str, Any]]) -> None:
        """Record that ``item`` was built into ``out`` from ``digest``; ``files`` as :meth:`unchanged` returns them."""
        self.store.put(self._name(out, item), {"inputs": digest, "files": files})

    def save(self) -> None:
        self.store.save()


# --------------------------------------------------------------------------- processes

_UNITS: Optional[tuple[Callable[[Any], Any], Sequence[Any]]] = None  # what forked workers run (inherited)


def _run_one(index: int) -> tuple[bool, Any]:
    assert _UNITS is not None
    work, units = _UNITS
    try:
        return True, work(units[index])
    except HandoutError as exc:
        # Sent back as its parts: a click exception does not survive pickling with its hint.
        return False, (type(exc), exc.message, exc.hint)


def _reraise(failure: tuple[type, str, Optional[str]]) -> None:
    cls, message, hint = failure
    error = cls.__new__(cls)
    HandoutError.__init__(error, message, hint)
    raise error


def run_units(work: Callable[[T], R], units: Sequence[T], jobs: int = 1) -> list[R]:
    """``[work(u) for u in units]``, spread over ``jobs`` forked processes, results in the units' order.

    The units and ``work`` are inherited by the forked workers (never
    pickled); only results travel back.  One job, one unit, or a platform
    without fork: runs in this process.
    """
    global _UNITS
    if jobs < 1:
        raise HandoutError(f"--jobs must be 1 or more, not {jobs}")
    try:
        context = multiprocessing.get_context("fork") if jobs > 1 and len(units) > 1 else None
    except ValueError:
        context = None
    if context is None:
        return [work(unit) for unit in units]
    _UNITS = (work, units)
    try:
        with context.Pool(min(jobs, len(units))) as pool:
            # chunksize 1: units differ a lot in size (a booklet against a checklist)
            outcomes = pool.map(_run_one, range(len(units)), chunksize=1)
    finally:
        _UNITS = None
    results = []
    for ok, value in outcomes:  # the first failure in unit order, as one process would have raised it
        if not ok:
            _reraise(value)
        results.append(value)
    return results


def default_jobs() -> int:
    """Processes to use when asked for "all": the CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1
