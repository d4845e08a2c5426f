"""The register's nominees of every plan (table `nominees`): what a run leaves in force for its plan,
and the nominees of the other plans a new consolidation is compared with (decide.nominees)."""

from __future__ import annotations

import sqlite3

from ..decide.nominees import Nominee
from ..decide.review import ReviewRow
from ..normalise.people import identity_key
from .register import Register

__all__ = ["Nominees", "record_decisions", "record_nominees"]

_COLUMNS = ("plan_id", "plan_number", "plan_year", "unit", "unit_name", "name", "person_key", "birth_year",
            "cycle", "level", "file", "sheet", "row")


def record_nominees(db: sqlite3.Connection, run_id: int, plan_id: str, nominees: list[Nominee]) -> None:
    """In the run's transaction: the plan's nominees become this run's; one still there keeps the
    council's decision, one no longer in force (corrected, withdrawn) is removed."""
    db.executemany(
        f"INSERT INTO nominees ({', '.join(_COLUMNS)}, run_id) VALUES ({', '.join('?' * (len(_COLUMNS) + 1))}) "
        "ON CONFLICT (plan_id, person_key, unit, cycle) DO UPDATE SET "
        + ", ".join(f"{c} = excluded.{c}" for c in (*_COLUMNS[1:6], "birth_year", "level", "file", "sheet", "row",
                                                     "run_id"))
        + " WHERE nominees.run_id != excluded.run_id",  # a person twice in one cycle: the first row stays
        [(*(getattr(n, c) for c in _COLUMNS), run_id) for n in nominees if n.plan_id == plan_id])
    db.execute("DELETE FROM nominees WHERE plan_id = ? AND run_id != ?", (plan_id, run_id))


def record_decisions(db: sqlite3.Connection, plan_id: str, rows: list[ReviewRow], unit_ids: dict[str, str],
                     pending: str) -> None:
    """In the run's transaction, after record_nominees: each nominee's decision and reason as the run
    applied them (its review rows), for a later plan's DN-NAMTRUOC. A row "not yet reviewed" leaves
    the nominee's decision as it was (record_nominees keeps it for a nominee still there)."""
    db.executemany(
        "UPDATE nominees SET decision = ?, decision_reason = ? WHERE plan_id = ? AND unit = ? AND person_key = ?",
        [(r.decision, r.reason or None, plan_id, unit_ids.get(r.unit, r.unit), identity_key(r.nominee, r.birth_year))
         for r in rows if r.decision != pending])


class Nominees:
    def __init__(self, register: Register):
        self.register = register

    def of_plan(self, plan_id: str) -> list[Nominee]:
        return self._read("plan_id = ?", (plan_id,))

    def of_other_plans(self, plan_id: str) -> list[Nominee]:
        """Every nominee the register keeps of a plan other than `plan_id`."""
        return self._read("plan_id != ?", (plan_id,))

    def _read(self, where: str, params: tuple) -> list[Nominee]:
        rows = self.register.rows(f"SELECT * FROM nominees WHERE {where} ORDER BY id", params)
        return [Nominee(*(r[c] for c in _COLUMNS), decision=r["decision"]) for r in rows]
