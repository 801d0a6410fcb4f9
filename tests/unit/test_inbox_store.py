"""The inbox's store, in SQLite and in PostgreSQL: messages recorded with their contact details
masked, labelled, dismissed, reopened, erased with their conversation and after the retention
period; and `make reviewed` writing them as training data."""

import os
import shutil
import subprocess
import sys
import urllib.request
from datetime import timedelta

import yaml
from sqlalchemy import update
from sqlalchemy.orm import Session

from bot.adapters import advisors, inbox
from bot.adapters.storage import REPO_ROOT, engine, utcnow
from bot.diagnostic.answer_examples import ANSWERS_DIR, REVIEWED_FILE, parse_answer_examples
from bot.diagnostic.questionnaire import load_questionnaire
from ops.reviewed import write_reviewed
from tests.helpers import CONSOLE, PASSWORD, call, log_in

# The console's routes on a real Sanic server (no model), as in the console's security tests.


def record(url, text, sender="owner-1", reason=inbox.FALLBACK, question_id=None):
    inbox.record_not_understood(sender, text, reason, "rest", question_id, url=url)


def ids_by_text(url):
    return {message.text: message.id for message in inbox.new_messages(url=url)}


def test_recorded_messages_have_their_contact_details_masked(database_url):
    record(database_url, "écrivez moi a contact@boulangerie-exemple.fr ou au 06 12 34 56 78 svp")
    record(database_url, "   ")  # nothing to learn from
    record(database_url, "pas une raison connue", reason="because")
    [message] = inbox.new_messages(url=database_url)
    assert "contact@" not in message.text and "06 12" not in message.text
    assert "[e-mail masqué]" in message.text and "[téléphone masqué]" in message.text
    assert message.status == inbox.NEW and message.reason == inbox.FALLBACK and message.channel == "rest"


def test_new_messages_newest_first_and_bounded(database_url):
    for number in range(5):
        record(database_url, f"message numero {number}")
    listed = inbox.new_messages(limit=3, url=database_url)
    assert [message.text for message in listed] == ["message numero 4", "message numero 3", "message numero 2"]


def test_label_dismiss_reopen_and_count(database_url):
    record(database_url, "c koi le cloud")
    record(database_url, "cest quoi le clood")
    record(database_url, "on a une box 4g", question_id="q_connection", reason=inbox.CLARIFICATION_FAILED)
    record(database_url, "norton et les mises a jour", question_id="q_security_measures", reason=inbox.ANSWER_GIVEN_UP)
    record(database_url, "azerty")
    ids = ids_by_text(database_url)

    cloud = [ids["c koi le cloud"], ids["cest quoi le clood"]]
    assert (
        inbox.label_messages(cloud, "Équipe numérique", intent="faq/what_is_cloud", advisor_id=7, url=database_url) == 2
    )
    assert inbox.label_messages([ids["on a une box 4g"]], "Équipe", answer="mobile_only", url=database_url) == 1
    measures = ("antivirus", "auto_updates")
    assert inbox.label_messages([ids["norton et les mises a jour"]], "Équipe", answer=measures, url=database_url) == 1
    assert inbox.dismiss_messages([ids["azerty"], 999_999], "Équipe", url=database_url) == 1
    assert inbox.new_messages(url=database_url) == []
    assert inbox.count_by_status(database_url) == {
        inbox.NEW: 0,
        inbox.LABELLED: 4,
        inbox.DISMISSED: 1,
        "intents": 2,
        "answers": 2,
    }

    labelled = {message.text: message for message in inbox.labelled_messages(database_url)}
    assert set(labelled) == {"c koi le cloud", "cest quoi le clood", "on a une box 4g", "norton et les mises a jour"}
    assert labelled["c koi le cloud"].intent == "faq/what_is_cloud"
    assert labelled["c koi le cloud"].labelled_by == "Équipe numérique" and labelled["c koi le cloud"].labelled_at
    assert labelled["on a une box 4g"].answer == "mobile_only" and labelled["on a une box 4g"].intent is None
    assert labelled["norton et les mises a jour"].answer == measures  # a list in JSON, a tuple again
    assert labelled["norton et les mises a jour"].question_id == "q_security_measures"

    # An advisor corrects: the message comes back without its label, and may be labelled again.
    assert inbox.reopen_messages([ids["c koi le cloud"], ids["azerty"]], url=database_url) == 2
    back = {message.text: message for message in inbox.new_messages(url=database_url)}
    assert set(back) == {"c koi le cloud", "azerty"}
    assert back["c koi le cloud"].intent is None and back["c koi le cloud"].labelled_by is None
    assert inbox.label_messages([ids["c koi le cloud"]], "Équipe", answer=(), url=database_url) == 1
    assert inbox.messages([ids["c koi le cloud"]], url=database_url)[0].answer == ()  # none of them


