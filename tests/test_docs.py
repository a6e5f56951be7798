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


def test_new_topic_template_in_the_docs_builds(tmp_path):
    """The "A new topic" template of docs/content-format.md is valid content: it builds as written."""
    import re
    import shutil
    from pathlib import Path

    from handoutkit.build import build

    root = Path(__file__).resolve().parents[1]
    page = (root / "docs" / "content-format.md").read_text(encoding="utf-8")
    template = page.split("## A new topic", 1)[1].split("```yaml", 1)[1].split("```", 1)[0]
    content = tmp_path / "handouts"
    content.mkdir()
    for name in ("brand.yaml", "checks.yaml"):
        shutil.copy(root / "handouts" / name, content / name)
    shutil.copytree(root / "handouts" / "assets", content / "assets")
    for name, body in re.findall(r"# (\S+\.yaml)\n(.*?)(?=\n# \S+\.yaml\n|\Z)", template, flags=re.S):
        target = content / "neck-pain" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(body, encoding="utf-8")
    files = build(content, tmp_path / "out", today=__import__("datetime").date(2027, 1, 1))
    assert [f.path.name for f in files] == ["booklet.pdf", "booklet-print.pdf"]
