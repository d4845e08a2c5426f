"""Reply drafts (write.feedback): addressed to the unit, asking for what is missing, no rule codes."""

from __future__ import annotations

import dataclasses
import datetime as dt
import email
import email.header
import io
import re
from email import policy
from pathlib import Path

import openpyxl
import pytest

from checker import consolidate
from checker.model.errors import RuleFileError
from checker.model.marks import EMAIL_HEADER, REPLY_DRAFT
from checker.ruleset.loader import load_rules
from checker.model.words import evidence_words
from checker.write.feedback import office_name

from ..builders.hostile_inbox import eml
from ..conftest import ROOT, good_row

MAY = dt.date(2023, 5, 31)
ROSTER = "vanthu@kich.example.vn"


def _rules_with_roster(tmp_path: Path, rules, unit: str, address: str) -> Path:
    """The bundled rules file with `email: <address>` on one unit of the roster."""
    text = Path(rules.path).read_text(encoding="utf-8")
    assert text.count(f"{{id: {unit},") == 1
    path = tmp_path / "quy_tac.yaml"
    path.write_text(text.replace(f"{{id: {unit},", f"{{id: {unit}, email: \"{address}\","), encoding="utf-8")
    return path


def _drafts(folder: Path) -> dict[str, email.message.EmailMessage]:
    return {p.stem: email.message_from_bytes(p.read_bytes(), policy=policy.default) for p in folder.glob("*.eml")}


def _body(message) -> str:
    return message.get_body(("plain",)).get_content()


@pytest.fixture
def addressed(tmp_path, make_book, rules):
    """Four sources: CHEO emails (its Email cell differs), NSVH saves a file with an Email cell,
    KICH sends nothing but has a roster address, XIEC's cell holds no address and TTRA's a header
    injection; only KICH has a roster address."""
    inbox = tmp_path / "inbox"
    cheo = make_book([good_row(gender="Na")], info={"email": "khac@cheo.example.vn"}, name="cheo.xlsx")
    eml(inbox / "thu.eml", [("cheo.xlsx", cheo.read_bytes())], "Mon, 15 May 2023 08:00:00 +0700")
    make_book([good_row(gender="Na")], unit="NSVH", info={"email": " VanThu@NSVH.Example.VN "},
              directory=inbox, name="nsvh.xlsx")
    make_book([good_row(gender="Na")], unit="XIEC", info={"email": "vanthu xiec (chưa có)"},
              directory=inbox, name="xiec.xlsx")
    make_book([good_row(gender="Na")], unit="TTRA", info={"email": "vanthu@ttra.vn\r\nBcc: spy@evil.example"},
              directory=inbox, name="ttra.xlsx")
    with_roster = load_rules(_rules_with_roster(tmp_path, rules, "KICH", ROSTER))
    result = consolidate(inbox, None, with_roster, as_of=MAY, feedback=tmp_path / "tra_loi")
    return result, _drafts(tmp_path / "tra_loi")


def test_each_draft_is_addressed_from_the_best_source(addressed):
    """To: is the email's sender, else the report's Email cell, else the roster's address, else empty."""
    result, drafts = addressed
    assert drafts["CHEO"]["To"] == "vanthu@cheo.vn"
    assert drafts["NSVH"]["To"] == "VanThu@nsvh.example.vn"
    assert drafts["KICH"]["To"] == ROSTER
    assert drafts["XIEC"]["To"] is None and drafts["TTRA"]["To"] is None and drafts["QLVH"]["To"] is None
    assert drafts["TTRA"]["Bcc"] is None and b"spy@evil" not in next(
        path for path in result.feedback if path.name == "TTRA.eml").read_bytes()
    assert [drafts[u]["X-NTVT-Address-Source"] for u in ("CHEO", "NSVH", "KICH", "XIEC")] == [
        "sender", "report", "rules", "none"]
    assert {"XIEC", "TTRA", "QLVH"} <= set(result.feedback.unaddressed)
    assert not {"CHEO", "NSVH", "KICH"} & set(result.feedback.unaddressed)
    assert len(result.feedback.unaddressed) == 21  # 24 units, three with an address


