"""The pages: parse the request, call :class:`Service` (the library), render a template.

Personal data (patient, clinician, date, note, a batch CSV) arrives in POST
bodies only and leaves in that request's response only, marked ``no-store``
by the security middleware; it is never put in a URL, a cookie, a log line,
a cache or a file.  Library pages (handouts, thumbnails, the check report)
take their non-personal choices (paper, edition) from the query string.
"""

from __future__ import annotations

import re
from typing import Any, Optional

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from handoutkit import clock
from handoutkit.build import BuildOptions
from handoutkit.errors import HandoutError, plural
from handoutkit.personal.fields import (
    DETAIL_FIELDS, ExerciseEntry, FieldProblem, dose_field, field_problems, plan_from_fields, position_field,
)
from handoutkit.personal.plans import DOSE_KEYS
from handoutkit.web.security import SESSION_COOKIE, SESSION_SECONDS, TooLarge, cookie_header
from handoutkit.web.service import EDITIONS, PAPERS, Busy, Service, options_for

DOSE_LABELS = {"sets": "Sets", "reps": "Reps", "hold_seconds": "Hold (seconds)", "times_per_day": "Times a day"}
EDITION_LABELS = {"standard": "Standard", "large-print": "Large print", "grayscale": "Grayscale"}
PAPER_LABELS = {"letter": "Letter", "a4": "A4"}
MAX_FIELDS = 400


# --------------------------------------------------------------------------- helpers


def _app(request: Request):
    return request.app.state


def render(request: Request, template: str, status: int = 200, **context: Any) -> Response:
    state = _app(request)
    cookie = request.state.csrf_cookie
    context.update(request=request, csrf=state.guard.token_for(cookie), signed_in=state.guard.access_code is not None,
                   papers=PAPER_LABELS, editions=EDITION_LABELS)
    return state.templates.TemplateResponse(request, template, context, status_code=status)


async def read_form(request: Request, files: int = 0):
    """The POST body as a form, with its size capped and its CSRF token checked."""
    guard = _app(request).guard
    try:
        form = await request.form(max_files=files, max_fields=MAX_FIELDS, max_part_size=guard.upload_limit)
    except TooLarge:
        raise
    except HTTPException:
        raise HTTPException(400, "The form could not be read. Reload the page and send it again.") from None
    if not guard.token_ok(request.state.csrf_cookie, form.get("csrf")):
        raise HTTPException(403, "This form has expired or did not come from this server's page. "
                                 "Reload the page and send it again.")
    return form


async def run(request: Request, func, *args):
    """Call the library in a worker thread (admitted by the build cap)."""
    return await _app(request).service.run(func, *args)


def _query_options(request: Request) -> tuple[BuildOptions, str, str]:
    paper = request.query_params.get("paper") or "letter"
    edition = request.query_params.get("edition") or "standard"
    if paper not in PAPERS or edition not in EDITIONS:
        raise HTTPException(400, "Unknown paper or edition.")
    return options_for(paper, edition), paper, edition


def _query_language(request: Request) -> Optional[str]:
    """The ``language`` choice: a language code, or None for the topic's source language (or, listing, all)."""
    language = request.query_params.get("language") or None
    if language is not None and not re.fullmatch(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})?", language):
        raise HTTPException(400, "Unknown language.")
    return language


