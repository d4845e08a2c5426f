"""The click machinery of the `ntvt` command: Vietnamese usage pieces, the value types (days,
months, workbooks), the shared options, and the group that turns every failure into an exit code
and one Vietnamese line (the English detail to a log file)."""

from __future__ import annotations

import contextlib
import datetime as dt
import difflib
import os
import platform
import sys
import tempfile
import traceback
from pathlib import Path

import click
import click._termui_impl  # noqa: F401  (imported now so that its messages get the catalogue too)
import click.shell_completion  # noqa: F401  (idem)

from . import words
from ..model.addresses import parse_server
from ..model.errors import CheckerError, OutputError, RuleFileError
from ..write.terminal import printable

EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
# 128 + SIGINT, as shells report a command stopped by Ctrl+C: a script can tell "stopped" from
# "wrong arguments" (2), and the same number on Windows.
EXIT_INTERRUPTED = 130
AS_OF_YEARS = (2000, 2100)  # a sane span for a status date; far dates overflow date arithmetic


def _speak_vietnamese() -> None:
    """Put the Vietnamese catalogue in place of gettext in every click module that binds it: click
    looks `_` and `ngettext` up in its module globals each time it speaks. Done before any decorator
    below runs, since some words (the help option's) are taken when a command is built."""
    for module in [m for name, m in sys.modules.items() if name == "click" or name.startswith("click.")]:
        if hasattr(module, "_"):
            module._ = words.CATALOGUE.gettext
        if hasattr(module, "ngettext"):
            module.ngettext = words.CATALOGUE.ngettext


_speak_vietnamese()


class _Api:
    """checker.api, imported on its first use: `ntvt --help`, `ntvt LỆNH --help` and usage errors
    need none of pandas, pandera, openpyxl. Attributes are looked up on the module each time, so a
    test that patches checker.api is seen."""

    def __getattr__(self, name: str):
        from .. import api as module  # lazy: start-up cost (pandas, pandera: not for --help, usage errors)
        return getattr(module, name)


api = _Api()


def _quoted(names) -> str:
    return ", ".join(f"“{name}”" for name in names)


class Option(click.Option):
    def get_error_hint(self, ctx):  # “-o” / “--output”: click quotes with repr
        return " / ".join(f"“{name}”" for name in self.opts)


class Argument(click.Argument):
    def get_error_hint(self, ctx):
        return f"“{self.make_metavar(ctx)}”"


def _did_you_mean(name: str, known) -> str:
    close = difflib.get_close_matches(name, list(known))
    return words.DID_YOU_MEAN.format(names=_quoted(close)) if close else ""


