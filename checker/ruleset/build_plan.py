"""The rules file's plan sections: plan, template, calendar (deadlines), unit matching, units, value
lists, limits and consolidation. Each `build_*` checks one section and returns its dataclass."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from ..model.addresses import email_address
from .spec import ConsolidationInfo, Deadlines, Limits, ListItem, Plan, TemplateInfo, Unit, UnitMatching
from .strict_yaml import _Seq, shown
from .values import MAX_NAME, MAX_TEXT, NAME, TypedValues, _kind

POLICIES = ("strict_before", "inclusive", "inclusive_roll_forward")

# What a rules file may set each limit to: (low, high), whole numbers.
LIMIT_RANGES = {
    "max_file_bytes": (1, 2**30),
    "max_uncompressed_bytes": (1, 2**32),
    "max_compression_ratio": (1, 10_000),
    "max_zip_members": (1, 100_000),
    "max_rows": (1, 1_048_576),  # Excel's
    "max_columns": (1, 16_384),  # Excel's
    "max_cell_chars": (1, 32_767),  # Excel's
}

# The unit-matching scores a rules file may set (each a number from 0 to 1), with their defaults.
MATCHING_SCORES = {f.name: f.default for f in dataclasses.fields(UnitMatching)}


# Unit ids become folder and file names (feedback/<ID>/, <ID>.eml, mau_NTVT_<ID>.xlsx). Upper-case
# ASCII words joined by single '-' or '_' are left unchanged by every writer's file-name mapping, so
# distinct ids give distinct names, also on Windows' case-insensitive file systems; the device
# names Windows reserves (with any extension) are refused.
UNIT_ID = re.compile(r"[A-Z0-9]+(?:[-_][A-Z0-9]+)*")
MAX_UNIT_ID = 32
# The roster's optional address key: a word of the rules language (like `roles`), not the unit-info
# field the bundled file happens to key the same way.
UNIT_EMAIL = "email"
# The plan's optional key: the office's own address, the From of the replies `ntvt send` sends.
OFFICE_EMAIL = "office_email"
WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL"} | {f"{d}{n}" for d in ("COM", "LPT") for n in range(10)}


class PlanSections(TypedValues):
    """Builders of the sections that describe the plan and its calendar, units and lists."""

    def build_plan(self, node: Any, top: dict) -> Plan:
        w = "plan"
        n = self.mapping(node, w, {"id", "number", "issued", "title", "issuer", "recipient", "start", "end", "year",
                                   "movement", "office", "place", "short_name"}, {OFFICE_EMAIL}, parent=top, key=w)
        plan = Plan(self.text(n, "id", w), self.text(n, "number", w), self.date(n, "issued", w),
                    self.text(n, "title", w), self.text(n, "issuer", w), self.text(n, "recipient", w),
                    self.date(n, "start", w), self.date(n, "end", w), self.number(n, "year", w, 2000, 2099),
                    self.text(n, "movement", w), self.text(n, "office", w), self.text(n, "place", w),
                    self.short_name(n, w), self.office_email(n, w))
        if plan.end < plan.start:
            raise self.fail(w, "plan end is before its start", n, "end")
        return plan

    def office_email(self, n: dict, w: str) -> str | None:
        """plan.office_email (optional): the address the office sends its replies from."""
        return self._email(n, w, OFFICE_EMAIL, "của kế hoạch", "địa chỉ thư của văn phòng, dạng vanphong@coquan.gov.vn", "")

    def _email(self, node: dict, w: str, key: str, whose: str, wanted: str, drop: str) -> str | None:
        """An optional single email address under `key`, or a Vietnamese refusal naming `whose` it is."""
        if key not in node:
            return None
        address = email_address(node[key])
        if address is None:
            exc = self.fail(f"{w}.{key}", f"expected one email address such as name@example.gov.vn, "
                                          f"found {shown(node[key])}", node, key)
            at = f", dòng {exc.line}" if exc.line else ""
            exc.message = (f"Tệp quy tắc {self.path}{at}: “{key}” {whose} không phải một địa chỉ thư điện tử "
                           f"(“{str(node[key])[:80]}”). Hãy ghi {wanted}, hoặc bỏ dòng “{key}”{drop}.")
            raise exc
        return address

    def short_name(self, n: dict, w: str) -> str:
        # It names files (mau_<short_name>.xlsx), so it is held to the unit ids' safe form.
        value = self.text(n, "short_name", w)
        if len(value) > MAX_UNIT_ID or not UNIT_ID.fullmatch(value):
            raise self.fail(f"{w}.short_name", "expected upper-case ASCII letters and digits (it names files), "
                                               f"found {shown(value)}", n, "short_name")
        return value

    def build_template(self, node: Any, top: dict) -> TemplateInfo:
        w = "template"
        n = self.mapping(node, w, {"version", "title", "contact"},
                         {"older_versions", "nomination_rows", "activity_rows"}, parent=top, key=w)
        if not isinstance(n["version"], str):
            raise self.fail(f"{w}.version", "expected a text in quotes such as \"2023.1\", "
                                            f"found {shown(n['version'])}", n, "version")
        return TemplateInfo(self.text(n, "version", w), self.strings(n, "older_versions", w, _Seq()),
                            self.text(n, "title", w), self.text(n, "contact", w),
                            self.number(n, "nomination_rows", w, 1, 10_000, default=200),
                            self.number(n, "activity_rows", w, 1, 10_000, default=100))

    def build_deadlines(self, node: Any, top: dict) -> Deadlines:
        w = "deadlines"
        n = self.mapping(node, w, {"utc_offset_hours", "policy", "monthly", "summary_report"}, {"holidays"},
                         parent=top, key=w)
        offset = self.number(n, "utc_offset_hours", w, -12, 14, whole=False)
        if offset * 4 != int(offset * 4):
            raise self.fail(f"{w}.utc_offset_hours", f"expected whole quarter hours (7, 5.5, 5.75), found {offset}",
                            n, "utc_offset_hours")
        policy = self.choice(n, "policy", w, POLICIES, "policy")
        holidays = n.get("holidays", _Seq())
        if not isinstance(holidays, list):
            raise self.fail(f"{w}.holidays", f"expected a list of dates YYYY-MM-DD, found {shown(holidays)}",
                            n, "holidays")
        holidays = [self.date(n, "holidays", w, value=d, index=i) for i, d in enumerate(holidays)]
        mw = f"{w}.monthly"
        m = self.mapping(n["monthly"], mw, {"day", "cycles", "clause"}, {"quote"}, parent=n, key="monthly")
        day = self.number(m, "day", mw, 1, 28)
        cycles = self.strings(m, "cycles", mw)
        for i, cycle in enumerate(cycles):
            if not re.fullmatch(r"20\d\d-(0[1-9]|1[0-2])", cycle):
                raise self.fail(f"{mw}.cycles", f"malformed cycle {shown(cycle)} (expected YYYY-MM, 2000 to 2099)",
                                m["cycles"], i)
        if len(set(cycles)) != len(cycles):
            raise self.fail(f"{mw}.cycles", "a cycle is listed twice", m, "cycles")
        sw = f"{w}.summary_report"
        s = self.mapping(n["summary_report"], sw, {"due", "clause"}, {"quote"}, parent=n, key="summary_report")
        return Deadlines(float(offset), policy, frozenset(holidays), day, self.text(m, "clause", mw),
                         self.text(m, "quote", mw, "-"), cycles, self.date(s, "due", sw), self.text(s, "clause", sw),
                         self.text(s, "quote", sw, "-"))

    def build_matching(self, node: Any, top: dict) -> tuple[dict[str, str], tuple[str, ...], UnitMatching]:
        w = "unit_matching"
        m = self.mapping(node, w, {"abbreviations", "drop_suffixes"}, set(MATCHING_SCORES), parent=top, key=w)
        abbreviations = m["abbreviations"]
        if not isinstance(abbreviations, dict):
            raise self.fail(f"{w}.abbreviations", "expected a mapping of text to text", m, "abbreviations")
        for short in abbreviations:
            self.text(abbreviations, short, f"{w}.abbreviations")
        scores = {k: float(self.number(m, k, w, 0, 1, whole=False, default=d)) for k, d in MATCHING_SCORES.items()}
        return dict(abbreviations), self.strings(m, "drop_suffixes", w), UnitMatching(**scores)

    def build_units(self, node: Any, top: dict) -> tuple[Unit, ...]:
        node = self.sections(node, top, "units")
        units, ids = [], set()
        for i, u in enumerate(node):
            w = f"units[{i}]"
            u = self.mapping(u, w, {"id", "name", "kind", "required"}, {"aliases", "roles", UNIT_EMAIL}, parent=node,
                             key=i)
            uid = u["id"]
            if not isinstance(uid, str) or len(uid) > MAX_UNIT_ID or not UNIT_ID.fullmatch(uid):
                raise self.fail(f"{w}.id", f"a unit id is upper-case ASCII letters and digits, words joined by a "
                                           f"single '-' or '_', at most {MAX_UNIT_ID} characters (it names files), "
                                           f"found {shown(uid)}", u, "id")
            if uid in WINDOWS_RESERVED:
                raise self.fail(f"{w}.id", f"unit id {uid!r} is a device name on Windows and cannot name a file",
                                u, "id")
            if uid in ids:
                raise self.fail(f"{w}.id", f"duplicate unit id {uid!r}", u, "id")
            ids.add(uid)
            units.append(Unit(uid, self.text(u, "name", w), self.text(u, "kind", w), self.boolean(u, "required", w),
                              self.strings(u, "aliases", w, _Seq()), self.strings(u, "roles", w, _Seq()),
                              self.unit_email(u, w, uid)))
        return tuple(units)

    def unit_email(self, u: dict, w: str, uid: str) -> str | None:
        """units[i].email (optional): the address reply drafts fall back to; one plain mailbox."""
        return self._email(u, w, UNIT_EMAIL, f"của đơn vị {uid}", "một địa chỉ dạng ten@coquan.gov.vn", " của đơn vị này")

    def build_lists(self, node: Any, top: dict) -> dict[str, tuple[ListItem, ...]]:
        if not isinstance(node, dict):
            raise self.fail("lists", f"expected a mapping of list name to values, found {_kind(node)}", top, "lists")
        lists = {}
        for name, items in node.items():
            if len(name) > MAX_NAME or not NAME.fullmatch(name):
                raise self.fail("lists", f"a list name is lower-case ASCII words joined by '_' (e.g. yes_no), "
                                         f"found {shown(name)}", node, name)
            w = f"lists.{name}"
            if not isinstance(items, list) or not items:
                raise self.fail(w, f"expected a non-empty list, found {_kind(items)}", node, name)
            out = []
            for i, item in enumerate(items):
                if isinstance(item, dict):
                    item = self.mapping(item, f"{w}[{i}]", {"value"}, {"aliases"})
                    out.append(ListItem(self.text(item, "value", f"{w}[{i}]"),
                                        self.strings(item, "aliases", f"{w}[{i}]", _Seq())))
                elif isinstance(item, str) and item.strip() and len(item) <= MAX_TEXT:
                    out.append(ListItem(item))
                else:
                    raise self.fail(f"{w}[{i}]", "expected a text or {value: …, aliases: […]}, "
                                                 f"found {shown(item)}", items, i)
            if len({i.value for i in out}) != len(out):
                raise self.fail(w, "a value is listed twice", node, name)
            lists[name] = tuple(out)
        return lists

    def build_limits(self, node: Any, top: dict) -> Limits:
        n = self.mapping(node, "limits", set(), set(LIMIT_RANGES), parent=top, key="limits")
        return Limits(**{k: self.number(n, k, "limits", *LIMIT_RANGES[k]) for k in n})

    def build_consolidation(self, node: Any, top: dict) -> ConsolidationInfo:
        """Built after the sheets: its values are read against the lists of columns with roles."""
        w = "consolidation"
        n = self.mapping(node, w, {"monthly_report", "summary_report", "city_level"}, {"max_comments", "same_row"},
                         parent=top, key=w)
        # The values name the report types and levels of the columns with those roles.
        report_list, level_list = self.role_list("report_type", "report_types"), self.role_list("level", "levels")
        report_types = {i.value for i in self.lists.get(report_list, ())}
        for key in ("monthly_report", "summary_report"):
            if not isinstance(n[key], str) or n[key] not in report_types:
                raise self.fail(f"{w}.{key}", f"{shown(n[key])} is not in lists.{report_list}", n, key)
        levels = {i.value for i in self.lists.get(level_list, ())}
        if not isinstance(n["city_level"], str) or n["city_level"] not in levels:
            raise self.fail(f"{w}.city_level", f"{shown(n['city_level'])} is not in lists.{level_list}", n, "city_level")
        # Each comment costs xlsxwriter memory until the workbook is closed: 50,000 is 10x the default.
        return ConsolidationInfo(n["monthly_report"], n["summary_report"], n["city_level"],
                                 self.number(n, "max_comments", w, 0, 50_000, default=5000),
                                 self.same_row(n.get("same_row"), n))

    def same_row(self, node: Any, parent: dict) -> dict[str, tuple[str, ...]]:
        """consolidation.same_row: table sheet key -> non-empty list of that sheet's column keys."""
        w = "consolidation.same_row"
        if node is None:
            return {}
        tables = {s.key: s for s in self.sheets if s.kind == "table"}
        m = self.mapping(node, w, set(), set(tables), parent=parent, key="same_row")
        out = {}
        for key, columns in m.items():
            fields = {f.key for f in tables[key].fields}
            if not isinstance(columns, list) or not columns or not all(c in fields for c in columns):
                raise self.fail(f"{w}.{key}", f"needs a list of columns of sheet {key!r} ({', '.join(sorted(fields))})",
                                m, key)
            out[key] = tuple(columns)
        return out