def test_delete_for_sender_and_purge_older_than(database_url):
    record(database_url, "premier message", sender="owner-a")
    record(database_url, "second message", sender="owner-a")
    record(database_url, "message d'un autre", sender="owner-b")
    record(database_url, "message ancien", sender="owner-c")
    ids = ids_by_text(database_url)
    inbox.label_messages([ids["second message"]], "Équipe", intent="greet", url=database_url)
    with Session(engine(database_url)) as session:
        session.execute(
            update(inbox.InboxMessage)
            .where(inbox.InboxMessage.id == ids["message ancien"])
            .values(at=utcnow() - timedelta(days=40))
        )
        session.commit()

    assert inbox.delete_for_sender("owner-a", url=database_url) == 2  # labelled or not
    assert inbox.delete_for_sender("owner-a", url=database_url) == 0
    assert inbox.purge_older_than(30, url=database_url) == 1
    assert [message.text for message in inbox.new_messages(url=database_url)] == ["message d'un autre"]
    assert inbox.labelled_messages(database_url) == []


def test_make_reviewed_writes_both_files_from_the_database(database_url, tmp_path):
    record(database_url, "vous faites aussi les cartes grises ?")
    record(database_url, "jveux que les clients reservent en ligne pr mon salon de coiffure")
    record(database_url, "que faites-vous de mes données ?")  # data/nlu has it under faq/data_privacy
    record(database_url, "on a une box 4g de chez orange", question_id="q_connection")
    ids = ids_by_text(database_url)
    inbox.label_messages(
        [ids["vous faites aussi les cartes grises ?"]], "Équipe", intent="out_of_scope", url=database_url
    )
    salon = ids["jveux que les clients reservent en ligne pr mon salon de coiffure"]
    inbox.label_messages([salon], "Équipe", intent="need_online_sales", url=database_url)
    inbox.label_messages([ids["que faites-vous de mes données ?"]], "Équipe", intent="need_gdpr", url=database_url)
    inbox.label_messages([ids["on a une box 4g de chez orange"]], "Équipe", answer="mobile_only", url=database_url)

    nlu_dir = tmp_path / "nlu"
    shutil.copytree(REPO_ROOT / "data" / "nlu", nlu_dir, ignore=shutil.ignore_patterns("reviewed.yml"))
    answers_dir = tmp_path / "answers"
    shutil.copytree(ANSWERS_DIR, answers_dir, ignore=shutil.ignore_patterns(REVIEWED_FILE))
    lines = write_reviewed(database_url, nlu_dir=nlu_dir, answers_dir=answers_dir)
    report = "\n".join(lines)
    assert "reviewed.yml : écrit, 2 exemples pour 2 intentions." in report
    assert "Conflit, non repris : « que faites-vous de mes données ? » étiqueté need_gdpr" in report
    assert "reviewed.yml : écrit, 1 exemple pour 1 question." in report

    nlu = yaml.safe_load((nlu_dir / "reviewed.yml").read_text(encoding="utf-8"))
    blocks = {block["intent"]: block["examples"] for block in nlu["nlu"]}
    assert blocks == {
        "need_online_sales": "- jveux que les clients reservent en ligne pr mon salon de coiffure\n",
        "out_of_scope": "- vous faites aussi les cartes grises ?\n",
    }
    examples = parse_answer_examples(load_questionnaire(), answers_dir)
    assert any(example.text == "on a une box 4g de chez orange" for example in examples.by_question["q_connection"])

    # Unchanged content: the files are not rewritten (make train would train again for nothing).
    before = (nlu_dir / "reviewed.yml").stat().st_mtime_ns
    assert "inchangé" in "\n".join(write_reviewed(database_url, nlu_dir=nlu_dir, answers_dir=answers_dir))
    assert (nlu_dir / "reviewed.yml").stat().st_mtime_ns == before


