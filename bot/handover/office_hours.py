"""When advisors are at work (bot/data/settings.yml), and how to tell the owner in French."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Dict, List, Optional, Tuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.datafile import DataFileError

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
DAY_NAMES = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
MONTH_NAMES = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)

Period = Tuple[time, time]


@dataclass(frozen=True)
class OfficeHours:
    zone: ZoneInfo
    week: Dict[int, List[Period]]  # weekday (0 = Monday) -> opening periods, in order

    def local(self, moment: datetime) -> datetime:
        return (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).astimezone(self.zone)

    def is_open(self, moment: datetime) -> bool:
        now = self.local(moment)
        return any(start <= now.time() < end for start, end in self.week.get(now.weekday(), []))

    def next_opening(self, moment: datetime) -> Optional[datetime]:
        """The next time advisors start work after `moment` (local time), or None if never."""
        now = self.local(moment)
        for offset in range(8):
            day = now.date() + timedelta(days=offset)
            for start, _ in self.week.get(day.weekday(), []):
                opening = datetime.combine(day, start, tzinfo=self.zone)
                if opening > now:
                    return opening
        return None

    def summary(self) -> str:
        """« du lundi au vendredi, de 9 h à 12 h 30 et de 14 h à 17 h 30 » when days share hours."""
        groups: List[Tuple[List[int], List[Period]]] = []
        for weekday in range(7):
            periods = self.week.get(weekday, [])
            if not periods:
                continue
            if groups and groups[-1][1] == periods and groups[-1][0][-1] == weekday - 1:
                groups[-1][0].append(weekday)
            else:
                groups.append(([weekday], periods))
        parts = []
        for days, periods in groups:
            if len(days) == 1:
                when = f"le {DAY_NAMES[days[0]]}"
            elif len(days) == 2:
                when = f"le {DAY_NAMES[days[0]]} et le {DAY_NAMES[days[1]]}"
            else:
                when = f"du {DAY_NAMES[days[0]]} au {DAY_NAMES[days[-1]]}"
            hours = " et ".join(f"de {clock(start)} à {clock(end)}" for start, end in periods)
            parts.append(f"{when}, {hours}")
        return " ; ".join(parts)


def clock(moment: time) -> str:
    return f"{moment.hour} h" if moment.minute == 0 else f"{moment.hour} h {moment.minute:02d}"


def when_text(opening: datetime, now: datetime) -> str:
    """« aujourd'hui à 14 h », « demain à 9 h », « lundi 30 novembre à 9 h »."""
    now = now.astimezone(opening.tzinfo)
    days = (opening.date() - now.date()).days
    hour = clock(opening.time())
    if days == 0:
        return f"aujourd'hui à {hour}"
    if days == 1:
        return f"demain à {hour}"
    return f"{DAY_NAMES[opening.weekday()]} {day_number(opening.date())} {MONTH_NAMES[opening.month - 1]} à {hour}"


def day_number(day: date) -> str:
    return "1er" if day.day == 1 else str(day.day)


def _period(text: str, where: str) -> Period:
    try:
        start, end = (time.fromisoformat(part.strip()) for part in str(text).split("-"))
    except ValueError:
        raise DataFileError(f"{where}: '{text}' is not a time range such as '09:00-12:30'") from None
    if start >= end:
        raise DataFileError(f"{where}: '{text}' ends before it starts")
    return start, end


def parse_office_hours(content: dict, where: str) -> OfficeHours:
    try:
        zone = ZoneInfo(str(content.get("timezone", "Europe/Paris")))
    except (ZoneInfoNotFoundError, ValueError):
        raise DataFileError(f"{where}: unknown time zone '{content.get('timezone')}'") from None
    hours = content.get("office_hours")
    if not isinstance(hours, dict):
        raise DataFileError(f'{where}: office_hours must list the days (monday: ["09:00-12:30", …])')
    week: Dict[int, List[Period]] = {}
    for day, periods in hours.items():
        if day not in WEEKDAYS:
            raise DataFileError(f"{where}: unknown day '{day}' (expected: {', '.join(WEEKDAYS)})")
        if not isinstance(periods, list):
            raise DataFileError(f"{where}: {day} must be a list of time ranges, possibly empty")
        week[WEEKDAYS.index(day)] = sorted(_period(p, f"{where}: {day}") for p in periods)
    return OfficeHours(zone=zone, week=week)
