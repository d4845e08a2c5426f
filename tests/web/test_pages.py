"""The pages over a real workspace: files received through the file input with their findings,
duplicates, refusals, the consolidation in its worker with its matrix and download, the findings'
filters, the downloads (and nothing else), the templates, the rules."""

from __future__ import annotations

import dataclasses
import html
import datetime as dt
import io
import re
import threading

import openpyxl
import pytest

from checker import api
from checker.model.words import SEVERITY_WORDS
from checker.web import create_app

from .conftest import BASE, NOW, SAMPLES, TestClient, text_of, title, token, upload

XIEC = SAMPLES / "thang_05" / "NH_Xiec_thang05_nhieu_loi.xlsx"
CHEO_06 = SAMPLES / "thang_06" / "NH_Cheo_thang06_lan1.xlsx"
MAIL = SAMPLES / "thang_06" / "thu_BTHN_thang06.eml"
AS_OF = "2023-06-25"
SECTION = re.compile(r'<section class="received">\s*<h3>(.*?)</h3>(.*?)</section>', re.S)
ROW = re.compile(r'<tr class="severity-(\w+)">\s*<td>(.*?)</td>\s*<td class="cell">(.*?)</td>\s*'
                 r'<td class="rule">(.*?)</td>', re.S)
# A row of Lỗi và cảnh báo: severity, unit's name, file, sheet, cell, rule.
FINDING_ROW = re.compile(r'<tr class="severity-(\w+)">\s*<td class="unit">(.*?)</td>\s*<td>(.*?)</td>\s*<td>(.*?)</td>\s*'
                         r'<td class="cell">(.*?)</td>\s*<td class="rule">(.*?)</td>', re.S)
FILE_ROW = re.compile(r'<tr class="severity-(\w+)">\s*<td>(.*?)</td>\s*<td>(.*?)</td>\s*<td class="cell">(.*?)</td>\s*'
                      r'<td class="rule">(.*?)</td>', re.S)


def sections(html: str) -> dict[str, tuple[str, list[tuple]]]:
    """Per received file (its heading): the section's text and its findings (severity, sheet, cell, rule)."""
    return {name: (text_of(body), ROW.findall(body)) for name, body in SECTION.findall(html)}


def test_upload_shows_each_files_findings_with_cell_and_rule(client):
    """Two sample workbooks uploaded together: each file's findings beside it, sheet, cell and rule
    exactly as the checker finds them."""
    response = upload(client, [XIEC, CHEO_06])
    assert response.status_code == 200 and title(response) == "Nhận hồ sơ – ntvt"
    shown = sections(response.text)
    assert list(shown) == [XIEC.name, CHEO_06.name]
    nominations, info = "Danh sách đề nghị", "Thông tin đơn vị"
    assert shown[XIEC.name][1] == [
        ("error", nominations, "", "DV-TOITHIEU"), ("error", nominations, "D5", "DN-DANHMUC"),
        ("error", nominations, "F6", "DN-BATBUOC"), ("error", nominations, "J6", "DN-NGAY"),
        ("error", nominations, "M7", "DN-TIEUCHI"), ("error", nominations, "E8", "DN-NAMSINH"),
        ("error", nominations, "K8", "DN-TOMTAT"), ("error", info, "B8", "DV-THUTRUONG")]
    assert shown[CHEO_06.name][1] == [("error", nominations, "", "DV-TOITHIEU"), ("error", nominations, "K5", "DN-TOMTAT")]
    assert "Ô D5 – “Giới tính” phải là một trong: Nam, Nữ (nhận được “Na" in shown[XIEC.name][0]
    assert "nhận lúc 18/06/2023 10:00 giờ Hà Nội" in text_of(response.text)
    report = api.check_workbook(XIEC, as_of=NOW.date())
    assert [(f.cell or "", f.rule_id) for f in report.findings] == [(c, r) for _, _, c, r in shown[XIEC.name][1]]


