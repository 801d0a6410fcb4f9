"""`make evaluate`: NLU scores on the held-out examples (tests/nlu_holdout/, never trained on).

Parses every held-out message with the trained model, as POST /model/parse would, and
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
HOLDOUT = REPO / "tests" / "nlu_holdout"
RESULTS = REPO / "results"


def f1(tp: int, fp: int, fn: int) -> float:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def entity_pairs(entities) -> Counter:
    return Counter((entity["entity"], str(entity["value"]).lower()) for entity in entities)


async def parse_all(texts):
    from rasa.core.agent import Agent

    agent = Agent.load(str(MODEL))
    return [await agent.parse_message(text) for text in texts]


def main() -> None:
    import argparse

    from rasa.shared.nlu.training_data.loading import load_data

    global MODEL
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default=str(MODEL), help="a trained model (default: models/conseiller.tar.gz)")
    MODEL = Path(parser.parse_args().model)
    if not MODEL.exists():
        sys.exit("No trained model: run `make train` first.")
    data = load_data(str(HOLDOUT))
    examples = data.intent_examples
    started = time.monotonic()
    parses = asyncio.run(parse_all([example.get("text") for example in examples]))
    elapsed = time.monotonic() - started

    counts = defaultdict(lambda: [0, 0, 0])  # intent -> tp, fp, fn
    entity_counts = defaultdict(lambda: [0, 0, 0])
    confusions, entity_errors = [], []
    retrieval_total = retrieval_right = 0
    top_right = 0  # the best intent, had the fallback threshold not applied
    tops = []  # (expected, best intent, its confidence), to compare fallback thresholds
    for example, parse in zip(examples, parses, strict=True):
        expected = example.get("intent")
        predicted = parse["intent"]["name"]
        ranking = [item["name"] for item in parse.get("intent_ranking", []) if item["name"] != "nlu_fallback"]
        top_right += bool(ranking) and ranking[0] == expected
        best = next((item for item in parse.get("intent_ranking", []) if item["name"] != "nlu_fallback"), None)
        if best:
            tops.append((expected, best["name"], best["confidence"]))
        if predicted == expected:
            counts[expected][0] += 1
        else:
            counts[predicted][1] += 1
            counts[expected][2] += 1
            confusions.append({"text": example.get("text"), "expected": expected, "predicted": predicted,
                               "confidence": round(parse["intent"]["confidence"], 3)})
        full_key = example.get("intent_response_key")
        if full_key and predicted == expected:
            retrieval_total += 1
            selected = parse.get("response_selector", {}).get(expected, {}).get("response", {}).get("intent_response_key")
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

    intents = sorted(intent for intent in counts if intent != "nlu_fallback" and (counts[intent][0] or counts[intent][2]))
    per_intent = {intent: f1(*counts[intent]) for intent in intents}
    macro_f1 = sum(per_intent.values()) / len(per_intent)
    totals = [sum(values[i] for values in entity_counts.values()) for i in range(3)]
    entity_f1 = f1(*totals)
    per_entity = {kind: f1(*values) for kind, values in sorted(entity_counts.items())}
    accuracy = sum(counts[intent][0] for intent in intents) / len(examples)

    RESULTS.mkdir(exist_ok=True)
    summary = {
        "examples": len(examples), "intent_macro_f1": round(macro_f1, 4), "intent_accuracy": round(accuracy, 4),
        "top_intent_accuracy_without_fallback": round(top_right / len(examples), 4),
        "entity_f1": round(entity_f1, 4), "entity_f1_by_type": {k: round(v, 4) for k, v in per_entity.items()},
        "retrieval_accuracy": round(retrieval_right / retrieval_total, 4) if retrieval_total else None,
        "intent_f1": {k: round(v, 4) for k, v in per_intent.items()},
        "accuracy_by_fallback_threshold": {
            str(threshold): round(sum(name == expected and confidence >= threshold for expected, name, confidence in tops) / len(examples), 4)
            for threshold in (0.2, 0.3, 0.4, 0.45, 0.5, 0.6)
        },
        "confusions": confusions, "entity_errors": entity_errors,
    }
    (RESULTS / "nlu_evaluation.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    lines = [
        "# NLU evaluation on the held-out examples", "",
        f"- held-out examples: {len(examples)} (tests/nlu_holdout/, never trained on)",
        f"- **intent macro-F1: {macro_f1:.3f}** (accuracy {accuracy:.3f}; best intent right before the "
        f"fallback threshold: {top_right / len(examples):.3f})",
        f"- **entity F1 (type and canonical value): {entity_f1:.3f}**",
        f"- faq/objection sub-intent accuracy: {summary['retrieval_accuracy']}",
        f"- parsing time: {elapsed:.1f} s for {len(examples)} messages", "",
        "## Intent F1", "", "| intent | F1 |", "|---|---|",
    ] + [f"| {intent} | {value:.3f} |" for intent, value in sorted(per_intent.items(), key=lambda item: item[1])] + [
        "", "## Entity F1", "", "| entity | F1 |", "|---|---|",
    ] + [f"| {kind} | {value:.3f} |" for kind, value in per_entity.items()] + [
        "", f"## Intent confusions ({len(confusions)})", "", "| text | expected | predicted | confidence |", "|---|---|---|---|",
    ] + [f"| {c['text']} | {c['expected']} | {c['predicted']} | {c['confidence']} |" for c in confusions] + [
        "", f"## Entity differences ({len(entity_errors)})", "",
    ] + [f"- {e['text']} — expected {e['expected']}, found {e['found']}" for e in entity_errors]
    (RESULTS / "nlu_evaluation.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"intent macro-F1 {macro_f1:.3f} · accuracy {accuracy:.3f} (top before fallback {top_right / len(examples):.3f}) · entity F1 {entity_f1:.3f} · "
          f"{len(confusions)} confusions on {len(examples)} held-out examples → results/nlu_evaluation.md")


if __name__ == "__main__":
    main()
