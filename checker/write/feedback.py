"""Feedback to units: per unit with findings, the annotated copies of its files and a reply draft.

The draft is an .eml file (Vietnamese, ready to open in a mail program and send), marked as ntvt's
own (model.marks) so that one left in an inbox is never read as a report. It is addressed to the
unit (`reply_address`: the sender of its latest emailed report, else the address its latest report
gives in the field with the `reply_address` role, else the unit's `email` in the rules file; else
no To:, and `Feedback.unaddressed` names the unit). The letter asks for each missing report now,
with its deadline; lists what to fix by sheet and cell, what the rule asks and the plan clause in
words (no rule codes: they are the office's, not the unit's); the annotated workbooks attached.
Drafts are deterministic (no Date, a boundary derived from the content, the copies dated the end
of as_of) so the same inputs give the same bytes. A copy that cannot be made is not attached: the
letter says so and why, and every other file and unit is handled all the same.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from email.header import Header
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path
from typing import Iterable

from .annotated_copy import Addressed, AnnotatedCopies, CopyFailed, copy_of, unique_name
from ..decide import deadlines as dl
from ..decide.consolidation import Consolidation
from ..decide.review import returned_nominees
from ..model.addresses import email_address
from ..model.marks import EMAIL_HEADER, REPLY_DRAFT
from ..model.words import LATER, REJECTED, SUPERSEDED
from ..model.errors import OutputError
from ..ruleset.spec import Plan, Unit
from .files import atomic_output
from .inert import visible
from ..model.findings import Finding, Severity, ordered
from .names import annotated_name, own_name, unit_slug
from .package import end_of

XLSX = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
# The campaign kinds whose "missing" status means a report the unit still owes (decide.statuses).
MONTHLY_KIND, SUMMARY_KIND = "monthly_deadline", "summary_deadline"
# Where a draft's address came from: a header for the clerk's tools (the letter says it in words).
SOURCE_HEADER = "X-NTVT-Address-Source"
SENDER, CELL, ROSTER = "sender", "report", "rules"
# Words with which a message tells the unit what to do (rule messages end so): no rule title added.
ACTION_WORDS = ("đề nghị", "hãy")


class Feedback(AnnotatedCopies):
    """The paths written; `.failures` as AnnotatedCopies; `.unaddressed`: ids of the units whose
    draft has no To: (no address anywhere), for the console to name."""

    def __init__(self, paths: Iterable[Path] = ()):
        super().__init__(paths)
        self.unaddressed: list[str] = []


@dataclass(frozen=True)
class Address:
    """Where a draft goes, and why there: `source` is SENDER, CELL or ROSTER; `file` the report."""

    address: str
    source: str
    file: str | None = None


def write_feedback(c: Consolidation, directory: Path, inputs: Iterable[Path] = ()) -> Feedback:
    """Write, per unit with errors or warnings, `<UNIT>/` with annotated copies and `<UNIT>.eml`.

    Returns the paths written; `.failures` lists (input, reason) for each copy that could not be
    made, `.unaddressed` the units whose draft has no address.
    """
    directory, inputs = Path(directory), list(inputs)
    if directory.exists() and not directory.is_dir():
        raise OutputError(f"the feedback folder {directory} is a file; give a folder",
                          message=f"Không ghi được thư phản hồi: “{directory}” là một tệp, không phải thư mục; "
                                  "hãy chọn một thư mục khác cho --feedback")
    written = Feedback()
    # The copies are dated the end of as_of: the same inputs give the same letters, byte for byte.
    addressed = Addressed(c.rules.plan.office, end_of(c.rules, c.as_of))
    by_file: dict[str, list[Finding]] = {}
    for f in c.findings:
        by_file.setdefault(f.file, []).append(f)
    returned = returned_nominees(c)
    for unit in c.rules.units:
        # Not the files replaced by later ones, nor those received after as_of (not counted yet).
        files = [d for d in c.decisions if d.unit_id == unit.id and d.status not in (SUPERSEDED, LATER)]
        file_findings = {c.validation.books[d.index].name: by_file.get(c.validation.books[d.index].name, [])
                         for d in files}
        campaign = [f for f in by_file.get(None, []) if f.unit == unit.id]
        serious = [f for fs in file_findings.values() for f in fs if f.severity is not Severity.INFO] + campaign
        if not serious and unit.id not in returned:
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
        to = reply_address(c, unit)
        if to is None:
            written.unaddressed.append(unit.id)
        message = _Letter(c, unit, to, file_findings, campaign, returned.get(unit.id, [])).draft(attachments, missing)
        target = directory / f"{unit_slug(unit.id)}.eml"
        with atomic_output(target, inputs) as tmp:
            tmp.write_bytes(message)
        written.append(target)
    return written


def reply_address(c: Consolidation, unit: Unit) -> Address | None:
    """Where the unit's draft goes: its latest report (by receipt) that gives an address, by the
    email that brought it, else by the field with the `reply_address` role (what its prompt
    promises); else the unit's `email` in the rules file; else None."""
    info, key = c.rules.sheet_key("unit_info"), c.rules.field_key("reply_address")
    local = c.rules.deadlines.to_local
    reports = sorted((d for d in c.decisions if d.unit_id == unit.id and d.received_at is not None
                      and d.status != LATER),
                     key=lambda d: (local(d.received_at), d.index), reverse=True)
    for d in reports:
        book, sub = c.validation.books[d.index], c.validation.submissions[d.index]
        sender = email_address(sub.sender)
        if sender and _header_safe(sender):
            return Address(sender, SENDER, book.name)
        cell = book.forms.get(info, {}).get(key) if info and key else None
        typed = email_address(cell.value) if cell is not None else None
        if typed and _header_safe(typed):
            return Address(typed, CELL, book.name)
    return Address(unit.email, ROSTER) if unit.email else None


