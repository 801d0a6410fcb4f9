"""The inbox's review: similar messages grouped, labelled ones written back as training data that
Rasa and the answer reader accept (bot/review/), and the answer examples' reviewed.yml."""

import random
import shutil
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import yaml
from rasa.shared.nlu.training_data.loading import load_data

from bot.adapters import inbox
from bot.datafile import DataFileError
from bot.diagnostic.answer_examples import ANSWERS_DIR, REVIEWED_FILE, load_answer_examples, parse_answer_examples
from bot.diagnostic.questionnaire import DONT_KNOW, load_questionnaire
from bot.review.export import (
    LabelError,
    NluExample,
    build_answers_export,
    build_nlu_export,
    check_answer,
    check_intent,
    choosable_intents,
    nlu_examples,
    plain_text,
)
from bot.review.grouping import group_messages
from bot.review.records import ANSWER_GIVEN_UP, CLARIFICATION_FAILED, DISMISSED, FALLBACK, LABELLED, InboxRecord

REPO = Path(__file__).resolve().parents[2]
Q = load_questionnaire()
T0 = datetime(2026, 3, 2, 9, 0)


def message(identifier, text, question_id=None, minutes=0, reason=FALLBACK, **label):
    return InboxRecord(
        id=identifier,
        at=T0 + timedelta(minutes=minutes if minutes else identifier),
        text=text,
        reason=reason,
        question_id=question_id,
        **label,
    )


def grouped_texts(texts, question_id=None):
    groups = group_messages([message(index + 1, text, question_id) for index, text in enumerate(texts)])
    return sorted(sorted(m.text for m in group.messages) for group in groups)


# ------------------------------------------------------------------------ grouping


@pytest.mark.parametrize(
    "texts, expected",
    [
        # SMS spelling, missing accents and slips of owners typing on a phone
        (
            ["c'est quoi le cloud ?", "c koi le cloud", "cest quoi le clood", "C'EST QUOI LE CLOUD"],
            [["C'EST QUOI LE CLOUD", "c koi le cloud", "c'est quoi le cloud ?", "cest quoi le clood"]],
        ),
        (
            # the most frequent wording leads, the others join it
            [
                "je veux un site internet",
                "jveux un site internet",
                "je veu un sitte internet",
                "je veux un site internet",
            ],
            [
                [
                    "je veu un sitte internet",
                    "je veux un site internet",
                    "je veux un site internet",
                    "jveux un site internet",
                ]
            ],
        ),
        (
            ["la facturation électronique c'est pour quand ?", "la factu electronik c pour qd"],
            [["la factu electronik c pour qd", "la facturation électronique c'est pour quand ?"]],
        ),
        (
            ["mon imprimante marche plus", "mon imprimante ne marche plus du tout"],
            [["mon imprimante marche plus", "mon imprimante ne marche plus du tout"]],
        ),
        (
            ["quel temps fait il demain", "il fait quel temps demain"],
            [["il fait quel temps demain", "quel temps fait il demain"]],
        ),
        (["azertyuiop", "azertyuiopp", "qsdfghjklm"], [["azertyuiop", "azertyuiopp"], ["qsdfghjklm"]]),
        # the one word that matters differs: kept apart
        (
            ["on a un logiciel de caisse", "on a un logiciel de paie"],
            [["on a un logiciel de caisse"], ["on a un logiciel de paie"]],
        ),
        (["mon tpe marche pas", "ma tva marche pas"], [["ma tva marche pas"], ["mon tpe marche pas"]]),
        (["je veux un site", "je veux un devis"], [["je veux un devis"], ["je veux un site"]]),
        (["pas de site", "un site"], [["pas de site"], ["un site"]]),
        # emojis and punctuation only: grouped only when identical
        (["👍", "👍", "???"], [["???"], ["👍", "👍"]]),
    ],
)
def test_similar_messages_are_grouped_and_different_ones_kept_apart(texts, expected):
    assert grouped_texts(texts) == expected


def test_messages_of_different_questions_are_never_grouped():
    groups = group_messages(
        [
            message(1, "non jamais", "q_ai_use", reason=ANSWER_GIVEN_UP),
            message(2, "non jamais", "q_reviews", reason=CLARIFICATION_FAILED),
            message(3, "non jamais"),
        ]
    )
    assert sorted((group.question_id or "", group.count) for group in groups) == [
        ("", 1),
        ("q_ai_use", 1),
        ("q_reviews", 1),
    ]


