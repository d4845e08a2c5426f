"""The local web page over a workspace (`ntvt serve`): the Starlette application, its guards
(Host header, login, CSRF, headers, bounded uploads) and its error pages. The pages are pages.py's.

The page uses the library only through checker.api; it never touches the register or the file
store itself. The clock is read here (received_at, run_at, today), never in the library.
"""

from __future__ import annotations

import datetime as dt
import logging
import tempfile
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.middleware import Middleware
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from .. import api
from ..model.errors import CheckerError
from ..ruleset.spec import RuleSet
from . import mail_pages, pages, review_page, security
from .jobs import Worker
from .words import FAILED, NAV, failure_words

log = logging.getLogger(__name__)
STATIC = Path(__file__).parent / "static"


def describe_failure(exc: BaseException) -> str:
    """What the progress page says of a failed consolidation; an unexpected one names its log."""
    said = failure_words(exc)
    if said == FAILED:
        path = write_log("consolidation", exc)
        said += f" Chi tiết kỹ thuật đã ghi vào {path}." if path else " Không ghi được tệp chi tiết kỹ thuật."
    return said


@dataclass
class Site:
    """Everything a page needs: the workspace, the rules, the templates, the sessions, the worker."""

    root: Path
    rules: RuleSet
    workspace: object
    templates: Environment
    password_hash: str | None
    hosts: set[str]
    clock: Callable[[], dt.datetime] | None = None  # tests give a fixed one; None: the computer's
    sessions: security.Sessions = field(default_factory=security.Sessions)
    worker: Worker = field(default_factory=lambda: Worker(describe_failure))
    mail: mail_pages.MailState = field(default_factory=mail_pages.MailState)  # passwords, last fetch, send lock

    def now(self) -> dt.datetime:
        """Now, in the plan's local time: the one clock of the page."""
        if self.clock is not None:
            return self.rules.deadlines.to_local(self.clock())
        return dt.datetime.now(self.rules.deadlines.zone)

    def render(self, request: Request, name: str, status: int = 200, **values) -> HTMLResponse:
        session = request.scope.get("ntvt_session")
        html = self.templates.get_template(name).render(
            nav=NAV, path=request.url.path, csrf=session.csrf if session else "", plan=self.rules.plan,
            password=self.password_hash is not None and bool(session and session.logged_in), **values)
        return HTMLResponse(html, status_code=status)

    @property
    def upload_limit(self) -> int:
        """The most bytes one upload request may carry: the reader's bound on all it inflates."""
        return self.rules.limits.max_uncompressed_bytes


def create_app(workspace_root: Path, rules: RuleSet, *, password_hash: str | None = None,
               host: str = "127.0.0.1", clock: Callable[[], dt.datetime] | None = None) -> Starlette:
    """The application over the workspace at `workspace_root`; with `password_hash` (argon2) every
    page but the login page and the static files needs a login. `host`: the bound address, the
    only one a request's Host header may name; `clock`: what "now" is (the computer's if None)."""
    root = Path(workspace_root)
    workspace = api.open_workspace(root, rules)
    templates = Environment(loader=PackageLoader("checker.web", "templates"), autoescape=select_autoescape(),
                            trim_blocks=True, lstrip_blocks=True)
    site = Site(root=root, rules=rules, workspace=workspace, templates=templates, password_hash=password_hash,
                hosts=security.allowed_hosts(host), clock=clock)
    templates.globals.update(pages.template_globals(site))
    app = Starlette(routes=[*pages.routes(site), *mail_pages.routes(site), *review_page.routes(site), Mount("/static", StaticFiles(directory=STATIC), name="static")],
                    middleware=[Middleware(Guard, site=site)], exception_handlers={HTTPException: _http_error(site)})
    app.state.site = site
    return app


