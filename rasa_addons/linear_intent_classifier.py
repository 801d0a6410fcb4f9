"""NLU pipeline component: a linear intent model on word and character n-grams, which also
selects the response of the retrieval intents (faq/…, objection/…).

Why: on our held-out French messages a logistic regression on TF-IDF n-grams of the
accent-stripped text is more accurate than DIET (typos, SMS spelling and missing accents
are character-level noise; a few thousand examples are little for DIET), and it trains in
seconds where DIET and two ResponseSelectors took minutes and held gigabytes at run time.
It learns the retrieval intents' sub-keys as classes of their own ("faq/what_is_cloud"):
an intent's confidence is the sum over its sub-keys, and the message gets the same
`response_selector` output as Rasa's ResponseSelector gives, so `utter_faq` and
/model/parse's users see no difference. When an earlier classifier ranked intents (DIET),
the two rankings are blended. The FallbackClassifier then judges the confidence.
"""

from __future__ import annotations

import pickle
import re
import zlib
from typing import Any, Dict, Iterable, List, Optional, Text

import numpy
import scipy.sparse
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.constants import (
    RESPONSE_SELECTOR_PREDICTION_KEY,
    RESPONSE_SELECTOR_PROPERTY_NAME,
    RESPONSE_SELECTOR_RANKING_KEY,
    RESPONSE_SELECTOR_RESPONSES_KEY,
    RESPONSE_SELECTOR_RETRIEVAL_INTENTS,
    RESPONSE_SELECTOR_UTTER_ACTION_KEY,
)
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_TYPE,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    INTENT_RESPONSE_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_union
from sklearn.preprocessing import normalize as normalize_rows

from bot.language.entities import mask_contacts
from bot.language.text import normalize
from rasa_addons.stored_component import StoredComponent

MODEL_FILE = "linear_intent_model.pkl"
WORD = re.compile(r"(?u)\b\w\w+\b")  # a word as the TfidfVectorizer reads it (its token_pattern)
RANKING_LENGTH = 10


def build_model(config: Dict[Text, Any]) -> Pipeline:
    features = make_union(
        TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
        TfidfVectorizer(
            analyzer="char_wb", ngram_range=(config["min_char_ngram"], config["max_char_ngram"]), sublinear_tf=True
        ),
    )
    # liblinear: one-vs-rest, a few seconds to train where lbfgs's multinomial fit took a minute,
    # with the same cross-validated macro-F1 and less probability spread over the ~40 labels.
    classifier = LogisticRegression(
        C=config["C"],
        solver=config["solver"],
        max_iter=3000,
        class_weight="balanced",
        random_state=config["random_seed"],
    )
    return Pipeline([("features", features), ("classifier", classifier)])


def predict_probabilities(model: Pipeline, texts: List[str]) -> Any:
    """`model.predict_proba(texts)`, computed more directly, with the same result (a test
    compares them).

    Two overheads of scikit-learn 1.1 (the version Rasa 3.6 pins) cost more than the work for
    one message, about 8 % of the Rasa server's CPU per message together:
    - FeatureUnion hands its transformers to a joblib pool, even for one message;
    - TfidfTransformer.transform checks that it is fitted by reading its `idf_` property,
      which sums its whole diagonal idf matrix (every n-gram of the vocabulary) each time.
    The features are therefore built here one after the other, with TfidfTransformer's own
    steps (sublinear tf, idf, norm) and without that check."""
    union = model.named_steps["features"]
    blocks = [tfidf_features(vectorizer, texts) for _, vectorizer in union.transformer_list]
    return model.named_steps["classifier"].predict_proba(scipy.sparse.hstack(blocks).tocsr())


def tfidf_features(vectorizer: TfidfVectorizer, texts: List[str]) -> Any:
    """`vectorizer.transform(texts)`: TfidfTransformer.transform's steps (scikit-learn 1.1.3)."""
    counts = CountVectorizer.transform(vectorizer, texts).astype(numpy.float64)
    weighting = vectorizer._tfidf
    if weighting.sublinear_tf:
        numpy.log(counts.data, counts.data)
        counts.data += 1
    if weighting.use_idf:
        counts = counts * weighting._idf_diag
    if weighting.norm:
        counts = normalize_rows(counts, norm=weighting.norm, copy=False)
    return counts


