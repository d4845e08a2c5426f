"""The pages of `ntvt serve`, one handler each: the submission matrix, a unit's files, receiving
files, the consolidation and its progress, the findings, the downloads, the rules, the login."""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from pathlib import Path

from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, RedirectResponse
from starlette.routing import Route

from .. import api
from ..model.words import CAMPAIGN_FILE, POLICY_WORDS, SEVERITY_WORDS, STATUS_WORDS, evidence_words
from . import security, words
from .views import LEGEND, cycle_rows, downloads, field, matrix, receipt_rows, severity_code

UPLOAD_CHUNK = 1 << 16
MAX_FILES = 1000  # files in one upload (a city's month is a few hundred)


def template_globals(site) -> dict:
    """What every template may call: the date and time words, the words of statuses, severities,
    evidence and duplicates, the units' names, and the record reader."""
    place = site.rules.plan.place
    sent = site.rules.field_by_role("sent_date")
    sent_label = sent.label if sent else ""
    return {"day": words.day, "stamp": lambda m: words.stamp(_moment(m, site), place), "field": field,
            "severity_code": severity_code, "severity_words": SEVERITY_WORDS, "status_words": STATUS_WORDS,
            "csrf_field": security.CSRF_FIELD, "duplicate": words.DUPLICATE, "legend": LEGEND,
            "campaign_file": CAMPAIGN_FILE, "evidence": lambda code: evidence_words(code, sent_label),
            "cycle_label": site.rules.cycle_label, "sent_label": sent_label,
            "unit_names": {u.id: u.name for u in site.rules.units}}


def _moment(value, site):
    if isinstance(value, str) and value:
        value = dt.datetime.fromisoformat(value)
    if isinstance(value, dt.datetime):
        return site.rules.deadlines.to_local(value)
    return value


def routes(site) -> list[Route]:
    def page(handler):
        async def endpoint(request: Request):
            return await handler(site, request)
        return endpoint

    return [Route("/", page(status_page)), Route("/don-vi/{code}", page(unit_page)),
            Route("/nhan-ho-so", page(receive_page), methods=["GET", "POST"]),
            Route("/tong-hop", page(consolidate_page), methods=["GET", "POST"]),
            Route("/tong-hop/tien-do", page(progress_page)), Route("/tong-hop/trang-thai", page(progress_json)),
            Route("/loi", page(findings_page)), Route("/tai-ve", page(downloads_page)),
            Route("/tai-ve/tep/{rel:path}", page(download_file)), Route("/tai-ve/mau", page(download_template)),
            Route("/quy-tac", page(rules_page)),
            Route("/dang-nhap", page(login_page), methods=["GET", "POST"]),
            Route("/dang-xuat", page(logout), methods=["POST"])]


async def checked_form(request: Request):
    """The posted form, its CSRF token checked (missing or wrong → 403)."""
    form = await request.form(max_files=MAX_FILES, max_fields=100)
    if not security.csrf_ok(request.scope.get("ntvt_session"), form.get(security.CSRF_FIELD)):
        raise HTTPException(403)
    return form


# -- the status of the last run -----------------------------------------------------------------


async def status_page(site, request: Request):
    run = api.last_run(site.workspace)
    return site.render(request, "status.html", run=run, matrix=matrix(site.rules, run))


async def unit_page(site, request: Request):
    code = request.path_params["code"]
    unit = next((u for u in site.rules.units if u.id == code), None)
    if unit is None:
        raise HTTPException(404)
    run = api.last_run(site.workspace)
    files = [f for f in api.workspace_files(site.workspace) if field(f, "unit") == code]
    findings = api.run_findings(site.workspace, field(run, "id"), unit=code) if run else []
    return site.render(request, "unit.html", unit=unit, run=run, files=files, findings=findings,
                       cycles=cycle_rows(site.rules, run, code))


# -- receiving files ----------------------------------------------------------------------------


async def receive_page(site, request: Request):
    if request.method == "GET":
        return site.render(request, "receive.html", results=None)
    try:
        form = await checked_form(request)
    except security.TooLarge:
        return site.render(request, "receive.html", 413, results=None,
                           message=words.TOO_LARGE_REQUEST.format(limit=site.upload_limit))
    accepted, refused = [], []
    for upload in form.getlist("files"):
        if isinstance(upload, str) or not upload.filename:
            continue
        data, size, limit = bytearray(), 0, site.workspace.limit(upload.filename)
        while chunk := await upload.read(UPLOAD_CHUNK):
            size += len(chunk)
            if size > limit:
                break
            data += chunk
        if size > limit:
            refused.append((upload.filename, words.TOO_LARGE_FILE.format(limit=limit)))
        else:
            accepted.append((upload.filename, bytes(data)))
    if not accepted and not refused:
        return site.render(request, "receive.html", 400, results=None, message=words.NO_FILES)
    now = site.now()
    # In a thread: checking a batch takes seconds, and the other pages must stay responsive meanwhile.
    received = await run_in_threadpool(api.receive_files, site.workspace, accepted, received_at=now,
                                       as_of=now.date(), rules=site.rules)
    return site.render(request, "receive.html", results=receipt_rows(received), refused=refused, now=now)


# -- the consolidation --------------------------------------------------------------------------


