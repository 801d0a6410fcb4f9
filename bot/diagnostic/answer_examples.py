"""Answer examples (bot/data/answers/*.yml): how owners type their answers, per question.

They are data a deployer edits, so they are validated at load with errors that name the
file, the entry and what is wrong. The answer reader (bot/diagnostic/answer_reader.py) learns from them.
`reviewed.yml`, when present, adds the answers advisors labelled in the console's inbox
(`make reviewed`, bot/review/export.py): per question under `questions:`, in the same shapes.
"""

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Tuple, Union

from bot.datafile import DATA_DIR, DataFileError, load_yaml, require
from bot.diagnostic.questionnaire import DONT_KNOW, Question, Questionnaire, load_questionnaire

ANSWERS_DIR = DATA_DIR / "answers"
NOT_AN_ANSWER_FILE = "_not_an_answer.yml"
REVIEWED_FILE = "reviewed.yml"  # optional: the inbox's labelled answers, for any question
# Fewer examples than this per option and the reader cannot learn the option.
MIN_EXAMPLES_PER_OPTION = 8
# The share of examples `make evaluate` holds out (chosen by a hash of the text).
HOLDOUT_FRACTION = 0.2

Answer = Union[str, Tuple[str, ...]]  # an option id or dont_know; for multi-choice a tuple of option ids


@dataclass(frozen=True)
class Example:
    text: str
    answer: Answer


@dataclass(frozen=True)
class AnswerExamples:
    by_question: Dict[str, Tuple[Example, ...]]
    not_an_answer: Tuple[str, ...]

    def split(self) -> Tuple["AnswerExamples", "AnswerExamples"]:
        """(training, held out): a fixed 20 % of every question's examples, by hash."""
        train, held = {}, {}
        for question_id, examples in self.by_question.items():
            train[question_id] = tuple(example for example in examples if not is_held_out(example.text))
            held[question_id] = tuple(example for example in examples if is_held_out(example.text))
        kept = tuple(text for text in self.not_an_answer if not is_held_out(text))
        dropped = tuple(text for text in self.not_an_answer if is_held_out(text))
        return AnswerExamples(train, kept), AnswerExamples(held, dropped)


def is_held_out(text: str) -> bool:
    digest = hashlib.sha256(text.strip().lower().encode()).digest()
    return digest[0] < 256 * HOLDOUT_FRACTION


