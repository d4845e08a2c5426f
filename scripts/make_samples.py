"""Regenerate sample_workbooks/: a realistic inbox of unit reports for May–July 2023.

Run from the project root:  python scripts/make_samples.py
It writes sample_workbooks/ (the inbox: workbooks and saved emails) and
tests/golden/samples_manifest.json (what each file holds: the planted mistakes with their cells
and rules, and the status each unit should get per cycle as of 25/07/2023). Deterministic: the
same script gives the same files (the workbooks' dates are fixed, emails carry fixed Date headers).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import shutil
import sys
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

import openpyxl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from checker.write.filling import Raw, fill_template  # noqa: E402
from checker.ruleset.loader import load_rules  # noqa: E402

OUT = ROOT / "sample_workbooks"
MANIFEST = ROOT / "tests" / "golden" / "samples_manifest.json"
AS_OF = "2023-07-25"
HANOI = dt.timezone(dt.timedelta(hours=7))
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô"]
MIDDLE = ["Văn", "Thị", "Minh", "Thu", "Đức", "Thanh", "Ngọc", "Quang"]
GIVEN = ["Hoa", "Nam", "Lan", "Tuấn", "Hương", "Dũng", "Mai", "Sơn", "Hà", "Phương", "Khánh", "Yến"]
# A summary is each person's own story: an act, where or when it happened, and how it was
# recognised, never two alike (DN-SAOCHEP warns of a summary copied for another person).
ACTS = [
    "chủ động phát hiện và xử lý kịp thời sự cố điện sân khấu, bảo đảm an toàn cho hơn {n} khán giả",
    "nhặt được chiếc ví có {n} triệu đồng và giấy tờ tùy thân của du khách, liên hệ công an phường trả lại tận tay",
    "tham gia hiến máu tình nguyện lần thứ {n} và vận động đồng nghiệp trong phòng cùng tham gia",
    "hoàn thành số hóa {n} hiện vật trước thời hạn, đề xuất cách rút ngắn thời gian phục vụ bạn đọc",
    "lao xuống hồ cứu một em nhỏ bị đuối nước, sơ cứu rồi đưa em đến trạm y tế cách {n} cây số",
    "tổ chức {n} buổi hướng dẫn miễn phí cho học sinh vùng khó khăn đến tham quan, học tập",
    "quyên góp và vận động được {n} suất quà tặng gia đình chính sách trên địa bàn cư trú",
    "sáng tác và dàn dựng {n} tiết mục mới phục vụ nhân dân các xã ngoại thành",
    "kịp thời dập tắt đám cháy nhỏ ở kho đạo cụ, cứu được {n} bộ trang phục biểu diễn",
]
OCCASIONS = [
    "trong đợt biểu diễn phục vụ Tết Độc lập", "tại khu di tích vào dịp cuối tuần", "khi đi công tác tại huyện Ba Vì",
    "trong Tháng hành động vì trẻ em", "tại nhà văn hóa tổ dân phố nơi cư trú", "trong mùa mưa bão năm nay",
    "khi trực ca đêm tại đơn vị", "trong chương trình giao lưu với bà con huyện Sóc Sơn",
    "trên đường đi làm buổi sáng",
]
RESULTS = [
    "được gia đình và chính quyền địa phương gửi thư cảm ơn", "được Giám đốc đơn vị biểu dương trước toàn cơ quan",
    "được báo Kinh tế và Đô thị đưa tin, lan tỏa trong cộng đồng", "được Ủy ban nhân dân phường tặng giấy khen",
    "được tổ dân phố ghi nhận và nêu gương trong hội nghị", "được đông đảo khán giả và đồng nghiệp ghi nhận",
    "được nhà trường gửi thư cảm ơn đơn vị", "được công đoàn cơ sở khen thưởng đột xuất",
    "được Đài Phát thanh và Truyền hình Hà Nội phản ánh",
]


def person(rng: random.Random, n: int, stories: list[tuple[int, int, int]]) -> dict:
    gender = "Nữ" if n % 2 else "Nam"
    name = f"{rng.choice(FAMILY)} {'Thị' if gender == 'Nữ' else rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
    act, occasion, result = stories.pop()
    summary = (f"{OCCASIONS[occasion].capitalize()}, đồng chí {name} đã {ACTS[act].format(n=rng.randint(3, 600))}; "
               f"việc làm {RESULTS[result]}.")
    return dict(stt=n, name=name, kind="Cá nhân", gender=gender, birth_year=rng.randint(1968, 1999),
                position=rng.choice(["Diễn viên", "Chuyên viên", "Kỹ thuật viên", "Hướng dẫn viên"]) + ", phòng nghiệp vụ",
                staff_type="Viên chức", deed_group="Thực hiện nhiệm vụ chuyên môn",
                movement="Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
                summary=summary, criterion_1="Có", criterion_2="Có", criterion_3="Có",
                evidence="Thư cảm ơn, xác nhận của địa phương", scope="Toàn ngành", level="Sở")


class Samples:
    def __init__(self):
        self.rules = load_rules()
        self.rng = random.Random(327)
        # Stories of which no two share more than one of act, occasion, result (any two of them fix
        # the third), in a fixed shuffled order: no two summaries alike.
        k = len(ACTS)
        assert len(OCCASIONS) == len(RESULTS) == k
        self.stories = [(a, o, (a + o) % k) for a in range(k) for o in range(k)]
        self.rng.shuffle(self.stories)
        self.files: dict[str, dict] = {}

    def workbook(self, rel: str, unit: str, cycle: str, sent: dt.date | object, rows: list[dict],
                 activities: list[dict] = (), info: dict | None = None, summary: dict | None = None,
                 report_type: str = "Báo cáo tháng", mistakes: list[tuple[str, str, str]] = ()) -> Path:
        path = OUT / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        base = dict(head="Nguyễn Văn Thành", preparer="Lê Thị Hạnh", phone="024 3825 0000", email="vanthu@donvi.gov.vn",
                    plan_number="12/KH-ĐV", plan_date=dt.date(2023, 5, 4), sent_date=sent, report_type=report_type)
        base.update(info or {})
        fill_template(self.rules, path, as_of=dt.date(2023, 5, 2), unit=unit, period=cycle if cycle else None,
                      info=base, nominations=rows, activities=activities, summary=summary)
        self.files[rel] = {"unit": unit, "cycle": cycle, "mistakes": [list(m) for m in mistakes]}
        return path

    def nominations(self, n: int, deed_day: dt.date) -> list[dict]:
        return [dict(person(self.rng, i, self.stories), deed_date=deed_day - dt.timedelta(days=3 * i))
                for i in range(1, n + 1)]

    def email(self, rel: str, attachment: Path, sender: str, date_header: str, subject: str) -> None:
        msg = EmailMessage()
        msg["From"] = sender
        msg["To"] = "vanphong@sovhtt.hanoi.gov.vn"
        msg["Subject"] = subject
        msg["Date"] = date_header
        msg["Message-ID"] = f"<{rel.replace('/', '.')}@donvi.gov.vn>"
        msg.set_content("Kính gửi Văn phòng Sở,\nĐơn vị gửi báo cáo phong trào “Người tốt, việc tốt”.\nTrân trọng.")
        msg.add_attachment(attachment.read_bytes(), maintype="application", subtype=XLSX.split("/")[1],
                           filename=attachment.name)
        target = OUT / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(msg.as_bytes())
        attachment.unlink()
        entry = self.files.pop(str(attachment.relative_to(OUT)))
        entry["mistakes"] = [[f"{rel} › {attachment.name}", *m[1:]] for m in entry["mistakes"]]
        self.files[f"{rel} › {attachment.name}"] = entry


def drift_layout(path: Path) -> None:
    """What units do to the template: rows above the header, a blank row, a signature block."""
    wb = openpyxl.load_workbook(path)
    ws = wb["Danh sách đề nghị"]
    ws.insert_rows(1, 2)
    ws["A1"] = "SỞ VĂN HOÁ VÀ THỂ THAO HÀ NỘI"
    ws.insert_rows(8)  # a blank row inside the table (rows now start at 7)
    last = ws.max_row + 2
    ws.cell(row=last, column=2, value="THỦ TRƯỞNG ĐƠN VỊ")
    ws.cell(row=last + 1, column=2, value="(Ký, ghi rõ họ tên, đóng dấu)")
    ws.cell(row=last + 4, column=2, value="Nguyễn Văn Thành")
    wb.save(path)


def drop_column(path: Path, label: str) -> None:
    wb = openpyxl.load_workbook(path)
    ws = wb["Danh sách đề nghị"]
    col = next(c.column for c in ws[4] if c.value and str(c.value).startswith(label))
    ws.delete_cols(col)
    wb.save(path)


def main() -> None:
    if OUT.exists():
        shutil.rmtree(OUT)
    s = Samples()
    act = lambda day, kind, text, **kw: dict(stt=1, date=day, type=kind, content=text, participants=40, **kw)  # noqa
    june75 = act(dt.date(2023, 6, 11), "Kỷ niệm 75 năm Lời kêu gọi thi đua ái quốc", "Tọa đàm kỷ niệm 75 năm Ngày Bác Hồ ra Lời kêu gọi thi đua ái quốc")
    # --- May: most units on time (Ngày gửi before the 20th), one late, a few mistakes ---------------
    clean_units = ["VP", "TTRA", "KHTC", "TCPC", "QLVH", "QLNT", "NSVH", "QLDS", "QLTDTT", "CMNTL", "MRTL", "KICH",
                   "CAILUONG", "BTHN", "THUVIEN", "DTDT", "HOALO", "VMQTG", "TTVH", "HLTD"]
    for n, unit in enumerate(clean_units):
        rows, mistakes = s.nominations(1 + n % 2, dt.date(2023, 5, 8)), []
        f = f"thang_05/{unit}_thang05.xlsx"
        if unit == "HOALO":  # proposed to the City: scope Thành phố fits, Toàn ngành gets DN-CAP's warning
            rows = s.nominations(2, dt.date(2023, 5, 8))
            rows[0].update(level="Thành phố", scope="Thành phố")
            rows[1].update(level="Thành phố", scope="Toàn ngành")
            mistakes = [(f, "Danh sách đề nghị", "P6", "DN-CAP")]
        if unit == "TTVH":  # a deed from March proposed in May: not "ngay tại thời điểm phát hiện"
            rows[0]["deed_date"] = dt.date(2023, 3, 1)
            mistakes = [(f, "Danh sách đề nghị", "J5", "DN-KIPTHOI")]
        s.workbook(f, unit, "2023-05", dt.date(2023, 5, 10 + n % 8), rows,
                   [act(dt.date(2023, 5, 5), "Phát động thi đua", "Phát động phong trào tại đơn vị")], mistakes=mistakes)
    s.workbook("thang_05/TTTTTL_thang05.xlsx", "TTTTTL", "2023-05", dt.date(2023, 5, 18), s.nominations(1, dt.date(2023, 5, 9)),
               [act(dt.date(2023, 5, 12), "Tuyên truyền (tin, bài)", "Đăng tin về gương người tốt, việc tốt", articles=3,
                    channel="Cổng thông tin điện tử của Sở")])
    # Nhà hát Chèo: late (sent 22/05), with text dates typed by hand.
    rows = s.nominations(1, dt.date(2023, 5, 12))
    rows[0]["deed_date"] = Raw("12/05/2023")
    s.workbook("thang_05/NH_Cheo_thang05_tre_han.xlsx", "CHEO", "2023-05", dt.date(2023, 5, 22), rows,
               mistakes=[("thang_05/NH_Cheo_thang05_tre_han.xlsx", "(toàn đợt)", "", "HAN-THANG")])
    # Nhà hát Xiếc: the typical mistakes in one file.
    rows = s.nominations(4, dt.date(2023, 5, 15))
    rows[0]["gender"] = "Na"                          # D5 not in list
    rows[1]["position"] = None                        # F6 required
    rows[1]["deed_date"] = Raw("05/31/2023")          # J6 not a day-first date
    rows[2]["criterion_2"] = "Không"                  # M7 individual without all criteria
    rows[3]["summary"] = "x"                          # K8 placeholder summary
    rows[3]["birth_year"] = 2015                      # E8 too young
    f = "thang_05/NH_Xiec_thang05_nhieu_loi.xlsx"
    s.workbook(f, "XIEC", "2023-05", dt.date(2023, 5, 16), rows, info={"head": None},
               mistakes=[(f, "Danh sách đề nghị", "D5", "DN-DANHMUC"), (f, "Danh sách đề nghị", "F6", "DN-BATBUOC"),
                         (f, "Danh sách đề nghị", "J6", "DN-NGAY"), (f, "Danh sách đề nghị", "M7", "DN-TIEUCHI"),
                         (f, "Danh sách đề nghị", "K8", "DN-TOMTAT"), (f, "Danh sách đề nghị", "E8", "DN-NAMSINH"),
                         (f, "Thông tin đơn vị", "B8", "DV-THUTRUONG"),
                         (f, "Danh sách đề nghị", "", "DV-TOITHIEU"), (f, "(toàn đợt)", "", "HAN-THANG")])
    # PTNK sends nothing in May.
    # --- June: emails; a resubmission; a missing column; layout drift -----------------------------
    for n, unit in enumerate(clean_units[:14]):
        p = s.workbook(f"thang_06/{unit}_thang06.xlsx", unit, "2023-06", dt.date(2023, 6, 12), s.nominations(1, dt.date(2023, 6, 9)),
                       [june75] if n % 3 == 0 else [])
        if n < 4:
            s.email(f"thang_06/thu_{unit}_thang06.eml", p, f"Văn thư <vanthu.{unit.lower()}@hanoi.gov.vn>",
                    format_datetime(dt.datetime(2023, 6, 10 + n, n + 1, 15, tzinfo=HANOI)), "Báo cáo NTVT tháng 6")
    # Nhà hát Chèo: first file without a valid nomination (15/06), corrected on 18/06 – on time. The
    # correction is the same nominee with a real summary: it replaces the first file's row.
    good = s.nominations(1, dt.date(2023, 6, 10))
    bad = [dict(good[0], summary="như trên")]
    p = s.workbook("thang_06/NH_Cheo_thang06_lan1.xlsx", "CHEO", "2023-06", dt.date(2023, 6, 15), bad,
                   mistakes=[("thang_06/NH_Cheo_thang06_lan1.xlsx", "Danh sách đề nghị", "K5", "DN-TOMTAT"),
                             ("thang_06/NH_Cheo_thang06_lan1.xlsx", "Danh sách đề nghị", "", "DV-TOITHIEU")])
    s.workbook("thang_06/NH_Cheo_thang06_lan2.xlsx", "CHEO", "2023-06", dt.date(2023, 6, 18), good, [june75])
    # Bảo tàng Hà Nội: the e-mail arrived at 00:20 on 20/06 Hanoi time (17:20 UTC on the 19th): late.
    p = s.workbook("thang_06/BTHN_thang06.xlsx", "BTHN", "2023-06", dt.date(2023, 6, 19), s.nominations(1, dt.date(2023, 6, 16)))
    s.email("thang_06/thu_BTHN_thang06.eml", p, "Bảo tàng Hà Nội <vanthu@baotanghanoi.vn>",
            format_datetime(dt.datetime(2023, 6, 19, 17, 20, tzinfo=dt.timezone.utc)), "Bao cao NTVT thang 6")
    s.files["thang_06/thu_BTHN_thang06.eml › BTHN_thang06.xlsx"]["mistakes"] = [
        ["thang_06/thu_BTHN_thang06.eml › BTHN_thang06.xlsx", "(toàn đợt)", "", "HAN-THANG"]]
    # Thư viện: the "Nhóm việc tốt" column deleted.
    p = s.workbook("thang_06/ThuVien_thang06_thieu_cot.xlsx", "THUVIEN", "2023-06", dt.date(2023, 6, 14),
                   s.nominations(1, dt.date(2023, 6, 8)),
                   mistakes=[("thang_06/ThuVien_thang06_thieu_cot.xlsx", "Danh sách đề nghị", "", "DV-MAU"),
                             ("thang_06/ThuVien_thang06_thieu_cot.xlsx", "Danh sách đề nghị", "", "DV-TOITHIEU"),
                             ("thang_06/ThuVien_thang06_thieu_cot.xlsx", "(toàn đợt)", "", "HAN-THANG")])
    drop_column(p, "Nhóm việc tốt")
    # Ban QL di tích: rows above the header, a blank row, a signature block; unit written as an abbreviation.
    p = s.workbook("thang_06/BQL_DTDT_thang06.xlsx", "DTDT", "2023-06", dt.date(2023, 6, 16), s.nominations(2, dt.date(2023, 6, 5)),
                   info={"unit": "BQL di tích danh thắng HN"})
    drift_layout(p)
    # TTTTTL sends a June report without a publicity activity.
    s.workbook("thang_06/TTTTTL_thang06.xlsx", "TTTTTL", "2023-06", dt.date(2023, 6, 15), s.nominations(1, dt.date(2023, 6, 2)),
               mistakes=[("thang_06/TTTTTL_thang06.xlsx", "(toàn đợt)", "", "HD-TUYENTRUYEN")])
    # --- July: half the units so far; the summary report (sent 10/07) with a wrong total ---------------
    for unit in clean_units[:10]:
        s.workbook(f"thang_07/{unit}_thang07.xlsx", unit, "2023-07", dt.date(2023, 7, 14), s.nominations(1, dt.date(2023, 7, 7)))
    # Mục V: propose "ngay tại thời điểm phát hiện": a second July file of the second unit with a new
    # nominee (found after its first report); both files count, two nominations in force.
    extra = s.nominations(1, dt.date(2023, 7, 15))
    s.workbook(f"thang_07/{clean_units[1]}_thang07_bo_sung.xlsx", clean_units[1], "2023-07", dt.date(2023, 7, 17), extra)
    # Nhà hát Kịch copies, for another person, the summary another unit wrote: both rows are warned.
    copied = s.nominations(1, dt.date(2023, 7, 12))
    copied[0]["summary"] = extra[0]["summary"]
    f = "thang_07/NH_Kich_thang07.xlsx"
    s.workbook(f, "KICH", "2023-07", dt.date(2023, 7, 18), copied,
               mistakes=[(f, "Danh sách đề nghị", "K5", "DN-SAOCHEP")])
    s.files[f"thang_07/{clean_units[1]}_thang07_bo_sung.xlsx"]["mistakes"].append(
        [f"thang_07/{clean_units[1]}_thang07_bo_sung.xlsx", "Danh sách đề nghị", "K5", "DN-SAOCHEP"])
    f = "tong_ket/VP_bao_cao_tong_ket.xlsx"
    s.workbook(f, "VP", "", dt.date(2023, 7, 20), [], report_type="Báo cáo tổng kết",
               summary=dict(total_nominations=5, individuals=3, collectives=0, level_base=0, level_dept=3, level_city=0,
                            activity_count=2, article_count=0,
                            highlights="Đơn vị đã phát hiện, giới thiệu kịp thời các gương người tốt, việc tốt hằng tháng."),
               mistakes=[(f, "Tổng kết", "B3", "TK-KHOP")])
    for path in OUT.rglob("*"):
        if path.is_file():
            os.utime(path, (1_690_000_000, 1_690_000_000))  # fixed times: the evidence never falls back to "now"
    MANIFEST.parent.mkdir(parents=True, exist_ok=True)
    MANIFEST.write_text(json.dumps({"as_of": AS_OF, "files": s.files}, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
                        encoding="utf-8")
    print(f"wrote {sum(1 for p in OUT.rglob('*') if p.is_file())} files to {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
