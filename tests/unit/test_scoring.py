"""SPEC section 5, table-driven: every option of every question, and the level bands."""

import pytest

from bot.diagnostic.questionnaire import DONT_KNOW, load_questionnaire
from bot.diagnostic.scoring import InvalidAnswer, maturity_level, question_score, score
from tests.helpers import best_answers

Q = load_questionnaire()

SINGLE_POINTS = [
    ("q_digital_plan", "none", 0),
    ("q_digital_plan", "idea", 3),
    ("q_digital_plan", "one_off_budget", 6),
    ("q_digital_plan", "costed_plan", 10),
    ("q_digital_benefit", "no", 0),
    ("q_digital_benefit", "not_sure", 3),
    ("q_digital_benefit", "somewhat", 7),
    ("q_digital_benefit", "clearly", 10),
    ("q_connection", "none", 0),
    ("q_connection", "mobile_only", 3),
    ("q_connection", "slow", 5),
    ("q_connection", "fast", 10),
    ("q_online_sales", "no", 0),
    ("q_online_sales", "planned", 2),
    ("q_online_sales", "via_platform", 6),
    ("q_online_sales", "own_site", 10),
    ("q_reviews", "never", 0),
    ("q_reviews", "sometimes", 5),
    ("q_reviews", "regularly", 10),
    ("q_invoicing", "paper", 0),
    ("q_invoicing", "spreadsheet", 3),
    ("q_invoicing", "software", 7),
    ("q_invoicing", "einvoicing_ready", 10),
    ("q_customer_file", "none", 0),
    ("q_customer_file", "spreadsheet", 3),
    ("q_customer_file", "crm", 7),
    ("q_customer_file", "connected", 10),
    ("q_backup", "none", 0),
    ("q_backup", "occasional", 4),
    ("q_backup", "automatic", 10),
    ("q_training", "none", 0),
    ("q_training", "self_taught", 4),
    ("q_training", "short_course", 7),
    ("q_training", "training_plan", 10),
    ("q_it_support", "nobody", 0),
    ("q_it_support", "myself", 3),
    ("q_it_support", "provider", 7),
    ("q_it_support", "contract_or_inhouse", 10),
    ("q_ai_use", "no", 0),
    ("q_ai_use", "considering", 2),
    ("q_ai_use", "testing", 6),
    ("q_ai_use", "regular", 10),
    ("q_automation", "none", 0),
    ("q_automation", "one", 5),
    ("q_automation", "several", 10),
]

MULTI_POINTS = [
    ("q_cloud_services", [], 0),
    ("q_cloud_services", ["pro_email"], 4),
    ("q_cloud_services", ["shared_storage"], 4),
    ("q_cloud_services", ["online_software"], 4),
    ("q_cloud_services", ["pro_email", "shared_storage"], 7),
    ("q_cloud_services", ["pro_email", "shared_storage", "online_software"], 10),
    ("q_online_presence", [], 0),
    ("q_online_presence", ["business_listing"], 2),
    ("q_online_presence", ["social_network"], 3),
    ("q_online_presence", ["social_network", "several_social_networks"], 5),
    ("q_online_presence", ["website"], 3),
    ("q_online_presence", ["business_listing", "social_network", "several_social_networks", "website"], 10),
    ("q_online_presence", ["business_listing", "website"], 5),
    ("q_security_measures", [], 0),
    ("q_security_measures", ["antivirus"], 10 / 6),
    ("q_security_measures", ["auto_updates"], 10 / 6),
    ("q_security_measures", ["strong_passwords"], 10 / 6),
    ("q_security_measures", ["two_factor"], 10 / 6),
    ("q_security_measures", ["phishing_awareness"], 10 / 6),
    ("q_security_measures", ["incident_plan"], 10 / 6),
    ("q_security_measures", ["antivirus", "auto_updates", "strong_passwords"], 5),
    (
        "q_security_measures",
        ["antivirus", "auto_updates", "strong_passwords", "two_factor", "phishing_awareness", "incident_plan"],
        10,
    ),
]


