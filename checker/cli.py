"""The `ntvt` command: a thin skin over the library (parse, call one function, render, exit code)."""

from __future__ import annotations

import contextlib
import datetime as dt
import sys
from pathlib import Path

import click

import checker as api
from .errors import CheckerError, OutputError, RuleFileError
from .render import consolidation_summary, findings_table, rules_table, summary_line

EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2

rules_option = click.option("--rules", "rules_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                            envvar="NTVT_RULES", help="Tệp quy tắc YAML (mặc định: KH 327/KH-SVHTT 2023).")
as_of_option = click.option("--as-of", type=click.DateTime(["%Y-%m-%d", "%d/%m/%Y"]),
                            help="Ngày tính trạng thái, YYYY-MM-DD (mặc định: hôm nay, giờ Hà Nội).")


class Group(click.Group):
    """Program problems stop with exit code 2 and a Vietnamese line saying what kind of problem it is;
    the English detail after it is for whoever maintains the rules file or the tool."""

    WORDS = {RuleFileError: "Tệp quy tắc không hợp lệ", OutputError: "Không ghi được kết quả"}

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except CheckerError as exc:
            words = next((w for kind, w in self.WORDS.items() if isinstance(exc, kind)), "Không thực hiện được")
            click.echo(f"Lỗi: {words}. ({exc})", err=True)
            ctx.exit(EXIT_USAGE)


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="ntvt")
def main() -> None:
    """ntvt – kiểm tra và tổng hợp hồ sơ phong trào “Người tốt, việc tốt” (KH 327/KH-SVHTT).

    Checks and consolidates the unit workbooks of the "Good people, good deeds" emulation plan.
    """


def _as_of(value: dt.datetime | None, rules) -> dt.date:
    # The only place that reads the clock: the library always takes as_of.
    if value is not None:
        return value.date()
    return dt.datetime.now(dt.timezone(dt.timedelta(hours=rules.deadlines.utc_offset_hours))).date()


def _require_xlsx(path: Path) -> None:
    if path.suffix.lower() != ".xlsx":
        raise click.UsageError(f"Tệp kết quả phải có đuôi .xlsx (nhận được “{path.name}”).")


@contextlib.contextmanager
def _progress(total: int, label: str):
    if total < 20 or not sys.stderr.isatty():
        yield None
        return
    with click.progressbar(length=total, label=label, file=sys.stderr) as bar:
        yield bar.update


@main.command()
@rules_option
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=Path("mau_NTVT.xlsx"),
              show_default=True, help="Tệp mẫu sẽ ghi.")
@click.option("--unit", help="Điền sẵn đơn vị (mã hoặc tên đúng trong tệp quy tắc).")
@click.option("--month", "period", help="Điền sẵn kỳ báo cáo, dạng YYYY-MM (ví dụ 2023-05).")
@click.option("--all-units", "all_units", type=click.Path(file_okay=False, path_type=Path),
              help="Ghi vào thư mục này một mẫu điền sẵn cho mỗi đơn vị.")
@as_of_option
def template(rules_path, output, unit, period, all_units, as_of):
    """Ghi mẫu biểu chuẩn (trống hoặc điền sẵn đơn vị, kỳ báo cáo).

    Example:

        ntvt template -o mau_NTVT.xlsx

        ntvt template --all-units mau_thang_05 --month 2023-05
    """
    rules = api.load_rules(rules_path)
    day = _as_of(as_of, rules)
    if all_units and unit:
        raise click.UsageError("--unit và --all-units không dùng cùng nhau (--all-units ghi mẫu cho mọi đơn vị).")
    _require_xlsx(output)
    try:
        if all_units:
            paths = api.make_unit_templates(rules, all_units, as_of=day, period=period)
            click.echo(f"Đã ghi {len(paths)} mẫu vào {all_units}")
        else:
            api.make_template(rules, output, as_of=day, unit=unit, period=period)
            click.echo(f"Đã ghi mẫu: {output}")
    except ValueError as exc:
        raise click.UsageError(f"Không nhận ra đơn vị hoặc kỳ báo cáo (xem mã đơn vị bằng `ntvt rules`). ({exc})") from None