# A town, département or region is one placeholder word: place names are an open list, and the
# letters of one the model never saw ("Lille", alone, as the answer to "where?") otherwise
# read like anything unrelated (out_of_scope).
PLACE_WORD = " nomdelieu "
MASKED_ENTITIES = ("location",)


def features_text(text: str, entities: Iterable[Dict[str, Any]] = ()) -> str:
    """What the model reads: a place named in the message (by the annotated or extracted
    `entities`), an e-mail address or a phone number becomes one placeholder word, so that
    "Jean-Marc.Boutique@Example-Shop.FR" reads like any other e-mail address."""
    spans = sorted(
        (entity[ENTITY_ATTRIBUTE_START], entity[ENTITY_ATTRIBUTE_END])
        for entity in entities
        if entity.get(ENTITY_ATTRIBUTE_TYPE) in MASKED_ENTITIES
        and isinstance(entity.get(ENTITY_ATTRIBUTE_START), int)
        and isinstance(entity.get(ENTITY_ATTRIBUTE_END), int)
    )
    masked, position = [], 0
    for start, end in spans:
        if start >= position:  # overlapping spans: the first one is masked
            masked += [text[position:start], PLACE_WORD]
            position = end
    masked.append(text[position:])
    return normalize(mask_contacts("".join(masked)))


def blend(linear: Dict[str, float], previous: List[Dict[str, Any]], weight: float) -> List[Dict[str, Any]]:
    """weight × linear probability + (1 − weight) × the previous classifier's, best first."""
    earlier = {entry[INTENT_NAME_KEY]: float(entry[PREDICTED_CONFIDENCE_KEY]) for entry in previous}
    if not earlier:
        weight = 1.0
    names = set(linear) | set(earlier)
    scores = {name: weight * linear.get(name, 0.0) + (1 - weight) * earlier.get(name, 0.0) for name in names}
    ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)[:RANKING_LENGTH]
    return [{INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: score} for name, score in ranked]


def no_word_known(features: str, vocabulary: Dict[str, int]) -> bool:
    """True when the message has words and none was ever seen in training ("blorp fjdksl"):
    the model then goes by letter fragments alone, and its confidence is lowered
    (`unknown_words_factor`) so that the FallbackClassifier asks again rather than guess.
    Figures are left out: a bare number is an answer (a headcount), not gibberish."""
    words = [word for word in WORD.findall(features) if word.isalpha()]
    return bool(words) and not any(word in vocabulary for word in words)


def label_of(example: Message) -> str:
    """What the model learns for an example: the retrieval sub-key when there is one."""
    return example.get(INTENT_RESPONSE_KEY) or example.get(INTENT)


def intent_of(label: str) -> str:
    return label.split("/", 1)[0]


def intent_probabilities(label_probabilities: Dict[str, float]) -> Dict[str, float]:
    """An intent's probability: the sum over its labels (a retrieval intent has several)."""
    intents: Dict[str, float] = {}
    for label, probability in label_probabilities.items():
        intents[intent_of(label)] = intents.get(intent_of(label), 0.0) + probability
    return intents


