"""Specification of attnlib.data.dates: the date-translation data of chapter 8.

The oracle is independent of the module: ``datetime.strptime`` for the English and numeric
formats, a small hand-written reader for Chinese numerals, and Zeller's congruence for weekdays.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from attnlib.data.dates import (
    FIRST_DATE,
    FORMATS,
    HELDOUT_FORMATS,
    LAST_DATE,
    TRAIN_FORMATS,
    DatePair,
    format_date,
    is_heldout_date,
    make_dates,
)

# strptime patterns (C locale: English month and weekday names) after ordinal suffixes are removed.
STRPTIME = {
    "ordinal_of": "%d of %B %Y",
    "month_day_year": "%B %d, %Y",
    "day_month_year": "%d %B %Y",
    "weekday_day_month_year": "%A, %d %B %Y",
    "lower_month_ordinal": "%B %d, %Y",
    "day_mon_yy": "%d %b %y",  # %y maps 69-99 to 19xx and 00-68 to 20xx: checked in range below
    "rfc_weekday": "%a, %d %b %Y",
    "iso_unpadded": "%Y-%m-%d",
    "dmy_slash": "%d/%m/%Y",
    "ymd_compact": "%Y%m%d",
    "dashed_day_mon_year": "%d-%b-%Y",
    "ymd_slash": "%Y/%m/%d",
    "weekday_month_day_year": "%A, %B %d, %Y",
}
CN_DIGIT = {c: i for i, c in enumerate("〇一二三四五六七八九")}
CN_WEEKDAY = {c: i for i, c in enumerate("一二三四五六日")}  # Monday = 0, as date.weekday()
CHINESE = re.compile(
    r"^(?P<y>[0-9〇一二三四五六七八九]{4})年(?P<m>[0-9十一二三四五六七八九]+)月"
    r"(?P<d>[0-9十〇一二三四五六七八九]+)日(?:星期(?P<w>[一二三四五六日]))?$"
)


def cn_to_int(text: str) -> int:
    """'2021' or '二〇二一' digit by digit; '十二' = 12, '二十' = 20, '三十一' = 31."""
    if text.isdigit():
        return int(text)
    if "十" not in text:
        return int("".join(str(CN_DIGIT[c]) for c in text))
    tens, _, units = text.partition("十")
    return 10 * (CN_DIGIT[tens] if tens else 1) + (CN_DIGIT[units] if units else 0)


def zeller_weekday(d: dt.date) -> int:
    """Day of the week by Zeller's congruence, Monday = 0 (independent of datetime)."""
    y, m = (d.year - 1, d.month + 12) if d.month < 3 else (d.year, d.month)
    h = (
        d.day + 13 * (m + 1) // 5 + y % 100 + (y % 100) // 4 + (y // 100) // 4 + 5 * (y // 100)
    ) % 7
    return (h + 5) % 7  # Zeller: 0 = Saturday


def parse(text: str, fmt: str) -> dt.date:
    """Read ``text`` back into a date, checking a written weekday against Zeller's congruence."""
    if fmt.startswith("chinese"):
        match = CHINESE.match(text)
        assert match, text
        date = dt.date(cn_to_int(match["y"]), cn_to_int(match["m"]), cn_to_int(match["d"]))
        if match["w"]:
            assert CN_WEEKDAY[match["w"]] == zeller_weekday(date), text
        return date
    cleaned = re.sub(r"(\d+)(st|nd|rd|th)\b", r"\1", text)
    date = dt.datetime.strptime(cleaned, STRPTIME[fmt]).date()
    if fmt == "day_mon_yy":  # the module's pivot: 50-99 -> 19xx, 00-49 -> 20xx
        year = int(text[-2:])
        date = date.replace(year=(1900 if year >= 50 else 2000) + year)
    if fmt in ("weekday_day_month_year", "rfc_weekday", "weekday_month_day_year"):
        weekday = text.split(",")[0]
        names = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
        assert [n[: len(weekday)] for n in names].index(weekday) == zeller_weekday(date), text
    return date


def test_oracles_agree_with_known_dates():
    assert zeller_weekday(dt.date(2021, 3, 3)) == 2  # a Wednesday
    assert zeller_weekday(dt.date(1969, 7, 20)) == 6  # the Moon landing, a Sunday
    assert cn_to_int("二〇二一") == 2021 and cn_to_int("三十一") == 31 and cn_to_int("十") == 10


def test_every_format_has_an_oracle_and_families_partition_formats():
    assert set(STRPTIME) | {f for f in FORMATS if f.startswith("chinese")} == set(FORMATS)
    assert set(TRAIN_FORMATS).isdisjoint(HELDOUT_FORMATS)
    assert set(TRAIN_FORMATS) | set(HELDOUT_FORMATS) == set(FORMATS)


def test_documented_examples():
    assert FORMATS["ordinal_of"] == "3rd of March 2021"
    assert FORMATS["chinese_arabic"] == "2021年3月3日"
    assert FORMATS["chinese_numerals"] == "二〇二一年三月三日"
    assert FORMATS["weekday_day_month_year"] == "Wednesday, 3 March 2021"
    assert (
        format_date(dt.date(1999, 12, 31), "chinese_numerals_weekday")
        == "一九九九年十二月三十一日星期五"
    )
    assert format_date(dt.date(2011, 11, 11), "lower_month_ordinal") == "november 11th, 2011"
    assert format_date(dt.date(2022, 5, 22), "ordinal_of") == "22nd of May 2022"
    assert format_date(dt.date(1950, 1, 1), "day_mon_yy") == "1 Jan 50"


