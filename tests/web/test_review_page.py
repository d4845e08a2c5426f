"""The page "Xét duyệt": the last run's valid nominations in force (the workbook's "Xét duyệt" rows),
a decision and a reason for each; one POST (CSRF-checked) saves the rows changed into the register;
a return without a reason is refused on its row; the next "Tổng hợp" applies what was saved to the
downloaded workbook's "Xét duyệt" and "Đề xuất Thành phố" and to the unit's letter."""

from __future__ import annotations

import datetime as dt
import email
import html
import io
import re
from email import policy

import openpyxl
import pytest

from checker import api

from .conftest import BASE, NOW, SAMPLES, TestClient, create_app, text_of, title, token

AS_OF = dt.date(2023, 7, 25)
RECEIVED = dt.datetime(2023, 7, 1, 9, 0, tzinfo=NOW.tzinfo)
SHEET, CITY, TOP = "Xét duyệt", "Đề xuất Thành phố", 3
ROW = re.compile(r'<tr id="guong-(\d+)"[^>]*>\s*<td>\d+</td>\s*<td>(.*?)</td>\s*<td>(.*?)</td>\s*<td>(.*?)</td>', re.S)
SELECTED = re.compile(r'<select name="quyet-dinh-(\d+)".*?<option value="([^"]*)" selected>', re.S)
REASONS = re.compile(r'<input type="text" name="ly-do-(\d+)" value="([^"]*)"')
REASON = "Thành tích chưa có xác nhận của công đoàn cơ sở"


@pytest.fixture(scope="module")
def root(tmp_path_factory, rules):
    """A workspace holding every sample file, consolidated once through the API."""
    root = tmp_path_factory.mktemp("review") / "ntvt"
    ws = api.open_workspace(root, rules)
    files = [(p.relative_to(SAMPLES).as_posix(), p.read_bytes()) for p in sorted(SAMPLES.rglob("*")) if p.is_file()]
    api.receive_files(ws, files, received_at=RECEIVED, as_of=AS_OF)
    api.consolidate_workspace(ws, as_of=AS_OF, run_at=RECEIVED)
    return root


@pytest.fixture
def site(root, rules, tmp_path):
    """A fresh copy of the consolidated workspace (each test saves its own decisions), and its page."""
    import shutil  # lazy: only this fixture copies folders
    copy = tmp_path / "ntvt"
    shutil.copytree(root, copy)
    app = create_app(copy, rules, clock=lambda: NOW)
    with TestClient(app, base_url=BASE, raise_server_exceptions=False) as client:
        yield client, app


def page_rows(text: str) -> list[tuple[str, str, str]]:
    return [(html.unescape(u), html.unescape(n), y) for _, u, n, y in ROW.findall(text)]


def form_of(text: str, client, **changes) -> dict[str, str]:
    """What the browser sends: every row's selected decision and its reason, then `changes`
    (nominee -> (decision, reason))."""
    rows = page_rows(text)
    data = {"csrf_token": token(client), "run": re.search(r'name="run" value="(\d+)"', text).group(1)}
    for n, decision in SELECTED.findall(text):
        data[f"quyet-dinh-{n}"] = html.unescape(decision)
    for n, reason in REASONS.findall(text):
        data[f"ly-do-{n}"] = html.unescape(reason)
    for n, (_, nominee, _) in enumerate(rows):
        if nominee in changes:
            data[f"quyet-dinh-{n}"], data[f"ly-do-{n}"] = changes[nominee]
    return data


def workbook_rows(book) -> list[tuple]:
    return [r for r in book[SHEET].iter_rows(min_row=TOP + 1, values_only=True) if r[2]]


def test_the_page_lists_the_workbooks_review_rows_with_a_choice_each(site, root):
    """Same rows, same order as the workbook's "Xét duyệt" (unit, name, birth year); each row a select of
    the rules file's four decisions ("Chưa xét" chosen) and a reason; the page is in the navigation."""
    client, _ = site
    response = client.get("/xet-duyet")
    assert (response.status_code, title(response)) == (200, "Xét duyệt – ntvt")
    book = openpyxl.load_workbook(root / "ket_qua" / "tong_hop_2023-07-25.xlsx")
    expected = [(r[1], r[2], str(r[3]) if r[3] else "") for r in workbook_rows(book)]
    assert len(expected) == 63 and page_rows(response.text) == expected
    assert {d for _, d in SELECTED.findall(response.text)} == {"Chưa xét"}
    first = response.text.split('<tr id="guong-0"')[1].split("</tr>")[0]
    assert re.findall(r'<option value="([^"]*)"', first) == ["Khen cấp Sở", "Đề nghị Thành phố", "Trả lại", "Chưa xét"]
    assert '<a href="/xet-duyet" aria-current="page">Xét duyệt</a>' in response.text