class Speaks:
    """A command with Vietnamese usage pieces that names an unknown option in Vietnamese."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("options_metavar", words.OPTIONS_METAVAR)
        super().__init__(*args, **kwargs)

    def parse_args(self, ctx, args):
        try:
            return super().parse_args(ctx, args)
        except click.NoSuchOption as exc:
            known = [opt for param in self.get_params(ctx) for opt in getattr(param, "opts", [])]
            message = words.NO_SUCH_OPTION.format(name=exc.option_name) + _did_you_mean(exc.option_name, known)
            raise click.NoSuchOption(exc.option_name, message=message, ctx=ctx) from None


class Command(Speaks, click.Command):
    pass


class Moment(click.ParamType):
    """A day (dd/mm/yyyy or yyyy-mm-dd) or a month (mm/yyyy or yyyy-mm, given on as yyyy-mm, as the
    rules file names its cycles), its year within AS_OF_YEARS."""

    name = "moment"

    def __init__(self, metavar: str, forms: tuple[str, ...], bad: str):
        self.metavar, self.forms, self.bad = metavar, forms, bad

    def get_metavar(self, param, ctx=None):
        return self.metavar

    def convert(self, value, param, ctx):
        if isinstance(value, dt.date):
            return value
        for form in self.forms:
            with contextlib.suppress(ValueError):
                moment = dt.datetime.strptime(value.strip(), form)
                break
        else:
            self.fail(printable(self.bad.format(value=value)), param, ctx)
        if not AS_OF_YEARS[0] <= moment.year <= AS_OF_YEARS[1]:
            self.fail(words.OUT_OF_RANGE.format(value=value, low=AS_OF_YEARS[0], high=AS_OF_YEARS[1]), param, ctx)
        return moment.date() if "%d" in self.forms[0] else moment.strftime("%Y-%m")


class WholeRange(click.IntRange):
    """A whole number from `low` to `high`, the bounds in words in --help and in the error ("từ 1
    đến 65535", where click writes "1<=x<=65535")."""

    def __init__(self, low: int, high: int):
        super().__init__(low, high)

    def _describe_range(self) -> str:
        return words.WHOLE_RANGE.format(low=self.min, high=self.max)


DAY = Moment("NGÀY", ("%d/%m/%Y", "%Y-%m-%d"), words.BAD_DAY)
MONTH = Moment("THÁNG", ("%m/%Y", "%Y-%m"), words.BAD_MONTH)


class ServerAddress(click.ParamType):
    """A mail server, HOST[:PORT], as (host, port); a malformed one is named with an example port."""

    name = "server"

    def __init__(self, example_port: int):
        self.example_port = example_port

    def get_metavar(self, param, ctx=None):
        return "MÁY_CHỦ[:CỔNG]"

    def convert(self, value, param, ctx):
        if isinstance(value, tuple):
            return value
        try:
            return parse_server(value, self.example_port)
        except ValueError as exc:
            self.fail(printable(str(exc)), param, ctx)


class Workbook(click.Path):
    """An existing file to check: a folder or a saved e-mail is what `consolidate` reads."""

    def __init__(self):
        super().__init__(exists=True, path_type=Path)

    def convert(self, value, param, ctx):
        path = super().convert(value, param, ctx)
        if path.is_dir() or path.suffix.lower() == ".eml":
            what = (words.A_FOLDER, words.A_FOLDER_SHORT) if path.is_dir() else (words.A_MAIL, words.A_MAIL_SHORT)
            self.fail(printable(words.NOT_A_WORKBOOK.format(name=value, what=what[0], what_short=what[1])), param, ctx)
        return path


FILE, FOLDER = "TỆP", "THƯ_MỤC"
rules_option = click.option("--rules", "rules_path", cls=Option, metavar=FILE, envvar="NTVT_RULES",
                            type=click.Path(exists=True, dir_okay=False, path_type=Path),
                            help="Tệp quy tắc YAML (mặc định: tệp quy tắc đi kèm ntvt).")
as_of_option = click.option("--as-of", cls=Option, type=DAY,
                            help="Ngày tính trạng thái, dạng 25/07/2023 hoặc 2023-07-25 (mặc định: hôm nay, "
                                 "theo giờ của kế hoạch).")


def write_log(headline: str, exc: BaseException, args: list[str]) -> Path | None:
    """Write the English detail of exc (traceback included) to a new log file in the system temp
    folder (Windows: %TEMP%); return its path, or None if it cannot be written."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    lines = [headline, f"time: {dt.datetime.now().astimezone().isoformat()}", f"ntvt: {_version()}",
             f"python: {sys.version.split()[0]} on {platform.platform()}", f"arguments: {args!r}", "",
             *traceback.format_exception(type(exc), exc, exc.__traceback__)]
    try:
        fd, name = tempfile.mkstemp(prefix=f"ntvt-loi-{stamp}-{os.getpid()}-", suffix=".log")
        with open(fd, "w", encoding="utf-8", errors="backslashreplace") as log:
            log.write("\n".join(line.rstrip("\n") for line in lines) + "\n")
    except OSError:
        return None
    return Path(name)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version  # lazy: start-up cost, only for a log

    try:
        return version("ntvt")
    except PackageNotFoundError:
        return "unknown"


def _say(line: str) -> None:
    click.echo(printable(line), err=True)


class Group(Speaks, click.Group):
    """Every way a command can fail has its exit code and one Vietnamese line on stderr:
    2 for a configuration or usage problem (CheckerError), 3 for a bug (any other exception, its
    traceback written to a log file the line names), 130 for Ctrl+C. English details go to the log."""

    # What to say when a CheckerError carries no Vietnamese message of its own.
    WORDS = {OutputError: words.CANNOT_WRITE, CheckerError: words.CANNOT_PROCEED}
    args: list[str] = []
    command_class = Command

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("subcommand_metavar", words.SUBCOMMAND_METAVAR)
        super().__init__(*args, **kwargs)

    def resolve_command(self, ctx: click.Context, args):
        name = args[0] if args else ""  # looked up here: NoSuchCommand is click 8.4+, its hint in repr quotes
        if not name.startswith("-") and self.get_command(ctx, name) is None and not ctx.resilient_parsing:
            message = words.NO_SUCH_COMMAND.format(name=name, commands=", ".join(sorted(self.commands)))
            raise click.UsageError(printable(message + _did_you_mean(name, self.commands)), ctx)
        return super().resolve_command(ctx, args)

    def main(self, args=None, *rest, **kwargs):
        # Errors raised outside a command (while parsing arguments) end here, not in invoke.
        self.args = list(sys.argv[1:] if args is None else args)  # for the log only
        kwargs.setdefault("prog_name", "ntvt")  # the usage lines name the command, under `python -m checker` too
        try:
            # args passed as given: None lets click expand wildcards on Windows (cmd.exe does not).
            return super().main(args, *rest, **kwargs)
        except Exception as exc:
            sys.exit(self.internal_error(exc))

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except CheckerError as exc:
            self.cannot_proceed(exc)
            ctx.exit(EXIT_USAGE)
        except KeyboardInterrupt:
            _say(words.INTERRUPTED)
            ctx.exit(EXIT_INTERRUPTED)
        except Exception as exc:
            ctx.exit(self.internal_error(exc))

    def cannot_proceed(self, exc: CheckerError) -> None:
        # The Vietnamese words only; the English detail (str(exc)) goes to the log.
        log = write_log(f"ntvt could not proceed: {type(exc).__name__}: {exc}", exc, self.args)
        where = f"Chi tiết kỹ thuật đã ghi vào {log}." if log else "Không ghi được tệp chi tiết kỹ thuật."
        if exc.message is None and isinstance(exc, RuleFileError):  # where, for whoever edits the rules file
            said = words.rules_file_at(exc.path, exc.line, exc.where, getattr(exc, "said", None))
        else:
            said = exc.message or next(w for kind, w in self.WORDS.items() if isinstance(exc, kind))
        _say(f"Lỗi: {said} {where}")

    def internal_error(self, exc: BaseException) -> int:
        log = write_log(f"ntvt internal error: {type(exc).__name__}: {exc}", exc, self.args)
        if log is None:  # no log file: the traceback is the only record, so it goes to stderr
            traceback.print_exception(type(exc), exc, exc.__traceback__, file=sys.stderr)
            _say(words.INTERNAL_NO_LOG)
        else:
            _say(words.INTERNAL.format(log=log))
        return EXIT_INTERNAL