@main.command()
@rules_option
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="In kết quả dạng JSON (cho máy đọc).")
@click.option("--annotate", type=click.Path(file_okay=False, path_type=Path),
              help="Ghi vào thư mục này bản sao có đánh dấu lỗi của từng tệp, để gửi lại đơn vị.")
@as_of_option
def check(rules_path, files, as_json, annotate, as_of):
    """Kiểm tra tệp báo cáo của đơn vị.

    Exit code 0: no errors (warnings allowed); 1: errors found; 2: usage problem or unreadable file.

    Example:

        ntvt check sample_workbooks/thang_05/NH_Cheo_thang05.xlsx

        ntvt check *.xlsx --annotate tra_lai/ --json
    """
    rules = api.load_rules(rules_path)
    with _progress(len(files), "Đang kiểm tra") as progress:
        validation = api.validate_files(files, rules, as_of=_as_of(as_of, rules), progress=progress)
    report = validation.report()
    if annotate:
        written = api.write_annotated_copies(validation, annotate, inputs=files)
        click.echo(f"Đã ghi {len(written)} bản sao có đánh dấu vào {annotate}", err=True)
    click.echo(report.to_json() if as_json else findings_table(report))
    click.echo(summary_line(report), err=True)
    if any(f.status == "rejected" for f in report.files):
        sys.exit(EXIT_USAGE)
    sys.exit(EXIT_CLEAN if report.valid else EXIT_FINDINGS)


@main.command()
@click.option("--rules", "rules_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              envvar="NTVT_RULES", help="Tệp quy tắc YAML (mặc định: KH 327/KH-SVHTT 2023).")
@click.option("--check", "check_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Chỉ kiểm tra tệp quy tắc này có hợp lệ không.")
def rules(rules_path, check_path):
    """Liệt kê các quy tắc đang áp dụng, hoặc kiểm tra một tệp quy tắc.

    Example:

        ntvt rules

        ntvt rules --check rules/kh327-2023.yaml
    """
    loaded = api.load_rules(check_path or rules_path)
    if check_path:
        click.echo(f"Tệp quy tắc hợp lệ: {check_path} ({len(loaded.rules)} quy tắc, {len(loaded.units)} đơn vị)")
        return
    click.echo(rules_table(loaded))


@main.command()
@rules_option
@click.argument("inbox", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Tệp tổng hợp (.xlsx) sẽ ghi; không được nằm trong thư mục INBOX.")
@click.option("--receipt-log", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Sổ nhận văn bản (CSV: file, received_at) làm căn cứ thời điểm nhận.")
@click.option("--feedback", type=click.Path(file_okay=False, path_type=Path),
              help="Ghi vào thư mục này, cho mỗi đơn vị có lỗi: bản sao có đánh dấu và thư trả lời soạn sẵn (.eml).")
@as_of_option
def consolidate(rules_path, inbox, output, receipt_log, feedback, as_of):
    """Tổng hợp hằng tháng: đọc mọi tệp trong INBOX, ghi một bảng tổng hợp cho kiểm tra viên.

    Exit code 0: no errors; 1: errors found (late or missing units, invalid cells); 2: usage problem.

    Example:

        ntvt consolidate sample_workbooks/ -o tong_hop.xlsx --as-of 2023-07-25

        ntvt consolidate hop_thu/ -o tong_hop.xlsx --feedback tra_loi/
    """
    rules = api.load_rules(rules_path)
    day = _as_of(as_of, rules)
    _require_xlsx(output)
    total = sum(1 for p in inbox.rglob("*") if p.is_file())
    with _progress(total, "Đang đọc hồ sơ") as progress:
        result = api.consolidate(inbox, output, rules, as_of=day, receipt_log=receipt_log, feedback=feedback,
                                 progress=progress)
    click.echo(consolidation_summary(result))
    sys.exit(EXIT_FINDINGS if result.counts["findings_error"] else EXIT_CLEAN)
