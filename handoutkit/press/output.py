"""Output sets: files that change as a whole, one writer per folder, nothing stale left behind.

Every command that writes files (``handout build``, ``handout sheet``,
``handout batch``) writes through this module, so these hold everywhere:

* **A set changes as a whole.**  A *set* is a folder (a topic's handouts in
  ``output/<topic>/``, a batch's sheets in ``--out DIR``).  The new set is
  built in a private *stage* folder beside it and then swapped in with one
  ``renameat2(RENAME_EXCHANGE)``: at every instant, even after ``kill -9`` or
  a full disk, readers see the whole old set or the whole new one.  Where
  the kernel or file system cannot exchange, the swap is two renames
  recorded first in a journal (``.handout-swap-*``), and the next run
  finishes (or undoes) an interrupted swap before doing anything else.
* **One writer per folder.**  Writers hold an exclusive ``flock`` on
  ``<folder>/.handout-lock`` while they stage, swap and clean; a second build
  into the same folder waits.  The lock file is removed on release.
* **Nothing stale.**  Under the lock, our own leftovers from a run that died
  (stages, old sets, temporary files, also the ``.NAME.XXXXXXXX.tmp`` files
  of older versions, which could hold patient names) are removed first.
* **Private while being written.**  Stages are created 0700 and files 0600
  (``mkstemp``); a file gets its final mode only once complete.
* **Only regular files and folders are written over.**  A device, FIFO or
  socket at a target path is refused (:class:`OutputError`), so ``--out
  /dev/full`` cannot replace the device.

API (all errors are :class:`OutputError`, a :class:`~handoutkit.errors.HandoutError`)::

    with OutputFolder(out) as folder:            # mkdir, lock, recover, clean
        stage = folder.stage("upper-back-pain")  # the new set for out/upper-back-pain
        stage.write("booklet.pdf", data)         # new bytes (0600 while written, then ``mode``)
        stage.keep("checklist.pdf")              # unchanged: the current file, hard-linked (bytes,
                                                 #   inode and mtime untouched; copied if links fail)
        stage.carry_over(lambda rel: True)       # every other current entry the predicate accepts
        stage.commit()                           # swap in; the old set is deleted
        folder.write_file("stack.pdf", data)     # one file: temp + rename, same lock and cleaning
        folder.write_new("sheet.pdf", data)      # a new name, never replacing a file (-2, -3 ...)

``stage.current`` is the path of the set being replaced (it may not exist),
so an incremental build can compare against it before choosing ``keep`` or
``write``.  A stage not committed is deleted when the ``with`` block of its
folder ends (or by :meth:`Stage.discard`).  Several stages may be open at
once and committed one after another (``build`` stages every topic first, so
a failure while rendering or writing leaves every topic untouched).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import fcntl
import json
import os
import re
import shutil
import stat
import tempfile
from pathlib import Path
from typing import BinaryIO, Callable, Optional, Union

from handoutkit.errors import HandoutError

LOCK_NAME = ".handout-lock"
STAGE_PREFIX = ".handout-stage-"
OLD_PREFIX = ".handout-old-"
TEMP_PREFIX = ".handout-tmp-"
JOURNAL_PREFIX = ".handout-swap-"
# Temporary files of earlier versions: ".<file>.pdf.<8 mkstemp characters>.tmp" (could hold patient names).
LEGACY_TEMP = re.compile(r"\..+\.(?:pdf|md|png)\.[a-z0-9_]{8}\.tmp")

_RENAME_NOREPLACE, _RENAME_EXCHANGE = 1, 2
_AT_FDCWD = -100

Data = Union[bytes, Callable[[BinaryIO], object]]


class OutputError(HandoutError):
    """The output path cannot be written: not a folder, not a regular file, no space, no permission."""


def is_our_temp(name: str) -> bool:
    """Whether ``name`` is one of the temporary names this module (or an older version) creates."""
    return name.startswith((STAGE_PREFIX, OLD_PREFIX, TEMP_PREFIX, JOURNAL_PREFIX)) or bool(LEGACY_TEMP.fullmatch(name))


def os_error(path: Path, exc: OSError) -> OutputError:
    """One clear message for a failed file operation (no traceback, no 'internal error')."""
    hints = {errno.ENOSPC: "the disk is full: free some space and run again",
             errno.EDQUOT: "the disk quota is used up: free some space and run again",
             errno.EROFS: "the folder is read-only: choose another --out",
             errno.EACCES: "you may not write there: choose another --out or fix its permissions",
             errno.EPERM: "you may not write there: choose another --out or fix its permissions",
             errno.ENOTDIR: "a part of the path is a file, not a folder: choose another --out",
             errno.EISDIR: "that is a folder: give a file name"}
    reason = exc.strerror or type(exc).__name__
    return OutputError(f"{path}: cannot write ({reason}); nothing was changed",
                       hints.get(exc.errno, "check the output folder and free disk space"))


def check_target(path: Path, want_dir: bool) -> None:
    """Refuse anything at ``path`` that is not what we may write over: a regular file, or a folder."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return
    except NotADirectoryError:
        raise OutputError(f"{path}: a part of this path is a file, not a folder", "choose another --out") from None
    except OSError as exc:
        raise os_error(path, exc) from None
    if stat.S_ISDIR(info.st_mode):
        if not want_dir:
            raise OutputError(f"{path}: is a folder", "give a file name, e.g. --out sheets.pdf")
        return
    if not stat.S_ISREG(info.st_mode):
        raise OutputError(f"{path}: exists and is not a regular file or folder (a device, pipe or socket); "
                          "it was not touched", "choose another --out (use --out - for standard output)")
    if want_dir:
        raise OutputError(f"{path}: is a file, not a folder", "choose a folder for --out")


