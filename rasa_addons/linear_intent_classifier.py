"""NLU pipeline component: a linear intent model on word and character n-grams, blended
with DIET's ranking.

Why: on our held-out French messages a logistic regression on TF-IDF n-grams of the
accent-stripped text is more accurate than DIET alone (typos, SMS spelling and missing
accents are character-level noise; a few thousand examples are little for DIET), while
DIET sees word vectors and context. Their probabilities averaged beat either one
(`make evaluate` reports the figures). Runs right after DIET; the FallbackClassifier
then judges the blended confidence.
"""

from __future__ import annotations

import pickle
from typing import Any, Dict, List, Optional, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_union

from bot.language.entities import mask_contacts
from bot.language.text import normalize
from rasa_addons.stored_component import StoredComponent

MODEL_FILE = "linear_intent_model.pkl"
RANKING_LENGTH = 10


def build_model(config: Dict[Text, Any]) -> Pipeline:
    features = make_union(
        TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
        TfidfVectorizer(
            analyzer="char_wb", ngram_range=(config["min_char_ngram"], config["max_char_ngram"]), sublinear_tf=True
        ),
    )
    classifier = LogisticRegression(
        C=config["C"], max_iter=3000, class_weight="balanced", random_state=config["random_seed"]
    )
    return Pipeline([("features", features), ("classifier", classifier)])


def features_text(text: str) -> str:
    """What the model reads: an address or a phone number becomes one placeholder word, so
    that "Jean-Marc.Boutique@Example-Shop.FR" reads like any other e-mail address."""
    return normalize(mask_contacts(text))


def blend(linear: Dict[str, float], previous: List[Dict[str, Any]], weight: float) -> List[Dict[str, Any]]:
    """weight × linear probability + (1 − weight) × the previous classifier's, best first."""
    earlier = {entry[INTENT_NAME_KEY]: float(entry[PREDICTED_CONFIDENCE_KEY]) for entry in previous}
    if not earlier:
        weight = 1.0
    names = set(linear) | set(earlier)
    scores = {name: weight * linear.get(name, 0.0) + (1 - weight) * earlier.get(name, 0.0) for name in names}
    ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)[:RANKING_LENGTH]
    return [{INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: score} for name, score in ranked]


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LinearIntentClassifier(StoredComponent, IntentClassifier):
    state_file = MODEL_FILE

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"C": 30.0, "min_char_ngram": 2, "max_char_ngram": 5, "weight": 0.8, "random_seed": 42}

    def restore(self, state: Optional[Pipeline]) -> None:
        self.model = state

    def encode(self) -> bytes:
        return pickle.dumps(self.model)

    @staticmethod
    def decode(data: bytes) -> Pipeline:
        return pickle.loads(data)

    def train(self, training_data: TrainingData) -> Resource:
        examples = [example for example in training_data.intent_examples if example.get(TEXT)]
        if len({example.get(INTENT) for example in examples}) >= 2:
            self.model = build_model(self.config)
            self.model.fit(
                [features_text(example.get(TEXT)) for example in examples],
                [example.get(INTENT) for example in examples],
            )
            return self.persist()
        return self._resource

    def process(self, messages: List[Message]) -> List[Message]:
        if self.model is None:
            return messages
        texts = [message.get(TEXT) or "" for message in messages]
        probabilities = self.model.predict_proba([features_text(text) for text in texts])
        classes = list(self.model.classes_)
        for message, text, row in zip(messages, texts, probabilities, strict=True):
            if not text.strip() or text.startswith("/"):
                continue  # empty, or an intent given directly ("/start_diagnostic"): left as Rasa set it
            ranking = blend(
                dict(zip(classes, map(float, row), strict=True)),
                message.get(INTENT_RANKING_KEY) or [],
                self.config["weight"],
            )
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages
