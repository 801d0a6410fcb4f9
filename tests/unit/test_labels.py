"""One registry of the names people read (bot/data/labels.yml, bot.labels): its ids are the
product's, a slip in the file is refused with its place, and no other file keeps a copy."""

import copy
import importlib
import re
from pathlib import Path

import pytest
import yaml

from bot.advice.catalogue import load_catalogue
from bot.datafile import DATA_DIR, DataFileError
from bot.diagnostic.questionnaire import SPEC_CONTRACT, load_questionnaire, parse_questionnaire
from bot.diagnostic.scoring import LEVELS as LEVEL_BOUNDS
from bot.handover import handoff
from bot.labels import CONTRACT, PUBLIC_LISTS, Labels, label, load_labels, parse_labels
from bot.language.entities import CANONICAL_VALUES
from bot.report.dashboard import SIZE_BANDS

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "bot" / "adapters" / "web"


def raw(name="labels.yml"):
    with open(DATA_DIR / name, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def test_the_shipped_file_names_every_id_of_every_list_in_order():
    labels = load_labels()
    assert isinstance(labels, Labels)
    for kind, ids in CONTRACT.items():
        assert tuple(labels.of(kind)) == ids, kind
        assert all(name.strip() for name in labels.of(kind).values()), kind
    assert tuple(raw()) == tuple(CONTRACT)  # and nothing else


def test_the_ids_are_those_of_the_spec_and_of_the_code():
    assert set(CONTRACT["sectors"]) == set(CANONICAL_VALUES["sector"])
    assert CONTRACT["levels"] == tuple(level for _, level in LEVEL_BOUNDS)
    assert CONTRACT["dimensions"] == tuple(SPEC_CONTRACT)
    with open(ROOT / "domain.yml", encoding="utf-8") as handle:
        intents = [i if isinstance(i, str) else next(iter(i)) for i in yaml.safe_load(handle)["intents"]]
    assert CONTRACT["needs"] == tuple(intent for intent in intents if intent.startswith("need_"))
    assert {entry.cost for entry in load_catalogue().entries} <= set(CONTRACT["costs"])
    reasons = {value for name, value in vars(handoff).items() if name.startswith("REASON_")}
    assert reasons == set(CONTRACT["reasons"])
    with open(ROOT / "domain.yml", encoding="utf-8") as handle:
        statuses = yaml.safe_load(handle)["slots"]["handoff_status"]["values"]
    assert set(CONTRACT["statuses"]) == set(statuses) - {"none"}
    with open(ROOT / "domain.yml", encoding="utf-8") as handle:
        responses = yaml.safe_load(handle)["responses"]
    objections = tuple(name.split("/", 1)[1] for name in responses if name.startswith("utter_objection/"))
    assert CONTRACT["objections"] == objections
    assert CONTRACT["sizes"] == tuple(band.id for band in SIZE_BANDS)  # the dashboard's bands of headcount


def _recorded_event_kinds():
    """The kinds of ticket event the code records: add_event(…, "kind"…), kind="…",
    and the status changes' Transition(…, "kind")."""
    found = set()
    for path in (ROOT / "bot").rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        found |= set(re.findall(r"add_event\b,?\s*\(?[^,()]+,\s*\"([a-z_]+)\"", source))
        found |= set(re.findall(r"\bkind=\"([a-z_]+)\"", source))
        found |= set(re.findall(r"\bTransition\([^)]*,\s*\"([a-z_]+)\"\)", source))
    return found


def test_every_event_a_ticket_records_has_a_name_and_every_name_an_event():
    recorded = _recorded_event_kinds()
    assert recorded == set(CONTRACT["events"]), recorded ^ set(CONTRACT["events"])


def test_the_questionnaire_takes_its_dimension_names_from_the_registry():
    names = load_labels().dimensions
    assert [(d.id, d.label) for d in load_questionnaire().dimensions] == list(names.items())
    content = copy.deepcopy(raw("questionnaire.yml"))
    content["dimensions"][0]["label"] = "Stratégie"  # the old place: refused, pointing to the new one
    with pytest.raises(DataFileError, match=r"dimensions\[0\]\.label: .*labels\.yml \(dimensions\.strategy\)"):
        parse_questionnaire(content, "questionnaire.yml")


def test_one_name_by_id_and_a_default_for_an_unknown_one():
    assert label("levels", "advanced") == "Avancé"
    assert label("sectors", "construction") == "Bâtiment"
    assert label("events", "handed_back") == "Rendue à l’assistant"
    assert label("levels", "expert") is None
    assert label("reasons", None, "autre") == "autre"
    assert label("sizes", "from_2_to_9") == "2 à 9 personnes"
    assert label("objections", "cost") == "Trop cher"
    with pytest.raises(KeyError):
        load_labels().of("colours")


def test_the_owner_side_gets_only_the_public_lists():
    public = load_labels().as_json(public_only=True)
    assert tuple(public) == PUBLIC_LISTS
    assert not {"reasons", "statuses", "events", "sizes", "objections"} & set(public)
    everything = load_labels().as_json()
    assert tuple(everything) == tuple(CONTRACT)
    assert everything["events"]["taken"] == "Prise en charge"


def test_the_lists_cannot_be_changed_by_the_code_that_reads_them():
    with pytest.raises(TypeError):
        load_labels().sectors["retail"] = "Boutique"  # type: ignore[index]


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda d: d["sectors"].pop("tourism"), r"sectors\.tourism: missing"),
        (lambda d: d["needs"].pop("need_ai"), r"needs\.need_ai: missing"),
        (lambda d: d["levels"].__setitem__("expert", "Expert"), r"levels: unknown id 'expert'"),
        (lambda d: d["dimensions"].__setitem__("marketing", "Marketing"), r"dimensions: unknown id 'marketing'"),
        (lambda d: d["events"].__setitem__("handback", "Rendue"), r"events: unknown id 'handback'"),
        (lambda d: d.pop("statuses"), r"statuses: missing"),
        (lambda d: d["sizes"].pop("from_50"), r"sizes\.from_50: missing"),
        (lambda d: d["sizes"].__setitem__("50+", "50 et plus"), r"sizes: unknown id '50\+'"),
        (lambda d: d["objections"].pop("security_fear"), r"objections\.security_fear: missing"),
        (lambda d: d["objections"].__setitem__("price", "Le prix"), r"objections: unknown id 'price'"),
        (lambda d: d.__setitem__("colours", {}), r"unknown list 'colours'"),
        (lambda d: d["levels"].__setitem__("basic", ""), r"levels\.basic: missing"),
        (lambda d: d["levels"].__setitem__("basic", "   "), r"levels\.basic: missing"),
        (lambda d: d["costs"].__setitem__("free", True), r"costs\.free: expected a text"),
        (lambda d: d.__setitem__("reasons", ["requested"]), r"reasons: expected a mapping"),
        (lambda d: d["sectors"].__setitem__("services", "commerce"), r"sectors\.services: 'commerce' already names"),
        (lambda d: d["sectors"].__setitem__("health", "Santé, " * 8), r"sectors\.health: a button holds 38"),
    ],
)
def test_a_slip_in_the_file_is_refused_with_its_place(mutate, message):
    content = copy.deepcopy(raw())
    mutate(content)
    with pytest.raises(DataFileError, match=message):
        parse_labels(content, "labels.yml")


