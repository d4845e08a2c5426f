"""The files received ("Tệp đã nhận"): every entry of the inbox, each attachment under its email,
with its SHA-256, sender, receipt and the evidence it rests on, what became of it, and its counts;
then every row of the receipt log that names no file of the inbox (a file logged but never saved)."""

from __future__ import annotations

from ...model.findings import Severity
from ...model.words import (KIND_ATTACHMENT, KIND_LOG_ONLY, MANIFEST_CLAIM, EVIDENCE_LOG, EVIDENCE_SENT, GENERATED, OWN_RECORD, REJECTED, SEVERITY_WORDS, STATUS_WORDS,
                             evidence_words)
from ..style import text_height
from .book import print_bands, rows_text_height
from .layout import MANIFEST_TOP, Context
from .words import FILES

REPORT_TYPE = object()  # the column named as the rules file names the report-type field
HEADERS = [*MANIFEST_CLAIM, "Người gửi", "Thời điểm nhận", "Căn cứ thời điểm", "Đơn vị", "Kỳ",
           REPORT_TYPE, "Tình trạng", "Lý do, ghi chú", "Dòng đề nghị", "Dòng hoạt động", "Gương hợp lệ",
           SEVERITY_WORDS["error"].capitalize(), SEVERITY_WORDS["warning"].capitalize()]
WIDTHS = [30, 11, 34, 22, 16, 18, 26, 11, 14, 13, 40, 10, 10, 10, 7, 9]
NUMBERS = range(11, 16)  # the count columns
KIND_WORDS = {"link": "Liên kết", "special": "Tệp đặc biệt", "folder": "Thư mục"}
SUBTITLE = "Mọi tệp trong hộp thư đều được liệt kê; mã SHA-256 để đối chiếu đúng tệp gốc."
LOG_ONLY = "Có trong sổ nhận nhưng không có tệp"


def write_manifest(ctx: Context, sheets: dict) -> None:
    """The list, on the sheet and, past its rows, its continuations (each with the same title and header)."""
    c, book = ctx.c, ctx.book
    rows = ctx.manifest_rows
    headers = [c.rules.field_by_role("report_type").label if h is REPORT_TYPE else h for h in HEADERS]
    unmatched = c.inbox.unmatched_log
    split = ctx.splits[FILES]
    for part, first, end in split.shares(len(rows) + len(unmatched)):
        ws = sheets[part]
        book.text(ws, 0, 0, "CÁC TỆP ĐÃ NHẬN", "title")
        # In column A's width: column A prints again on the second band, cut at its edge.
        ws.set_row(1, text_height([SUBTITLE], [WIDTHS[0]]))
        book.text(ws, 1, 0, SUBTITLE, "center_italic")
        book.table(ws, MANIFEST_TOP, headers, WIDTHS, end - first)
        ws.set_row(MANIFEST_TOP, text_height(headers, WIDTHS, bold=True))
        # Two bands of whole columns, the file's name at the left of both.
        print_bands(ws, 0, WIDTHS, 1, MANIFEST_TOP)

    def at(r: int) -> tuple:
        part, local = split.place(r)
        return sheets[part], local

    by_name = {c.validation.books[d.index].name: d for d in c.decisions}
    counts: dict[str, dict[Severity, int]] = {}
    for f in c.findings:
        counts.setdefault(f.file, {s: 0 for s in Severity})[f.severity] += 1
    for entry in c.inbox.files:
        r = rows[entry.name]
        if entry.kind == "email":
            _row(ctx, *at(r), entry.name, "Thư điện tử", entry.sha256, entry.sender, entry.received_at,
                 entry.evidence, status=_email_status(entry.status),
                 reason=entry.reason or f"{len(entry.attachments)} tệp bảng tính đính kèm")
            for shown in entry.attachments:
                _submission_row(ctx, *at(rows[shown]), shown, KIND_ATTACHMENT, by_name[shown], counts)
        elif entry.kind == "spreadsheet":
            _submission_row(ctx, *at(r), entry.name, "Bảng tính", by_name[entry.name], counts)
        else:
            status = OWN_RECORD if entry.status == OWN_RECORD else REJECTED
            _row(ctx, *at(r), entry.name, KIND_WORDS.get(entry.kind, "Khác"), entry.sha256, None, None, None,
                 status=STATUS_WORDS[status], reason=entry.reason)
    # Under the last entry: the manifest's rows are the inbox's entries and attachments, in order.
    for n, log_row in enumerate(unmatched, start=MANIFEST_TOP + 1 + len(rows)):
        file, written = log_row.shown
        _row(ctx, *at(n), file, KIND_LOG_ONLY, "", None, log_row.received_at, EVIDENCE_LOG,
             status=LOG_ONLY, reason=f"dòng {log_row.line} của sổ nhận văn bản ghi nhận lúc “{written}” "
                                     "nhưng thư mục hồ sơ không có tệp này: hãy tìm lại tệp hoặc sửa tên trong sổ")


def _email_status(status: str) -> str:
    return STATUS_WORDS[status] if status in (REJECTED, GENERATED, OWN_RECORD) else "Thư có tệp đính kèm"


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
        ws.write_number(r, col, len(book.tables[key].rows) if key in book.tables else 0, f["cell_number"])
    ws.write_number(r, 13, d.valid_nominations, f["cell_number"])
    found = counts.get(name, {})
    ws.write_number(r, 14, found.get(Severity.ERROR, 0), f["cell_number"])
    ws.write_number(r, 15, found.get(Severity.WARNING, 0), f["cell_number"])


def _row(ctx: Context, ws, r, name, kind, sha, sender, received, evidence, unit="", period="", report="",
         status="", reason="") -> None:
    """One bordered row, its texts wrapped in a row as tall as the longest needs (programs do not
    grow rows for wrapped text); the count columns blank until a report's row fills them."""
    book, f = ctx.book, ctx.book.f
    sent = ctx.rules.field_by_role("sent_date").label
    texts = {0: name, 1: kind, 2: sha, 3: sender or "", 5: evidence_words(evidence, sent), 6: unit, 7: period,
             8: report, 9: status, 10: reason}
    ws.set_row(r, rows_text_height([str(v or "") for v in texts.values()], [WIDTHS[col] for col in texts]))
    for col, value in texts.items():
        book.text(ws, r, col, value, "cell_wrap")
    if received is not None:
        # "Ngày gửi" is a date without a time: do not show an invented 00:00.
        fmt = f["cell_date"] if evidence == EVIDENCE_SENT else f["cell_moment"]
        ws.write_datetime(r, 4, received.replace(tzinfo=None), fmt)
    else:
        ws.write_blank(r, 4, None, f["cell"])
    for col in NUMBERS:
        ws.write_blank(r, col, None, f["cell"])
