"""Human-written dates and their ISO 8601 form: the translation task of chapter 8.

Each example pairs a date as a person might write it, in English or Chinese, with its ISO form
``YYYY-MM-DD``.

Training formats (``formats="train"``), each shown for 2021-03-03:

- ``ordinal_of``: ``3rd of March 2021``
- ``month_day_year``: ``March 3, 2021``
- ``day_month_year``: ``3 March 2021``
- ``weekday_day_month_year``: ``Wednesday, 3 March 2021``
- ``lower_month_ordinal``: ``march 3rd, 2021``
- ``day_mon_yy``: ``3 Mar 21``
- ``rfc_weekday``: ``Wed, 03 Mar 2021``
- ``iso_unpadded``: ``2021-3-3``
- ``dmy_slash``: ``03/03/2021``
- ``ymd_compact``: ``20210303``
- ``chinese_arabic``: ``2021年3月3日``
- ``chinese_numerals``: ``二〇二一年三月三日``
- ``chinese_weekday``: ``2021年3月3日星期三``

Held-out formats (``formats="heldout"``):

- ``dashed_day_mon_year``: ``3-Mar-2021``
- ``ymd_slash``: ``2021/03/03``
- ``weekday_month_day_year``: ``Wednesday, March 3, 2021``
- ``chinese_mixed``: ``二〇二一年3月3日``
- ``chinese_numerals_weekday``: ``二〇二一年三月三日星期三``

Conventions that make every format unambiguous:

- Numeric dates with slashes put the **day first** when the year is last (``dmy_slash``,
  ``03/03/2021`` is 3 March) and the month second when the year is first (``ymd_slash``); no
  format writes month/day/year, so ``04/03/2021`` is always 4 March.
- A two-digit year (``day_mon_yy``) lies in the dates' range 1950–2049: ``50``–``99`` are
  1950–1999 and ``00``–``49`` are 2000–2049.
- Chinese numerals write the year digit by digit with ``〇`` for zero (``二〇二一``) and months
  and days as numbers (``十二月``, ``三十一日``); ``星期日`` is Sunday.

The **held-out formats** (:data:`HELDOUT_FORMATS`) never appear with ``formats="train"``: they
recombine pieces the training formats use (a day, abbreviated month and year joined by dashes,
a year-first slash date,
a weekday before an American-order date, a Chinese-numeral year with Arabic month and day, a
weekday after Chinese numerals), use only characters the training formats use, and never write
the same string as a training format, to test whether a model generalises to a way of writing it
has never seen. The **held-out dates** are every tenth day (those whose
proleptic Gregorian ordinal, ``datetime.date.toordinal()``, is divisible by 10); ``dates="train"``
never draws them, ``dates="test"`` draws only them.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Sequence
from typing import NamedTuple

from attnlib.validation import check_choice, check_int, describe

__all__ = [
    "DatePair",
    "FIRST_DATE",
    "LAST_DATE",
    "FORMATS",
    "TRAIN_FORMATS",
    "HELDOUT_FORMATS",
    "format_date",
    "is_heldout_date",
    "make_dates",
]

FIRST_DATE = dt.date(1950, 1, 1)
LAST_DATE = dt.date(2049, 12, 31)

_MONTHS = [
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
]  # fmt: skip
_WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
_CN_DIGITS = "〇一二三四五六七八九"
_CN_WEEKDAYS = "一二三四五六日"  # 星期一 (Monday) ... 星期日 (Sunday)


class DatePair(NamedTuple):
    """One example: the human-written ``source``, its ISO ``target`` and the ``format`` used."""

    source: str
    target: str
    format: str


def _ordinal(day: int) -> str:
    """``1 -> '1st'``, ``2 -> '2nd'``, ``11 -> '11th'``, ``23 -> '23rd'``."""
    suffix = "th" if 11 <= day % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def _cn_number(n: int) -> str:
    """A month or day (1–31) in Chinese numerals: ``3 -> 三``, ``12 -> 十二``, ``30 -> 三十``."""
    tens, units = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _CN_DIGITS[tens] + "十")
    return head + (_CN_DIGITS[units] if units else "")


def _cn_year(year: int) -> str:
    """A year digit by digit: ``2021 -> 二〇二一``."""
    return "".join(_CN_DIGITS[int(c)] for c in str(year))


def _cn_numerals(d: dt.date) -> str:
    return f"{_cn_year(d.year)}年{_cn_number(d.month)}月{_cn_number(d.day)}日"


_WRITERS: dict[str, Callable[[dt.date], str]] = {
    "ordinal_of": lambda d: f"{_ordinal(d.day)} of {_MONTHS[d.month - 1]} {d.year}",
    "month_day_year": lambda d: f"{_MONTHS[d.month - 1]} {d.day}, {d.year}",
    "day_month_year": lambda d: f"{d.day} {_MONTHS[d.month - 1]} {d.year}",
    "weekday_day_month_year": (
        lambda d: f"{_WEEKDAYS[d.weekday()]}, {d.day} {_MONTHS[d.month - 1]} {d.year}"
    ),
    "lower_month_ordinal": lambda d: f"{_MONTHS[d.month - 1].lower()} {_ordinal(d.day)}, {d.year}",
    "day_mon_yy": lambda d: f"{d.day} {_MONTHS[d.month - 1][:3]} {d.year % 100:02d}",
    "rfc_weekday": (
        lambda d: f"{_WEEKDAYS[d.weekday()][:3]}, {d.day:02d} {_MONTHS[d.month - 1][:3]} {d.year}"
    ),
    "iso_unpadded": lambda d: f"{d.year}-{d.month}-{d.day}",
    "dmy_slash": lambda d: f"{d.day:02d}/{d.month:02d}/{d.year}",
    "ymd_compact": lambda d: f"{d.year}{d.month:02d}{d.day:02d}",
    "chinese_arabic": lambda d: f"{d.year}年{d.month}月{d.day}日",
    "chinese_numerals": _cn_numerals,
    "chinese_weekday": lambda d: f"{d.year}年{d.month}月{d.day}日星期{_CN_WEEKDAYS[d.weekday()]}",
    # Held out: never drawn with formats="train".
    "dashed_day_mon_year": lambda d: f"{d.day}-{_MONTHS[d.month - 1][:3]}-{d.year}",
    "ymd_slash": lambda d: f"{d.year}/{d.month:02d}/{d.day:02d}",
    "weekday_month_day_year": (
        lambda d: f"{_WEEKDAYS[d.weekday()]}, {_MONTHS[d.month - 1]} {d.day}, {d.year}"
    ),
    "chinese_mixed": lambda d: f"{_cn_year(d.year)}年{d.month}月{d.day}日",
    "chinese_numerals_weekday": lambda d: f"{_cn_numerals(d)}星期{_CN_WEEKDAYS[d.weekday()]}",
}

#: The formats a model never sees in training (``formats="heldout"``).
HELDOUT_FORMATS: tuple[str, ...] = (
    "dashed_day_mon_year",
    "ymd_slash",
    "weekday_month_day_year",
    "chinese_mixed",
    "chinese_numerals_weekday",
)
#: The formats drawn with ``formats="train"``.
TRAIN_FORMATS: tuple[str, ...] = tuple(f for f in _WRITERS if f not in HELDOUT_FORMATS)
#: Every format, each with its rendering of 2021-03-03.
FORMATS: dict[str, str] = {name: write(dt.date(2021, 3, 3)) for name, write in _WRITERS.items()}

_FAMILIES = {"train": TRAIN_FORMATS, "heldout": HELDOUT_FORMATS, "all": tuple(_WRITERS)}


def is_heldout_date(date: dt.date) -> bool:
    """Whether ``date`` is one of the held-out dates (every tenth day: ordinal divisible by 10)."""
    return date.toordinal() % 10 == 0


def format_date(date: dt.date, fmt: str) -> str:
    """Write ``date`` in the format named ``fmt`` (a key of :data:`FORMATS`).

    Example:
        >>> format_date(dt.date(2021, 3, 3), "weekday_day_month_year")
        'Wednesday, 3 March 2021'
    """
    if not isinstance(date, dt.date) or isinstance(date, dt.datetime):
        raise TypeError(f"date must be a datetime.date, got {describe(date)}")
    if not FIRST_DATE <= date <= LAST_DATE:
        raise ValueError(f"date must lie in [{FIRST_DATE}, {LAST_DATE}], got {date}")
    check_choice(fmt, "fmt", list(_WRITERS))
    return _WRITERS[fmt](date)


def _check_formats(formats: object) -> tuple[str, ...]:
    if isinstance(formats, str):
        return _FAMILIES[check_choice(formats, "formats", list(_FAMILIES))]
    if not isinstance(formats, Sequence) or len(formats) == 0:
        raise TypeError(
            f"formats must be one of {list(_FAMILIES)} or a non-empty sequence of format "
            f"names, got {describe(formats)}"
        )
    for name in formats:
        check_choice(name, "formats", list(_WRITERS))
    return tuple(formats)


def make_dates(
    n: int,
    *,
    seed: int,
    formats: str | Sequence[str] = "train",
    dates: str = "train",
) -> list[DatePair]:
    """Draw ``n`` human-written dates with their ISO targets, the same ones for the same seed.

    Each example picks a day uniformly from ``dates`` in [1950-01-01, 2049-12-31] and a format
    uniformly from ``formats``; the target is ``date.isoformat()``, so weekdays and month
    lengths are right by construction (``datetime``).

    Args:
        n: the number of examples, >= 1.
        seed: seeds a private ``random.Random``; the global random state is not touched.
        formats: ``"train"`` (:data:`TRAIN_FORMATS`), ``"heldout"`` (:data:`HELDOUT_FORMATS`),
            ``"all"``, or a sequence of format names (keys of :data:`FORMATS`).
        dates: ``"train"`` (every day but the held-out ones), ``"test"`` (only the held-out
            days, see :func:`is_heldout_date`) or ``"all"``.

    Returns:
        A list of ``n`` :class:`DatePair` ``(source, target, format)``.

    Example:
        >>> make_dates(2, seed=0, formats=["chinese_numerals"])[0].target
        '2026-10-22'
    """
    n = check_int(n, "n", minimum=1)
    seed = check_int(seed, "seed", minimum=0)
    names = _check_formats(formats)
    dates = check_choice(dates, "dates", ["train", "test", "all"])
    first, last = FIRST_DATE.toordinal(), LAST_DATE.toordinal()
    days = [
        o for o in range(first, last + 1)
        if dates == "all" or (o % 10 == 0) == (dates == "test")
    ]  # fmt: skip
    rng = random.Random(seed)
    pairs = []
    for _ in range(n):
        date = dt.date.fromordinal(rng.choice(days))
        fmt = rng.choice(names)
        pairs.append(DatePair(_WRITERS[fmt](date), date.isoformat(), fmt))
    return pairs
