"""Marks every test with its tier, from its folder, so that `-m` selects tiers."""

import pytest

TIERS = ("unit", "actions", "e2e")


def pytest_collection_modifyitems(items):
    for item in items:
        parts = item.path.parts
        tier = next((name for name in TIERS if name in parts), None)
        if tier:
            item.add_marker(getattr(pytest.mark, tier))
        if item.path.name == "test_browser.py":
            item.add_marker(pytest.mark.browser)
