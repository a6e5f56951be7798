"""The web page (``handout serve``) through Starlette's test client: routes, validation, safety, privacy.

Each test reads real responses: PDFs are opened and their text read, pages are
parsed for the fields and messages they show, headers and cookies are read
as a browser would.  The real server (uvicorn under ``handout serve``) is
started once, in a subprocess, to check its address line, Ctrl-C and logs.
"""

from __future__ import annotations

import io
import logging
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import warnings
from pathlib import Path

import pypdf
import pytest
from click.testing import CliRunner

from cli import main
from conftest import SOURCE, TOPIC
from pdfutil import norm

with warnings.catch_warnings():  # Starlette would rather have httpx2; httpx is the well-known one
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from handoutkit.build import load_checked_project
from handoutkit.errors import HandoutError
from handoutkit.personal.plans import plan_from_options
from handoutkit.web.app import create_app
from handoutkit.web.security import Guard, host_names

NAME = "Xavi Quintanilla"
CLINICIAN = "Dr. Okonkwo"
NOTE = "Zebrafish warmup first."
ORIGIN = {"origin": "http://testserver"}
CARDS = ["chin-tuck", "shoulder-blade-squeeze", "doorway-chest-stretch", "seated-thoracic-extension", "cat-cow",
         "bird-dog"]


def new_client(source: Path = SOURCE, **guard) -> TestClient:
    hosts = host_names("127.0.0.1") | {"testserver"}
    return TestClient(create_app(source, Guard(hosts=hosts, **guard)), follow_redirects=False)


@pytest.fixture(scope="module")
def client() -> TestClient:
    return new_client()


def token(client: TestClient, path: str = f"/plan/{TOPIC}") -> str:
    page = client.get(path)
    return re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)


def plan_form(client: TestClient, **changes) -> dict:
    form = {"csrf": token(client), "patient": NAME, "clinician": CLINICIAN, "date": "2026-12-04", "note": NOTE,
            "card": CARDS, "paper": "letter", "action": "print", "include-chin-tuck": "1",
            "include-doorway-chest-stretch": "1", "sets-chin-tuck": "2", "reps-chin-tuck": "8"}
    form.update(changes)
    return {k: v for k, v in form.items() if v is not None}


def pdf_text(data: bytes) -> str:
    return " ".join(norm(p.extract_text()) for p in pypdf.PdfReader(io.BytesIO(data)).pages)


def field_errors(html: str) -> dict[str, list[str]]:
    """Field id → the error messages shown next to it (tied by aria-describedby)."""
    out: dict[str, list[str]] = {}
    for match in re.finditer(r'<p class="field-error" id="([^"]+)-error-\d+"><span class="visually-hidden">'
                             r'Problem: </span>(.*?)</p>', html):
        out.setdefault(match.group(1), []).append(match.group(2))
    return out


# --------------------------------------------------------------------------- every page


PAGES = ["/", "/?paper=a4&edition=large-print", "/plan", f"/plan/{TOPIC}", "/batch", "/check", "/signin"]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_answers_with_the_security_headers(client, path):
    response = client.get(path)
    assert response.status_code == 200, response.text
    headers = response.headers
    policy = headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy and "http" not in policy  # no inline script, no external hosts
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["cache-control"] == "no-store"
    assert headers["referrer-policy"] == "same-origin"
    html = response.text
    assert "<script>" not in html and " on" + "click=" not in html and "style=" not in html
    assert not re.search(r'(src|href)="(https?:)?//', html)  # every asset from this server
    assert '<html lang="en">' in html and "<title>" in html


def test_static_files_fonts_and_pictures_are_served_with_their_types(client):
    assert client.get("/static/app.css").headers["content-type"].startswith("text/css")
    assert client.get("/static/app.js").headers["content-type"].startswith("text/javascript")
    font = client.get("/fonts/AtkinsonHyperlegible-Regular.ttf")
    assert font.status_code == 200 and font.content[:4] == b"\x00\x01\x00\x00"
    css = client.get("/static/app.css").text
    assert '"Atkinson Hyperlegible"' in css and "/fonts/AtkinsonHyperlegible-Bold.ttf" in css
    picture = client.get(f"/topics/{TOPIC}/exercises/chin-tuck/picture")
    assert picture.headers["content-type"] == "image/svg+xml" and b"<svg" in picture.content
    assert "sandbox" in picture.headers["content-security-policy"]
    for path in ("/static/../cli.py", "/static/nope.js", "/fonts/DejaVuSans.ttf", "/fonts/..%2Fmedical_words.yaml",
                 f"/topics/{TOPIC}/exercises/nope/picture", "/topics/nope/exercises/chin-tuck/picture", "/pdf/x/y.pdf"):
        assert client.get(path).status_code == 404, path


