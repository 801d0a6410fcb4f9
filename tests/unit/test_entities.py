"""Entity values in the canonical forms of SPEC section 2."""

import pytest

from bot.language.entities import (
    canonical_value,
    find_contacts,
    find_headcount,
    find_in_text,
    normalize_phone,
    normalize_postcode,
    parse_headcount,
    stated_total,
)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("seul", 1),
        ("je suis auto-entrepreneur", 1),
        ("moi et deux salariés", 3),
        ("on est trois, moi plus deux ouvriers", 3),
        ("on est 3 associés et 2 salariés", 5),
        ("12 salariés", 12),
        ("une dizaine", 10),
        ("on est 4", 4),
        ("moi et ma femme", 2),
        ("3 avec moi", 3),
        ("on est trente", 30),
        ("une quinzaine de personnes", 15),
        ("moi + 2 apprentis", 3),
        ("deux associés et trois salariés", 5),
        ("une équipe de 15", 15),
        ("vingt et un salariés", 21),
        ("moi et une apprentie", 2),
        ("toute seule", 1),
        ("bonjour", None),
        ("", None),
        ("moi", None),
        ("que moi", 1),
    ],
)
def test_headcount(text, expected):
    assert parse_headcount(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("+33 6 12 34 56 78", "0612345678"),
        ("06.12.34.56.78", "0612345678"),
        ("0612345678", "0612345678"),
        ("+33612345678", "0612345678"),
        ("01 23 45 67 89", "0123456789"),
        ("12345", None),
        ("+44 20 7946 0958", None),
        ("06 39 98 12 34", "0639981234"),
        ("07-00-11-22-33", "0700112233"),
        ("06 12 34 56", None),
        ("00 12 34 56 78", None),
    ],
)
def test_phone_numbers_in_national_ten_digit_form(text, expected):
    assert normalize_phone(text) == expected


def test_contacts_found_in_a_sentence_are_lower_cased_and_normalised():
    assert find_contacts("mon mail Contact@Atelier-Bois.fr ou au +33 6 12 34 56 78.") == {
        "email": "contact@atelier-bois.fr",
        "phone": "0612345678",
    }


@pytest.mark.parametrize("text, expected", [("69003", "69003"), ("00500", None), ("6900", None), ("99000", None)])
def test_postcodes(text, expected):
    assert normalize_postcode(text) == expected


@pytest.mark.parametrize(
    "entity, text, expected",
    [
        ("sector", "boulangère", "crafts"),
        ("sector", "Plombier", "construction"),
        ("sector", "pharmacie", "health"),
        ("sector", "boulangere", "crafts"),
        ("sector", "boulangerrie", "crafts"),
        ("sector", "restaurant", "food_service"),
        ("sector", "gîte", "tourism"),
        ("sector", "vigneron", "agriculture"),
        ("sector", "consultant", "services"),
        ("social_network", "insta", "instagram"),
        ("social_network", "fiche google", "google_business"),
        ("social_network", "twitter", "x"),
        ("connection_type", "la fibre", "fiber"),
        ("connection_type", "4G", "mobile"),
        ("connection_type", "ADSL", "adsl"),
    ],
)
def test_canonical_values(entity, text, expected):
    assert canonical_value(entity, text) == expected


def test_trades_are_found_in_free_text():
    found = find_in_text("sector", "bonjour je suis plombier a Lille")
    assert [(item.value, item.text) for item in found] == [("construction", "plombier")]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("bonjour, je suis plombier à Lille, on est 4", 4),
        ("moi et deux salariés à Lyon", 3),
        ("nous sommes 12 salariés", 12),
        ("je travaille seule", 1),
        ("une boulangerie, 3 personnes", 3),
        ("code postal 69003", None),
        ("installé depuis 2015", None),
    ],
)
def test_headcount_phrases_found_in_a_longer_message(text, expected):
    found = find_headcount(text)
    assert (int(found.value) if found else None) == expected


@pytest.mark.parametrize(
    "text",
    [
        "nous sommes 2,5 salariés",
        "on est 3.7",
        "moins trois salariés",
        "nous sommes -5",
        "nous sommes 1 000 000 salariés",
        "un milliard de salariés",
        "des millions",
        "une infinité",
    ],
)
def test_figures_that_cannot_be_a_count_of_people_give_no_headcount(text):
    assert parse_headcount(text) is None and stated_total(text) is None