def test_the_table_covers_every_single_choice_option():
    covered = {(question, option) for question, option, _ in SINGLE_POINTS}
    expected = {(q.id, o.id) for q in Q.questions if not q.is_multi for o in q.options}
    assert covered == expected


@pytest.mark.parametrize("question_id, option, points", SINGLE_POINTS)
def test_single_choice_points(question_id, option, points):
    assert question_score(Q.question(question_id), option) == points


@pytest.mark.parametrize("question_id, options, points", MULTI_POINTS)
def test_multi_choice_points(question_id, options, points):
    assert question_score(Q.question(question_id), options) == pytest.approx(points)


@pytest.mark.parametrize("question_id", Q.question_ids)
def test_dont_know_is_worth_zero(question_id):
    assert question_score(Q.question(question_id), DONT_KNOW) == 0


@pytest.mark.parametrize(
    "question_id, answer", [("q_connection", "fibre"), ("q_cloud_services", ["fax"]), ("q_reviews", ["never"])]
)
def test_an_answer_that_is_not_an_option_is_refused(question_id, answer):
    with pytest.raises(InvalidAnswer):
        question_score(Q.question(question_id), answer)


@pytest.mark.parametrize(
    "overall, level",
    [
        (0, "basic"),
        (25, "basic"),
        (25.0001, "intermediate"),
        (50, "intermediate"),
        (50.01, "advanced"),
        (75, "advanced"),
        (75.0001, "leader"),
        (100, "leader"),
    ],
)
def test_level_boundaries(overall, level):
    assert maturity_level(overall) == level


def test_all_best_answers_make_a_leader_at_100():
    result = score(Q, best_answers(Q))
    assert result.overall == 100 and result.level == "leader"
    assert result.dimension_scores == {dimension.id: 100 for dimension in Q.dimensions}


def test_all_dont_know_makes_a_beginner_at_0():
    result = score(Q, {question_id: DONT_KNOW for question_id in Q.question_ids})
    assert result.overall == 0 and result.level == "basic"


def test_dimension_score_is_the_mean_of_its_questions_times_ten():
    answers = best_answers(Q)
    answers.update({"q_backup": "occasional", "q_security_measures": ["antivirus", "two_factor", "incident_plan"]})
    result = score(Q, answers)
    others = {dimension.id: 100 for dimension in Q.dimensions}
    assert result.dimension_scores == pytest.approx({**others, "security": (4 + 5) / 2 * 10})
    assert result.overall == pytest.approx((6 * 100 + 45) / 7)
    assert result.weakest == ["security", "strategy"]  # then the first of the tied ones


def test_an_overall_of_exactly_fifty_is_intermediate():
    answers = {
        "q_digital_plan": "idea",
        "q_digital_benefit": "somewhat",  # (3 + 7) / 2 -> 50
        "q_connection": "mobile_only",
        "q_cloud_services": ["pro_email", "shared_storage"],  # (3 + 7) / 2
        "q_online_presence": ["business_listing", "social_network"],
        "q_online_sales": "no",
        "q_reviews": "regularly",  # 15 / 3
        "q_invoicing": "spreadsheet",
        "q_customer_file": "crm",  # (3 + 7) / 2
        "q_backup": "none",
        "q_security_measures": [o.id for o in Q.question("q_security_measures").options],  # (0 + 10) / 2
        "q_training": "short_course",
        "q_it_support": "myself",  # (7 + 3) / 2
        "q_ai_use": "no",
        "q_automation": "several",  # (0 + 10) / 2
    }
    result = score(Q, answers)
    assert all(value == pytest.approx(50) for value in result.dimension_scores.values())
    assert result.overall == pytest.approx(50)
    assert result.level == "intermediate"


def test_the_two_weakest_dimensions_follow_the_questionnaire_order_on_ties():
    answers = {question_id: DONT_KNOW for question_id in Q.question_ids}
    assert score(Q, answers).weakest == ["strategy", "infrastructure"]


def test_scoring_refuses_an_incomplete_diagnostic():
    answers = best_answers(Q)
    del answers["q_reviews"]
    with pytest.raises(InvalidAnswer, match="q_reviews"):
        score(Q, answers)
