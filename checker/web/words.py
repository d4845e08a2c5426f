"""The page's own words: the navigation, and what it says when something cannot be done."""

from __future__ import annotations

from ..model.errors import CheckerError

# (path, name): every page, in the order of a clerk's month. Each page's <title> is its name.
NAV = (("/", "Tình hình nộp"), ("/hop-thu", "Hộp thư"), ("/nhan-ho-so", "Nhận hồ sơ"), ("/tong-hop", "Tổng hợp"),
       ("/xet-duyet", "Xét duyệt"), ("/gui-thu", "Gửi thư phản hồi"), ("/loi", "Lỗi và cảnh báo"),
       ("/tai-ve", "Tải về"), ("/quy-tac", "Quy tắc"))

DUPLICATE = "đã nhận trước đó (cùng nội dung); không tính thêm lần nữa"
RUNNING = ("Đang chạy một lần tổng hợp (tính đến hết ngày {as_of}); chưa thể bắt đầu lần khác. "
           "Hãy chờ lần đang chạy xong rồi bấm lại.")
TOO_LARGE_FILE = "tệp quá lớn (hơn {limit:,} byte); chưa lưu. Hãy nén bớt hoặc tách tệp rồi gửi lại"
TOO_LARGE_REQUEST = ("Lần tải lên này quá lớn (hơn {limit:,} byte); chưa lưu tệp nào. Hãy chọn ít tệp hơn "
                     "mỗi lần rồi tải lên lại.")
NO_FILES = "Chưa chọn tệp nào. Hãy bấm “Chọn tệp” (hoặc “Chọn thư mục”) rồi bấm “Nhận hồ sơ”."
BAD_DAY = "Ngày tính “{value}” không đúng dạng ngày (dd/mm/yyyy). Hãy chọn lại ngày trong ô “Tính đến hết ngày”."
LOCKED = ("Không ghi được bảng tổng hợp: tệp {name} đang mở (có lẽ trong Excel) hoặc không được phép ghi. "
          "Hãy đóng tệp đó rồi bấm “Tổng hợp” lại.")
FETCHING = ("Đang lấy thư mới từ hộp thư; chưa thể bắt đầu việc khác (tổng hợp hay lấy thư). Hãy chờ lấy thư xong "
            "rồi bấm lại.")
FAILED = ("Tổng hợp không xong vì một lỗi nội bộ của ntvt; hồ sơ đã nhận không bị mất. "
          "Hãy báo người quản trị ntvt.")
UNKNOWN_UNIT = "Không có đơn vị “{unit}” trong tệp quy tắc. Hãy chọn đơn vị trong danh sách."


def busy(job) -> str:
    """Why a job cannot start now: the one worker runs a consolidation or a fetch."""
    return FETCHING if job.kind == "fetch" else RUNNING.format(as_of=job.as_of)


def failure_words(exc: BaseException) -> str:
    """What the progress page says when a consolidation fails: a workbook left open in Excel, an
    output that cannot be written, or (anything else) an internal error."""
    if isinstance(exc, PermissionError):
        return LOCKED.format(name=f"“{exc.filename}”" if exc.filename else "kết quả")
    if isinstance(exc, CheckerError) and exc.message:
        return exc.message
    return FAILED


def day(moment) -> str:
    """A date or datetime as people write it: 25/07/2023."""
    return f"{moment:%d/%m/%Y}" if moment else ""


def stamp(moment, place: str) -> str:
    """A moment in the plan's local time as people write it: "19/05/2023 08:30 giờ <place>"."""
    return f"{moment:%d/%m/%Y %H:%M} giờ {place}" if moment else ""