def test_the_letter_says_where_its_address_came_from(addressed):
    """One line for the unit (and the clerk) says why the letter went to this address; none when there is none."""
    _, drafts = addressed
    assert "\nThư này trả lời thư điện tử đơn vị đã gửi từ địa chỉ vanthu@cheo.vn.\n" in _body(drafts["CHEO"])
    assert ("\nThư này gửi tới địa chỉ VanThu@nsvh.example.vn đơn vị ghi ở mục “Email” (trang “Thông tin đơn vị”) "
            "của tệp “nsvh.xlsx”.\n") in _body(drafts["NSVH"])
    assert (f"\nThư này gửi tới địa chỉ {ROSTER} của đơn vị trong danh sách đơn vị của Văn phòng Sở.\n"
            in _body(drafts["KICH"]))
    assert "Thư này" not in _body(drafts["XIEC"])


def test_every_draft_is_marked_and_carries_no_rule_code(addressed, rules):
    """Each draft has ntvt's mark and X-Unsent; no rule id of the rules file is in any subject or body."""
    _, drafts = addressed
    assert len(drafts) == 24
    codes = re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(r.id) for r in rules.rules) + r")(?![\w-])")
    for unit, draft in drafts.items():
        assert (draft[EMAIL_HEADER], draft["X-Unsent"]) == (REPLY_DRAFT, "1"), unit
        assert draft["Date"] is None
        assert not codes.search(_body(draft) + draft["Subject"]), unit


def test_a_finding_says_where_what_the_rule_asks_and_the_clause(addressed):
    """A finding in a letter: sheet, cell, what is wrong, what the rule asks, the clause in words."""
    _, drafts = addressed
    body = _body(drafts["NSVH"])
    assert "Cần sửa (lỗi):\nTệp “nsvh.xlsx”:\n- Trang “Danh sách đề nghị”: " in body
    assert ("\n- Trang “Danh sách đề nghị”: Ô D5 – “Giới tính” phải là một trong: Nam, Nữ (nhận được “Na”): đề nghị "
            "chọn một giá trị trong danh sách thả xuống của ô. (Căn cứ: Mục IV.1, Mục V, Kế hoạch số 327/KH-SVHTT.)\n") in body
    assert body.endswith("\n\nTrân trọng,\nVăn phòng Sở Văn hóa và Thể thao Hà Nội\n")


def test_a_unit_missing_reports_is_asked_to_send_them_now(tmp_path, rules):
    """Every report due and not sent is asked for now, with its cycle and deadline, and said to be late."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    consolidate(inbox, None, rules, as_of=dt.date(2023, 8, 31), feedback=tmp_path / "tra_loi")
    draft = _drafts(tmp_path / "tra_loi")["KICH"]
    body = _body(draft)
    assert draft["Subject"] == "Nhắc gửi hồ sơ “Người tốt, việc tốt” – Nhà hát Kịch Hà Nội"
    assert ("Đến hết ngày 31/08/2023, đơn vị chưa gửi các báo cáo sau. Đề nghị đơn vị gửi ngay về Văn phòng Sở:\n"
            "- Báo cáo tháng, kỳ tháng 05/2023: hạn nhận chậm nhất ngày 19/05/2023, đã quá hạn 104 ngày. (Căn cứ: "
            "Mục V, Kế hoạch số 327/KH-SVHTT.)\n") in body
    assert "- Báo cáo tháng, kỳ tháng 08/2023: hạn nhận chậm nhất ngày 19/08/2023, đã quá hạn 12 ngày." in body
    assert ("- Báo cáo tổng kết: hạn nhận chậm nhất ngày 14/08/2023, đã quá hạn 17 ngày. (Căn cứ: Đoạn cuối kế hoạch, "
            "Kế hoạch số 327/KH-SVHTT.)\n") in body
    assert body.endswith("\n\nĐề nghị đơn vị gửi ngay các báo cáo còn thiếu nêu trên, đồng thời xem xét các cảnh báo "
                         "trên (nội dung nào cần sửa thì sửa và gửi lại) theo mẫu biểu chuẩn về Văn phòng Sở.\n\n"
                         "Trân trọng,\nVăn phòng Sở Văn hóa và Thể thao Hà Nội\n")
    assert "Chưa nộp" not in body and "kỳ báo cáo tiếp theo" not in body


def test_a_unit_with_a_late_report_and_a_missing_one(tmp_path, make_book, rules):
    """A unit that sent May but not June: June is asked for now, May's findings are listed to fix."""
    inbox = tmp_path / "inbox"
    make_book([good_row(gender="Na")], directory=inbox, name="cheo.xlsx")
    consolidate(inbox, None, rules, as_of=dt.date(2023, 6, 30), feedback=tmp_path / "tra_loi")
    draft = _drafts(tmp_path / "tra_loi")["CHEO"]
    body = _body(draft)
    assert draft["Subject"] == ("Kết quả kiểm tra và nhắc gửi báo cáo còn thiếu, hồ sơ “Người tốt, việc tốt” – "
                                "Nhà hát Chèo Hà Nội")
    assert "- Báo cáo tháng, kỳ tháng 06/2023: hạn nhận chậm nhất ngày 19/06/2023, đã quá hạn 11 ngày." in body
    assert "Tháng 05/2023" not in body.split("Tình hình nộp:")[0].split("Đề nghị đơn vị gửi ngay về")[1]
    assert ("\n\nĐề nghị đơn vị gửi ngay các báo cáo còn thiếu nêu trên, đồng thời sửa các lỗi trên rồi "
            "gửi lại theo mẫu biểu chuẩn về Văn phòng Sở.\n\n") in body


