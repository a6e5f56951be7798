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
    out.append("| block | its value |\n|---|---|")
    for name, spec in cs.BLOCK.variants.items():
        out.append(f"| `{name}` | {spec.doc().replace('|', '/')} |")
    out.append("")
    out += _guide()
    return "\n".join(out).rstrip() + "\n"


def _guide() -> list[str]:
    """The hand-written part of the reference: layouts, paths, limits, a new-topic template.

    Kept here, next to the generated tables, so one command writes the whole
    page; the layout table is built from :data:`load.LAYOUT_KINDS`, which
    validation uses, so the two cannot disagree.
    """
    from handoutkit.content import assets, load, yamlsource

    lines = ["## Layouts: which sections they take and which fields they print\n",
             "A handout's `sections:` list names sections in the order printed. Each layout shows some section "
             "kinds in full; **any** section with a `summary` can also be given short, "
             "`{section: id, short: true}`, which prints the summary as one paragraph. Anything else is "
             "refused when the content is checked, at the line of the section reference in `handouts.yaml`.\n",
             "| layout | kinds shown in full |", "|---|---|"]
    for layout, kinds in load.LAYOUT_KINDS.items():
        lines.append(f"| `{layout}` | {', '.join(f'`{k}`' for k in sorted(kinds))} |")
    lines += ["",
              "What each layout prints:\n",
              "- **booklet**: the topic's `title` and `subtitle` on the cover, with `cover_image` (without one, the "
              "cover lists the sections by `short_title`); a contents page of the sections' `short_title` (or "
              "`title`), which also heads each page (the running head); each section's `title` and `blocks`; "
              "exercises as cards (`name`, `image`, `purpose`, `steps`, `dose`, `tip`); habits with their "
              "`detail`; red-flag groups (`action`, `signs`) under the section's `title`, not repeated in the "
              "box; on the back cover the brand's contact lines, `disclaimer`, the review dates, `review_note` "
              "and `source`.",
              "- **exercise-sheet**: the handout's `title` (or the topic's) in its band; the exercises section's "
              "`summary` (not its blocks) over one card per exercise; short sections as their `summary`; "
              "the red-flag box titled with the section's `title`; the review dates and `review_note` once, "
              "at the foot of the last page.",
              "- **checklist**: the handout's `title` (or the topic's); the habits section's paragraphs, then a "
              "grid of its habits' `text` under a fixed header \"Today I…\": write each habit as the end of that "
              "sentence, in the past tense (\"Took a short walk\"); the `detail` is for the booklet only. A "
              "red-flag section (usually given short: its `summary`) is pinned to the foot of the page.",
              "",
              "Large print (`--large-print`) sets the same content at 18 pt. A long `source`, `review_note` or "
              "`disclaimer` then no longer fits the back cover: the disclaimer and source move to an \"About "
              "this booklet\" part after the last section, which can cost a page (or a sheet of four).\n",
              "## Files and paths\n",
              "- Image paths in a topic (`cover_image`, `image`, `src`) are relative to the topic's folder "
              "(`images/chin-tuck.svg`); the brand's `logo` is relative to the content folder (`handouts/`). "
              "Forward slashes only; no `..`, no absolute paths.",
              "- A symbolic link is followed only if it ends inside the content folder; one leading outside is "
              "refused.",
              "- Medical words that must be explained the first time a handout uses them: the bundled list is "
              "`handoutkit/data/medical_words.yaml`; add your own under `medical_words:` in `checks.yaml`.",
              "",
              "## Limits\n",
              f"- A content file is at most {yamlsource.MAX_FILE_BYTES:,} bytes and nested at most "
              f"{yamlsource.MAX_DEPTH} levels deep.",
              f"- PNG and JPEG: at most {assets.MAX_IMAGE_BYTES:,} bytes and {assets.MAX_PIXELS:,} pixels; they "
              "are embedded at 300 dpi at the size printed (larger pictures are scaled down).",
              f"- SVG: at most {assets.MAX_SVG_BYTES:,} bytes, {assets.MAX_SVG_ELEMENTS:,} elements and "
              f"{assets.MAX_SVG_PATH_DATA:,} characters of path data; a positive width, height or viewBox; "
              "shapes only (no text, no outside references, `url(#id)` only).",
              "- A paragraph may be long: it is printed as consecutive paragraphs cut between sentences, so any "
              "file within the size limit builds in time proportional to its length.",
              "",
              "## A new topic\n",
              "Copy this into `handouts/<topic-id>/` (the folder name is the topic's id) and change every value; "
              "each section id needs a file `sections/<id>.yaml`. Keep the `SAMPLE CONTENT` review note until "
              "a clinician has reviewed the text.\n",
              "```yaml",
              "# topic.yaml",
              'title: "Neck pain"                      # change',
              'subtitle: "What helps and when to get help"',
              "language: en",
              'version: "0.1"',
              "last_reviewed: 2026-12-01             # change: the date of the clinical review",
              "review_due: 2028-12-01                # change: when the next review is due",
              'source: "Where the text comes from"   # change',
              'review_note: "SAMPLE CONTENT: must be reviewed by a licensed clinician before use with patients."',
              "sections: [introduction, red-flags]  # change: one file per id in sections/",
              "",
              "# handouts.yaml",
              "booklet:",
              "  layout: booklet",
              "  sections: all",
              "  impose: saddle-stitch",
              "",
              "# sections/introduction.yaml",
              'title: "About neck pain"',
              "kind: text",
              'summary: "One or two sentences for short versions."',
              "blocks:",
              '  - paragraph: "Plain words, short sentences."',
              "",
              "# sections/red-flags.yaml",
              'title: "When to get help right away"',
              "kind: red_flags",
              'summary: "Call {emergency_number} for ... Call {clinic_phone} the same day for ..."',
              "groups:",
              "  - urgency: emergency",
              '    action: "Call {emergency_number} now if you have:"',
              '    signs: ["A sign", "Another sign"]',
              "```",
              ""]
    return lines
