"""The NLU evaluation sets stay honest: no message of either one is trained on, and both
use only the intents and entities the SPEC and the domain define."""

from pathlib import Path

import pytest
import yaml
from rasa.shared.nlu.training_data.loading import load_data

from bot.language.text import normalize

REPO = Path(__file__).resolve().parents[2]
EVALUATION_SETS = ["tests/nlu_holdout", "tests/nlu_holdout_independent"]


@pytest.fixture(scope="module")
def training_texts():
    return {normalize(example.get("text")) for example in load_data(str(REPO / "data" / "nlu")).intent_examples}


@pytest.fixture(scope="module")
def domain():
    return yaml.safe_load((REPO / "domain.yml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("folder", EVALUATION_SETS)
def test_no_evaluation_message_is_in_the_training_data(folder, training_texts):
    examples = load_data(str(REPO / folder)).intent_examples
    assert len(examples) > 500
    leaked = [example.get("text") for example in examples if normalize(example.get("text")) in training_texts]
    assert not leaked, f"{len(leaked)} messages of {folder} are also training examples: {leaked[:5]}"


@pytest.mark.parametrize("folder", EVALUATION_SETS)
def test_evaluation_sets_use_only_known_intents_and_entities(folder, domain):
    data = load_data(str(REPO / folder))
    assert {example.get("intent") for example in data.intent_examples} <= set(domain["intents"])
    assert data.entities <= {entity if isinstance(entity, str) else next(iter(entity)) for entity in domain["entities"]}