# --------------------------------------------------------------------------- library


def test_library_lists_every_handout_with_pages_size_and_buttons(client, built):
    html = client.get("/").text
    assert any(name.endswith(".es.pdf") for name in built)  # the shipped topic has a Spanish translation
    for name, data in built.items():
        pages = len(pypdf.PdfReader(io.BytesIO(data)).pages)
        stem, _, language = name[:-4].partition(".")
        query = "paper=letter&amp;edition=standard" + (f"&amp;language={language}" if language else "")
        item = re.search(rf"<h4>{re.escape(name)}</h4>(.*?)</li>", html, re.S)
        assert item, name
        assert f"<p>{pages} page" in item.group(1)
        assert f'href="/pdf/{TOPIC}/{stem}.pdf?{query}"' in item.group(1)
        assert f'href="/pdf/{TOPIC}/{stem}.pdf?{query}&amp;download=1"' in item.group(1)
        assert f'src="/thumb/{TOPIC}/{stem}.png?{query}"' in item.group(1)
    assert "8.5 × 11 in (216 × 279 mm)" in html and "5.5 × 8.5 in" in html
    assert '<option value="es">Spanish (español)</option>' in html
    assert re.search(r'<h3 id="topic-upper-back-pain-es">Spanish \(español\): <span lang="es">', html)


def test_library_language_choice(client, built):
    spanish = client.get("/?language=es").text
    assert "booklet.es.pdf" in spanish and "<h4>booklet.pdf</h4>" not in spanish
    assert '<option value="es" selected>' in spanish
    response = client.get(f"/pdf/{TOPIC}/booklet-print.pdf?language=es")
    assert response.headers["content-disposition"] == 'inline; filename="booklet-print.es.pdf"'
    assert response.content == built["booklet-print.es.pdf"]
    assert client.get("/?language=fr").status_code == 400
    assert client.get("/?language=../x").status_code == 400
    assert client.get(f"/pdf/{TOPIC}/booklet.pdf?language=fr").status_code == 404


def test_library_pdfs_are_the_cli_build_and_open_inline_or_download(client, built):
    response = client.get(f"/pdf/{TOPIC}/checklist.pdf?paper=letter&edition=standard")
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == 'inline; filename="checklist.pdf"'
    assert response.content == built["checklist.pdf"]  # the same bytes `handout build` writes
    download = client.get(f"/pdf/{TOPIC}/booklet-print.pdf?download=1")
    assert download.headers["content-disposition"] == 'attachment; filename="booklet-print.pdf"'
    assert download.content == built["booklet-print.pdf"]


def test_library_offers_the_html_edition_under_its_own_policy(client, tmp_path):
    from handoutkit.build import BuildOptions, build

    html = client.get("/").text
    assert f'href="/html/{TOPIC}/booklet.html?paper=letter&amp;edition=standard"' in html
    assert f'href="/html/{TOPIC}/booklet-print.html' not in html  # the imposed file has no screen edition
    page = client.get(f"/html/{TOPIC}/checklist.html?edition=large-print")
    built = build(SOURCE, tmp_path, topics=[TOPIC], handouts=["checklist"],
                  options=BuildOptions(large_print=True, html=True))
    assert page.content == next(f.data for f in built if f.path.suffix == ".html")  # `handout build --html`
    policy = page.headers["content-security-policy"]
    assert "script" not in policy and "frame-ancestors 'none'" in policy and "default-src 'none'" in policy
    assert page.headers["content-disposition"] == 'inline; filename="checklist-large-print.html"'
    assert client.get(f"/html/{TOPIC}/nope.html").status_code == 404


def test_library_editions_and_paper(client):
    large = client.get(f"/pdf/{TOPIC}/checklist.pdf?paper=a4&edition=large-print")
    assert large.headers["content-disposition"] == 'inline; filename="checklist-large-print.pdf"'
    box = pypdf.PdfReader(io.BytesIO(large.content)).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    thumb = client.get(f"/thumb/{TOPIC}/booklet.png?paper=a4&edition=grayscale")
    assert thumb.headers["content-type"] == "image/png" and thumb.content[:8] == b"\x89PNG\r\n\x1a\n"
    assert client.get("/?paper=legal").status_code == 400
    assert client.get("/?edition=poster").status_code == 400


