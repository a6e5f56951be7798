"""The one place handoutkit asks what time it is: ``SOURCE_DATE_EPOCH`` first.

Reproducible builds (https://reproducible-builds.org/specs/source-date-epoch/):
when ``SOURCE_DATE_EPOCH`` is set, every date the tool stamps or judges by
comes from it, so the same inputs give the same files and the same report on
any machine and on any day.

* PDF ``CreationDate``/``ModDate`` (and the ``/ID`` digest reportlab derives
  from them): reportlab reads the variable itself; ``layouts.common.HandoutDoc``
  validates it first via :func:`source_date_epoch`.  Unset, the documents use
  reportlab's fixed invariant stamp (2000-01-01), never the wall clock.
* The "today" that review dates are judged by in ``handout check`` and
  ``handout build``: :func:`build_date`.
"""

from __future__ import annotations

import os
from datetime import date, datetime, timezone
from typing import Optional

from handoutkit.errors import HandoutError

VARIABLE = "SOURCE_DATE_EPOCH"


def source_date_epoch() -> Optional[int]:
    """The value of ``SOURCE_DATE_EPOCH`` in seconds, or None when it is unset or empty."""
    raw = os.environ.get(VARIABLE, "").strip()
    if not raw:
        return None
    if not raw.isdigit():
        raise HandoutError(f"{VARIABLE}={raw!r} is not a whole number of seconds since 1970-01-01 UTC",
                           "unset it, or set it to e.g. the last commit's time: git log -1 --format=%ct")
    return int(raw)


def build_date() -> date:
    """Today's date for the build: the UTC date of ``SOURCE_DATE_EPOCH`` if set, else the local date."""
    epoch = source_date_epoch()
    if epoch is None:
        return date.today()
    return datetime.fromtimestamp(epoch, tz=timezone.utc).date()


INVARIANT_STAMP = datetime(2000, 1, 1, tzinfo=timezone.utc)  # reportlab's fixed date with invariant=1


def document_datetime() -> datetime:
    """The date stamped into documents: ``SOURCE_DATE_EPOCH`` if set, else the fixed 2000-01-01 of the PDFs."""
    epoch = source_date_epoch()
    return INVARIANT_STAMP if epoch is None else datetime.fromtimestamp(epoch, tz=timezone.utc)
