"""Office hours: open or not, next opening, and the French the owner reads."""

from datetime import datetime

import pytest

from bot.datafile import DataFileError
from bot.handover.handoff import what_happens_next
from bot.handover.office_hours import parse_office_hours, when_text
from bot.settings import load_settings

HOURS = parse_office_hours(
    {
        "timezone": "Europe/Paris",
        "office_hours": {
            day: ["09:00-12:30", "14:00-17:30"] for day in ("monday", "tuesday", "wednesday", "thursday", "friday")
        },
    },
    "test",
)


# UTC times; Paris is UTC+1 in winter, UTC+2 in summer.
@pytest.mark.parametrize(
    "utc, is_open, next_opening",
    [
        ("2026-11-27T08:30", True, "2026-11-27T14:00"),  # Friday 9:30 in Paris
        ("2026-11-27T07:59", False, "2026-11-27T09:00"),  # Friday 8:59
        ("2026-11-27T11:45", False, "2026-11-27T14:00"),  # lunch break
        ("2026-11-27T16:30", False, "2026-11-30T09:00"),  # Friday 17:30: closed until Monday
        ("2026-11-28T10:00", False, "2026-11-30T09:00"),  # Saturday
        ("2026-06-01T07:30", True, "2026-06-01T14:00"),  # Monday 9:30 in summer time
    ],
)
def test_open_or_not_and_next_opening_in_paris_time(utc, is_open, next_opening):
    moment = datetime.fromisoformat(utc)
    assert HOURS.is_open(moment) is is_open
    assert HOURS.next_opening(moment).replace(tzinfo=None) == datetime.fromisoformat(next_opening)


@pytest.mark.parametrize(
    "utc, expected",
    [
        ("2026-11-27T05:00", "aujourd'hui à 9 h"),
        ("2026-11-26T18:00", "demain à 9 h"),
        ("2026-11-27T18:00", "lundi 30 novembre à 9 h"),
        ("2026-11-27T11:45", "aujourd'hui à 14 h"),
    ],
)
def test_when_the_owner_can_expect_contact(utc, expected):
    moment = datetime.fromisoformat(utc)
    assert when_text(HOURS.next_opening(moment), HOURS.local(moment)) == expected


def test_summary_groups_days_with_the_same_hours():
    assert HOURS.summary() == "du lundi au vendredi, de 9 h à 12 h 30 et de 14 h à 17 h 30"


@pytest.mark.parametrize(
    "content, message",
    [
        ({"timezone": "Mars/Olympus", "office_hours": {}}, "unknown time zone"),
        ({"office_hours": {"lundi": []}}, "unknown day 'lundi'"),
        ({"office_hours": {"monday": ["9h-12h"]}}, "not a time range"),
        ({"office_hours": {"monday": ["14:00-09:00"]}}, "ends before it starts"),
        ({}, "office_hours must list the days"),
    ],
)
def test_a_wrong_office_hours_setting_is_named(content, message):
    with pytest.raises(DataFileError, match=message):
        parse_office_hours(content, "settings.yml: advisors")


@pytest.mark.parametrize(
    "utc, online, says, never_says",
    [
        ("2026-11-27T09:00", 1, "Un conseiller est disponible en ce moment", "ne sont pas joignables"),
        ("2026-11-27T09:00", 0, "Aucun conseiller n'est en ligne", "disponible en ce moment"),
        ("2026-11-27T18:00", 1, "à partir de lundi 30 novembre à 9 h", "disponible en ce moment"),
    ],
)
def test_the_owner_is_told_when_to_expect_contact(utc, online, says, never_says):
    text = what_happens_next(
        12, "par e-mail (contact@exemple.fr)", "En matinée", load_settings(), online, datetime.fromisoformat(utc)
    )
    assert "n° 12" in text and says in text and never_says not in text
    assert "par e-mail (contact@exemple.fr)" in text