def _libc():
    try:
        lib = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        return lib.renameat2
    except (OSError, AttributeError):
        return None


_renameat2 = _libc()


def _rename2(source: Path, target: Path, flags: int) -> bool:
    """renameat2; False when the system or file system cannot do it (the caller falls back)."""
    if _renameat2 is None:
        return False
    result = _renameat2(_AT_FDCWD, os.fsencode(source), _AT_FDCWD, os.fsencode(target), flags)
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(source))


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _remove(path: Path) -> None:
    """Delete a leftover file or folder of ours (a link is removed, never followed)."""
    try:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
    except OSError:
        pass


def _write_data(fd: int, data: Data, sync: bool = True) -> None:
    with os.fdopen(fd, "wb") as handle:
        if callable(data):
            data(handle)
        else:
            handle.write(data)
        handle.flush()
        if sync:
            os.fsync(handle.fileno())


def _syncfs():
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True).syncfs
    except (OSError, AttributeError):
        return None


_syncfs_call = _syncfs()


def _sync_tree(path: Path) -> None:
    """Make a stage's files durable before the swap: one ``syncfs`` (about 0.1 s for 2,000 sheets,
    where an ``fsync`` per file costs about 3 ms each), else an ``fsync`` per file; then the folders."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        done = _syncfs_call is not None and _syncfs_call(fd) == 0
    finally:
        os.close(fd)
    for dirpath, _, filenames in os.walk(path):
        if not done:
            for name in filenames:
                try:
                    file_fd = os.open(Path(dirpath) / name, os.O_RDONLY | os.O_NOFOLLOW)
                except OSError:
                    continue  # a symbolic link carried over: nothing of ours to flush
                try:
                    os.fsync(file_fd)
                finally:
                    os.close(file_fd)
        _fsync_dir(Path(dirpath))


class OutputFolder:
    """A folder we write sets and files into, locked for one writer; see the module docstring."""

    def __init__(self, root: Path, wait: Optional[Callable[[], None]] = None) -> None:
        self.root = Path(root)
        self.wait = wait  # called once if another run holds the lock (e.g. to print "waiting")
        self._fd: Optional[int] = None
        self._stages: list[Stage] = []

    # ----------------------------------------------------------------- lock, recovery, cleaning

    def __enter__(self) -> "OutputFolder":
        check_target(self.root, want_dir=True)
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except FileExistsError:
            raise OutputError(f"{self.root}: a part of this path is a file, not a folder", "choose another --out") from None
        except OSError as exc:
            raise os_error(self.root, exc) from None
        self._lock()
        try:
            self.recover()
        except BaseException:
            self._unlock()
            raise
        return self

    def __exit__(self, *exc) -> bool:
        try:
            for stage in self._stages:
                stage.discard()
        finally:
            self._unlock()
        return False

    def _lock(self) -> None:
        path = self.root / LOCK_NAME
        waited = False
        while True:
            try:
                fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o600)
            except OSError as exc:
                raise os_error(self.root, exc) from None
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if self.wait is not None and not waited:
                    self.wait()
                waited = True
                fcntl.flock(fd, fcntl.LOCK_EX)
            # The holder before us removes the file on release: lock the file that is there now.
            try:
                same = os.path.samestat(os.fstat(fd), os.stat(path, follow_symlinks=False))
            except FileNotFoundError:
                same = False
            if same:
                self._fd = fd
                return
            os.close(fd)

    def _unlock(self) -> None:
        if self._fd is None:
            return
        try:
            (self.root / LOCK_NAME).unlink(missing_ok=True)
        except OSError:
            pass
        os.close(self._fd)
        self._fd = None

    def recover(self) -> None:
        """Finish or undo a swap a dead run left half done, then remove our stale temporary entries."""
        try:
            names = sorted(os.listdir(self.root))
        except OSError as exc:
            raise os_error(self.root, exc) from None
        for name in names:
            if name.startswith(JOURNAL_PREFIX):
                self._replay(self.root / name)
        for name in sorted(os.listdir(self.root)):
            if name != LOCK_NAME and is_our_temp(name):
                _remove(self.root / name)

    def _replay(self, journal: Path) -> None:
        try:
            record = json.loads(journal.read_text("utf-8"))
            target = self.root / record["name"]
            stage, old = self.root / record["stage"], self.root / record["old"]
        except (OSError, ValueError, KeyError, TypeError):
            journal.unlink(missing_ok=True)  # written before any rename: unreadable means nothing moved
            return
        if not os.path.lexists(target):
            # Died between the two renames: the stage is complete (the journal is written after it).
            source = stage if stage.is_dir() else old
            if source.is_dir():
                os.rename(source, target)
        journal.unlink(missing_ok=True)

    # ----------------------------------------------------------------- sets

    def stage(self, name: str, mode: int = 0o755) -> "Stage":
        """Start the new set for the folder ``root/name`` (``mode``: its mode if it is new)."""
        if "/" in name or name in ("", ".", "..") or is_our_temp(name) or name == LOCK_NAME:
            raise OutputError(f"{name!r} cannot name an output folder")
        current = self.root / name
        if os.path.islink(current):
            raise OutputError(f"{current}: is a symbolic link; sets are swapped in as a whole and a link "
                              "is never replaced", "remove the link or point --out at the real folder")
        check_target(current, want_dir=True)
        try:
            path = Path(tempfile.mkdtemp(prefix=STAGE_PREFIX, dir=self.root))
        except OSError as exc:
            raise os_error(self.root, exc) from None
        stage = Stage(self, name, path, mode)
        self._stages.append(stage)
        return stage

    # ----------------------------------------------------------------- single files

    def write_file(self, name: str, data: Data, mode: int = 0o600) -> Path:
        """Replace (or create) the regular file ``root/name`` atomically; ``data`` is bytes or a writer."""
        target = self.root / name
        check_target(target, want_dir=False)
        temp = self._temp()
        try:
            _write_data(os.open(temp, os.O_WRONLY), data)
            os.chmod(temp, mode)
            os.replace(temp, target)
        except OSError as exc:
            Path(temp).unlink(missing_ok=True)
            raise os_error(target, exc) from None
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        _fsync_dir(self.root)
        return target

    def write_new(self, name: str, data: bytes, mode: int = 0o600) -> Path:
        """Write ``root/name``, or ``name-2``, ``name-3`` ... if taken: never replaces a file."""
        stem, suffix = os.path.splitext(name)
        temp = self._temp()
        try:
            _write_data(os.open(temp, os.O_WRONLY), data)
            os.chmod(temp, mode)
            for n in range(1, 10_000):
                target = self.root / (name if n == 1 else f"{stem}-{n}{suffix}")
                try:
                    os.link(temp, target)  # fails if the name is taken: never overwrite
                    _fsync_dir(self.root)
                    return target
                except FileExistsError:
                    continue
        except OSError as exc:
            raise os_error(self.root / name, exc) from None
        finally:
            Path(temp).unlink(missing_ok=True)
        raise OutputError(f"{self.root}: too many files named {stem}-N{suffix}")

    def _temp(self) -> str:
        try:
            fd, temp = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=self.root)  # 0600
        except OSError as exc:
            raise os_error(self.root, exc) from None
        os.close(fd)
        return temp


class Stage:
    """The new contents of one set, private until :meth:`commit` swaps them in."""

    def __init__(self, folder: OutputFolder, name: str, path: Path, mode: int) -> None:
        self.folder, self.name, self.path, self.mode = folder, name, path, mode
        self.current = folder.root / name
        self.done = False

    def _target(self, rel: str) -> Path:
        parts = Path(rel).parts
        if not parts or Path(rel).is_absolute() or ".." in parts:
            raise OutputError(f"{rel!r} is not a path inside the output folder")
        target = self.path / rel
        if len(parts) > 1:
            target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        return target

    def write(self, rel: str, data: Data, mode: int = 0o644) -> Path:
        """Write a new file of the set (created 0600, given ``mode`` once complete).  Safe in forked workers."""
        try:
            target = self._target(rel)
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
            _write_data(fd, data, sync=False)  # made durable all at once by commit()
            os.chmod(target, mode)
        except OSError as exc:
            raise os_error(self.current / rel, exc) from None
        return self.current / rel

    def keep(self, rel: str) -> Path:
        """Carry the current file ``rel`` into the new set unchanged (hard link: same bytes, same inode)."""
        source = self.current / rel
        try:
            target = self._target(rel)
            try:
                os.link(source, target, follow_symlinks=False)
            except OSError as exc:
                if exc.errno not in (errno.EXDEV, errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK):
                    raise
                shutil.copy2(source, target, follow_symlinks=False)
        except OSError as exc:
            raise os_error(source, exc) from None
        return self.current / rel

    def carry_over(self, wanted: Callable[[str], bool] = lambda rel: True) -> list[str]:
        """Keep every current entry not yet in the stage that ``wanted(rel)`` accepts; the rest goes.

        Our own temporary files are never carried.  Returns the paths
        (relative, with ``/``) that were dropped.  A device, FIFO or socket
        in the set is refused: it would be deleted by the swap.
        """
        dropped: list[str] = []
        if not self.current.is_dir():
            return dropped
        for dirpath, dirnames, filenames in os.walk(self.current):
            base = Path(dirpath)
            rel_dir = base.relative_to(self.current)
            for entry in sorted(dirnames + filenames):
                source = base / entry
                rel = (rel_dir / entry).as_posix()
                info = os.lstat(source)
                if stat.S_ISDIR(info.st_mode):
                    (self.path / rel).mkdir(exist_ok=True, mode=0o700)
                    continue
                if os.path.lexists(self.path / rel):
                    continue  # written anew
                if is_our_temp(entry) or not wanted(rel):
                    dropped.append(rel)
                    continue
                if not (stat.S_ISREG(info.st_mode) or stat.S_ISLNK(info.st_mode)):
                    raise OutputError(f"{source}: is not a regular file or folder (a device, pipe or socket); "
                                      "nothing was changed", "move it out of the output folder")
                self.keep(rel)
        # sub-folders get their old modes back
        for dirpath, dirnames, _ in os.walk(self.current):
            for entry in dirnames:
                rel = (Path(dirpath) / entry).relative_to(self.current)
                if (self.path / rel).is_dir():
                    os.chmod(self.path / rel, stat.S_IMODE(os.lstat(Path(dirpath) / entry).st_mode))
        return dropped

    def commit(self) -> Path:
        """Swap the new set in as a whole; the old set is deleted.  Returns the set's path."""
        root, current = self.folder.root, self.current
        try:
            _sync_tree(self.path)
            try:
                mode = stat.S_IMODE(os.stat(current).st_mode)
            except FileNotFoundError:
                mode = self.mode
            os.chmod(self.path, mode)
            check_target(current, want_dir=True)
            if not os.path.lexists(current):
                if not _rename2(self.path, current, _RENAME_NOREPLACE):
                    os.rename(self.path, current)
            elif not _rename2(self.path, current, _RENAME_EXCHANGE):
                self._swap_with_journal()
            # self.path now holds the old set (or nothing)
            _remove(self.path)
            _fsync_dir(root)
        except OSError as exc:
            raise os_error(current, exc) from None
        self.done = True
        return current

    def _swap_with_journal(self) -> None:
        root = self.folder.root
        fd, journal = tempfile.mkstemp(prefix=JOURNAL_PREFIX, dir=root)
        old = Path(tempfile.mkdtemp(prefix=OLD_PREFIX, dir=root))
        old.rmdir()  # a unique name for the old set
        record = {"name": self.name, "stage": self.path.name, "old": old.name}
        _write_data(fd, json.dumps(record).encode())
        _fsync_dir(root)
        os.rename(self.current, old)
        os.rename(self.path, self.current)
        Path(journal).unlink()
        os.rename(old, self.path)  # so the caller deletes it like an exchanged old set

    def discard(self) -> None:
        """Forget the new set (nothing current is touched)."""
        if not self.done:
            _remove(self.path)
            self.done = True
