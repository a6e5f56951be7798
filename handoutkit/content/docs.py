"""Generate ``docs/content-format.md`` from the declared schema.

The reference page is never written by hand: it is rendered from the same
:mod:`handoutkit.content.content_schema` declarations that validate content, so the
two cannot drift apart (a test checks the committed page is current).
Regenerate with ``handout docs --write``.
"""

from __future__ import annotations

from handoutkit.content import content_schema as cs
from handoutkit.content.schema import ListOf, OneOf, Record, Spec, StrOrRecord

HEADER = """# Content format reference

Generated from `handoutkit/content/content_schema.py` by `handout docs --write`; do not edit by hand.

Text fields are patient-facing: they may use `**bold**` and the placeholders
{placeholders}, filled from the brand. Write dates as `2026-11-26`. Quote text that YAML could misread
(`"no"`, `"1:30"`, anything containing `: ` or starting with `#`): the loader refuses YAML's silent
conversions and says where. List positions in error messages count from 1.
"""


def _nested(spec: Spec) -> list[Record]:
    """Records reachable from ``spec`` (list items, block variants, short-or-full forms)."""
    if isinstance(spec, Record):
        return [spec]
    if isinstance(spec, ListOf):
        return _nested(spec.item)
    if isinstance(spec, OneOf):
        return [r for variant in spec.variants.values() for r in _nested(variant)]
    if isinstance(spec, StrOrRecord):
        return _nested(spec.full)
    # composite specs (groups, section lists) keep their parts as attributes
    return [r for attribute in ("red_flags", "habits", "items", "value") if hasattr(spec, attribute)
            for r in _nested(getattr(spec, attribute))]


def _record_table(record: Record) -> list[str]:
    lines = ["| key | required | type | notes |", "|---|---|---|---|"]
    for field in record.fields:
        required = "yes" if field.required else (f"no (default `{field.default}`)" if field.default is not None else "no")
        kind = field.spec.doc().replace("|", "\\|")
        lines.append(f"| `{field.name}` | {required} | {kind} | {field.doc.replace('|', '/')} |")
    return lines


def reference_markdown() -> str:
    """The whole reference page as Markdown."""
    placeholders = ", ".join(f"`{{{p}}}`" for p in cs.PLACEHOLDERS)
    out = [HEADER.format(placeholders=placeholders)]
    seen: set[int] = set()
    from handoutkit.checks.health import CHECKS_FILE  # the health-check thresholds file

    files = dict(cs.FILE_SPECS)
    files["checks.yaml"] = CHECKS_FILE
    for file_name, spec in files.items():
        out.append(f"## `{file_name}`\n")
        top = spec if isinstance(spec, Record) else None
        if top is not None and top.doc_text:
            out.append(top.doc_text + "\n")
        if spec is cs.HANDOUTS:
            out.append("A mapping from handout name (the output file's name) to its settings:\n")
            top = cs.HANDOUT
        queue = [top] if top is not None else []
        while queue:
            record = queue.pop(0)
            if id(record) in seen:
                continue
            seen.add(id(record))
            if record is not top:
                out.append(f"### {record.name}\n")
            out.extend(_record_table(record))
            out.append("")
            for field in record.fields:
                queue.extend(r for r in _nested(field.spec) if id(r) not in seen)
    out.append("## Blocks\n")
    out.append("Each item of a section's `blocks:` list is a one-key mapping: " +
               ", ".join(f"`{name}`" for name in cs.BLOCK.variants) + " (e.g. `- paragraph: Your text`).\n")
    return "\n".join(out).rstrip() + "\n"
