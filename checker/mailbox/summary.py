"""What `ntvt fetch` tells the clerk: counts, then every message not saved named by sender and
subject with the reason, the clocks to check, and how to consolidate the folder with its receipt log."""

from __future__ import annotations

from ..read.names import shown_text
from .fetch import Fetch

__all__ = ["fetch_summary"]

SHOWN = 20  # messages listed per kind; the rest counted


def fetch_summary(result: Fetch) -> str:
    lines = [f"Hộp thư {result.account}, thư mục “{shown_text(result.folder)}”: {result.looked_at} thư mới "
             f"({result.known} thư đã xem ở lần lấy trước); đã lưu {len(result.saved)} thư có bảng tính vào "
             f"{result.into}."]
    for title, items in (("Thư trùng (đã lưu một lần)", result.duplicates),
                         ("Thư không có bảng tính (không lưu)", result.not_carrying),
                         ("Thư không tải về", result.refused)):
        if items:
            lines.append(f"{title}: {len(items)} thư.")
            lines += [f"  – {shown_text(i.sender)}: “{shown_text(i.subject)}” – {i.reason}" for i in items[:SHOWN]]
            if len(items) > SHOWN:
                lines.append(f"  … và {len(items) - SHOWN} thư khác.")
    for name, hours in result.clocks:
        lines.append(f"Cảnh báo: thư {name} ghi ngày gửi (Date) lệch {hours:.0f} giờ so với lúc máy chủ thư nhận: "
                     f"máy của đơn vị có thể đặt sai giờ; hãy kiểm tra thời điểm nhận trong sổ nhận {_log(result)}.")
    if result.receipt_log is not None:
        lines.append(f"Tổng hợp thư mục này kèm sổ nhận (lúc máy chủ thư nhận từng thư): ntvt consolidate "
                     f"{result.into} -o tong_hop.xlsx --receipt-log {result.receipt_log}")
    return "\n".join(lines)


def _log(result: Fetch) -> str:
    return str(result.receipt_log) if result.receipt_log else "(so_nhan.csv)"
