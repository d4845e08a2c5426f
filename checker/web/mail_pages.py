"""The mailbox pages of `ntvt serve`: "Hộp thư" (the mailbox settings, and "Lấy thư mới": a fetch in
the one worker, its messages received as uploads are) and "Gửi thư phản hồi" (the last run's reply
drafts, ticked and sent, each once). Passwords: web/passwords.py, never in the workspace."""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, field

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.routing import Route

from .. import api
from ..model.errors import CheckerError
from ..write.names import unit_slug
from . import mail_words as said
from .pages import checked_form
from .passwords import Passwords, usable_keyring
from .views import receipt_rows

IMAP_FIELDS = ("imap_host", "imap_port", "imap_user", "imap_folder", "imap_plain")
SMTP_FIELDS = ("smtp_host", "smtp_port", "smtp_user", "smtp_from", "smtp_plain")


@dataclass
class Fetched:
    """What the last "Lấy thư mới" did, for its page."""

    at: dt.datetime
    result: object | None  # api.Fetch, or None when it failed before the end
    rows: list[dict] = field(default_factory=list)  # receipt_rows of the messages received
    reports: int = 0  # spreadsheets checked among them


@dataclass
class MailState:
    """The mailbox's share of the server's memory: the passwords, the last fetch, one sending at a time."""

    passwords: Passwords = field(default_factory=lambda: Passwords(usable_keyring()))
    fetched: Fetched | None = None
    sending: threading.Lock = field(default_factory=threading.Lock)


def routes(site) -> list[Route]:
    def page(handler):
        async def endpoint(request: Request):
            return await handler(site, request)
        return endpoint

    return [Route("/hop-thu", page(mailbox_page), methods=["GET", "POST"]),
            Route("/hop-thu/lay-thu", page(fetch_start), methods=["POST"]),
            Route("/hop-thu/tien-do", page(fetch_progress)),
            Route("/gui-thu", page(replies_page), methods=["GET", "POST"])]


def _names(kind: str, settings) -> str:
    """The password's name: which server, as whom ("imap:vanphong@mail.coquan.gov.vn")."""
    return f"{kind}:{getattr(settings, kind + '_user')}@{getattr(settings, kind + '_host').lower()}"


def _known(site, request, settings) -> dict[str, bool]:
    session = request.scope.get("ntvt_session")
    return {kind: bool(getattr(settings, kind + "_user")) and
            site.mail.passwords.get(session, _names(kind, settings)) is not None for kind in ("imap", "smtp")}


def _render_mailbox(site, request, status=200, **values):
    settings = values.pop("settings", None) or api.mail_settings(site.workspace)
    return site.render(request, "mailbox.html", status, settings=settings, known=_known(site, request, settings),
                       keyring=site.mail.passwords.in_keyring, job=site.worker.state, fetched=site.mail.fetched,
                       **values)


async def mailbox_page(site, request: Request):
    if request.method == "GET":
        return _render_mailbox(site, request)
    form = await checked_form(request)
    given = {k: str(form.get(k) or "").strip() for k in IMAP_FIELDS + SMTP_FIELDS}
    given["imap_folder"] = given["imap_folder"] or "INBOX"
    settings = api.MailSettings(**{k: ("1" if v else "") if k.endswith("_plain") else v for k, v in given.items()})
    problem = said.settings_problem(settings)
    if problem:
        return _render_mailbox(site, request, 400, settings=settings, message=problem)
    api.save_mail_settings(site.workspace, settings)
    session = request.scope.get("ntvt_session")
    for kind in ("imap", "smtp"):
        password = str(form.get(kind + "_password") or "")
        if password and getattr(settings, kind + "_user"):
            site.mail.passwords.put(session, _names(kind, settings), password)
    return _render_mailbox(site, request, notice=said.SAVED_KEYRING if site.mail.passwords.in_keyring
                           else said.SAVED_SESSION)


