"""The trained answer reader: one small model per question, learnt from the answer examples.

A single-choice question gets a multinomial logistic regression over its options,
`dont_know` and "not an answer"; a multiple-choice question gets one such model for the kind
of answer (some options, none of them, dont_know, not an answer) and one yes/no model per
option. Features carry French variation: word uni- and bigrams with negation scope marked
("pas de site" → NEG_site), and character n-grams inside words for typos and missing
accents. Training all fifteen takes seconds, so a change to the examples never needs
Rasa's model retrained. Reading one answer is a sparse dot product: well under 20 ms.
"""

import hashlib
import pickle
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple, cast

from rapidfuzz import fuzz, process
from scipy.sparse import hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from bot.diagnostic.answer_examples import ANSWERS_DIR, Answer, AnswerExamples, Example, load_answer_examples
from bot.diagnostic.questionnaire import DONT_KNOW, Question, Questionnaire, load_questionnaire
from bot.language import text as text_module
from bot.language.text import normalize

NOT_AN_ANSWER = "_not_an_answer"
SOME = "_some"
NONE_OF_THEM = "_none"
# Words that open a negation scope, and words that close it ("pas de site mais facebook").
NEGATORS = frozenset({"pas", "jamais", "aucun", "aucune", "sans", "ni", "rien", "non", "plus"})
SCOPE_ENDS = frozenset(
    {"mais", "et", "par", "sauf", "juste", "seulement", "uniquement", "que", "sinon", "alors", "donc"}
)
NEGATION_WINDOW = 4
C = 20.0
# Two words this similar (rapidfuzz ratio) are the same word typed with a slip.
TYPO_SIMILARITY = 80


def tokens(text: str) -> List[str]:
    """Normalised words with the ones under a negation prefixed by NEG_."""
    marked: List[str] = []
    left = 0
    for word in normalize(text).split():
        if word in SCOPE_ENDS:
            left = 0
            marked.append(word)
        elif word in NEGATORS:
            left = NEGATION_WINDOW
            marked.append(word)
        elif left:
            marked.append("NEG_" + word)
            left -= 1
        else:
            marked.append(word)
    return marked


def _word_analyzer(text: str) -> List[str]:
    words = tokens(text)
    return words + [f"{first} {second}" for first, second in zip(words, words[1:], strict=False)]


class Features:
    """Word (negation-marked) and character n-gram TF-IDF, fitted on one question's texts."""

    def __init__(self) -> None:
        self.words = TfidfVectorizer(analyzer=_word_analyzer, sublinear_tf=True, min_df=1)
        self.chars = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2, preprocessor=normalize
        )

    def fit(self, texts: Sequence[str]) -> "Features":
        self.words.fit(texts)
        self.chars.fit(texts)
        return self

    def transform(self, texts: Sequence[str]) -> Any:  # a scipy sparse matrix (scipy has no annotations)
        return hstack([self.words.transform(texts), self.chars.transform(texts)]).tocsr()


def _classifier() -> LogisticRegression:
    return LogisticRegression(C=C, max_iter=3000, class_weight="balanced")


@dataclass
class Reading:
    """Probabilities for one answer. For multi-choice, `options` holds each option's own."""

    kinds: Dict[str, float]
    options: Dict[str, float]
    known_share: float = 1.0  # share of the words met in the examples

    def ranked(self) -> List[Tuple[str, float]]:
        return sorted(self.kinds.items(), key=lambda item: -item[1])


