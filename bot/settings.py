"""Deployment settings from bot/data/settings.yml."""
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Optional

from bot.datafile import DATA_DIR, DataFileError, load_yaml, require
from bot.office_hours import OfficeHours, parse_office_hours


@dataclass(frozen=True)
class Settings:
    response_delay: str
    team_name: str
    retention_days: int
    office_hours: OfficeHours
    session_hours: float


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
        response_delay=require(handoff, "response_delay", f"{path}: handoff"),
        team_name=require(handoff, "team_name", f"{path}: handoff"),
        retention_days=retention,
        office_hours=parse_office_hours(advisors, f"{path}: advisors"),
        session_hours=float(session_hours),
    )
