"""Long summaries held packed (model.packed) through the whole pipeline, on genuine workbooks: every
check on them fires at the same cell with the same words as on a plain text, a check kind written
for plain texts is handed them unpacked, and the consolidated workbook shows them whole."""

from __future__ import annotations

import dataclasses
import datetime as dt
import pickle

import openpyxl
import pandas as pd

from checker.api import check_workbook, consolidate, validate_files
from checker.normalise.people import identity_parts, key_part, person_keys
from checker.model.packed import PACK_FROM, Packed, pack, text_length, unpacked
from checker.validate.long_texts import SLICE, by_slices, lengths, plain
from checker.validate.registry import failing
from checker.validate.row_kinds import Context

from ..conftest import good_row, summary_of

AS_OF = dt.date(2023, 5, 20)
SHEET = "Danh sách đề nghị"
# 135 characters: packed (PACK_FROM = 128) and short of DN-TOMTAT's 150.
SHORT = ("Chị đã trực đêm bảo vệ hiện vật của bảo tàng khi cơn bão số 3 đổ bộ, cùng tổ bảo vệ chằng chống "
         "mái kho, không để hiện vật nào hư hỏng.")
TOO_LONG = " ".join(["Đồng chí đã dũng cảm cứu người bị nạn trong đám cháy tại khu tập thể, rồi cùng bà con "
                     "khắc phục hậu quả."] * 30)  # 3,000 characters and more


def test_a_packed_text_keeps_its_words_its_length_and_its_equality():
    text = "Đồng chí Nguyễn Thị Hoa đã cứu một em nhỏ bị đuối nước tại hồ Văn Quán ngày 02/5/2023. " * 3
    packed = pack(text)
    assert type(packed) is Packed and packed.text() == text and str(packed) == text
    assert packed.length == len(text) == text_length(packed) and unpacked(packed) == text
    assert len(packed) < len(text.encode("utf-8"))  # smaller than the text's UTF-8, let alone its str
    assert pack("".join(list(text))) == packed and hash(pack(text)) == hash(packed)  # grouped as texts are
    assert pack(text + ".") != packed
    assert repr(packed) == f"Packed({len(text)} characters)"
    assert type(pickle.loads(pickle.dumps(packed))) is Packed  # crosses from the reading workers as it is
    short = text[:PACK_FROM - 1]
    assert pack(short) is short and unpacked(short) is short and text_length(short) == PACK_FROM - 1
    assert text_length(None) == 0 and unpacked(None) is None


def test_the_summary_checks_fire_on_packed_texts_at_their_cells(make_book, rules):
    """DN-TOMTAT on packed summaries: a long row of dots is a placeholder (error), 140 characters are
    too short (warning), over 3,000 too long (error), each at its K cell and with its length."""
    rows = [good_row(1), good_row(2, summary="." * 200), good_row(3, summary=SHORT), good_row(4, summary=TOO_LONG)]
    path = make_book(rows)
    held = validate_files([path], rules, as_of=AS_OF).frames.tables["nominations"]["summary"].tolist()
    assert [type(s) for s in held] == [Packed] * 4 and [unpacked(s) for s in held] == [r["summary"] for r in rows]
    report = check_workbook(path, rules, as_of=AS_OF)
    assert report.flatten(("cell", "rule_id", "severity")) == [
        ("K6", "DN-TOMTAT", "error"), ("K7", "DN-TOMTAT", "warning"), ("K8", "DN-TOMTAT", "error")]
    dots, short, long_ = report.findings
    assert dots.value == "." * 200 and f"không phải “{'.' * 200}”" in dots.message
    assert short.value == SHORT and f"(nhận được {len(SHORT)} ký tự)" in short.message
    assert long_.value == TOO_LONG and f"(nhận được {len(TOO_LONG)} ký tự)" in long_.message


def test_a_kind_written_for_plain_texts_is_handed_them_unpacked(make_book, rules):
    """A rules file may put any kind on a long-text column: `in_values` on the summary compares the
    words, not the packed bytes."""
    path = make_book([good_row(1), good_row(2)])
    validation = validate_files([path], rules, as_of=AS_OF)
    frame = validation.frames.tables["nominations"]
    base = rules.rule("DN-CAP").checks[0]
    check = dataclasses.replace(base, when=None, params={**base.params, "column": "summary", "values": [summary_of(2)]})
    ctx = Context(rules, rules.list_values, lambda key: None, lambda name: [], books=validation.books)
    assert failing(ctx, frame, check, "summary").tolist() == [True, False]


def test_packed_columns_are_read_a_slice_at_a_time():
    texts = [f"{n} " + "chữ " * 40 for n in range(SLICE + 5)] + [None, ""]
    series = pd.Series([pack(t) if t else t for t in texts], index=range(10, 10 + len(texts)), dtype=object)
    seen = []
    starts = lambda part: part.map(lambda t: isinstance(t, str) and t.startswith("1"))  # noqa: E731
    verdict = by_slices(series, lambda part: (seen.append(len(part)), starts(part))[1])
    assert seen == [SLICE, 7] and verdict.index.equals(series.index)
    assert verdict.tolist() == [isinstance(t, str) and t.startswith("1") for t in texts]
    assert plain(series).tolist() == texts and lengths(series).tolist() == [len(t or "") for t in texts]
    as_read = pd.Series(["a", None], dtype="str")
    assert plain(as_read) is as_read  # nothing packed: nothing copied


def test_the_workbook_shows_packed_summaries_whole(make_book, rules, tmp_path):
    """The data sheet, the council's sheet and the City's list each show the summary as typed."""
    inbox = tmp_path / "inbox"
    whole = TOO_LONG[:TOO_LONG.rindex(".", 0, 3000) + 1]  # as long as DN-TOMTAT allows
    make_book([good_row(1, summary=whole), good_row(2)], directory=inbox, name="cheo.xlsx")
    out = tmp_path / "tong_hop.xlsx"
    consolidate(inbox, out, rules, as_of=AS_OF)
    book = openpyxl.load_workbook(out, read_only=True)
    for sheet in (SHEET, "Xét duyệt", "Đề xuất Thành phố"):
        shown = [v for row in book[sheet].iter_rows(values_only=True) for v in row if isinstance(v, str)]
        assert whole in shown and summary_of(2) in shown, sheet


def test_a_packed_text_keys_a_person_as_its_words_do():
    """A rules file may name a long-text column among a person's or a correction's columns."""
    assert key_part(pack(TOO_LONG)) == key_part(TOO_LONG) != ""
    assert identity_parts(pack(TOO_LONG), pack(SHORT)) == identity_parts(TOO_LONG, SHORT)
    frame = pd.DataFrame({"a": [pack(TOO_LONG), TOO_LONG.upper()]}, dtype=object)
    assert person_keys(frame, ["a"]).tolist() == [key_part(TOO_LONG)] * 2
