"""The rules file's model: frozen dataclasses for the plan, its calendar, units, lists, sheets and rules.

Built only by the loader (ruleset.loader), read by every stage. No pandas, no YAML here.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..model.words import CYCLE_LABEL

if TYPE_CHECKING:
    from .documents import DocumentsInfo  # the `documents:` block's model, beside its builder


@dataclass(frozen=True)
class Plan:
    id: str
    number: str
    issued: dt.date
    title: str
    issuer: str
    recipient: str
    start: dt.date
    end: dt.date
    year: int
    movement: str  # the movement's name, as letters and documents quote it
    office: str  # who receives the units' reports
    place: str  # where documents are signed ("<place>, ngày … tháng … năm …")
    short_name: str  # ASCII, in file names
    # The office's mailbox: the From of the reply drafts `ntvt send` sends (optional; else --from).
    office_email: str | None = None


@dataclass(frozen=True)
class TemplateInfo:
    version: str
    older_versions: tuple[str, ...]
    title: str
    contact: str
    nomination_rows: int
    activity_rows: int


@dataclass(frozen=True)
class Deadlines:
    utc_offset_hours: float
    policy: str
    holidays: frozenset[dt.date]
    monthly_day: int
    monthly_clause: str
    monthly_quote: str
    cycles: tuple[str, ...]  # "YYYY-MM"
    summary_due: dt.date
    summary_clause: str
    summary_quote: str

    @property
    def zone(self) -> dt.timezone:
        """The plan's local time: every deadline, receipt and `as_of` is read in it."""
        return dt.timezone(dt.timedelta(hours=self.utc_offset_hours))

    def to_local(self, moment: dt.datetime) -> dt.datetime:
        """An aware moment in local time; a naive one is taken as already local."""
        return moment.replace(tzinfo=self.zone) if moment.tzinfo is None else moment.astimezone(self.zone)


@dataclass(frozen=True)
class Unit:
    id: str
    name: str
    kind: str
    required: bool
    aliases: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    # Where reply drafts go when neither an email nor the report's own address cell gives one.
    email: str | None = None


@dataclass(frozen=True)
class ListItem:
    value: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class FieldSpec:
    """A column of a table sheet or a labelled row of a form sheet."""

    key: str
    label: str
    type: str
    prompt: str
    list: str | None = None
    width: int | None = None
    role: str | None = None  # what the code knows this column as (ruleset.roles)


@dataclass(frozen=True)
class SheetSpec:
    key: str
    name: str
    kind: str  # guide | form | table
    fields: tuple[FieldSpec, ...] = ()
    role: str | None = None  # what the code knows this sheet as (ruleset.roles)

    def field(self, key: str) -> FieldSpec:
        return next(f for f in self.fields if f.key == key)

    def key_of(self, role: str) -> str | None:
        """The key of this sheet's column that plays `role` (e.g. its row number), or None."""
        return next((f.key for f in self.fields if f.role == role), None)


@dataclass(frozen=True)
class Condition:
    column: str
    values: tuple[str, ...]
    negate: bool  # True for not_in


@dataclass(frozen=True)
class CheckSpec:
    rule_id: str
    kind: str
    severity: str
    message: str
    params: dict[str, Any]
    when: Condition | None = None

    @property
    def columns(self) -> tuple[str, ...]:
        if "columns" in self.params:
            return tuple(self.params["columns"])
        if "column" in self.params:
            return (self.params["column"],)
        return ()


@dataclass(frozen=True)
class Rule:
    id: str
    level: str
    sheet: str | None
    clause: str
    title: str
    quote: str
    checks: tuple[CheckSpec, ...]
    cites: str = "plan"  # plan | template: what the clause is a clause of
    guide: str | None = None  # criteria: the template's guide shows the quote as the criteria

    @property
    def severities(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(c.severity for c in self.checks))


@dataclass(frozen=True)
class Limits:
    """Guards against hostile or broken inputs; overridable in the rules file's `limits:`."""

    max_file_bytes: int = 20 * 1024 * 1024
    max_uncompressed_bytes: int = 200 * 1024 * 1024
    max_compression_ratio: int = 200
    max_zip_members: int = 2000
    max_rows: int = 10_000
    max_columns: int = 200
    max_cell_chars: int = 32_767


RECEIPT_EVIDENCE = ("internaldate", "date_header")


@dataclass(frozen=True)
class MailRules:
    """Emails fetched from the mailbox (the rules file's optional `mail:`): how far the Date header
    may be from the server's INTERNALDATE before it is flagged, and which of the two counts."""

    date_tolerance_hours: float = 24
    receipt_evidence: str = "date_header"


