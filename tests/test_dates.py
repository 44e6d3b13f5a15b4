"""Dates as news pages carry them, read into the Gregorian day they state."""

from __future__ import annotations

import datetime

import pytest

from curation.dates import read_date

JUNE_17 = datetime.date(2018, 6, 17)


@pytest.mark.parametrize(
    "text",
    [
        "Sun, 17 Jun 2018 20:13:32 GMT",  # ANT, RSS: RFC 2822
        "Sun, 17 Jun 2018 21:35:43 +0400",
        "2018-06-17",
        "2018-06-17T20:13:32Z",
        "الأحد 17 يونيو 2018",  # Egyptian month names
        "17 حزيران 2018",  # Levantine
        "17 جوان 2018",  # Maghrebi
        "١٧ يونيو ٢٠١٨",  # Arabic-Indic digits
        "الأحد، 17 من يونيه، سنة 2018",
        "17/06/2018",
        "3 شوال 1439 هـ",  # Hijri: 3 Shawwal 1439 is 17 June 2018
    ],
)
def test_each_form_news_uses_reads_as_the_same_day(text: str) -> None:
    assert read_date(text) == JUNE_17


def test_levantine_two_word_months_are_not_read_as_their_first_word() -> None:
    assert read_date("12 تشرين الأول، 2018") == datetime.date(2018, 10, 12)
    assert read_date("12 تشرين الثاني 2018") == datetime.date(2018, 11, 12)
    assert read_date("1 كانون الثاني 2019") == datetime.date(2019, 1, 1)


def test_a_month_alone_is_its_first_day() -> None:
    assert read_date("2018-06") == datetime.date(2018, 6, 1)


@pytest.mark.parametrize("text", ["yesterday", "", "   ", "2018-13-45", "31 فبراير 2018", "30 ذو الحجة 99999", None, 17])
def test_what_states_no_real_day_is_unreadable(text: object) -> None:
    assert read_date(text) is None
