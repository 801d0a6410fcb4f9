"""One entity vocabulary: the core reads the training files as the NLU component learns them."""

import pytest
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.loading import load_data

from bot.language.entities import canonical_value, default_vocabulary
from bot.language.vocabulary import NLU_DIR, PLACES_WITH_ARTICLE
from rasa_addons.entity_normalizer import EntityNormalizer

pytestmark = pytest.mark.unit


def test_the_core_and_the_nlu_component_learn_the_same_vocabulary(tmp_path):
    component = EntityNormalizer({}, LocalModelStorage(tmp_path), Resource("normalizer"))
    component.train(load_data(str(NLU_DIR)))
    assert component.vocabulary == default_vocabulary()


@pytest.mark.parametrize(
    "entity, written, value",
    [
        ("sector", "fromagère", "retail"),  # a synonym block of data/nlu/synonyms.yml
        ("sector", "friterie", "food_service"),  # only in annotated examples (data/nlu/company_facts.yml)
        ("social_network", "insta", "instagram"),
        ("connection_type", "la fibre", "fiber"),
    ],
)
def test_written_forms_from_the_training_files_reach_the_core(entity, written, value):
    assert canonical_value(entity, written) == value


def test_places_with_an_article_come_from_the_location_lookup():
    assert default_vocabulary()[PLACES_WITH_ARTICLE]["le mans"] == "Le Mans"
