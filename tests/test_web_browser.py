"""The web page in a real browser: Debian's Chromium driven by Playwright, axe-core for accessibility.

One ``handout serve`` (the real command, in a subprocess) serves the whole
module; its logs are kept and read by the last test.  Screenshots at
1024×768 and at 200 % zoom go to tests/results/screenshots/; with
``HANDOUT_UPDATE_SCREENSHOTS=1`` the plan page's is also copied to
docs/images/ for the README.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pypdf
import pytest
from playwright.sync_api import expect

from browser_support import RESULTS, describe_violations, run_axe, screenshot
from conftest import ROOT, SOURCE, TOPIC
from pdfutil import norm

NAME = "Xavi Quintanilla"
KEY_NAME = "Keya Boatwright"
NOJS_NAME = "Noor Jabari"
CLINICIAN = "Dr. Okonkwo"
PERSONAL = (NAME, KEY_NAME, NOJS_NAME, CLINICIAN, "Quintanilla", "Boatwright")
CSV = (f"name,date,clinician,exercises,doses,note\n{NAME},2026-12-04,{CLINICIAN},chin-tuck;cat-cow,,\n"
       "Bea Example,2026-13-01,,cat-cow,,\n")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """``handout serve --port 0``: its address, and the files its stdout and stderr go to."""
    logs = tmp_path_factory.mktemp("serve")
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    env.pop("HANDOUT_ACCESS_CODE", None)
    out, err = open(logs / "stdout", "w"), open(logs / "stderr", "w")
    process = subprocess.Popen([sys.executable, "-c", "import cli; cli.run()", "serve", "--source", str(SOURCE),
                                "--port", "0"], stdout=out, stderr=err, env=env, cwd=ROOT)
    url = None
    for _ in range(100):
        match = re.search(r"(http://127\.0\.0\.1:\d+/)", (logs / "stderr").read_text())
        if match:
            url = match.group(1)
            try:
                urllib.request.urlopen(url + "static/app.css", timeout=5)
                break
            except urllib.error.URLError:
                pass
        time.sleep(0.1)
    assert url, (logs / "stderr").read_text()
    urllib.request.urlopen(url, timeout=60)  # warm: the library page builds every handout once
    try:
        yield {"url": url, "logs": logs}
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=20)
        out.close()
        err.close()


def _no_sideways_scroll(page) -> None:
    width = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert width[0] <= width[1], f"page scrolls sideways: {width}"


def _pdf_text(path: str) -> str:
    return " ".join(norm(p.extract_text()) for p in pypdf.PdfReader(path).pages)


def _fill_bad_plan(page) -> None:
    page.fill("#patient", NAME)
    page.fill("#sets-chin-tuck", "30")
    page.fill("#date", "2026-13-01")
    page.click("#check")
    page.wait_for_selector("#error-summary")


PAGES = [("library", "", None), ("plan-topics", "plan", None), ("plan", f"plan/{TOPIC}", None),
         ("plan-errors", f"plan/{TOPIC}", _fill_bad_plan), ("batch", "batch", None),
         ("batch-rows", "batch", "upload"), ("check", "check", None), ("signin", "signin", None)]


@pytest.fixture(scope="module")
def windows(browser):
    """A 1024×768 window, and the same window zoomed to 200 % (half the CSS pixels each way, two device pixels each).

    axe-core is injected as an inline script, which the pages' Content-Security-Policy forbids (as it
    should): these contexts alone bypass the policy; the flow tests below run under it.
    """
    normal = browser.new_context(viewport={"width": 1024, "height": 768}, bypass_csp=True)
    zoomed = browser.new_context(viewport={"width": 512, "height": 384}, device_scale_factor=2, bypass_csp=True)
    yield {"1024x768": normal, "200pct": zoomed}
    normal.close()
    zoomed.close()


def _open(context, server, name, path, action, tmp_path):
    page = context.new_page()
    page.goto(server["url"] + path)
    if action == "upload":
        csv = tmp_path / "day.csv"
        csv.write_text(CSV)
        page.set_input_files("#csv", str(csv))
        page.click("button[value=check]")
        page.wait_for_selector("table.rows")
    elif action is not None:
        action(page)
    if name.startswith("plan") and name != "plan-topics":  # the live preview has answered
        expect(page.locator("#preview-status")).to_contain_text("Preview")
    return page


@pytest.mark.parametrize("name,path,action", PAGES, ids=[p[0] for p in PAGES])
def test_every_page_has_no_axe_violations_and_fits_1024_and_200_percent(windows, server, name, path, action,
                                                                        tmp_path):
    for size, context in windows.items():
        page = _open(context, server, name, path, action, tmp_path)
        try:
            violations = run_axe(page)
            assert violations == [], f"{size}: " + describe_violations(violations)
            _no_sideways_scroll(page)
            screenshot(page, f"web-{name}-{size}")
        finally:
            page.close()


def _csp_errors(page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if "Content Security Policy" in msg.text else None)
    return errors


def test_plan_with_the_mouse_preview_and_download(browser, server):
    context = browser.new_context(viewport={"width": 1024, "height": 768}, accept_downloads=True)
    page = context.new_page()
    try:
        csp = _csp_errors(page)
        page.goto(server["url"] + f"plan/{TOPIC}")
        # Nothing is ticked yet: the live preview (JavaScript) says what is missing.
        expect(page.locator("#preview-status")).to_contain_text("no exercise is ticked")
        assert page.is_hidden("#preview-image")
        page.click("#print")  # known problems: shown on this page, not in a new tab
        expect(page.locator("#error-summary")).to_contain_text("no exercise is ticked")
        assert len(context.pages) == 1
        page.fill("#patient", NAME)
        page.fill("#clinician", CLINICIAN)
        page.check("#include-chin-tuck")
        page.check("#include-cat-cow")
        page.fill("#sets-cat-cow", "4")
        page.wait_for_selector("#preview-image:not([hidden])")
        expect(page.locator("#preview-status")).to_contain_text("up to date")
        shot = screenshot(page, "web-plan-filled")
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(RESULTS / "screenshots" / "web-plan-readme.png"))  # the window, as staff see it
        if os.environ.get("HANDOUT_UPDATE_SCREENSHOTS"):
            shutil.copyfile(RESULTS / "screenshots" / "web-plan-readme.png", ROOT / "docs" / "images" / "web-plan.png")
        assert shot.stat().st_size > 10_000
        with page.expect_download() as info:
            page.click("#download")
        download = info.value
        assert re.fullmatch(r"exercise-sheet-[0-9a-f]{10}\.pdf", download.suggested_filename)
        text = _pdf_text(download.path())
        assert NAME in text and CLINICIAN in text
        assert "Cat-cow Sets: 4 · Reps: 10" in text and "Shoulder blade squeeze" not in text
        assert NAME not in page.url and csp == []
        # Print opens the PDF in a new tab; the patient's name is in the POST body, never the address.
        with context.expect_page() as opened:
            page.click("#print")
        tab = opened.value
        assert tab.url.split("?")[0].endswith(f"/plan/{TOPIC}") and NAME not in tab.url
        tab.close()
    finally:
        context.close()


def test_the_html_edition_shows_under_its_policy(browser, server):
    page = browser.new_page()
    try:
        csp = _csp_errors(page)
        page.goto(server["url"] + f"html/{TOPIC}/checklist.html")
        assert page.locator("h1").count() >= 1
        fonts = page.evaluate("document.fonts.ready.then(() => [...document.fonts].filter(f => f.status === 'loaded').length)")
        assert fonts >= 1 and csp == []  # inline stylesheet and data: fonts allowed, nothing else needed
    finally:
        page.close()


def _tab_to(page, selector: str, limit: int = 120) -> None:
    """Press Tab until ``selector`` has focus, checking that each focused control shows a visible focus ring."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        state = page.evaluate("""sel => {
            const el = document.activeElement, style = getComputedStyle(el);
            return {match: el.matches(sel), outline: parseFloat(style.outlineWidth) || 0,
                    style: style.outlineStyle, shadow: style.boxShadow, tag: el.tagName};
        }""", selector)
        if state["tag"] != "BODY":
            assert (state["outline"] >= 2 and state["style"] != "none") or state["shadow"] != "none", state
        if state["match"]:
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_plan_with_the_keyboard_only(browser, server):
    context = browser.new_context(viewport={"width": 1024, "height": 768}, accept_downloads=True)
    page = context.new_page()
    try:
        page.goto(server["url"] + f"plan/{TOPIC}")
        expect(page.locator("#preview-status")).to_contain_text("Preview")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.className") == "skip-link"
        page.keyboard.press("Enter")
        _tab_to(page, "#patient")
        page.keyboard.type(KEY_NAME)
        for exercise in ("chin-tuck", "cat-cow"):
            _tab_to(page, f"#include-{exercise}")
            page.keyboard.press("Space")
            assert page.is_checked(f"#include-{exercise}")
        _tab_to(page, "#reps-cat-cow")
        page.keyboard.press("Control+A")
        page.keyboard.type("6")
        # Move Cat-cow to the top: its Move up button, pressed four times (it passes four cards).
        _tab_to(page, "button[aria-label='Move up: Cat-cow']")
        for _ in range(4):
            page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "Move up: Cat-cow"
        assert page.input_value("#order-cat-cow") == "1"
        expect(page.locator("#preview-status")).to_contain_text("up to date")
        _tab_to(page, "#large_print")
        page.keyboard.press("Space")
        _tab_to(page, "#download")
        with page.expect_download() as info:
            page.keyboard.press("Enter")
        text = _pdf_text(info.value.path())
        assert KEY_NAME in text
        assert text.index("1. Cat-cow Sets: 1 · Reps: 6") < text.index("2. Chin tucks")
    finally:
        context.close()


def test_without_javascript_the_forms_still_work(browser, server, tmp_path):
    context = browser.new_context(viewport={"width": 1024, "height": 768}, java_script_enabled=False,
                                  accept_downloads=True)
    page = context.new_page()
    try:
        page.goto(server["url"] + f"plan/{TOPIC}")
        assert page.is_hidden("#preview-image") and page.locator("button", has_text="Move up").count() == 0
        page.fill("#patient", NOJS_NAME)
        page.fill("#order-bird-dog", "1")
        page.check("#include-bird-dog")
        page.check("#include-chin-tuck")
        page.fill("#hold_seconds-bird-dog", "abc")
        page.click("#check")
        assert page.locator("#error-summary a[href='#hold_seconds-bird-dog']").count() == 1
        assert page.input_value("#patient") == NOJS_NAME  # what was typed comes back with the errors
        page.fill("#hold_seconds-bird-dog", "4")
        with page.expect_download() as info:
            page.click("#download")
        text = _pdf_text(info.value.path())
        assert NOJS_NAME in text and text.index("1. Bird-dog") < text.index("2. Chin tucks")
        assert "Hold: 4 s" in text
        # A batch, checked then downloaded, without JavaScript
        csv = tmp_path / "day.csv"
        csv.write_text(CSV)
        page.goto(server["url"] + "batch")
        page.set_input_files("#csv", str(csv))
        page.click("button[value=check]")
        assert "Column date:" in page.inner_text("table.rows")
        with page.expect_download() as info:
            page.click("text=Download 1 sheet as one PDF")
        assert NAME in _pdf_text(info.value.path())
    finally:
        context.close()


def test_server_logs_hold_no_patient_details(server):
    """Runs last: everything above typed names into the pages; the server's logs show none of them."""
    logs = (server["logs"] / "stdout").read_text() + (server["logs"] / "stderr").read_text()
    assert f'"POST /plan/{TOPIC} HTTP/1.1" 200' in logs and '"POST /batch HTTP/1.1" 200' in logs
    for value in PERSONAL:
        assert value not in logs