def test_feedback_drafts(tmp_path, make_book, rules):
    """--feedback writes, per unit with problems, its annotated file and a Vietnamese draft to the sender."""
    inbox = tmp_path / "inbox"
    bad = make_book([good_row(gender="Na")], name="cheo.xlsx")
    eml(inbox / "thu.eml", [("cheo.xlsx", bad.read_bytes())], "Mon, 15 May 2023 08:00:00 +0700")
    result = consolidate(inbox, tmp_path / "tong_hop.xlsx", rules, as_of=MAY, feedback=tmp_path / "tra_loi")
    draft = email.message_from_bytes((tmp_path / "tra_loi" / "CHEO.eml").read_bytes(), policy=policy.default)
    assert draft["To"] == "vanthu@cheo.vn"
    body = _body(draft)
    assert "Kính gửi: Nhà hát Chèo Hà Nội," in body
    assert "Cần sửa (lỗi):\nTệp “cheo.xlsx”:\n" in body
    assert "- Trang “Danh sách đề nghị”: Ô D5 – “Giới tính” phải là một trong: Nam, Nữ (nhận được “Na”): đề nghị chọn một giá trị trong danh sách thả xuống của ô." in body
    assert ("- Nhà hát Chèo Hà Nội – Tháng 05/2023: Nộp nhưng chưa hợp lệ (hạn: nhận chậm nhất ngày 19/05/2023; nhận "
            f"lúc 08:00 ngày 15/05/2023 giờ Hà Nội, theo {evidence_words('email_date', 'Ngày gửi')}). Đề nghị đơn vị "
            "sửa các lỗi của báo cáo và gửi lại ngay.") in body
    assert "\n\nĐề nghị đơn vị sửa các lỗi trên rồi gửi lại theo mẫu biểu chuẩn về Văn phòng Sở.\n\n" in body
    [attachment] = list(draft.iter_attachments())
    assert attachment.get_filename() == "cheo_danh_dau.xlsx"
    wb = openpyxl.load_workbook(io.BytesIO(attachment.get_content()))
    assert "DN-DANHMUC" in wb["Danh sách đề nghị"]["D5"].comment.text  # the copy keeps codes for the clerk
    assert (tmp_path / "tra_loi" / "CHEO" / "cheo_danh_dau.xlsx").exists()
    # Units that sent nothing get a reminder asking for the missing cycle now, without an address.
    reminder = email.message_from_bytes((tmp_path / "tra_loi" / "KICH.eml").read_bytes(), policy=policy.default)
    assert reminder["To"] is None
    text = _body(reminder)
    assert "chưa nhận được hồ sơ phong trào “Người tốt, việc tốt”" in text
    assert "- Báo cáo tháng, kỳ tháng 05/2023: hạn nhận chậm nhất ngày 19/05/2023, đã quá hạn 12 ngày." in text
    assert reminder["Subject"] == "Nhắc gửi hồ sơ “Người tốt, việc tốt” – Nhà hát Kịch Hà Nội"
    assert len(result.feedback) == 25  # 24 drafts + 1 annotated copy


@pytest.mark.parametrize("value", ["vanthu", "vanthu@kich", "a@b@kich.vn", "vanthu@kich.vn, khac@kich.vn",
                                   "Văn thư <vanthu@kich.vn>", "vanthu@kich.vn\\nBcc: x@evil.example", "", 5])
