"""Output sets (handoutkit.press.output): a topic's files change as a whole, whatever kills the run.

Issue 8, items 6 and 7 for ``handout build``: kill -9 at the swap, a full
disk partway, two builds at once, stale temporary files, owner-only temporary
files, and targets that are not regular files or folders.
"""

from __future__ import annotations

import errno
import io
import os
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pypdf
import pytest
from click.testing import CliRunner

from cli import main
from handoutkit.build import build
from handoutkit.press import output
from handoutkit.press.output import OutputError, OutputFolder

from conftest import ROOT, SOURCE, TOPIC

# The English set: these builds are English only (--language en); the Spanish files follow the same rules.
SET = ["booklet-print.pdf", "booklet.pdf", "checklist.pdf", "exercise-sheet.pdf"]


def papers(folder: Path) -> dict[str, tuple[float, float]]:
    """The first page size of every PDF in ``folder``, by name."""
    sizes = {}
    for pdf in sorted(folder.glob("*.pdf")):
        box = pypdf.PdfReader(pdf).pages[0].mediabox
        sizes[pdf.name] = (round(float(box.width)), round(float(box.height)))
    return sizes


def is_letter_set(folder: Path) -> bool:
    return papers(folder) == {"booklet.pdf": (396, 612), "booklet-print.pdf": (792, 612),
                              "checklist.pdf": (612, 792), "exercise-sheet.pdf": (612, 792)}


def is_a4_set(folder: Path) -> bool:
    return papers(folder) == {"booklet.pdf": (420, 595), "booklet-print.pdf": (842, 595),
                              "checklist.pdf": (595, 842), "exercise-sheet.pdf": (595, 842)}


def leftovers(out: Path) -> list[str]:
    return sorted(p.name for p in out.iterdir() if p.name.startswith("."))


KILLER = """
import os, signal, sys
sys.path.insert(0, {root!r})
from handoutkit.press import output
point = {point!r}
if point == "journal":          # no RENAME_EXCHANGE: the two-rename swap, killed between the renames
    output._renameat2 = None
    real_rename = os.rename
    def rename(src, dst):
        real_rename(src, dst)
        if os.path.basename(str(src)) == {topic!r}:
            os.kill(os.getpid(), signal.SIGKILL)
    os.rename = rename
else:
    real = output._rename2
    def rename2(src, dst, flags):
        if point == "before":
            os.kill(os.getpid(), signal.SIGKILL)
        done = real(src, dst, flags)
        os.kill(os.getpid(), signal.SIGKILL)   # after the exchange, before the old set is deleted
    output._rename2 = rename2
from handoutkit.build import build
build({source!r}, {out!r}, paper="a4", languages=["en"])
"""


@pytest.mark.parametrize("point", ["before", "after", "journal"])
def test_kill_9_during_the_swap_leaves_one_whole_set_and_the_next_run_cleans_up(tmp_path, point):
    out = tmp_path / "out"
    build(SOURCE, out, languages=["en"])  # letter
    assert is_letter_set(out / TOPIC)
    code = KILLER.format(root=str(ROOT), point=point, topic=TOPIC, source=str(SOURCE), out=str(out))
    process = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True)
    assert process.returncode == -signal.SIGKILL, process.stderr.decode()
    if point == "journal":
        assert not (out / TOPIC).exists()  # killed between the two renames: only the journal knows
    else:
        # never a mix: the old letter set (killed before) or the new A4 set (killed after)
        assert (is_letter_set if point == "before" else is_a4_set)(out / TOPIC)
    assert leftovers(out)  # the dead run's stage / journal is still there ...
    with OutputFolder(out):  # ... until the next run: it finishes the swap and removes them
        pass
    assert is_a4_set(out / TOPIC) if point != "before" else is_letter_set(out / TOPIC)
    assert leftovers(out) == []