def _text(value: object, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise DataFileError(f"{where}: expected a non-empty text between double quotes, found {value!r}")
    return value.strip()


def _single_examples(question: Question, raw: object, where: str) -> List[Example]:
    if not isinstance(raw, dict):
        raise DataFileError(f"{where}: a single-choice question lists its examples under each option id")
    allowed = question.option_ids + [DONT_KNOW]
    examples = []
    for option_id, texts in raw.items():
        if option_id not in allowed:
            raise DataFileError(f"{where}: unknown option '{option_id}' (allowed: {', '.join(allowed)})")
        if not isinstance(texts, list):
            raise DataFileError(f"{where}.{option_id}: expected a list of texts")
        examples += [
            Example(_text(text, f"{where}.{option_id}[{index}]"), option_id) for index, text in enumerate(texts)
        ]
    return examples


def _multi_examples(question: Question, raw: object, where: str) -> List[Example]:
    if not isinstance(raw, list):
        raise DataFileError(f"{where}: a multiple-choice question lists entries with 'text' and 'options'")
    examples = []
    for index, entry in enumerate(raw):
        entry_where = f"{where}[{index}]"
        if not isinstance(entry, dict) or "options" not in entry:
            raise DataFileError(f"{entry_where}: expected 'text' and 'options'")
        text = _text(entry.get("text"), f"{entry_where}.text")
        options = entry["options"]
        if options == DONT_KNOW:
            examples.append(Example(text, DONT_KNOW))
            continue
        if not isinstance(options, list) or not all(isinstance(option, str) for option in options):
            raise DataFileError(f'{entry_where}.options: expected a list of option ids, [] or "dont_know"')
        for option in options:
            if option not in question.option_ids:
                raise DataFileError(
                    f"{entry_where}.options: unknown option '{option}' (allowed: {', '.join(question.option_ids)})"
                )
        chosen = set(options)
        if "several_social_networks" in chosen:
            chosen.add("social_network")  # SPEC 4: several networks imply one
        examples.append(Example(text, tuple(option for option in question.option_ids if option in chosen)))
    return examples


NONE_KEY = "[] (none of them)"


def _count_key(answer: Answer) -> Tuple[str, ...]:
    if isinstance(answer, tuple):
        return answer or (NONE_KEY,)
    return (answer,)


def _check_counts(question: Question, examples: List[Example], where: str) -> None:
    counts: Dict[str, int] = {}
    for example in examples:
        for key in _count_key(example.answer):
            counts[key] = counts.get(key, 0) + 1
    expected = question.option_ids + [DONT_KNOW] + ([NONE_KEY] if question.is_multi else [])
    for key in expected:
        if counts.get(key, 0) < MIN_EXAMPLES_PER_OPTION:
            raise DataFileError(
                f"{where}: only {counts.get(key, 0)} examples for '{key}', at least {MIN_EXAMPLES_PER_OPTION} are needed"
            )
    seen: Dict[str, Answer] = {}
    for example in examples:
        key = " ".join(example.text.lower().split())
        if key in seen and seen[key] != example.answer:
            raise DataFileError(f'{where}: "{example.text}" is given two different answers')
        seen[key] = example.answer


def parse_reviewed_examples(questionnaire: Questionnaire, path: Path) -> Dict[str, List[Example]]:
    """The examples of reviewed.yml per question id; none if the file does not exist."""
    if not path.exists():
        return {}
    where = str(path)
    raw_questions = load_yaml(path).get("questions") or {}
    if not isinstance(raw_questions, dict):
        raise DataFileError(f"{where}: 'questions' must map question ids to their examples")
    found: Dict[str, List[Example]] = {}
    for question_id, raw in raw_questions.items():
        if question_id not in questionnaire.question_ids:
            raise DataFileError(f"{where}: questions.{question_id}: no question has this id")
        question = questionnaire.question(question_id)
        reader = _multi_examples if question.is_multi else _single_examples
        found[question_id] = reader(question, raw, f"{where}: questions.{question_id}")
    return found


def _check_reviewed(examples: List[Example], reviewed: List[Example], where: str) -> None:
    """A reviewed text may not get another answer than the question's file (or reviewed.yml) gives it."""
    seen: Dict[str, Answer] = {" ".join(example.text.lower().split()): example.answer for example in examples}
    for example in reviewed:
        key = " ".join(example.text.lower().split())
        if key in seen and seen[key] != example.answer:
            raise DataFileError(f'{where}: "{example.text}" is given two different answers')
        seen[key] = example.answer


def parse_answer_examples(questionnaire: Questionnaire, directory: Path, reviewed: bool = True) -> AnswerExamples:
    """Every question's examples; with those of reviewed.yml unless `reviewed` is False."""
    by_question = {}
    added = parse_reviewed_examples(questionnaire, directory / REVIEWED_FILE) if reviewed else {}
    for question in questionnaire.questions:
        path = directory / f"{question.id}.yml"
        content = load_yaml(path)
        where = str(path)
        if content.get("question") != question.id:
            raise DataFileError(f"{where}: 'question' must be \"{question.id}\", the file's name")
        raw = require(content, "answers", where, list if question.is_multi else dict)
        reader = _multi_examples if question.is_multi else _single_examples
        examples = reader(question, raw, f"{where}: answers")
        _check_counts(question, examples, where)
        extra = added.get(question.id, [])
        _check_reviewed(examples, extra, f"{directory / REVIEWED_FILE}: questions.{question.id}")
        by_question[question.id] = tuple(examples + extra)
    known = {f"{question.id}.yml" for question in questionnaire.questions} | {NOT_AN_ANSWER_FILE, REVIEWED_FILE}
    for path in sorted(directory.glob("*.yml")):
        if path.name not in known:
            raise DataFileError(f"{path}: no question has this id (files are named after the questions)")
    path = directory / NOT_AN_ANSWER_FILE
    raw = require(load_yaml(path), "examples", str(path), list)
    not_an_answer = tuple(_text(text, f"{path}: examples[{index}]") for index, text in enumerate(raw))
    return AnswerExamples(by_question, not_an_answer)


@lru_cache(maxsize=2)
def load_answer_examples(directory: Path = ANSWERS_DIR) -> AnswerExamples:
    return parse_answer_examples(load_questionnaire(), directory)