def test_a_malformed_roster_address_is_refused_with_its_line(tmp_path, rules, value):
    """units[].email must be one plain address: anything else is a RuleFileError naming the line, in Vietnamese."""
    text = Path(rules.path).read_text(encoding="utf-8")
    shown = f"\"{value}\"" if isinstance(value, str) else str(value)
    path = tmp_path / "quy_tac.yaml"
    path.write_text(text.replace("{id: KICH,", f"{{id: KICH, email: {shown},"), encoding="utf-8")
    line = next(n for n, row in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if "{id: KICH," in row)
    with pytest.raises(RuleFileError) as caught:
        load_rules(path)
    assert caught.value.line == line and caught.value.where == "units[11].email"
    assert caught.value.message.startswith(f"Tệp quy tắc {path}, dòng {line}: “email” của đơn vị KICH không phải "
                                           "một địa chỉ thư điện tử")


def test_a_roster_address_is_kept_in_its_bare_form(tmp_path, rules):
    """A valid roster address loads (NFC, domain lower-cased); units without one have None."""
    loaded = load_rules(_rules_with_roster(tmp_path, rules, "KICH", "VanThu@Kich.Example.VN"))
    units = {u.id: u for u in loaded.units}
    assert units["KICH"].email == "VanThu@kich.example.vn" and units["CHEO"].email is None


@pytest.mark.parametrize("office, issuer, signed", [
    ("Văn phòng Sở", "Sở Văn hoá và Thể thao Hà Nội", "Văn phòng Sở Văn hoá và Thể thao Hà Nội"),
    ("Phòng Thi đua", "Sở Nội vụ", "Phòng Thi đua Sở Nội vụ"),
    ("Văn phòng Sở Nội vụ", "Sở Nội vụ", "Văn phòng Sở Nội vụ"),
])
def test_the_office_signs_with_its_full_name(rules, office, issuer, signed):
    """The signature joins the office and the issuer, writing the words they share once."""
    plan = dataclasses.replace(rules.plan, office=office, issuer=issuer)
    assert office_name(plan) == signed


def test_the_latest_report_decides_the_address(tmp_path, make_book, rules):
    """An emailed May report, then a June file saved in the inbox: the June file's Email cell is used."""
    inbox = tmp_path / "inbox"
    may = make_book([good_row(gender="Na")], name="thang5.xlsx")
    eml(inbox / "thu.eml", [("thang5.xlsx", may.read_bytes())], "Mon, 15 May 2023 08:00:00 +0700")
    make_book([good_row(gender="Na", deed_date=dt.date(2023, 6, 3))], period="2023-06", directory=inbox,
              info={"email": "moi@cheo.example.vn", "sent_date": dt.date(2023, 6, 15)}, name="thang6.xlsx")
    consolidate(inbox, None, rules, as_of=dt.date(2023, 6, 30), feedback=tmp_path / "tra_loi")
    draft = _drafts(tmp_path / "tra_loi")["CHEO"]
    assert (draft["To"], draft["X-NTVT-Address-Source"]) == ("moi@cheo.example.vn", "report")


def test_a_late_but_valid_report_closes_with_the_next_deadlines(tmp_path, make_book, rules):
    """A unit whose only problem is a late May report is told when it was received and to send the next ones on time."""
    inbox, src = tmp_path / "inbox", tmp_path / "src"
    book = make_book(name="cheo.xlsx", directory=src)
    eml(inbox / "thu.eml", [("cheo.xlsx", book.read_bytes())], "Mon, 22 May 2023 09:30:00 +0700")
    consolidate(inbox, None, rules, as_of=MAY, feedback=tmp_path / "tra_loi")
    body = _body(_drafts(tmp_path / "tra_loi")["CHEO"])
    assert ("Tình hình nộp:\n- Nhà hát Chèo Hà Nội – Tháng 05/2023: Trễ hạn 3 ngày (hạn: nhận chậm nhất ngày "
            f"19/05/2023; nhận lúc 09:30 ngày 22/05/2023 giờ Hà Nội, theo {evidence_words('email_date', 'Ngày gửi')}). "
            "Đề nghị đơn vị lưu ý gửi trước hạn các kỳ sau. (Căn cứ: Mục V, Kế hoạch số 327/KH-SVHTT.)\n") in body
    assert "Đề nghị đơn vị lưu ý gửi báo cáo trước hạn trong các kỳ tiếp theo." in body
    assert "gửi ngay" not in body and "Cần sửa (lỗi)" not in body


@pytest.fixture(scope="module")
def sample_letters(tmp_path_factory, rules):
    """The drafts of the sample inbox at 25/07/2023, as bytes by unit."""
    out = tmp_path_factory.mktemp("mau") / "tra_loi"
    consolidate(ROOT / "sample_workbooks", None, rules, as_of=dt.date(2023, 7, 25), feedback=out)
    return {p.stem: p.read_bytes() for p in out.glob("*.eml")}


