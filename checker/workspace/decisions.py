"""The council's decisions kept in the register (table `decisions`): one current decision per plan,
unit and person, keyed as decide/review keys a nominee (the unit's and the name's identity keys, the
birth year's), so a decision survives a unit's correction and later runs exactly as one read from a
filled "Xét duyệt" sheet does. Each records when it was decided (the caller's time) and where: the
web page's form, or the workbook it was imported from (its name and the decision's cell there).
The last run's review rows (what the web page's "Xét duyệt" lists) are kept too (table `run_review`)."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from dataclasses import asdict, dataclass

from ..decide.review import ReviewRow, person
from ..read.decisions import Decided
from ..ruleset.spec import ReviewInfo
from .records import RunRecord, moment
from .register import Register

__all__ = ["Decisions", "ReviewPage", "StoredDecision", "current_rows", "record_review_rows", "review_page"]


@dataclass(frozen=True)
class StoredDecision:
    """One decision as the register keeps it."""

    unit: str
    nominee: str
    birth_year: str
    decision: str
    reason: str
    decided_at: dt.datetime
    origin: str  # "" for the web page's form, else the workbook's file name
    origin_row: int = 0  # the decision's cell in that workbook (0: none)
    origin_col: int = 0

    def decided(self, place: str) -> Decided:
        """As decide/review reads a row: reported at its workbook's cell, or (row 0) as saved on the
        web page at decided_at, in the plan's `place`'s time."""
        web = f"Quyết định lưu trên trang web “Xét duyệt” lúc {self.decided_at:%d/%m/%Y %H:%M} giờ {place}"
        return Decided(self.origin_row, self.origin_col, self.unit, self.nominee, self.birth_year, self.decision,
                       self.reason, self.origin or web)


def _keys(unit: str, nominee: str, birth_year: str) -> tuple[str, str, str]:
    (unit_key, name_key), birth_key = person(unit, nominee, birth_year)
    return unit_key, name_key, birth_key


class Decisions:
    """The decisions of every plan in a workspace's register."""

    def __init__(self, register: Register):
        self.register = register

    def of_plan(self, plan_id: str) -> list[StoredDecision]:
        """The plan's current decisions, in the order first decided."""
        rows = self.register.rows("SELECT * FROM decisions WHERE plan_id = ? ORDER BY id", (plan_id,))
        return [StoredDecision(r["unit"], r["nominee"], r["birth_year"], r["decision"], r["reason"],
                               dt.datetime.fromisoformat(r["decided_at"]), r["origin"], r["origin_row"],
                               r["origin_col"]) for r in rows]

    def save(self, plan_id: str, rows: list[Decided], *, decided_at: dt.datetime, origin: str = "",
             pending: str | None = None) -> int:
        """Record each row's decision as the current one for its person; how many changed. A row
        the same as the one kept (decision and reason) changes nothing; a `pending` row ("not yet
        reviewed") for a person never decided is not recorded. `origin`: "" (the web page's form)
        or the imported workbook's name, whose rows keep their cell."""
        at = moment(decided_at)
        changed = 0
        with self.register.transaction() as db:
            for r in rows:
                keys = _keys(r.unit, r.nominee, r.birth_year)
                kept = db.execute("SELECT decision, reason FROM decisions WHERE plan_id = ? AND unit_key = ? AND "
                                  "name_key = ? AND birth_key = ?", (plan_id, *keys)).fetchone()
                if kept == (r.decision, r.reason) or (kept is None and r.decision == pending and not r.reason):
                    continue
                where = (r.row, r.col) if origin else (0, 0)
                db.execute(
                    "INSERT INTO decisions (plan_id, unit_key, name_key, birth_key, unit, nominee, birth_year, decision, "
                    "reason, decided_at, origin, origin_row, origin_col) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT (plan_id, unit_key, name_key, birth_key) DO UPDATE SET unit = excluded.unit, "
                    "nominee = excluded.nominee, birth_year = excluded.birth_year, decision = excluded.decision, "
                    "reason = excluded.reason, decided_at = excluded.decided_at, origin = excluded.origin, "
                    "origin_row = excluded.origin_row, origin_col = excluded.origin_col",
                    (plan_id, *keys, r.unit, r.nominee, r.birth_year, r.decision, r.reason, at, origin, *where))
                changed += 1
        return changed

    def review_rows(self, run_id: int) -> list[ReviewRow]:
        """The review rows a run recorded (record_review_rows), in its order."""
        rows = self.register.rows("SELECT row FROM run_review WHERE run_id = ? ORDER BY position", (run_id,))
        return [ReviewRow(**json.loads(r["row"])) for r in rows]


def record_review_rows(db: sqlite3.Connection, run_id: int, rows: list[ReviewRow]) -> None:
    """In the run's transaction: the run's review rows, for the web page's "Xét duyệt"."""
    db.executemany("INSERT INTO run_review VALUES (?, ?, ?)",
                   [(run_id, n, json.dumps(asdict(r), ensure_ascii=False)) for n, r in enumerate(rows)])


def current_rows(rows: list[ReviewRow], stored: list[StoredDecision], pending: str
                 ) -> tuple[list[ReviewRow], list[StoredDecision]]:
    """The run's review rows with the decisions kept now (a decision saved since the run shows), and
    the kept decisions (other than "not yet reviewed") that match none of them: for a nominee gone."""
    by_person: dict[tuple[str, str], list[tuple[str, int]]] = {}
    for n, d in enumerate(stored):
        key, birth = person(d.unit, d.nominee, d.birth_year)
        by_person.setdefault(key, []).append((birth, n))
    used, out = set(), []
    for r in rows:
        key, birth = person(r.unit, r.nominee, r.birth_year)
        match = next((n for known, n in by_person.get(key, ()) if known == birth or not known or not birth), None)
        if match is not None:
            used.add(match)
            r = ReviewRow(**{**asdict(r), "decision": stored[match].decision, "reason": stored[match].reason})
        out.append(r)
    return out, [d for n, d in enumerate(stored) if n not in used and d.decision != pending]


@dataclass(frozen=True)
class ReviewPage:
    """What the web page's "Xét duyệt" shows: the last run's review rows with the decisions kept now,
    the kept decisions that match no nominee of that run, and the decisions one may choose."""

    run: RunRecord | None
    rows: list[ReviewRow]
    gone: list[StoredDecision]
    choices: tuple[str, ...]
    returned: str  # the decision that needs a reason (it goes into the unit's letter)
    pending: str


def review_page(decisions: Decisions, run: RunRecord | None, plan_id: str, info: ReviewInfo) -> ReviewPage:
    """The page of `run` (the last one, or None before any) for the plan, under the rules' `review:`."""
    rows, gone = current_rows(decisions.review_rows(run.id) if run else [], decisions.of_plan(plan_id), info.pending)
    return ReviewPage(run, rows, gone, info.choices, info.returned, info.pending)
