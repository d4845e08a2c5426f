"""The rules file's optional `documents:` block: every word of the drafts `ntvt documents` writes
(the Tờ trình to the City and the báo cáo tổng kết), so next year's plan changes them without code.
Parsed strictly as the rest of the file: known keys only, non-empty texts, plain `{name}`
placeholders among those the writer fills, a figure section only of a known figure with as many
column headings as its table has."""

from __future__ import annotations

import string
from dataclasses import dataclass
from typing import Any

from .strict_yaml import shown
from .values import TypedValues

__all__ = ["DocumentSections", "DocumentsInfo", "FigureText", "Letter", "ReportSection", "FIGURES"]

# Placeholders every text of a draft may use (the writer fills them from the plan and the day of reckoning).
COMMON = frozenset({"plan_no", "plan_issued", "plan_title", "issuer", "movement", "year", "as_of"})
PROPOSAL_BODY = COMMON | {"quote", "considered", "proposed", "units_proposed"}
REPORT_BODY = COMMON | {"total", "units", "units_with"}
# Each figure the report may show: the columns of its table (0: a sentence only) and its placeholders.
FIGURES: dict[str, tuple[int, frozenset[str]]] = {
    "by_unit": (3, frozenset({"total", "units", "units_with"})),
    "by_cycle": (3, frozenset({"total", "cycles"})),
    "by_level": (3, frozenset({"total"})),
    "on_time": (5, frozenset({"cycles_due", "on_time", "due"})),
    "never_reported": (2, frozenset({"count"})),
    "anniversary": (3, frozenset({"count", "units_with", "activity_type"})),
    "role_articles": (0, frozenset({"articles", "activities", "unit"})),
}


@dataclass(frozen=True)
class Letter:
    """What both drafts share: the number line, the kind and trích yếu, the addressee, the copies."""

    number: str  # "Số: ……/TTr-SVHTT"
    kind: str  # "TỜ TRÌNH", "BÁO CÁO"
    subject: str  # the trích yếu, with placeholders
    recipient: str | None  # "Kính gửi: …", or None (a report may have none)
    body: tuple[str, ...]  # paragraphs, with placeholders
    copies: tuple[str, ...]  # the "Nơi nhận:" lines


@dataclass(frozen=True)
class FigureText:
    figure: str  # a key of FIGURES
    heading: str
    text: str  # the sentence above the table, with the figure's placeholders
    columns: tuple[str, ...]
    activity_type: str | None = None  # the anniversary's activity type (a value of the rules' activity list)
    role: str | None = None  # role_articles: the role of the unit whose articles are summed (units' `roles`)
    column: str | None = None  # role_articles: the key of the activities' column summed


@dataclass(frozen=True)
class ReportSection:
    heading: str
    write: bool  # a narrative the office writes: the placeholder line follows the heading
    figures: tuple[FigureText, ...] = ()


@dataclass(frozen=True)
class DocumentsInfo:
    issuer: tuple[str, ...]  # the governing body's lines, the issuing body last (bold, ruled under)
    signer: tuple[str, ...]  # "KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC" (or "GIÁM ĐỐC")
    copies_heading: str  # "Nơi nhận:"
    placeholder: str  # the line under a heading the office writes
    total_label: str  # the last row of a table of counts
    quote: str  # the plan's words the Tờ trình quotes
    proposal: Letter
    appendix_title: str
    appendix_note: str
    appendix_columns: tuple[str, ...]  # STT, name, position and unit, summary
    report: Letter
    sections: tuple[ReportSection, ...]
    none_text: str  # a table with no row: "Không có."


