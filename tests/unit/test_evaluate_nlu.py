"""`make evaluate` scores what /model/parse answers (a fallback is a miss) and, beside it,
what `rasa test nlu` would report (the fallback undone)."""

from rasa.shared.nlu.training_data.message import Message

from tests.helpers import load_script

evaluate = load_script("evaluate_nlu")


def parse(best: str, confidence: float, fallback: bool = False) -> dict:
    ranking = [{"name": best, "confidence": confidence}, {"name": "thank", "confidence": 0.01}]
    if fallback:
        return {
            "intent": {"name": "nlu_fallback", "confidence": 0.3},
            "intent_ranking": [{"name": "nlu_fallback", "confidence": 0.3}] + ranking,
            "entities": [],
        }
    return {"intent": {"name": best, "confidence": confidence}, "intent_ranking": ranking, "entities": []}


def test_a_fallback_is_a_miss_as_served_but_not_once_undone():
    examples = [
        Message(data={"text": "bonjour", "intent": "greet"}),
        Message(data={"text": "salut", "intent": "greet"}),
        Message(data={"text": "au revoir", "intent": "goodbye"}),
        Message(data={"text": "bye", "intent": "goodbye"}),
    ]
    parses = [parse("greet", 0.9), parse("greet", 0.25, fallback=True), parse("goodbye", 0.9), parse("greet", 0.8)]
    summary = evaluate.score(examples, parses)
    # As served: greet 1 tp, 1 fp, 1 fn -> F1 0.5; goodbye 1 tp, 1 fn -> F1 2/3.
    assert summary["intent_macro_f1"] == round((0.5 + 2 / 3) / 2, 4)
    assert summary["intent_accuracy"] == 0.5
    # Fallback undone: greet 2 tp, 1 fp -> 0.8; goodbye 1 tp, 1 fn -> 2/3.
    assert summary["intent_macro_f1_fallback_undone"] == round((0.8 + 2 / 3) / 2, 4)
    assert summary["top_intent_accuracy_without_fallback"] == 0.75
    assert [c["text"] for c in summary["confusions"]] == ["salut", "bye"]


def test_entities_are_compared_on_canonical_values():
    example = Message(
        data={
            "text": "on a la fibre",
            "intent": "inform",
            "entities": [{"entity": "connection_type", "value": "fiber", "start": 9, "end": 13}],
        }
    )
    found = parse("inform", 0.9)
    found["entities"] = [{"entity": "connection_type", "value": "Fiber"}]
    assert evaluate.score([example], [found])["entity_f1"] == 1.0
    found["entities"] = [{"entity": "connection_type", "value": "adsl"}]
    assert evaluate.score([example], [found])["entity_f1"] == 0.0
