"""`ntvt fetch`: the units' emails that carry a spreadsheet, saved from the office mailbox into a folder.
Registered on the group by commands.py; the clock and the password prompt are read here, at the edge."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import click

from . import words
from .machinery import DAY, FOLDER, Command, Option, ServerAddress, rules_option
from .machinery import api  # checker.api, imported on first use
from ..model.addresses import is_loopback
from ..write.terminal import printable

PASSWORD_VARIABLE = "NTVT_IMAP_PASSWORD"


@click.command(cls=Command)
@rules_option
@click.option("--imap", "imap", cls=Option, required=True, type=ServerAddress(993),
              help="Máy chủ thư đến, dạng MÁY_CHỦ hoặc MÁY_CHỦ:CỔNG. Mặc định mã hóa TLS: cổng 993 (mặc định) "
                   "là IMAPS, cổng 143 dùng STARTTLS.")
@click.option("--user", cls=Option, required=True, metavar="TÊN",
              help=f"Tên đăng nhập hộp thư; mật khẩu lấy từ biến môi trường {PASSWORD_VARIABLE}, nếu không có thì "
                   f"hỏi (không hiện chữ).")
@click.option("--folder", cls=Option, default="INBOX", show_default=True, metavar="THƯ_MỤC_THƯ",
              help="Thư mục trong hộp thư cần lấy.")
@click.option("--since", cls=Option, type=DAY, help="Chỉ lấy thư máy chủ nhận từ ngày này, dạng 01/06/2023.")
@click.option("--into", cls=Option, required=True, metavar=FOLDER, type=click.Path(file_okay=False, path_type=Path),
              help="Thư mục lưu các thư có bảng tính (.eml, nguyên bản) và sổ nhận so_nhan.csv.")
@click.option("--workspace", cls=Option, metavar=FOLDER, type=click.Path(file_okay=False, path_type=Path),
              help="Thư mục làm việc: ghi các thư đã xem vào sổ của nó (mặc định: sổ so_lay_thu.sqlite3 trong "
                   "thư mục --into).")
@click.option("--plain", cls=Option, is_flag=True, help="Không mã hóa (chỉ cho máy chủ thử trên chính máy này).")
def fetch(rules_path, imap, user, folder, since, into, workspace, plain):
    """Lấy thư của các đơn vị từ hộp thư: lưu mọi thư có bảng tính (đính kèm, trong tệp .zip hay trong thư
    chuyển tiếp) vào thư mục --into, mỗi thư một tệp .eml nguyên bản; thư khác được đếm và kể tên, không lưu.

    Thư đã xem được ghi vào sổ: chạy lại chỉ lấy thư mới; một thư có ở hai thư mục chỉ lưu một lần. Lúc máy
    chủ thư nhận từng thư ghi vào so_nhan.csv trong thư mục --into, dùng khi tổng hợp (--receipt-log).

    Mã thoát 0: đã lấy xong; 2: dùng sai lệnh, không kết nối hoặc không đăng nhập được hộp thư, hay mất kết
    nối khi đang lấy (thư đã lưu vẫn giữ, chạy lại để lấy tiếp); 3: lỗi chương trình (chi tiết ghi vào tệp
    nhật ký); 130: đã dừng bằng Ctrl+C.

    Ví dụ:

        ntvt fetch --imap mail.coquan.gov.vn --user vanphong --into hop_thu/

        ntvt fetch --imap mail.coquan.gov.vn:143 --user vanphong --since 01/06/2023 --into hop_thu/
    """
    host, port = imap
    if plain and not is_loopback(host):
        raise click.UsageError(printable(words.PLAIN_NOT_LOOPBACK_IMAP.format(host=host)))
    rules = api.load_rules(rules_path)
    ws = api.open_workspace(workspace, rules) if workspace else None
    password = os.environ.get(PASSWORD_VARIABLE)
    if password is None:
        password = click.prompt(words.IMAP_PASSWORD_PROMPT.format(user=user, host=host), hide_input=True, err=True)
    account = api.Account(host, user, password, port=port, plain=plain,
                          cafile=Path(os.environ["NTVT_IMAP_CAFILE"]) if os.environ.get("NTVT_IMAP_CAFILE") else None)
    result = api.fetch_mail(account, into, folder=folder, since=since, workspace=ws, rules=rules,
                            fetched_at=dt.datetime.now(rules.deadlines.zone))  # the clock, at the edge
    click.echo(printable(api.fetch_summary(result)))
