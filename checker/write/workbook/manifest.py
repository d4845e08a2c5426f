"""The files received ("Tệp đã nhận"): every entry of the inbox, each attachment under its email,
with its SHA-256, sender, receipt and the evidence it rests on, what became of it, and its counts;
then every row of the receipt log that names no file of the inbox (a file logged but never saved)."""

from __future__ import annotations

from ...model.findings import Severity
from ...model.words import (EVIDENCE_LOG, EVIDENCE_SENT, GENERATED, REJECTED, SEVERITY_WORDS, STATUS_WORDS,
                             evidence_words)
from .layout import MANIFEST_TOP, Context

REPORT_TYPE = object()  # the column named as the rules file names the report-type field
HEADERS = ["Tệp", "Loại", "SHA-256", "Người gửi", "Thời điểm nhận", "Căn cứ thời điểm", "Đơn vị", "Kỳ",
           REPORT_TYPE, "Tình trạng", "Lý do, ghi chú", "Dòng đề nghị", "Dòng hoạt động", "Gương hợp lệ",
           SEVERITY_WORDS["error"].capitalize(), SEVERITY_WORDS["warning"].capitalize()]
WIDTHS = [34, 12, 66, 24, 17, 18, 30, 12, 16, 13, 44, 9, 9, 9, 7, 8]
KIND_WORDS = {"link": "Liên kết", "special": "Tệp đặc biệt", "folder": "Thư mục"}
LOG_ONLY = "Có trong sổ nhận nhưng không có tệp"


def write_manifest(ctx: Context, ws) -> None:
    c, book = ctx.c, ctx.book
    book.text(ws, 0, 0, "CÁC TỆP ĐÃ NHẬN", "title")
    book.text(ws, 1, 0, "Mọi tệp trong hộp thư đều được liệt kê; mã SHA-256 để đối chiếu đúng tệp gốc.", "subtitle")
    rows = ctx.manifest_rows
    headers = [c.rules.field_by_role("report_type").label if h is REPORT_TYPE else h for h in HEADERS]
    unmatched = c.inbox.unmatched_log
    book.table(ws, MANIFEST_TOP, headers, WIDTHS, len(rows) + len(unmatched))
    by_name = {c.validation.books[d.index].name: d for d in c.decisions}
    counts: dict[str, dict[Severity, int]] = {}
    for f in c.findings:
        counts.setdefault(f.file, {s: 0 for s in Severity})[f.severity] += 1
    for entry in c.inbox.files:
        r = rows[entry.name]
        if entry.kind == "email":
            _row(ctx, ws, r, entry.name, "Thư điện tử", entry.sha256, entry.sender, entry.received_at,
                 entry.evidence, status=_email_status(entry.status),
                 reason=entry.reason or f"{len(entry.attachments)} tệp bảng tính đính kèm")
            for shown in entry.attachments:
                _submission_row(ctx, ws, rows[shown], shown, "Tệp đính kèm", by_name[shown], counts)
        elif entry.kind == "spreadsheet":
            _submission_row(ctx, ws, r, entry.name, "Bảng tính", by_name[entry.name], counts)
        else:
            _row(ctx, ws, r, entry.name, KIND_WORDS.get(entry.kind, "Khác"), entry.sha256, None, None, None,
                 status=STATUS_WORDS[REJECTED], reason=entry.reason)
    # Under the last entry: the manifest's rows are the inbox's entries and attachments, in order.
    for n, log_row in enumerate(unmatched, start=MANIFEST_TOP + 1 + len(rows)):
        file, written = log_row.shown
        _row(ctx, ws, n, file, "Sổ nhận văn bản", "", None, log_row.received_at, EVIDENCE_LOG,
             status=LOG_ONLY, reason=f"dòng {log_row.line} của sổ nhận văn bản ghi nhận lúc “{written}” "
                                     "nhưng thư mục hồ sơ không có tệp này: hãy tìm lại tệp hoặc sửa tên trong sổ")


def _email_status(status: str) -> str:
    return STATUS_WORDS[status] if status in (REJECTED, GENERATED) else "Thư có tệp đính kèm"


def _submission_row(ctx: Context, ws, r: int, name: str, kind: str, d, counts) -> None:
    c, rules, f = ctx.c, ctx.rules, ctx.book.f
    book = c.validation.books[d.index]
    sub = c.validation.submissions[d.index]
    period = rules.cycle_label(d.period) if d.period else ""
    report = {"monthly": rules.consolidation.monthly_report, "summary": rules.consolidation.summary_report}
    _row(ctx, ws, r, name, kind, book.sha256, sub.sender, d.received_at, d.evidence,
         unit=ctx.unit_name(d.unit_id), period=period, report=report.get(d.kind, ""),
         # ntvt's own file: so named whatever decide made of it (it is no report, nor the unit's rejection).
         status=STATUS_WORDS[GENERATED if book.generated else d.status], reason=d.reason or "")
    for col, role in ((11, "nominations"), (12, "activities")):
        key = rules.sheet_key(role)
        ws.write_number(r, col, len(book.tables[key].rows) if key in book.tables else 0, f["int"])
    ws.write_number(r, 13, d.valid_nominations, f["int"])
    found = counts.get(name, {})
    ws.write_number(r, 14, found.get(Severity.ERROR, 0), f["int"])
    ws.write_number(r, 15, found.get(Severity.WARNING, 0), f["int"])


def _row(ctx: Context, ws, r, name, kind, sha, sender, received, evidence, unit="", period="", report="",
         status="", reason="") -> None:
    book = ctx.book
    for col, value in enumerate([name, kind, sha, sender or ""]):
        book.text(ws, r, col, value)
    if received is not None:
        # "Ngày gửi" is a date without a time: do not show an invented 00:00.
        fmt = book.f["date"] if evidence == EVIDENCE_SENT else book.f["moment"]
        ws.write_datetime(r, 4, received.replace(tzinfo=None), fmt)
    sent = ctx.rules.field_by_role("sent_date").label
    for col, value in enumerate([evidence_words(evidence, sent), unit, period, report, status, reason], start=5):
        book.text(ws, r, col, value, "wrap" if col == 10 else "text")