def test_groups_biggest_first_messages_newest_first_and_the_order_never_depends_on_the_input():
    messages = [
        message(1, "c koi le cloud", minutes=1),
        message(2, "c'est quoi le cloud", minutes=50),
        message(3, "mon imprimante marche plus", minutes=30),
        message(4, "c koi le cloud", minutes=40),
        message(5, "azerty", minutes=60),
        message(6, "mon imprimante ne marche plus", minutes=20),
        message(7, "c koi le cloud", minutes=10, reason=CLARIFICATION_FAILED),
    ]
    expected = group_messages(messages)
    for seed in range(5):
        shuffled = list(messages)
        random.Random(seed).shuffle(shuffled)
        assert group_messages(shuffled) == expected
    assert [group.count for group in expected] == [4, 2, 1]
    cloud = expected[0]
    assert [m.id for m in cloud.messages] == [2, 4, 7, 1]  # newest first
    assert cloud.representative == "c koi le cloud"  # the leading wording (the most frequent), its newest message
    assert cloud.reasons == (FALLBACK, CLARIFICATION_FAILED)
    assert cloud.newest == T0 + timedelta(minutes=50)
    assert expected[1].representative in ("mon imprimante marche plus", "mon imprimante ne marche plus")


def test_equal_groups_come_newest_first():
    groups = group_messages([message(1, "azerty", minutes=5), message(2, "qwertz", minutes=9)])
    assert [group.representative for group in groups] == ["qwertz", "azerty"]


def test_a_thousand_messages_are_grouped_quickly():
    words = ["site", "facture", "cloud", "caisse", "wifi", "rgpd", "stock", "devis", "avis", "banque", "compta", "ia"]
    rng = random.Random(7)
    messages = [
        message(index, " ".join(rng.choice(words) for _ in range(rng.randint(2, 6))) + f" {index % 37}x")
        for index in range(1, 1001)
    ]
    started = datetime.now()
    groups = group_messages(messages)
    assert (datetime.now() - started).total_seconds() < 10
    assert sum(group.count for group in groups) == 1000


# ------------------------------------------------------------------------ labels


def domain():
    return yaml.safe_load((REPO / "domain.yml").read_text(encoding="utf-8"))


def test_the_labels_are_the_domains_intents_with_the_retrieval_sub_intents():
    content = domain()
    choices = choosable_intents(content["intents"], content["responses"])
    assert choices == inbox.intent_choices()
    assert "need_ai" in choices and "greet" in choices and "faq/what_is_cloud" in choices
    assert "objection/security_fear" in choices
    assert "faq" not in choices and "objection" not in choices and "nlu_fallback" not in choices
    # Examples of these teach entities: unannotated, they would teach that "Lyon" is none.
    assert "inform" not in choices and "give_contact" not in choices
    assert choosable_intents(["greet", "nlu_fallback", "faq"], ["utter_greet", "utter_faq/a", "utter_faq/b"]) == [
        "greet",
        "faq/a",
        "faq/b",
    ]


def test_labels_are_checked_with_french_refusals():
    assert check_intent("need_ai", ["need_ai"]) == "need_ai"
    with pytest.raises(LabelError, match="Intention inconnue"):
        check_intent("need_pizza", ["need_ai"])
    with pytest.raises(LabelError, match="Choisissez une intention"):
        check_intent("", ["need_ai"])
    backup, measures, presence = (
        Q.question("q_backup"),
        Q.question("q_security_measures"),
        Q.question("q_online_presence"),
    )
    assert check_answer(backup, "automatic") == "automatic"
    assert check_answer(backup, DONT_KNOW) == DONT_KNOW
    assert check_answer(measures, ["two_factor", "antivirus"]) == ("antivirus", "two_factor")  # the question's order
    assert check_answer(measures, []) == ()
    assert check_answer(measures, DONT_KNOW) == DONT_KNOW
    assert check_answer(presence, ["several_social_networks"]) == ("social_network", "several_social_networks")
    for question, wrong in [(backup, "antivirus"), (backup, ["none"]), (measures, ["usb"]), (measures, "antivirus")]:
        with pytest.raises(LabelError, match="Réponse inconnue|cochez"):
            check_answer(question, wrong)


# ------------------------------------------------------------------------ NLU export


def examples_of(folder: Path, skip=()):
    return [
        example
        for path in sorted(folder.glob("*.yml"))
        if path.name not in skip
        for example in nlu_examples(yaml.safe_load(path.read_text(encoding="utf-8")))
    ]


@pytest.fixture(scope="module")
def training():
    return examples_of(REPO / "data" / "nlu", skip={"reviewed.yml"})


@pytest.fixture(scope="module")
def held_out():
    return [
        example.plain
        for folder in ("nlu_holdout", "nlu_holdout_independent")
        for example in examples_of(REPO / "tests" / folder)
    ]


