"""Personal exercise plans (``handout sheet``) and batches (``handout batch``).

What matters most here is where a patient's details end up: on the printed
page and nowhere else (not in metadata, file names, messages, other streams
or temporary files).  Also: plans and bad rows are validated with located
messages, stacks start each patient on an odd page, --jobs does not change
the output, QR codes scan, and the fast layout matches the standard sheet.
"""

from __future__ import annotations

import io
import os
import re
import tempfile
from pathlib import Path

import pypdf
import pytest
from click.testing import CliRunner
from pypdf.generic import StreamObject

from cli import main
from handoutkit.checks import pdfcheck
from handoutkit.personal.plans import Patient, Plan

from conftest import SOURCE, TOPIC
from pdfutil import font_sizes, norm

NAME = "Xavi Quintanilla"
CLINICIAN = "Dr. Okonkwo"
DATE = "2026-12-04"
NOTE = "Zebrafish warmup first, then the stretches."
PERSONAL = (NAME, CLINICIAN, DATE, NOTE)


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def sheet(*args: str, source: Path = SOURCE):
    return run("sheet", TOPIC, "--source", str(source), *args)


def texts(data: bytes) -> list[str]:
    return [norm(page.extract_text()) for page in pypdf.PdfReader(io.BytesIO(data)).pages]


def page_content_ids(reader: pypdf.PdfReader) -> set[int]:
    ids = set()
    for page in reader.pages:
        contents = page.get("/Contents")
        refs = contents if isinstance(contents, list) else [contents]
        ids |= {ref.idnum for ref in refs if hasattr(ref, "idnum")}
    return ids


