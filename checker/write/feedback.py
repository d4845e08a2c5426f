"""Feedback to units: per unit with findings, the annotated copies of its files and a reply draft.

The draft is an .eml file (Vietnamese, ready to open in a mail program and send): addressed to the
unit's sender when an email brought its file, listing what to fix with sheet, cell and plan clause,
the annotated workbooks attached. Drafts are deterministic (no Date, a boundary derived from the
content, the copies dated the end of as_of) so the same inputs give the same bytes. A copy that cannot be made is not attached: the
letter says so and why, and every other file and unit is handled all the same.
"""

from __future__ import annotations

import hashlib
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path
from typing import Iterable

from .annotated_copy import Addressed, AnnotatedCopies, CopyFailed, copy_of, unique_name
from ..decide.consolidation import Consolidation
from ..model.words import REJECTED, SUPERSEDED
from ..model.errors import OutputError
from .files import atomic_output
from .inert import visible
from ..model.findings import Finding, Severity
from .names import annotated_name, own_name, unit_slug
from .package import end_of

XLSX = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def write_feedback(c: Consolidation, directory: Path, inputs: Iterable[Path] = ()) -> AnnotatedCopies:
    """Write, per unit with errors or warnings, `<UNIT>/` with annotated copies and `<UNIT>.eml`.

    Returns the paths written; `.failures` lists (input, reason) for each copy that could not be made.
    """
    directory, inputs = Path(directory), list(inputs)
    if directory.exists() and not directory.is_dir():
        raise OutputError(f"the feedback folder {directory} is a file; give a folder",
                          message=f"Không ghi được thư phản hồi: “{directory}” là một tệp, không phải thư mục; "
                                  "hãy chọn một thư mục khác cho --feedback")
    written = AnnotatedCopies()
    # The copies are dated the end of as_of: the same inputs give the same letters, byte for byte.
    addressed = Addressed(c.rules.plan.office, end_of(c.rules, c.as_of))
    by_file: dict[str, list[Finding]] = {}
    for f in c.findings:
        by_file.setdefault(f.file, []).append(f)
    for unit in c.rules.units:
        files = [d for d in c.decisions if d.unit_id == unit.id and d.status != SUPERSEDED]
        file_findings = {c.validation.books[d.index].name: by_file.get(c.validation.books[d.index].name, [])
                         for d in files}
        campaign = [f for f in by_file.get(None, []) if f.unit == unit.id]
        serious = [f for fs in file_findings.values() for f in fs if f.severity is not Severity.INFO] + campaign
        if not serious:
            continue
        attachments, missing, used = [], [], set()
        for d in files:
            book, sub = c.validation.books[d.index], c.validation.submissions[d.index]
            if d.status == REJECTED or not any(f.severity is not Severity.INFO for f in file_findings[book.name]):
                continue
            try:
                data = copy_of(sub, book, file_findings[book.name], c.rules.limits, addressed)
            except CopyFailed as exc:
                missing.append((book.name, exc.reason))
                written.failures.append((book.name, exc.reason))
                continue
            target = directory / unit_slug(unit.id) / unique_name(annotated_name(book.name), used)
            with atomic_output(target, inputs) as tmp:
                tmp.write_bytes(data)
            written.append(target)
            attachments.append((target.name, data))
        sender = next((c.validation.submissions[d.index].sender for d in reversed(files)
                       if c.validation.submissions[d.index].sender), None)
        message = _draft(c, unit.name, sender, file_findings, campaign, attachments, missing)
        target = directory / f"{unit_slug(unit.id)}.eml"
        with atomic_output(target, inputs) as tmp:
            tmp.write_bytes(message)
        written.append(target)
    return written


