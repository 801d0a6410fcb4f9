"""The linear intent model: its blend with an earlier ranking, and the answers it selects."""

import pickle
import tarfile

import numpy
import pytest
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.adapters.storage import REPO_ROOT
from rasa_addons.linear_intent_classifier import (
    LinearIntentClassifier,
    blend,
    build_model,
    features_text,
    intent_probabilities,
    no_word_known,
    predict_probabilities,
    response_selection,
)


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
    # A direct intent payload is left to Rasa's RegexMessageHandler, with an empty intent meanwhile.
    assert messages[2].get("intent") == {"name": None, "confidence": 0.0}


@pytest.mark.parametrize(
    "labels, expected",
    [
        ({"greet": 0.5, "faq/what_is_cloud": 0.3, "faq/cost": 0.2}, {"greet": 0.5, "faq": 0.5}),
        ({"objection/time": 0.6, "objection/cost": 0.3, "thank": 0.1}, {"objection": 0.9, "thank": 0.1}),
        ({"thank": 1.0}, {"thank": 1.0}),
    ],
)
def test_an_intents_probability_is_the_sum_over_its_answers(labels, expected):
    assert intent_probabilities(labels) == pytest.approx(expected)


@pytest.mark.parametrize(
    "labels, retrieval_intent, best, confidence",
    [
        ({"greet": 0.5, "faq/what_is_cloud": 0.3, "faq/cost": 0.2}, "faq", "faq/what_is_cloud", 0.6),
        ({"objection/time": 0.1, "objection/cost": 0.3, "faq/cost": 0.6}, "objection", "objection/cost", 0.75),
    ],
)
def test_the_answer_chosen_is_the_best_of_its_intent_with_its_share(labels, retrieval_intent, best, confidence):
    responses = {f"utter_{best}": [{"text": "Une réponse."}]}
    selection = response_selection(retrieval_intent, labels, responses)
    prediction = selection["response"]
    assert prediction["intent_response_key"] == best
    assert prediction["utter_action"] == f"utter_{best}"
    assert prediction["confidence"] == pytest.approx(confidence)
    assert prediction["responses"] == [{"text": "Une réponse."}]
    ranked = [entry["intent_response_key"] for entry in selection["ranking"]]
    assert ranked[0] == best and all(key.startswith(f"{retrieval_intent}/") for key in ranked)


def test_faq_and_objection_answers_come_out_as_rasas_response_selector_gives_them(tmp_path):
    examples = {
        "greet": ["bonjour", "salut", "bonsoir a vous", "coucou", "bjr", "hello"],
        "faq/what_is_cloud": [
            "c'est quoi le cloud",
            "le cloud ca veut dire quoi",
            "kesako le cloud",
            "cloud definition",
        ],
        "faq/cost": ["combien ca coute", "c'est payant ?", "quel prix pour le diagnostic", "c gratuit ?"],
    }
    messages = []
    for label, texts in examples.items():
        intent, _, key = label.partition("/")
        for text in texts:
            data = {"text": text, "intent": intent}
            if key:
                data["intent_response_key"] = label
            messages.append(Message(data=data))
    responses = {"utter_faq/what_is_cloud": [{"text": "Le cloud, ce sont des services en ligne."}]}
    data = TrainingData(messages, responses=responses)
    storage, resource = LocalModelStorage(tmp_path), Resource("linear")
    context = ExecutionContext(graph_schema=None, model_id="test")
    config = LinearIntentClassifier.get_default_config()
    LinearIntentClassifier.create(config, storage, resource, context).train(data)
    loaded = LinearIntentClassifier.load(config, storage, resource, context)
    [message] = loaded.process([Message(data={"text": "le cloud c'est koi"})])
    assert message.get("intent")["name"] == "faq"
    selector = message.get("response_selector")
    assert selector["all_retrieval_intents"] == ["faq"]
    assert selector["faq"]["response"]["intent_response_key"] == "faq/what_is_cloud"
    assert selector["faq"]["response"]["responses"] == responses["utter_faq/what_is_cloud"]


def place(start, end, kind="location"):
    return {"entity": kind, "start": start, "end": end}


@pytest.mark.parametrize(
    "text, entities, expected",
    [
        ("Lille", [place(0, 5)], "nomdelieu"),
        ("je suis à Angers", [place(10, 16)], "je suis a nomdelieu"),
        ("boulanger à Lille", [place(12, 17), place(0, 9, "sector")], "boulanger a nomdelieu"),
        ("Lille", [], "lille"),  # no place found: the words themselves
    ],
)
def test_a_place_reads_as_one_placeholder_word(text, entities, expected):
    assert features_text(text, entities).split() == expected.split()


VOCABULARY = {"bonjour": 0, "boulanger": 1, "nomdelieu": 2, "je": 3, "suis": 4}


@pytest.mark.parametrize(
    "features, expected",
    [
        ("blorp fjdksl mmmh", True),  # nothing ever seen: letter fragments only
        ("bonjour blorp", False),
        ("nomdelieu", False),  # a place, masked
        ("12", False),  # a bare number is an answer
        ("", False),
        ("je suis boulangerr", False),
    ],
)
def test_a_message_of_words_never_seen_is_flagged(features, expected):
    assert no_word_known(features, VOCABULARY) is expected


def test_probabilities_without_the_joblib_pool_are_the_pipelines():
    texts = ["bonjour", "salut a vous", "un virus sur mon ordi", "faire des sauvegardes", "bjr", "piratage"]
    model = build_model(LinearIntentClassifier.get_default_config())
    model.fit(texts, ["greet", "greet", "security", "security", "greet", "security"])
    asked = ["BONJOUR !!", "j'ai eu un virrus", "", "une phrase jamais vue", "salut salut salut bonjour"]
    assert numpy.allclose(predict_probabilities(model, asked), model.predict_proba(asked), rtol=1e-12, atol=0)


def test_probabilities_of_the_trained_model_are_the_pipelines():
    """On the model `make train` built, and messages of the held-out set."""
    model_file = REPO_ROOT / "models" / "conseiller.tar.gz"
    if not model_file.exists():
        pytest.skip("no trained model (make train)")
    with tarfile.open(model_file) as archive:
        member = next(name for name in archive.getnames() if name.endswith("linear_intent_model.pkl"))
        state = pickle.loads(archive.extractfile(member).read())
    model = state["model"]
    lines = (REPO_ROOT / "tests" / "nlu_holdout" / "needs.yml").read_text(encoding="utf-8").splitlines()
    texts = [features_text(line.split("- ", 1)[1], []) for line in lines if line.strip().startswith("- ")][:300]
    assert len(texts) > 50
    assert numpy.allclose(predict_probabilities(model, texts), model.predict_proba(texts), rtol=1e-12, atol=0)