def assert_only_on_page(data: bytes, values=PERSONAL) -> None:
    """Each value is in the page text, and in no other stream, no metadata, nowhere in the raw bytes."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    page_text = " ".join(texts(data))
    for value in values:
        assert value in page_text, value
    encodings = [v.encode(enc, "ignore") for v in values for enc in ("utf-8", "utf-16-be", "latin-1")]
    encodings = [e for e in encodings if len(e) >= 4]
    for raw in encodings:
        assert raw not in data
    metadata = " ".join(str(v) for v in (reader.metadata or {}).values())
    assert not any(v in metadata for v in values)
    contents = page_content_ids(reader)
    numbers = sorted(reader.xref[0])
    assert len(numbers) > 10
    for number in numbers:
        obj = reader.get_object(number)
        if isinstance(obj, StreamObject):
            if number in contents:
                continue
            decoded = obj.get_data()
            assert not any(raw in decoded for raw in encodings), f"object {number}"
        else:
            assert not any(v in str(obj) for v in values), f"object {number}"


# ----------------------------------------------------------------------------- one sheet


def test_personal_sheet_details_on_the_page_only(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = sheet("--exercise", "chin-tuck", "--exercise", "doorway-chest-stretch", "--patient", NAME,
                   "--clinician", CLINICIAN, "--date", DATE, "--note", NOTE, "--dose", "chin-tuck:sets=2,reps=8")
    assert result.exit_code == 0, result.output
    files = list(tmp_path.iterdir())
    assert len(files) == 1 and re.fullmatch(r"exercise-sheet-[0-9a-f]{10}\.pdf", files[0].name)
    assert not any(v in result.output or v in result.stderr for v in PERSONAL)
    data = files[0].read_bytes()
    pdfcheck.check_print_ready(data, label="sheet")
    assert_only_on_page(data)
    page = " ".join(texts(data))  # the taller blanks (issue 8, item 4) move the second card to page 2
    assert "Sets: 2 · Reps: 8 · Hold: 5 s" in page  # the override
    assert "Sets: 1 · Reps: 3 · Hold: 30 s" in page  # the topic's dose
    assert "Doorway chest stretch" in page and "Cat-cow" not in page
    assert min(font_sizes(data)) >= 12


def test_default_name_hashes_the_plan_not_the_patient_and_never_overwrites(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in ("Ann Example", "Bob Example"):
        assert sheet("--exercise", "cat-cow", "--patient", name).exit_code == 0
    names = sorted((p.name for p in tmp_path.iterdir()), key=len)
    assert len(names) == 2 and names[1] == names[0].replace(".pdf", "-2.pdf")  # same plan, same hash
    assert sheet("--exercise", "bird-dog", "--patient", "Ann Example").exit_code == 0
    assert len({p.name[:25] for p in tmp_path.iterdir()}) == 2  # another plan, another hash


def test_stdout_mode_writes_only_the_pdf(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = sheet("--exercise", "cat-cow", "--patient", NAME, "--out", "-")
    assert result.exit_code == 0, result.stderr
    assert result.stdout_bytes.startswith(b"%PDF-") and result.stdout_bytes.rstrip().endswith(b"%%EOF")
    assert NAME in texts(result.stdout_bytes)[0]
    assert result.stderr == "" and list(tmp_path.iterdir()) == []


def test_plan_file(tmp_path):
    plan = tmp_path / "plan.yaml"
    plan.write_text(f"topic: {TOPIC}\npatient: {NAME}\ndate: {DATE}\nexercises:\n  - cat-cow\n"
                    "  - id: bird-dog\n    dose: {reps: 7, hold_seconds: 0}\n")
    out = tmp_path / "ana.pdf"
    result = run("sheet", "--source", str(SOURCE), "--plan", str(plan), "--clinician", CLINICIAN, "--out", str(out))
    assert result.exit_code == 0, result.output
    page = texts(out.read_bytes())[0]
    assert "1. Cat-cow" in page and "2. Bird-dog" in page and "Sets: 1 · Reps: 7 · Times a day: 1" in page
    assert NAME in page and CLINICIAN in page


def test_unknown_exercise_option_lists_the_ids(tmp_path):
    result = sheet("--exercise", "chin-tuk", "--patient", NAME)
    assert result.exit_code == 1
    assert result.output.startswith("--exercise: no exercise 'chin-tuk'")
    assert "did you mean 'chin-tuck'?" in result.output and "cat-cow, bird-dog" in result.output
    assert NAME not in result.output and "Traceback" not in result.output


def test_bad_dose_option():
    result = sheet("--exercise", "cat-cow", "--dose", "cat-cow:sets=50,rep=3", "--dose", "bird-dog:reps=2")
    assert result.exit_code == 1
    assert "--dose: cat-cow: sets must be 1–20, got 50" in result.output
    assert "unknown dose key 'rep'" in result.output and "did you mean 'reps'?" in result.output


def test_plan_file_errors_are_located(tmp_path):
    plan = tmp_path / "plan.yaml"
    plan.write_text(f"patient: {NAME}\nexersises:\n  - cat-cow\n")
    result = run("sheet", TOPIC, "--source", str(SOURCE), "--plan", str(plan))
    assert result.exit_code == 1
    assert re.search(r"plan\.yaml:2:1: exersises: unknown key 'exersises'\n  hint: did you mean 'exercises'\?",
                     result.output), result.output
    plan.write_text(f"patient: {NAME}\ndate: 2026-13-01\nexercises:\n  - cat-cow\n  - id: chin-tuk\n")
    result = run("sheet", TOPIC, "--source", str(SOURCE), "--plan", str(plan))
    assert result.exit_code == 1
    assert re.search(r"plan\.yaml:2:7: date: expected a date", result.output), result.output
    assert "2026-13-01" not in result.output and NAME not in result.output  # personal values are never echoed
    plan.write_text("exercises:\n  - cat-cow\n  - id: chin-tuk\n")
    result = run("sheet", TOPIC, "--source", str(SOURCE), "--plan", str(plan))
    assert re.search(r"plan\.yaml:3:9: no exercise 'chin-tuk' in topic upper-back-pain\n"
                     r"  hint: did you mean 'chin-tuck'\? exercises: chin-tuck, ", result.output), result.output


def test_a_name_too_long_for_its_blank_is_refused_without_echoing_it():
    # Ordinary long names print (issue 8, item 4: see test_personal_safety); only a name that cannot
    # fit even on two lines at 12 pt (no space to break at) is refused, and never echoed.
    long_name = "W" * 60
    result = sheet("--exercise", "cat-cow", "--patient", long_name)
    assert result.exit_code == 1
    assert result.output.startswith("--patient: name is too long for its blank")
    assert long_name[:6] not in result.output


def test_patient_repr_hides_details():
    patient = Patient(NAME, CLINICIAN, None, NOTE)
    assert NAME not in repr(patient) and NAME not in repr(Plan(exercises=[], patient=patient))


def test_names_outside_the_body_font_use_the_symbol_font(tmp_path):
    out = tmp_path / "s.pdf"
    name = "Δήμος Ł. Nguyễn"
    result = sheet("--exercise", "cat-cow", "--patient", name, "--out", str(out))
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    pdfcheck.check_print_ready(data, label="s")
    assert name in texts(data)[0]
    assert_only_on_page(data, (name,))


# ----------------------------------------------------------------------------- batches


CSV = f"""name,date,clinician,exercises,doses,note
{NAME},{DATE},{CLINICIAN},chin-tuck;doorway-chest-stretch,chin-tuck:sets=2,"{NOTE}"
Bo Chen,2026-12-01,J. Lee,chin-tuk cat-cow,,
Cy Doe,2026-13-01,J. Lee,bird-dog,,
Di Eve,2026-12-02,,bird-dog cat-cow shoulder-blade-squeeze seated-thoracic-extension chin-tuck doorway-chest-stretch,bird-dog:hold=0,
Ed Fox,,,cat-cow,cat-cow:reps=5;bird-dog:reps=2,
Flo Gee,2026-12-03,J. Lee,cat-cow bird-dog,,"A note, with a comma"
"""
GOOD = {2: NAME, 5: "Di Eve", 7: "Flo Gee"}


@pytest.fixture()
def plans_csv(tmp_path) -> Path:
    path = tmp_path / "plans.csv"
    path.write_text(CSV, encoding="utf-8")
    return path


def batch(csv: Path, *args: str):
    return run("batch", str(csv), "--source", str(SOURCE), *args)


def test_batch_writes_good_rows_and_reports_bad_ones(plans_csv, tmp_path):
    out = tmp_path / "out"
    result = batch(plans_csv, "--out", str(out), "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [f"exercise-sheet-row-{n:04d}.pdf" for n in sorted(GOOD)]
    assert "plans.csv:3: row 3, exercises: no exercise 'chin-tuk'" in result.stderr
    assert "plans.csv:4: row 4, date: expected a date like 2026-12-01" in result.stderr
    assert "plans.csv:6: row 6, doses: a dose is given for 'bird-dog', which the plan does not include" in result.stderr
    assert result.stdout.strip() == f"wrote 3 sheets to {out}; 3 bad rows skipped"
    for number, name in GOOD.items():
        data = (out / f"exercise-sheet-row-{number:04d}.pdf").read_bytes()
        pdfcheck.check_print_ready(data, label=str(number))
        assert name in texts(data)[0]
    assert_only_on_page((out / "exercise-sheet-row-0002.pdf").read_bytes())
    assert not any(v in result.output or v in result.stderr for v in PERSONAL + ("Bo Chen", "Cy Doe", "2026-13-01"))
    # Another run must not mix old sheets into the folder unless asked to.
    again = batch(plans_csv, "--out", str(out), "-q")
    assert again.exit_code == 1 and "--replace" in again.output
    assert batch(plans_csv, "--out", str(out), "-q", "--replace").exit_code == 0


def test_strict_batch_writes_nothing(plans_csv, tmp_path):
    out = tmp_path / "out"
    result = batch(plans_csv, "--out", str(out), "--strict")
    assert result.exit_code == 1
    assert "row 3, exercises" in result.output and result.output.rstrip().endswith("3 bad rows (--strict); nothing was written.")
    assert not out.exists()


def test_merged_stack_starts_each_patient_on_an_odd_page(plans_csv, tmp_path):
    out = tmp_path / "stack.pdf"
    # The last patient without a note: a one-page sheet, so the stack needs a Notes page (issue 8's
    # taller name blanks made the two-card sheets with a note two pages long).
    plans_csv.write_text(CSV.replace(',"A note, with a comma"', ","), encoding="utf-8")
    result = batch(plans_csv, "--out", str(out), "--merge", "-q")
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    pdfcheck.check_print_ready(data, label="stack")
    pages = texts(data)
    starts = [i for i, text in enumerate(pages) if "Patient name:" in text]
    assert len(starts) == 3 and len(pages) % 2 == 0
    odd = 0
    for start, end, name in zip(starts, starts[1:] + [len(pages)], GOOD.values()):
        assert start % 2 == 0  # 0-based even: a printed odd page, the front of a sheet of paper
        assert name in pages[start] and not any(n in " ".join(pages[start + 1:end]) for n in GOOD.values())
        length = sum(1 for text in pages[start:end] if not text.startswith("Notes"))
        odd += length % 2
        assert end - start == length + length % 2  # an odd-length sheet gets one Notes page
        if length % 2:
            assert pages[end - 1].startswith("Notes Space for your own notes")
    lengths = [b - a for a, b in zip(starts, starts[1:] + [len(pages)])]
    assert lengths == [2, 2, 2], lengths  # 2, 2 (all six cards), 1+Notes
    notes = [text for text in pages if text.startswith("Notes Space for your own notes")]
    assert odd >= 1 and len(notes) == odd and len(set(notes)) == 1  # one Notes page per odd-length sheet
    metadata = pypdf.PdfReader(io.BytesIO(data)).metadata
    assert not any(name in str(v) for v in metadata.values() for name in GOOD.values())
    # the stack is written by handoutkit.press.pdfparts, not reportlab: hold it to qpdf's structural check too
    import pikepdf

    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert list(pdf.check_pdf_syntax()) == [] and pdf.get_warnings() == []


def test_jobs_do_not_change_the_output(plans_csv, tmp_path, monkeypatch):
    from handoutkit.personal import sheets as personal

    monkeypatch.setattr(personal, "CHUNK", 4)  # several part libraries, so --jobs 2 renders them in processes
    for jobs in ("1", "2"):
        assert batch(plans_csv, "--out", str(tmp_path / f"dir{jobs}"), "--jobs", jobs, "-q").exit_code == 0
        assert batch(plans_csv, "--out", str(tmp_path / f"stack{jobs}.pdf"), "--merge", "--jobs", jobs, "-q").exit_code == 0
    one = {p.name: p.read_bytes() for p in (tmp_path / "dir1").iterdir()}
    two = {p.name: p.read_bytes() for p in (tmp_path / "dir2").iterdir()}
    assert one == two and len(one) == 3
    assert (tmp_path / "stack1.pdf").read_bytes() == (tmp_path / "stack2.pdf").read_bytes()
    for data in one.values():
        pdfcheck.check_print_ready(data, label="jobs")


def test_progress_goes_to_stderr_and_stdout_keeps_one_line(tmp_path):
    path = tmp_path / "many.csv"
    path.write_text("name,exercises\n" + "".join(f"P{i},cat-cow\n" for i in range(8)))
    result = batch(path, "--out", str(tmp_path / "out"), "--jobs", "1")
    assert result.exit_code == 0
    assert result.stdout == f"wrote 8 sheets to {tmp_path / 'out'}\n"
    assert "sheets" in result.stderr  # the progress bar's label (a terminal also gets count, rate and ETA)


def test_merged_stack_to_stdout(plans_csv):
    result = batch(plans_csv, "--out", "-", "--merge", "-q")
    assert result.exit_code == 0
    assert result.stdout_bytes.startswith(b"%PDF-") and len(texts(result.stdout_bytes)) == 6  # 2 + 2 + 2 pages (see test_merged_stack_starts_each_patient_on_an_odd_page)
    assert NAME.encode() not in result.stderr_bytes


def test_no_temporary_files_survive(plans_csv, tmp_path, monkeypatch):
    private = tmp_path / "tmp"
    private.mkdir()
    monkeypatch.setenv("TMPDIR", str(private))
    monkeypatch.setattr(tempfile, "tempdir", str(private))
    assert tempfile.gettempdir() == str(private)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    assert sheet("--exercise", "cat-cow", "--patient", NAME).exit_code == 0
    assert sheet("--exercise", "cat-cow", "--patient", NAME, "--out", "-").exit_code == 0
    assert batch(plans_csv, "--out", "dir", "--jobs", "2", "-q").exit_code == 0
    assert batch(plans_csv, "--out", "stack.pdf", "--merge", "-q").exit_code == 0
    assert batch(plans_csv, "--out", "-", "--merge", "-q").exit_code == 0
    assert os.listdir(private) == []
    leftovers = [p for p in work.rglob("*") if p.name.startswith(".") or p.suffix == ".tmp"]
    assert leftovers == []


def test_bad_csv_header_fails_the_run(tmp_path):
    path = tmp_path / "plans.csv"
    path.write_text("nmae,exercises\nA,cat-cow\n")
    result = batch(path, "--out", str(tmp_path / "o"))
    assert result.exit_code == 1 and "plans.csv:1: column 1: unknown column 'nmae'" in result.output
    assert "did you mean 'name'?" in result.output


# ----------------------------------------------------------------------------- layout and QR codes


def test_fast_layout_matches_the_standard_sheet(built):
    """All exercises at the topic's doses, no details: the composed sheet looks like exercise-sheet.pdf."""
    pdfium = pytest.importorskip("pypdfium2")
    from PIL import ImageChops

    result = sheet("--exercise", "chin-tuck shoulder-blade-squeeze doorway-chest-stretch seated-thoracic-extension "
                   "cat-cow bird-dog", "--out", "-")
    assert result.exit_code == 0
    standard, composed = (pdfium.PdfDocument(d) for d in (built["exercise-sheet.pdf"], result.stdout_bytes))
    assert len(standard) == len(composed)
    for index in range(len(standard)):
        a, b = (doc[index].render(scale=1).to_pil().convert("L") for doc in (standard, composed))
        diff = ImageChops.difference(a, b).point(lambda v: 255 if v > 64 else 0)
        assert diff.histogram()[255] < 0.0005 * a.width * a.height, f"page {index + 1} differs"