@pytest.mark.parametrize("unit, name", [
    ("HLTD", "Trung tâm Huấn luyện và Thi đấu thể dục thể thao Hà Nội"),
    ("VMQTG", "Trung tâm Hoạt động Văn hóa Khoa học Văn Miếu - Quốc Tử Giám")])
def test_a_long_subject_keeps_every_space_in_every_mail_reader(sample_letters, unit, name):
    """A subject folded over several encoded words reads back whole with email.policy.default and
    with compat32 (RFC 2047: the space between two encoded words is not text)."""
    subject = f"Kết quả kiểm tra và nhắc gửi báo cáo còn thiếu, hồ sơ “Người tốt, việc tốt” – {name}"
    data = sample_letters[unit]
    assert email.message_from_bytes(data, policy=policy.default)["Subject"] == subject
    raw = email.message_from_bytes(data, policy=policy.compat32)["Subject"]
    assert "\n" in raw  # folded: the case that lost its spaces
    assert str(email.header.make_header(email.header.decode_header(raw))) == subject


def _sections(data: bytes) -> list[str]:
    return _body(email.message_from_bytes(data, policy=policy.default)).split("\n\n")


def test_a_unit_owing_reports_with_a_warning_is_asked_for_both(sample_letters):
    """HOALO owes two reports and has warnings: the activity warning is listed with the warnings
    (not under “Tình hình nộp”), no item repeats the rule's title after its own advice, and the
    closing asks for the reports and for the warnings to be considered."""
    sections = _sections(sample_letters["HOALO"])
    assert sections[3] == (
        "Cần lưu ý (cảnh báo):\nHồ sơ của đơn vị trong cả thời gian thực hiện:\n"
        "- Ban Quản lý Di tích Nhà tù Hỏa Lò chưa báo cáo hoạt động “Kỷ niệm 75 năm Lời kêu gọi thi đua ái quốc” "
        "trong khoảng 01/05/2023 – 30/06/2023: đề nghị đơn vị báo cáo các hoạt động đã tổ chức ở trang “Hoạt động” "
        "của báo cáo gửi tới. (Căn cứ: Mục I, Kế hoạch số 327/KH-SVHTT.)\n"
        "Tệp “HOALO_thang05.xlsx”:\n"
        "- Trang “Danh sách đề nghị”: Ô P6 – đề nghị cấp Thành phố cần “Phạm vi ảnh hưởng” là Thành phố hoặc Toàn "
        "quốc (nhận được “Toàn ngành”): hãy kiểm tra lại phạm vi ảnh hưởng, hoặc chọn lại cấp đề nghị. (Căn cứ: "
        "Mục V, Kế hoạch số 327/KH-SVHTT.)")
    assert not any(s.startswith("Tình hình nộp:") for s in sections)
    assert sections[5] == ("Đề nghị đơn vị gửi ngay các báo cáo còn thiếu nêu trên, đồng thời xem xét các cảnh báo "
                           "trên (nội dung nào cần sửa thì sửa và gửi lại) theo mẫu biểu chuẩn về Văn phòng Sở.")
    assert sections[-1] == "Trân trọng,\nVăn phòng Sở Văn hóa và Thể thao Hà Nội\n"


def test_a_unit_with_only_an_activity_warning_is_asked_to_consider_it(sample_letters):
    """KHTC sent its reports on time; its one warning (an activity not reported) is a warning, and
    the letter closes asking to consider it."""
    sections = _sections(sample_letters["KHTC"])
    assert sections[2:4] == [
        "Cần lưu ý (cảnh báo):\nHồ sơ của đơn vị trong cả thời gian thực hiện:\n"
        "- Phòng Kế hoạch - Tài chính chưa báo cáo hoạt động “Kỷ niệm 75 năm Lời kêu gọi thi đua ái quốc” trong "
        "khoảng 01/05/2023 – 30/06/2023: đề nghị đơn vị báo cáo các hoạt động đã tổ chức ở trang “Hoạt động” của "
        "báo cáo gửi tới. (Căn cứ: Mục I, Kế hoạch số 327/KH-SVHTT.)",
        "Đề nghị đơn vị xem xét các cảnh báo trên; nội dung nào cần sửa thì sửa và gửi lại về Văn phòng Sở, đồng "
        "thời lưu ý khi lập các báo cáo tiếp theo."]
    assert len(sections) == 6 and "Tình hình nộp:" not in "\n".join(sections)
