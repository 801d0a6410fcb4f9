"""Moves a fixed 20 % of each intent's examples out of data/nlu/ into tests/nlu_holdout/.

Run once when a batch of new examples is written, in a new file: the moved examples are
never trained on, and `make evaluate` scores the model on them. The choice is deterministic
(a hash of the example). A file that already has its held-out counterpart was split before
and is left alone: splitting it again would move another 20 % of its training examples.
Line-based, so comments and responses in the data files stay as they are.
"""

import hashlib
import re
import sys
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SOURCE = REPO / "data" / "nlu"
HOLDOUT = REPO / "tests" / "nlu_holdout"
FRACTION = 0.2
INTENT = re.compile(r"^- intent: (\S+)\s*$")
EXAMPLE = re.compile(r"^    - (.+)$")


def rank(example: str) -> str:
    return hashlib.sha256(example.encode()).hexdigest()


def split_file(path: Path) -> int:
    if (HOLDOUT / path.name).exists():
        return 0  # split before; new examples go in a new file
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    by_intent = defaultdict(list)
    intent = None
    for number, line in enumerate(lines):
        match = INTENT.match(line)
        if match:
            intent = match.group(1)
            continue
        if line.startswith("- ") or not line.strip().startswith("-") and line.strip() and not line.startswith(" "):
            intent = None
        example = EXAMPLE.match(line)
        if intent and example:
            by_intent[intent].append((number, example.group(1)))
    moved = {}
    for intent, examples in by_intent.items():
        count = round(len(examples) * FRACTION)
        for number, text in sorted(examples, key=lambda item: rank(item[1]))[:count]:
            moved[number] = (intent, text)
    if not moved:
        return 0
    holdout = HOLDOUT / path.name
    existing = holdout.read_text(encoding="utf-8") if holdout.exists() else 'version: "3.1"\nnlu:\n'
    grouped = defaultdict(list)
    for intent, text in moved.values():
        grouped[intent].append(text)
    additions = "".join(
        f"- intent: {intent}\n  examples: |\n" + "".join(f"    - {text}\n" for text in texts)
        for intent, texts in grouped.items()
    )
    HOLDOUT.mkdir(parents=True, exist_ok=True)
    holdout.write_text(existing + additions, encoding="utf-8")
    path.write_text("".join(line for number, line in enumerate(lines) if number not in moved), encoding="utf-8")
    return len(moved)


def main() -> None:
    files = [Path(arg) for arg in sys.argv[1:]] or sorted(SOURCE.glob("*.yml"))
    for path in files:
        count = split_file(path)
        if count:
            print(f"{path.name}: {count} examples held out")


if __name__ == "__main__":
    main()
