"""Deployment settings from bot/data/settings.yml."""
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from bot.datafile import DATA_DIR, DataFileError, load_yaml, require


@dataclass(frozen=True)
class Settings:
    response_delay: str
    team_name: str
    retention_days: int


@lru_cache(maxsize=2)
def load_settings(path: Path = DATA_DIR / "settings.yml") -> Settings:
    content = load_yaml(path)
    handoff = require(content, "handoff", str(path), dict)
    privacy = require(content, "privacy", str(path), dict)
    retention = privacy.get("retention_days")
    if not isinstance(retention, int) or retention < 1:
        raise DataFileError(f"{path}: privacy.retention_days must be a whole number of days ≥ 1")
    return Settings(
        response_delay=require(handoff, "response_delay", f"{path}: handoff"),
        team_name=require(handoff, "team_name", f"{path}: handoff"),
        retention_days=retention,
    )
