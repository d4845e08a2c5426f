"""What the page says when a consolidation fails."""

from __future__ import annotations

from checker.model.errors import OutputError
from checker.web.words import FAILED, NAV, failure_words


def test_an_open_workbook_is_said_in_words():
    """PermissionError (a workbook open in Excel) names the file and says to close it."""
    said = failure_words(PermissionError(13, "Permission denied", "tong_hop_2023-06-25.xlsx"))
    assert said == ("Không ghi được bảng tổng hợp: tệp “tong_hop_2023-06-25.xlsx” đang mở (có lẽ trong Excel) hoặc "
                    "không được phép ghi. Hãy đóng tệp đó rồi bấm “Tổng hợp” lại.")


def test_an_output_error_says_its_own_words():
    """An OutputError carries its Vietnamese message; the page shows it as it is."""
    assert failure_words(OutputError("detail", message="Không ghi được kết quả vào X.")) == "Không ghi được kết quả vào X."


def test_anything_else_is_an_internal_error():
    """Any other exception is said as an internal error, its English detail never shown."""
    assert failure_words(KeyError("status_code")) == FAILED


def test_every_page_is_in_the_navigation_once():
    """The navigation names six pages, each path once, starting at the status page."""
    assert [path for path, _ in NAV] == ["/", "/hop-thu", "/nhan-ho-so", "/tong-hop", "/xet-duyet", "/gui-thu", "/loi",
                                         "/tai-ve", "/quy-tac"]