def language_name(code: str) -> str:
    """``es`` → "Spanish (español)": the name in English and in the language itself (CLDR, via Babel)."""
    from babel import Locale, UnknownLocaleError

    try:
        locale = Locale.parse(code.replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        return code
    english, native = locale.get_display_name("en"), locale.get_display_name(locale)
    return english if english == native else f"{english} ({native})"


def _size_label(size: tuple[float, float]) -> str:
    w, h = size
    return f"{w / 72:g} × {h / 72:g} in ({w / 72 * 25.4:.0f} × {h / 72 * 25.4:.0f} mm)"


def _pdf(data: bytes, name: str, download: bool) -> Response:
    kind = "attachment" if download else "inline"
    return Response(data, media_type="application/pdf",
                    headers={"Content-Disposition": f'{kind}; filename="{name}"'})


# --------------------------------------------------------------------------- library


async def library(request: Request) -> Response:
    options, paper, edition = _query_options(request)
    language = _query_language(request)
    service: Service = _app(request).service
    choice = dict(paper=paper, edition=edition, language=language or "", nav="library",
                  query=f"paper={paper}&edition={edition}")
    try:
        topics, languages = await _library_listing(request, service, options, language)
    except HandoutError as err:
        return render(request, "library.html", 422, error=err.format_message(), topics=[], languages={}, **choice)
    return render(request, "library.html", topics=topics, languages=languages,
                  language_choices={"": "Every language", **languages}, **choice)


async def _library_listing(request: Request, service: Service, options: BuildOptions,
                           language: Optional[str]) -> tuple[list[dict], dict[str, str]]:
    """Each topic with its editions (languages) and their files; and every language there is, for the choice."""
    # One admission per handout, not per page: other people's sheets get their turn between builds.
    project = await run(request, service.project)
    languages = {code: language_name(code)
                 for code in sorted({e.language for t in project.topics for e in t.editions})}
    if language is not None and language not in languages:
        raise HTTPException(400, "No topic has that language.")
    out = []
    for topic in project.topics:
        editions = []
        for edition in topic.editions:
            if language is not None and edition.language != language:
                continue
            files = []
            query = f"&language={edition.language}" if edition is not topic else ""
            for handout in edition.handouts:
                built = await run(request, service.handout_files, topic.id, handout.name, options,
                                  None if edition is topic else edition.language)
                files += [{"stem": f.stem, "name": f.name, "pages": f.file.pages, "query": query,
                           "size": _size_label(f.file.page_size), "note": f.file.note,
                           "html": f.stem == handout.name and handout.name} for f in built]
            editions.append({"language": edition.language, "language_name": languages[edition.language],
                             "title": str(edition.title), "files": files, "source": edition is topic})
        out.append({"id": topic.id, "title": str(topic.title), "version": str(topic.version),
                    "review_due": topic.review_due, "editions": editions, "language": topic.language,
                    "has_sheet": any(h.layout == "exercise-sheet" for h in topic.handouts)})
    return out, languages


async def _built(request: Request, make, topic: str, name: str, options):
    """A handout built by the service for the library page: 404 if there is no such handout, or the
    content's error page (the CLI's ``file:line:col`` text) as the response to return instead."""
    try:
        return await run(request, make, topic, name, options, _query_language(request))
    except LookupError:
        raise HTTPException(404, "No such handout.") from None
    except HandoutError as err:
        return render(request, "error.html", 422, title="The content has a problem", message=err.format_message())


async def handout_pdf(request: Request) -> Response:
    options, _, _ = _query_options(request)
    topic, stem = request.path_params["topic"], request.path_params["stem"]
    item = await _built(request, _app(request).service.handout_file, topic, stem, options)
    if isinstance(item, Response):
        return item
    return _pdf(item.file.data, item.name, request.query_params.get("download") == "1")


# The HTML edition is a self-contained page for patients (inline stylesheet, fonts and pictures as data: URIs,
# no script): its own policy allows exactly that and nothing else.
HTML_EDITION_POLICY = ("default-src 'none'; style-src 'unsafe-inline'; font-src data:; img-src data:; "
                       "form-action 'none'; frame-ancestors 'none'; base-uri 'none'")


async def html_edition(request: Request) -> Response:
    options, _, _ = _query_options(request)
    topic, name = request.path_params["topic"], request.path_params["handout"]
    item = await _built(request, _app(request).service.html_edition, topic, name, options)
    if isinstance(item, Response):
        return item
    disposition = "attachment" if request.query_params.get("download") == "1" else "inline"
    return Response(item.data, media_type="text/html; charset=utf-8",
                    headers={"Content-Security-Policy": HTML_EDITION_POLICY,
                             "Content-Disposition": f'{disposition}; filename="{item.path.name}"'})


async def thumbnail(request: Request) -> Response:
    options, _, _ = _query_options(request)
    topic, stem = request.path_params["topic"], request.path_params["stem"]
    try:
        png = await run(request, _app(request).service.thumbnail, topic, stem, options, _query_language(request))
    except (LookupError, HandoutError):
        raise HTTPException(404, "No such handout.") from None
    return Response(png, media_type="image/png")


async def exercise_image(request: Request) -> Response:
    from handoutkit.web.assets import sniff_image

    service: Service = _app(request).service
    try:
        project = await run(request, service.project)
        topic = service.topic(project, request.path_params["topic"])
        exercise = next(ex for ex in topic.exercises if str(ex.id) == request.path_params["exercise"])
        data, kind = sniff_image(exercise.image, topic.folder)
    except (LookupError, StopIteration, HandoutError):
        raise HTTPException(404, "No such picture.") from None
    policy = "default-src 'none'; style-src 'unsafe-inline'; sandbox" if kind == "image/svg+xml" else None
    headers = {"Cache-Control": "no-cache"}
    if policy:
        headers["Content-Security-Policy"] = policy
    return Response(data, media_type=kind, headers=headers)


# --------------------------------------------------------------------------- exercise plans


async def plan_topics(request: Request) -> Response:
    try:
        project = await run(request, _app(request).service.project)
    except HandoutError as err:
        return render(request, "error.html", 422, title="The content has a problem", message=err.format_message(),
                      nav="plan")
    topics = [t for t in project.topics if any(h.layout == "exercise-sheet" for h in t.handouts)]
    return render(request, "plan_topics.html", topics=topics, nav="plan")


def _cards(topic, entries: Optional[list[ExerciseEntry]] = None) -> list[dict]:
    """One card per exercise of the topic, in the form's order, with what was typed (or the topic's dose)."""
    by_id = {str(ex.id): ex for ex in topic.exercises}
    typed = {e.id: e for e in entries or []}
    order = [e.id for e in entries or [] if e.id in by_id] or list(by_id)
    order += [i for i in by_id if i not in order]
    cards = []
    for position, exercise_id in enumerate(order, 1):
        exercise = by_id[exercise_id]
        entry = typed.get(exercise_id)
        defaults = {"sets": exercise.dose.sets, "reps": exercise.dose.reps, "hold_seconds": exercise.dose.hold_seconds,
                    "times_per_day": exercise.dose.times_per_day}
        cards.append({
            "id": exercise_id, "name": str(exercise.name), "purpose": str(exercise.purpose),
            "alt": str(exercise.image_alt), "include": entry.include if entry else False,
            "position": entry.position if entry else str(position),
            "dose": [{"key": key, "label": DOSE_LABELS[key], "field": dose_field(exercise_id, key),
                      "value": entry.dose.get(key, "") if entry else ("" if defaults[key] is None else str(defaults[key]))}
                     for key in DOSE_KEYS],
        })
    return cards


def _entries(form, topic) -> list[ExerciseEntry]:
    ids = [str(ex.id) for ex in topic.exercises]
    order = [i for i in form.getlist("card") if i in ids] or ids  # the cards in the order the page showed them
    return [ExerciseEntry(i, include=form.get(f"include-{i}") == "1", position=str(form.get(position_field(i), "")),
                          dose={k: str(form.get(dose_field(i, k), "")) for k in DOSE_KEYS}) for i in order]


def _plan_options(form) -> BuildOptions:
    paper = form.get("paper") or "letter"
    if paper not in PAPERS:
        raise HTTPException(400, "Unknown paper size.")
    return BuildOptions(paper=paper, large_print=form.get("large_print") == "1", grayscale=form.get("grayscale") == "1")


async def _topic_or_404(request: Request):
    service: Service = _app(request).service
    project = await run(request, service.project)
    try:
        return service.topic(project, request.path_params["topic"])
    except LookupError:
        raise HTTPException(404, "No such topic.") from None


def _plan_languages(topic) -> dict[str, str]:
    return {edition.language: language_name(edition.language) for edition in topic.editions}


def _plan_language(form, topic) -> Optional[str]:
    """The translation the form asks for (None: the topic's own language)."""
    language = str(form.get("language") or topic.language)
    if language not in _plan_languages(topic):
        raise HTTPException(400, "Unknown language.")
    return None if language == topic.language else language


async def plan_page(request: Request) -> Response:
    try:
        topic = await _topic_or_404(request)
    except HandoutError as err:
        return render(request, "error.html", 422, title="The content has a problem", message=err.format_message(),
                      nav="plan")
    details = {"patient": "", "clinician": "", "date": clock.build_date().isoformat(), "note": ""}
    return render(request, "plan.html", topic=topic, cards=_cards(topic), details=details, problems=[],
                  by_field={}, paper="letter", large_print=False, grayscale=False, nav="plan",
                  languages=_plan_languages(topic), language=topic.language)


async def _plan_from_request(request: Request):
    form = await read_form(request)
    topic = await _topic_or_404(request)
    entries = _entries(form, topic)
    details = {name: str(form.get(name, "")) for name in DETAIL_FIELDS.values()}
    plan, problems = plan_from_fields(entries, details, topic=topic.id)
    return form, topic, entries, details, plan, problems, _plan_options(form), _plan_language(form, topic)


async def plan_submit(request: Request) -> Response:
    try:
        form, topic, entries, details, plan, problems, options, language = await _plan_from_request(request)
        result = None
        if not problems:
            try:
                result = await run(request, _app(request).service.sheet, topic.id, plan, options, language)
            except HandoutError as err:
                problems = field_problems(err)
    except HandoutError as err:
        return render(request, "error.html", 422, title="The content has a problem", message=err.format_message(),
                      nav="plan")
    action = form.get("action")
    if problems or action not in ("print", "download"):
        by_field: dict[str, list[FieldProblem]] = {}
        for problem in problems:
            by_field.setdefault(problem.field, []).append(problem)
        return render(request, "plan.html", 422 if problems else 200, topic=topic, cards=_cards(topic, entries),
                      details=details, problems=problems, by_field=by_field, paper=options.paper,
                      large_print=options.large_print, grayscale=options.grayscale, nav="plan",
                      checked=not problems, languages=_plan_languages(topic), language=language or topic.language)
    return _pdf(result.data, result.name, action == "download")


async def plan_preview(request: Request) -> Response:
    """The live preview: page 1 as PNG, or the problems as JSON (422) for the script to show."""
    try:
        _, topic, _, _, plan, problems, options, language = await _plan_from_request(request)
        if not problems:
            try:
                png = await run(request, _app(request).service.sheet_preview, topic.id, plan, options, language)
                return Response(png, media_type="image/png")
            except HandoutError as err:
                problems = field_problems(err)
    except HandoutError as err:
        problems = [FieldProblem("content", err.format_message())]
    return JSONResponse({"problems": [{"field": p.field, "message": p.message, "hint": p.hint} for p in problems]},
                        status_code=422)


# --------------------------------------------------------------------------- batches


async def batch_page(request: Request) -> Response:
    try:
        project = await run(request, _app(request).service.project)
        topics = [t for t in project.topics if any(h.layout == "exercise-sheet" for h in t.handouts)]
    except HandoutError as err:
        return render(request, "error.html", 422, title="The content has a problem", message=err.format_message(),
                      nav="batch")
    return render(request, "batch.html", topics=topics, nav="batch", paper="letter", large_print=False,
                  topic_id="", languages=_batch_languages(project), language="")


def _batch_languages(project) -> dict[str, str]:
    """The language choice of a batch: as the file says (its language column, else the topic's own), or one."""
    codes = sorted({edition.language for topic in project.topics for edition in topic.editions})
    return {"": "As the file says (or the topic's own)", **{code: language_name(code) for code in codes}}


async def batch_submit(request: Request) -> Response:
    form = await read_form(request, files=1)
    service: Service = _app(request).service
    upload = form.get("csv")
    if upload is not None and not isinstance(upload, str):
        data = await upload.read()
    else:
        data = str(form.get("csv_text", "")).encode("utf-8")
    topic_id = str(form.get("topic", "")) or None
    language = str(form.get("language", "")) or None
    options = _plan_options(form)
    context = dict(nav="batch", paper=options.paper, large_print=options.large_print, topic_id=topic_id or "",
                   language=language or "")
    try:
        project = await run(request, service.project)
        context["topics"] = [t for t in project.topics if any(h.layout == "exercise-sheet" for h in t.handouts)]
        context["languages"] = _batch_languages(project)
        if language is not None and language not in context["languages"]:
            raise HTTPException(400, "Unknown language.")
    except HandoutError as err:
        return render(request, "error.html", 422, title="The content has a problem", message=err.format_message(),
                      nav="batch")
    if not data.strip():
        return render(request, "batch.html", 422, file_error="Choose a CSV file to upload.", **context)
    try:
        job = await run(request, service.batch, data, topic_id, options, language)
    except HandoutError as err:
        return render(request, "batch.html", 422, file_error=err.format_message(), **context)
    action = form.get("action")
    bad_rows = len({p.number for p in job.problems})
    if action == "download" and job.rows and (not job.problems or form.get("skip_bad") == "1"):
        stack, pages = await run(request, service.batch_stack, job)
        return _pdf(stack, "exercise-sheets.pdf", True)
    by_number = {r.number: {"number": r.number, "name": r.plan.patient.name or "", "exercises": len(r.plan.exercises),
                            "problems": [], "warnings": []} for r in job.rows}
    for kind, found in (("problems", job.problems), ("warnings", job.warnings)):  # bad rows are never among the good
        for problem in sorted(found, key=lambda p: (p.number, p.column)):
            by_number.setdefault(problem.number, {"number": problem.number, "name": None, "exercises": None,
                                                  "problems": [], "warnings": []})[kind].append(problem)
    rows = [by_number[n] for n in sorted(by_number)]
    status = 422 if job.problems or not job.rows else 200
    if not job.rows and not job.problems:
        context["file_error"] = "upload.csv: no rows to print\n  hint: add one row per patient under the header"
    return render(request, "batch.html", status, rows=rows, good=len(job.rows), bad=bad_rows,
                  csv_text=data.decode("utf-8", "replace"), topic_name=job.maker.topic.id,
                  summary=f"{plural(len(job.rows), 'row')} ready to print, {plural(bad_rows, 'row')} with problems",
                  **context)


# --------------------------------------------------------------------------- check report


async def check_page(request: Request) -> Response:
    service: Service = _app(request).service
    try:
        project, report = await run(request, _report, service)
    except HandoutError as err:
        return render(request, "check.html", 422, error=err.format_message(), nav="check")
    max_grade = report.limits.get("max_grade")
    handouts = []
    for row in report.handouts:
        sections = [dict(r, label=r["section"] + (" (summary)" if r["short"] else ""), over=r["grade"] > max_grade)
                    for r in report.sections if r["topic"] == row["topic"] and r["handout"] == row["handout"]]
        handouts.append(dict(row, sections=sections, over=row["grade"] > max_grade))
    errors, warnings = report.counts()
    return render(request, "check.html", report=report, handouts=handouts, topics=project.topics, nav="check",
                  findings=report.findings, errors=errors, warnings=warnings, summary=report.summary_line(),
                  today=report.limits.get("today"))


def _report(service: Service):
    from handoutkit.content.load import load_project

    return load_project(service.source), service.report()


# --------------------------------------------------------------------------- signing in


def _next(value: str) -> str:
    return value if value.startswith("/") and not value.startswith("//") and "\\" not in value else "/"


async def signin_page(request: Request) -> Response:
    return render(request, "signin.html", next=_next(request.query_params.get("next", "/")), problem=None)


async def signin_submit(request: Request) -> Response:
    guard = _app(request).guard
    form = await read_form(request)
    client = request.client.host if request.client else "?"
    target = _next(str(form.get("next", "/")))
    if guard.throttled(client):
        return render(request, "signin.html", 429, next=target,
                      problem="Too many wrong codes. Wait a minute, then try again.")
    if guard.access_code is None:
        return RedirectResponse(target, status_code=303)
    if not guard.code_ok(str(form.get("code", ""))):
        guard.failed(client)
        return render(request, "signin.html", 401, next=target, problem="That access code is not right.")
    response = RedirectResponse(target, status_code=303)
    response.headers.append("set-cookie", cookie_header(SESSION_COOKIE, guard.new_session(), SESSION_SECONDS))
    return response


async def signout(request: Request) -> Response:
    guard = _app(request).guard
    await read_form(request)
    guard.end_session(request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/signin" if guard.access_code else "/", status_code=303)
    response.headers.append("set-cookie", cookie_header(SESSION_COOKIE, "", 0))
    return response


# --------------------------------------------------------------------------- errors


async def http_error(request: Request, exc: HTTPException) -> Response:
    titles = {400: "Bad request", 401: "Sign in first", 403: "Refused", 404: "Not found", 405: "Not allowed",
              413: "Too large", 503: "Busy"}
    response = render(request, "error.html", exc.status_code, title=titles.get(exc.status_code, "Error"),
                      message=exc.detail)
    if exc.status_code == 503:
        response.headers["Retry-After"] = "5"
    return response


async def busy(request: Request, exc: Busy) -> Response:
    return await http_error(request, HTTPException(503, "The server is busy making other PDFs. Wait a few seconds, "
                                                        "then send the form again."))