class QuestionModel:
    def __init__(self, question: Question) -> None:
        self.question_id = question.id
        self.is_multi = question.is_multi
        self.option_ids = question.option_ids
        self.features = Features()
        self.kind_model = _classifier()
        self.option_models: Dict[str, LogisticRegression] = {}
        self.constant_options: Dict[str, float] = {}

    def fit(self, examples: Sequence[Example], negatives: Sequence[str]) -> "QuestionModel":
        texts = [example.text for example in examples] + list(negatives)
        self.features.fit(texts)
        self.known_words = sorted({word for text in texts for word in normalize(text).split()})
        matrix = self.features.transform(texts)
        kinds = [self._kind(example.answer) for example in examples] + [NOT_AN_ANSWER] * len(negatives)
        self.kind_model.fit(matrix, kinds)
        if self.is_multi:
            some = [
                index for index, example in enumerate(examples) if self._kind(example.answer) in (SOME, NONE_OF_THEM)
            ]
            some_matrix = matrix[some]
            for option_id in self.option_ids:
                labels = [option_id in examples[index].answer for index in some]
                if all(labels) or not any(labels):
                    self.constant_options[option_id] = float(labels[0]) if labels else 0.0
                    continue
                self.option_models[option_id] = _classifier().fit(some_matrix, labels)
        return self

    def known_share(self, text: str) -> float:
        """The share of the text's words that the examples contain, allowing a typo or two
        in longer words: random keys ("qsdf azer") share none and are not an answer."""
        words = normalize(text).split()
        if not words:
            return 0.0
        known = set(self.known_words)
        found = 0
        for word in words:
            if word in known or (
                len(word) >= 4
                and process.extractOne(word, self.known_words, scorer=fuzz.ratio, score_cutoff=TYPO_SIMILARITY)
            ):
                found += 1
        return found / len(words)

    def _kind(self, answer: Answer) -> str:
        if answer == DONT_KNOW:
            return DONT_KNOW
        if self.is_multi:
            return SOME if answer else NONE_OF_THEM
        assert isinstance(answer, str), "a single-choice example answers with one option id"
        return answer

    def read(self, text: str) -> Reading:
        vector = self.features.transform([text])
        kinds = dict(zip(self.kind_model.classes_, self.kind_model.predict_proba(vector)[0].tolist(), strict=True))
        options: Dict[str, float] = {}
        if self.is_multi:
            for option_id in self.option_ids:
                model = self.option_models.get(option_id)
                if model is None:
                    options[option_id] = self.constant_options.get(option_id, 0.0)
                else:
                    options[option_id] = float(model.predict_proba(vector)[0][list(model.classes_).index(True)])
        return Reading(kinds, options, self.known_share(text))


class AnswerReader:
    def __init__(self, models: Dict[str, QuestionModel]) -> None:
        self.models = models

    def read(self, question_id: str, text: str) -> Reading:
        return self.models[question_id].read(text)


def train_reader(
    examples: AnswerExamples,
    questionnaire: Optional[Questionnaire] = None,
    question_ids: Optional[Iterable[str]] = None,
) -> AnswerReader:
    questionnaire = questionnaire or load_questionnaire()
    wanted = set(question_ids or questionnaire.question_ids)
    models = {}
    for question in questionnaire.questions:
        if question.id in wanted:
            # Only the shared list counts as "not an answer": other questions' answers are
            # too often valid here too ("c'est en projet", "un peu", "aucun"), measured worse.
            models[question.id] = QuestionModel(question).fit(examples.by_question[question.id], examples.not_an_answer)
    return AnswerReader(models)


def _examples_digest(directory: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(directory.glob("*.yml")) + [Path(__file__), Path(text_module.__file__)]:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _cache_dir() -> Path:
    return Path(__file__).resolve().parents[2] / "var" / "answer_reader"


@lru_cache(maxsize=1)
def load_reader(directory: Path = ANSWERS_DIR) -> AnswerReader:
    """The reader trained on every example; kept in var/ until an example file changes."""
    cache = _cache_dir() / f"reader-{_examples_digest(directory)}.pickle"
    if cache.exists():
        try:
            with open(cache, "rb") as handle:
                return cast(AnswerReader, pickle.load(handle))
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):  # ImportError: a moved module
            pass  # a stale or broken cache is simply rebuilt
    reader = train_reader(load_answer_examples(directory))
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        for old in cache.parent.glob("reader-*.pickle"):
            old.unlink()
        temporary = cache.with_suffix(".tmp")
        with open(temporary, "wb") as handle:
            pickle.dump(reader, handle)
        temporary.replace(cache)
    except OSError:
        pass  # a read-only install reads answers all the same, training at each start
    return reader