async def consolidate_page(site, request: Request):
    today = site.now().date()
    if request.method == "GET":
        run = api.last_run(site.workspace)
        output = _output_link(site, Path(run.output).name) if run and run.output else None
        return site.render(request, "consolidate.html", today=today, job=site.worker.state, run=run, output=output)
    form = await checked_form(request)
    given = str(form.get("as_of") or "")
    try:
        as_of = dt.date.fromisoformat(given) if given else today
    except ValueError:
        return site.render(request, "consolidate.html", 400, today=today, job=site.worker.state,
                           message=words.BAD_DAY.format(value=given))

    def work(progress):
        result = api.consolidate_workspace(site.workspace, as_of=as_of, rules=site.rules, progress=progress,
                                           run_at=site.now())
        return Path(result.output).name if result.output else ""

    total = len(api.workspace_files(site.workspace))
    if not site.worker.start(work, total=total, as_of=words.day(as_of)):
        job = site.worker.state
        return site.render(request, "consolidate.html", 409, today=today, job=job,
                           message=words.busy(job))
    return RedirectResponse("/tong-hop/tien-do", status_code=303)


async def progress_page(site, request: Request):
    job = site.worker.state
    if job.kind == "fetch":  # the one worker is fetching mail: its own page shows how far
        return RedirectResponse("/hop-thu/tien-do", status_code=303)
    run = api.last_run(site.workspace) if job.state in ("done", "idle") else None
    output = _output_link(site, job.output) if job.output else None
    return site.render(request, "progress.html", job=job, run=run, matrix=matrix(site.rules, run), output=output)


async def progress_json(site, request: Request):
    return JSONResponse(site.worker.state.as_dict())


def _output_link(site, name: str) -> str | None:
    for path in api.workspace_outputs(site.workspace):
        if Path(path).name == name:
            return "/tai-ve/tep/" + _relative(site, path)
    return None


# -- findings, downloads, rules -----------------------------------------------------------------


FILTERS = ("unit", "cycle", "rule", "severity")


async def findings_page(site, request: Request):
    run = api.last_run(site.workspace)
    chosen = {k: request.query_params.get(k, "") for k in FILTERS}
    given = {k: v for k, v in chosen.items() if v}
    findings = api.run_findings(site.workspace, field(run, "id"), **given) if run else []
    return site.render(request, "findings.html", run=run, findings=findings, chosen=chosen, rules=site.rules)


def _relative(site, path) -> str:
    return Path(path).resolve().relative_to(site.root.resolve()).as_posix()


def _offered(site) -> dict[Path, Path]:
    """The outputs the page may serve, by resolved path: only those under the workspace's root (a
    link inside ket_qua/ pointing elsewhere resolves outside it and is not offered)."""
    root = site.root.resolve()
    offered = {}
    for path in api.workspace_outputs(site.workspace):
        resolved = Path(path).resolve()
        if resolved.is_relative_to(root) and resolved.is_file():
            offered[resolved] = Path(path)
    return offered


async def downloads_page(site, request: Request):
    outputs = [_relative(site, p) for p in sorted(_offered(site))]
    run = api.last_run(site.workspace)
    names = [f.name for f in api.workspace_files(site.workspace)]
    names += [f.file for f in api.run_findings(site.workspace, run.id)] if run else []
    return site.render(request, "downloads.html", outputs=downloads(site.rules, outputs, filter(None, names)),
                       rules=site.rules)


async def download_file(site, request: Request):
    rel = request.path_params["rel"]
    if "\\" in rel or rel.startswith("/") or ":" in rel or ".." in Path(rel).parts:
        raise HTTPException(404)
    wanted = (site.root / rel).resolve()
    if wanted not in _offered(site):
        raise HTTPException(404)
    return FileResponse(wanted, filename=wanted.name)


async def download_template(site, request: Request):
    unit = request.query_params.get("unit") or None
    period = request.query_params.get("period") or None
    if unit is not None and unit not in {u.id for u in site.rules.units}:
        raise HTTPException(404)
    if period is not None and period not in site.rules.deadlines.cycles:
        raise HTTPException(404)
    name = "_".join(["mau", site.rules.plan.short_name, *(p for p in (unit, period) if p)]) + ".xlsx"
    folder = Path(tempfile.mkdtemp(prefix="mau-", dir=site.root))
    try:
        await run_in_threadpool(api.make_template, site.rules, folder / name, as_of=site.now().date(), unit=unit,
                                period=period)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return FileResponse(folder / name, filename=name, background=BackgroundTask(shutil.rmtree, folder, True))


async def rules_page(site, request: Request):
    rules = site.rules
    shown = [(r, "/".join(SEVERITY_WORDS[s] for s in r.severities),
              api.rule_checks(rules, r)) for r in rules.rules]
    return site.render(request, "rules.html", rules=rules, shown=shown, policy=POLICY_WORDS[rules.deadlines.policy])


# -- login --------------------------------------------------------------------------------------


async def login_page(site, request: Request):
    if site.password_hash is None:
        return RedirectResponse("/", status_code=303)
    if request.method == "GET":
        return site.render(request, "login.html")
    form = await checked_form(request)
    if not security.check_password(site.password_hash, str(form.get("password") or "")):
        return site.render(request, "login.html", 401, message="Mật khẩu không đúng. Hãy gõ lại mật khẩu.")
    sid, _ = site.sessions.renew(request.scope["ntvt_sid"], logged_in=True)
    request.scope["ntvt_sid"] = sid
    return RedirectResponse("/", status_code=303)


async def logout(site, request: Request):
    await checked_form(request)
    sid, _ = site.sessions.renew(request.scope["ntvt_sid"], logged_in=False)
    request.scope["ntvt_sid"] = sid
    return RedirectResponse("/dang-nhap" if site.password_hash else "/", status_code=303)
