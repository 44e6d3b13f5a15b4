"""The date of a news page, read from the forms news carries: ISO 8601, RFC 2822 (``Sun, 17 Jun 2018
20:13:32 GMT``, as ANT and RSS feeds write it), day-month-year with Arabic month names (Egyptian
``يونيو``, Levantine ``حزيران``, Maghrebi ``جوان``), and Hijri dates (``3 رمضان 1439 هـ``, converted
by hijridate), in Western or Arabic-Indic digits.

Why not dateparser for all of it: it reads these too, but it takes about 0.9 s to import and
17 ms a date, 9 minutes for the 31,523 dates of ANT; the forms above take microseconds each
(``bench/report.py`` prints both). A text none of them reads is *unreadable* and counted as such.
"""

from __future__ import annotations

import datetime
import re
from email.utils import parsedate_to_datetime

_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_ISO = re.compile(r"(\d{4})-(\d{1,2})(?:-(\d{1,2}))?")
_SLASHED = re.compile(r"\b(\d{1,2})[/.](\d{1,2})[/.](\d{4})\b")  # day/month/year, as Arabic pages write it

_GREGORIAN = {
    1: "يناير كانون الثاني جانفي",
    2: "فبراير شباط فيفري",
    3: "مارس آذار اذار",
    4: "أبريل ابريل إبريل نيسان أفريل افريل",
    5: "مايو أيار ايار ماي",
    6: "يونيو يونيه حزيران جوان",
    7: "يوليو يوليه تموز جويلية",
    8: "أغسطس اغسطس آب اب أوت اوت",
    9: "سبتمبر أيلول ايلول",
    10: "أكتوبر اكتوبر تشرين الأول تشرين الاول",
    11: "نوفمبر تشرين الثاني نونبر",
    12: "ديسمبر كانون الأول كانون الاول دجنبر",
}
_HIJRI = {
    1: "محرم",
    2: "صفر",
    3: "ربيع الأول ربيع الاول",
    4: "ربيع الآخر ربيع الاخر ربيع الثاني",
    5: "جمادى الأولى جمادى الاولى جمادى الأول",
    6: "جمادى الآخرة جمادى الاخرة جمادى الثانية جمادى الآخر",
    7: "رجب",
    8: "شعبان",
    9: "رمضان",
    10: "شوال",
    11: "ذو القعدة ذي القعدة",
    12: "ذو الحجة ذي الحجة",
}
# two-word names first ("كانون الثاني" before a lone word), so each month table is one alternation
_TWO_WORD = re.compile(r"(?:كانون|تشرين|ربيع|جمادى|ذو|ذي) \S+")


def _names(table: dict[int, str]) -> dict[str, int]:
    """Each spelling of each month -> its number."""
    names: dict[str, int] = {}
    for month, spelled in table.items():
        names.update((pair, month) for pair in _TWO_WORD.findall(spelled))
        names.update((word, month) for word in _TWO_WORD.sub(" ", spelled).split())
    return names


def _pattern(names: dict[str, int]) -> re.Pattern[str]:
    alternation = "|".join(sorted(map(re.escape, names), key=len, reverse=True))
    return re.compile(rf"(\d{{1,2}})\s+(?:من\s+)?({alternation})[\s،,]+(?:سنة\s+|عام\s+)?(\d{{4}})")


_GREGORIAN_NAMES = _names(_GREGORIAN)
_HIJRI_NAMES = _names(_HIJRI)
_ARABIC_DATE = _pattern(_GREGORIAN_NAMES)
_HIJRI_DATE = _pattern(_HIJRI_NAMES)


def _valid(year: int, month: int, day: int = 1) -> datetime.date | None:
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


def _rfc2822(text: str) -> datetime.date | None:
    if "," not in text[:5] and not text[:2].strip().isdigit():
        return None
    try:
        return parsedate_to_datetime(text).date()
    except (TypeError, ValueError, IndexError):
        return None


def _hijri(day: int, month: int, year: int) -> datetime.date | None:
    from hijridate import Hijri  # only for a Hijri date

    try:
        return Hijri(year, month, day).to_gregorian()
    except (ValueError, OverflowError):
        return None


def read_date(value: object) -> datetime.date | None:
    """The Gregorian date ``value`` states, or None when none of the known forms reads it (a
    month alone, ``2018-06``, is read as the month's first day)."""
    if isinstance(value, datetime.datetime | datetime.date):
        return value.date() if isinstance(value, datetime.datetime) else value
    if not isinstance(value, str) or not value.strip():
        return None
    text = " ".join(value.translate(_DIGITS).split())
    found = _ISO.search(text)
    if found and int(found.group(2)) <= 12:
        return _valid(int(found.group(1)), int(found.group(2)), int(found.group(3) or 1))
    if (parsed := _rfc2822(text)) is not None:
        return parsed
    if found := _HIJRI_DATE.search(text):
        return _hijri(int(found.group(1)), _HIJRI_NAMES[found.group(2)], int(found.group(3)))
    if found := _ARABIC_DATE.search(text):
        return _valid(int(found.group(3)), _GREGORIAN_NAMES[found.group(2)], int(found.group(1)))
    if found := _SLASHED.search(text):
        return _valid(int(found.group(3)), int(found.group(2)), int(found.group(1)))
    return None
