"""The linear intent model and its blend with DIET's ranking."""

import pytest
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from rasa_addons.linear_intent_classifier import LinearIntentClassifier, blend


def ranking(**confidences):
    return [{"name": name, "confidence": value} for name, value in confidences.items()]


@pytest.mark.parametrize(
    "linear, previous, weight, expected_first, expected_confidence",
    [
        ({"greet": 0.9, "thank": 0.1}, ranking(thank=0.8, greet=0.2), 0.8, "greet", 0.76),
        ({"greet": 0.4, "thank": 0.6}, ranking(greet=0.9, thank=0.1), 0.5, "greet", 0.65),
        ({"greet": 0.7, "thank": 0.3}, [], 0.2, "greet", 0.7),  # no DIET ranking: the linear model alone
        ({"greet": 0.5}, ranking(stop=1.0), 0.8, "greet", 0.4),  # intents missing on one side count 0
    ],
)
def test_blend_weights_the_two_rankings(linear, previous, weight, expected_first, expected_confidence):
    blended = blend(linear, previous, weight)
    assert blended[0]["name"] == expected_first
    assert blended[0]["confidence"] == pytest.approx(expected_confidence)
    assert [entry["confidence"] for entry in blended] == sorted(
        (entry["confidence"] for entry in blended), reverse=True
    )


def test_trained_saved_and_loaded_it_classifies_typed_french(tmp_path):
    examples = {
        "greet": ["bonjour", "salut", "bonsoir a vous", "coucou", "bjr", "hello"],
        "need_cybersecurity": [
            "me proteger des pirates",
            "un virus sur mon ordi",
            "faire des sauvegardes",
            "rançongiciel",
            "mot de passe piraté",
            "hameçonnage par mail",
        ],
    }
    data = TrainingData(
        [Message(data={"text": text, "intent": intent}) for intent, texts in examples.items() for text in texts]
    )
    storage = LocalModelStorage(tmp_path)
    resource = Resource("linear")
    context = ExecutionContext(graph_schema=None, model_id="test")
    config = LinearIntentClassifier.get_default_config()
    LinearIntentClassifier.create(config, storage, resource, context).train(data)
    loaded = LinearIntentClassifier.load(config, storage, resource, context)
    messages = loaded.process(
        [
            Message(data={"text": "BONJOUR !!"}),
            Message(data={"text": "j'ai eu un virrus"}),
            Message(data={"text": "/greet"}),
        ]
    )
    assert messages[0].get("intent")["name"] == "greet"
    assert messages[1].get("intent")["name"] == "need_cybersecurity"
    assert messages[2].get("intent") is None  # a direct intent payload is left to Rasa