def test_a_duplicate_says_it_was_received_before(client, app):
    """The same bytes again (under another name) are recognised and not counted twice."""
    upload(client, [CHEO_06])
    again = upload(client, [("ban_sao.xlsx", CHEO_06.read_bytes())])
    text, _ = sections(again.text)["ban_sao.xlsx"]
    assert "Tệp này đã nhận trước đó (cùng nội dung); không tính thêm lần nữa." in text
    files = api.workspace_files(app.state.site.workspace)
    assert [(f.name, f.receptions) for f in files] == [(CHEO_06.name, 2)]


def test_a_rejected_file_says_why(client):
    """A renamed PDF and an empty file are rejected, each with its reason."""
    response = upload(client, [("van_ban.xlsx", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"), ("rong.xlsx", b"")])
    shown = sections(response.text)
    assert "Bị loại: không phải bảng tính (nội dung là tệp PDF)." in shown["van_ban.xlsx"][0]
    assert "Bị loại: tệp rỗng (0 byte)." in shown["rong.xlsx"][0]


def test_an_email_is_received_with_its_attachment(client):
    """A saved .eml: its attachment is checked, its findings (none here) shown under the email's name."""
    shown = sections(upload(client, [MAIL]).text)
    assert shown == {MAIL.name: ("Tệp đính kèm đã kiểm tra: thu_BTHN_thang06.eml › BTHN_thang06.xlsx. "
                                 "Không có lỗi hay cảnh báo nào.", [])}


def test_no_file_chosen_is_said_in_words(client):
    """A POST with no file asks to choose one."""
    response = client.post("/nhan-ho-so", data={"csrf_token": token(client)})
    assert response.status_code == 400 and "Chưa chọn tệp nào." in response.text


def small_limits(rules, max_file_bytes):
    return dataclasses.replace(rules, limits=dataclasses.replace(rules.limits, max_file_bytes=max_file_bytes,
                                                                 max_uncompressed_bytes=4 * max_file_bytes))


def test_a_file_over_the_limit_is_not_stored(workspace_root, rules):
    """A file over the reader's limit is counted as it streams, refused in words and not stored;
    a request over the total bound stores nothing."""
    limit = CHEO_06.stat().st_size - 1
    app = create_app(workspace_root, small_limits(rules, limit), clock=lambda: NOW)
    with TestClient(app, base_url=BASE) as client:
        response = upload(client, [CHEO_06, ("nho.xlsx", b"PK" + b"\0" * 10)])
        assert response.status_code == 200
        assert f"{CHEO_06.name}: tệp quá lớn (hơn {limit:,} byte); chưa lưu." in text_of(response.text)
        assert list(sections(response.text)) == ["nho.xlsx"]
        huge = upload(client, [(f"{n}.xlsx", b"\1" * limit) for n in range(5)])
        assert huge.status_code == 413 and "Lần tải lên này quá lớn" in huge.text
        assert [f.name for f in api.workspace_files(app.state.site.workspace)] == ["nho.xlsx"]
    assert sorted(p.name for p in (workspace_root / "ho_so").iterdir()) == [
        f.sha256 + ".xlsx" for f in api.workspace_files(app.state.site.workspace)]


def consolidate(client, app, as_of=AS_OF):
    response = client.post("/tong-hop", data={"csrf_token": token(client), "as_of": as_of}, follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (303, "/tong-hop/tien-do")
    app.state.site.worker.join(120)
    return client.get("/tong-hop/tien-do")


MATRIX_ROW = re.compile(r'<th scope="row"><a href="/don-vi/(\w+)">.*?</th>(.*?)</tr>', re.S)
STATUS = re.compile(r'<td class="status status-(\w+)"><span class="word">(.*?)</span>')


SUMMARY = re.compile(r'<td class="status summary status-(\w*)"><span class="word">(.*?)</span>')


def page_matrix(html: str) -> dict[str, list[tuple[str, str]]]:
    return {unit: STATUS.findall(cells) for unit, cells in MATRIX_ROW.findall(html)}


def page_summary(html: str) -> dict[str, list[tuple[str, str]]]:
    """Per unit, the last column's (summary report's) status code and word."""
    return {unit: SUMMARY.findall(cells) for unit, cells in MATRIX_ROW.findall(html)}


def test_consolidation_shows_the_matrix_and_the_download(client, app, rules):
    """The June samples received, "Tổng hợp" runs in the worker; the page's matrix is the register's
    (and the workbook's) status per unit and cycle, and its "Tải" link downloads that workbook."""
    upload(client, sorted((SAMPLES / "thang_06").iterdir()))
    form = client.get("/tong-hop").text
    assert '<input type="date" id="as_of" name="as_of" value="2023-06-18" required>' in form
    assert re.search(r'<button type="submit">[^<]*Tổng hợp[^<]*</button>', form)
    done = consolidate(client, app)
    assert done.status_code == 200 and "Đã tổng hợp xong (tính đến hết ngày 25/06/2023)." in done.text
    run = api.last_run(app.state.site.workspace)
    expected = {u.id: [(r["status_code"], r["status"]) for c in rules.deadlines.cycles for r in run.cycles
                       if r["unit"] == u.id and r["cycle"] == c] for u in rules.units}
    assert page_matrix(done.text) == expected
    june = {unit: statuses[1] for unit, statuses in expected.items()}
    assert [june[u] for u in ("CHEO", "BTHN", "THUVIEN", "XIEC")] == [
        ("on_time", "Đúng hạn"), ("late", "Trễ hạn 1 ngày"), ("invalid", "Nộp nhưng chưa hợp lệ"), ("missing", "Chưa nộp")]
    assert expected["CMNTL"][::2] == [("missing", "Chưa nộp"), ("not_due", "Chưa đến hạn"), ("not_due", "Chưa đến hạn")]
    assert ('<span class="word">Trễ hạn 1 ngày</span><br><small>20/06/2023 00:20, thư</small><br><small>1 gương hợp lệ'
            in done.text)
    link = re.search(r'<a class="button" href="([^"]+)">([^<]*Tải[^<]*)</a>', done.text)
    assert link.group(1) == "/tai-ve/tep/ket_qua/tong_hop_2023-06-25.xlsx"
    download = client.get(link.group(1))
    assert download.status_code == 200
    assert download.content == (app.state.site.root / "ket_qua" / "tong_hop_2023-06-25.xlsx").read_bytes()
    book = openpyxl.load_workbook(io.BytesIO(download.content), read_only=True)
    assert "Tình hình nộp" in book.sheetnames
    start = client.get("/").text
    assert page_matrix(start) == expected
    # The last column, as the workbook's: the summary report (none of June's samples is one).
    assert '<th scope="col">Tháng 09/2023</th><th scope="col">Báo cáo tổng kết</th></tr>' in start
    assert page_summary(start) == {u["unit"]: [(u["status_code"], u["status"])] for u in run.units}
    assert page_summary(start) == {u.id: [("not_due", "Chưa đến hạn")] for u in rules.units}
    again = client.get("/tong-hop").text
    assert ('Lần tổng hợp gần nhất: tính đến hết ngày 25/06/2023. '
            '<a href="/tai-ve/tep/ket_qua/tong_hop_2023-06-25.xlsx">Tải bảng tổng hợp (.xlsx)</a>') in again


def test_a_second_start_while_one_runs_says_it_is_running(client, app):
    """Two "Tổng hợp" started at once: one runs, the other is told in words that one is running."""
    upload(client, [CHEO_06])
    csrf, results, barrier = token(client), [], threading.Barrier(2)

    def press():
        barrier.wait(10)
        results.append(client.post("/tong-hop", data={"csrf_token": csrf, "as_of": AS_OF}, follow_redirects=False))

    threads = [threading.Thread(target=press) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    app.state.site.worker.join(120)
    assert sorted(r.status_code for r in results) == [303, 409]
    refused = next(r for r in results if r.status_code == 409)
    assert ("Đang chạy một lần tổng hợp (tính đến hết ngày 25/06/2023); chưa thể bắt đầu lần khác."
            in text_of(refused.text))
    assert len(api.workspace_files(app.state.site.workspace)) == 1
    assert api.last_run(app.state.site.workspace).as_of == dt.date(2023, 6, 25)


def test_an_unwritable_output_is_said_in_words(client, app):
    """Where the workbook cannot be written (here a folder holds its name), the progress page says so."""
    upload(client, [CHEO_06])
    (app.state.site.root / "ket_qua" / "tong_hop_2023-06-25.xlsx").mkdir()
    page = consolidate(client, app)
    assert page.status_code == 200
    assert "Không ghi được kết quả vào" in page.text and "đã có một thư mục mang tên này" in page.text


def test_a_bad_day_is_said_in_words(client):
    response = client.post("/tong-hop", data={"csrf_token": token(client), "as_of": "31/02/2023"})
    assert response.status_code == 400
    assert "Ngày tính “31/02/2023” không đúng dạng ngày" in response.text


@pytest.fixture
def consolidated(client, app):
    upload(client, [XIEC, CHEO_06, SAMPLES / "thang_05" / "NH_Cheo_thang05_tre_han.xlsx"])
    consolidate(client, app)
    return client


def test_findings_filter_by_unit_cycle_rule_and_severity(consolidated, app):
    """/loi lists the run's findings; each filter gives exactly the register's filtered list."""
    ws = app.state.site.workspace
    run_id = api.last_run(ws).id
    page = consolidated.get("/loi").text
    assert ('<thead><tr><th scope="col">Đơn vị</th><th scope="col">Tệp</th><th scope="col">Trang</th>'
            in page)
    every = FINDING_ROW.findall(page)
    assert len(every) == len(api.run_findings(ws, run_id)) > 0
    names = {u.id: u.name for u in app.state.site.rules.units}
    for query in ({"unit": "XIEC"}, {"cycle": "2023-05"}, {"rule": "DN-NGAY"}, {"severity": "error"},
                  {"unit": "CHEO", "cycle": "2023-06", "rule": "HAN-THANG", "severity": "error"}):
        shown = FINDING_ROW.findall(consolidated.get("/loi", params=query).text)
        expected = api.run_findings(ws, run_id, **query)
        assert [(s, html.unescape(u), sh, c, r) for s, u, _, sh, c, r in shown] == [
            (f.severity, names[f.unit], f.sheet or "", f.cell or "", f.rule_id) for f in expected]
    assert [r[5] for r in FINDING_ROW.findall(consolidated.get("/loi", params={"rule": "DN-NGAY"}).text)] == ["DN-NGAY"]
    circus = FINDING_ROW.findall(consolidated.get("/loi", params={"unit": "XIEC"}).text)
    assert {u for _, u, *_ in circus} == {"Nhà hát Xiếc và Tạp kỹ Hà Nội"}


def test_a_units_page_lists_its_files_and_findings(consolidated):
    """/don-vi/XIEC lists the unit's file with its status, and its findings with their cells."""
    page = consolidated.get("/don-vi/XIEC")
    assert title(page) == "Đơn vị Nhà hát Xiếc và Tạp kỹ Hà Nội – ntvt"
    text = text_of(page.text)
    assert f"{XIEC.name} Tháng 05/2023 18/06/2023 10:00 giờ Hà Nội thời điểm tải lên Được dùng" in text
    assert ("error", XIEC.name, "Danh sách đề nghị", "D5", "DN-DANHMUC") in FILE_ROW.findall(page.text)


def test_downloads_offer_the_outputs_and_nothing_else(consolidated, app, tmp_path):
    """Tải về lists the outputs; paths outside them (../, %2e%2e, absolute, backslashes, a link in
    ket_qua/ pointing out, the register, a stored file) are 404."""
    page = consolidated.get("/tai-ve")
    links = re.findall(r'<a href="(/tai-ve/tep/[^"]+)">', page.text)
    root = app.state.site.root
    assert links[0] == "/tai-ve/tep/ket_qua/tong_hop_2023-06-25.xlsx"
    assert sorted(links) == sorted("/tai-ve/tep/" + p.relative_to(root).as_posix()
                                   for p in api.workspace_outputs(app.state.site.workspace))
    assert any(link.startswith("/tai-ve/tep/ket_qua/tra_loi_2023-06-25/") for link in links)
    for link in links:
        assert consolidated.get(link).status_code == 200
    secret = tmp_path / "bi_mat.txt"
    secret.write_bytes(b"secret")
    (root / "ket_qua" / "lien_ket.xlsx").symlink_to(secret)
    stored = next((root / "ho_so").iterdir()).name
    for path in ["ket_qua/../register.sqlite3", "ket_qua/%2e%2e/register.sqlite3", "%2e%2e/%2e%2e/bi_mat.txt",
                 "ket_qua%2f..%2fregister.sqlite3", f"/{secret}", f"{secret}", "ket_qua\\..\\register.sqlite3",
                 "ket_qua/lien_ket.xlsx", "register.sqlite3", f"ho_so/{stored}", "ket_qua/khong_co.xlsx",
                 "..%5c..%5cbi_mat.txt", "ket_qua/tong_hop_2023-06-25.xlsx/..", "C:%5cWindows%5cwin.ini"]:
        response = consolidated.get("/tai-ve/tep/" + path)
        assert response.status_code == 404, path
        assert b"secret" not in response.content and title(response) == "Không tìm thấy – ntvt"


ITEM = re.compile(r'<li><a href="/tai-ve/tep/([^"]+)">(.*?)</a> <small class="file">(.*?)</small></li>')


def test_downloads_say_in_words_what_each_output_is_grouped_by_unit(consolidated):
    """Tải về names each output in words, its file name small beside it: the workbook by its day,
    then per unit (the rules file's order, under the unit's name) its reply draft and each annotated
    copy by the name of the file it copies."""
    page = consolidated.get("/tai-ve").text
    workbooks = page[page.index("<h2>Bảng tổng hợp</h2>"):page.index("<h2>Thư trả lời")]
    assert ITEM.findall(workbooks) == [("ket_qua/tong_hop_2023-06-25.xlsx",
                                        "Bảng tổng hợp tính đến hết ngày 25/06/2023", "tong_hop_2023-06-25.xlsx")]
    assert "<h2>Thư trả lời và bản sao có đánh dấu, tổng hợp tính đến hết ngày 25/06/2023</h2>" in page
    groups = re.findall(r"<h3>(.*?)</h3>\s*<ul class=\"outputs\">(.*?)</ul>", page, re.S)
    by_unit = {html.unescape(name): ITEM.findall(body) for name, body in groups}
    folder = "ket_qua/tra_loi_2023-06-25/"
    assert by_unit["Nhà hát Xiếc và Tạp kỹ Hà Nội"] == [
        (folder + "XIEC.eml", "Thư trả lời soạn sẵn cho Nhà hát Xiếc và Tạp kỹ Hà Nội", "XIEC.eml"),
        (folder + "XIEC/NH_Xiec_thang05_nhieu_loi_danh_dau.xlsx",
         "Bản sao có đánh dấu: NH_Xiec_thang05_nhieu_loi.xlsx", "NH_Xiec_thang05_nhieu_loi_danh_dau.xlsx")]
    assert by_unit["Nhà hát Chèo Hà Nội"][1] == (
        folder + "CHEO/NH_Cheo_thang06_lan1_danh_dau.xlsx", "Bản sao có đánh dấu: NH_Cheo_thang06_lan1.xlsx",
        "NH_Cheo_thang06_lan1_danh_dau.xlsx")
    rules = consolidated.app.state.site.rules
    assert list(by_unit) == [u.name for u in rules.units if u.name in by_unit]
    assert "Tải ket_qua" not in page and "Tệp khác" not in page


def test_templates_are_made_on_request(client, app, rules):
    """The blank template and a unit's, made into a scratch folder of the workspace and removed after."""
    blank = client.get("/tai-ve/mau")
    assert blank.status_code == 200
    assert blank.headers["content-disposition"] == f'attachment; filename="mau_{rules.plan.short_name}.xlsx"'
    unit = client.get("/tai-ve/mau", params={"unit": "CHEO", "period": "2023-06"})
    assert unit.headers["content-disposition"] == f'attachment; filename="mau_{rules.plan.short_name}_CHEO_2023-06.xlsx"'
    book = openpyxl.load_workbook(io.BytesIO(unit.content))
    assert any("Nhà hát Chèo Hà Nội" == cell.value for ws in book for row in ws.iter_rows() for cell in row)
    assert client.get("/tai-ve/mau", params={"unit": "KHONGCO"}).status_code == 404
    assert client.get("/tai-ve/mau", params={"period": "2031-01"}).status_code == 404
    assert [p.name for p in app.state.site.root.iterdir() if p.name.startswith("mau")] == []


def test_rules_page_lists_every_rule_with_its_clause(client, rules):
    """Quy tắc: every rule of the rules file, with its level, clause and the plan's words."""
    page = client.get("/quy-tac")
    ids = re.findall(r'<td class="rule">(.*?)</td>', page.text)
    assert ids == [r.id for r in rules.rules]
    rows = re.findall(r'<tr><td class="rule">(.*?)</td><td>(.*?)</td><td>(.*?)</td><td>.*?</td><td>.*?</td>'
                      r'<td>(.*?)</td></tr>', page.text)
    assert [(i, html.unescape(c), html.unescape(q)) for i, _, c, q in rows] == [
        (r.id, r.clause, f"“{r.quote}”" if r.quote else "") for r in rules.rules]
    assert rows[0][1] == "/".join(SEVERITY_WORDS[s] for s in rules.rules[0].severities)


def test_after_a_restart_the_page_shows_the_last_run(consolidated, app, workspace_root, rules):
    """A new server over the same workspace (a restart) shows the same matrix, findings and outputs."""
    before = {path: consolidated.get(path).text for path in ("/", "/loi", "/tai-ve")}
    restarted = create_app(workspace_root, rules, clock=lambda: NOW)
    with TestClient(restarted, base_url=BASE) as client:
        assert page_matrix(client.get("/").text) == page_matrix(before["/"])
        assert FINDING_ROW.findall(client.get("/loi").text) == FINDING_ROW.findall(before["/loi"])
        links = re.compile(r'href="(/tai-ve/tep/[^"]+)"')
        assert links.findall(client.get("/tai-ve").text) == links.findall(before["/tai-ve"])


def test_a_folder_upload_keeps_the_relative_names(client, app):
    """The folder input sends names with their folder; they are shown and recorded, never used as paths."""
    response = upload(client, [("thang_06/" + CHEO_06.name, CHEO_06.read_bytes()),
                               ("thang_06/con/" + XIEC.name, XIEC.read_bytes())])
    assert list(sections(response.text)) == ["thang_06/" + CHEO_06.name, "thang_06/con/" + XIEC.name]
    files = api.workspace_files(app.state.site.workspace)
    assert [f.name for f in files] == ["thang_06/" + CHEO_06.name, "thang_06/con/" + XIEC.name]
    assert sorted(p.name for p in (app.state.site.root / "ho_so").iterdir()) == sorted(f.sha256 + ".xlsx" for f in files)


def test_the_same_file_uploaded_twice_at_once_is_one_file(app):
    """Two clerks upload the same workbook at the same moment: one file in the register, received twice."""
    barrier, answers = threading.Barrier(2), []

    def clerk():
        with TestClient(app, base_url=BASE) as client:
            csrf = token(client)
            barrier.wait(10)
            answers.append(client.post("/nhan-ho-so", data={"csrf_token": csrf},
                                       files=[("files", (CHEO_06.name, CHEO_06.read_bytes(), "application/octet-stream"))]))

    threads = [threading.Thread(target=clerk) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert [a.status_code for a in answers] == [200, 200]
    assert sorted("Tệp này đã nhận trước đó" in a.text for a in answers) == [False, True]
    assert [(f.name, f.receptions) for f in api.workspace_files(app.state.site.workspace)] == [(CHEO_06.name, 2)]