def test_make_reviewed_without_a_database_writes_nothing(tmp_path):
    missing = tmp_path / "absent.db"
    environment = {**os.environ, "CONSEILLER_DATABASE_URL": f"sqlite:///{missing}"}
    finished = subprocess.run(
        [sys.executable, "-m", "ops.reviewed"],
        cwd=REPO_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert finished.returncode == 0, finished.stderr
    assert "Aucune base de données" in finished.stdout and "rien n'est écrit" in finished.stdout
    assert not missing.exists()


# ------------------------------------------------------------------------ the console's routes


def download(url, path, cookie):
    request = urllib.request.Request(url + path, headers={"Cookie": cookie})
    with urllib.request.urlopen(request, timeout=30) as answer:
        return answer.status, answer.headers, answer.read().decode("utf-8")


def test_the_console_lists_groups_labels_dismisses_and_exports(console, database_url):  # noqa: F811
    advisors.advisor_repository(database_url).create_account("conseil@exemple.fr", "Équipe numérique", PASSWORD)
    assert call(console, "/console/api/inbox").status == 401
    cookie = log_in(console, "conseil@exemple.fr")
    for text in ("c koi le cloud", "cest quoi le clood", "vous reparez les velos ?"):
        record(database_url, text)
    record(database_url, "on a une box 4g", question_id="q_connection", reason=inbox.CLARIFICATION_FAILED)
    record(database_url, "norton", question_id="q_security_measures", reason=inbox.ANSWER_GIVEN_UP)

    status, page, _ = call(console, "/console/api/inbox", cookie=cookie)
    assert status == 200
    assert page["counts"]["new"] == 5 and page["shown"] == 5
    cloud = page["groups"][0]
    assert (
        cloud["count"] == 2 and cloud["question_id"] is None and cloud["reasons"][0]["label"] == "Message non compris"
    )
    ids = {message["text"]: message["id"] for group in page["groups"] for message in group["messages"]}
    box = next(group for group in page["groups"] if group["question_id"] == "q_connection")
    assert box["question"] == "Quelle connexion internet utilisez-vous au travail ?"
    assert box["reasons"][0]["label"] == "Précision non comprise"
    intents = {intent["id"]: intent["label"] for intent in page["intents"]}
    assert intents["greet"] == "greet" and "(need_training)" in intents["need_training"]
    assert "faq/what_is_cloud" in intents and "faq" not in intents
    questions = {question["id"]: question for question in page["questions"]}
    assert questions["q_security_measures"]["multi"] is True
    assert {"id": "dont_know", "label": "Je ne sais pas"} in questions["q_connection"]["options"]

    def post(path, body, headers=None):
        headers = {**CONSOLE, "Origin": console} if headers is None else headers
        return call(console, "/console/api/inbox/" + path, body, headers, cookie)

    cloud_ids = [ids["c koi le cloud"], ids["cest quoi le clood"]]
    for path in ("label", "dismiss", "reopen"):  # not from the console's page: refused
        assert post(path, {"ids": cloud_ids, "intent": "faq/what_is_cloud"}, headers={}).status == 403, path
    refusals = [
        ({"ids": cloud_ids, "intent": "need_pizza"}, "Intention inconnue"),
        ({"ids": [], "intent": "greet"}, "Sélectionnez au moins un message"),
        ({"ids": ["1"], "intent": "greet"}, "Identifiants de messages invalides"),
        ({"ids": [2**63], "intent": "greet"}, "Identifiants de messages invalides"),
        ({"ids": [0], "intent": "greet"}, "Identifiants de messages invalides"),
        ({"ids": cloud_ids}, "Choisissez une intention"),
        ({"ids": cloud_ids, "answer": "fast"}, "même question du diagnostic"),
        ({"ids": [ids["on a une box 4g"], ids["norton"]], "answer": "fast"}, "même question du diagnostic"),
        ({"ids": [ids["on a une box 4g"]], "answer": "antivirus"}, "Réponse inconnue"),
        ({"ids": [ids["on a une box 4g"]], "question_id": "q_backup", "answer": "none"}, "une autre question"),
        ({"ids": [ids["norton"]], "answer": "antivirus"}, "cochez les réponses"),
    ]
    for body, refusal in refusals:
        answer = post("label", body)
        assert answer.status == 400 and refusal in answer.body["error"], (body, answer.body)
    assert post("label", {"ids": [999_999], "intent": "greet"}).status == 404

    assert post("label", {"ids": cloud_ids, "intent": "faq/what_is_cloud"}).body == {"labelled": 2, "missing": 0}
    assert (
        post("label", {"ids": [ids["on a une box 4g"]], "question_id": "q_connection", "answer": "mobile_only"}).body[
            "labelled"
        ]
        == 1
    )
    assert post("label", {"ids": [ids["norton"]], "answer": ["antivirus"]}).body["labelled"] == 1
    assert post("dismiss", {"ids": [ids["vous reparez les velos ?"]]}).body == {"dismissed": 1}
    page = call(console, "/console/api/inbox", cookie=cookie).body
    assert page["groups"] == [] and page["counts"]["labelled"] == 4 and page["counts"]["dismissed"] == 1
    assert page["counts"]["labelled_intents"] == 2 and page["counts"]["labelled_answers"] == 2
    [dismissed] = inbox.messages([ids["vous reparez les velos ?"]], url=database_url)
    assert dismissed.status == inbox.DISMISSED and dismissed.labelled_by == "Équipe numérique"

    status, headers, text = download(console, "/console/api/inbox/export/nlu.yml", cookie)
    assert status == 200 and "attachment" in headers["Content-Disposition"]
    content = yaml.safe_load(text)
    # both already in data/nlu under faq/what_is_cloud: nothing new to learn
    assert all("c koi le cloud" not in block["examples"] for block in content["nlu"])
    status, headers, text = download(console, "/console/api/inbox/export/answers.yml", cookie)
    content = yaml.safe_load(text)
    assert content["questions"]["q_connection"] == {"mobile_only": ["on a une box 4g"]}
    assert "q_security_measures" not in content["questions"]  # "norton" is already an example of antivirus

    assert post("reopen", {"ids": cloud_ids}).body == {"reopened": 2}
    assert call(console, "/console/api/inbox", cookie=cookie).body["counts"]["new"] == 2