def test_library_shows_the_clis_content_error_and_an_edit_on_reload(content):
    web = new_client(content)
    topic_file = content / TOPIC / "topic.yaml"
    text = topic_file.read_text()
    topic_file.write_text(text.replace("title: ", "title: Edited ", 1))
    assert "Edited " in web.get("/").text  # built from the current YAML
    topic_file.write_text(text.replace("review_due:", "review_due: [", 1))
    with pytest.raises(HandoutError) as cli_error:
        load_checked_project(content)
    page = web.get("/")
    assert page.status_code == 422
    shown = re.search(r'<pre class="message">(.*?)</pre>', page.text, re.S).group(1)
    assert shown == cli_error.value.format_message().replace("'", "&#39;").replace('"', "&#34;")
    assert re.match(r"[\w/.-]*topic\.yaml:\d+:\d+: ", shown) and "Traceback" not in page.text
    assert web.get(f"/pdf/{TOPIC}/checklist.pdf").status_code == 422
    for path in (f"/plan/{TOPIC}", "/plan", "/batch", "/check"):  # every page says the same, no traceback
        other = web.get(path)
        assert other.status_code == 422 and shown in other.text and "Traceback" not in other.text, path


# --------------------------------------------------------------------------- exercise plans


def test_plan_page_has_a_card_per_exercise_prefilled_with_the_topics_dose(client):
    html = client.get(f"/plan/{TOPIC}").text
    assert re.findall(r'name="card" value="([^"]+)"', html) == CARDS
    assert 'id="sets-doorway-chest-stretch" name="sets-doorway-chest-stretch" type="text" inputmode="numeric" size="4" value="1"' in html
    assert 'id="hold_seconds-doorway-chest-stretch" name="hold_seconds-doorway-chest-stretch" type="text" inputmode="numeric" size="4" value="30"' in html
    for field in ("patient", "date", "clinician", "note", "paper", "large_print"):
        assert f'<label for="{field}">' in html
    today = re.search(r'id="date" name="date" type="text" inputmode="numeric" autocomplete="off" value="([^"]+)"', html)
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", today.group(1))
    assert f'action="/plan/{TOPIC}"' in html and 'method="post"' in html


def test_plan_prints_the_chosen_exercises_doses_and_patient(client, tmp_path, monkeypatch):
    response = client.post(f"/plan/{TOPIC}", data=plan_form(client), headers=ORIGIN)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["cache-control"] == "no-store"
    name = re.fullmatch(r'inline; filename="(exercise-sheet-[0-9a-f]{10}\.pdf)"',
                        response.headers["content-disposition"]).group(1)
    text = pdf_text(response.content)
    for value in (NAME, CLINICIAN, "2026-12-04", NOTE):
        assert value in text
    assert "1. Chin tucks Sets: 2 · Reps: 8 · Hold: 5 s" in text
    assert "2. Doorway chest stretch Sets: 1 · Reps: 3 · Hold: 30 s" in text and "Cat-cow" not in text
    download = client.post(f"/plan/{TOPIC}", data=plan_form(client, action="download"), headers=ORIGIN)
    assert download.headers["content-disposition"] == f'attachment; filename="{name}"'
    # The same plan through `handout sheet` gives the same file name (the hash covers the plan, not the patient).
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["sheet", TOPIC, "--source", str(SOURCE), "--exercise", "chin-tuck",
                                       "--exercise", "doorway-chest-stretch", "--dose", "chin-tuck:sets=2,reps=8",
                                       "--note", "another note"])
    assert result.exit_code == 0 and f"wrote {name} " in result.output


def test_plan_order_large_print_and_grayscale(client):
    form = plan_form(client, **{"include-cat-cow": "1", "order-cat-cow": "1", "large_print": "1", "paper": "a4"})
    response = client.post(f"/plan/{TOPIC}", data=form, headers=ORIGIN)
    text = pdf_text(response.content)
    assert text.index("1. Cat-cow") < text.index("2. Chin tucks") < text.index("3. Doorway chest stretch")
    page = pypdf.PdfReader(io.BytesIO(response.content)).pages[0]
    assert round(float(page.mediabox.width)) == 595
    stamped = {float(size) for size in re.findall(rb"/HKS\d+ ([\d.]+) Tf", page.get_contents().get_data())}
    assert stamped == {18.0}  # the patient's details at the large-print body size


