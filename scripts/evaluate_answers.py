"""How well typed diagnostic answers are read: per question and per option.

Two sets, neither trained on:
  - held out: a fixed 20 % of bot/data/answers/ (by hash), the reader trained on the rest;
  - independent: tests/answers_independent/answers.yml, written from SPEC.md alone by an
    author who never saw the examples, read by the reader trained on every example.
An answer is read right when it is stored with exactly the expected value. Every answer of
both sets is clear to a person, so a clarifying question on one counts against the reader.
Also measured: the time to train the reader and to read one answer (median).

Usage: python scripts/evaluate_answers.py [--out results/answer_evaluation.md]
"""

import argparse
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Dict, List, Tuple

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bot.diagnostic.answer_examples import load_answer_examples  # noqa: E402
from bot.diagnostic.answer_reader import train_reader  # noqa: E402
from bot.diagnostic.answers import AMBIGUOUS, ANSWER, interpret  # noqa: E402
from bot.diagnostic.questionnaire import load_questionnaire  # noqa: E402

INDEPENDENT = REPO / "tests" / "answers_independent" / "answers.yml"

Case = Tuple[str, str, object]  # question id, text, expected value


def canonical(value):
    return tuple(value) if isinstance(value, list) else value


def label(value) -> str:
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(value) + "]" if value else "[] (none)"
    return str(value)


def independent_cases(path: Path = INDEPENDENT) -> List[Case]:
    content = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [(item["question"], item["text"], item["expected"]) for item in content["answers"]]


def held_out_cases(held) -> List[Case]:
    return [
        (question_id, example.text, list(example.answer) if isinstance(example.answer, tuple) else example.answer)
        for question_id, examples in held.by_question.items()
        for example in examples
    ]


def score(reader, cases: List[Case]) -> Dict:
    questionnaire = load_questionnaire()
    by_question = defaultdict(lambda: {"n": 0, "right": 0, "clarified": 0, "wrong": 0, "unread": 0})
    by_option = defaultdict(lambda: {"n": 0, "right": 0})
    misses = []
    durations = []
    for question_id, text, expected in cases:
        question = questionnaire.question(question_id)
        started = time.perf_counter()
        result = interpret(question, text, reader=reader)
        durations.append(time.perf_counter() - started)
        stats = by_question[question_id]
        stats["n"] += 1
        right = result.kind == ANSWER and canonical(result.value) == canonical(expected)
        if right:
            stats["right"] += 1
        elif result.kind == AMBIGUOUS:
            stats["clarified"] += 1
        elif result.kind == ANSWER:
            stats["wrong"] += 1
        else:
            stats["unread"] += 1
        if isinstance(expected, list):
            keys = [(question_id, option) for option in expected] or [(question_id, label([]))]
        else:
            keys = [(question_id, expected)]
        for key in keys:
            by_option[key]["n"] += 1
            by_option[key]["right"] += int(right)
        if not right:
            got = label(result.value) if result.kind == ANSWER else f"{result.kind} {label(list(result.candidates))}"
            misses.append((question_id, text, label(expected), got))
    total = sum(stats["n"] for stats in by_question.values())
    return {
        "n": total,
        "right": sum(stats["right"] for stats in by_question.values()) / total,
        "clarified": sum(stats["clarified"] for stats in by_question.values()) / total,
        "wrong": sum(stats["wrong"] for stats in by_question.values()) / total,
        "unread": sum(stats["unread"] for stats in by_question.values()) / total,
        "by_question": dict(by_question),
        "by_option": dict(by_option),
        "misses": misses,
        "median_ms": statistics.median(durations) * 1000,
        "p95_ms": sorted(durations)[int(0.95 * (len(durations) - 1))] * 1000,
    }


def report(held: Dict, independent: Dict, train_seconds: float) -> str:
    questionnaire = load_questionnaire()
    lines = [
        "# Answer reading",
        "",
        "Read right = stored with exactly the expected value; clarified = a clarifying question on a clear answer; "
        "wrong = a different answer stored; unread = asked again.",
        "",
        "| set | answers | read right | clarified | wrong | unread |",
        "|---|---|---|---|---|---|",
    ]
    for name, result in (("held out (20 % of bot/data/answers)", held), ("independent (from SPEC alone)", independent)):
        lines.append(
            f"| {name} | {result['n']} | {result['right']:.3f} | {result['clarified']:.3f} | "
            f"{result['wrong']:.3f} | {result['unread']:.3f} |"
        )
    lines += [
        "",
        f"Reader trained on every example in {train_seconds:.1f} s; one answer read in "
        f"{independent['median_ms']:.1f} ms (median), {independent['p95_ms']:.1f} ms (95th percentile).",
        "",
        "## Per question (read right)",
        "",
        "| question | held out | independent |",
        "|---|---|---|",
    ]
    for question in questionnaire.questions:
        cells = []
        for result in (held, independent):
            stats = result["by_question"].get(question.id)
            cells.append(f"{stats['right'] / stats['n']:.2f} ({stats['n']})" if stats else "–")
        lines.append(f"| {question.id} | {cells[0]} | {cells[1]} |")
    lines += [
        "",
        "## Per option (read right)",
        "",
        "| question | option | held out | independent |",
        "|---|---|---|---|",
    ]
    keys = sorted(
        set(held["by_option"]) | set(independent["by_option"]),
        key=lambda key: (questionnaire.question_ids.index(key[0]), key[1]),
    )
    for key in keys:
        cells = []
        for result in (held, independent):
            stats = result["by_option"].get(key)
            cells.append(f"{stats['right'] / stats['n']:.2f} ({stats['n']})" if stats else "–")
        lines.append(f"| {key[0]} | {key[1]} | {cells[0]} | {cells[1]} |")
    for name, result in (("held out", held), ("independent", independent)):
        lines += ["", f"## Misread, {name}", "", "| question | answer | expected | read |", "|---|---|---|---|"]
        lines += [f"| {q} | {text} | {expected} | {got} |" for q, text, expected, got in result["misses"]]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(REPO / "results" / "answer_evaluation.md"))
    args = parser.parse_args()
    examples = load_answer_examples()
    training, held = examples.split()
    held_result = score(train_reader(training), held_out_cases(held))
    started = time.perf_counter()
    full_reader = train_reader(examples)
    train_seconds = time.perf_counter() - started
    independent_result = score(full_reader, independent_cases())
    text = report(held_result, independent_result, train_seconds)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    print("\n".join(text.splitlines()[:10]))
    print(f"Report: {out}")


if __name__ == "__main__":
    main()