@dataclass(frozen=True)
class UnitMatching:
    """How a written unit name is matched to an official one (scores from 0 to 1; see the rules file)."""

    accept_score: float = 0.9
    margin: float = 0.1
    suggest_score: float = 0.65
    word_score: float = 0.85


@dataclass(frozen=True)
class ConsolidationInfo:
    """Which list values carry meaning for consolidation."""

    monthly_report: str
    summary_report: str
    city_level: str
    max_comments: int
    # Per table sheet (key): the columns that say two rows are about the same thing (a nominee, an
    # activity). A later file of the same unit and cycle replaces an earlier row with the same
    # values there (a correction); other rows accumulate. A sheet not named: its rows accumulate.
    same_row: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class ReviewInfo:
    """The council's review (the rules file's optional `review:`): the labels of the two columns it
    fills and the decisions it may choose, by meaning."""

    decision_label: str
    reason_label: str
    award: str  # the Sở itself commends
    propose: str  # proposed to the City
    returned: str  # sent back to the unit, with the reason
    pending: str  # not decided yet

    @property
    def choices(self) -> tuple[str, ...]:
        return (self.award, self.propose, self.returned, self.pending)


@dataclass(frozen=True)
class RuleSet:
    path: Path
    sha256: str
    plan: Plan
    template: TemplateInfo
    deadlines: Deadlines
    abbreviations: dict[str, str]
    drop_suffixes: tuple[str, ...]
    unit_matching: UnitMatching
    units: tuple[Unit, ...]
    lists: dict[str, tuple[ListItem, ...]]
    sheets: tuple[SheetSpec, ...]
    rules: tuple[Rule, ...]
    consolidation: "ConsolidationInfo | None" = None
    limits: Limits = field(default_factory=Limits)
    mail: MailRules = field(default_factory=MailRules)
    review: ReviewInfo | None = None
    documents: "DocumentsInfo | None" = None  # the words of `ntvt documents` (the optional `documents:`)

    def sheet(self, key: str) -> SheetSpec:
        return next(s for s in self.sheets if s.key == key)

    def sheet_key(self, role: str) -> str | None:
        """The key of the sheet that plays `role` (ruleset.roles), or None if the rules have none."""
        return self._roles[0].get(role)

    def field_key(self, role: str) -> str | None:
        """The key of the column or form field that plays `role`, or None if the rules have none."""
        return self._roles[1].get(role)

    def field_by_role(self, role: str) -> FieldSpec | None:
        """The column or form field that plays `role` (a role held once in the file), or None."""
        return self._roles[2].get(role)

    @functools.cached_property
    def _roles(self) -> tuple[dict[str, str], dict[str, str], dict[str, FieldSpec]]:
        sheets = {s.role: s.key for s in self.sheets if s.role}
        specs = {f.role: f for s in self.sheets for f in s.fields if f.role}
        return sheets, {role: f.key for role, f in specs.items()}, specs

    def rule(self, rule_id: str) -> Rule:
        return self._rules_by_id[rule_id]

    @functools.cached_property
    def _rules_by_id(self) -> dict[str, Rule]:
        return {r.id: r for r in self.rules}

    def list_values(self, name: str) -> tuple[str, ...]:
        return tuple(item.value for item in self.lists[name])

    def rules_at(self, level: str) -> tuple[Rule, ...]:
        return tuple(r for r in self.rules if r.level == level)

    @property
    def form_fields(self) -> dict[str, tuple[str, FieldSpec]]:
        """Every field of every form sheet: key -> (sheet key, spec)."""
        return {f.key: (s.key, f) for s in self.sheets if s.kind == "form" for f in s.fields}

    def citation(self, rule_id: str) -> str:
        """What a message ends with: the plan clause it rests on (or the template, for format rules)."""
        return self._citations[rule_id]

    @functools.cached_property
    def _citations(self) -> dict[str, str]:
        out = {}
        for rule in self.rules:
            clause = rule.clause
            if rule.cites == "plan":
                out[rule.id] = f" (Căn cứ: {clause}, Kế hoạch số {self.plan.number}.)"
            else:
                out[rule.id] = f" (Căn cứ: {clause[0].lower() + clause[1:]}.)"
        return out

    def cycle_label(self, cycle: str) -> str:
        year, month = cycle.split("-")
        return CYCLE_LABEL.format(month=month, year=year)

    def cycle_words(self, cycle: str) -> str:
        """The cycle inside a sentence ("kỳ tháng 06/2023"): its label, not capitalised."""
        label = self.cycle_label(cycle)
        return label[:1].lower() + label[1:]
