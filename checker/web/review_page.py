"""The page "Xét duyệt" of `ntvt serve`: the last run's valid nominations in force (the workbook's
"Xét duyệt" rows), each with a choice of the council's decisions and a reason; one form saves the
rows changed into the register (api.save_decisions), and the next "Tổng hợp" applies them. The
decisions kept for nominees no longer there are listed apart. The clock is read here (decided_at)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.routing import Route

from .. import api
from . import security, words
from .pages import checked_form

MAX_REASON = 2000  # characters: a reason is a sentence or two of a letter
SAVED = ("Đã lưu {count} quyết định vào sổ nhận hồ sơ. Lần “Tổng hợp” tiếp theo áp dụng các quyết định này vào "
         "bảng tổng hợp (trang “Xét duyệt” và “Đề xuất Thành phố”) và thư trả lời của các đơn vị.")
NOTHING_CHANGED = "Không có quyết định nào thay đổi; sổ nhận hồ sơ giữ nguyên."
NOT_SAVED = ("Chưa lưu quyết định nào: {count} dòng chọn “{returned}” nhưng chưa ghi lý do. Hãy ghi lý do ở các dòng "
             "được đánh dấu rồi bấm “Lưu quyết định” lại.")
NEEDS_REASON = "Chọn “{returned}” thì phải ghi lý do: lý do được ghi vào thư trả lời gửi đơn vị."
NEW_RUN = ("Đã có một lần tổng hợp mới từ khi trang này được mở; chưa lưu quyết định nào. Hãy xem lại danh sách "
           "dưới đây, chọn lại rồi bấm “Lưu quyết định”.")
BAD_CHOICE = "Quyết định “{value}” không thuộc danh sách quyết định của Hội đồng. Hãy mở lại trang và chọn lại."


def routes(site) -> list[Route]:
    async def endpoint(request: Request):
        return await review_page(site, request)

    async def documents(request: Request):
        return await documents_start(site, request)

    return [Route("/xet-duyet", endpoint, methods=["GET", "POST"]),
            Route("/xet-duyet/van-ban", documents, methods=["POST"])]


def _render(site, request, page, status=200, *, errors=None, message=None):
    return site.render(request, "review.html", status, page=page, errors=errors or {}, message=message,
                       documents=site.rules.documents is not None)


async def documents_start(site, request: Request):
    """"Soạn văn bản": in the one worker, the workspace consolidated again as of the last run's day
    (the decisions saved applied) and the .docx drafts written into ket_qua/van_ban_<day>/."""
    await checked_form(request)
    run = api.last_run(site.workspace)
    if run is None:
        return RedirectResponse("/xet-duyet", status_code=303)
    as_of = run.as_of

    def work(progress):
        result, _ = api.workspace_documents(site.workspace, as_of=as_of, rules=site.rules, progress=progress,
                                            run_at=site.now())
        return Path(result.output).name if result.output else ""

    total = len(api.workspace_files(site.workspace))
    if not site.worker.start(work, total=total, as_of=words.day(as_of)):
        return _render(site, request, api.review_rows(site.workspace, site.rules), 409,
                       message=words.busy(site.worker.state))
    return RedirectResponse("/tong-hop/tien-do", status_code=303)


async def review_page(site, request: Request):
    page = api.review_rows(site.workspace, site.rules)
    if request.method == "GET":
        return _render(site, request, page)
    form = await request.form(max_files=0, max_fields=2 * len(page.rows) + 10)
    if not security.csrf_ok(request.scope.get("ntvt_session"), form.get(security.CSRF_FIELD)):
        raise HTTPException(403)
    if page.run is None or str(form.get("run") or "") != str(page.run.id):
        return _render(site, request, page, 409, message=NEW_RUN)
    given, changed, errors = [], [], {}
    for n, row in enumerate(page.rows):
        decision = str(form.get(f"quyet-dinh-{n}") or row.decision)
        reason = " ".join(str(form.get(f"ly-do-{n}") or "").split())[:MAX_REASON]
        if decision not in page.choices:
            raise HTTPException(400, BAD_CHOICE.format(value=decision[:100]))
        if decision == page.returned and not reason:
            errors[n] = NEEDS_REASON.format(returned=page.returned)
        now = replace(row, decision=decision, reason=reason)
        given.append(now)
        if (decision, reason) != (row.decision, row.reason):
            changed.append(now)
    if errors:
        shown = replace(page, rows=given)
        return _render(site, request, shown, 400, errors=errors,
                       message=NOT_SAVED.format(count=len(errors), returned=page.returned))
    count = api.save_decisions(site.workspace, changed, decided_at=site.now(), rules=site.rules) if changed else 0
    return _render(site, request, api.review_rows(site.workspace, site.rules),
                   message=SAVED.format(count=count) if count else NOTHING_CHANGED)
