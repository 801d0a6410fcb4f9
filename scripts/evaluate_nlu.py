"""`make evaluate`: NLU scores on two sets of examples never trained on.

tests/nlu_holdout/ is 20 % of our own examples, split off before training (it shares
their authors' habits); tests/nlu_holdout_independent/ was written from the SPEC alone by
an author who never saw the training data, the closer stand-in for outside users.
Parses every message with the trained model, as POST /model/parse would, and
writes results/nlu_evaluation.md and .json: intent macro-F1, retrieval sub-intent
accuracy, entity F1 on canonical values (what a user of /model/parse receives), and the
list of confusions.
"""

import asyncio
import json
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
MODEL = REPO / "models" / "conseiller.tar.gz"
RESULTS = REPO / "results"


def f1(tp: int, fp: int, fn: int) -> float:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def macro_f1(pairs) -> tuple:
    """Macro-F1 over the expected intents of (expected, predicted) pairs, and each intent's F1.
    A fallback prediction counts as a miss for the expected intent, never as a class."""
    counts = defaultdict(lambda: [0, 0, 0])  # intent -> tp, fp, fn
    for expected, predicted in pairs:
        if predicted == expected:
            counts[expected][0] += 1
        else:
            counts[predicted][1] += 1
            counts[expected][2] += 1
    intents = sorted(
        intent for intent in counts if intent != "nlu_fallback" and (counts[intent][0] or counts[intent][2])
    )
    per_intent = {intent: f1(*counts[intent]) for intent in intents}
    return sum(per_intent.values()) / len(per_intent), per_intent


def entity_pairs(entities) -> Counter:
    return Counter((entity["entity"], str(entity["value"]).lower()) for entity in entities)


async def parse_all(model: Path, sets: list) -> list:
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    parses = []
    for examples in sets:
        parses.append([await agent.parse_message(example.get("text")) for example in examples])
    return parses


SETS = {
    "held-out split": (
        REPO / "tests" / "nlu_holdout",
        "20 % of our own examples, moved out of data/nlu/ before training",
    ),
    "independent set": (
        REPO / "tests" / "nlu_holdout_independent",
        "written from SPEC section 2 only, by an author who never saw the training data",
    ),
    # A part of the independent set, also scored alone: messages with context before the
    # request, dictated text, Belgian, Swiss and Québec turns, anglicisms, heavy SMS spelling.
    "harder independent messages": (
        REPO / "tests" / "nlu_holdout_independent" / "07_harder.yml",
        "the independent set's harder messages (long, dictated, regional, SMS)",
    ),
}


def score(examples, parses) -> dict:
    """Intent, sub-intent and entity scores of one set, with its confusions."""
    entity_counts = defaultdict(lambda: [0, 0, 0])
    confusions, entity_errors = [], []
    retrieval_total = retrieval_right = 0
    served, unfallen = [], []  # (expected, predicted) as /model/parse answers, and with the fallback undone
    tops = []  # (expected, best intent, its confidence), to compare fallback thresholds
    for example, parse in zip(examples, parses, strict=True):
        expected = example.get("intent")
        predicted = parse["intent"]["name"]
        best = next((item for item in parse.get("intent_ranking", []) if item["name"] != "nlu_fallback"), None)
        served.append((expected, predicted))
        unfallen.append((expected, best["name"] if best else predicted))
        if best:
            tops.append((expected, best["name"], best["confidence"]))
        if predicted != expected:
            confusions.append(
                {
                    "text": example.get("text"),
                    "expected": expected,
                    "predicted": predicted,
                    "confidence": round(parse["intent"]["confidence"], 3),
                }
            )
        full_key = example.get("intent_response_key")
        if full_key and predicted == expected:
            retrieval_total += 1
            selected = (
                parse.get("response_selector", {}).get(expected, {}).get("response", {}).get("intent_response_key")
            )
            retrieval_right += selected == full_key
        gold = entity_pairs(example.get("entities") or [])
        found = entity_pairs(parse.get("entities") or [])
        for kind in {pair[0] for pair in gold | found}:
            gold_kind = Counter({pair: n for pair, n in gold.items() if pair[0] == kind})
            found_kind = Counter({pair: n for pair, n in found.items() if pair[0] == kind})
            tp = sum((gold_kind & found_kind).values())
            entity_counts[kind][0] += tp
            entity_counts[kind][1] += sum(found_kind.values()) - tp
            entity_counts[kind][2] += sum(gold_kind.values()) - tp
        if gold != found:
            entity_errors.append({"text": example.get("text"), "expected": sorted(gold), "found": sorted(found)})

    macro, per_intent = macro_f1(served)
    totals = [sum(values[i] for values in entity_counts.values()) for i in range(3)]
    return {
        "examples": len(examples),
        "intent_macro_f1": round(macro, 4),
        "intent_accuracy": round(sum(expected == predicted for expected, predicted in served) / len(examples), 4),
        # What `rasa test nlu` reports: it undoes the FallbackClassifier's verdict before scoring.
        "intent_macro_f1_fallback_undone": round(macro_f1(unfallen)[0], 4),
        "top_intent_accuracy_without_fallback": round(sum(e == p for e, p in unfallen) / len(examples), 4),
        "entity_f1": round(f1(*totals), 4),
        "entity_f1_by_type": {kind: round(f1(*values), 4) for kind, values in sorted(entity_counts.items())},
        "retrieval_accuracy": round(retrieval_right / retrieval_total, 4) if retrieval_total else None,
        "intent_f1": {k: round(v, 4) for k, v in per_intent.items()},
        "accuracy_by_fallback_threshold": {
            str(threshold): round(
                sum(name == expected and confidence >= threshold for expected, name, confidence in tops)
                / len(examples),
                4,
            )
            for threshold in (0.2, 0.3, 0.4, 0.5, 0.6)
        },
        "confusions": confusions,
        "entity_errors": entity_errors,
    }