def office_name(plan: Plan) -> str:
    """The office as it signs: its name with the issuer's ("Văn phòng Sở" of "Sở … Hà Nội" gives
    "Văn phòng Sở … Hà Nội"; words the two names share at the seam are written once)."""
    office, issuer = plan.office.split(), plan.issuer.split()
    if plan.issuer in plan.office:
        return plan.office
    for n in range(min(len(office), len(issuer)), 0, -1):
        if office[-n:] == issuer[:n]:
            return " ".join(office + issuer[n:])
    return f"{plan.office} {plan.issuer}"


class _Letter:
    """One unit's letter: the reports it still owes, what to fix, what to note."""

    def __init__(self, c: Consolidation, unit: Unit, to: Address | None, file_findings: dict[str, list[Finding]],
                 campaign: list[Finding], returned: list[tuple[str, str, int, str]] = ()):
        self.c, self.unit, self.to, self.file_findings = c, unit, to, file_findings
        self.returned = returned  # (nominee, file, row, reason) the council returned (decide/review)
        self.office = office_name(c.rules.plan)
        self.rules = {r.id: r for r in c.rules.rules}
        standing = [(f, self._owed(f)) for f in ordered(campaign)]
        # A report not sent is asked for now, apart; the rest (late, not valid, no activity) is listed.
        self.owed = [(f, row) for f, row in standing if row is not None]
        self.campaign = [f for f, row in standing if row is None]

    def _owed(self, f: Finding) -> dict | None:
        """The status row of a report the unit has not sent and was due (a deadline finding), or None."""
        if f.code not in (MONTHLY_KIND, SUMMARY_KIND):
            return None
        table = self.c.cycles if f.code == MONTHLY_KIND else self.c.units
        rows = table[table["unit"] == self.unit.id]
        if f.code == MONTHLY_KIND:
            rows = rows[rows["cycle"] == getattr(f.where, "cycle", None)]
        rows = rows[rows["status_code"] == "missing"]
        return rows.iloc[0].to_dict() if len(rows) else None

    def _report_name(self, f: Finding, row: dict) -> str:
        meaning = self.c.rules.consolidation
        if f.code == MONTHLY_KIND:
            name = meaning.monthly_report if meaning else self.rules[f.rule_id].title
            return f"{name}, kỳ {self.c.rules.cycle_words(row['cycle'])}"
        return meaning.summary_report if meaning else self.rules[f.rule_id].title

    def _days_late(self, f: Finding, row: dict) -> int:
        """Days from the last day to send to the end of as_of (both in the plan's calendar)."""
        calendar = self.c.rules.deadlines
        bound = dl.cycle_bound(row["cycle"], calendar) if f.code == MONTHLY_KIND else dl.summary_bound(calendar)
        return (self.c.as_of - dl.last_day(bound)).days

    def _item(self, f: Finding) -> str:
        """A finding as the unit reads it: where, what is wrong, what the rule asks, the clause."""
        where = f"Trang “{f.sheet}”: " if f.sheet else "Cả tệp: "
        if f.sheet and f.text.startswith(f"Trang “{f.sheet}”"):
            where = ""  # the message already names its sheet (a missing column, a sheet-wide count)
        rule = self.rules.get(f.rule_id)
        # The rule's title is added only to a message that does not itself say what to do.
        acts = any(word in f.text.lower() for word in ACTION_WORDS)
        asks = f" Yêu cầu: {rule.title}." if rule is not None and rule.title and not acts else ""
        return f"- {where}{f.text}{asks}{f.citation}"

    def body(self, attachments: list[tuple[str, bytes]], missing: list[tuple[str, str]]) -> str:
        plan, c = self.c.rules.plan, self.c
        fs = self.file_findings
        errors = [(name, f) for name, items in fs.items() for f in items if f.severity is Severity.ERROR]
        warnings = [(name, f) for name, items in fs.items() for f in items if f.severity is Severity.WARNING]
        lines = [f"Kính gửi: {self.unit.name},", ""]
        if not fs:
            lines.append(f"{self.office} chưa nhận được hồ sơ phong trào “{plan.movement}” (Kế hoạch số "
                         f"{plan.number}) của đơn vị, tính đến hết ngày {c.as_of:%d/%m/%Y}.")
        else:
            lines.append(f"{self.office} đã kiểm tra hồ sơ phong trào “{plan.movement}” (Kế hoạch số {plan.number}) "
                         f"đơn vị gửi, tính đến hết ngày {c.as_of:%d/%m/%Y}. Kết quả như sau.")
        if self.owed:
            lines += ["", f"Đến hết ngày {c.as_of:%d/%m/%Y}, đơn vị chưa gửi các báo cáo sau. Đề nghị đơn vị "
                          f"gửi ngay về {plan.office}:"]
            lines += [f"- {self._report_name(f, row)}: hạn {row['deadline']}, đã quá hạn {self._days_late(f, row)} "
                      f"ngày.{f.citation}" for f, row in self.owed]
        # The reports' timing stays under "Tình hình nộp"; a campaign warning (no activity of a kind
        # reported) is a warning about the unit's whole record, listed with the other warnings.
        timing = [f for f in self.campaign if f.severity is Severity.ERROR]
        noted = [f for f in self.campaign if f.severity is not Severity.ERROR]
        if timing:
            lines += ["", "Tình hình nộp:"]
            lines += [f"- {f.message}" for f in timing]
        for title, items, whole in (("Cần sửa (lỗi):", errors, []), ("Cần lưu ý (cảnh báo):", warnings, noted)):
            if not items and not whole:
                continue
            lines += ["", title]
            if whole:
                lines.append("Hồ sơ của đơn vị trong cả thời gian thực hiện:")
                lines += [f"- {f.message}" for f in whole]
            last = None
            for name, f in sorted(items, key=lambda item: item[1].sort_key()):
                if name != last:
                    lines.append(f"Tệp “{own_name(name)}”:")
                    last = name
                lines.append(self._item(f))
        if self.returned:
            lines += ["", "Hội đồng trả lại:"]
            lines += [f"- {who} (tệp “{own_name(name)}”, dòng {row}): {reason or 'Hội đồng không ghi lý do'}."
                      for who, name, row, reason in self.returned]
            lines.append(f"Đề nghị đơn vị xem lý do trên; nếu đề nghị lại, hoàn thiện hồ sơ và gửi về "
                         f"{plan.office}.")
        if attachments:
            lines += ["", "Kèm theo thư này là bản sao tệp của đơn vị đã được đánh dấu: ô có lỗi tô đỏ, cảnh báo tô "
                          "vàng; di chuột vào ô để xem ghi chú. Bản sao chỉ giữ giá trị: công thức được thay bằng giá "
                          "trị đã lưu, liên kết ra ngoài được gỡ (xem trang “Kết quả kiểm tra”)."]
        if missing:
            lines += ["", "Không gửi kèm được bản sao có đánh dấu của:"]
            lines += [f"- Tệp “{own_name(name)}”: {reason}." for name, reason in missing]
            lines.append("Các nội dung cần sửa đã được liệt kê đầy đủ ở trên.")
        if self.owed or timing or errors or warnings or noted or not self.returned:
            lines += ["", self._request(bool(errors), bool(warnings or noted))]
        source = self._source()
        if source:
            lines += ["", source]
        lines += ["", "Trân trọng,", self.office]
        return "\n".join(lines)

    def _request(self, errors: bool, warnings: bool) -> str:
        """The closing request: every kind of item above is answered (owed reports, errors, warnings)."""
        office = self.c.rules.plan.office
        consider = "xem xét các cảnh báo trên" if warnings else ""
        if self.owed or errors:
            asks = ["gửi ngay các báo cáo còn thiếu nêu trên"] if self.owed else []
            if errors:
                asks.append("sửa các lỗi" + (", xem xét các cảnh báo" if warnings else "") + " trên rồi gửi lại")
            elif warnings:
                asks.append(consider + " (nội dung nào cần sửa thì sửa và gửi lại)")
            return f"Đề nghị đơn vị {_joined(asks)} theo mẫu biểu chuẩn về {office}."
        if not self.file_findings and not warnings:
            return f"Đề nghị đơn vị gửi hồ sơ theo mẫu biểu chuẩn về {office}."
        late = any(f.severity is Severity.ERROR for f in self.campaign)  # sent, but late: the next can be on time
        if late and not warnings:
            return "Đề nghị đơn vị lưu ý gửi báo cáo trước hạn trong các kỳ tiếp theo."
        if late:
            return (f"Đề nghị đơn vị {consider}; nội dung nào cần sửa thì sửa và gửi lại về {office}, đồng thời "
                    "lưu ý gửi báo cáo trước hạn trong các kỳ tiếp theo.")
        # Warnings only: nothing must be resent; each says what to check.
        return (f"Đề nghị đơn vị {consider}; nội dung nào cần sửa thì sửa và gửi lại về {office}, "
                "đồng thời lưu ý khi lập các báo cáo tiếp theo.")

    def _source(self) -> str | None:
        """One line saying why the letter went to this address (the unit can correct it)."""
        to = self.to
        if to is None:
            return None
        if to.source == SENDER:
            return f"Thư này trả lời thư điện tử đơn vị đã gửi từ địa chỉ {to.address}."
        if to.source == CELL:
            field = self.c.rules.field_by_role("reply_address")
            sheet = self.c.rules.sheet(self.c.rules.sheet_key("unit_info")).name
            return (f"Thư này gửi tới địa chỉ {to.address} đơn vị ghi ở mục “{field.label}” (trang “{sheet}”) "
                    f"của tệp “{own_name(to.file)}”.")
        return f"Thư này gửi tới địa chỉ {to.address} của đơn vị trong danh sách đơn vị của {self.c.rules.plan.office}."

    def subject(self) -> str:
        movement, unit = self.c.rules.plan.movement, self.unit.name
        if not self.file_findings:
            return f"Nhắc gửi hồ sơ “{movement}” – {unit}"
        if self.owed:
            return f"Kết quả kiểm tra và nhắc gửi báo cáo còn thiếu, hồ sơ “{movement}” – {unit}"
        return f"Kết quả kiểm tra hồ sơ “{movement}” – {unit}"

    def draft(self, attachments: list[tuple[str, bytes]], missing: list[tuple[str, str]]) -> bytes:
        msg = EmailMessage()
        if self.to is not None:
            msg["To"] = self.to.address
        # Encoded by email.header, stored as is: the policy's own folding puts the space between two
        # words in the gap between two encoded words, where readers drop it (RFC 2047, section 6.2);
        # Header keeps every space inside an encoded word.
        msg.set_raw("Subject", Header(self.subject(), "utf-8", header_name="Subject").encode(linesep="\r\n"))
        msg["X-Unsent"] = "1"  # opens as a draft in Outlook; other programs show it as a message to send
        msg[EMAIL_HEADER] = REPLY_DRAFT  # ntvt's own file: never read back as a unit's report
        msg[SOURCE_HEADER] = self.to.source if self.to is not None else "none"
        # Values quoted from the unit's file may hold control characters: shown, never sent raw.
        msg.set_content(visible(self.body(attachments, missing)))
        for name, data in attachments:
            msg.add_attachment(data, maintype=XLSX[0], subtype=XLSX[1], filename=name)
        if msg.is_multipart():
            # A fixed boundary (from the content) keeps the draft byte-identical across runs.
            msg.set_boundary("ntvt-" + hashlib.sha256(msg.get_body().get_content().encode()).hexdigest()[:24])
        return msg.as_bytes(policy=SMTP)


def _joined(parts: list[str]) -> str:
    """Requests joined as a sentence says them: "a", "a, đồng thời b", "a, b, đồng thời c"."""
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + ", đồng thời " + parts[-1]


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

