"""The NLU pipeline's last step: what /model/parse returns as entity values."""

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.language.entities import default_vocabulary
from rasa_addons.entity_normalizer import EntityNormalizer


@pytest.fixture(scope="module")
def normalizer():
    return EntityNormalizer(state=default_vocabulary())


def entity(text, piece, kind, value=None, extractor="CRFEntityExtractor"):
    start = text.index(piece)
    return {"entity": kind, "start": start, "end": start + len(piece), "value": value or piece, "extractor": extractor}


def values(entities):
    return sorted((item["entity"], item["value"]) for item in entities)


def test_split_pieces_of_a_place_are_joined(normalizer):
    text = "le serveur de notre usine a Clermont-Ferrand a été chiffré"
    found = normalizer.normalized(text, [entity(text, "Clermont", "location"), entity(text, "Ferrand", "location")])
    assert values(found) == [("location", "Clermont-Ferrand")]


def test_headcount_pieces_are_added_up(normalizer):
    text = "deux associés et une secrétaire"
    found = normalizer.normalized(
        text, [entity(text, "deux associés", "headcount"), entity(text, "une secrétaire", "headcount")]
    )
    assert values(found) == [("headcount", 3)]


def test_a_duration_is_not_a_headcount(normalizer):
    text = "internet ne marche plus depuis 3 jours"
    assert normalizer.normalized(text, [entity(text, "3", "headcount")]) == []


def test_an_unknown_trade_is_dropped_not_guessed(normalizer):
    text = "suivi de tresorerie"
    assert normalizer.normalized(text, [entity(text, "tresorerie", "sector")]) == []


def test_phone_and_email_found_twice_are_kept_once_in_canonical_form(normalizer):
    text = "appelez le +33 6 12 34 56 78 ou Contact@Garage.fr"
    found = normalizer.normalized(
        text,
        [
            entity(text, "+33 6 12 34 56 78", "phone", extractor="RegexEntityExtractor"),
            entity(text, "+33 6 12 34 56 78", "phone"),
            entity(text, "Contact@Garage.fr", "email"),
            entity(text, "12345", "postcode") if "12345" in text else entity(text, "34 56", "postcode"),
        ],
    )
    assert values(found) == [("email", "contact@garage.fr"), ("phone", "0612345678")]


def test_networks_and_connection_types_missed_by_the_tagger_are_found(normalizer):
    found = normalizer.missed_names("me lancer sur pinterest, on a pas de connexion au magasin", [])
    assert values(found) == [("connection_type", "none"), ("social_network", "pinterest")]


def test_facts_missed_in_an_inform_message_are_found(normalizer):
    found = normalizer.missed_profile_facts("GAEC de 4 associés en Mayenne", [])
    assert values(found) == [("headcount", 4), ("sector", "agriculture")]


def test_a_place_name_keeps_its_article_when_the_tagger_left_it_out(tmp_path):
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource
    from rasa.shared.nlu.training_data.training_data import TrainingData

    normalizer = EntityNormalizer({}, LocalModelStorage(tmp_path), Resource("normalizer"), default_vocabulary())
    normalizer.train(TrainingData(lookup_tables=[{"name": "location", "elements": ["La Rochelle", "Le Mans", "Lyon"]}]))
    for text, piece, expected in [
        ("camping près de La Rochelle, code postal 17000", "Rochelle", "La Rochelle"),
        ("garage au mans", "mans", "mans"),  # "au" is not an article: nothing added
        ("on est vers le Mans", "Mans", "le Mans"),
        ("je suis à la campagne près de Lyon", "Lyon", "Lyon"),
    ]:
        assert values(normalizer.normalized(text, [entity(text, piece, "location")])) == [("location", expected)]


@pytest.mark.parametrize(
    "text, place, trade, expected",
    [
        ("Santé", "Santé", "Santé", [("sector", "health")]),  # a trade, capitalised: not a town
        ("Restauration", "Restauration", "Restauration", [("sector", "food_service")]),
        ("boulanger à Lille", "Lille", "boulanger", [("location", "Lille"), ("sector", "crafts")]),
    ],
)
def test_a_trade_tagged_as_a_place_too_stays_a_trade(normalizer, text, place, trade, expected):
    found = normalizer.trades_over_places(
        normalizer.normalized(text, [entity(text, place, "location"), entity(text, trade, "sector")])
    )
    assert values(found) == expected


def test_a_trade_found_by_the_vocabulary_drops_the_place_the_tagger_saw_in_it(normalizer):
    [message] = normalizer.process(
        [
            Message(
                data={"text": "Santé", "intent": {"name": "inform"}, "entities": [entity("Santé", "Santé", "location")]}
            )
        ]
    )
    assert values(message.get("entities")) == [("sector", "health")]
