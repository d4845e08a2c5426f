"""Generate a realistic, seeded inbox of unit workbooks for the consolidation benchmark.

    python benchmarks/generate.py /tmp/inbox --n 1000 --seed 42

Each workbook has the standard template's layout (the static cells of a real template made by
`checker.write.template.make_template`: sheet names, labels with their required-marks, prompts, guide,
lists and the hidden "_ntvt" version sheet), with the unit's data written straight into it with
xlsxwriter, which is far faster than filling the template through openpyxl at 10,000 files:
the "Thông tin đơn vị" form (label in A, value in B, from row 3), 5–60 rows in "Danh sách đề nghị"
and 1–6 in "Hoạt động" (header on row 4, data from row 5).

Files cycle over the 24 official units and the 5 monthly cycles (05–09/2023); past 120 files the
same slots are resubmitted (`..._lan002.xlsx`, each with its own "Ngày gửi"), which is how a city-wide
inbox grows. About 5 % of the checked cells are planted mistakes of every kind the row rules know
(and a few on the info form), each chosen so that the planted cell triggers exactly the rule
recorded for it. The manifest (JSON next to the inbox, not inside it) lists every planted cell as
{file, sheet, cell, rule_id, plant, value}; file names are as `ntvt consolidate` shows them
(relative to the inbox). File i depends only on (seed, i): the inbox for N=1,000 is the first
1,000 files of the inbox for N=10,000.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing
import os
import random
import sys
import tempfile
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import python_calamine
import xlsxwriter
from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from checker.normalise import text  # noqa: E402
from checker.read.labels import label_key  # noqa: E402
from checker.ruleset.loader import load_rules  # noqa: E402
from checker.ruleset.spec import RuleSet
from checker.write.template import LISTS_SHEET, make_template  # noqa: E402

GENERATOR_VERSION = 1
AS_OF = dt.date(2023, 10, 10)  # the plan's last day: every cycle of the inbox is due
BAD_RATE = 0.05  # share of checked cells that get a planted mistake
HEADER_ROW = 3  # 0-based (Excel row 4)
FORM_FIRST_ROW = 2  # 0-based (Excel row 3)


def nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


FAMILY = [nfc(x) for x in ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô", "Dương", "Lý")]
MIDDLE_M = [nfc(x) for x in ("Văn", "Minh", "Đức", "Quang", "Hữu", "Thành", "Tiến", "Xuân")]
MIDDLE_F = [nfc(x) for x in ("Thị", "Thu", "Thanh", "Ngọc", "Phương", "Minh", "Hồng", "Kim")]
GIVEN_M = [nfc(x) for x in ("Nam", "Tuấn", "Dũng", "Sơn", "Hùng", "Khánh", "Long", "Phong", "Quân", "Thắng", "Việt",
                            "Hải", "Bình", "Cường", "Đạt", "Trung")]
GIVEN_F = [nfc(x) for x in ("Hoa", "Lan", "Hương", "Mai", "Hà", "Phương", "Yến", "Linh", "Trang", "Thảo", "Ngân",
                            "Vân", "Nhung", "Hạnh", "Loan", "Quỳnh")]
TEAMS = [nfc(x) for x in ("Phòng Nghiệp vụ", "Đoàn Nghệ thuật số 1", "Tổ Bảo vệ", "Phòng Hành chính - Tổng hợp",
                          "Tổ Kỹ thuật sân khấu", "Đội Tuyên truyền lưu động", "Phòng Trưng bày", "Tổ Hướng dẫn viên",
                          "Phòng Phục vụ bạn đọc", "Bộ môn Điền kinh")]
POSITIONS = [nfc(x) for x in ("Diễn viên, Đoàn Ca múa", "Chuyên viên, Phòng Nghiệp vụ", "Kỹ thuật viên, Tổ Âm thanh",
                              "Hướng dẫn viên, Phòng Giáo dục", "Thủ thư, Phòng Phục vụ bạn đọc",
                              "Huấn luyện viên, Bộ môn Điền kinh", "Nhân viên bảo vệ, Tổ Bảo vệ",
                              "Kế toán viên, Phòng Hành chính - Tổng hợp", "Phó Trưởng phòng, Phòng Nghiệp vụ")]
ACTS = [nfc(x) for x in (
    "Đồng chí đã chủ động phát hiện và xử lý kịp thời sự cố điện sân khấu trong buổi biểu diễn phục vụ nhân dân",
    "Đồng chí nhặt được chiếc ví có nhiều tiền và giấy tờ tùy thân của du khách tại khu di tích và đã trả lại tận tay",
    "Đồng chí tích cực tham gia hiến máu tình nguyện nhiều lần và vận động đồng nghiệp cùng tham gia",
    "Đồng chí hoàn thành xuất sắc nhiệm vụ số hóa hơn ba nghìn hiện vật của bảo tàng trước thời hạn",
    "Đồng chí đã dũng cảm cứu một em nhỏ bị đuối nước tại hồ điều hòa gần nơi cư trú",
    "Đồng chí đề xuất sáng kiến rút ngắn thời gian phục vụ bạn đọc, được áp dụng tại toàn đơn vị",
    "Đồng chí kiên trì huấn luyện vận động viên trẻ, góp phần giành hai huy chương vàng tại giải toàn quốc",
    "Đồng chí thường xuyên giúp đỡ các gia đình có hoàn cảnh khó khăn trên địa bàn cư trú",
)]
RESULTS = [nfc(x) for x in (
    "bảo đảm an toàn tuyệt đối cho hơn năm trăm khán giả và giữ trọn vẹn chương trình nghệ thuật",
    "được gia đình người bị nạn và chính quyền địa phương gửi thư cảm ơn",
    "góp phần lan tỏa tinh thần tương thân tương ái trong cơ quan và ngoài xã hội",
    "được Giám đốc đơn vị biểu dương trước toàn thể cán bộ, viên chức, người lao động",
    "được báo chí Thủ đô đưa tin và được nhân dân trong khu phố ghi nhận",
    "tạo chuyển biến rõ rệt trong chất lượng phục vụ nhân dân và du khách",
)]
EVIDENCE = [nfc(x) for x in ("Thư cảm ơn của khán giả", "Xác nhận của UBND phường", "Bài viết trên báo Hà Nội Mới",
                             "Giấy khen của đơn vị", "Thư cảm ơn của gia đình người được giúp đỡ")]
ACTIVITY_CONTENT = [nfc(x) for x in (
    "Quán triệt Kế hoạch 327/KH-SVHTT đến toàn thể cán bộ, viên chức", "Phát động phong trào thi đua tại đơn vị",
    "Tổ chức lễ kỷ niệm và biểu dương điển hình tiên tiến", "Đăng tin về gương người tốt, việc tốt trên cổng thông tin",
    "Ban hành kế hoạch triển khai phong trào tại đơn vị", "Tổ chức cuộc thi viết về gương điển hình tiên tiến")]
CHANNELS = [nfc(x) for x in ("Cổng thông tin điện tử của Sở", "Báo Hà Nội Mới", "Trang mạng xã hội của đơn vị")]
PEOPLE = [nfc(x) for x in ("Nguyễn Văn An", "Lê Thị Bình", "Trần Quang Minh", "Phạm Thu Hà", "Đỗ Đức Thắng")]

# Values planted as mistakes: none of them is a list value or one of its aliases, even loosely.
NOT_IN_LIST = {
    "kind": ["Cá nhân xuất sắc", "CN"],
    "gender": ["Na", "Nam nữ", "F"],
    "staff_type": ["Hợp đồng", "Cán bộ hợp đồng"],
    "deed_group": ["Việc tốt", "Khác"],
    "movement": ["Phong trào khác", "ATTP"],
    "criterion": ["Co", "K", "Chưa"],
    "scope": ["Toàn thành phố", "Quận"],
    "level": ["Cấp Bộ", "Nhà nước"],
}
PLACEHOLDERS = ["x", "như trên", "nt", "đang cập nhật"]
BAD_YEARS = ["198x", 1925, 2012, "1985?"]
BAD_TEXT_DATES = ["31/02/2023", "05/31/2023", "31/06/2023"]
NOMINATION_CHECKED = 16  # nomination cells some rule looks at (all but STT and the two free-text columns)
ACTIVITY_CHECKED = 5  # date, type, content, participants, articles


# ---------------------------------------------------------------------------------------------
# The template's static cells, read once from a real template


@dataclass
class Skeleton:
    """Everything of the standard template that does not depend on the unit's data."""

    sheets: list[tuple[str, list[list[Any]], bool]]  # (name, cells, hidden) in template order
    info_rows: dict[str, int]  # info field key -> 0-based row
    columns: dict[str, list[str]]  # table sheet key -> field keys in column order
    names: dict[str, str]  # sheet key -> sheet name
    validations: dict[str, list[tuple[int, str]]]  # table sheet key -> (col, list source)
    units: list[tuple[str, str, tuple[str, ...]]]  # (id, name, aliases)
    cycles: list[str]
    lists: dict[str, list[str]]  # list name -> canonical values
    activity_types: list[str] = field(default_factory=list)
    version: str = ""
    prepared: dict[str, int] = field(default_factory=dict)  # table sheet key -> the template's input rows


