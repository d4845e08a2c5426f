"""Who a row is about: one identity key for a correction, a council's decision and the register's
nominees (normalise.people.identity_key), the same for harmless variants, different for two people."""

from __future__ import annotations

import unicodedata

import numpy as np
import pandas as pd
import pytest

from checker.decide.review import person
from checker.decide.rows import row_key
from checker.normalise.people import identity_key, identity_parts, key_part


@pytest.mark.parametrize("name, birth", [
    ("Lê Thị Hoa", 1985),
    ("  lê   thị HOA ", "1985"),
    (unicodedata.normalize("NFD", "Lê Thị Hoa"), 1985.0),
    ("LÊ THỊ HOA", " 1985 "),
    ("Lê\u00a0Thị\tHoa", np.int64(1985)),
])
def test_variants_of_one_person_share_one_key(name, birth):
    """Diacritics composed or not, case, spacing, a birth year as text, int, float: one key."""
    assert identity_key(name, birth) == "lê thị hoa|1985"
    assert row_key([name, birth]) == identity_key(name, birth)
    assert person("Văn phòng Sở", name, birth) == (("văn phòng sở", "lê thị hoa"), "1985")


@pytest.mark.parametrize("other", [("Lê Thị Hòa", 1985), ("Le Thi Hoa", 1985), ("Lê Thị Hoa", 1990),
                                   ("Lê Thị Hoa Mai", 1985)])
def test_different_people_have_different_keys(other):
    """Another diacritic, none, another birth year, another name: another person."""
    assert identity_key(*other) != identity_key("Lê Thị Hoa", 1985)


def test_blanks_and_dates():
    """A blank birth year is "" (it agrees with any, decide.review's rule); a date is YYYY-MM-DD."""
    assert identity_parts("Lê Thị Hoa", None) == ("lê thị hoa", "")
    assert identity_parts("Lê Thị Hoa", float("nan")) == ("lê thị hoa", "")
    assert identity_parts(pd.Timestamp("2023-06-05"), "Hội thảo") == ("2023-06-05", key_part("Hội thảo"))


def test_person_keys_once_per_distinct_value_agree_with_each_row_keyed():
    """person_keys keys each distinct value once; the keys equal key_part row by row (True is not 1, NaN stays blank)."""
    from checker.normalise.people import person_keys  # here: this test is appended apart from the others
    names = ["Ông Lê Văn A", "lê văn a", "Lê Văn A", unicodedata.normalize("NFD", "Lê Văn A"), None, "Bà  Hoa", np.nan, 1, True]
    years = [1985, 1985.0, "1985", np.nan, pd.Timestamp("1985-02-03"), None, 1.0, True, 1]
    frame = pd.DataFrame({"name": names * 3, "year": years * 3}, dtype=object)
    expected = ["|".join((key_part(n), key_part(y))) for n, y in zip(frame["name"], frame["year"])]
    assert person_keys(frame, ["name", "year"]).tolist() == expected
    assert expected[:3] == ["le van a|1985"] * 3 and expected[7] == "1|True" and expected[8] == "True|1"
