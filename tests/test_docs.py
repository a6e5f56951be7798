"""The generated content-format reference is committed and must match the schema."""

from __future__ import annotations

from pathlib import Path

from handoutkit.content.docs import reference_markdown

ROOT = Path(__file__).resolve().parents[1]


def test_committed_reference_is_current():
    committed = (ROOT / "docs" / "content-format.md").read_text(encoding="utf-8")
    assert committed == reference_markdown(), "run `handout docs --write` and commit docs/content-format.md"


def test_reference_documents_every_declared_field():
    from handoutkit.content import content_schema as cs

    text = reference_markdown()
    for record in (cs.BRAND, cs.COLORS, cs.TOPIC, cs.SECTION, cs.EXERCISE, cs.DOSE, cs.HANDOUT, cs.HABIT):
        for field in record.fields:
            assert f"| `{field.name}` |" in text, f"{record.name}.{field.name} missing from the reference"
