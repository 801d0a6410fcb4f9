"""Deployment settings from bot/data/settings.yml."""

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Optional

from bot.datafile import DATA_DIR, DataFileError, load_yaml, require
from bot.handover.office_hours import OfficeHours, parse_office_hours


@dataclass(frozen=True)
class Limits:
    """Bounds on what owners send, so that one client cannot slow the service for others."""

    message_max_chars: int = 2000
    messages_per_minute_per_conversation: int = 30
    messages_per_minute_per_address: int = 120
    tickets_per_day_per_conversation: int = 3


@dataclass(frozen=True)
class Settings:
    response_delay: str
    team_name: str
    retention_days: int
    office_hours: OfficeHours
    session_hours: float
    limits: Limits = Limits()


def load_settings(path: Optional[Path] = None) -> Settings:
    """bot/data/settings.yml, or the file named by CONSEILLER_SETTINGS_FILE."""
    return _load(Path(path or os.environ.get("CONSEILLER_SETTINGS_FILE") or DATA_DIR / "settings.yml"))


@lru_cache(maxsize=4)
def _load(path: Path) -> Settings:
    content = load_yaml(path)
    handoff = require(content, "handoff", str(path), dict)
    privacy = require(content, "privacy", str(path), dict)
    advisors = require(content, "advisors", str(path), dict)
    session_hours = advisors.get("session_hours")
    if not isinstance(session_hours, (int, float)) or session_hours <= 0:
        raise DataFileError(f"{path}: advisors.session_hours must be a positive number of hours")
    retention = privacy.get("retention_days")
    if not isinstance(retention, int) or retention < 1:
        raise DataFileError(f"{path}: privacy.retention_days must be a whole number of days ≥ 1")
    return Settings(
        limits=_limits(content.get("limits") or {}, f"{path}: limits"),
        response_delay=require(handoff, "response_delay", f"{path}: handoff"),
        team_name=require(handoff, "team_name", f"{path}: handoff"),
        retention_days=retention,
        office_hours=parse_office_hours(advisors, f"{path}: advisors"),
        session_hours=float(session_hours),
    )


def _limits(content: dict, where: str) -> Limits:
    if not isinstance(content, dict):
        raise DataFileError(f"{where}: expected a mapping")
    known = Limits.__dataclass_fields__
    values = {}
    for key, value in content.items():
        if key not in known:
            raise DataFileError(f"{where}: unknown setting '{key}' (known: {', '.join(known)})")
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise DataFileError(f"{where}.{key}: expected a whole number ≥ 1")
        values[key] = value
    return Limits(**values)
