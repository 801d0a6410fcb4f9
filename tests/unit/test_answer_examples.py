"""The answer examples a deployer edits: checked at load with errors that say where and what."""

import shutil
from pathlib import Path

import pytest
import yaml

from bot.datafile import DataFileError
from bot.diagnostic.answer_examples import ANSWERS_DIR, NONE_KEY, load_answer_examples, parse_answer_examples
from bot.diagnostic.questionnaire import DONT_KNOW, load_questionnaire

Q = load_questionnaire()


def test_every_option_of_every_question_has_at_least_30_examples():
    examples = load_answer_examples()
    for question in Q.questions:
        counts = {}
        for example in examples.by_question[question.id]:
            keys = example.answer if isinstance(example.answer, tuple) else (example.answer,)
            for key in keys or (NONE_KEY,):
                counts[key] = counts.get(key, 0) + 1
        expected = question.option_ids + [DONT_KNOW] + ([NONE_KEY] if question.is_multi else [])
        assert {key: counts.get(key, 0) for key in expected if counts.get(key, 0) < 30} == {}, question.id


def test_the_held_out_fifth_is_fixed_and_disjoint():
    training, held = load_answer_examples().split()
    again_training, again_held = load_answer_examples().split()
    assert held == again_held
    for question_id, examples in held.by_question.items():
        assert not set(examples) & set(training.by_question[question_id])
    share = sum(map(len, held.by_question.values())) / sum(map(len, load_answer_examples().by_question.values()))
    assert 0.15 < share < 0.25


def broken_copy(tmp_path: Path, file_name: str, change) -> Path:
    directory = tmp_path / "answers"
    shutil.copytree(ANSWERS_DIR, directory)
    path = directory / file_name
    content = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(content)
    path.write_text(yaml.safe_dump(content, allow_unicode=True), encoding="utf-8")
    return directory


@pytest.mark.parametrize(
    "file_name, change, message",
    [
        ("q_connection.yml", lambda c: c["answers"].__setitem__("fibre", ["la fibre"]), "unknown option 'fibre'"),
        ("q_connection.yml", lambda c: c["answers"]["fast"].append(""), "q_connection.yml: answers.fast["),
        ("q_connection.yml", lambda c: c["answers"].__setitem__("none", ["rien"]), "only 1 examples for 'none'"),
        ("q_connection.yml", lambda c: c.__setitem__("question", "q_backup"), "'question' must be \"q_connection\""),
        (
            "q_cloud_services.yml",
            lambda c: c["answers"].append({"text": "gmail", "options": ["gmail"]}),
            "unknown option 'gmail'",
        ),
        (
            "q_cloud_services.yml",
            lambda c: c["answers"].append({"text": "gmail", "options": "oui"}),
            "expected a list of option ids",
        ),
        (
            "q_backup.yml",
            lambda c: c["answers"]["automatic"].append(c["answers"]["none"][0]),
            "is given two different answers",
        ),
    ],
)
def test_a_broken_example_file_is_refused_with_a_clear_error(tmp_path, file_name, change, message):
    directory = broken_copy(tmp_path, file_name, change)
    with pytest.raises(DataFileError, match=None) as error:
        parse_answer_examples(Q, directory)
    assert message in str(error.value)
    assert file_name in str(error.value)


def test_a_file_for_an_unknown_question_is_refused(tmp_path):
    directory = tmp_path / "answers"
    shutil.copytree(ANSWERS_DIR, directory)
    (directory / "q_website.yml").write_text('question: "q_website"\nanswers: {}\n', encoding="utf-8")
    with pytest.raises(DataFileError, match="q_website.yml: no question has this id"):
        parse_answer_examples(Q, directory)