def test_our_reader_of_nlu_files_agrees_with_rasas(training):
    rasa = load_data(str(REPO / "data" / "nlu" / "faq.yml"))
    ours = examples_of(REPO / "data" / "nlu", skip={"reviewed.yml"})
    faq = [example for example in ours if example.intent.startswith("faq/")]
    assert sorted((example.intent, example.plain) for example in faq) == sorted(
        (message.get("intent_response_key"), message.get("text")) for message in rasa.intent_examples
    )
    assert len(training) > 4000
    assert plain_text('je suis [boulanger]{"entity": "sector", "value": "crafts"} à [Lyon](location)') == (
        "je suis boulanger à Lyon"
    )


AWKWARD = [
    "mon mail c'est [e-mail masqué](perso) et mon tel [téléphone masqué]{ok}",
    "il m'a dit \"# c'est: pas - grave\" | > & * ! % @ {x} ` ~",
    "- commence par un tiret",
    "sur deux\nlignes\tet\u2028une tabulation   ",
    "vous\x0bfaites des vidéos tiktok pour les kebabs ???",
]


def test_the_nlu_export_is_rasa_training_data_with_each_text_under_its_intent(tmp_path, training, held_out):
    labelled = [
        message(1, "vous faites des cartes de visite ?", status=LABELLED, intent="out_of_scope"),
        message(2, "vous faites des cartes de visites", status=LABELLED, intent="out_of_scope"),
        message(
            3,
            "jveux que mes clients prennent rdv sur mon site pr mon salon",
            status=LABELLED,
            intent="need_online_sales",
        ),
        message(4, "c koi le nuage informatique en vrai", status=LABELLED, intent="faq/what_is_cloud"),
        message(5, "les patrons du numerique c'est pas pour nous", status=LABELLED, intent="objection/usefulness"),
        message(6, "azerty", status=DISMISSED),
        message(7, "vous faites des cartes de visite ?", status=LABELLED, intent="out_of_scope"),  # the same text
        *[message(10 + index, text, status=LABELLED, intent="out_of_scope") for index, text in enumerate(AWKWARD)],
    ]
    export = build_nlu_export(labelled, inbox.intent_choices(), training=training, held_out=held_out)
    assert not export.conflicts and not export.held_out and not export.already_trained
    content = yaml.safe_load(export.yaml)
    assert content["version"] == "3.1"
    assert export.yaml.startswith("# ") and "make reviewed" in export.yaml.split("version:")[0]
    assert [block["intent"] for block in content["nlu"]] == sorted(block["intent"] for block in content["nlu"])

    path = tmp_path / "reviewed.yml"
    path.write_text(export.yaml, encoding="utf-8")
    data = load_data(str(path))
    read = sorted((m.get("intent_response_key") or m.get("intent"), m.get("text")) for m in data.intent_examples)
    assert read == sorted((example.intent, example.plain) for example in export.examples)
    assert not data.entities  # an owner's brackets never turn into an entity annotation
    texts = {text for _, text in read}
    assert ("faq/what_is_cloud", "c koi le nuage informatique en vrai") in read
    assert ("objection/usefulness", "les patrons du numerique c'est pas pour nous") in read
    assert "azerty" not in texts
    assert len([text for text in texts if text == "vous faites des cartes de visite ?"]) == 1  # deduplicated
    assert "il m'a dit \"# c'est: pas - grave\" | > & * ! % @ {x} ` ~" in texts
    assert "- commence par un tiret" in texts
    assert "sur deux lignes et une tabulation" in texts
    assert "vous faites des vidéos tiktok pour les kebabs ???" in texts
    assert "mon mail c'est [e-mail masqué] (perso) et mon tel [téléphone masqué] {ok}" in texts