def build_skeleton(rules: RuleSet) -> Skeleton:
    """Make a blank template once and keep its static cells, to be replayed in every file."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "template.xlsx"
        make_template(rules, path, as_of=dt.date(2023, 5, 2))
        wb = python_calamine.CalamineWorkbook.from_path(str(path))
        sheets = []
        for meta in wb.sheets_metadata:
            cells = wb.get_sheet_by_name(meta.name).to_python(skip_empty_area=False)
            hidden = meta.visible != python_calamine.SheetVisibleEnum.Visible
            sheets.append((meta.name, cells, hidden))
    by_name = {name: cells for name, cells, _ in sheets}
    info = rules.sheet("info")
    info_cells = by_name[info.name]
    wanted = {label_key(f.label): f.key for f in info.fields}
    info_rows = {}
    for r, line in enumerate(info_cells):
        key = wanted.get(label_key(line[0])) if line and isinstance(line[0], str) and line[0] else None
        if key:
            info_rows[key] = r
    missing = set(wanted.values()) - set(info_rows)
    if missing:
        raise RuntimeError(f"template layout changed: info fields not found {sorted(missing)}")
    columns, names = {}, {}
    for spec in rules.sheets:
        names[spec.key] = spec.name
        if spec.kind == "table":
            header = by_name[spec.name][HEADER_ROW]
            index = {label_key(f.label): f.key for f in spec.fields}
            keys = [index.get(label_key(v)) if isinstance(v, str) and v else None for v in header]
            if [k for k in keys if k] != [f.key for f in spec.fields]:
                raise RuntimeError(f"template layout changed: header of {spec.name!r} is {header}")
            columns[spec.key] = [f.key for f in spec.fields]
    # Drop-down sources as the template declares them: one column per list in the lists sheet.
    lists_cells = by_name[LISTS_SHEET]
    sources = {}
    for c, name in enumerate(lists_cells[0]):
        if name:
            count = sum(1 for line in lists_cells[1:] if c < len(line) and line[c] not in ("", None))
            letter = xl_col_to_name(c)
            sources[name] = f"='{LISTS_SHEET}'!${letter}$2:${letter}${count + 1}"
    validations = {}
    for spec in rules.sheets:
        if spec.kind == "table":
            validations[spec.key] = [(c, sources[f.list]) for c, f in enumerate(spec.fields)
                                     if f.type == "list" and f.list in sources]
    lists = {name: list(rules.list_values(name)) for name in rules.lists}
    return Skeleton(sheets, info_rows, columns, names, validations,
                    [(u.id, u.name, tuple(u.aliases)) for u in rules.units], list(rules.deadlines.cycles), lists,
                    version=rules.template.version,
                    prepared={"nominations": rules.template.nomination_rows, "activities": rules.template.activity_rows})


# ---------------------------------------------------------------------------------------------
# One file


class TextValue(str):
    """A value the unit typed as text (a date or number written as a string)."""


@dataclass
class Row:
    values: dict[str, Any]
    person: bool
    used: set[str] = field(default_factory=set)  # columns already carrying a plant
    exclusive: bool = False  # a plant that changes how the whole row is read (kind)


def _person_name(rng: random.Random, female: bool) -> str:
    if female:
        return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE_F)} {rng.choice(GIVEN_F)}"
    return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE_M)} {rng.choice(GIVEN_M)}"


# Syllables for the places and things a person's own story names: drawn at random, they make each
# summary its own (no two near-copies by chance at city scale), as real summaries are.
SYLLABLES = [nfc(x) for x in (
    "an", "bình", "cầu", "dương", "giang", "hà", "hòa", "khê", "lâm", "long", "mỹ", "nam", "ninh", "phú", "quang",
    "sơn", "tân", "thạch", "thanh", "thịnh", "thủy", "tiên", "trung", "vân", "việt", "xuân", "yên", "đông",
    "đức", "định", "hải", "kim", "lạc", "liên", "minh", "phong", "quế", "tây", "trà", "vĩnh")]


# Every word of the pools' phrases, for the random part of a story.
WORDS = sorted({w.strip(",.").lower() for phrase in (*ACTS, *RESULTS) for w in phrase.split()} | set(SYLLABLES))


def _place(rng: random.Random) -> str:
    return " ".join(rng.choice(SYLLABLES) for _ in range(2)).title()


def _summary(rng: random.Random, name: str, day: dt.date) -> str:
    # One act from the pool, then the person's own account: places, figures and words drawn at
    # random, so no two summaries come out near-copies by chance, even at city scale.
    words = WORDS
    story = " ".join(rng.choice(words) for _ in range(28))
    return (f"{name}, ngày {day:%d/%m/%Y} tại {_place(rng)}: {rng.choice(ACTS).lower()}. {story.capitalize()}, "
            f"giúp {rng.randint(3, 400)} hộ ở {_place(rng)}, {rng.randint(1, 30)} lần được biểu dương.")


def _date(day: dt.date, rng: random.Random, text_share: float = 0.02) -> Any:
    """A date as most units type it (a real date), sometimes as text dd/mm/yyyy (read fine)."""
    return TextValue(day.strftime("%d/%m/%Y")) if rng.random() < text_share else day


def _nomination(rng: random.Random, n: int, sent: dt.date, lists: dict[str, list[str]], seen: set[str],
                team_no: list[int]) -> Row:
    person = rng.random() < 0.85
    if person:
        female = rng.random() < 0.5
        for _ in range(50):
            name = _person_name(rng, female)
            if text.person_key(name) not in seen:
                break
        else:
            name = f"{_person_name(rng, female)} {n}"
        year = rng.randint(1963, 2001)
        values = dict(name=name, kind="Cá nhân", gender="Nữ" if female else "Nam",
                      birth_year=TextValue(str(year)) if rng.random() < 0.03 else year,  # typed as text: fine
                      position=rng.choice(POSITIONS), staff_type=rng.choice(lists["staff_types"]),
                      criterion_1="Có", criterion_2="Có", criterion_3="Có", evidence=rng.choice(EVIDENCE))
    else:
        team_no[0] += 1
        name = f"Tập thể {rng.choice(TEAMS)} ({team_no[0]})"
        values = dict(name=name, kind="Tập thể", position=rng.choice(TEAMS),
                      criterion_1=rng.choice(["Có", "Không"]), criterion_2=rng.choice(["Có", "Không"]),
                      criterion_3=rng.choice(["Có", "Không"]))
        if rng.random() < 0.5:
            values["evidence"] = rng.choice(EVIDENCE)
    seen.add(text.person_key(name))
    level = rng.choices(lists["levels"], weights=[4, 4, 2])[0]
    scope = rng.choice(["Thành phố", "Toàn quốc"]) if level == "Thành phố" else rng.choice(lists["scopes"])
    deed_day = sent - dt.timedelta(days=rng.randint(0, 45))
    values.update(stt=n, deed_group=rng.choice(lists["deed_groups"]), movement=rng.choice(lists["movements"]),
                  deed_date=_date(deed_day, rng), summary=_summary(rng, name, deed_day), scope=scope, level=level)
    if rng.random() < 0.3:
        values["unit_award"] = f"{rng.randint(5, 99)}/QĐ-ĐV ngày {(sent - dt.timedelta(days=3)):%d/%m/%Y}"
    if rng.random() < 0.1:
        values["note"] = "Đề nghị xem xét"
    return Row(values, person)


# Each plant: (name, rule_id, weight). The function of the same name applies it to a row when it
# can do so without touching another rule, and returns (column, value) or None.
NOMINATION_PLANTS = [
    ("blank_required", "DN-BATBUOC", 6), ("blank_kind", "DN-BATBUOC", 1), ("not_in_list", "DN-DANHMUC", 6),
    ("kind_not_in_list", "DN-DANHMUC", 1), ("bad_year", "DN-NAMSINH", 3), ("collective_year", "DN-NAMSINH", 1),
    ("bad_text_date", "DN-NGAY", 3), ("date_after_sent", "DN-NGAY", 1), ("stale_deed", "DN-KIPTHOI", 2),
    ("criterion_no", "DN-TIEUCHI", 3), ("no_evidence", "DN-MINHCHUNG", 2), ("placeholder_summary", "DN-TOMTAT", 3),
    ("short_summary", "DN-TOMTAT", 1), ("long_summary", "DN-TOMTAT", 0.1), ("level_scope", "DN-CAP", 2),
    ("duplicate_person", "DN-TRUNG", 1),
]
ACTIVITY_PLANTS = [
    ("act_blank", "HD-BATBUOC", 4), ("act_no_articles", "HD-BATBUOC", 1), ("act_type", "HD-DANHMUC", 2),
    ("act_date", "HD-NGAY", 2), ("act_number", "HD-SO", 2),
]


class Planter:
    """Applies one planted mistake to a row, keeping every other rule of that row satisfied."""

    def __init__(self, rng: random.Random, sent: dt.date, rows: list[Row]):
        self.rng, self.sent, self.rows = rng, sent, rows

    def free(self, row: Row, *cols: str) -> bool:
        return not row.exclusive and not (row.used & set(cols))

    # -- nominations ---------------------------------------------------------------------------

    def blank_required(self, row: Row):
        cols = ["name", "position", "deed_group", "deed_date", "summary", "scope", "level"]
        if row.person:
            cols += ["gender", "birth_year"]
        col = self.rng.choice(cols)
        if not self.free(row, col) or (col == "level" and "scope" in row.used):
            return None
        row.values.pop(col, None)
        return col, ""

    def blank_kind(self, row: Row):
        if row.used:
            return None
        row.values.pop("kind")
        row.exclusive = True
        return "kind", ""

    def kind_not_in_list(self, row: Row):
        if row.used:
            return None
        row.values["kind"] = value = self.rng.choice(NOT_IN_LIST["kind"])
        row.exclusive = True
        return "kind", value

    def not_in_list(self, row: Row):
        cols = ["staff_type", "deed_group", "movement", "level", "scope"]
        cols += ["gender"] if row.person else ["criterion_1", "criterion_2", "criterion_3"]
        col = self.rng.choice(cols)
        if not self.free(row, col):
            return None
        if col in ("scope", "level") and not self.free(row, "scope", "level"):
            return None
        if col == "scope" and row.values.get("level") == "Thành phố":
            return None  # would also be DN-CAP
        if col == "level":
            row.used.add("scope")  # scope stays valid, whatever level says now
        values = NOT_IN_LIST["criterion" if col.startswith("criterion") else col]
        row.values[col] = value = self.rng.choice(values)
        return col, value

    def bad_year(self, row: Row):
        if not row.person or not self.free(row, "birth_year"):
            return None
        row.values["birth_year"] = value = self.rng.choice(BAD_YEARS)
        return "birth_year", value

    def collective_year(self, row: Row):
        if row.person or not self.free(row, "birth_year"):
            return None
        row.values["birth_year"] = value = self.rng.randint(1990, 2015)
        return "birth_year", value

    def bad_text_date(self, row: Row):
        if not self.free(row, "deed_date"):
            return None
        row.values["deed_date"] = value = TextValue(self.rng.choice(BAD_TEXT_DATES))
        return "deed_date", value

    def date_after_sent(self, row: Row):
        if not self.free(row, "deed_date"):
            return None
        row.values["deed_date"] = value = self.sent + dt.timedelta(days=self.rng.randint(3, 30))
        return "deed_date", value

    def stale_deed(self, row: Row):
        if not self.free(row, "deed_date"):
            return None
        row.values["deed_date"] = value = self.sent - dt.timedelta(days=self.rng.randint(75, 150))
        return "deed_date", value

    def criterion_no(self, row: Row):
        col = self.rng.choice(["criterion_1", "criterion_2", "criterion_3"])
        if not row.person or not self.free(row, col):
            return None
        if self.rng.random() < 0.75:
            row.values[col] = value = "Không"
        else:
            row.values.pop(col)
            value = ""
        return col, value

    def no_evidence(self, row: Row):
        if not row.person or not self.free(row, "evidence"):
            return None
        row.values.pop("evidence", None)
        return "evidence", ""

    def placeholder_summary(self, row: Row):
        if not self.free(row, "summary"):
            return None
        row.values["summary"] = value = self.rng.choice(PLACEHOLDERS)
        return "summary", value

    def short_summary(self, row: Row):
        if not self.free(row, "summary"):
            return None
        row.values["summary"] = value = f"{self.rng.choice(ACTS)}."
        return "summary", value

    def long_summary(self, row: Row):
        if not self.free(row, "summary"):
            return None
        value = " ".join(f"{self.rng.choice(ACTS)}, {self.rng.choice(RESULTS)}." for _ in range(40))
        row.values["summary"] = value
        return "summary", value[:40] + "…"

    def level_scope(self, row: Row):
        if not self.free(row, "scope", "level"):
            return None
        row.values["level"] = "Thành phố"
        row.values["scope"] = value = self.rng.choice(["Trong đơn vị", "Toàn ngành"])
        row.used.add("level")
        return "scope", value

    def duplicate_person(self, row: Row):
        if not row.person or not self.free(row, "name", "birth_year"):
            return None
        earlier = [r for r in self.rows if r.person and not r.exclusive and not ({"name", "birth_year"} & r.used)
                   and isinstance(r.values.get("birth_year"), int)]
        if not earlier:
            return None
        first = self.rng.choice(earlier)
        row.values["name"], row.values["birth_year"] = first.values["name"], first.values["birth_year"]
        row.used.add("birth_year")
        return "name", first.values["name"]

    # -- activities ----------------------------------------------------------------------------

    def act_blank(self, row: Row):
        col = self.rng.choice(["content", "content", "date", "type"])
        if col == "type" and row.values.get("type") == "Tuyên truyền (tin, bài)":
            return None  # its articles would no longer be required: fine, but keep it simple
        row.values.pop(col, None)
        return col, ""

    def act_no_articles(self, row: Row):
        row.values["type"] = "Tuyên truyền (tin, bài)"
        row.values.pop("articles", None)
        return "articles", ""

    def act_type(self, row: Row):
        row.values["type"] = value = self.rng.choice(["Hội nghị", "Tập huấn"])
        return "type", value

    def act_date(self, row: Row):
        if self.rng.random() < 0.5:
            row.values["date"] = value = TextValue(self.rng.choice(BAD_TEXT_DATES))
        else:
            row.values["date"] = value = self.sent + dt.timedelta(days=self.rng.randint(2, 20))
        return "date", value

    def act_number(self, row: Row):
        if self.rng.random() < 0.5:
            row.values["participants"] = value = self.rng.choice([TextValue("khoảng 50"), -5])
            return "participants", value
        row.values["type"] = "Tuyên truyền (tin, bài)"
        row.values["articles"] = value = TextValue(f"{self.rng.randint(2, 9)} bài")
        return "articles", value


def _plant(planter: Planter, row: Row, catalogue, attempts: int) -> list[tuple[str, str, str, Any]]:
    """Try `attempts` plants on a row; each success is (plant, rule_id, column, value)."""
    out = []
    names = [c[0] for c in catalogue]
    weights = [c[2] for c in catalogue]
    rule_of = {c[0]: c[1] for c in catalogue}
    for _ in range(attempts):
        for _try in range(4):
            name = planter.rng.choices(names, weights)[0]
            hit = getattr(planter, name)(row)
            if hit is not None:
                col, value = hit
                row.used.add(col)
                out.append((name, rule_of[name], col, value))
                break
    return out


def _binomial(rng: random.Random, n: int, p: float) -> int:
    return sum(rng.random() < p for _ in range(n))


def make_file(i: int, seed: int, sk: Skeleton) -> dict[str, Any]:
    """The content of file i (pure function of seed and i): info values, rows and planted cells."""
    rng = random.Random(f"ntvt-bench:{seed}:{i}")
    per_cycle = len(sk.units) * len(sk.cycles)
    slot, round_no = i % per_cycle, i // per_cycle
    cycle = sk.cycles[slot // len(sk.units)]
    unit_id, unit_name, aliases = sk.units[slot % len(sk.units)]
    year, month = (int(x) for x in cycle.split("-"))
    sent = dt.date(year, month, rng.randint(3, 19) if rng.random() < 0.85 else rng.randint(20, 28))
    name = f"thang_{month:02d}/{unit_id}_thang{month:02d}_lan{round_no + 1:03d}.xlsx"
    info = {
        "unit": rng.choice(aliases) if aliases and rng.random() < 0.05 else unit_name,
        "period": f"Tháng {month:02d}/{year}", "report_type": sk.lists["report_types"][0],
        "plan_number": f"{rng.randint(3, 40)}/KH-{unit_id}", "plan_date": dt.date(2023, 5, rng.randint(2, 12)),
        "head": rng.choice(PEOPLE), "preparer": rng.choice(PEOPLE), "phone": TextValue(f"024{rng.randint(3000000, 3999999)}"),
        "email": f"vanthu.{unit_id.lower()}@hanoi.gov.vn", "sent_date": sent,
    }
    planted: list[dict[str, Any]] = []
    info_sheet = sk.names["info"]
    if rng.random() < 0.03:
        info.pop("head")
        planted.append(_entry(name, info_sheet, sk.info_rows["head"], 1, "DV-THUTRUONG", "blank_head", ""))
    if rng.random() < 0.03:
        if rng.random() < 0.5:
            info.pop("plan_number")
            planted.append(_entry(name, info_sheet, sk.info_rows["plan_number"], 1, "DV-KEHOACH", "blank_plan", ""))
        else:
            info["plan_date"] = TextValue("31/04/2023")
            planted.append(_entry(name, info_sheet, sk.info_rows["plan_date"], 1, "DV-KEHOACH", "bad_plan_date",
                                  "31/04/2023"))
    # Nominations
    rows: list[Row] = []
    planter = Planter(rng, sent, rows)
    seen: set[str] = set()
    team_no = [0]
    cols = {k: c for c, k in enumerate(sk.columns["nominations"])}
    sheet = sk.names["nominations"]
    for n in range(1, rng.randint(5, 60) + 1):
        row = _nomination(rng, n, sent, sk.lists, seen, team_no)
        for plant, rule_id, col, value in _plant(planter, row, NOMINATION_PLANTS,
                                                 _binomial(rng, NOMINATION_CHECKED, BAD_RATE)):
            planted.append(_entry(name, sheet, HEADER_ROW + n, cols[col], rule_id, plant, value))
        rows.append(row)
    # Activities
    activities: list[Row] = []
    act_planter = Planter(rng, sent, activities)
    act_cols = {k: c for c, k in enumerate(sk.columns["activities"])}
    act_sheet = sk.names["activities"]
    for n in range(1, rng.randint(1, 6) + 1):
        kind = rng.choice(sk.lists["activity_types"])
        values = {"stt": n, "date": _date(sent - dt.timedelta(days=rng.randint(0, 40)), rng), "type": kind,
                  "content": rng.choice(ACTIVITY_CONTENT), "participants": rng.randint(10, 300)}
        if kind == "Tuyên truyền (tin, bài)":
            values.update(articles=rng.randint(1, 12), channel=rng.choice(CHANNELS),
                          link=f"https://sovhtt.hanoi.gov.vn/tin-tuc/{unit_id.lower()}-{i}-{n}")
        row = Row(values, False)
        attempts = 1 if rng.random() < ACTIVITY_CHECKED * BAD_RATE else 0
        for plant, rule_id, col, value in _plant(act_planter, row, ACTIVITY_PLANTS, attempts):
            planted.append(_entry(name, act_sheet, HEADER_ROW + n, act_cols[col], rule_id, plant, value))
        activities.append(row)
    return {"name": name, "info": info, "nominations": [r.values for r in rows],
            "activities": [r.values for r in activities], "planted": planted, "unit": unit_id, "cycle": cycle,
            "sent": sent.isoformat()}


def _entry(file: str, sheet: str, row0: int, col0: int, rule_id: str, plant: str, value: Any) -> dict[str, Any]:
    shown = value.isoformat() if isinstance(value, dt.date) else value
    return {"file": file, "sheet": sheet, "cell": xl_rowcol_to_cell(row0, col0), "rule_id": rule_id,
            "plant": plant, "value": shown}


# ---------------------------------------------------------------------------------------------
# Writing


def write_file(path: Path, content: dict[str, Any], sk: Skeleton) -> None:
    """Replay the template's static cells, then write the unit's values where the template wants them."""
    wb = xlsxwriter.Workbook(str(path), {"in_memory": True, "strings_to_numbers": False,
                                         "strings_to_formulas": False, "strings_to_urls": False})
    wb.set_properties({"created": dt.datetime(2023, 5, 2)})  # reproducible bytes
    date_fmt = wb.add_format({"num_format": "dd/mm/yyyy"})
    text_fmt = wb.add_format({"num_format": "@"})
    tables = {sk.names[k]: k for k in sk.columns}
    info_name = sk.names["info"]
    for sheet_name, cells, hidden in sk.sheets:
        ws = wb.add_worksheet(sheet_name)
        key = tables.get(sheet_name)
        # More rows than the template prepares: the unit inserted rows, the signature block moved down.
        below = HEADER_ROW + sk.prepared[key] if key else len(cells)
        extra = max(0, len(content[key]) - sk.prepared[key]) if key else 0
        for r, line in enumerate(cells):
            for c, v in enumerate(line):
                if v not in ("", None):
                    ws.write(r + (extra if r > below else 0), c, v)
        if sheet_name == info_name:
            for key, value in content["info"].items():
                _put(ws, sk.info_rows[key], 1, value, date_fmt, text_fmt)
        elif sheet_name in tables:
            key = tables[sheet_name]
            order = sk.columns[key]
            rows = content[key]
            for n, values in enumerate(rows):
                for c, k in enumerate(order):
                    if k in values:
                        _put(ws, HEADER_ROW + 1 + n, c, values[k], date_fmt, text_fmt)
            last = HEADER_ROW + max(sk.prepared[key], len(rows))
            for c, source in sk.validations[key]:
                ws.data_validation(HEADER_ROW + 1, c, last, c, {"validate": "list", "source": source})
            ws.freeze_panes(HEADER_ROW + 1, 0)
        if hidden:
            ws.hide()
    wb.close()


def _put(ws, r: int, c: int, value: Any, date_fmt, text_fmt) -> None:
    if isinstance(value, TextValue):
        ws.write_string(r, c, str(value), text_fmt)
    elif isinstance(value, dt.date):
        ws.write_datetime(r, c, dt.datetime.combine(value, dt.time(0)), date_fmt)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        ws.write_number(r, c, value)
    else:
        ws.write_string(r, c, str(value))


# ---------------------------------------------------------------------------------------------
# Many files

_SKELETON: Skeleton | None = None
_TARGET: Path | None = None


def _init(skeleton: Skeleton, target: Path) -> None:
    global _SKELETON, _TARGET
    _SKELETON, _TARGET = skeleton, target


def _job(args: tuple[int, int]) -> tuple[int, list[dict[str, Any]], int, int]:
    i, seed = args
    content = make_file(i, seed, _SKELETON)
    path = _TARGET / content["name"]
    write_file(path, content, _SKELETON)
    return i, content["planted"], len(content["nominations"]), len(content["activities"])


def manifest_path(directory: Path) -> Path:
    """Where the manifest of an inbox lives: next to it, never inside (it is not a submission)."""
    directory = Path(directory)
    return directory.with_name(directory.name + ".manifest.json")


def generate(directory: Path | str, n: int, seed: int = 42, *, workers: int = 2,
             rules: RuleSet | None = None) -> dict[str, Any]:
    """Write n workbooks under `directory` (made if missing, must be empty) and return the manifest
    (also written to `manifest_path(directory)`)."""
    directory = Path(directory)
    rules = rules or load_rules()
    if directory.exists() and any(directory.iterdir()):
        raise SystemExit(f"{directory} is not empty: give a new or empty directory")
    started = time.perf_counter()
    skeleton = build_skeleton(rules)
    for month in sorted({c.split("-")[1] for c in skeleton.cycles}):
        (directory / f"thang_{month}").mkdir(parents=True, exist_ok=True)
    jobs = [(i, seed) for i in range(n)]
    results: list[tuple[int, list, int, int]] = []
    if workers > 1 and n >= 50:
        ctx = multiprocessing.get_context("fork")
        with ctx.Pool(workers, initializer=_init, initargs=(skeleton, directory)) as pool:
            results = list(pool.imap_unordered(_job, jobs, chunksize=max(1, min(64, n // (workers * 8)))))
    else:
        _init(skeleton, directory)
        results = [_job(job) for job in jobs]
    results.sort(key=lambda r: r[0])
    planted = [p for _, ps, _, _ in results for p in ps]
    nominations = sum(r[2] for r in results)
    activities = sum(r[3] for r in results)
    checked = nominations * NOMINATION_CHECKED + activities * ACTIVITY_CHECKED
    manifest = {
        "generator_version": GENERATOR_VERSION, "seed": seed, "n": n, "as_of": AS_OF.isoformat(),
        "inbox": str(directory), "rules_sha256": rules.sha256,
        "rows": {"nominations": nominations, "activities": activities},
        "checked_cells": checked, "planted_count": len(planted),
        "planted_rate": round(len(planted) / checked, 4) if checked else 0.0,
        "by_rule": _count(p["rule_id"] for p in planted),
        "seconds": round(time.perf_counter() - started, 2),
        "planted": planted,
    }
    manifest_path(directory).write_text(json.dumps(manifest, ensure_ascii=False, indent=0), encoding="utf-8")
    return manifest


def _count(items) -> dict[str, int]:
    out: dict[str, int] = {}
    for x in items:
        out[x] = out.get(x, 0) + 1
    return dict(sorted(out.items()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("directory", type=Path, help="inbox to create (new or empty)")
    parser.add_argument("--n", type=int, default=100, help="number of workbooks (default 100)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    args = parser.parse_args(argv)
    manifest = generate(args.directory, args.n, args.seed, workers=args.workers)
    rows = manifest["rows"]
    print(f"{args.n} workbooks in {args.directory} ({manifest['seconds']} s): {rows['nominations']} nominations, "
          f"{rows['activities']} activities, {manifest['planted_count']} planted problems "
          f"({manifest['planted_rate']:.1%} of {manifest['checked_cells']} checked cells); "
          f"manifest {manifest_path(args.directory)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