def response_selection(
    retrieval_intent: str, label_probabilities: Dict[str, float], responses: Dict[str, List[Dict[str, Any]]]
) -> Dict[str, Any]:
    """What Rasa's ResponseSelector writes for one retrieval intent: the best sub-key, its
    responses and its confidence among that intent's sub-keys, and their ranking."""
    keys = {label: p for label, p in label_probabilities.items() if intent_of(label) == retrieval_intent}
    total = sum(keys.values()) or 1.0
    ranking = sorted(((label, p / total) for label, p in keys.items()), key=lambda item: item[1], reverse=True)
    best, confidence = ranking[0]
    utter_action = f"utter_{best}"
    return {
        RESPONSE_SELECTOR_PREDICTION_KEY: {
            RESPONSE_SELECTOR_RESPONSES_KEY: responses.get(utter_action, []),
            PREDICTED_CONFIDENCE_KEY: confidence,
            INTENT_RESPONSE_KEY: best,
            RESPONSE_SELECTOR_UTTER_ACTION_KEY: utter_action,
        },
        RESPONSE_SELECTOR_RANKING_KEY: [
            {"id": zlib.crc32(label.encode()), PREDICTED_CONFIDENCE_KEY: p, INTENT_RESPONSE_KEY: label}
            for label, p in ranking[:RANKING_LENGTH]
        ],
    }


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LinearIntentClassifier(StoredComponent, IntentClassifier):
    state_file = MODEL_FILE

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            "C": 100.0,
            "solver": "liblinear",
            "min_char_ngram": 2,
            "max_char_ngram": 5,
            "weight": 1.0,
            "unknown_words_factor": 0.5,
            "random_seed": 42,
        }

    def restore(self, state: Optional[Dict[str, Any]]) -> None:
        state = state or {}
        self.model: Optional[Pipeline] = state.get("model")
        # The retrieval intents' responses by utter action, as ResponseSelector outputs them.
        self.responses: Dict[str, List[Dict[str, Any]]] = state.get("responses", {})

    def encode(self) -> bytes:
        return pickle.dumps({"model": self.model, "responses": self.responses})

    @staticmethod
    def decode(data: bytes) -> Dict[str, Any]:
        return pickle.loads(data)

    def train(self, training_data: TrainingData) -> Resource:
        examples = [example for example in training_data.intent_examples if example.get(TEXT)]
        if len({example.get(INTENT) for example in examples}) >= 2:
            self.model = build_model(self.config)
            self.model.fit(
                [features_text(example.get(TEXT), example.get(ENTITIES) or []) for example in examples],
                list(map(label_of, examples)),
            )
            self.responses = {name: list(variants) for name, variants in training_data.responses.items() if "/" in name}
            return self.persist()
        return self._resource

    def process(self, messages: List[Message]) -> List[Message]:
        if self.model is None:
            return messages
        texts = [message.get(TEXT) or "" for message in messages]
        # The entities the tagger before this component found (the pipeline runs it first).
        read = [features_text(text, message.get(ENTITIES) or []) for message, text in zip(messages, texts, strict=True)]
        probabilities = predict_probabilities(self.model, read)
        labels = list(self.model.classes_)
        retrieval_intents = sorted({intent_of(label) for label in labels if "/" in label})
        vocabulary = self.model.named_steps["features"].transformer_list[0][1].vocabulary_
        for message, text, features, row in zip(messages, texts, read, probabilities, strict=True):
            if not text.strip() or text.startswith("/"):
                # Empty, or an intent given directly ("/start_diagnostic"): Rasa's
                # RegexMessageHandler, last in the graph, reads the latter; components in between
                # (the FallbackClassifier) need an intent to be set.
                if message.get(INTENT) is None:
                    message.set(INTENT, {INTENT_NAME_KEY: None, PREDICTED_CONFIDENCE_KEY: 0.0}, add_to_output=True)
                continue
            by_label = dict(zip(labels, map(float, row), strict=True))
            ranking = blend(
                intent_probabilities(by_label), message.get(INTENT_RANKING_KEY) or [], self.config["weight"]
            )
            if no_word_known(features, vocabulary):
                factor = self.config["unknown_words_factor"]
                ranking = [
                    {**entry, PREDICTED_CONFIDENCE_KEY: entry[PREDICTED_CONFIDENCE_KEY] * factor} for entry in ranking
                ]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
            if retrieval_intents:
                selections = {
                    intent: response_selection(intent, by_label, self.responses) for intent in retrieval_intents
                }
                selections[RESPONSE_SELECTOR_RETRIEVAL_INTENTS] = retrieval_intents
                message.set(RESPONSE_SELECTOR_PROPERTY_NAME, selections, add_to_output=True)
        return messages
