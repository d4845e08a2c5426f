"""The register's nominees get the council's decision a run applied (record_decisions), matched by
unit and identity key, so that a later plan's DN-NAMTRUOC can name the earlier decision; a row not
yet reviewed leaves the nominee's decision as it was."""

from __future__ import annotations

from checker.decide.nominees import Nominee
from checker.decide.review import ReviewRow
from checker.normalise.people import identity_key
from checker.workspace.nominees import Nominees, record_decisions, record_nominees
from checker.workspace.register import Register


def nominee(name, birth):
    return Nominee("KH-A", "327/KH-SVHTT", 2023, "VP", "Văn phòng Sở", name, identity_key(name, birth), birth,
                   "2023-05", "Sở", "VP_thang05.xlsx", "Danh sách đề nghị", 5)


def review(name, birth, decision, reason=""):
    return ReviewRow("Văn phòng Sở", name, birth, "Sở", "", "VP_thang05.xlsx", 5, decision, reason)


def test_a_runs_decisions_are_kept_on_its_nominees(tmp_path):
    register = Register(tmp_path / "register.sqlite3")
    with register.transaction() as db:
        db.execute("INSERT INTO runs (as_of, rules_sha256, counts, started_at, finished_at) "
                   "VALUES ('2023-07-25', 'x', '{}', 'a', 'b')")
        record_nominees(db, 1, "KH-A", [nominee("Đặng Thị Nam", "1983"), nominee("Đỗ Thị Tuấn", "1991"),
                                        nominee("Lê Thị Hoa", None)])
        db.execute("UPDATE nominees SET decision = 'Đề nghị Thành phố' WHERE name = 'Đỗ Thị Tuấn'")
        record_decisions(db, "KH-A", [review("Đặng Thị Nam", "1983", "Trả lại", "Thiếu minh chứng"),
                                      review("Đỗ Thị Tuấn", "1991", "Chưa xét"),
                                      review("Lê Thị Hoa", "", "Khen cấp Sở")], {"Văn phòng Sở": "VP"}, "Chưa xét")
        reasons = db.execute("SELECT name, decision_reason FROM nominees ORDER BY id").fetchall()
    assert [(n.name, n.decision) for n in Nominees(register).of_plan("KH-A")] == [
        ("Đặng Thị Nam", "Trả lại"), ("Đỗ Thị Tuấn", "Đề nghị Thành phố"), ("Lê Thị Hoa", "Khen cấp Sở")]
    assert reasons == [("Đặng Thị Nam", "Thiếu minh chứng"), ("Đỗ Thị Tuấn", None), ("Lê Thị Hoa", None)]
