"""Model load time, Rasa's own way (baseline) against rasa_addons.quick_model_load.

Each load runs in a fresh process (timed from `import rasa` to a loaded agent), baseline
and quick alternating, so that both see the same machine. Prints the median load time of each, their ratio, and checks that both
give the same answers to a few messages (intent, confidence, entities, sub-intent).

    .venv/bin/python scripts/benchmark_model_load.py [--runs 3] [--model models/conseiller.tar.gz]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MESSAGES = [
    "bonjour",
    "je suis plombier a Lille on est 4, on a la fibre",
    "c'est quoi le seo",
    "un site ça coûte trop cher pour moi",
    "mon mail c'est contact@exemple.fr",
]

ONE_LOAD = """
import asyncio, json, sys, time
started = time.monotonic()
from rasa.core.agent import Agent
agent = Agent.load(sys.argv[1])
loaded = time.monotonic() - started
answers = []
for text in json.loads(sys.argv[2]):
    parse = asyncio.run(agent.parse_message(text))
    key = parse.get("response_selector", {}).get(parse["intent"]["name"], {}).get("response", {}).get("intent_response_key")
    answers.append([parse["intent"]["name"], round(parse["intent"]["confidence"], 4),
                    sorted([e["entity"], str(e["value"])] for e in parse["entities"]), key])
print(json.dumps({"load_seconds": loaded, "answers": answers}))
"""


def load_once(model: Path, quick: bool) -> dict:
    environment = dict(
        os.environ,
        PYTHONPATH=str(REPO),
        TF_CPP_MIN_LOG_LEVEL="3",
        RASA_TELEMETRY_ENABLED="false",
        CONSEILLER_QUICK_MODEL_LOAD="1" if quick else "0",
    )
    result = subprocess.run(
        [sys.executable, "-c", ONE_LOAD, str(model), json.dumps(MESSAGES)],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--model", default=str(REPO / "models" / "conseiller.tar.gz"))
    arguments = parser.parse_args()
    model = Path(arguments.model)
    if not model.exists():
        sys.exit("No trained model: run `make train` first.")
    times = {"baseline": [], "quick": []}
    answers = {}
    for run in range(arguments.runs):
        for mode in ("baseline", "quick"):
            outcome = load_once(model, quick=mode == "quick")
            times[mode].append(outcome["load_seconds"])
            answers.setdefault(mode, outcome["answers"])
            print(f"run {run + 1} {mode}: {outcome['load_seconds']:.1f} s", flush=True)
    baseline, quick = statistics.median(times["baseline"]), statistics.median(times["quick"])
    print(
        f"median model load: Rasa's own {baseline:.1f} s, quick {quick:.1f} s, "
        f"ratio {quick / baseline:.2f} ({arguments.runs} runs each)"
    )
    if answers["baseline"] != answers["quick"]:
        sys.exit(f"The two loads answer differently:\n{answers['baseline']}\n{answers['quick']}")
    print(f"same answers to {len(MESSAGES)} messages either way")


if __name__ == "__main__":
    main()