def test_a_post_without_the_csrf_token_is_refused_and_saves_nothing(site):
    client, app = site
    data = form_of(client.get("/xet-duyet").text, client, **{"Đỗ Thị Tuấn": ("Khen cấp Sở", "")})
    data["csrf_token"] = "gia-mao"
    response = client.post("/xet-duyet", data=data)
    assert response.status_code == 403 and "thiếu mã xác nhận" in response.text
    assert app.state.site.workspace.decisions().of_plan(app.state.site.rules.plan.id) == []


def test_a_return_without_a_reason_is_refused_on_its_row(site):
    """Nothing is saved; the row is marked with the words, the values typed are kept in the form."""
    client, app = site
    text = client.get("/xet-duyet").text
    response = client.post("/xet-duyet", data=form_of(text, client, **{
        "Đặng Thị Nam": ("Trả lại", "   "), "Đỗ Thị Tuấn": ("Đề nghị Thành phố", "")}))
    assert response.status_code == 400
    said = text_of(response.text)
    assert ("Chưa lưu quyết định nào: 1 dòng chọn “Trả lại” nhưng chưa ghi lý do. Hãy ghi lý do ở các dòng được "
            "đánh dấu rồi bấm “Lưu quyết định” lại.") in said
    n = [name for _, name, _ in page_rows(response.text)].index("Đặng Thị Nam")
    row = response.text.split(f'<tr id="guong-{n}"')[1].split("</tr>")[0]
    assert row.startswith(' class="refused"')
    assert ("Chọn “Trả lại” thì phải ghi lý do: lý do được ghi vào thư trả lời gửi đơn vị.") in text_of(row)
    assert dict(SELECTED.findall(response.text))[str(n)] == "Trả lại"
    assert app.state.site.workspace.decisions().of_plan(app.state.site.rules.plan.id) == []


def consolidate(client, app, as_of):
    response = client.post("/tong-hop", data={"csrf_token": token(client), "as_of": as_of}, follow_redirects=False)
    assert response.status_code == 303
    app.state.site.worker.join(300)
    link = re.search(r'href="(/tai-ve/tep/[^"]+\.xlsx)"', client.get("/tong-hop/tien-do").text).group(1)
    return openpyxl.load_workbook(io.BytesIO(client.get(link).content))


def test_saved_decisions_are_applied_by_the_next_consolidation(site):
    """Three rows changed are saved (the page says so); "Tổng hợp" again: the downloaded workbook's
    "Xét duyệt" holds them, "Đề xuất Thành phố" lists what was proposed and the undecided City-level
    nominee, and the returned nominee's reason is in the unit's letter."""
    client, app = site
    text = client.get("/xet-duyet").text
    response = client.post("/xet-duyet", data=form_of(text, client, **{
        "Đỗ Thị Tuấn": ("Đề nghị Thành phố", ""), "Vũ Thị Yến": ("Khen cấp Sở", ""),
        "Đặng Thị Nam": ("Trả lại", f"  {REASON} ")}))
    assert response.status_code == 200
    assert ("Đã lưu 3 quyết định vào sổ nhận hồ sơ. Lần “Tổng hợp” tiếp theo áp dụng các quyết định này vào bảng "
            "tổng hợp (trang “Xét duyệt” và “Đề xuất Thành phố”) và thư trả lời của các đơn vị.") in text_of(response.text)
    chosen = dict(SELECTED.findall(response.text))
    names = [name for _, name, _ in page_rows(response.text)]
    assert chosen[str(names.index("Đặng Thị Nam"))] == "Trả lại"
    again = client.post("/xet-duyet", data=form_of(response.text, client))
    assert "Không có quyết định nào thay đổi; sổ nhận hồ sơ giữ nguyên." in text_of(again.text)

    book = consolidate(client, app, "2023-07-26")
    decided = {r[2]: (r[8], r[9]) for r in workbook_rows(book) if r[8] != "Chưa xét"}
    assert decided == {"Đỗ Thị Tuấn": ("Đề nghị Thành phố", ""), "Vũ Thị Yến": ("Khen cấp Sở", ""),
                       "Đặng Thị Nam": ("Trả lại", REASON)}
    listed = [(r[1], r[10]) for r in book[CITY].iter_rows(min_row=8, values_only=True) if isinstance(r[0], int)]
    assert listed == [("Đỗ Thị Tuấn", "Đề nghị Thành phố"), ("Ngô Ngọc Nam", "Chưa xét")]
    letter = app.state.site.root / "ket_qua" / "tra_loi_2023-07-26" / "VP.eml"
    body = email.message_from_bytes(letter.read_bytes(), policy=policy.default).get_body(("plain",)).get_content()
    assert f"- Đặng Thị Nam (tệp “VP_thang05.xlsx”, dòng 5): {REASON}." in body.splitlines()