def test_plan_in_a_translation_is_handout_sheet_language(client, tmp_path, monkeypatch):
    page = client.get(f"/plan/{TOPIC}").text
    assert '<option value="en" selected>English</option><option value="es">Spanish (español)</option>' in page
    response = client.post(f"/plan/{TOPIC}", data=plan_form(client, language="es", action="download", note=None),
                           headers=ORIGIN)
    assert response.status_code == 200, response.text
    text = pdf_text(response.content)
    assert "Sus ejercicios para la espalda" in text and NAME in text and "Series: 2" in text
    name = re.search(r'filename="([^"]+)"', response.headers["content-disposition"]).group(1)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["sheet", TOPIC, "--source", str(SOURCE), "--language", "es", "--exercise",
                                       "chin-tuck", "--exercise", "doorway-chest-stretch", "--dose",
                                       "chin-tuck:sets=2,reps=8"])
    assert result.exit_code == 0 and f"wrote {name} " in result.output  # the same sheet as `handout sheet`
    assert client.post(f"/plan/{TOPIC}", data=plan_form(client, language="fr"), headers=ORIGIN).status_code == 400
    preview = client.post(f"/plan/{TOPIC}/preview", data=plan_form(client, language="es"), headers=ORIGIN)
    assert preview.headers["content-type"] == "image/png"


def test_plan_errors_are_shown_next_to_their_fields_with_the_clis_messages(client):
    form = plan_form(client, **{"sets-chin-tuck": "30", "reps-chin-tuck": "lots", "date": "2026-13-01",
                                "patient": "x" * 61, "clinician": "a\x07b", "order-doorway-chest-stretch": "0"})
    response = client.post(f"/plan/{TOPIC}", data=form, headers=ORIGIN)
    assert response.status_code == 422
    errors = field_errors(response.text)
    # The messages of `handout sheet` for the same values
    for option, value, field in (("--dose", "chin-tuck:sets=30", "sets-chin-tuck"),
                                 ("--dose", "chin-tuck:reps=lots", "reps-chin-tuck"),
                                 ("--date", "2026-13-01", "date"), ("--patient", "x" * 61, "patient"),
                                 ("--clinician", "a\x07b", "clinician")):
        kwargs = {"doses": [value]} if option == "--dose" else {{"--date": "visit_date"}.get(option, option[2:]): value}
        kwargs.setdefault("doses", [])
        with pytest.raises(HandoutError) as cli:
            plan_from_options(["chin-tuck"], **kwargs)
        cli_message = cli.value.errors[0].problem.split(": ", 1)[-1] if option == "--dose" else cli.value.errors[0].problem
        assert [m.replace("&#39;", "'") for m in errors[field]] == [cli_message], field
    assert errors["order-doorway-chest-stretch"] == ["position must be a whole number from 1 to 999"]
    summary = re.search(r'<div class="error-summary" role="alert" tabindex="-1" id="error-summary".*?</div>',
                        response.text, re.S).group(0)
    assert summary.count("<li>") == 6 and 'href="#sets-chin-tuck"' in summary and 'href="#patient"' in summary
    assert 'id="sets-chin-tuck" name="sets-chin-tuck" type="text" inputmode="numeric" size="4" value="30" ' \
           'aria-describedby="sets-chin-tuck-error-1" aria-invalid="true"' in response.text
    assert NAME not in summary  # messages never quote personal values (the typed form is refilled)


def test_plan_name_too_wide_for_its_blank_is_the_sheet_commands_error(client):
    wide = "W" * 60  # issue 8: names up to 60 characters of ordinary letters fit; 60 W's cannot
    response = client.post(f"/plan/{TOPIC}", data=plan_form(client, patient=wide), headers=ORIGIN)
    assert response.status_code == 422
    message = field_errors(response.text)["patient"][0]
    result = CliRunner().invoke(main, ["sheet", TOPIC, "--source", str(SOURCE), "--exercise", "chin-tuck",
                                       "--patient", wide, "--out", "-"])
    assert result.exit_code == 1
    assert message.split(" (use")[0] in result.output and wide not in message


def test_plan_with_nothing_ticked_or_an_unknown_exercise(client):
    form = plan_form(client, **{"include-chin-tuck": None, "include-doorway-chest-stretch": None})
    response = client.post(f"/plan/{TOPIC}", data=form, headers=ORIGIN)
    assert response.status_code == 422 and field_errors(response.text)["exercises"] == [
        "no exercise is ticked (tick at least one exercise to include)"]
    assert client.post("/plan/no-such-topic", data=plan_form(client), headers=ORIGIN).status_code == 404


