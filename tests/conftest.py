"""Shared fixtures: the bundled rules and a factory for genuine filled workbooks."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from checker.write.filling import Raw, fill_template
from checker.ruleset.loader import load_rules

ROOT = Path(__file__).resolve().parent.parent
PLAN_TEXT = ROOT / "docs" / "ke-hoach-327-KH-SVHTT-2023.txt"

settings.register_profile("ci", max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("fuzz", max_examples=500, deadline=None, suppress_health_check=list(HealthCheck))
settings.register_profile("dev", max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

SUMMARY = ("Đồng chí đã chủ động phát hiện và xử lý kịp thời sự cố kỹ thuật trong buổi biểu diễn phục vụ nhân dân, "
           "bảo đảm an toàn cho hơn 500 khán giả; tích cực tham gia hiến máu tình nguyện và giúp đỡ đồng nghiệp.")


# Every good_row(n) gets its own summary, so that two
# different people's clean rows are not copies of each other (DN-SAOCHEP). good_row(1) keeps SUMMARY.
DEEDS = (
    "Đồng chí đã dũng cảm cứu một em nhỏ bị đuối nước tại hồ điều hòa gần khu tập thể nơi cư trú",
    "Chị nhặt được chiếc ví có nhiều tiền và giấy tờ của du khách tại khu di tích, đã trả lại tận tay",
    "Anh tích cực hiến máu tình nguyện mười hai lần và vận động nhiều đồng nghiệp trong đoàn cùng tham gia",
    "Đồng chí hoàn thành trước thời hạn việc số hóa hơn ba nghìn hiện vật của bảo tàng thành phố",
    "Chị đề xuất sáng kiến rút ngắn thời gian phục vụ bạn đọc, được thư viện áp dụng tại mọi phòng đọc",
    "Anh kịp thời dập tắt đám cháy nhỏ ở kho đạo cụ nhà hát trước giờ mở màn, không để thiệt hại lan rộng",
    "Đồng chí tự nguyện dạy bơi miễn phí cho gần một trăm thiếu nhi trong khu phố suốt mùa hè năm nay",
    "Chị chăm sóc, giúp đỡ một cụ già neo đơn trong tổ dân phố nhiều năm liền mà không nhận thù lao",
    "Anh phát hiện và báo kịp thời một vụ lấy trộm cổ vật tại đình làng, giúp công an thu hồi hiện vật",
    "Đồng chí tổ chức quyên góp sách vở, quần áo gửi tặng học sinh vùng cao bị ảnh hưởng bởi lũ quét",
)
RESULTS = (
    "; việc làm được nhân dân và chính quyền địa phương gửi thư khen, báo chí thành phố đưa tin.",
    "; tập thể đơn vị biểu dương trong buổi giao ban và đề nghị nhân rộng cách làm trong toàn ngành.",
    "; gia đình người được giúp đỡ đã đến tận cơ quan cảm ơn, lan tỏa tinh thần tương thân tương ái.",
    "; kết quả được Ban Giám đốc ghi nhận, góp phần nâng cao chất lượng phục vụ người dân và du khách.",
    "; hành động được đồng nghiệp và khán giả đánh giá cao, tạo hình ảnh đẹp về người làm văn hóa.",
    "; Ủy ban nhân dân phường đã tặng giấy khen và mời chia sẻ kinh nghiệm tại hội nghị của phường.",
    "; đài truyền hình Hà Nội phản ánh trong bản tin thời sự, nhiều người trẻ học theo việc làm ấy.",
    "; công đoàn cơ sở trao thưởng đột xuất, coi đây là tấm gương tiêu biểu của năm tại đơn vị.",
    "; chính quyền xã gửi văn bản cảm ơn Sở và đề nghị khen thưởng kịp thời cho cá nhân có thành tích.",
    "; mạng xã hội chia sẻ rộng rãi câu chuyện, góp phần lan tỏa phong trào “Người tốt, việc tốt”.",
)


def summary_of(n: int) -> str:
    """A clean summary of its own for the n-th good row (n = 1 is SUMMARY)."""
    return SUMMARY if n == 1 else DEEDS[n % 10] + RESULTS[(n // 10) % 10]


def good_row(n: int = 1, **changes) -> dict:
    """A nomination row that breaks no rule (for a report sent on 15/05/2023)."""
    row = dict(stt=n, name=f"Nguyễn Thị Hoa {n}", kind="Cá nhân", gender="Nữ", birth_year=1985,
               position="Diễn viên, Đoàn 1", staff_type="Viên chức", deed_group="Thực hiện nhiệm vụ chuyên môn",
               movement="An toàn thực phẩm", deed_date=dt.date(2023, 5, 3), summary=summary_of(n),
               criterion_1="Có", criterion_2="Có", criterion_3="Có", evidence="Thư cảm ơn của khán giả",
               scope="Thành phố", level="Thành phố")
    row.update(changes)
    return row


def good_info(**changes) -> dict:
    info = dict(head="Nguyễn Văn An", preparer="Lê Thị Bình", sent_date=dt.date(2023, 5, 15),
                plan_number="12/KH-NHC", plan_date=dt.date(2023, 5, 4), report_type="Báo cáo tháng")
    info.update(changes)
    return info


@pytest.fixture(autouse=True)
def private_temp(tmp_path_factory, monkeypatch):
    """Each test's temporary files (xlsxwriter's, the CLI's error logs) go to its own folder, not /tmp."""
    folder = tmp_path_factory.mktemp("temp")
    monkeypatch.setattr("tempfile.tempdir", str(folder))
    return folder


@pytest.fixture(scope="session")
def rules():
    return load_rules()


@pytest.fixture
def make_book(tmp_path, rules):
    """Write a filled standard workbook; defaults are a clean May report of Nhà hát Chèo Hà Nội, its
    lists without the template's signature block (as many units send them: the tests about a list's
    rows then count only their own; tests/write/test_template.py reads the block)."""
    counter = iter(range(1, 10_000))

    def make(rows=None, *, info=None, activities=None, summary=None, unit="CHEO", period="2023-05",
             name=None, directory=None, signature=False) -> Path:
        target = (directory or tmp_path) / (name or f"book{next(counter)}.xlsx")
        target.parent.mkdir(parents=True, exist_ok=True)
        return fill_template(rules, target, as_of=dt.date(2023, 5, 2), unit=unit, period=period,
                             info=good_info(**(info or {})), nominations=[good_row()] if rows is None else rows,
                             activities=activities or [], summary=summary, signature=signature)

    return make


__all__ = ["Raw", "good_row", "good_info", "summary_of", "SUMMARY", "PLAN_TEXT", "ROOT"]