def test_a_full_disk_partway_changes_nothing(tmp_path, monkeypatch):
    out = tmp_path / "out"
    build(SOURCE, out, languages=["en"])
    before = {p.name: p.read_bytes() for p in (out / TOPIC).iterdir()}
    real = output._write_data
    calls = []

    def full_disk(fd, data, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            os.close(fd)
            raise OSError(errno.ENOSPC, "No space left on device")
        real(fd, data, **kwargs)

    monkeypatch.setattr(output, "_write_data", full_disk)
    result = CliRunner().invoke(main, ["build", "--source", str(SOURCE), "--out", str(out), "--paper", "a4", "--language", "en"])
    assert result.exit_code == 1
    assert "No space left on device" in result.output and "disk is full" in result.output
    assert "Traceback" not in result.output and "internal error" not in result.output
    assert {p.name: p.read_bytes() for p in (out / TOPIC).iterdir()} == before
    assert leftovers(out) == []


def test_unchanged_files_carry_over_byte_identical_and_a_partial_build_keeps_the_rest(tmp_path):
    out = tmp_path / "out"
    build(SOURCE, out, languages=["en"])
    (out / TOPIC / "notes.txt").write_text("clinic notes")  # not ours: kept
    (out / TOPIC / "preview").mkdir()
    (out / TOPIC / "preview" / "booklet.png").write_bytes(b"png")
    inode = (out / TOPIC / "checklist.pdf").stat().st_ino
    build(SOURCE, out, handouts=["booklet"], paper="a4", languages=["en"])
    names = sorted(p.name for p in (out / TOPIC).iterdir())
    assert names == sorted(SET + ["notes.txt", "preview"])
    assert (out / TOPIC / "checklist.pdf").stat().st_ino == inode  # carried over, not rewritten
    assert (out / TOPIC / "preview" / "booklet.png").read_bytes() == b"png"
    assert papers(out / TOPIC)["booklet.pdf"] == (420, 595)


def test_stage_keep_links_the_current_file(tmp_path):
    with OutputFolder(tmp_path) as folder:
        stage = folder.stage("set")
        stage.write("a.pdf", b"one")
        stage.commit()
    first = os.stat(tmp_path / "set" / "a.pdf")
    with OutputFolder(tmp_path) as folder:
        stage = folder.stage("set")
        stage.keep("a.pdf")
        stage.write("b.pdf", b"two")
        stage.commit()
    again = os.stat(tmp_path / "set" / "a.pdf")
    assert (again.st_ino, again.st_mtime_ns) == (first.st_ino, first.st_mtime_ns)
    assert sorted(os.listdir(tmp_path / "set")) == ["a.pdf", "b.pdf"]


def test_temporary_files_and_stages_are_owner_only_while_written(tmp_path):
    seen = []

    def spy(handle):
        seen.append(stat.S_IMODE(os.fstat(handle.fileno()).st_mode))
        handle.write(b"x")

    with OutputFolder(tmp_path) as folder:
        stage = folder.stage("set")
        seen.append(stat.S_IMODE(os.stat(stage.path).st_mode))
        stage.write("a.pdf", spy, mode=0o644)
        stage.commit()
        folder.write_file("b.pdf", spy, mode=0o644)
    assert seen == [0o700, 0o600, 0o600]
    assert stat.S_IMODE(os.stat(tmp_path / "set" / "a.pdf").st_mode) == 0o644
    assert stat.S_IMODE(os.stat(tmp_path / "set").st_mode) == 0o755


def test_stale_temporary_files_of_any_version_are_removed_and_others_kept(tmp_path):
    for name in (".handout-tmp-abc123", ".stack.pdf.k2j4h5l6.tmp", ".handout-stage-xyz", ".handout-old-q"):
        path = tmp_path / name
        if "stage" in name or "old" in name:
            path.mkdir()
            (path / "exercise-sheet-row-002.pdf").write_bytes(b"patient")
        else:
            path.write_bytes(b"patient names")
    (tmp_path / ".mine.tmp").write_bytes(b"keep")
    (tmp_path / "report.pdf").write_bytes(b"keep")
    with OutputFolder(tmp_path):
        pass
    assert sorted(os.listdir(tmp_path)) == [".mine.tmp", "report.pdf"]


def test_two_builds_at_once_take_turns(content, tmp_path):
    """While one run holds the folder, a second waits (and says so) and then writes a whole set."""
    out = tmp_path / "out"
    command = [sys.executable, "-m", "cli", "build", "--source", str(content), "--out", str(out), "--paper", "a4",
               "--language", "en"]
    with OutputFolder(out):
        process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        line = process.stderr.readline().decode()
        assert "waiting" in line and str(out) in line
        assert not (out / TOPIC).exists()
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 0, stderr.decode()
    assert is_a4_set(out / TOPIC)
    assert leftovers(out) == []


@pytest.mark.parametrize("kind", ["fifo", "socket"])
def test_build_refuses_an_out_that_is_not_a_folder_or_regular_file(tmp_path, kind):
    import socket

    target = tmp_path / "special"
    if kind == "fifo":
        os.mkfifo(target)
    else:
        sock = socket.socket(socket.AF_UNIX)
        sock.bind(str(target))
    for out in (target, tmp_path / "dir"):
        if out.name == "dir":
            out.mkdir()
            os.mkfifo(out / TOPIC)  # the topic's set path is a FIFO
        result = CliRunner().invoke(main, ["build", "--source", str(SOURCE), "--out", str(out)])
        assert result.exit_code == 1, result.output
        assert "not a regular file or folder" in result.output and "Traceback" not in result.output
    assert stat.S_ISFIFO(os.lstat(tmp_path / "dir" / TOPIC).st_mode)
    assert (stat.S_ISFIFO if kind == "fifo" else stat.S_ISSOCK)(os.lstat(target).st_mode)


def test_build_out_is_a_file_or_under_a_file(tmp_path):
    (tmp_path / "file").write_text("x")
    result = CliRunner().invoke(main, ["build", "--source", str(SOURCE), "--out", str(tmp_path / "file")])
    assert result.exit_code == 2 and "is a file" in result.output  # click's own check: a usage error
    result = CliRunner().invoke(main, ["build", "--source", str(SOURCE), "--out", str(tmp_path / "file" / "sub")])
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    assert "is a file, not a folder" in result.output
    assert (tmp_path / "file").read_text() == "x"


def test_a_read_only_folder_is_a_clean_error(tmp_path, monkeypatch):
    # Tests may run as root (permissions do not stop root), so the refusal is simulated at mkdtemp.
    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(output.tempfile, "mkdtemp", read_only)
    result = CliRunner().invoke(main, ["build", "--source", str(SOURCE), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1 and "read-only" in result.output and "Traceback" not in result.output
    assert not any((tmp_path / "out").iterdir())


def test_stage_names_are_confined(tmp_path):
    with OutputFolder(tmp_path) as folder:
        for bad in ("..", "a/b", ".handout-lock", ".handout-tmp-x"):
            with pytest.raises(OutputError):
                folder.stage(bad)
        stage = folder.stage("ok")
        for bad in ("../x.pdf", "/etc/x"):
            with pytest.raises(OutputError):
                stage.write(bad, b"")
    assert os.listdir(tmp_path) == []
