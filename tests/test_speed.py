"""Build speed features (issue 10): incremental builds, --jobs, --shard, the readability cache, one-pass contents.

Behaviour only, on real outputs; how fast they are is measured in bench/, never here.
Builds are kept to the small handouts (checklist, exercise sheet) where the booklet adds nothing.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main
from handoutkit.build import build
from handoutkit.press import work

ROOT = Path(__file__).resolve().parents[1]
TOPIC = "upper-back-pain"
SMALL = ["checklist", "exercise-sheet"]


@pytest.fixture
def library(tmp_path) -> Path:
    """handouts/ with three copies of the shipped topic: a, b, c."""
    source = tmp_path / "handouts"
    shutil.copytree(ROOT / "handouts", source, ignore=shutil.ignore_patterns(TOPIC))
    for name in ("a", "b", "c"):
        # English only: the Spanish translation would double every count below (test_spanish.py covers it).
        shutil.copytree(ROOT / "handouts" / TOPIC, source / name, ignore=shutil.ignore_patterns("es"))
        meta = source / name / "topic.yaml"
        meta.write_text("".join(line for line in meta.read_text(encoding="utf-8").splitlines(keepends=True)
                                if not line.startswith("translations:")), encoding="utf-8")
    return source


def run(*args: str) -> list[str]:
    result = CliRunner().invoke(main, ["build", *args])
    assert result.exit_code == 0, result.output
    return [line for line in result.stdout.splitlines() if line]


def snapshot(out: Path) -> dict[str, tuple[bytes, int, int]]:
    return {str(p.relative_to(out)): (p.read_bytes(), p.stat().st_ino, p.stat().st_mtime_ns)
            for p in sorted(out.rglob("*.pdf"))}


def verbs(lines: list[str]) -> dict[str, str]:
    """{'a/checklist.pdf': 'wrote' | 'unchanged', ...} from build output lines."""
    out = {}
    for line in lines:
        verb, path = line.split(" ", 2)[:2]
        out["/".join(Path(path).parts[-2:])] = verb
    return out


def test_unchanged_inputs_leave_the_files_alone(library, tmp_path):
    out = tmp_path / "out"
    args = ["--source", str(library), "--out", str(out), *sum((["--handout", h] for h in SMALL), [])]
    assert set(verbs(run(*args)).values()) == {"wrote"}
    before = snapshot(out)
    lines = run(*args)
    assert verbs(lines) == {f"{t}/{h}.pdf": "unchanged" for t in "abc" for h in SMALL}
    checklist = next(line for line in lines if "a/checklist.pdf" in line)
    assert checklist.startswith("unchanged ") and checklist.endswith("(1 page, 8.5 × 11 in)")
    assert snapshot(out) == before  # bytes, inode and mtime: not rewritten, not swapped
    # --force rebuilds: same bytes, new files
    assert set(verbs(run(*args, "--force")).values()) == {"wrote"}
    after = snapshot(out)
    assert {k: v[0] for k, v in after.items()} == {k: v[0] for k, v in before.items()}
    assert all(after[k][1:] != before[k][1:] for k in before)


def test_a_changed_section_rebuilds_only_its_topic(library, tmp_path):
    out = tmp_path / "out"
    build(library, out, handouts=SMALL)
    section = next((library / "b" / "sections").glob("*.yaml"))
    section.write_text(section.read_text() + "\n# edited\n")
    files = build(library, out, handouts=SMALL)
    assert {(f.topic, f.unchanged) for f in files} == {("a", True), ("b", False), ("c", True)}


@pytest.mark.parametrize("change", ["brand", "image", "option", "handout", "output edited", "output deleted"])
def test_what_counts_as_a_change(library, tmp_path, change):
    out = tmp_path / "out"
    build(library, out, handouts=["checklist"])
    kwargs: dict = {"handouts": ["checklist"]}
    if change == "brand":
        brand = library / "brand.yaml"
        brand.write_text(brand.read_text() + "\n")
    elif change == "image":
        image = next(p for p in (library / "a" / "images").iterdir() if p.is_file())
        image.write_bytes(image.read_bytes() + b"\n")
    elif change == "option":
        kwargs["paper"] = "a4"
    elif change == "handout":
        kwargs["handouts"] = ["checklist", "exercise-sheet"]
    elif change == "output edited":
        (out / "a" / "checklist.pdf").write_bytes(b"%PDF-1.4 not ours")
    else:
        (out / "a" / "checklist.pdf").unlink()
    rebuilt = {f.topic for f in build(library, out, **kwargs) if not f.unchanged}
    expected = {"brand": {"a", "b", "c"}, "image": {"a"}, "option": {"a", "b", "c"}, "handout": {"a", "b", "c"},
                "output edited": {"a"}, "output deleted": {"a"}}[change]
    assert rebuilt == expected
    assert (out / "a" / "checklist.pdf").read_bytes().startswith(b"%PDF-1.") and b"not ours" not in (
        out / "a" / "checklist.pdf").read_bytes()


def test_records_live_in_the_cache_not_in_the_output(library, tmp_path):
    out = tmp_path / "out"
    build(library, out, handouts=["checklist"])
    assert sorted(p.name for p in (out / "a").iterdir()) == ["checklist.pdf"]
    records = json.loads((Path(os.environ["HANDOUT_CACHE_DIR"]) / "builds.json").read_text())
    text = json.dumps(records)
    assert "checklist.pdf" in text and "Riverside" not in text  # file names and hashes, no content


def test_cache_off_always_builds(library, tmp_path, monkeypatch):
    monkeypatch.setenv("HANDOUT_CACHE_DIR", "off")
    out = tmp_path / "out"
    build(library, out, topics=["a"], handouts=["checklist"])
    assert [f.unchanged for f in build(library, out, topics=["a"], handouts=["checklist"])] == [False]


def test_jobs_give_the_same_files_as_one_process(library, tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    build(library, one, handouts=SMALL + ["booklet"], topics=["a", "b"])
    files = build(library, two, handouts=SMALL + ["booklet"], topics=["a", "b"], jobs=2)
    assert [f.path.name for f in files if f.topic == "a"] == ["booklet.pdf", "booklet-print.pdf",
                                                              "exercise-sheet.pdf", "checklist.pdf"]
    assert {k: v[0] for k, v in snapshot(one).items()} == {k: v[0] for k, v in snapshot(two).items()}
    assert len(snapshot(two)) == 8


def test_an_error_in_a_worker_is_reported_as_in_one_process(library, tmp_path, monkeypatch):
    import handoutkit.build as pipeline
    from handoutkit.errors import FitError, HandoutError

    real = pipeline.render_handout

    def failing(topic, handout, *args):
        if topic.id == "b" and handout.name == "checklist":
            raise FitError(f"{topic.id}/sections/habits.yaml:3:1: does not fit", "shorten the text")
        return real(topic, handout, *args)

    monkeypatch.setattr(pipeline, "render_handout", failing)  # forked workers inherit it
    raised = []
    for jobs in (1, 2):
        with pytest.raises(HandoutError) as info:
            build(library, tmp_path / str(jobs), handouts=SMALL, jobs=jobs)
        raised.append((type(info.value), info.value.message, info.value.hint))
        assert not (tmp_path / str(jobs)).exists() or not any((tmp_path / str(jobs)).rglob("*.pdf"))
    assert raised[0] == raised[1]
    assert "b/sections/habits.yaml:3:1: does not fit" in raised[0][1]


def test_shards_split_the_work_deterministically(library, tmp_path):
    items = work.plan(library, ["a", "b", "c"], "print")
    for n in (1, 2, 3, 5):
        shards = [[item for item in items if work.in_shard(item, (k, n))] for k in range(1, n + 1)]
        assert sorted(item for shard in shards for item in shard) == items  # each item in exactly one shard
        assert shards == [[item for item in items if work.in_shard(item, (k, n))] for k in range(1, n + 1)]
    built = set()
    for k in (1, 2):
        built |= {f.topic for f in build(library, tmp_path / "out", handouts=["checklist"], shard=(k, 2))}
    assert built == {"a", "b", "c"}


@pytest.mark.parametrize("bad", ["3/2", "0/2", "1", "a/b", "1/2/3"])
def test_a_bad_shard_is_a_usage_error(bad, tmp_path):
    result = CliRunner().invoke(main, ["build", "--out", str(tmp_path), "--shard", bad])
    assert result.exit_code == 2
    assert "--shard" in result.output and "Traceback" not in result.output


def test_readability_results_come_from_the_cache(monkeypatch, tmp_path):
    from handoutkit import clock
    from handoutkit.checks import readability
    from handoutkit.checks.health import load_check_config, run_checks
    from handoutkit.content.load import load_project

    monkeypatch.setenv("HANDOUT_CACHE_DIR", str(tmp_path / "cache"))
    project = load_project(ROOT / "handouts")
    config = load_check_config(ROOT / "handouts")
    readability._part.cache_clear()
    first = run_checks(project, config, clock.build_date()).to_json()
    stored = json.loads((tmp_path / "cache" / "checks.json").read_text())["entries"]
    assert stored
    # A second process would find every text there: with measuring disabled
    # the report is the same.
    readability._part.cache_clear()

    def no_measuring(text):
        raise AssertionError(f"measured again: {text[:40]!r}")

    monkeypatch.setattr(readability, "_measure", no_measuring)
    assert run_checks(project, config, clock.build_date()).to_json() == first
    readability._part.cache_clear()


def test_spanish_readability_results_come_from_the_cache(monkeypatch, tmp_path):
    from handoutkit import clock
    from handoutkit.checks import readability, readability_es
    from handoutkit.checks.health import load_check_config, run_checks
    from handoutkit.content.load import load_project

    monkeypatch.setenv("HANDOUT_CACHE_DIR", str(tmp_path / "cache"))
    project = load_project(ROOT / "handouts")
    config = load_check_config(ROOT / "handouts")
    measured: list[str] = []
    real = readability_es._measure
    monkeypatch.setattr(readability_es, "_measure", lambda text: measured.append(text) or real(text))
    readability._part.cache_clear()
    readability_es._part.cache_clear()
    first = run_checks(project, config, clock.build_date()).to_json()
    assert measured  # the shipped topic's Spanish edition was measured, and stored
    readability._part.cache_clear()
    readability_es._part.cache_clear()

    def no_measuring(text):
        raise AssertionError(f"measured again: {text[:40]!r}")

    monkeypatch.setattr(readability_es, "_measure", no_measuring)
    assert run_checks(project, config, clock.build_date()).to_json() == first
    readability_es._part.cache_clear()


def test_spanish_analyse_adds_up_texts_as_one_pass_would(monkeypatch):
    from handoutkit.checks import readability_es
    from handoutkit.checks.readability import split_sentences, words

    monkeypatch.setenv("HANDOUT_CACHE_DIR", "off")
    texts = ["Corto. Una frase mucho más larga con muchas palabras aquí dentro.", "",
             "Otro texto. Con dos frases de cierta longitud hoy mismo.", "Empate uno dos tres cuatro cinco seis siete.",
             "Uno dos tres cuatro cinco seis siete ocho. Nueve diez once doce trece catorce quince dieciséis."]
    # The measure of one pass over all the sentences, as analyse() did before it added up per-text parts.
    found, n_words, n_syllables = [], 0, 0
    for text in texts:
        for sentence in split_sentences(text):
            tokens = words(sentence)
            n_words += len(tokens)
            n_syllables += sum(readability_es.syllables(t) for t in tokens)
            found.append((len(tokens), sentence))
    readability_es._part.cache_clear()
    stats = readability_es.analyse(texts)
    assert (stats.sentences, stats.words, stats.syllables) == (len(found), n_words, n_syllables)
    assert stats.longest == sorted(found, key=lambda item: -item[0])[:3]
    # four sentences tie at 8 words: the first two in reading order, across texts
    assert [n for n, _ in stats.longest] == [10, 8, 8]
    assert stats.longest[1][1].startswith("Con dos") and stats.longest[2][1].startswith("Empate")
    assert stats.inflesz == readability_es.inflesz(n_syllables, n_words, len(found))


def test_analyse_adds_up_texts_as_one_pass_would():
    from handoutkit.checks import readability

    texts = ["Short one. A much longer sentence with many words in it here.", "",
             "Another text. With two sentences of some length today.", "Tie one two three four five six seven."]
    readability._part.cache_clear()
    combined = readability.analyse(texts)
    joined = readability.analyse([" ".join(t for t in texts if t)])
    assert (combined.words, combined.syllables, combined.polysyllables) == (joined.words, joined.syllables,
                                                                           joined.polysyllables)
    assert combined.longest == sorted(combined.longest, key=lambda pair: -pair[0])[:3]
    assert combined.longest == [(10, "A much longer sentence with many words in it here."),
                                (8, "Tie one two three four five six seven."),
                                (7, "With two sentences of some length today.")]


def _render_counting_passes(monkeypatch, doc_class: type, layout: str):
    """Render the shipped topic's ``layout`` handout, counting how often ``doc_class`` starts a layout pass."""
    import layouts
    from handoutkit.build import BuildOptions, make_build_theme
    from handoutkit.content.load import load_project

    passes = []
    real = doc_class.handle_documentBegin

    def counting(self):
        passes.append(1)
        return real(self)

    monkeypatch.setattr(doc_class, "handle_documentBegin", counting)
    project = load_project(ROOT / "handouts")
    topic = project.topics[0]
    handout = next(h for h in topic.handouts if h.layout == layout)
    result = layouts.render(layouts.RenderJob(topic=topic, handout=handout,
                                              theme=make_build_theme(project, BuildOptions())))
    return passes, result


def test_the_booklet_is_laid_out_once(monkeypatch):
    from layouts import booklet

    passes, _ = _render_counting_passes(monkeypatch, booklet.BookletDoc, "booklet")
    assert passes == [1]


def test_the_exercise_sheet_is_laid_out_once(monkeypatch):
    """"Page N of M" without a second pass: the numbered furniture is defined after the last page."""
    import io

    from pypdf import PdfReader
    from layouts import exercise_sheet

    passes, result = _render_counting_passes(monkeypatch, exercise_sheet._SheetDoc, "exercise-sheet")
    assert passes == [1]
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(result.data)).pages]
    assert result.pages == len(pages) == 2
    assert [sum(f"Page {n} of 2" in text for n in (1, 2)) for text in pages] == [1, 1]
    assert "Page 1 of 2" in pages[0] and "Page 2 of 2" in pages[1]


def test_reportlab_runs_with_its_c_accelerator():
    # rl-accel is a dependency; reportlab silently falls back to Python without it.
    from reportlab.lib import rl_accel

    for name in ("fp_str", "escapePDF", "instanceStringWidthTTF", "unicode2T1"):
        assert getattr(rl_accel, name).__module__ == "_rl_accel", name