def test_rasa_would_accept_the_export_beside_the_training_data(tmp_path, training, held_out):
    """`rasa data validate --fail-on-warnings` refuses an example under two intents, and an intent
    the domain does not have: conflicts are left out and reported instead."""
    faq_text = next(example.plain for example in training if example.intent == "faq/data_privacy")
    labelled = [
        message(1, faq_text, status=LABELLED, intent="need_gdpr"),  # data/nlu says faq/data_privacy
        message(2, "c koi le clood", status=LABELLED, intent="faq/what_is_cloud"),  # already there, same intent
        message(3, "C KOI LE CLOOD !!", status=LABELLED, intent="faq/what_is_cloud"),  # the same, normalised
        message(4, held_out[0], status=LABELLED, intent="greet"),  # a message of an evaluation set
        message(5, "on vend des glaces artisanales et on veut livrer", status=LABELLED, intent="need_online_sales"),
        message(6, "un truc", status=LABELLED, intent="need_teleportation"),  # not (or no longer) in the domain
    ]
    export = build_nlu_export(labelled, inbox.intent_choices(), training=training, held_out=held_out)
    assert [(c.text, c.intent, c.trained_as) for c in export.conflicts] == [
        (faq_text, "need_gdpr", ("faq/data_privacy",))
    ]
    assert sorted(example.text for example in export.already_trained) == ["C KOI LE CLOOD !!", "c koi le clood"]
    assert [example.text for example in export.held_out] == [held_out[0]]
    assert export.unknown_intents == ("need_teleportation",)
    assert [(example.intent, example.text) for example in export.examples] == [
        ("need_online_sales", "on vend des glaces artisanales et on veut livrer")
    ]
    folder = tmp_path / "nlu"
    shutil.copytree(REPO / "data" / "nlu", folder)
    (folder / "reviewed.yml").write_text(export.yaml, encoding="utf-8")
    data = load_data(str(folder))
    intents_of = {}
    for example in data.intent_examples:
        intents_of.setdefault(example.get("text"), set()).add(example.get("intent"))
    assert not {text: intents for text, intents in intents_of.items() if len(intents) > 1}
    assert {example.get("intent") for example in data.intent_examples} <= set(domain()["intents"])


def test_an_export_keeps_the_files_examples_and_the_inboxs_newest_label_wins(training):
    previous = [
        NluExample("need_online_sales", 'une appli pour mon [food truck]{"entity": "sector", "value": "food_service"}'),
        NluExample("out_of_scope", "vous vendez des pizzas"),
        NluExample("need_visibility", "mettre mes horaires sur gogle"),
    ]
    labelled = [
        message(1, "vous vendez des pizzas", status=LABELLED, intent="out_of_scope"),  # as in the file
        message(2, "mettre mes horaires sur gogle", status=LABELLED, intent="need_ai", labelled_at=T0),
        message(
            3, "mettre mes horaires sur gogle", status=LABELLED, intent="need_visibility", labelled_at=T0 + timedelta(1)
        ),
        message(4, "Vous vendez des pizzas ?", status=LABELLED, intent="need_ai", labelled_at=T0 + timedelta(2)),
    ]
    export = build_nlu_export(labelled, inbox.intent_choices(), training=training, previous=previous)
    assert [(example.intent, example.text) for example in export.examples] == [
        ("need_ai", "vous vendez des pizzas"),  # relabelled by an advisor since: the inbox wins
        ("need_ai", "Vous vendez des pizzas ?"),
        ("need_online_sales", 'une appli pour mon [food truck]{"entity": "sector", "value": "food_service"}'),
        ("need_visibility", "mettre mes horaires sur gogle"),  # the newest label
    ]
    assert 'une appli pour mon [food truck]{"entity": "sector", "value": "food_service"}' in export.yaml


def test_an_empty_export_is_still_valid_nlu_data(tmp_path):
    export = build_nlu_export([], ["greet"])
    assert yaml.safe_load(export.yaml)["nlu"] == [] and export.examples == ()
    path = tmp_path / "reviewed.yml"
    path.write_text(export.yaml, encoding="utf-8")
    assert load_data(str(path)).intent_examples == []


# ------------------------------------------------------------------------ answer examples


def existing_answers():
    return parse_answer_examples(Q, ANSWERS_DIR, reviewed=False).by_question


def answers_copy(tmp_path, content=None) -> Path:
    directory = tmp_path / "answers"
    shutil.copytree(ANSWERS_DIR, directory, ignore=shutil.ignore_patterns(REVIEWED_FILE))
    if content is not None:
        (directory / REVIEWED_FILE).write_text(content, encoding="utf-8")
    return directory


