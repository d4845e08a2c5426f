"""`ntvt verify`: does a consolidated workbook still match the inbox it claims, and is it as ntvt wrote it?
Registered on the group by commands.py."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .machinery import EXIT_CLEAN, EXIT_FINDINGS, FILE, FOLDER, Argument, Command, rules_option
from .machinery import api  # checker.api, imported on first use
from ..write.terminal import printable


@click.command(cls=Command)
@rules_option
@click.argument("workbook", cls=Argument, metavar=FILE, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("inbox", cls=Argument, metavar=FOLDER, type=click.Path(exists=True, file_okay=False, path_type=Path))
def verify(rules_path, workbook, inbox):
    """Kiểm chứng bảng tổng hợp: tính lại mã SHA-256 của mọi tệp trong THƯ_MỤC hộp thư và của tệp quy tắc, so với
    bảng tổng hợp TỆP; cho biết tệp nào thiếu, đã thay đổi, được thêm vào, và bảng có bị sửa sau khi ntvt ghi không.

    Mã thoát 0: khớp; 1: không khớp (có danh sách); 2: dùng sai lệnh hoặc không đọc được bảng; 3: lỗi chương trình
    (chi tiết ghi vào tệp nhật ký); 130: đã dừng bằng Ctrl+C.

    Ví dụ:

        ntvt verify tong_hop.xlsx hop_thu/

        ntvt verify tong_hop.xlsx hop_thu/ --rules kh327-2023.yaml
    """
    result = api.verify_workbook(workbook, inbox, api.load_rules(rules_path))
    click.echo(printable("\n".join(result.lines())))
    sys.exit(EXIT_CLEAN if result.matches else EXIT_FINDINGS)