def _quoted(text):
    return re.compile("[\"']" + re.escape(text).replace("’", "(?:’|\\\\u2019)") + "[\"']")


def test_no_code_keeps_its_own_copy_of_a_name():
    """The Python code and the two scripts read the registry; a French name written in them
    again (a dict of labels coming back) would drift from the file."""
    sources = [p for p in (ROOT / "bot").rglob("*.py")] + list((ROOT / "actions").glob("*.py"))
    sources += [WEB / "static" / "widget.js", WEB / "console" / "console.js", WEB / "console" / "dashboard.js"]
    texts = {path: path.read_text(encoding="utf-8") for path in sources}
    for kind, names in load_labels().as_json().items():
        for identifier, name in names.items():
            pattern = _quoted(name)
            copies = [str(path.relative_to(ROOT)) for path, text in texts.items() if pattern.search(text)]
            assert not copies, f"{kind}.{identifier} « {name} » is also written in {copies}"


def test_every_channel_of_credentials_yml_has_a_name_for_the_console():
    with open(ROOT / "credentials.yml", encoding="utf-8") as handle:
        classes = list(yaml.safe_load(handle))
    names = set()
    for path in classes:
        module, _, name = path.rpartition(".")
        channel = getattr(importlib.import_module(module), name)
        if channel.name() not in ("console", "health"):  # the console's and the probes' routes: no owner writes there
            names.add(channel.name())
    assert names == set(CONTRACT["channels"])
