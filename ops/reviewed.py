"""Writes the messages advisors labelled in the console's inbox as training data: `make reviewed`,
or `python -m ops.reviewed`.

- `data/nlu/reviewed.yml`: the messages labelled with an intent; the next `make train` learns them;
- `bot/data/answers/reviewed.yml`: those labelled as an answer to a diagnostic question; the
  answer reader learns them when the action server next starts.

The database is CONSEILLER_DATABASE_URL (by default var/conseiller.db). Each file keeps the
examples it already holds (it may be edited by hand and kept under version control) and gains
the newly labelled ones; a file whose content would not change is not rewritten, so that
`make train` does not train again for nothing. What bot/review/export.py leaves out (a text the
training data already gives another label, one already known, one of an evaluation set) is
listed. Then: `make reviewed && make train`.
"""

import argparse
import shutil
import sys
import tempfile
from pathlib import Path
from typing import List, Optional

from bot.adapters import inbox, storage
from bot.datafile import DataFileError
from bot.diagnostic.answer_examples import ANSWERS_DIR, REVIEWED_FILE, Answer, parse_answer_examples
from bot.diagnostic.questionnaire import load_questionnaire
from bot.review.export import AnswersExport, NluExport


def _count(number: int, singular: str, plural: str) -> str:
    return f"{number} {singular if number <= 1 else plural}"


def _relative(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(storage.REPO_ROOT))
    except ValueError:
        return str(path)


def _write(path: Path, content: str, has_examples: bool) -> str:
    """Writes the file if its content changes; a file with no example is created only if one exists."""
    if path.exists() and path.read_text(encoding="utf-8") == content:
        return "inchangé"
    if not has_examples and not path.exists():
        return "non créé (aucun exemple)"
    path.write_text(content, encoding="utf-8")
    return "écrit"


def _check_answers(export: AnswersExport, directory: Path) -> None:
    """The answer examples with the new reviewed.yml load as the action server will load them."""
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / "answers"
        shutil.copytree(directory, copy)
        (copy / REVIEWED_FILE).write_text(export.yaml, encoding="utf-8")
        parse_answer_examples(load_questionnaire(), copy)


def nlu_report(export: NluExport, path: Path, outcome: str) -> List[str]:
    lines = [
        f"{_relative(path)} : {outcome}, "
        f"{_count(len(export.examples), 'exemple', 'exemples')} "
        f"pour {_count(len(export.intents), 'intention', 'intentions')}."
    ]
    if export.already_trained:
        lines.append(
            f"  Déjà dans data/nlu avec la même intention, non repris : "
            f"{_count(len(export.already_trained), 'message', 'messages')}."
        )
    for conflict in export.conflicts:
        lines.append(
            f"  Conflit, non repris : « {conflict.text} » étiqueté {conflict.intent}, "
            f"mais déjà sous {', '.join(conflict.trained_as)}."
        )
    for example in export.held_out:
        lines.append(f"  Message d'un jeu d'évaluation, non repris : « {example.plain} » ({example.intent}).")
    for intent in export.unknown_intents:
        lines.append(f"  Intention absente de domain.yml, ses exemples ne sont pas repris : {intent}.")
    return lines


def _answer(answer: Answer) -> str:
    if isinstance(answer, tuple):
        return "[" + ", ".join(answer) + "]" if answer else "[] (aucune)"
    return answer


def answers_report(export: AnswersExport, path: Path, outcome: str) -> List[str]:
    lines = [
        f"{_relative(path)} : {outcome}, {_count(export.count, 'exemple', 'exemples')} "
        f"pour {_count(len(export.examples), 'question', 'questions')}."
    ]
    if export.already_known:
        lines.append(
            f"  Déjà dans les exemples avec la même réponse, non repris : "
            f"{_count(export.already_known, 'message', 'messages')}."
        )
    for conflict in export.conflicts:
        lines.append(
            f"  Conflit, non repris : « {conflict.text} » ({conflict.question_id}) étiqueté {_answer(conflict.answer)}, "
            f"mais déjà noté {_answer(conflict.known_as)}."
        )
    for entry in export.invalid:
        lines.append(f"  Réponse que le questionnaire n'accepte plus, non reprise : {entry}.")
    return lines


def write_reviewed(
    url: Optional[str] = None,
    nlu_dir: Path = inbox.NLU_DIR,
    answers_dir: Path = ANSWERS_DIR,
) -> List[str]:
    """Writes both files from the database at `url`; returns the lines of the report (French)."""
    nlu_file, answers_file = nlu_dir / inbox.REVIEWED_NLU_FILE.name, answers_dir / REVIEWED_FILE
    nlu = inbox.nlu_export(url, nlu_dir=nlu_dir)
    answers = inbox.answers_export(url, directory=answers_dir)
    _check_answers(answers, answers_dir)  # before writing anything
    lines = nlu_report(nlu, nlu_file, _write(nlu_file, nlu.yaml, bool(nlu.examples)))
    return lines + answers_report(answers, answers_file, _write(answers_file, answers.yaml, bool(answers.count)))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ops.reviewed",
        description="Écrit les messages étiquetés dans la console (« Messages à revoir ») comme exemples "
        "d'entraînement : data/nlu/reviewed.yml (intentions, pris en compte au prochain make train) et "
        "bot/data/answers/reviewed.yml (réponses au diagnostic, prises en compte au prochain démarrage "
        "du serveur d'actions). Base de données : CONSEILLER_DATABASE_URL.",
    )
    parser.parse_args(argv)
    url = storage.database_url()
    if url.startswith("sqlite:///") and not Path(url[len("sqlite:///") :]).exists():
        print(f"Aucune base de données ({url[len('sqlite:///') :]}) : aucun message étiqueté, rien n'est écrit.")
        return 0
    try:
        lines = write_reviewed(url)
    except DataFileError as broken:
        print(f"Un fichier d'exemples est invalide, rien n'est écrit : {broken}", file=sys.stderr)
        return 1
    print("\n".join(lines))
    print("Ensuite : make train (intentions) ; les réponses sont relues au prochain démarrage (make run).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
