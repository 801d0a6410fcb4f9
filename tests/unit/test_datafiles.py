"""The YAML files deployers edit: they load, and a mistake gets a clear error."""

import copy

import pytest
import yaml

from bot.advice.catalogue import NEED_INTENTS, load_catalogue, parse_catalogue
from bot.advice.figures import load_figures, parse_figures
from bot.advice.messages import result_text
from bot.datafile import DATA_DIR, DataFileError
from bot.diagnostic.questionnaire import DONT_KNOW, SPEC_CONTRACT, load_questionnaire, parse_questionnaire
from bot.diagnostic.scoring import score


def raw(name):
    with open(DATA_DIR / name, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def test_the_shipped_files_load():
    questionnaire = load_questionnaire()
    assert [d.id for d in questionnaire.dimensions] == list(SPEC_CONTRACT)
    assert len(questionnaire.questions) == 15
    catalogue = load_catalogue()
    assert len([e for e in catalogue.entries if e.kind != "buyers_guide"]) >= 30
    assert {e.id for e in catalogue.buyers_guides()} == {
        "buyers_guide_website_agency",
        "buyers_guide_it_maintenance",
        "buyers_guide_invoicing_software",
        "buyers_guide_ecommerce_platform",
    }
    assert set(catalogue.needs) == set(NEED_INTENTS)
    assert all(figure.year and figure.source for figure in load_figures())


def test_every_recommendable_resource_has_a_link_and_every_dimension_is_served():
    catalogue = load_catalogue()
    for entry in catalogue.entries:
        if entry.recommendable and entry.kind != "buyers_guide":
            assert entry.url and entry.url.startswith(("https://", "http://")), entry.id
    for dimension in SPEC_CONTRACT:
        assert any(e.recommendable and dimension in e.dimensions for e in catalogue.entries), dimension


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda d: d["dimensions"][0]["questions"][0]["options"][1].__setitem__("points", 4), "worth 3 points in SPEC"),
        (
            lambda d: d["dimensions"][0]["questions"][0]["options"][0].__setitem__("id", "nothing"),
            "'nothing' is not in SPEC",
        ),
        (lambda d: d["dimensions"][0]["questions"][0].pop("text"), "missing 'text'"),
        (lambda d: d["dimensions"][2].__setitem__("id", "marketing"), "unknown dimension 'marketing'"),
        (
            lambda d: d["dimensions"][1]["questions"][1].__setitem__("type", "single"),
            "SPEC makes this question 'multi'",
        ),
        (
            lambda d: d["dimensions"][0]["questions"][0]["options"][1].__setitem__(
                "label", d["dimensions"][0]["questions"][0]["options"][0]["label"]
            ),
            "share the same label",
        ),
    ],
)
def test_questionnaire_mistakes_are_reported_with_their_place(mutate, message):
    content = copy.deepcopy(raw("questionnaire.yml"))
    mutate(content)
    with pytest.raises(DataFileError, match=message):
        parse_questionnaire(content, "questionnaire.yml")


def _first_active(content):
    return next(e for e in content["entries"] if e["status"] == "active" and e["kind"] != "buyers_guide")


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda d: _first_active(d).__setitem__("dimensions", ["marketing"]), "unknown value 'marketing'"),
        (lambda d: _first_active(d).__setitem__("url", None), "an active resource needs a url"),
        (lambda d: d["entries"].append(copy.deepcopy(d["entries"][0])), "duplicate ids"),
        (lambda d: d["needs"].pop("need_ai"), "needs.need_ai: missing"),
        (lambda d: d["needs"]["need_ai"]["entries"].append("cheque_francenum"), "is not active"),
        (lambda d: _first_active(d).__setitem__("cost", "cheap"), "unknown value 'cheap'"),
    ],
)
def test_catalogue_mistakes_are_reported(mutate, message):
    content = copy.deepcopy(raw("catalogue.yml"))
    mutate(content)
    with pytest.raises(DataFileError, match=message):
        parse_catalogue(content, "catalogue.yml")


def test_a_figure_without_its_year_is_refused():
    content = copy.deepcopy(raw("sme_figures.yml"))
    content["figures"][0].pop("year")
    with pytest.raises(DataFileError, match="year"):
        parse_figures(content, "sme_figures.yml")


def test_a_comparison_must_name_a_known_figure():
    content = copy.deepcopy(raw("sme_figures.yml"))
    content["comparisons"]["security"] = "made_up_figure"
    with pytest.raises(DataFileError, match="unknown figure 'made_up_figure'"):
        parse_figures(content, "sme_figures.yml")


def test_the_result_quotes_the_chosen_figures_with_source_and_year():
    questionnaire, figures = load_questionnaire(), load_figures()
    result = score(questionnaire, {question_id: DONT_KNOW for question_id in questionnaire.question_ids})
    assert result.weakest == ["strategy", "infrastructure"]
    chosen = [figures.comparison_for(key) for key in ("overall", "strategy", "infrastructure")]
    quoted = result_text(questionnaire, result, figures).split("\n\nPour vous situer :\n")[1]
    assert quoted.splitlines() == [
        f"• {figure.text.rstrip('. ')} ({figure.source}, {figure.year})." for figure in chosen
    ]
    assert all(figure.source and figure.year <= 2026 for figure in chosen)
