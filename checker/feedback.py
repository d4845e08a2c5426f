"""Feedback to units: per unit with findings, the annotated copies of its files and a reply draft.

The draft is an .eml file (Vietnamese, ready to open in a mail program and send): addressed to the
unit's sender when an email brought its file, listing what to fix with sheet, cell and plan clause,
the annotated workbooks attached. Drafts are deterministic (no Date, a boundary derived from the
content) so the same run gives the same files.
"""

from __future__ import annotations

import hashlib
import io
import re
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path
from typing import Iterable

from .annotate import annotate_bytes, annotated_name
from .consolidate import CAMPAIGN_FILE, REJECTED, SUPERSEDED, Consolidation
from .fileio import atomic_output
from .report import Finding, Severity

XLSX = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
WORDS = {Severity.ERROR: "Lỗi", Severity.WARNING: "Cảnh báo", Severity.INFO: "Thông tin"}


def write_feedback(c: Consolidation, directory: Path, inputs: Iterable[Path] = ()) -> list[Path]:
    """Write, per unit with errors or warnings, `<UNIT>/` with annotated copies and `<UNIT>.eml`."""
    directory, inputs = Path(directory), list(inputs)
    written: list[Path] = []
    by_file: dict[str, list[Finding]] = {}
    for f in c.findings:
        by_file.setdefault(f.file, []).append(f)
    for unit in c.rules.units:
        files = [d for d in c.decisions if d.unit_id == unit.id and d.status != SUPERSEDED]
        file_findings = {c.validation.books[d.index].name: by_file.get(c.validation.books[d.index].name, [])
                         for d in files}
        campaign = [f for f in by_file.get(CAMPAIGN_FILE, []) if f.column == unit.name]
        serious = [f for fs in file_findings.values() for f in fs if f.severity is not Severity.INFO] + campaign
        if not serious:
            continue
        attachments = []
        for d in files:
            name = c.validation.books[d.index].name
            if d.status == REJECTED or not any(f.severity is not Severity.INFO for f in file_findings[name]):
                continue
            book, sub = c.validation.books[d.index], c.validation.submissions[d.index]
            buffer = io.BytesIO()
            annotate_bytes(sub.data, book.format, file_findings[name], name).save(buffer)
            target = directory / safe_unit_dir(unit.id) / annotated_name(name)
            with atomic_output(target, inputs) as tmp:
                tmp.write_bytes(buffer.getvalue())
            written.append(target)
            attachments.append((target.name, buffer.getvalue()))
        sender = next((c.validation.submissions[d.index].sender for d in reversed(files)
                       if c.validation.submissions[d.index].sender), None)
        message = _draft(c, unit.name, sender, file_findings, campaign, attachments)
        target = directory / f"{safe_unit_dir(unit.id)}.eml"
        with atomic_output(target, inputs) as tmp:
            tmp.write_bytes(message)
        written.append(target)
    return written


def _draft(c: Consolidation, unit: str, sender: str | None, file_findings: dict[str, list[Finding]],
           campaign: list[Finding], attachments: list[tuple[str, bytes]]) -> bytes:
    plan = c.rules.plan
    lines = [f"Kính gửi: {unit},", "",
             f"Văn phòng Sở đã kiểm tra hồ sơ phong trào “Người tốt, việc tốt” theo Kế hoạch số {plan.number} "
             f"(tính đến hết ngày {c.as_of:%d/%m/%Y}). Đề nghị đơn vị xem và sửa các nội dung sau:", ""]
    for f in sorted(campaign, key=lambda f: f.sort_key()):
        lines.append(f"- [{WORDS[f.severity]} {f.rule_id}] {f.message}")
    for name, found in file_findings.items():
        serious = sorted((f for f in found if f.severity is not Severity.INFO),
                         key=lambda f: (f.severity.rank, f.sort_key()))
        if not serious:
            continue
        lines += ["", f"Tệp “{name}”:"]
        for f in serious:
            where = f"trang “{f.sheet}”" if f.sheet else "cả tệp"
            lines.append(f"- [{WORDS[f.severity]} {f.rule_id}] {where}: {f.message}")
    if attachments:
        lines += ["", "Kèm theo thư này là bản sao tệp của đơn vị đã đánh dấu: ô lỗi tô đỏ, cảnh báo tô vàng; "
                      "di chuột vào ô để xem ghi chú."]
    lines += ["", "Đơn vị sửa theo mẫu biểu chuẩn và gửi lại về Văn phòng Sở.", "", "Trân trọng,",
              "Văn phòng Sở"]
    msg = EmailMessage()
    if sender:
        msg["To"] = sender
    msg["Subject"] = f"Đề nghị sửa, bổ sung hồ sơ “Người tốt, việc tốt” – {unit}"
    msg["X-Unsent"] = "1"  # opens as a draft in Outlook; other programs show it as a message to send
    msg.set_content("\n".join(lines))
    for name, data in attachments:
        msg.add_attachment(data, maintype=XLSX[0], subtype=XLSX[1], filename=name)
    if msg.is_multipart():
        # A fixed boundary (from the content) keeps the draft byte-identical across runs.
        msg.set_boundary("ntvt-" + hashlib.sha256(msg.get_body().get_content().encode()).hexdigest()[:24])
    return msg.as_bytes(policy=SMTP)


def safe_unit_dir(unit_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "_", unit_id)
