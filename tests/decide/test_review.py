"""A decision is keyed to a person as a correction is (decide/rows): the unit and the name with its
diacritics (case and spacing not counted), the birth year agreeing or blank on one side."""

import datetime as dt

from checker import consolidate
from checker.decide.review import Review, nominations_in_force, person

from ..conftest import good_row


def test_a_decision_is_found_by_unit_and_name_as_a_correction_keys_a_person():
    key, year = person("Văn phòng Sở", "Đặng Thị Nam", 1983)
    review = Review({key: [(year, "Trả lại", "Thiếu xác nhận")]}, True)
    assert review.of("văn phòng  sở", " đặng thị NAM ", 1983.0) == ("Trả lại", "Thiếu xác nhận")
    assert review.of("Văn phòng Sở", "Đặng Thị Nam", None) == ("Trả lại", "Thiếu xác nhận")  # year left blank
    assert review.of("Văn phòng Sở", "Đặng Thị Năm", 1983) is None  # another person: the diacritics count
    assert review.of("Văn phòng Sở", "Đặng Thị Nam", 1984) is None
    assert review.of("Nhà hát Chèo Hà Nội", "Đặng Thị Nam", 1983) is None


def test_the_nominations_in_force_carry_only_the_columns_asked_for(tmp_path, make_book, rules):
    """nominations_in_force gives the valid rows in force with `_file`, `_row` and the columns asked
    for, nothing more (a sheet holding a city's rows in force with every column costs 60 MiB at
    10,000 files); a row with an error is not among them."""
    inbox = tmp_path / "inbox"
    make_book([good_row(1), good_row(2, gender="Na"), good_row(3)], name="a.xlsx", directory=inbox)
    c = consolidate(inbox, tmp_path / "out.xlsx", rules, as_of=dt.date(2023, 7, 25))
    name = rules.field_key("nominee")
    frame = nominations_in_force(c, [name, "_row"])
    assert list(frame.columns) == ["_file", "_row", name]
    assert frame[name].tolist() == ["Nguyễn Thị Hoa 1", "Nguyễn Thị Hoa 3"]
    assert frame["_row"].tolist() == [5, 7]
    assert list(nominations_in_force(c, []).columns) == ["_file", "_row"]