class Guard:
    """The middleware every request passes: Host check, session, login, upload bound, headers, and
    the error page of an unexpected exception (here, inside, so that it gets the headers too)."""

    def __init__(self, app, site: Site):
        self.app, self.site = app, site

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        request = Request(scope)
        new_cookie = None
        if security.host_of(request.headers.get("host", "")) not in self.site.hosts:
            response = self.site.render(request, "error.html", 400, title="Địa chỉ không hợp lệ",
                                        message="Trang này chỉ mở được bằng đúng địa chỉ máy chủ đã in ra "
                                                "khi chạy “ntvt serve”. Hãy gõ lại địa chỉ đó.")
            return await _send_with_headers(response, scope, receive, send)
        found = self.site.sessions.find(request.cookies.get(security.COOKIE))
        if found is None:
            found = self.site.sessions.new()
            new_cookie = found[0]
        sid, session = found
        scope["ntvt_session"], scope["ntvt_sid"] = session, sid
        path = scope["path"]
        if self.site.password_hash and not session.logged_in and not security.is_open(path):
            response = RedirectResponse("/dang-nhap", status_code=303)
            if new_cookie:
                _set_cookie(response, self.site, new_cookie)
            return await _send_with_headers(response, scope, receive, send)
        counted = _bounded(receive, self.site.upload_limit)

        async def send_wrapped(message):
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", [])
                           if k.decode("latin-1").lower() not in security.HEADERS]
                headers += [(k.encode(), v.encode()) for k, v in security.HEADERS.items()]
                sid_now = scope.get("ntvt_sid")
                if new_cookie or sid_now != sid:
                    headers.append((b"set-cookie", _cookie_header(self.site, sid_now).encode("latin-1")))
                message = {**message, "headers": headers}
            await send(message)

        started = False

        async def send_tracked(message):
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send_wrapped(message)

        try:
            await self.app(scope, counted, send_tracked)
        except Exception as exc:
            if started:  # too late for a page: the connection is closed by the server
                raise
            response = _unexpected(self.site, Request(scope), exc)
            await response(scope, receive, send_wrapped)


def _bounded(receive, limit: int):
    seen = 0

    async def counted():
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise security.TooLarge(f"request body over {limit} bytes")
        return message

    return counted


def _cookie_header(site: Site, sid: str) -> str:
    response = Response()
    _set_cookie(response, site, sid)
    return response.headers["set-cookie"]


def _set_cookie(response: Response, site: Site, sid: str) -> None:
    response.set_cookie(security.COOKIE, site.sessions.cookie_value(sid), httponly=True, samesite="strict",
                        path="/", secure=False)


async def _send_with_headers(response: Response, scope, receive, send) -> None:
    for key, value in security.HEADERS.items():
        response.headers[key] = value
    await response(scope, receive, send)


def _http_error(site: Site):
    async def handler(request: Request, exc: HTTPException):
        if exc.status_code == 404:
            return site.render(request, "error.html", 404, title="Không tìm thấy",
                               message="Không có trang hay tệp nào ở địa chỉ này. Hãy chọn một mục trên thanh "
                                       "điều hướng.")
        if exc.status_code == 403:
            return site.render(request, "error.html", 403, title="Yêu cầu bị từ chối",
                               message="Biểu mẫu đã hết hạn hoặc không gửi từ trang này (thiếu mã xác nhận). "
                                       "Hãy mở lại trang, điền lại và gửi lại.")
        return site.render(request, "error.html", exc.status_code, title="Yêu cầu không hợp lệ",
                           message=exc.detail if isinstance(exc.detail, str) and not exc.detail.isascii()
                           else "Yêu cầu không hợp lệ. Hãy mở lại trang và thử lại.")
    return handler


def _unexpected(site: Site, request: Request, exc: Exception) -> Response:
    """The page of an exception no handler took: its Vietnamese words if it has them, else an
    internal error naming the log that holds the English detail. Never a traceback."""
    if isinstance(exc, CheckerError) and exc.message:
        return site.render(request, "error.html", 200, title="Không thực hiện được", message=exc.message)
    path = write_log(f"{request.method} {request.url.path}", exc)
    where = f"Chi tiết kỹ thuật đã ghi vào {path}." if path else "Không ghi được tệp chi tiết kỹ thuật."
    return site.render(request, "error.html", 500, title="Lỗi của ntvt",
                       message=f"ntvt gặp lỗi nội bộ khi mở trang này; dữ liệu đã nhận không bị mất. {where} "
                               "Hãy gửi tệp đó cho người quản trị ntvt.")


def write_log(what: str, exc: BaseException) -> Path | None:
    """The English detail of an unexpected exception (what failed, the traceback), in a new log
    file of the temp folder; its path, or None if it cannot be written."""
    log.error("unexpected error: %s", what, exc_info=exc)
    try:
        with tempfile.NamedTemporaryFile("w", prefix="ntvt-web-loi-", suffix=".log", delete=False,
                                         encoding="utf-8", errors="backslashreplace") as out:
            out.write(f"{what}\n")
            out.write("".join(traceback.format_exception(type(exc), exc, exc.__traceback__)))
        return Path(out.name)
    except OSError:
        return None