def test_a_decision_for_a_nominee_gone_is_listed_apart_and_warned(site):
    """A kept decision matching no row of the run: its own list on the page, and an XD-GUONG warning
    in the next run, saying where and when it was saved."""
    client, app = site
    ws = app.state.site.workspace
    gone = api.ReviewRow("Văn phòng Sở", "Trần Văn Vắng", "1980", "", "", "", 0, "Đề nghị Thành phố", "")
    assert api.save_decisions(ws, [gone], decided_at=NOW) == 1
    said = text_of(client.get("/xet-duyet").text)
    assert ("Quyết định không còn ứng với gương nào" in said and
            "Văn phòng Sở Trần Văn Vắng 1980 Đề nghị Thành phố trang web, 18/06/2023 10:00 giờ Hà Nội" in said)
    result = api.consolidate_workspace(ws, as_of=AS_OF, run_at=NOW)
    assert [(f.rule_id, f.file, f.sheet, f.text) for f in result.findings if f.rule_id.startswith("XD-")] == [
        ("XD-GUONG", "Quyết định lưu trên trang web “Xét duyệt” lúc 18/06/2023 10:00 giờ Hà Nội", SHEET,
         "Quyết định lưu trên trang web “Xét duyệt” lúc 18/06/2023 10:00 giờ Hà Nội: quyết định “Đề nghị Thành phố” "
         "cho Trần Văn Vắng (Văn phòng Sở) nhưng gương này không còn trong hồ sơ đang tính (đơn vị đã sửa tên, bỏ dòng, "
         "hoặc tệp không còn được tính). Quyết định này chưa được áp dụng: đề nghị Văn phòng Sở đối chiếu với trang "
         "“Xét duyệt” của bảng tổng hợp mới và ghi lại quyết định cho đúng gương.")]


def test_the_documents_button_writes_the_drafts_with_the_decisions_saved(site):
    """"Soạn văn bản" (CSRF-checked) runs in the worker: the workspace consolidated again with the
    decisions saved, the Tờ trình (naming the nominee proposed) and the report written as .docx
    under ket_qua/van_ban_<day>/, offered on "Tải về"."""
    import docx  # lazy: python-docx only for this test

    client, app = site
    assert "Soạn văn bản" in client.get("/xet-duyet").text
    assert client.post("/xet-duyet/van-ban", data={"csrf_token": "gia-mao"}).status_code == 403
    text = client.get("/xet-duyet").text
    client.post("/xet-duyet", data=form_of(text, client, **{"Đỗ Thị Tuấn": ("Đề nghị Thành phố", "")}))
    response = client.post("/xet-duyet/van-ban", data={"csrf_token": token(client)}, follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (303, "/tong-hop/tien-do")
    app.state.site.worker.join(300)
    assert app.state.site.worker.state.state == "done"
    folder = app.state.site.root / "ket_qua" / "van_ban_2023-07-25"
    written = sorted(p.name for p in folder.iterdir())
    assert len(written) == 2 and all(name.endswith(".docx") for name in written)
    texts = {name: "\n".join([p.text for p in docx.Document(folder / name).paragraphs] +
                             [c.text for t in docx.Document(folder / name).tables for r in t.rows for c in r.cells])
             for name in written}
    assert [name for name, t in texts.items() if "Đỗ Thị Tuấn" in t] != []
    downloads = client.get("/tai-ve").text
    assert all(name in downloads for name in written)
