"""What a run is recorded as and read back: the per-unit rows (the summary report's status) beside
the unit × cycle rows, as plain JSON values, after the workspace is opened again."""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo

import pandas as pd

from checker import api
from checker.model.words import EVIDENCE_SENT
from checker.workspace.records import plain, unit_rows

from ..conftest import ROOT

HANOI = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
SAMPLES = ROOT / "sample_workbooks"
SUMMARY = SAMPLES / "tong_ket" / "VP_bao_cao_tong_ket.xlsx"
MONTHLY = SAMPLES / "thang_07" / "VP_thang07.xlsx"
RECEIVED = dt.datetime(2023, 7, 20, 9, 0, tzinfo=HANOI)


def test_unit_rows_are_plain_json_in_order():
    """One tuple per unit: position, unit, status code and the row as JSON (times as ISO text, NaN as null)."""
    at = pd.Timestamp("2023-11-30 08:15", tz=HANOI)
    units = pd.DataFrame([{"unit": "VP", "status": "Đúng hạn", "status_code": "on_time", "received_at": at,
                           "evidence": "sent_date"},
                          {"unit": "KICH", "status": "Chưa đến hạn", "status_code": "not_due",
                           "received_at": pd.NaT, "evidence": ""}])
    assert unit_rows(units) == [
        (0, "VP", "on_time", json.dumps({"unit": "VP", "status": "Đúng hạn", "status_code": "on_time",
                                         "received_at": "2023-11-30T08:15:00+07:00", "evidence": "sent_date"},
                                        ensure_ascii=False)),
        (1, "KICH", "not_due", json.dumps({"unit": "KICH", "status": "Chưa đến hạn", "status_code": "not_due",
                                           "received_at": None, "evidence": ""}, ensure_ascii=False))]


def test_the_last_run_keeps_each_units_summary_report_row(tmp_path, rules):
    """A run over the Office's summary report and July report: last_run gives one row per official
    unit (the rules file's order) equal to the run's per-unit table, the Office's summary report
    on time, the others missing; the same after the workspace is opened again."""
    root = tmp_path / "ntvt"
    ws = api.open_workspace(root, rules)
    api.receive_files(ws, [(p.name, p.read_bytes()) for p in (MONTHLY, SUMMARY)], received_at=RECEIVED,
                      as_of=RECEIVED.date())
    result = api.consolidate_workspace(ws, as_of=dt.date(2023, 12, 31), run_at=RECEIVED)
    expected = [{k: plain(v) for k, v in row.items()} for row in result.units.to_dict("records")]
    again = api.last_run(api.open_workspace(root, rules))
    assert again.units == expected
    assert [u["unit"] for u in again.units] == [u.id for u in rules.units]
    office = next(u for u in again.units if u["unit"] == "VP")
    # Its receipt is the template's “Ngày gửi” (20/07/2023), before the upload time.
    assert (office["status"], office["status_code"], office["received_at"], office["evidence"]) == (
        "Đúng hạn", "on_time", "2023-07-20T00:00:00+07:00", EVIDENCE_SENT)
    assert {u["status_code"] for u in again.units if u["unit"] != "VP"} == {"missing"}
    assert ws.runs()[0].units == []  # runs() lists the runs; their rows are read by last_run
