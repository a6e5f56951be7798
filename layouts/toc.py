"""A table of contents laid out in one pass.

reportlab's ``TableOfContents`` needs ``multiBuild``: the first pass lays the
document out with an empty table (so every later page may break
differently), the second with the page numbers the first found, and a third
checks that they held: three full layouts of the booklet.  But the table's
*size* never depends on the page numbers: its rows are the entries' labels,
and the dot leader and number are drawn by a callback after the row is laid
out.  So when the entries are known before layout (a booklet's are its
sections), the table can be laid out once with its real rows, and only the
leaders and numbers are left for the end:

* while the contents page is drawn, each row's callback notes where its
  number goes and draws a Form XObject (``toc-number-<n>``), still
  undefined, in page space (it undoes the table cell's translation around
  the ``Do``);
* when the last page is done every heading has been placed, so each form is
  defined with the leader and the number, drawn exactly as reportlab's own
  ``drawPageNumbers`` draws them, and each number's link is added to the
  contents page it is on.

The page shows the same glyphs at the same places as a ``multiBuild``; the
PDF holds the leaders and numbers in small forms instead of in the page's
own content stream.  Each form applies the cell's translation itself, so
text extraction (which does not carry a caller's ``cm`` into a form) finds
the numbers where they print.
"""

from __future__ import annotations

from ast import literal_eval
from typing import Any, Optional

from reportlab.platypus.tableofcontents import TableOfContents, drawPageNumbers

from handoutkit.errors import BuildError


class OnePassContents(TableOfContents):
    """A ``TableOfContents`` whose rows are given up front and whose page numbers are drawn at the end.

    ``entries`` are ``(level, text, key)`` in document order, exactly as the
    headings will report them (``TOCEntry`` notifications); the document
    calls :meth:`finish` on its canvas after the last page.
    """

    def __init__(self, entries: list[tuple[int, str, str]], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.expected = [(level, text, key) for level, text, key in entries]
        # The rows to lay out: page 0 stands in, it only feeds the callback.
        self._lastEntries = [(level, text, 0, key) for level, text, key in entries]
        self.pages: dict[str, int] = {}
        self.placed: list[tuple[int, str, float, float, float, Any, str, list]] = []
        self._avail_width = 0.0

    def isIndexing(self) -> int:
        return 0  # nothing for multiBuild to resolve: one doc.build() is enough

    def notify(self, kind: str, stuff: Any) -> None:
        if kind == "TOCEntry":
            level, text, page, key = stuff
            self._entries.append((level, text, page, key))
            self.pages[key] = page

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        size = super().wrap(availWidth, availHeight)
        self._avail_width = availWidth
        # Replace the callback the parent registered with one that defers the number.
        self.canv.setNamedCB("drawTOCEntryEnd", self._place_number)
        return size

    def _place_number(self, canvas: Any, kind: str, label: str) -> None:
        """Row callback: note where this row's leader and number go and draw their (future) form there."""
        _page, level, key = label.split(",")
        key = literal_eval(key)
        a, b, c, d, e, f = canvas._currentMatrix
        if (a, b, c, d) != (1, 0, 0, 1):  # table rows are only ever translated
            raise BuildError("contents page: a contents row is drawn scaled or turned")
        info = canvas._curr_tx_info
        name = f"toc-number-{len(self.placed) + 1}"
        self.placed.append((int(level), key, info["cur_x"], info["cur_y"], self._avail_width, (e, f), name,
                            canvas._annotationrefs))
        canvas.saveState()
        canvas.transform(1, 0, 0, 1, -e, -f)  # back to page space for the Do
        canvas.doForm(name)
        canvas.restoreState()

    def finish(self, canvas: Any) -> None:
        """Define every number's form, and add its link, once all headings are placed."""
        found = [(level, text, key) for level, text, _page, key in self._entries]
        if found != self.expected:
            raise BuildError("contents page: the headings placed are not the entries the contents page listed")
        for level, key, x, y, avail_width, (e, f), name, page_annotations in self.placed:
            style = self.getLevelStyle(level)
            dot = " . " if self.dotsMinLevel >= 0 and level >= self.dotsMinLevel else ""
            page = self.pages[key]
            canvas.beginForm(name)
            # The row's own space (the cell's translation), so that drawPageNumbers
            # computes the leader from the very numbers it would have had.
            canvas.translate(e, f)
            canvas._curr_tx_info = {"cur_x": x, "cur_y": y}
            try:
                # key None: a link made inside a form would be lost; it is added below.
                drawPageNumbers(canvas, style, [(page, None)], avail_width, 0, dot)
            finally:
                del canvas._curr_tx_info
            canvas.endForm()
            _link_number(canvas, style, page, key, x, y, avail_width, (e, f), page_annotations)


def _link_number(canvas: Any, style: Any, page: int, key: str, x: float, y: float, avail_width: float,
                 offset: tuple[float, float], page_annotations: list) -> None:
    """The number's link, where reportlab's ``drawPageNumbers`` puts it, on the contents page it is on."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    text = str(page)
    font_size = style.fontSize
    # drawPageNumbers shrinks a number that does not fit beside its label.
    while stringWidth(text, style.fontName, font_size) > avail_width - x and font_size >= 1.0:
        font_size *= 0.9
    width = stringWidth(text, style.fontName, font_size)
    left = avail_width - width
    e, f = offset
    saved: Optional[list] = canvas._annotationrefs
    canvas._annotationrefs = page_annotations
    try:
        canvas.linkAbsolute("", key, (left + e, y + f, left + width + e, y + style.leading + f))
    finally:
        canvas._annotationrefs = saved
