"""Loading of the YAML data files that deployers edit, with clear errors."""

from pathlib import Path
from typing import Any, Dict, Iterable

import yaml

DATA_DIR = Path(__file__).parent / "data"


class DataFileError(ValueError):
    """A data file is missing, malformed or breaks the product contract."""


def load_yaml(path: Path) -> Dict[str, Any]:
    try:
        with open(path, encoding="utf-8") as handle:
            content = yaml.safe_load(handle)
    except FileNotFoundError as error:
        raise DataFileError(f"{path}: file not found") from error
    except yaml.YAMLError as error:
        raise DataFileError(f"{path}: not valid YAML ({error})") from error
    if not isinstance(content, dict):
        raise DataFileError(f"{path}: expected a mapping at the top level")
    return content


def require(mapping: Dict[str, Any], key: str, where: str, kind: type = str) -> Any:
    """Returns mapping[key], checking it is present, non-empty and of the given type."""
    if not isinstance(mapping, dict):
        raise DataFileError(f"{where}: expected a mapping, found {type(mapping).__name__}")
    value = mapping.get(key)
    if value is None or value == "" or value == []:
        raise DataFileError(f"{where}: missing '{key}'")
    if not isinstance(value, kind):
        raise DataFileError(f"{where}.{key}: expected {kind.__name__}, found {type(value).__name__}")
    return value


def check_known(values: Iterable[str], allowed: Iterable[str], where: str) -> None:
    allowed = list(allowed)
    for value in values:
        if value not in allowed:
            raise DataFileError(f"{where}: unknown value '{value}' (allowed: {', '.join(allowed)})")
