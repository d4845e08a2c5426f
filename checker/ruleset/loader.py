"""Load and strictly validate a rules file (YAML) into frozen dataclasses.

The rules file is the single source of the plan's facts: period, cycles, deadlines, units, value
lists, template sheets and columns, and every rule with its clause and Vietnamese message. Loading
is strict: an unknown key, a duplicate rule id, a reference to a missing list or column, a malformed
date or a message naming an unknown placeholder is a RuleFileError naming the file, place and line.
No pandas here.

A rules file is also untrusted input (it may come by mail, or be edited by hand): every problem in it
ends as a RuleFileError, in bounded time and memory. The file's size, the nesting depth and the
number of YAML nodes are capped before anything is built; anchors, aliases, merge keys and unusual
tags are refused (no alias bomb can expand); every number has a type and a range; message templates
may hold plain `{name}` placeholders only; unit ids are safe as Windows file names; and a value
echoed in an error message is cut to a few dozen characters.
"""


from __future__ import annotations

import hashlib
import os
import stat
import sys
from pathlib import Path
from typing import Any

from .build_plan import PlanSections
from .build_rules import RuleSections
from .build_sheets import SheetSections
from .documents import DocumentSections
from .spec import RECEIPT_EVIDENCE, MailRules, ReviewInfo, RuleSet
from .strict_yaml import _Map, parse, rule_error

__all__ = ["load_rules", "default_rules_path", "MAX_RULES_BYTES"]

# Bounds on the rules file itself. The bundled file is 36 KB, 8 levels deep, 2,028 YAML nodes.
MAX_RULES_BYTES = 2 * 1024 * 1024
TOO_LARGE = (f"tệp quy tắc lớn quá {MAX_RULES_BYTES // 1024 // 1024} MB (tệp kèm theo chỉ khoảng 40 KB): hãy kiểm "
             "tra có chọn nhầm tệp không")


def default_rules_path() -> Path:
    """The bundled plan's rules (or $NTVT_RULES): the one rules file in `rules/` of the source tree,
    or in the installed copy. The code names no plan: a new plan replaces the file."""
    env = os.environ.get("NTVT_RULES")
    if env:
        return Path(env)
    here = Path(__file__).resolve().parents[2] / "rules"
    folder = here if here.is_dir() else Path(sys.prefix) / "share" / "ntvt" / "rules"
    found = sorted(folder.glob("*.yaml"))
    if len(found) > 1:
        raise rule_error(folder, "", "the bundled rules folder holds several rules files: "
                                     "choose one with --rules or NTVT_RULES", None,
                         "thư mục quy tắc kèm theo có nhiều tệp .yaml: hãy chọn một tệp bằng --rules TỆP "
                         "hoặc biến môi trường NTVT_RULES")
    return found[0] if found else folder / "rules.yaml"  # a missing file is reported when read


def load_rules(path: Path | str | None = None) -> RuleSet:
    """Load a rules file (default: the bundled plan's, see default_rules_path) or raise RuleFileError."""
    path = Path(path) if path is not None else default_rules_path()
    raw = _read(path)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise rule_error(path, "", "the rules file is not UTF-8 text", raw[:exc.start].count(b"\n") + 1,
                         "tệp quy tắc không phải chữ mã UTF-8 (có thể được lưu bằng mã khác): hãy mở bằng trình "
                         "soạn thảo văn bản và lưu lại với mã UTF-8") from None
    data = parse(path, text, raw)
    return _Builder(path, data).build(hashlib.sha256(raw).hexdigest())


def _read(path: Path) -> bytes:
    # The size is checked before reading (a 50 MB rules file cost 61 s and 1.7 GB to refuse), and
    # only a regular file is opened: opening a FIFO would wait for a writer for ever.
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            raise rule_error(path, "", "the rules file is not a regular file", None,
                             "đây không phải một tệp thường (là thư mục hoặc thiết bị): hãy chỉ đến tệp .yaml")
        if info.st_size > MAX_RULES_BYTES:
            raise rule_error(path, "", f"the rules file is too large ({info.st_size:,} bytes; "
                                       f"the limit is {MAX_RULES_BYTES:,})", None, TOO_LARGE)
        with open(path, "rb") as f:
            raw = f.read(MAX_RULES_BYTES + 1)
    except OSError as exc:
        raise rule_error(path, "", f"cannot read the rules file ({exc.strerror})", None,
                         "không mở được tệp quy tắc (không có tệp, hoặc không có quyền đọc): hãy kiểm tra "
                         "đường dẫn đã nhập") from None
    if len(raw) > MAX_RULES_BYTES:  # it grew since stat
        raise rule_error(path, "", f"the rules file is too large (the limit is {MAX_RULES_BYTES:,} bytes)", None,
                         TOO_LARGE)
    return raw