def test_same_seed_same_data_and_different_seed_different_data():
    assert make_dates(200, seed=3) == make_dates(200, seed=3)
    assert make_dates(200, seed=3) != make_dates(200, seed=4)


def test_does_not_touch_global_random_state():
    import random

    random.seed(1)
    expected = random.random()
    random.seed(1)
    make_dates(10, seed=0)
    assert random.random() == expected


@pytest.mark.parametrize("family", ["train", "heldout", "all"])
def test_targets_are_iso_and_round_trip(family):
    pairs = make_dates(3000, seed=0, formats=family, dates="all")
    assert len(pairs) == 3000 and all(isinstance(p, DatePair) for p in pairs)
    for source, target, fmt in pairs:
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", target)
        date = dt.date.fromisoformat(target)
        assert FIRST_DATE <= date <= LAST_DATE
        assert parse(source, fmt) == date, (source, target, fmt)


@pytest.mark.parametrize(
    ("family", "expected"),
    [("train", TRAIN_FORMATS), ("heldout", HELDOUT_FORMATS), ("all", tuple(FORMATS))],
)
def test_each_format_of_the_family_appears_and_no_other(family, expected):
    seen = {p.format for p in make_dates(2000, seed=1, formats=family)}
    assert seen == set(expected)


def test_heldout_formats_never_in_training_family():
    assert not {p.format for p in make_dates(5000, seed=2)} & set(HELDOUT_FORMATS)


def test_heldout_strings_differ_from_training_strings_and_use_training_characters():
    days = [
        FIRST_DATE + dt.timedelta(days=i) for i in range(0, (LAST_DATE - FIRST_DATE).days + 1, 7)
    ]
    train = {format_date(d, f) for d in days for f in TRAIN_FORMATS}
    heldout = {format_date(d, f) for d in days for f in HELDOUT_FORMATS}
    assert not train & heldout
    assert set("".join(heldout)) <= set("".join(train))


def test_heldout_dates_split():
    train = make_dates(3000, seed=0, dates="train")
    test = make_dates(3000, seed=0, dates="test")
    assert not any(is_heldout_date(dt.date.fromisoformat(p.target)) for p in train)
    assert all(is_heldout_date(dt.date.fromisoformat(p.target)) for p in test)
    assert not {p.target for p in train} & {p.target for p in test}


def test_explicit_format_list():
    pairs = make_dates(50, seed=0, formats=["dmy_slash", "chinese_numerals"])
    assert {p.format for p in pairs} == {"dmy_slash", "chinese_numerals"}


@settings(max_examples=300, deadline=None)
@given(
    date=st.dates(min_value=FIRST_DATE, max_value=LAST_DATE),
    fmt=st.sampled_from(sorted(FORMATS)),
)
def test_property_every_date_in_every_format_reads_back(date, fmt):
    text = format_date(date, fmt)
    assert parse(text, fmt) == date
    assert len(text) <= 30


@settings(max_examples=50, deadline=None)
@given(n=st.integers(1, 300), seed=st.integers(0, 2**32))
def test_property_length_and_determinism(n, seed):
    pairs = make_dates(n, seed=seed, formats="all")
    assert len(pairs) == n and pairs == make_dates(n, seed=seed, formats="all")


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"n": 0, "seed": 0}, ValueError, "n must be >= 1, got 0"),
        ({"n": 2.5, "seed": 0}, TypeError, "n must be an int, got float"),
        ({"n": True, "seed": 0}, TypeError, "n must be an int, got bool"),
        ({"n": 5, "seed": -1}, ValueError, "seed must be >= 0, got -1"),
        ({"n": 5, "seed": "0"}, TypeError, "seed must be an int, got str"),
        (
            {"n": 5, "seed": 0, "formats": "test"},
            ValueError,
            "formats must be one of ['train', 'heldout', 'all'], got 'test'",
        ),
        (
            {"n": 5, "seed": 0, "formats": ["dmy_slash", "mdy"]},
            ValueError,
            "formats must be one of",
        ),
        (
            {"n": 5, "seed": 0, "formats": []},
            TypeError,
            "formats must be one of ['train', 'heldout', 'all'] or a non-empty sequence",
        ),
        (
            {"n": 5, "seed": 0, "formats": 3},
            TypeError,
            "formats must be one of ['train', 'heldout', 'all'] or a non-empty sequence of "
            "format names, got int",
        ),
        (
            {"n": 5, "seed": 0, "dates": "heldout"},
            ValueError,
            "dates must be one of ['train', 'test', 'all'], got 'heldout'",
        ),
    ],
)
def test_make_dates_bad_arguments(kwargs, error, message):
    with pytest.raises(error) as info:
        make_dates(**kwargs)
    assert message in str(info.value)


@pytest.mark.parametrize(
    ("date", "fmt", "error", "message"),
    [
        ("2021-03-03", "dmy_slash", TypeError, "date must be a datetime.date, got str"),
        (
            dt.datetime(2021, 3, 3),
            "dmy_slash",
            TypeError,
            "date must be a datetime.date, got datetime",
        ),
        (
            dt.date(1949, 12, 31),
            "dmy_slash",
            ValueError,
            "date must lie in [1950-01-01, 2049-12-31], got 1949-12-31",
        ),
        (dt.date(2021, 3, 3), "mdy_slash", ValueError, "fmt must be one of"),
        (dt.date(2021, 3, 3), None, TypeError, "fmt must be one of"),
    ],
)
def test_format_date_bad_arguments(date, fmt, error, message):
    with pytest.raises(error) as info:
        format_date(date, fmt)
    assert message in str(info.value)