@pytest.fixture()
def with_url(content) -> tuple[Path, str]:
    url = "https://example.org/videos/upper-back/chin-tuck"
    path = content / TOPIC / "sections" / "exercises.yaml"
    text = path.read_text()
    tip = '    tip: "Keep your eyes level. Do not tip your head up or down."\n'
    assert tip in text
    path.write_text(text.replace(tip, tip + f'    url: "{url}"\n'))
    return content, url


def test_qr_code_scans_and_prints_the_address(with_url, tmp_path):
    pdfium = pytest.importorskip("pypdfium2")
    zxingcpp = pytest.importorskip("zxingcpp")
    content, url = with_url
    out = tmp_path / "qr.pdf"
    assert sheet("--exercise", "chin-tuck", "--exercise", "cat-cow", "--out", str(out), source=content).exit_code == 0
    data = out.read_bytes()
    pdfcheck.check_print_ready(data, label="qr")
    assert not any(pdfcheck.is_base14_name(f.name) for f in pdfcheck.listed_fonts(data))
    image = pdfium.PdfDocument(data)[0].render(scale=4).to_pil()
    assert [code.text for code in zxingcpp.read_barcodes(image)] == [url]
    assert "example.org/videos/ upper-back/ chin-tuck" in texts(data)[0]
    assert min(font_sizes(data)) >= 12
    # The standard sheet built by reportlab carries it too, with no standard-14 font anywhere.
    built_out = tmp_path / "built"
    assert run("build", "--source", str(content), "--out", str(built_out), "--handout", "exercise-sheet",
               "--language", "en").exit_code == 0  # the url is added to the English source only
    standard = (built_out / TOPIC / "exercise-sheet.pdf").read_bytes()
    pdfcheck.check_print_ready(standard, label="standard")
    assert not any(pdfcheck.is_base14_name(f.name) for f in pdfcheck.listed_fonts(standard))
    image = pdfium.PdfDocument(standard)[0].render(scale=4).to_pil()
    assert [code.text for code in zxingcpp.read_barcodes(image)] == [url]