def test_the_answers_export_is_read_by_the_answer_examples_loader(tmp_path):
    existing = existing_answers()
    known = existing["q_ai_use"][0]
    labelled = [
        message(1, "on a une box 4g de chez orange", "q_connection", status=LABELLED, answer="mobile_only"),
        message(2, "bof pas vraiment", "q_ai_use", status=LABELLED, answer="no"),
        message(
            3,
            "on a mis la double authentification sur les mails",
            "q_security_measures",
            status=LABELLED,
            answer=("two_factor",),
        ),
        message(4, "rien de tout ca chez nous franchement", "q_security_measures", status=LABELLED, answer=()),
        message(5, "aucune idee c le presta", "q_cloud_services", status=LABELLED, answer=DONT_KNOW),
        message(6, 'oui "genre" : # chatgpt', "q_ai_use", status=LABELLED, answer="testing"),
        message(7, known.text, "q_ai_use", status=LABELLED, answer=known.answer),  # already there
        message(8, "fibre", "q_connection", status=LABELLED, answer="none"),  # the file says fast: a conflict
        message(
            9,
            "un site et insta et facebook",
            "q_online_presence",
            status=LABELLED,
            answer=["website", "several_social_networks"],
        ),
        message(10, "un truc", "q_ghost", status=LABELLED, answer="no"),  # no such question
    ]
    export = build_answers_export(labelled, Q, existing, {})
    assert export.already_known == 1
    assert [(c.question_id, c.text, c.answer, c.known_as) for c in export.conflicts] == [
        ("q_connection", "fibre", "none", "fast")
    ]
    assert export.invalid == ("q_ghost: un truc",)
    assert export.count == 7
    content = yaml.safe_load(export.yaml)
    assert content["questions"]["q_ai_use"] == {"no": ["bof pas vraiment"], "testing": ['oui "genre" : # chatgpt']}
    measures = content["questions"]["q_security_measures"]
    assert {"text": "rien de tout ca chez nous franchement", "options": []} in measures

    directory = answers_copy(tmp_path, export.yaml)
    read = parse_answer_examples(Q, directory)
    by_text = {example.text: example.answer for examples in read.by_question.values() for example in examples}
    assert by_text["on a une box 4g de chez orange"] == "mobile_only"
    assert by_text["on a mis la double authentification sur les mails"] == ("two_factor",)
    assert by_text["rien de tout ca chez nous franchement"] == ()
    assert by_text["aucune idee c le presta"] == DONT_KNOW
    assert by_text["un site et insta et facebook"] == ("social_network", "several_social_networks", "website")
    base = parse_answer_examples(Q, directory, reviewed=False)
    assert sum(map(len, read.by_question.values())) == sum(map(len, base.by_question.values())) + 7
    training, held = read.split()  # the held-out fifth is chosen among reviewed examples too, by hash
    assert set(training.by_question["q_connection"]) | set(held.by_question["q_connection"]) == set(
        read.by_question["q_connection"]
    )


def test_an_answers_export_keeps_the_files_examples_unless_the_inbox_relabels_them():
    from bot.diagnostic.answer_examples import Example

    previous = {
        "q_backup": [Example("une cle usb le vendredi", "occasional"), Example("le nas du bureau", "automatic")]
    }
    labelled = [message(1, "Le NAS du bureau", "q_backup", status=LABELLED, answer="none")]
    export = build_answers_export(labelled, Q, existing_answers(), previous)
    assert sorted((example.text, example.answer) for example in export.examples["q_backup"]) == [
        ("Le NAS du bureau", "none"),
        ("une cle usb le vendredi", "occasional"),
    ]


def test_no_reviewed_file_is_shipped_or_it_loads():
    examples = load_answer_examples()
    assert examples.by_question["q_connection"]


@pytest.mark.parametrize(
    "content, message_part",
    [
        ('questions:\n  q_pizza:\n    "none": ["rien"]\n', "questions.q_pizza: no question has this id"),
        ('questions:\n  q_backup:\n    "usb": ["une cle"]\n', "unknown option 'usb'"),
        (
            'questions:\n  q_backup:\n    - text: "une cle"\n      options: ["none"]\n',
            "lists its examples under each option id",
        ),
        ('questions:\n  q_security_measures:\n    - text: "norton"\n      options: ["usb"]\n', "unknown option 'usb'"),
        ('questions:\n  q_backup:\n    "automatic": [""]\n', "questions.q_backup.automatic[0]"),
        ('questions:\n  q_connection:\n    "none": ["fibre"]\n', '"fibre" is given two different answers'),
        ("questions: [1, 2]\n", "'questions' must map question ids"),
    ],
)
def test_a_broken_reviewed_file_is_refused_naming_the_file_and_the_entry(tmp_path, content, message_part):
    directory = answers_copy(tmp_path, content)
    with pytest.raises(DataFileError) as error:
        parse_answer_examples(Q, directory)
    assert message_part in str(error.value)
    assert REVIEWED_FILE in str(error.value)


def test_an_empty_reviewed_file_adds_nothing_and_other_unknown_files_are_still_refused(tmp_path):
    directory = answers_copy(tmp_path, "questions: {}\n")
    assert parse_answer_examples(Q, directory) == parse_answer_examples(Q, directory, reviewed=False)
    (directory / "q_pizza.yml").write_text("question: q_pizza\n", encoding="utf-8")
    with pytest.raises(DataFileError, match="files are named after the questions"):
        parse_answer_examples(Q, directory)