DECISION_LENGTH = 255  # a dropdown's entry: Excel's list of choices holds at most 255 characters in all


class _Builder(PlanSections, SheetSections, RuleSections, DocumentSections):
    """Turns the parsed YAML into a RuleSet, checking every key, type, range and reference."""

    def __init__(self, path: Path, data: Any):
        super().__init__(path, data)
        self.field_roles: set[str] = set()

    def build(self, sha256: str) -> RuleSet:
        top = self.mapping(self.data, "", {"plan", "template", "deadlines", "unit_matching", "units",
                                                "lists", "sheets", "rules", "consolidation"}, {"limits", "mail", "review", "documents"})
        self.plan = self.build_plan(top["plan"], top)
        template = self.build_template(top["template"], top)
        deadlines = self.build_deadlines(top["deadlines"], top)
        abbreviations, suffixes, matching = self.build_matching(top["unit_matching"], top)
        units = self.build_units(top["units"], top)
        self.lists = self.build_lists(top["lists"], top)
        self.sheets = self.build_sheets(top["sheets"], top)
        self.columns = {s.key: {f.key for f in s.fields} for s in self.sheets}
        self.sheet_keys = {s.role: s.key for s in self.sheets if s.role}
        self.form_columns = {f.key for s in self.sheets if s.kind == "form" for f in s.fields}
        # Looked up once per checked column: dicts, so the cost stays linear in the file's size.
        self.specs = {(s.key, f.key): f for s in self.sheets for f in s.fields}
        self.specs.update({("(file)", f.key): f for s in reversed(self.sheets) if s.kind == "form" for f in s.fields})
        self.activity_list = self.role_list("activity_type", "activity_types")
        self.activity_types = {i.value for i in self.lists.get(self.activity_list, ())}
        rules = self.build_rules(top["rules"], top)
        consolidation = self.build_consolidation(top["consolidation"], top)
        limits = self.build_limits(top.get("limits") or _Map(), top)
        return RuleSet(self.path, sha256, self.plan, template, deadlines, abbreviations, suffixes, matching, units,
                       self.lists, self.sheets, rules, consolidation, limits, self.build_mail(top.get("mail"), top),
                       self.build_review(top.get("review"), top), self.documents_of(top, units))

    def documents_of(self, top: dict, units) -> Any:
        """The optional `documents:` (ruleset.documents), checked against the activity list and the units' roles."""
        self.unit_roles = {role for u in units for role in u.roles}
        return self.build_documents(top.get("documents"), top)

    def build_review(self, node: Any, top: dict) -> ReviewInfo | None:
        """The optional `review:`: the council's two column labels and its four decisions, all distinct."""
        if node is None:
            return None
        w = "review"
        n = self.mapping(node, w, {"decision_column", "reason_column", "decisions"}, parent=top, key=w)
        d = self.mapping(n["decisions"], f"{w}.decisions", {"award", "propose", "returned", "pending"},
                         parent=n, key="decisions")
        values = {k: self.text(d, k, f"{w}.decisions", limit=DECISION_LENGTH) for k in ("award", "propose", "returned",
                                                                                         "pending")}
        if len(set(values.values())) != len(values):
            raise self.fail(f"{w}.decisions", "a decision is listed twice", n, "decisions")
        return ReviewInfo(self.text(n, "decision_column", w), self.text(n, "reason_column", w), **values)

    def build_mail(self, node: Any, top: dict) -> MailRules:
        """The optional `mail:`: Date-header tolerance (hours) and which receipt evidence counts."""
        if node is None:
            return MailRules()
        n = self.mapping(node, "mail", set(), {"date_tolerance_hours", "receipt_evidence"}, parent=top, key="mail")
        return MailRules(self.number(n, "date_tolerance_hours", "mail", 0, 24 * 31, whole=False,
                                     default=MailRules.date_tolerance_hours),
                         self.choice(n, "receipt_evidence", "mail", RECEIPT_EVIDENCE, "receipt evidence")
                         if "receipt_evidence" in n else MailRules.receipt_evidence)