def test_qr_codewords_carry_the_address_in_byte_mode():
    """The data the widget encodes, read from its codewords bit by bit: byte mode, length, the address."""
    from reportlab.graphics.barcode import qrencoder
    from reportlab.graphics.barcode.qr import QrCodeWidget

    url = "https://example.org/v/chin-tuck"  # up to version 3-M the codewords are one block, in order
    widget = QrCodeWidget(url, barLevel="M")
    widget.draw()
    version = (len(widget.qr.modules) - 17) // 4
    assert version <= 3
    words = qrencoder.QRCode.createData(version, qrencoder.QRErrorCorrectLevel.M, widget.qr.dataList)
    bits = "".join(f"{w:08b}" for w in words)
    count_bits = 8 if version < 10 else 16
    assert bits[:4] == "0100"  # byte mode
    length = int(bits[4:4 + count_bits], 2)
    data = bytes(int(bits[i:i + 8], 2) for i in range(4 + count_bits, 4 + count_bits + 8 * length, 8))
    assert data == url.encode()


@pytest.mark.parametrize("large_print", [False, True])
@pytest.mark.parametrize("exercises", [("chin-tuck", "doorway-chest-stretch"),
                                       ("chin-tuck", "shoulder-blade-squeeze", "doorway-chest-stretch")])
def test_no_page_of_a_personal_sheet_holds_only_the_review_note(tmp_path, exercises, large_print):
    """The review note's room is kept with the closing card and box: every page carries exercise content."""
    out = tmp_path / "s.pdf"
    args = ["sheet", TOPIC, "--source", str(SOURCE), "--language", "en", "--patient",
            "María Fernanda González-Rodríguez de la Cruz", "--clinician", "Dr. Jonathan Alexander Whitfield-Montgomery",
            "--date", "2026-12-01", "--note", "Start gently. Stop if pain gets worse. Call us with any questions.",
            "--out", str(out)] + [a for e in exercises for a in ("--exercise", e)] + (["--large-print"] if large_print else [])
    result = run(*args)
    assert result.exit_code == 0, result.output
    pages = [norm(p.extract_text()) for p in pypdf.PdfReader(out).pages]
    for number, text in enumerate(pages[1:], 2):  # page 1 always has the blanks and the introduction
        assert "Tip:" in text or "When to get help" in text, f"page {number} of {len(pages)} has no exercise content"
    assert "Next review due" in pages[-1] and all("Next review due" not in p for p in pages[:-1])