def test_plan_check_button_reports_a_good_plan(client):
    response = client.post(f"/plan/{TOPIC}", data=plan_form(client, action="check"), headers=ORIGIN)
    assert response.status_code == 200 and "The plan has no problems" in response.text
    assert 'value="Xavi Quintanilla"' in response.text  # refilled in the response, nowhere else


def test_preview_is_a_png_or_the_problems_as_json(client):
    response = client.post(f"/plan/{TOPIC}/preview", data=plan_form(client), headers=ORIGIN)
    assert response.headers["content-type"] == "image/png" and response.headers["cache-control"] == "no-store"
    from PIL import Image

    image = Image.open(io.BytesIO(response.content))
    assert image.size[1] > image.size[0] > 400
    bad = client.post(f"/plan/{TOPIC}/preview", data=plan_form(client, **{"sets-chin-tuck": "0"}), headers=ORIGIN)
    assert bad.status_code == 422
    assert bad.json() == {"problems": [{"field": "sets-chin-tuck", "message": "sets must be 1–20, got 0", "hint": None}]}


# --------------------------------------------------------------------------- batches

CSV = ("name,date,clinician,exercises,doses,note\n"
       f"{NAME},2026-12-04,{CLINICIAN},chin-tuck;cat-cow,chin-tuck:sets=2,\n"
       "Bea Example,2026-13-01,,cat-cow,,\n"
       "Cy Example,2026-12-04,,chin-tuck,chin-tuck:sets=99,\n"
       "Di Example,,,bird-dog,,\n")


def test_batch_check_flags_rows_by_row_and_column(client):
    form = {"csrf": token(client, "/batch"), "action": "check", "paper": "letter", "topic": ""}
    response = client.post("/batch", data=form, files={"csv": ("day.csv", CSV.encode(), "text/csv")}, headers=ORIGIN)
    assert response.status_code == 422
    rows = re.findall(r'<tr( class="bad")?>\s*<th scope="row">(\d+)</th>(.*?)</tr>', response.text, re.S)
    assert [(bad == ' class="bad"', int(n)) for bad, n, _ in rows] == [(False, 2), (True, 3), (True, 4), (False, 5)]
    assert "<strong>Column date:</strong> expected a date like 2026-12-04" not in response.text
    assert "<strong>Column date:</strong> expected a date like 2026-12-01" in rows[1][2]
    assert "<strong>Column doses:</strong> chin-tuck: sets must be 1–20, got 99" in rows[2][2]
    assert "2 rows ready to print, 2 rows with problems" in response.text
    assert "Download 2 sheets as one PDF (leaving out 2 rows with problems)" in response.text


def test_batch_warnings_are_shown_with_their_rows(client):
    csv = "name,exercises\nAnn Example,chin-tuck\nAnn Example,chin-tuck\n"
    form = {"csrf": token(client, "/batch"), "action": "check", "paper": "letter"}
    response = client.post("/batch", data=form, files={"csv": ("day.csv", csv.encode(), "text/csv")}, headers=ORIGIN)
    assert response.status_code == 200
    rows = re.findall(r'<tr>\s*<th scope="row">(\d+)</th>(.*?)</tr>', response.text, re.S)
    assert [n for n, _ in rows] == ["2", "3"] and "Note" not in rows[0][1]
    assert "Ready<ul class=\"problems\"><li><strong>Note, column (row):</strong> is the same as row 2: both are printed" in rows[1][1]


def test_batch_download_is_the_merged_stack_of_the_good_rows(client):
    form = {"csrf": token(client, "/batch"), "action": "download", "paper": "letter", "topic": TOPIC,
            "skip_bad": "1", "csv_text": CSV}
    response = client.post("/batch", data=form, headers=ORIGIN)
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == 'attachment; filename="exercise-sheets.pdf"'
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    texts = [norm(p.extract_text()) for p in reader.pages]
    assert len(texts) % 2 == 0 and NAME in texts[0] and "Di Example" in " ".join(texts[1:])
    assert "Bea Example" not in " ".join(texts)
    # Without skip_bad a file with bad rows is shown again instead of printed.
    form.pop("skip_bad")
    assert client.post("/batch", data=form, headers=ORIGIN).headers["content-type"].startswith("text/html")