def _draft(c: Consolidation, unit: str, sender: str | None, file_findings: dict[str, list[Finding]],
           campaign: list[Finding], attachments: list[tuple[str, bytes]], missing: list[tuple[str, str]]) -> bytes:
    """The letter: a reminder for a unit that sent nothing, otherwise what to fix and what to note."""
    plan = c.rules.plan
    movement = plan.movement
    office = f"Văn phòng {plan.issuer}"
    file_errors = [(name, f) for name, fs in file_findings.items() for f in fs if f.severity is Severity.ERROR]
    file_warnings = [(name, f) for name, fs in file_findings.items() for f in fs if f.severity is Severity.WARNING]
    lines = [f"Kính gửi: {unit},", ""]
    if not file_findings:
        lines.append(f"{office} chưa nhận được hồ sơ phong trào “{movement}” (Kế hoạch số {plan.number}) "
                     f"của đơn vị, tính đến hết ngày {c.as_of:%d/%m/%Y}:")
    else:
        lines.append(f"{office} đã kiểm tra hồ sơ phong trào “{movement}” (Kế hoạch số {plan.number}) "
                     f"đơn vị gửi, tính đến hết ngày {c.as_of:%d/%m/%Y}. Kết quả như sau.")
    if campaign:
        if file_findings:
            lines += ["", "Tình hình nộp:"]
        lines += [f"- {f.message} [{f.rule_id}]" for f in sorted(campaign, key=lambda f: f.sort_key())]
    for title, items in (("Cần sửa (lỗi):", file_errors), ("Cần lưu ý (cảnh báo):", file_warnings)):
        if not items:
            continue
        lines += ["", title]
        last = None
        for name, f in sorted(items, key=lambda item: item[1].sort_key()):
            if name != last:
                lines.append(f"Tệp “{own_name(name)}”:")
                last = name
            where = f"trang “{f.sheet}”: " if f.sheet else ""
            lines.append(f"- {where}{f.message} [{f.rule_id}]")
    if attachments:
        lines += ["", "Kèm theo thư này là bản sao tệp của đơn vị đã được đánh dấu: ô có lỗi tô đỏ, cảnh báo tô "
                      "vàng; di chuột vào ô để xem ghi chú. Bản sao chỉ giữ giá trị: công thức được thay bằng giá "
                      "trị đã lưu, liên kết ra ngoài được gỡ (xem trang “Kết quả kiểm tra”)."]
    if missing:
        lines += ["", "Không gửi kèm được bản sao có đánh dấu của:"]
        lines += [f"- Tệp “{own_name(name)}”: {reason}." for name, reason in missing]
        lines.append("Các nội dung cần sửa đã được liệt kê đầy đủ ở trên.")
    lines.append("")
    if not file_findings:
        lines.append(f"Đề nghị đơn vị gửi hồ sơ theo mẫu biểu chuẩn về {office}.")
    elif file_errors:
        lines.append(f"Đề nghị đơn vị sửa các lỗi trên theo mẫu biểu chuẩn và gửi lại về {office}.")
    else:
        lines.append("Đề nghị đơn vị lưu ý các nội dung trên trong các kỳ báo cáo tiếp theo.")
    lines += ["", "Trân trọng,", office]
    msg = EmailMessage()
    if sender and _header_safe(sender):
        msg["To"] = sender
    msg["Subject"] = (f"Nhắc gửi hồ sơ “{movement}” – {unit}" if not file_findings
                      else f"Kết quả kiểm tra hồ sơ “{movement}” – {unit}")
    msg["X-Unsent"] = "1"  # opens as a draft in Outlook; other programs show it as a message to send
    # Values quoted from the unit's file may hold control characters: shown, never sent raw.
    msg.set_content(visible("\n".join(lines)))
    for name, data in attachments:
        msg.add_attachment(data, maintype=XLSX[0], subtype=XLSX[1], filename=name)
    if msg.is_multipart():
        # A fixed boundary (from the content) keeps the draft byte-identical across runs.
        msg.set_boundary("ntvt-" + hashlib.sha256(msg.get_body().get_content().encode()).hexdigest()[:24])
    return msg.as_bytes(policy=SMTP)


def _header_safe(value: str) -> bool:
    """An address taken from an email can be written into a header: one line, encodable (a raw
    non-UTF-8 From: leaves surrogates, which cannot be sent). Otherwise the draft has no To:."""
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True

