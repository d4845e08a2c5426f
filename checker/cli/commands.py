"""The `ntvt` command: a thin skin over the library (parse, call one function, render, exit code).
Its click machinery is in machinery.py, its Vietnamese words in words.py."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sys
from pathlib import Path

import click

from . import words
from .machinery import (EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE, FILE, FOLDER, MONTH, Argument, Group, Option,
                        WholeRange, Workbook, as_of_option, rules_option)
from .fetching import fetch
from .sending import send
from .verifying import verify
from .documenting import documents
from .machinery import api  # checker.api, imported on first use
from ..normalise.matching import UnitIndex
from ..write.console import consolidation_summary, copy_failures, findings_table, rules_table, summary_line
from ..write.terminal import printable


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="ntvt")
def main() -> None:
    """ntvt – kiểm tra và tổng hợp hồ sơ thi đua các đơn vị gửi theo mẫu biểu của kế hoạch, theo tệp quy tắc.

    Xem cách dùng từng lệnh: ntvt LỆNH --help (ví dụ ntvt check --help).
    """


def _as_of(value: dt.date | None, rules) -> dt.date:
    # The only place that reads the clock: the library always takes as_of.
    if value is not None:
        return value
    return dt.datetime.now(rules.deadlines.zone).date()


def _month(cycle: str) -> str:
    """2023-06 as people write it: 06/2023."""
    year, month = cycle.split("-")
    return f"{month}/{year}"


def _require_xlsx(path: Path) -> None:
    if path.suffix.lower() != ".xlsx":
        raise click.UsageError(printable(words.NOT_XLSX.format(name=path.name)))


@contextlib.contextmanager
def _progress(total: int, label: str):
    if total < 20 or not sys.stderr.isatty():
        yield None
        return
    with click.progressbar(length=total, label=label, file=sys.stderr) as bar:
        yield bar.update


@main.command()
@rules_option
@click.option("-o", "--output", cls=Option, metavar=FILE, type=click.Path(dir_okay=False, path_type=Path),
              help="Tệp mẫu sẽ ghi (mặc định: mau_<tên viết tắt của kế hoạch>.xlsx).")
@click.option("--unit", cls=Option, metavar="ĐƠN_VỊ", help="Điền sẵn đơn vị (mã hoặc tên đúng trong tệp quy tắc).")
@click.option("--month", "period", cls=Option, type=MONTH,
              help="Điền sẵn kỳ báo cáo, dạng 06/2023 hoặc 2023-06.")
@click.option("--all-units", "all_units", cls=Option, metavar=FOLDER,
              type=click.Path(file_okay=False, path_type=Path),
              help="Ghi vào thư mục này một mẫu điền sẵn cho mỗi đơn vị.")
@as_of_option
def template(rules_path, output, unit, period, all_units, as_of):
    """Ghi mẫu biểu chuẩn (trống hoặc điền sẵn đơn vị, kỳ báo cáo).

    Mã thoát 0: đã ghi mẫu; 2: tùy chọn sai hoặc không ghi được; 3: lỗi chương trình (chi tiết ghi vào tệp nhật ký); 130: đã dừng bằng Ctrl+C.

    Ví dụ:

        ntvt template -o mau_NTVT.xlsx

        ntvt template --all-units mau_thang_05 --month 05/2023
    """
    rules = api.load_rules(rules_path)
    day = _as_of(as_of, rules)
    output = output or Path(f"mau_{rules.plan.short_name}.xlsx")
    if all_units and unit:
        raise click.UsageError(words.UNIT_AND_ALL_UNITS)
    if period and period not in rules.deadlines.cycles:
        shown = ", ".join(_month(cycle) for cycle in rules.deadlines.cycles)
        raise click.UsageError(words.UNKNOWN_PERIOD.format(month=_month(period), periods=shown))
    _require_xlsx(output)
    try:
        if all_units:
            paths = api.make_unit_templates(rules, all_units, as_of=day, period=period)
            click.echo(printable(f"Đã ghi {len(paths)} mẫu vào {all_units}"))
        else:
            api.make_template(rules, output, as_of=day, unit=unit, period=period)
            click.echo(printable(f"Đã ghi mẫu: {output}"))
    except ValueError:  # the period is known (checked above): the unit is not
        raise click.UsageError(printable(words.UNKNOWN_UNIT.format(unit=unit, suggestion=_unit_hint(rules, unit)))) from None


def _unit_hint(rules, written: str) -> str:
    """The closest official units, by the same matcher that reads the units' files, with the code
    to type: `--unit` takes a code or an exact name only, so a close name is a suggestion here."""
    index = UnitIndex(rules)
    hit = index.match(written)
    names = [hit.name] if hit else index.suggest(written)
    codes = {u.name: u.id for u in rules.units}
    shown = " hoặc ".join(words.UNIT_GUESS.format(name=n, code=codes[n]) for n in names)
    return words.UNIT_GUESSES.format(units=shown) if names else ""


@main.command()
@rules_option
@click.argument("files", nargs=-1, required=True, cls=Argument, metavar=f"{FILE}...", type=Workbook())
@click.option("--json", "as_json", cls=Option, is_flag=True, help="In kết quả dạng JSON (cho máy đọc).")
@click.option("--annotate", cls=Option, metavar=FOLDER, type=click.Path(file_okay=False, path_type=Path),
              help="Ghi vào thư mục này bản sao có đánh dấu lỗi của từng tệp, để gửi lại đơn vị.")
@as_of_option
def check(rules_path, files, as_json, annotate, as_of):
    """Kiểm tra tệp báo cáo của đơn vị.

    Mã thoát 0: không có lỗi (có thể có cảnh báo); 1: có lỗi; 2: dùng sai lệnh hoặc có tệp không đọc được; 3: lỗi chương trình (chi tiết ghi vào tệp nhật ký); 130: đã dừng bằng Ctrl+C.

    Ví dụ:

        ntvt check sample_workbooks/thang_06/NH_Cheo_thang06_lan1.xlsx

        ntvt check *.xlsx --annotate tra_lai/ --json
    """
    rules = api.load_rules(rules_path)
    day = _as_of(as_of, rules)
    with _progress(len(files), "Đang kiểm tra") as progress:
        validation = api.validate_files(files, rules, as_of=day, progress=progress)
    report = validation.report()
    # The findings first: a folder that cannot be written (exit 2) must not hide what was found.
    click.echo(report.to_json() if as_json else findings_table(report))
    click.echo(summary_line(report), err=True)
    if annotate:
        written = api.write_annotated_copies(validation, annotate, inputs=files, as_of=day)
        click.echo(printable(f"Đã ghi {len(written)} bản sao có đánh dấu vào {annotate}"), err=True)
        if written.failures:
            click.echo(copy_failures(written.failures), err=True)
    # An unreadable file, or ntvt's own output given as a report: the input is the problem.
    if any(f.status in ("rejected", "generated") for f in report.files):
        sys.exit(EXIT_USAGE)
    sys.exit(EXIT_CLEAN if report.valid else EXIT_FINDINGS)


@main.command()
@rules_option
@click.option("--check", "check_path", cls=Option, metavar=FILE, type=click.Path(exists=True, dir_okay=False,
                                                                                 path_type=Path),
              help="Chỉ kiểm tra tệp quy tắc này có hợp lệ không.")
def rules(rules_path, check_path):
    """Liệt kê các quy tắc đang áp dụng, hoặc kiểm tra một tệp quy tắc.

    Mã thoát 0: tệp quy tắc hợp lệ; 2: tệp quy tắc không hợp lệ; 3: lỗi chương trình (chi tiết ghi vào tệp nhật ký); 130: đã dừng bằng Ctrl+C.

    Ví dụ:

        ntvt rules

        ntvt rules --check rules/kh327-2023.yaml
    """
    loaded = api.load_rules(check_path or rules_path)
    if check_path:
        click.echo(printable(f"Tệp quy tắc hợp lệ: {check_path} ({len(loaded.rules)} quy tắc, {len(loaded.units)} đơn vị)"))
        return
    click.echo(rules_table(loaded))


@main.command()
@rules_option
@click.argument("inbox", cls=Argument, metavar=f"[{FOLDER}]", required=False,
                type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("-o", "--output", cls=Option, metavar=FILE, type=click.Path(dir_okay=False, path_type=Path),
              help="Tệp tổng hợp (.xlsx) sẽ ghi; không được nằm trong THƯ_MỤC hộp thư. Bắt buộc khi đọc THƯ_MỤC; "
                   "với --workspace, mặc định là ket_qua/tong_hop_<ngày tính>.xlsx trong thư mục làm việc.")
@click.option("--workspace", cls=Option, metavar=FOLDER, type=click.Path(file_okay=False, path_type=Path),
              help="Thư mục làm việc (như của `ntvt serve`): tổng hợp các hồ sơ đã nhận vào đó, ghi kết quả vào "
                   "ket_qua/ và ghi lần tổng hợp vào sổ nhận hồ sơ; dùng thay cho THƯ_MỤC hộp thư.")
@click.option("--receipt-log", cls=Option, metavar=FILE, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Sổ nhận văn bản (CSV lưu từ Excel, phân cách “,” hoặc “;”; cột “Tên tệp” và “Thời điểm nhận”, "
                   "hoặc file, received_at) làm căn cứ thời điểm nhận.")
@click.option("--feedback", cls=Option, metavar=FOLDER, type=click.Path(file_okay=False, path_type=Path),
              help="Ghi vào thư mục này, cho mỗi đơn vị có lỗi: bản sao có đánh dấu và thư trả lời soạn sẵn (.eml).")
@click.option("--decisions", cls=Option, metavar=FILE, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Bảng tổng hợp có trang “Xét duyệt” Hội đồng đã điền: danh sách đề xuất Thành phố, thư trả lời "
                   "và trang “Xét duyệt” mới theo các quyết định này. Với --workspace, các quyết định được ghi vào "
                   "sổ nhận hồ sơ (như lưu trên trang “Xét duyệt” của ntvt serve) rồi mới tổng hợp.")
@as_of_option
def consolidate(rules_path, inbox, output, workspace, receipt_log, feedback, decisions, as_of):
    """Tổng hợp hằng tháng: đọc mọi tệp trong THƯ_MỤC hộp thư (hoặc thư mục làm việc), ghi một bảng tổng hợp cho kiểm tra viên.

    Mã thoát 0: không có lỗi; 1: có lỗi (đơn vị nộp trễ hoặc chưa nộp, ô sai); 2: dùng sai lệnh hoặc không ghi được; 3: lỗi chương trình (chi tiết ghi vào tệp nhật ký); 130: đã dừng bằng Ctrl+C.

    Ví dụ:

        ntvt consolidate sample_workbooks/ -o tong_hop.xlsx --as-of 2023-07-25

        ntvt consolidate hop_thu/ -o tong_hop.xlsx --feedback tra_loi/

        ntvt consolidate --workspace D:/thi_dua --as-of 2023-07-25

        ntvt consolidate --workspace D:/thi_dua --decisions tong_hop_hoi_dong.xlsx
    """
    rules = api.load_rules(rules_path)
    day = _as_of(as_of, rules)
    if (inbox is None) == (workspace is None):
        raise click.UsageError(words.INBOX_OR_WORKSPACE)
    if workspace is not None:
        _consolidate_workspace(workspace, output, rules, day, receipt_log or feedback, decisions)
    if output is None:
        ctx = click.get_current_context()
        raise click.MissingParameter(ctx=ctx, param=next(p for p in ctx.command.params if p.name == "output"))
    _require_xlsx(output)
    # Only a size for the progress bar: links are not followed (gather lists, never reads, them).
    total = sum(len(names) for _, _, names in os.walk(inbox))
    with _progress(total, "Đang đọc hồ sơ") as progress:
        result = api.consolidate(inbox, output, rules, as_of=day, receipt_log=receipt_log, feedback=feedback,
                                 progress=progress, decisions=decisions)
    click.echo(consolidation_summary(result))
    sys.exit(EXIT_FINDINGS if result.counts["findings_error"] else EXIT_CLEAN)


def _consolidate_workspace(root: Path, output: Path | None, rules, day: dt.date, folder_only,
                           decisions: Path | None) -> None:
    """`consolidate --workspace`: the workspace's files, the run recorded in its register; `decisions`
    (a filled "Xét duyệt") are kept in the register first."""
    if folder_only:
        raise click.UsageError(words.FOLDER_ONLY_OPTIONS)
    if output is not None:
        _require_xlsx(output)
    ws = api.open_workspace(root, rules)
    if decisions is not None:
        count = api.import_decisions(ws, decisions, decided_at=dt.datetime.now(rules.deadlines.zone))  # the clock, at the edge
        click.echo(printable(words.DECISIONS_IMPORTED.format(count=count, name=decisions.name)))
    with _progress(len(api.workspace_files(ws)), "Đang đọc hồ sơ") as progress:
        result = api.consolidate_workspace(ws, as_of=day, progress=progress, output=output,
                                           run_at=dt.datetime.now(rules.deadlines.zone))  # the clock, at the edge
    click.echo(consolidation_summary(result))
    sys.exit(EXIT_FINDINGS if result.counts["findings_error"] else EXIT_CLEAN)


@main.command()
@rules_option
@click.option("--workspace", cls=Option, metavar=FOLDER, type=click.Path(file_okay=False, path_type=Path),
              help="Thư mục làm việc: hồ sơ đã nhận, kết quả và sổ nhận hồ sơ (mặc định: Documents/ntvt).")
@click.option("--host", cls=Option, default="127.0.0.1", show_default=True, metavar="ĐỊA_CHỈ",
              help="Địa chỉ mở trang; khác 127.0.0.1/localhost thì phải có --password-file.")
@click.option("--port", cls=Option, default=8327, show_default=True, type=WholeRange(1, 65535), metavar="CỔNG",
              help="Cổng mở trang.")
@click.option("--no-browser", cls=Option, is_flag=True, help="Không tự mở trình duyệt.")
@click.option("--password-file", cls=Option, metavar=FILE, type=click.Path(exists=True, dir_okay=False,
                                                                           path_type=Path),
              help="Tệp chứa mật khẩu (dòng đầu) để đăng nhập vào trang.")
def serve(rules_path, workspace, host, port, no_browser, password_file):
    """Mở trang làm việc trên trình duyệt: nhận hồ sơ, tổng hợp, xem lỗi, tải kết quả.

    Mã thoát 0: đã dừng (bằng Ctrl+C); 2: địa chỉ bị từ chối, cổng đang bận hoặc tùy chọn sai; 3: lỗi chương trình
    (chi tiết ghi vào tệp nhật ký).

    Ví dụ:

        ntvt serve

        ntvt serve --workspace D:/thi_dua --no-browser
    """
    from .. import web  # lazy: start-up cost (starlette, uvicorn, jinja2, argon2: ~0.15 s) for every other command

    rules = api.load_rules(rules_path)
    server = web.prepare(workspace or web.default_workspace(), rules, host=host, port=port,
                         password_file=password_file)
    click.echo(printable(f"ntvt đang mở trang tại {server.url} (dừng bằng Ctrl+C)."))
    server.run(open_browser=not no_browser)


main.add_command(send)  # `ntvt send`, in sending.py (this module stays within the size rule)
main.add_command(fetch)  # `ntvt fetch`, in fetching.py
main.add_command(verify)  # `ntvt verify`, in verifying.py
main.add_command(documents)  # `ntvt documents`, in documenting.py