class DocumentSections(TypedValues):
    """The loader's builder of `documents:` (mixed into ruleset.loader._Builder)."""

    activity_types: set[str]  # set by the loader before build_documents
    unit_roles: set[str]
    columns: dict[str, set[str]]
    sheet_keys: dict[str, str]

    def build_documents(self, node: Any, top: dict) -> DocumentsInfo | None:
        if node is None:
            return None
        w = "documents"
        n = self.mapping(node, w, {"issuer", "signer", "copies_heading", "placeholder", "total_label", "quote",
                                   "proposal", "appendix", "report", "none_text"}, parent=top, key=w)
        a = self.mapping(n["appendix"], f"{w}.appendix", {"title", "under_title", "columns"}, parent=n, key="appendix")
        r = self.mapping(n["report"], f"{w}.report", {"number", "kind", "subject", "body", "copies", "sections"},
                         {"recipient"}, parent=n, key="report")
        return DocumentsInfo(
            self.lines(n, "issuer", w), self.lines(n, "signer", w), self.text(n, "copies_heading", w),
            self.text(n, "placeholder", w), self.text(n, "total_label", w), self.text(n, "quote", w),
            self.letter(n["proposal"], f"{w}.proposal", n, "proposal", PROPOSAL_BODY, need_recipient=True),
            self.template(a, "title", f"{w}.appendix", COMMON), self.template(a, "under_title", f"{w}.appendix", COMMON),
            self.lines(a, "columns", f"{w}.appendix", count=4),
            self.letter(r, f"{w}.report", n, "report", REPORT_BODY, need_recipient=False),
            tuple(self.section(s, f"{w}.report.sections[{i}]") for i, s in enumerate(self.sections(
                r["sections"], r, "sections"))),
            self.text(n, "none_text", w))

    def letter(self, node: Any, w: str, parent: Any, key: str, body: frozenset[str], need_recipient: bool) -> Letter:
        required = {"number", "kind", "subject", "body", "copies"} | ({"recipient"} if need_recipient else set())
        optional = set() if need_recipient else {"recipient", "sections"}
        n = self.mapping(node, w, required, optional, parent=parent, key=key)
        recipient = self.template(n, "recipient", w, COMMON) if "recipient" in n else None
        paragraphs = tuple(self.template({"body": p}, "body", f"{w}.body[{i}]", body, where=n)
                           for i, p in enumerate(self.sections(n["body"], n, "body")))
        return Letter(self.text(n, "number", w), self.text(n, "kind", w), self.template(n, "subject", w, COMMON),
                      recipient, paragraphs, self.lines(n, "copies", w))

    def section(self, node: Any, w: str) -> ReportSection:
        n = self.mapping(node, w, {"heading"}, {"write", "figures"})
        write = n.get("write", True)
        if not isinstance(write, bool):
            raise self.fail(f"{w}.write", f"expected true or false, found {shown(write)}", n, "write",
                            "“write” cần là true (có dòng để viết tay phần này) hoặc false")
        figures = tuple(self.figure(f, f"{w}.figures[{i}]") for i, f in enumerate(self.sections(
            n["figures"], n, "figures"))) if "figures" in n else ()
        return ReportSection(self.text(n, "heading", w), write, figures)

    def figure(self, node: Any, w: str) -> FigureText:
        n = self.mapping(node, w, {"figure", "heading", "text"}, {"columns", "activity_type", "role", "column"})
        name = n["figure"]
        if name not in FIGURES:
            raise self.fail(f"{w}.figure", f"unknown figure {shown(name)}", n, "figure",
                            f"không có số liệu “{str(name)[:40]}” (các số liệu có: {', '.join(FIGURES)}): hãy sửa tên")
        count, allowed = FIGURES[name]
        columns = self.lines(n, "columns", w, count=count) if count else ()
        kind = role = column = None
        if name == "anniversary":
            kind = self.one_of(n, "activity_type", w, self.activity_types, "{} is not an activity type",
                               "“{}” không thuộc danh mục loại hoạt động của tệp quy tắc: hãy chép đúng một giá "
                               "trị của danh mục đó")
        if name == "role_articles":
            role = self.one_of(n, "role", w, self.unit_roles, "no unit has the role {}",
                               "không đơn vị nào trong “units:” có vai trò “{}”: hãy ghi vai trò đó vào “roles” "
                               "của đơn vị, hoặc sửa tên vai trò")
            column = self.one_of(n, "column", w, self.columns.get(self.sheet_keys.get("activities"), ()),
                                 "{} is no column of the activities sheet",
                                 "trang hoạt động không có cột “{}”: hãy ghi khóa (key) của cột số tin, bài")
        return FigureText(name, self.text(n, "heading", w), self.template(n, "text", w, allowed | COMMON), columns,
                          kind, role, column if role else None)

    def one_of(self, node: dict, key: str, w: str, allowed, problem: str, words: str) -> str:
        """A text that must be one of `allowed`; else the failure, `problem` (English) and `words`
        (what to do) each with the value in place of {}."""
        value = self.text(node, key, w)
        if value not in allowed:
            raise self.fail(f"{w}.{key}", problem.format(shown(value)), node, key, words.format(value[:60]))
        return value

    def lines(self, node: dict, key: str, w: str, count: int | None = None) -> tuple[str, ...]:
        """A non-empty list of non-empty texts (exactly `count` of them, if given)."""
        value = node.get(key)
        if not isinstance(value, list) or not value or (count is not None and len(value) != count):
            many = f"đúng {count}" if count is not None else "ít nhất một"
            raise self.fail(f"{w}.{key}", f"expected a list of {count or 'some'} texts, found {shown(value)}", node, key,
                            f"“{key}” cần là một danh sách {many} dòng chữ (trong ngoặc vuông, cách nhau bằng dấu phẩy): hãy viết lại")
        return tuple(self.text({key: v}, key, f"{w}.{key}") for v in value)

    def template(self, node: dict, key: str, w: str, allowed: frozenset[str], where: Any = None) -> str:
        """A text with plain `{name}` placeholders among `allowed` (so the writer's format is safe)."""
        value = self.text(node, key, w)
        where = node if where is None else where
        hint = ", ".join("{" + a + "}" for a in sorted(allowed))
        try:
            parts = list(string.Formatter().parse(value))
        except ValueError as exc:
            raise self.fail(f"{w}.{key}", f"malformed placeholder: {exc}", where, key,
                            f"dấu ngoặc {{ }} không khớp trong “{value[:60]}”: chỗ trống viết dạng {{tên}} ({hint})")
        for _, name, spec, conversion in parts:
            if name is None:
                continue
            if name not in allowed or spec or conversion:
                raise self.fail(f"{w}.{key}", f"placeholder {{{name[:40]}}} not allowed", where, key,
                                f"không dùng được chỗ trống {{{name[:40]}}} ở đây (các chỗ trống dùng được: {hint})")
        return value
