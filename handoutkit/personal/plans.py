"""Per-patient exercise plans: which exercises of a topic, at what dose, for whom.

A plan comes from one of three places, each validated with errors that say
where the problem is:

* a YAML file (``handout sheet --plan plan.yaml``), converted with the
  declared-schema mechanism of :mod:`handoutkit.content.schema`, so errors read
  ``plan.yaml:4:5: exercises[2].dose.sets: must be at most 20, got 30``;
* command-line options (``--exercise``, ``--dose``, ``--patient`` ...), whose
  errors name the option;
* one row of a batch CSV file (:func:`read_batch`), whose errors name the
  file, line, row number and column.

Patient details (name, clinician, date, note) are personal data.  They are
printed on the sheet and nowhere else: error messages never quote them, and
:class:`Patient` hides them from ``repr`` so a traceback or a debug log
cannot show them either.

YAML plan file::

    topic: upper-back-pain        # optional when the command names the topic
    patient: Ana Ruiz             # optional: the blank is left for handwriting
    clinician: J. Lee             # optional
    date: 2026-12-01              # optional
    note: Start gently; ...       # optional: printed in a "Notes" box
    exercises:
      - chin-tuck                 # the topic's dose
      - id: doorway-chest-stretch
        dose: {sets: 2, hold_seconds: 20}   # only what changes

Dose overrides on the command line and in the CSV ``doses`` column are
``ID:key=value,key=value``; several are separated by ``;`` or spaces, e.g.
``chin-tuck:sets=2,reps=8; cat-cow:reps=5``.  Keys: ``sets``, ``reps``,
``hold_seconds`` (or ``hold``; 0 removes the hold) and ``times_per_day``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Optional, Sequence

import yaml

from handoutkit.errors import ContentError, ContentErrors, HandoutError, Location
from handoutkit.personal.csvfile import BatchFile, CsvRow, RowProblem, read_batch_file
from handoutkit.personal.names import check_text, scrub, scrub_path, shown
from handoutkit.content.model import Dose, Exercise, Topic
from handoutkit.content import schema as _schema
from handoutkit.content.schema import INVALID, Context, Field, Int, ListOf, Record, Spec, Str, StrOrRecord, describe
from handoutkit.content.yamlsource import compose_file, display_path, mark_location

ID_PATTERN = r"[a-z0-9]+(-[a-z0-9]+)*"
LANGUAGE_PATTERN = r"[a-z]{2}(-[A-Z]{2})?"  # as a topic's language: code
DOSE_KEYS = ("sets", "reps", "hold_seconds", "times_per_day")
DOSE_ALIASES = {"hold": "hold_seconds", "times_a_day": "times_per_day", "per_day": "times_per_day"}
DOSE_LIMITS = {"sets": (1, 20), "reps": (1, 100), "hold_seconds": (0, 600), "times_per_day": (1, 12)}
MAX_NAME = 60  # patient and clinician names; the blank on the sheet is the real limit
MAX_NOTE = 400


def did_you_mean(word: str, options: Sequence[str]) -> Optional[str]:
    helper = getattr(_schema, "did_you_mean", None) or getattr(_schema, "_did_you_mean")
    return helper(word, options)


# ----------------------------------------------------------------------------- the plan


@dataclass(frozen=True)
class DoseChange:
    """What a plan changes in an exercise's dose; None keeps the topic's value."""

    sets: Optional[int] = None
    reps: Optional[int] = None
    hold_seconds: Optional[int] = None  # 0 removes the hold
    times_per_day: Optional[int] = None

    def apply(self, dose: Dose) -> Dose:
        hold = dose.hold_seconds if self.hold_seconds is None else (self.hold_seconds or None)
        return Dose(sets=self.sets or dose.sets, reps=self.reps or dose.reps,
                    times_per_day=self.times_per_day or dose.times_per_day, hold_seconds=hold)

    def merged(self, other: "DoseChange") -> "DoseChange":
        """``self`` with the values ``other`` sets."""
        return DoseChange(**{k: getattr(other, k) if getattr(other, k) is not None else getattr(self, k)
                             for k in DOSE_KEYS})


@dataclass(frozen=True)
class ExerciseChoice:
    id: str
    dose: DoseChange = DoseChange()
    where: Location = Location("<plan>")  # for messages: file:line:col, an option name, or a CSV cell


class Patient:
    """Name, clinician, date and note: printed on the page, never shown anywhere else."""

    __slots__ = ("name", "clinician", "date", "note")

    def __init__(self, name: Optional[str] = None, clinician: Optional[str] = None,
                 date: Optional[date] = None, note: Optional[str] = None) -> None:
        self.name, self.clinician, self.date, self.note = name, clinician, date, note

    def __repr__(self) -> str:  # never the values: tracebacks and logs must not carry them
        given = [f for f in self.__slots__ if getattr(self, f)]
        return f"Patient(<{', '.join(given) or 'nothing'} given>)"

    __str__ = __repr__

    def __eq__(self, other) -> bool:
        return isinstance(other, Patient) and all(getattr(self, f) == getattr(other, f) for f in self.__slots__)

    def __getstate__(self):
        return tuple(getattr(self, f) for f in self.__slots__)

    def __setstate__(self, state) -> None:
        for name, value in zip(self.__slots__, state):
            setattr(self, name, value)

    def fields(self) -> dict[str, str]:
        """The texts to write into the blanks, keyed by blank name."""
        out = {"patient": self.name, "clinician": self.clinician,
               "date": self.date.isoformat() if self.date else None, "note": self.note}
        return {k: v for k, v in out.items() if v}


@dataclass
class Plan:
    """A plan as written, before it is checked against a topic."""

    exercises: list[ExerciseChoice]
    patient: Patient = field(default_factory=Patient)
    topic: Optional[str] = None
    doses: list[tuple[str, DoseChange, Location]] = field(default_factory=list)  # --dose / doses column
    language: Optional[str] = None  # the sheet's language (a translation of the topic, e.g. es); None: the source

    def __repr__(self) -> str:
        return f"Plan(topic={self.topic!r}, exercises={[c.id for c in self.exercises]}, patient={self.patient!r})"


Selection = tuple  # ((exercise id, (sets, reps, hold_seconds, times_per_day)), ...): hashable, non-personal


def dose_tuple(dose: Dose) -> tuple:
    return (dose.sets, dose.reps, dose.hold_seconds, dose.times_per_day)


def make_dose(values: tuple) -> Dose:
    return Dose(sets=values[0], reps=values[1], hold_seconds=values[2], times_per_day=values[3])


def resolve(plan: Plan, topic: Topic, label: str = "topic") -> tuple[Selection, list[ContentError]]:
    """The exercises and final doses a plan asks for, or the errors that stop it.

    Unknown ids are errors that list the ids the topic has; an id named twice
    and a dose override for an exercise the plan does not name are errors too,
    and so is an override (``--dose``, the CSV ``doses`` column) that changes
    nothing: most likely its value went to the wrong cell.  A dose given with
    its exercise (a plan file's ``dose:``, a form's dose fields) may repeat
    the topic's values.
    """
    known = {str(ex.id): ex for ex in topic.exercises}
    ids = list(known)
    errors: list[ContentError] = []
    chosen: dict[str, DoseChange] = {}
    order: list[str] = []
    for choice in plan.exercises:
        if choice.id not in known:
            errors.append(ContentError(choice.where, "", f"no exercise {shown(choice.id)} in {label} {topic.id}",
                                       _ids_hint(choice.id, ids)))
        elif choice.id in chosen:
            errors.append(ContentError(choice.where, "", f"exercise {choice.id!r} is named twice"))
        else:
            chosen[choice.id] = choice.dose
            order.append(choice.id)
    for exercise_id, change, where in plan.doses:
        if exercise_id not in known:
            errors.append(ContentError(where, "", f"no exercise {shown(exercise_id)} in {label} {topic.id}",
                                       _ids_hint(exercise_id, ids)))
        elif exercise_id not in chosen:
            errors.append(ContentError(where, "", f"a dose is given for {exercise_id!r}, which the plan does not include",
                                       f"add it to the exercises, or remove its dose; the plan has: {', '.join(order) or 'none'}"))
        else:
            merged = chosen[exercise_id].merged(change)
            if merged.apply(known[exercise_id].dose) == chosen[exercise_id].apply(known[exercise_id].dose):
                errors.append(_unchanged(where, exercise_id, known[exercise_id].dose))
            chosen[exercise_id] = merged
    if not plan.exercises and not errors:
        errors.append(ContentError(Location("--exercise"), "", "the plan names no exercises", _ids_hint("", ids)))
    selection = tuple((i, dose_tuple(chosen[i].apply(known[i].dose))) for i in order)
    return selection, errors


def _unchanged(where: Location, exercise_id: str, dose: Dose) -> ContentError:
    """A dose override equal to the dose it overrides: most likely a value landed in the wrong cell."""
    return ContentError(where, "", f"the dose given for {exercise_id!r} changes nothing (the topic's dose is "
                        f"{', '.join(f'{k} {v}' for k, v in zip(DOSE_KEYS, dose_tuple(dose)) if v)})",
                        "remove it, or check that an unquoted comma did not split the cell")


def _ids_hint(word: str, ids: Sequence[str]) -> str:
    close = did_you_mean(word, ids) if word else None
    listing = f"exercises: {', '.join(ids)}" if ids else "the topic has no exercises"
    return f"{close} {listing}" if close else listing


def selection_exercises(selection: Selection, topic: Topic) -> list[Exercise]:
    """The topic's exercises in plan order, each with the plan's dose."""
    known = {str(ex.id): ex for ex in topic.exercises}
    return [replace(known[i], dose=make_dose(dose)) for i, dose in selection]


# ----------------------------------------------------------------------------- personal fields


def parse_date(value: str) -> Optional[date]:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        return None


# ----------------------------------------------------------------------------- YAML plan files


class PersonalText(Spec):
    """Text that is personal data: validated like text, but messages never quote it."""

    kind = "text (personal: printed only)"

    def __init__(self, max_len: int) -> None:
        self.max_len = max_len

    def convert(self, node, ctx, path):
        if not isinstance(node, yaml.ScalarNode) or (node.tag.endswith(":null") and node.style is None):
            got = "a list" if isinstance(node, yaml.SequenceNode) else "a mapping" if isinstance(node, yaml.MappingNode) else "nothing"
            return ctx.error(node, path, f"expected text, got {got}")
        if node.style is None and not node.tag.endswith(":str"):
            return ctx.error(node, path, "is read by YAML as a number, date or yes/no value, not text",
                             "put it in quotes")
        cleaned, problem, hint = check_text(node.value, self.max_len)
        if problem:
            return ctx.error(node, path, problem, hint)
        return cleaned

    def doc(self):
        return f"text, at most {self.max_len} characters"


class PersonalDate(Spec):
    kind = "date (YYYY-MM-DD)"

    def convert(self, node, ctx, path):
        value = parse_date(node.value) if isinstance(node, yaml.ScalarNode) else None
        if value is None:
            return ctx.error(node, path, "expected a date like 2026-12-01", "write dates as year-month-day")
        return value


class PlanId(Spec):
    kind = "exercise id"

    def __init__(self, example: str = "an exercise id like chin-tuck") -> None:
        self.example = example

    def convert(self, node, ctx, path):
        if not isinstance(node, yaml.ScalarNode) or not re.fullmatch(ID_PATTERN, node.value.strip()):
            got = shown(node.value) if isinstance(node, yaml.ScalarNode) else describe(node)
            return ctx.error(node, path, f"expected {self.example}, got {got}")
        return (node.value.strip(), ctx.where(node))


DOSE_CHANGE = Record(name="dose change", fields=[
    Field("sets", Int(*DOSE_LIMITS["sets"]), required=False),
    Field("reps", Int(*DOSE_LIMITS["reps"]), required=False),
    Field("hold_seconds", Int(*DOSE_LIMITS["hold_seconds"]), required=False, doc="0 removes the hold"),
    Field("times_per_day", Int(*DOSE_LIMITS["times_per_day"]), required=False),
], build=lambda v: DoseChange(**{k: v[k] for k in DOSE_KEYS if k in v}))

PLAN_EXERCISE = StrOrRecord(
    short=PlanId(),
    full=Record(name="exercise choice", fields=[Field("id", PlanId()), Field("dose", DOSE_CHANGE, required=False)],
                build=lambda v: ExerciseChoice(v["id"][0], v.get("dose", DoseChange()), v["id"][1])),
    from_short=lambda v: ExerciseChoice(v[0], DoseChange(), v[1]),
)

PLAN = Record(name="plan", fields=[
    Field("topic", PlanId("a topic id like upper-back-pain"), required=False, doc="the topic folder name"),
    Field("patient", PersonalText(MAX_NAME), required=False),
    Field("clinician", PersonalText(MAX_NAME), required=False),
    Field("date", PersonalDate(), required=False),
    Field("note", PersonalText(MAX_NOTE), required=False, doc="printed in the Notes box"),
    Field("exercises", ListOf(PLAN_EXERCISE, min_items=1), doc="exercise ids, each optionally with a dose change"),
    Field("language", Str(pattern=LANGUAGE_PATTERN, kind="language code", pattern_hint="e.g. en or es"),
          required=False, doc="the sheet's language: the topic's own, or one it is translated into"),
], build=lambda v: Plan(exercises=v["exercises"], topic=v["topic"][0] if "topic" in v else None,
                        patient=Patient(v.get("patient"), v.get("clinician"), v.get("date"), v.get("note")),
                        language=str(v["language"]) if "language" in v else None))


class _PlanContext(Context):
    """Schema errors for a plan file, with any quoted value that is not id-like left out (it may be a name)."""

    def error(self, node, path, message, hint=None):
        clean = scrub(message)
        if clean != message and message.startswith("unknown key"):
            clean = "a key that is not a plan field (not shown: it is not a plain word)"
        return super().error(node, scrub_path(path), clean, scrub(hint) if hint else None)


MAX_PLAN_DEPTH = 20  # a plan is three levels deep; anything much deeper is a mistake (or an attack)


def load_plan_file(path: Path) -> Plan:
    """Read and validate a YAML plan file; raises :class:`ContentErrors` with ``file:line:col``."""
    where = display_path(Path(path))
    try:
        node = compose_file(Path(path), where)  # raises ContentError for syntax problems
    except ContentError as err:
        raise ContentErrors([ContentError(err.where, scrub_path(err.path), scrub(err.problem),
                                          scrub(err.hint) if err.hint else None)]) from None
    except RecursionError:
        node = None
        raise ContentErrors([ContentError(Location(where), "", "is nested too deeply to be a plan",
                                          "a plan lists exercises, each with at most a dose: see handout sheet --help")]) from None
    if node is None:
        raise ContentErrors([ContentError(Location(where, 1, 1), "", "file is empty")])
    deep = _too_deep(node)
    if deep is not None:
        raise ContentErrors([ContentError(mark_location(where, deep.start_mark), "",
                                          f"is nested more than {MAX_PLAN_DEPTH} levels deep",
                                          "a plan lists exercises, each with at most a dose")])
    ctx = _PlanContext(where)
    plan = PLAN.convert(node, ctx, "")
    if ctx.errors or plan is INVALID:
        raise ContentErrors(ctx.errors)
    return plan


def _too_deep(root: yaml.Node):
    """The first node deeper than :data:`MAX_PLAN_DEPTH`, found without recursion."""
    stack = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_PLAN_DEPTH:
            return node
        if isinstance(node, yaml.MappingNode):
            stack += [(v, depth + 1) for pair in node.value for v in pair]
        elif isinstance(node, yaml.SequenceNode):
            stack += [(v, depth + 1) for v in node.value]
    return None


# ----------------------------------------------------------------------------- command-line options


_DOSE_ENTRY = re.compile(r"\s*([^:\s;]+)\s*:\s*([^;\s]+)")


def parse_doses(text: str, where: Location) -> tuple[list[tuple[str, DoseChange, Location]], list[str]]:
    """``chin-tuck:sets=2,reps=8; cat-cow:reps=5`` → dose changes, or problems (one per bad part)."""
    changes, problems = [], []
    text = re.sub(r"\s*([,=:])\s*", r"\1", text.strip())
    entries = [e for e in re.split(r"[;\s]+(?=[^=,;\s]+:)", text) if e.strip()]
    for position, entry in enumerate(entries, 1):
        match = _DOSE_ENTRY.fullmatch(entry.strip().rstrip(";"))
        if not match:
            problems.append(f"cannot read dose {position}: write ID:key=value,key=value, e.g. chin-tuck:sets=2,reps=8")
            continue
        exercise_id, settings = match.groups()
        who = exercise_id if re.fullmatch(ID_PATTERN, exercise_id) else f"dose {position}"  # never a name
        values: dict[str, int] = {}
        for setting in settings.split(","):
            key, _, raw = setting.partition("=")
            key = DOSE_ALIASES.get(key.strip().lower().replace("-", "_"), key.strip().lower().replace("-", "_"))
            if key not in DOSE_KEYS:
                hint = did_you_mean(key, DOSE_KEYS)
                problems.append(f"{who}: unknown dose key {shown(key, '(not a key)')}" + (f" ({hint})" if hint else "")
                                + f"; keys: {', '.join(DOSE_KEYS)}")
                continue
            number, issue = check_dose_value(key, raw)
            if issue:
                problems.append(f"{who}: {issue}")
                continue
            values[key] = number
        if not re.fullmatch(ID_PATTERN, exercise_id):
            problems.append(f"{who}: {shown(exercise_id, 'the part before the colon')} is not an exercise id")
            continue
        changes.append((exercise_id, DoseChange(**values), where))
    return changes, problems


def check_dose_value(key: str, raw: str) -> tuple[Optional[int], Optional[str]]:
    """(number, None) or (None, problem) for one dose value typed as text; ``key`` is one of DOSE_KEYS."""
    low, high = DOSE_LIMITS[key]
    if not re.fullmatch(r"\d{1,4}", raw.strip()):
        return None, f"{key} must be a whole number"  # the text typed is not repeated: it may be a name
    number = int(raw)
    if not low <= number <= high:
        return None, f"{key} must be {low}–{high}, got {number}"
    return number, None


PERSONAL_FIELDS = (("name", MAX_NAME), ("clinician", MAX_NAME), ("note", MAX_NOTE))


def check_patient_fields(values: dict[str, Optional[str]]) -> tuple[dict, list[tuple[str, str]]]:
    """Patient details typed as text → (cleaned values, [(field, problem)]).

    ``values`` has keys ``name``, ``clinician``, ``note`` and ``date`` (None:
    not given).  Problems never quote the values.  The CLI's options, and the
    web page's fields, are checked by this one function.
    """
    fields: dict = {}
    problems: list[tuple[str, str]] = []
    for key, limit in PERSONAL_FIELDS:
        value = values.get(key)
        if value is not None:
            cleaned, problem, hint = check_text(value, limit)
            if problem:
                problems.append((key, f"{problem}; {hint}" if hint else problem))
            fields[key] = cleaned
    if values.get("date") is not None:
        fields["date"] = parse_date(values["date"])
        if fields["date"] is None:
            problems.append(("date", "expected a date like 2026-12-01"))
    return fields, problems


def plan_from_options(exercises: Sequence[str], doses: Sequence[str], base: Optional[Plan] = None,
                      patient: Optional[str] = None, clinician: Optional[str] = None,
                      visit_date: Optional[str] = None, note: Optional[str] = None) -> Plan:
    """A plan from ``--exercise``/``--dose``/``--patient``... options, on top of a plan file if given.

    Options override the plan file's patient fields.  Raises
    :class:`ContentErrors` naming the option of each problem.
    """
    errors: list[ContentError] = []
    if base is not None and exercises:
        raise HandoutError("use --exercise or --plan, not both",
                           "list the exercises in the plan file, or drop --plan")
    choices = list(base.exercises) if base else []
    for value in exercises:
        for exercise_id in [v for v in re.split(r"[;,\s]+", value) if v]:
            if not re.fullmatch(ID_PATTERN, exercise_id):
                errors.append(ContentError(Location("--exercise"), "", f"{shown(exercise_id)} is not an exercise id",
                                           "ids are lower-case words joined by hyphens, e.g. chin-tuck"))
            else:
                choices.append(ExerciseChoice(exercise_id, DoseChange(), Location("--exercise")))
    changes = list(base.doses) if base else []
    for value in doses:
        found, problems = parse_doses(value, Location("--dose"))
        changes += found
        errors += [ContentError(Location("--dose"), "", p) for p in problems]
    person = base.patient if base else Patient()
    fields = {"name": person.name, "clinician": person.clinician, "date": person.date, "note": person.note}
    given, problems = check_patient_fields({"name": patient, "clinician": clinician, "note": note, "date": visit_date})
    fields.update(given)
    options = {"name": "--patient", "clinician": "--clinician", "note": "--note", "date": "--date"}
    errors += [ContentError(Location(options[key]), "", problem) for key, problem in problems]
    if errors:
        raise ContentErrors(errors)
    return Plan(exercises=choices, patient=Patient(**fields), topic=base.topic if base else None, doses=changes,
                language=base.language if base else None)


# ----------------------------------------------------------------------------- batch CSV files


@dataclass
class BatchRow:
    """One good row of a batch file."""

    number: int  # spreadsheet row number: the header is row 1 (unless blank rows come first)
    line: int  # the file line the row starts on
    plan: Plan

    def __repr__(self) -> str:
        return f"BatchRow(row {self.number}, {self.plan!r})"


@dataclass
class BatchPlans:
    """A batch file read into plans (not yet checked against a topic): good rows, problems, warnings."""

    shown: str
    rows: list[BatchRow]
    problems: list[RowProblem]
    warnings: list[RowProblem]


def read_batch(path: Path, data: Optional[bytes] = None) -> BatchPlans:
    """Read a batch CSV (:mod:`handoutkit.personal.csvfile`) and turn each row into a plan.

    A problem with the file itself (unreadable, no header, unknown or
    missing columns, a runaway quote) raises
    :class:`~handoutkit.personal.csvfile.CsvFileError`: no row can be trusted then.
    ``data``, when given, is the file's content (an upload held in memory):
    ``path`` then only names it in messages.
    """
    return batch_plans(read_batch_file(Path(path), data))


def batch_plans(batch: BatchFile) -> BatchPlans:
    """The plans of a read batch file (see :func:`read_batch`)."""
    rows: list[BatchRow] = []
    problems = list(batch.problems)
    bad = {p.number for p in problems}
    for row in batch.rows:
        plan, row_problems = row_plan(row)
        problems += row_problems
        if plan is not None and row.number not in bad:
            rows.append(BatchRow(row.number, row.line, plan))
    return BatchPlans(batch.shown, rows, problems, list(batch.warnings))


def row_plan(row: CsvRow) -> tuple[Optional[Plan], list[RowProblem]]:
    """One row's plan, or its problems (each naming the row and column, never a personal value)."""
    problems: list[RowProblem] = []
    number, line, values = row.number, row.line, row.values

    def problem(column: str, message: str, hint: Optional[str] = None) -> None:
        problems.append(RowProblem(number, line, column, message, hint))

    where = lambda column: Location(f"row {number}, {column}")  # noqa: E731 (messages via RowProblem)
    fields: dict = {}
    for column, key, limit in (("name", "name", MAX_NAME), ("clinician", "clinician", MAX_NAME), ("note", "note", MAX_NOTE)):
        value = values.get(column, "")
        if column == "note":
            value = " ".join(value.split())  # a multi-line note is one paragraph
        if not value:
            if column == "name":
                problem("name", "is empty", "every row needs the patient's name")
            continue
        cleaned, issue, hint = check_text(value, limit)
        if issue:
            problem(column, issue, hint)
        fields[key] = cleaned
    if values.get("date"):
        fields["date"] = parse_date(values["date"])
        if fields["date"] is None:
            problem("date", "expected a date like 2026-12-01", "write dates as year-month-day")
    choices = []
    for exercise_id in [v for v in re.split(r"[;,\s]+", values.get("exercises", "")) if v]:
        if re.fullmatch(ID_PATTERN, exercise_id):
            choices.append(ExerciseChoice(exercise_id, DoseChange(), where("exercises")))
        else:
            problem("exercises", f"{shown(exercise_id)} is not an exercise id",
                    "ids are lower-case words joined by hyphens, separated by ; or spaces")
    if not values.get("exercises"):
        problem("exercises", "is empty", "list exercise ids separated by ; or spaces, e.g. chin-tuck; cat-cow")
    changes, dose_problems = parse_doses(values.get("doses", ""), where("doses"))
    for message in dose_problems:
        problem("doses", message)
    topic = values.get("topic") or None
    if topic is not None and not re.fullmatch(ID_PATTERN, topic):
        problem("topic", "is not a topic id", "topic ids are lower-case words joined by hyphens, e.g. upper-back-pain")
    language = values.get("language") or None
    if language is not None and not re.fullmatch(LANGUAGE_PATTERN, language):
        problem("language", "is not a language code", "write a code such as en or es")
    if problems:
        return None, problems
    return Plan(exercises=choices, patient=Patient(**fields), topic=topic, doses=changes, language=language), []
