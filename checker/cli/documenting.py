"""`ntvt documents`: the .docx drafts that go to the City (the Tờ trình and the báo cáo tổng kết),
from a consolidation of the inbox with the council's decisions. Registered on the group by commands.py."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from . import words
from .machinery import (EXIT_CLEAN, EXIT_FINDINGS, FILE, FOLDER, Argument, Command, Option, as_of_option,
                        rules_option)
from .machinery import api  # checker.api, imported on first use
from ..write.terminal import printable


@click.command(cls=Command)
@rules_option
@click.argument("inbox", cls=Argument, metavar=FOLDER, type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--decisions", cls=Option, metavar=FILE, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Bảng tổng hợp có trang “Xét duyệt” Hội đồng đã điền: Tờ trình đề nghị Thành phố các gương Hội đồng "
                   "chọn “Đề nghị Thành phố”. Không có tùy chọn này thì chỉ ghi báo cáo tổng kết.")
@click.option("-o", "--output", cls=Option, metavar=FOLDER, required=True,
              type=click.Path(file_okay=False, path_type=Path),
              help="Thư mục ghi hai văn bản (to_trinh_<ngày tính>.docx, bao_cao_tong_ket_<ngày tính>.docx); không được "
                   "nằm trong THƯ_MỤC hộp thư.")
@click.option("--workbook", cls=Option, metavar=FILE, type=click.Path(dir_okay=False, path_type=Path),
              help="Ghi cả bảng tổng hợp (.xlsx) của cùng lần tổng hợp, để đối chiếu số liệu.")
@as_of_option
def documents(rules_path, inbox, decisions, output, workbook, as_of):
    """Soạn văn bản gửi Thành phố (.docx, thể thức Nghị định 30/2020/NĐ-CP): Tờ trình đề nghị khen thưởng các gương
    Hội đồng đã chọn, kèm danh sách; báo cáo tổng kết với số liệu của lần tổng hợp THƯ_MỤC hộp thư.

    Mã thoát 0: đã ghi cả hai văn bản; 1: chỉ ghi báo cáo tổng kết (chưa có quyết định “Đề nghị Thành phố” nào của
    Hội đồng); 2: dùng sai lệnh, tệp quy tắc không có khối “documents:” hoặc không ghi được; 3: lỗi chương trình (chi
    tiết ghi vào tệp nhật ký); 130: đã dừng bằng Ctrl+C.

    Ví dụ:

        ntvt documents hop_thu/ --decisions hoi_dong.xlsx -o van_ban/

        ntvt documents hop_thu/ -o van_ban/
    """
    rules = api.load_rules(rules_path)
    day = as_of if as_of is not None else dt.datetime.now(rules.deadlines.zone).date()  # the clock, at the edge
    if workbook is not None and workbook.suffix.lower() != ".xlsx":
        raise click.UsageError(printable(words.NOT_XLSX.format(name=workbook.name)))
    result, written = api.draft_documents(inbox, output, rules, as_of=day, decisions=decisions, output=workbook)
    names = [words.PROPOSAL_WORDS, words.REPORT_WORDS] if len(written) == 2 else [words.REPORT_WORDS]
    for what, path in zip(names, written):
        click.echo(printable(words.DOCUMENT_WRITTEN.format(what=what, path=path)))
    for f in result.findings:
        if decisions is not None and f.file == decisions.name:
            click.echo(printable(f"{f.message}"), err=True)
    info = rules.review
    if len(written) == 2:
        from ..decide.figures import pending_city  # lazy: start-up cost (pandas), as machinery's api
        pending = pending_city(result)
        if pending:
            click.echo(printable(words.PENDING_LEFT_OUT.format(count=pending, level=rules.consolidation.city_level,
                                                                pending=info.pending)), err=True)
        sys.exit(EXIT_CLEAN)
    if decisions is None:
        click.echo(printable(words.NO_PROPOSAL_WITHOUT_DECISIONS.format(propose=info.propose if info else "",
                                                                         folder=output)), err=True)
    else:
        click.echo(printable(words.NO_PROPOSAL_CHOSEN.format(source=decisions.name, propose=info.propose,
                                                              pending=info.pending, column=info.decision_label)),
                   err=True)
    sys.exit(EXIT_FINDINGS)