def report_lines(name: str, folder: Path, description: str, summary: dict) -> list:
    confusions, entity_errors = summary["confusions"], summary["entity_errors"]
    return (
        [
            f"## {name}: {folder.relative_to(REPO)}{'/' if folder.is_dir() else ''}",
            "",
            f"{summary['examples']} examples, {description}.",
            "",
            f"- **intent macro-F1: {summary['intent_macro_f1']:.3f}** as /model/parse answers, a fallback counting as a miss "
            f"(accuracy {summary['intent_accuracy']:.3f})",
            f"- intent macro-F1 with the fallback undone, as `rasa test nlu` scores it: "
            f"{summary['intent_macro_f1_fallback_undone']:.3f} (accuracy {summary['top_intent_accuracy_without_fallback']:.3f})",
            f"- **entity F1 (type and canonical value): {summary['entity_f1']:.3f}**",
            f"- faq/objection sub-intent accuracy: {summary['retrieval_accuracy']}",
            f"- accuracy by fallback threshold: {summary['accuracy_by_fallback_threshold']}",
            "",
            "### Intent F1",
            "",
            "| intent | F1 |",
            "|---|---|",
        ]
        + [
            f"| {intent} | {value:.3f} |"
            for intent, value in sorted(summary["intent_f1"].items(), key=lambda item: item[1])
        ]
        + [
            "",
            "### Entity F1",
            "",
            "| entity | F1 |",
            "|---|---|",
        ]
        + [f"| {kind} | {value:.3f} |" for kind, value in summary["entity_f1_by_type"].items()]
        + [
            "",
            f"### Intent confusions ({len(confusions)})",
            "",
            "| text | expected | predicted | confidence |",
            "|---|---|---|---|",
        ]
        + [f"| {c['text']} | {c['expected']} | {c['predicted']} | {c['confidence']} |" for c in confusions]
        + [
            "",
            f"### Entity differences ({len(entity_errors)})",
            "",
        ]
        + [f"- {e['text']} — expected {e['expected']}, found {e['found']}" for e in entity_errors]
        + [""]
    )


def main() -> None:
    import argparse

    from rasa.shared.nlu.training_data.loading import load_data

    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default=str(MODEL), help="a trained model (default: models/conseiller.tar.gz)")
    model = Path(parser.parse_args().model)
    if not model.exists():
        sys.exit("No trained model: run `make train` first.")
    examples = {name: load_data(str(folder)).intent_examples for name, (folder, _) in SETS.items()}
    started = time.monotonic()
    parses = dict(zip(examples, asyncio.run(parse_all(model, list(examples.values()))), strict=True))
    elapsed = time.monotonic() - started

    summaries = {name: score(examples[name], parses[name]) for name in SETS}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "nlu_evaluation.json").write_text(json.dumps(summaries, ensure_ascii=False, indent=2), encoding="utf-8")
    lines = [
        "# NLU evaluation on examples never trained on",
        "",
        f"Model {model.name}; {sum(map(len, examples.values()))} messages parsed in {elapsed:.1f} s.",
        "",
    ]
    for name, (folder, description) in SETS.items():
        lines += report_lines(name, folder, description, summaries[name])
    (RESULTS / "nlu_evaluation.md").write_text("\n".join(lines), encoding="utf-8")
    for name, summary in summaries.items():
        print(
            f"{name}: intent macro-F1 {summary['intent_macro_f1']:.3f} · accuracy {summary['intent_accuracy']:.3f} "
            f"(fallback undone: macro-F1 {summary['intent_macro_f1_fallback_undone']:.3f}) · entity F1 "
            f"{summary['entity_f1']:.3f} · sub-intents {summary['retrieval_accuracy']} · "
            f"{len(summary['confusions'])} confusions on {summary['examples']} examples"
        )
    print("→ results/nlu_evaluation.md")


if __name__ == "__main__":
    main()