def test_batch_in_a_translation(client):
    assert '<option value="es">Spanish (español)</option>' in client.get("/batch").text
    form = {"csrf": token(client, "/batch"), "action": "download", "paper": "letter", "topic": TOPIC,
            "language": "es", "skip_bad": "1", "csv_text": CSV}
    response = client.post("/batch", data=form, headers=ORIGIN)
    assert response.headers["content-type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "Sus ejercicios para la espalda" in text and NAME in text
    assert client.post("/batch", data=dict(form, language="fr"), headers=ORIGIN).status_code == 400


def test_batch_file_problems(client):
    form = {"csrf": token(client, "/batch"), "action": "check", "paper": "letter"}
    for content, message in ((b"", "Choose a CSV file to upload."),
                             (b"name,shoe size\nA,4\n", "upload.csv:1: column 2: unknown column &#39;shoe size&#39;"),
                             (b"name,exercises\n\xff\xfe,chin-tuck\n", "upload.csv:2: file is not UTF-8 text"),
                             (b"name,exercises\n", "upload.csv: no rows to print")):
        response = client.post("/batch", data=form, files={"csv": ("x.csv", content, "text/csv")}, headers=ORIGIN)
        assert response.status_code == 422 and message in response.text, content


# --------------------------------------------------------------------------- check report


def test_check_page_is_the_check_report(client):
    result = CliRunner().invoke(main, ["check", "--source", str(SOURCE), "--format", "json"])
    import json

    report = json.loads(result.output)
    html = client.get("/check").text
    summary = f"{report['summary']['errors']} error"
    assert summary in html
    for row in report["handouts"]:
        assert f"{row['topic']} / {row['handout']}" in html
        assert f"<td>{row['grade']:.1f}" in html
    for finding in report["findings"]:
        assert finding["message"].replace("'", "&#39;").replace('"', "&#34;") in html
    assert "Review due" in html and "Brand colours" in html


# --------------------------------------------------------------------------- safety


def test_posts_need_this_servers_origin_and_token(client):
    form = plan_form(client)
    assert client.post(f"/plan/{TOPIC}", data=form).status_code == 403  # no Origin, no Referer
    assert client.post(f"/plan/{TOPIC}", data=form, headers={"origin": "http://evil.example"}).status_code == 403
    assert client.post(f"/plan/{TOPIC}", data=form, headers={"origin": "null"}).status_code == 403
    assert client.post(f"/plan/{TOPIC}", data=form, headers={"referer": "http://testserver/plan"}).status_code == 200
    assert client.post(f"/plan/{TOPIC}", data=dict(form, csrf="0" * 64), headers=ORIGIN).status_code == 403
    assert client.post(f"/plan/{TOPIC}", data={k: v for k, v in form.items() if k != "csrf"},
                       headers=ORIGIN).status_code == 403
    other = new_client()  # another browser: its own cookie, so this token is not valid there
    assert other.post(f"/plan/{TOPIC}", data=form, headers=ORIGIN).status_code == 403


def test_csrf_cookie_is_random_httponly_and_strict(client):
    fresh = new_client()
    cookie = fresh.get("/").headers["set-cookie"]
    assert re.fullmatch(r"hk_csrf=[\w-]{32}; Path=/; HttpOnly; SameSite=Strict", cookie)


def test_unknown_host_headers_are_refused(client):
    for host in ("evil.example", "127.0.0.1.evil.example", "attacker:8000"):
        assert client.get("/", headers={"host": host}).status_code == 400
    assert client.get("/", headers={"host": "127.0.0.1:8000"}).status_code == 200
    assert client.get("/", headers={"host": "localhost:8000"}).status_code == 200
    assert client.get("/", headers={"host": "[::1]:8000"}).status_code == 200


def test_request_size_limits(client):
    huge_note = "x" * 70_000
    response = client.post(f"/plan/{TOPIC}", data=plan_form(client, note=huge_note), headers=ORIGIN)
    assert response.status_code == 413 and "too large" in response.text
    big_csv = b"name,exercises\n" + b"Ann,chin-tuck\n" * 80_000
    form = {"csrf": token(client, "/batch"), "action": "check"}
    assert client.post("/batch", data=form, files={"csv": ("x.csv", big_csv, "text/csv")},
                       headers=ORIGIN).status_code == 413

    def chunks():  # no Content-Length: counted while read
        for _ in range(100):
            yield b"note=" + b"y" * 1000 + b"&"

    response = client.post(f"/plan/{TOPIC}", content=chunks(),
                           headers=dict(ORIGIN, **{"content-type": "application/x-www-form-urlencoded"}))
    assert response.status_code == 413


def test_an_upload_never_touches_the_disk():
    from starlette.formparsers import MultiPartParser

    from handoutkit.web.security import UPLOAD_LIMIT

    # Starlette keeps an uploaded file in memory up to spool_max_size; the body limit stops it before that.
    assert UPLOAD_LIMIT <= MultiPartParser.spool_max_size


def test_network_host_names():
    names = host_names("0.0.0.0", ("Reception-PC", "[fd00::5]"))
    assert {"127.0.0.1", "localhost", "::1", "reception-pc", "fd00::5"} <= names
    assert "0.0.0.0" not in names and "" not in names
    assert host_names("127.0.0.1") == {"127.0.0.1", "localhost", "::1"}


def test_build_cap_answers_503_after_a_brief_wait(client, monkeypatch):
    import anyio

    from handoutkit.web.service import Busy, Service

    service = Service(SOURCE, max_builds=1, wait=0.2)
    outcomes = []

    async def main_() -> None:
        async def call() -> None:
            try:
                outcomes.append(await service.run(time.sleep, 0.6))
            except Busy:
                outcomes.append("busy")

        async with anyio.create_task_group() as group:
            group.start_soon(call)
            await anyio.sleep(0.05)
            group.start_soon(call)

    import threading

    runner = threading.Thread(target=anyio.run, args=(main_,))  # its own thread: a browser test's loop may run here
    runner.start()
    runner.join()
    assert outcomes == ["busy", None]

    async def busy(*args):
        raise Busy()

    form = plan_form(client)
    app_service = client.app.app.app.state.service  # SafeErrors → GuardMiddleware → Starlette
    monkeypatch.setattr(app_service, "run", busy)
    response = client.post(f"/plan/{TOPIC}", data=form, headers=ORIGIN)
    assert response.status_code == 503 and response.headers["retry-after"] == "5"
    assert "busy" in response.text


def test_access_code_flow():
    code = "harbour-lamp-42"
    web = new_client(access_code=code)
    first = web.get("/check?x=1")
    assert first.status_code == 303 and first.headers["location"] == "/signin?next=%2Fcheck%3Fx%3D1"
    assert web.get("/static/app.css").status_code == 200 and web.get("/signin").status_code == 200
    csrf = token(web, "/signin")
    assert web.post(f"/plan/{TOPIC}", data={"csrf": csrf}, headers=ORIGIN).status_code == 401
    wrong = web.post("/signin", data={"csrf": csrf, "code": "harbour-lamp-41", "next": "/check"}, headers=ORIGIN)
    assert wrong.status_code == 401 and "not right" in wrong.text and "hk_session" not in wrong.headers.get("set-cookie", "")
    right = web.post("/signin", data={"csrf": csrf, "code": code, "next": "/check"}, headers=ORIGIN)
    assert right.status_code == 303 and right.headers["location"] == "/check"
    cookie = right.headers["set-cookie"]
    assert re.fullmatch(r"hk_session=\d+\.[\w-]+\.[0-9a-f]{64}; Path=/; HttpOnly; SameSite=Strict; Max-Age=43200", cookie)
    assert web.get("/check").status_code == 200 and "Sign out" in web.get("/check").text
    session = web.cookies["hk_session"]
    out = web.post("/signout", data={"csrf": csrf}, headers=ORIGIN)
    assert out.status_code == 303
    web.cookies.set("hk_session", session)  # a copied cookie stops working after sign-out
    assert web.get("/check").status_code == 303
    forged = new_client(access_code=code)
    forged.cookies.set("hk_session", "9999999999.abc." + "0" * 64)
    assert forged.get("/").status_code == 303
    # off-site redirects after sign-in are refused
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        again = web.post("/signin", data={"csrf": csrf, "code": code, "next": target}, headers=ORIGIN)
        assert again.headers["location"] == "/"


def test_wrong_codes_are_throttled():
    web = new_client(access_code="harbour-lamp-42")
    csrf = token(web, "/signin")
    statuses = [web.post("/signin", data={"csrf": csrf, "code": f"guess-{i:04d}"}, headers=ORIGIN).status_code
                for i in range(6)]
    assert statuses == [401] * 5 + [429]
    right = web.post("/signin", data={"csrf": csrf, "code": "harbour-lamp-42"}, headers=ORIGIN)
    assert right.status_code == 429  # even the right code waits out the minute


def test_serve_refuses_the_network_without_an_access_code(monkeypatch):
    monkeypatch.delenv("HANDOUT_ACCESS_CODE", raising=False)
    result = CliRunner().invoke(main, ["serve", "--host", "0.0.0.0", "--port", "0"])
    assert result.exit_code == 2 and "needs an access code" in result.output
    assert "HANDOUT_ACCESS_CODE" in result.output
    short = CliRunner().invoke(main, ["serve", "--host", "0.0.0.0", "--access-code", "1234"])
    assert short.exit_code == 2 and "at least 8 characters" in short.output


# --------------------------------------------------------------------------- nothing stored


def test_no_patient_detail_in_logs_cookies_urls_or_caches(client, caplog):
    caplog.set_level(logging.DEBUG)
    responses = [client.post(f"/plan/{TOPIC}", data=plan_form(client, action=action), headers=ORIGIN)
                 for action in ("print", "download", "check")]
    responses.append(client.post(f"/plan/{TOPIC}/preview", data=plan_form(client), headers=ORIGIN))
    responses.append(client.post(f"/plan/{TOPIC}", data=plan_form(client, **{"sets-chin-tuck": "77"}), headers=ORIGIN))
    form = {"csrf": token(client, "/batch"), "action": "check"}
    responses.append(client.post("/batch", data=form, files={"csv": ("day.csv", CSV.encode(), "text/csv")},
                                 headers=ORIGIN))
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for response in responses:
        assert response.headers["cache-control"] == "no-store"
        assert NAME not in str(response.url) and NAME not in response.headers.get("location", "")
        assert all(NAME not in value for key, value in response.headers.items())
    assert all(NAME not in urllib.parse.unquote(c) for c in client.cookies.values())
    for value in (NAME, CLINICIAN, NOTE):
        assert value not in logged
    service = client.app.app.app.state.service
    cached = repr([service._handouts, service._thumbs, service._projects])
    assert NAME not in cached
    for maker in service._makers.values():
        assert all(NAME.encode() not in (t.blob or (b"",))[0] for t in maker.templates.values())


def test_a_failure_is_logged_without_its_message(client, caplog, monkeypatch):
    caplog.set_level(logging.DEBUG)
    app_service = client.app.app.app.state.service

    def broken(*args):
        raise RuntimeError(f"bug while printing for {NAME}")

    monkeypatch.setattr(app_service, "sheet", broken)
    response = client.post(f"/plan/{TOPIC}", data=plan_form(client), headers=ORIGIN)
    assert response.status_code == 500 and NAME not in response.text
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "POST /plan/upper-back-pain failed: RuntimeError" in logged and NAME not in logged


def test_handout_serve_prints_its_address_serves_and_stops_cleanly_on_ctrl_c(tmp_path):
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    env.pop("HANDOUT_ACCESS_CODE", None)
    command = [sys.executable, "-c", "import cli; cli.run()", "serve", "--source", str(SOURCE), "--port", "0"]
    process = subprocess.Popen(command, stderr=subprocess.PIPE, stdout=subprocess.PIPE, env=env, cwd=tmp_path,
                               text=True)
    try:
        line = process.stderr.readline()
        url = re.search(r"(http://127\.0\.0\.1:\d+/)", line).group(1)
        for _ in range(50):
            try:
                page = urllib.request.urlopen(url + f"plan/{TOPIC}", timeout=10)
                break
            except urllib.error.URLError:
                time.sleep(0.1)
        html = page.read().decode()
        cookie = page.headers["set-cookie"].split(";")[0]
        csrf = re.search(r'name="csrf" value="([^"]+)"', html).group(1)
        fields = [("csrf", csrf), ("patient", NAME), ("note", NOTE), ("include-chin-tuck", "1"), ("action", "print")]
        request = urllib.request.Request(url + f"plan/{TOPIC}", data=urllib.parse.urlencode(fields).encode(),
                                         headers={"Origin": url.rstrip("/"), "Cookie": cookie})
        sheet = urllib.request.urlopen(request, timeout=30)
        assert sheet.headers["content-type"] == "application/pdf" and NAME in pdf_text(sheet.read())
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=20)
    assert process.returncode == 0, err
    assert "handout serve: stopped" in err and "Traceback" not in err
    assert f'"POST /plan/{TOPIC} HTTP/1.1" 200' in out  # uvicorn's access log (stdout) names the path only
    for value in (NAME, NOTE, "Quintanilla"):
        assert value not in err and value not in out
