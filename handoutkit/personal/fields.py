"""A personal plan from separate form fields, with each problem tied to its field.

The CLI reads a plan from options (:func:`handoutkit.personal.plans.plan_from_options`)
and a batch from CSV cells; a form sends one value per field: for each
exercise whether it is included, its position and its dose numbers, and the
patient's details.  This module turns those into the same :class:`Plan`, with
the same checks and messages (:func:`check_dose_value`,
:func:`check_patient_fields`; then :func:`make_sheet` checks ids and that the
details fit their blanks), and returns problems keyed by field, so a page can
show each next to its field and summarise them at the top.

Problems never quote patient details.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional, Sequence

from handoutkit.errors import ContentErrors, HandoutError
from handoutkit.personal.plans import (
    DOSE_KEYS, DoseChange, ExerciseChoice, Location, Patient, Plan, check_dose_value, check_patient_fields,
)

# Form field of each patient detail (the library calls the patient's name "name").
DETAIL_FIELDS = {"name": "patient", "clinician": "clinician", "date": "date", "note": "note"}
# make_sheet names the option a problem came from; the form field that option stands for.
OPTION_FIELDS = {"--patient": "patient", "--clinician": "clinician", "--date": "date", "--note": "note",
                 "--exercise": "exercises", "--dose": "exercises"}
MAX_POSITION = 999


@dataclass(frozen=True)
class FieldProblem:
    """One problem with one form field: ``field`` is the field's name (``patient``, ``sets-chin-tuck`` ...)."""

    field: str
    message: str
    hint: Optional[str] = None


@dataclass
class ExerciseEntry:
    """One exercise card of a form, as typed: empty dose values keep the topic's dose."""

    id: str
    include: bool = False
    position: str = ""
    dose: dict = field(default_factory=dict)  # DOSE_KEYS -> text


def dose_field(exercise_id: str, key: str) -> str:
    return f"{key}-{exercise_id}"


def position_field(exercise_id: str) -> str:
    return f"order-{exercise_id}"


def plan_from_fields(entries: Sequence[ExerciseEntry], details: dict[str, str],
                     topic: Optional[str] = None) -> tuple[Plan, list[FieldProblem]]:
    """The plan a form describes, and the problems of its fields (an empty list: the plan may be printed).

    ``entries`` are in the form's order; included ones are sorted by their
    position (ties and blanks keep the form's order).  ``details`` maps
    ``patient``, ``clinician``, ``date``, ``note`` to the text typed (empty:
    the blank is left for handwriting).
    """
    problems: list[FieldProblem] = []
    chosen = []
    for index, entry in enumerate(entries):
        if not entry.include:
            continue
        position = float(index + 1)
        typed = entry.position.strip()
        if typed:
            if re.fullmatch(r"\d{1,3}", typed) and 1 <= int(typed) <= MAX_POSITION:
                # A card moved to position N goes before the card now at N when it moves up, after it
                # when it moves down: what someone typing one number means.
                number = int(typed)
                position = number if number == index + 1 else number - 0.5 if number < index + 1 else number + 0.5
            else:
                problems.append(FieldProblem(position_field(entry.id),
                                             f"position must be a whole number from 1 to {MAX_POSITION}"))
        values = {}
        for key in DOSE_KEYS:
            raw = str(entry.dose.get(key, "")).strip()
            if not raw:
                continue
            number, issue = check_dose_value(key, raw)
            if issue:
                problems.append(FieldProblem(dose_field(entry.id, key), issue))
            else:
                values[key] = number
        chosen.append((position, index, ExerciseChoice(entry.id, DoseChange(**values), Location(f"exercise {entry.id}"))))
    if not chosen:
        problems.append(FieldProblem("exercises", "no exercise is ticked", "tick at least one exercise to include"))
    typed_details = {key: (details.get(name) or "").strip() or None for key, name in DETAIL_FIELDS.items()}
    values, issues = check_patient_fields(typed_details)
    problems += [FieldProblem(DETAIL_FIELDS[key], message) for key, message in issues]
    chosen.sort(key=lambda item: (item[0], item[1]))
    plan = Plan(exercises=[choice for _, _, choice in chosen], patient=Patient(**values), topic=topic)
    return plan, problems


def field_problems(error: HandoutError) -> list[FieldProblem]:
    """A :func:`make_sheet` error as field problems: the option each names stands for a field."""
    errors = error.errors if isinstance(error, ContentErrors) else [error]
    out = []
    for err in errors:
        where = getattr(err, "where", None)
        name = OPTION_FIELDS.get(where.file, "exercises") if where is not None else "exercises"
        out.append(FieldProblem(name, getattr(err, "problem", err.message), err.hint))
    return out
