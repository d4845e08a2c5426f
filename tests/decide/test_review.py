"""A decision is keyed to a person as a correction is (decide/rows): the unit and the name with its
diacritics (case and spacing not counted), the birth year agreeing or blank on one side."""

from checker.decide.review import Review, person


def test_a_decision_is_found_by_unit_and_name_as_a_correction_keys_a_person():
    key, year = person("Văn phòng Sở", "Đặng Thị Nam", 1983)
    review = Review({key: [(year, "Trả lại", "Thiếu xác nhận")]}, True)
    assert review.of("văn phòng  sở", " đặng thị NAM ", 1983.0) == ("Trả lại", "Thiếu xác nhận")
    assert review.of("Văn phòng Sở", "Đặng Thị Nam", None) == ("Trả lại", "Thiếu xác nhận")  # year left blank
    assert review.of("Văn phòng Sở", "Đặng Thị Năm", 1983) is None  # another person: the diacritics count
    assert review.of("Văn phòng Sở", "Đặng Thị Nam", 1984) is None
    assert review.of("Nhà hát Chèo Hà Nội", "Đặng Thị Nam", 1983) is None
