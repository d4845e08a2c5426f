"""The workspace through the API: the sample inbox received, consolidated, recorded and read back."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
import zoneinfo
from collections import Counter
from pathlib import Path

import pytest

from checker import api
from checker.model.words import EVIDENCE_EMAIL, EVIDENCE_SENT, EVIDENCE_UPLOAD
from checker.workspace.records import plain

from .builders.hostile_inbox import eml
from .conftest import ROOT

HANOI = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
AS_OF = dt.date(2023, 7, 25)
RECEIVED = dt.datetime(2023, 7, 1, 9, 0, tzinfo=HANOI)
RUN_AT = dt.datetime(2023, 7, 25, 16, 45, tzinfo=HANOI)
SAMPLES = ROOT / "sample_workbooks"


def sample_files() -> list[tuple[str, bytes]]:
    """The bundled sample inbox as a browser would send a folder: relative names and bytes."""
    return [(p.relative_to(SAMPLES).as_posix(), p.read_bytes()) for p in sorted(SAMPLES.rglob("*")) if p.is_file()]


@pytest.fixture(scope="module")
def run(tmp_path_factory, rules):
    """A workspace holding the samples, consolidated once; the same inbox consolidated by the CLI's way."""
    ws = api.open_workspace(tmp_path_factory.mktemp("ws") / "ntvt", rules)
    received = api.receive_files(ws, sample_files(), received_at=RECEIVED, as_of=AS_OF)
    result = api.consolidate_workspace(ws, as_of=AS_OF, run_at=RUN_AT)
    reference = api.consolidate(SAMPLES, None, rules, as_of=AS_OF)
    return ws, received, result, reference, result.output.read_bytes()


def test_every_sample_file_is_received_once(run):
    ws, received, *_ = run
    assert len(received) == len(sample_files()) == 55
    assert [r.duplicate for r, _ in received].count(True) == 0 and all(r.refused is None for r, _ in received)
    assert [f.name for f in api.workspace_files(ws)] == [name for name, _ in sample_files()]


def test_the_matrix_matches_the_folder_consolidation(run):
    """The same files give the same unit × cycle statuses, receipts and evidence from the workspace as
    from the folder: the upload time (01/07/2023 09:00, when the clerk uploaded the saved
    attachments) is only the last resort, as a file's modification time is in a folder, so the
    template's “Ngày gửi” and an email's Date decide, and no unit turns late by a late upload."""
    _, _, result, reference, _ = run
    ours = {(r.unit, r.cycle): (r.status_code, r.evidence, r.received_at) for r in result.cycles.itertuples()}
    theirs = {(r.unit, r.cycle): (r.status_code, r.evidence, r.received_at) for r in reference.cycles.itertuples()}
    assert ours == theirs and len(ours) == 120
    assert Counter(evidence for _, evidence, _ in ours.values()) == {"": 73 - 5, EVIDENCE_EMAIL: 5, EVIDENCE_SENT: 47}


def test_the_run_is_recorded_and_read_back(run, rules):
    """The register keeps the run: counts, outputs' hash, the unit × cycle rows and every finding."""
    ws, _, result, reference, output = run
    last = api.last_run(ws)
    assert (last.id, last.as_of, last.rules_sha256, last.output) == (1, AS_OF, rules.sha256,
                                                                      "ket_qua/tong_hop_2023-07-25.xlsx")
    assert last.output_sha256 == hashlib.sha256(output).hexdigest()
    assert last.counts == result.counts and last.started_at == RUN_AT and last.finished_at >= RUN_AT
    assert last.cycles == [{k: plain(v) for k, v in row.items()} for row in result.cycles.to_dict("records")]
    assert json.loads(json.dumps(last.cycles)) == last.cycles
    findings = api.run_findings(ws, last.id)
    assert [(f.file, f.sheet, f.cell, f.rule_id, f.severity, f.message) for f in findings] == [
        (f.file, f.sheet, f.cell, f.rule_id, f.severity.value, f.message) for f in result.findings]
    # The same findings as the folder's run (same evidence, same statuses), and the same names.
    assert sorted((f.file or "", f.cell or "", f.rule_id) for f in findings) == sorted(
        (f.file or "", f.cell or "", f.rule_id) for f in reference.findings)
    assert len(findings) == 62


def test_findings_are_filtered_in_sql(run):
    """Filters by unit, cycle, rule and severity; a file's finding carries its file's unit and cycle."""
    ws, _, result, _, _ = run
    run_id = api.last_run(ws).id
    errors = api.run_findings(ws, run_id, severity="error")
    assert len(errors) == sum(f.severity.value == "error" for f in result.findings) == 36
    decided = {result.validation.books[d.index].name: d for d in result.decisions}
    some = next(f for f in result.findings if f.file is not None and decided[f.file].unit_id)
    unit, cycle = decided[some.file].unit_id, decided[some.file].period
    picked = api.run_findings(ws, run_id, unit=unit, cycle=cycle, rule=some.rule_id)
    assert picked and {(f.unit, f.cycle, f.rule_id) for f in picked} == {(unit, cycle, some.rule_id)}
    assert api.run_findings(ws, run_id, unit="NO-SUCH-UNIT") == []


def test_each_file_shows_its_unit_cycle_and_status_of_the_last_run(run):
    ws, _, result, _, _ = run
    by_name = {result.validation.books[d.index].name: d for d in result.decisions}
    files = api.workspace_files(ws)
    spreadsheets = [f for f in files if f.name.endswith(".xlsx")]
    assert [(f.unit, f.cycle, f.status) for f in spreadsheets] == [
        (by_name[f.name].unit_id, by_name[f.name].period, by_name[f.name].status) for f in spreadsheets]
    emails = [f for f in files if f.name.endswith(".eml")]
    assert len(emails) == 5 and all(f.status == "used" for f in emails)