async def fetch_start(site, request: Request):
    await checked_form(request)
    settings = api.mail_settings(site.workspace)
    if not (settings.imap_host and settings.imap_user):
        return _render_mailbox(site, request, 400, message=said.NO_IMAP)
    session = request.scope.get("ntvt_session")
    name = _names("imap", settings)
    password = site.mail.passwords.get(session, name)
    if password is None:
        return _render_mailbox(site, request, 400, message=said.NO_PASSWORD.format(server="IMAP"))
    account = api.Account(settings.imap_host, settings.imap_user, password, int(settings.imap_port or 0) or None,
                          plain=bool(settings.imap_plain))

    def work(progress):
        now = site.now()
        result, received, error = api.fetch_to_workspace(account, site.workspace, fetched_at=now,
                                                         folder=settings.imap_folder, progress=progress)
        rows = receipt_rows(received)
        site.mail.fetched = Fetched(now, result, rows, sum(len(r["parts"]) for r in rows))
        if error is not None:
            if said.login_refused(error):
                site.mail.passwords.forget(session, name)
                raise CheckerError(str(error), message=said.LOGIN_REFUSED.format(where=account.shown,
                                                                                  user=account.user, server="IMAP"))
            if said.connection_lost(error):
                raise CheckerError(str(error), message=said.LOST.format(where=account.shown, n=len(received)))
            raise error
        return ""

    if not site.worker.start(work, total=0, as_of="", kind="fetch"):
        return _render_mailbox(site, request, 409, message=said.busy(site.worker.state))
    return RedirectResponse("/hop-thu/tien-do", status_code=303)


async def fetch_progress(site, request: Request):
    job = site.worker.state
    if job.kind != "fetch":
        return RedirectResponse("/hop-thu", status_code=303)
    return site.render(request, "mail_progress.html", job=job, fetched=site.mail.fetched if job.state != "running"
                       else None)


# -- the replies ---------------------------------------------------------------------------------


def _server(site, request, settings):
    """The SMTP server of the settings (None if not set) and its password's problem, if any."""
    if not settings.smtp_host:
        return None, None
    password = None
    if settings.smtp_user:
        password = site.mail.passwords.get(request.scope.get("ntvt_session"), _names("smtp", settings))
        if password is None:
            return None, said.NO_PASSWORD.format(server="SMTP")
    return api.Server(settings.smtp_host, int(settings.smtp_port or 0) or None, settings.smtp_user or None, password,
                      plain=bool(settings.smtp_plain)), None


def _rows(site, run) -> list[dict]:
    names = {unit_slug(u.id): u for u in site.rules.units}
    rows = []
    for o in run.outcomes:
        if o.status == "not_draft":
            continue
        unit = names.get(o.draft.unit)
        rows.append({"name": o.draft.name, "unit": unit.name if unit else o.draft.name, "to": o.draft.to,
                     "subject": o.draft.subject, "attachments": said.attachments(o.draft.attachments),
                     "status": o.status, "note": said.draft_note(o, site.rules, unit, site.rules.plan.place)})
    return rows


async def replies_page(site, request: Request):
    form = await checked_form(request) if request.method == "POST" else None
    run = api.last_run(site.workspace)
    if run is None:
        return site.render(request, "replies.html", rows=[], results=None, message=said.NO_RUN)
    folder = api.replies_folder(site.workspace, run.as_of)
    settings = api.mail_settings(site.workspace)
    sender = settings.smtp_from or None
    results, status, message = None, 200, None
    if form is not None:
        ticked = [str(v) for v in form.getlist("draft")]
        server, problem = _server(site, request, settings)
        if not ticked:
            status, message = 400, said.NONE_TICKED
        elif server is None:
            status, message = 400, problem or said.NO_SMTP
        elif not site.mail.sending.acquire(blocking=False):
            status, message = 409, said.SENDING
        else:
            try:
                done = await run_in_threadpool(api.send_replies, folder, server, send=True, sent_at=site.now(),
                                               sender=sender, workspace=site.workspace, rules=site.rules, only=ticked)
                results = _rows(site, done)
            except CheckerError as exc:
                status, message = 200, exc.message
                if said.login_refused(exc):
                    site.mail.passwords.forget(request.scope.get("ntvt_session"), _names("smtp", settings))
                    message = said.LOGIN_REFUSED.format(where=server.shown, user=server.user, server="SMTP")
            finally:
                site.mail.sending.release()
    try:
        listing = api.send_replies(folder, None, workspace=site.workspace, rules=site.rules, sender=sender)
    except CheckerError as exc:
        return site.render(request, "replies.html", 400, rows=[], results=results, message=exc.message)
    return site.render(request, "replies.html", status, rows=_rows(site, listing), results=results,
                       message=message, as_of=run.as_of, sender=listing.sender, smtp=settings.smtp_host,
                       no_sender=said.NO_SENDER if listing.sender is None else None)
