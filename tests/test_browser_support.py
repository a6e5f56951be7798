"""The browser harness itself: the system Chromium starts and axe-core tells a bad page from a good one."""

from __future__ import annotations

from browser_support import run_axe


def test_axe_flags_a_missing_label_and_passes_a_labelled_field(browser):
    page = browser.new_page()
    try:
        page.set_content('<!doctype html><html lang="en"><head><title>t</title></head><body><main><h1>Form</h1>'
                         '<input type="text"></main></body></html>')
        assert any(v["id"] == "label" for v in run_axe(page))
        page.set_content('<!doctype html><html lang="en"><head><title>t</title></head><body><main><h1>Form</h1>'
                         '<label for="n">Name</label><input id="n" type="text"></main></body></html>')
        assert run_axe(page) == []
    finally:
        page.close()