def test_outputs_are_the_workbook_and_the_feedback_under_ket_qua(run):
    """workspace_outputs lists what the run wrote (the workbook, each unit's copies and reply draft), nothing else."""
    ws, _, result, _, _ = run
    outputs = api.workspace_outputs(ws)
    assert outputs[0] == result.output == ws.root / "ket_qua" / "tong_hop_2023-07-25.xlsx"
    assert sorted(outputs[1:]) == sorted(result.feedback) and len(outputs) == 29
    assert {p.relative_to(ws.root).parts[:2] for p in outputs[1:]} == {("ket_qua", "tra_loi_2023-07-25")}


def test_a_second_run_gives_the_same_bytes_whatever_its_time(run):
    """Same files, same as_of: the workbook is byte for byte the same, run at another time; both runs recorded."""
    ws, _, _, _, output = run
    again = api.consolidate_workspace(ws, as_of=AS_OF, run_at=RUN_AT + dt.timedelta(days=3, hours=5))
    assert again.output.read_bytes() == output
    digest = hashlib.sha256(output).hexdigest()
    assert [(r.id, r.output_sha256, r.started_at) for r in ws.runs()] == [
        (1, digest, RUN_AT), (2, digest, RUN_AT + dt.timedelta(days=3, hours=5))]
    with sqlite3.connect(ws.root / "register.sqlite3") as db:
        assert db.execute("SELECT COUNT(*) FROM run_files WHERE run_id = 2").fetchone()[0] == 55


def test_receive_files_checks_each_file(tmp_path, rules, make_book):
    """A clean workbook has no finding; an email is checked through its attachment; a refused file,
    a duplicate and a file that is no report say so."""
    ws = api.open_workspace(tmp_path / "ws", rules)
    book = make_book().read_bytes()
    mail = eml(tmp_path / "thu.eml", [("bc.xlsx", make_book(rows=[{"gender": "nam giới"}]).read_bytes())]).read_bytes()
    got = api.receive_files(ws, [("bc.xlsx", book), ("thu.eml", mail), ("bc_lai.xlsx", book), ("rong.xlsx", b""),
                                 ("ghi_chu.txt", b"hello")], received_at=RECEIVED, as_of=AS_OF)
    assert [(r.name, r.duplicate, r.refused) for r, _ in got] == [
        ("bc.xlsx", False, None), ("thu.eml", False, None), ("bc_lai.xlsx", True, None),
        ("rong.xlsx", False, "tệp rỗng (0 byte)"), ("ghi_chu.txt", False, None)]
    assert [(f.name, f.status) for _, report in got for f in report.files] == [
        ("bc.xlsx", "checked"), ("thu.eml › bc.xlsx", "checked"), ("bc_lai.xlsx", "checked"),
        ("rong.xlsx", "rejected"), ("ghi_chu.txt", "rejected")]
    assert got[0][1].findings == [] and got[1][1].flatten(("file", "code")) != []
    assert got[4][1].files[0].reason == "không phải bảng tính hay thư điện tử (đuôi “.txt”)"
    assert [f.receptions for f in api.workspace_files(ws)] == [2, 1, 1]


def test_a_workspace_survives_reopening(tmp_path, rules):
    """What was received is there after the workspace is opened again (a restart of the page)."""
    ws = api.open_workspace(tmp_path / "ws", rules)
    api.receive_files(ws, [("a.xlsx", b"PK\x03\x04 x")], received_at=RECEIVED, as_of=AS_OF)
    assert [f.name for f in api.workspace_files(api.open_workspace(Path(tmp_path / "ws"), rules))] == ["a.xlsx"]


def test_without_a_sent_date_the_upload_time_decides(tmp_path, make_book):
    """A report whose “Ngày gửi” is blank rests on its upload time, named as such: on time if
    uploaded before the deadline, late after it (HAN-THANG says when and on what evidence)."""
    ws = api.open_workspace(tmp_path / "ntvt")
    early = make_book(info={"sent_date": None}, period="2023-06", name="som.xlsx")
    late = make_book(info={"sent_date": None}, unit="KICH", period="2023-06", name="muon.xlsx")
    api.receive_files(ws, [("som.xlsx", early.read_bytes())], as_of=AS_OF,
                      received_at=dt.datetime(2023, 6, 18, 10, 0, tzinfo=HANOI))
    api.receive_files(ws, [("muon.xlsx", late.read_bytes())], as_of=AS_OF,
                      received_at=dt.datetime(2023, 6, 21, 10, 0, tzinfo=HANOI))
    result = api.consolidate_workspace(ws, as_of=AS_OF, run_at=RUN_AT)
    rows = {(r.unit, r.cycle): (r.status_code, r.evidence, r.received_at) for r in result.cycles.itertuples()}
    assert rows[("CHEO", "2023-06")] == ("on_time", EVIDENCE_UPLOAD, dt.datetime(2023, 6, 18, 10, 0, tzinfo=HANOI))
    assert rows[("KICH", "2023-06")] == ("late", EVIDENCE_UPLOAD, dt.datetime(2023, 6, 21, 10, 0, tzinfo=HANOI))
    late_finding = next(f for f in result.findings if f.rule_id == "HAN-THANG" and f.unit == "KICH"
                        and f.cycle == "2023-06")
    assert "nhận lúc 10:00 ngày 21/06/2023" in late_finding.message and "theo thời điểm tải lên" in late_finding.message
