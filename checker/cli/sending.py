"""`ntvt send`: the reply drafts of a consolidation, listed (a dry run) or sent over SMTP with --yes.
Registered on the group by commands.py; the clock and the password prompt are read here, at the edge."""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

import click

from . import words
from .machinery import EXIT_CLEAN, EXIT_FINDINGS, FOLDER, Argument, Command, Option, ServerAddress, rules_option
from .machinery import api  # checker.api, imported on first use
from ..model.addresses import is_loopback
from ..write.terminal import printable

PASSWORD_VARIABLE = "NTVT_SMTP_PASSWORD"


@click.command(cls=Command)
@rules_option
@click.argument("drafts", cls=Argument, metavar=FOLDER, type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--smtp", "smtp", cls=Option, required=True, type=ServerAddress(465),
              help="Máy chủ gửi thư, dạng MÁY_CHỦ hoặc MÁY_CHỦ:CỔNG. Mặc định mã hóa TLS: cổng 465 (mặc định) là "
                   "SMTPS, cổng khác (587, 25) dùng STARTTLS.")
@click.option("--user", cls=Option, metavar="TÊN", help="Tên đăng nhập máy chủ thư; mật khẩu lấy từ biến môi trường "
                                                        f"{PASSWORD_VARIABLE}, nếu không có thì hỏi (không hiện chữ).")
@click.option("--from", "sender", cls=Option, metavar="ĐỊA_CHỈ",
              help="Địa chỉ người gửi (mặc định: office_email trong tệp quy tắc).")
@click.option("--plain", cls=Option, is_flag=True, help="Không mã hóa (chỉ cho máy chủ thử trên chính máy này).")
@click.option("--yes", cls=Option, is_flag=True, help="Gửi thật; không có --yes thì chỉ liệt kê, không gửi.")
@click.option("--workspace", cls=Option, metavar=FOLDER, type=click.Path(file_okay=False, path_type=Path),
              help="Thư mục làm việc: ghi các thư đã gửi vào sổ của nó (mặc định: sổ so_gui_thu.sqlite3 trong "
                   "THƯ_MỤC thư trả lời).")
def send(rules_path, drafts, smtp, user, sender, plain, yes, workspace):
    """Gửi thư trả lời soạn sẵn (thư mục --feedback của consolidate) cho các đơn vị, mỗi thư một lần.

    Không có --yes: chỉ liệt kê ai sẽ nhận thư nào (đơn vị, địa chỉ, tiêu đề, tệp đính kèm, cỡ), không gửi.
    Thư đã gửi được ghi vào sổ: chạy lại không gửi lại.

    Mã thoát 0: đã gửi hết (hoặc chỉ liệt kê); 1: có thư chưa gửi được (chưa có địa chỉ, máy chủ từ chối
    người nhận); 2: dùng sai lệnh, không kết nối hoặc không đăng nhập được máy chủ thư, hay mất kết nối khi
    đang gửi; 3: lỗi chương trình (chi tiết ghi vào tệp nhật ký); 130: đã dừng bằng Ctrl+C.

    Ví dụ:

        ntvt send tra_loi/ --smtp mail.coquan.gov.vn

        ntvt send tra_loi/ --smtp mail.coquan.gov.vn:587 --user vanphong --yes
    """
    host, port = smtp
    if plain and not is_loopback(host):
        raise click.UsageError(printable(words.PLAIN_NOT_LOOPBACK.format(host=host)))
    rules = api.load_rules(rules_path)
    ws = api.open_workspace(workspace, rules) if workspace else None
    password = None
    if yes:
        password = os.environ.get(PASSWORD_VARIABLE)
        if user and password is None:
            password = click.prompt(words.SMTP_PASSWORD_PROMPT.format(user=user, host=host), hide_input=True,
                                    err=True)
    server = api.Server(host, port, user, password, plain)
    listed = api.send_replies(drafts, server, send=yes, sender=sender, workspace=ws, rules=rules,
                              sent_at=dt.datetime.now(rules.deadlines.zone) if yes else None)  # the clock, at the edge
    click.echo(printable(api.send_listing(listed, rules)))
    from ..mailbox.send import NO_RECIPIENT, REFUSED  # lazy: start-up cost (the mailbox; loaded by now)
    unsent = any(o.status in (NO_RECIPIENT, REFUSED) for o in listed.outcomes)
    sys.exit(EXIT_FINDINGS if yes and unsent else EXIT_CLEAN)
