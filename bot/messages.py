"""The French the owner reads, from bot/data/messages.yml, checked when it is loaded.

The wording is the deployer's to edit; which messages exist and which values each one may
use is the code's contract, written below. Loading fails with a clear error on a missing
or unknown message, a value the code does not give ({montant}), or a plural without both
forms, so that a slip in the file never reaches an owner as a broken reply.
"""

import string
from functools import lru_cache
from pathlib import Path
from typing import Dict, FrozenSet, Mapping, Optional, Union

from bot.datafile import DATA_DIR, DataFileError, load_yaml

MESSAGES_FILE = DATA_DIR / "messages.yml"
PLURAL_FORMS = frozenset({"one", "other"})

# Every message and the values it may use ("count" chooses the form of a plural).
CONTRACT: Dict[str, FrozenSet[str]] = {
    key: frozenset(values)
    for key, values in {
        "door.empty": (),
        "door.too_long": ("max_chars",),
        "door.too_fast": (),
        "door.technical_fault": (),
        **{
            f"buttons.{name}": ()
            for name in (
                "yes",
                "no_thanks",
                "start_diagnostic",
                "request_advisor",
                "ask_results",
                "request_report",
                "help",
                "something_else",
                "resume_diagnostic",
                "restart_confirm",
                "restart_cancel",
                "consent_yes",
                "keep_going",
                "erase_confirm",
                "erase_cancel",
                "works_alone",
                "dont_know",
                "none_of_these",
                "time_morning",
                "time_early_afternoon",
                "time_end_of_day",
                "time_any",
            )
        },
        "not_understood.offer_advisor": (),
        "not_understood.suggestions": (),
        "not_understood.rephrase": (),
        "diagnostic.start": ("total",),
        "diagnostic.known_profile": ("facts",),
        "diagnostic.known_sector": ("sector",),
        "diagnostic.known_alone": (),
        "diagnostic.known_people": ("count",),
        "diagnostic.resume": ("count", "total"),
        "diagnostic.already_complete": (),
        "diagnostic.question_heading": ("number", "total", "dimension"),
        "diagnostic.several_answers": (),
        "diagnostic.clarify_several": (),
        "diagnostic.clarify_one": ("options",),
        "diagnostic.noted": ("answer",),
        "diagnostic.noted_dont_know": (),
        "diagnostic.progress": ("count",),
        "diagnostic.need_during_diagnostic": ("advice",),
        "diagnostic.help": (),
        "diagnostic.greeted_again": (),
        "diagnostic.thanked": (),
        "diagnostic.out_of_scope": (),
        "diagnostic.not_understood": (),
        "diagnostic.not_understood_again": (),
        "diagnostic.hint_sector": (),
        "diagnostic.hint_headcount": (),
        "diagnostic.hint_location": (),
        "diagnostic.profile_skipped": (),
        "diagnostic.answer_skipped": (),
        "diagnostic.ask_again": (),
        "diagnostic.nothing_to_correct": (),
        "diagnostic.why_in_general": (),
        "diagnostic.paused": ("answered", "total"),
        "diagnostic.paused_goodbye": ("answered", "total"),
        "diagnostic.goodbye": (),
        "diagnostic.standing_by": (),
        "diagnostic.restarted": (),
        "diagnostic.restarted_erased": (),
        "diagnostic.restart_confirm": ("count",),
        "results.headline": ("score", "level"),
        "results.by_dimension": (),
        "results.priorities": ("first", "second"),
        "results.compared": (),
        "results.report_intro": (),
        "results.report_keep": (),
        "results.report_not_ready": (),
        "results.not_started": ("total",),
        "results.unfinished": ("count", "total"),
        "results.more_offer": (),
        "results.more_needs_diagnostic": (),
        "results.offer_basic_level": (),
        "results.offer_security_low": (),
        "results.bilan_link": ("url", "pdf_url"),
        "results.progress": ("since", "changes", "overall"),
        "results.progress_unchanged": ("since",),
        "results.progress_change": ("count", "points", "dimension"),
        "recommendations.first": (),
        "recommendations.more": (),
        "recommendations.none_left": (),
        "recommendations.why_for_dimension": ("dimension", "why"),
        "recommendations.resource_lead": (),
        "recommendations.also_lead": (),
        "recommendations.guide_title": ("provider",),
        "recommendations.guide_questions": (),
        "recommendations.guide_warnings": (),
        "recommendations.need_exhausted": (),
        "handoff.consent_question": (),
        "handoff.consent_unclear": (),
        "handoff.contact_question": (),
        "handoff.contact_unreadable": (),
        "handoff.time_question": (),
        "handoff.no_preference": (),
        "handoff.already_sent": ("delay",),
        "handoff.declined": (),
        "handoff.too_many_today": ("delay",),
        "handoff.by_email": ("email",),
        "handoff.by_phone": ("phone",),
        "handoff.sent": ("ticket", "team"),
        "handoff.recap": ("how", "when"),
        "handoff.advisor_available": ("delay",),
        "handoff.nobody_online": (),
        "handoff.closed_until": ("hours", "opening"),
        "handoff.closed": (),
        "handoff.will_call": ("delay",),
        "handoff.finish_diagnostic_offer": (),
        "handoff.advisor_joined": ("name",),
        "handoff.advisor_left": (),
        "handoff.advisor_closed": (),
        "offers.nothing_changed": (),
        "offers.advisor_declined": (),
        "offers.more_declined": (),
        "offers.need_declined": (),
        "offers.resuming": (),
        "offers.resume_declined": (),
        "offers.what_now": (),
        "offers.nothing_pending": (),
        "privacy.erase_confirm": (),
        "privacy.erased": (),
        # Messaging platforms (bot/messaging/): choices written out, the score card as text.
        "channels.reply_hint": (),
        "channels.choose": (),
        "channels.list_button": (),
        "channels.list_section": (),
        "channels.card_headline": ("score", "level"),
        "channels.card_by_dimension": (),
        "channels.card_dimension": ("dimension", "score"),
        "channels.card_priorities": ("first", "second"),
        "channels.card_priority": ("dimension",),
    }.items()
}

Template = Union[str, Mapping[str, str]]


def _placeholders(template: str, where: str) -> FrozenSet[str]:
    try:
        return frozenset(name for _, name, _, _ in string.Formatter().parse(template) if name is not None)
    except ValueError as error:  # an unbalanced brace
        raise DataFileError(f"{where}: {error}") from error


def flatten(content: Mapping, prefix: str = "") -> Dict[str, object]:
    """{"door": {"empty": "…"}} -> {"door.empty": "…"}; a plural {one, other} is one message."""
    flat: Dict[str, object] = {}
    for name, value in content.items():
        key = f"{prefix}{name}"
        if isinstance(value, dict) and not (set(value) & PLURAL_FORMS):
            flat.update(flatten(value, f"{key}."))
        else:
            flat[key] = value
    return flat


def check_templates(
    flat: Mapping[str, object],
    contract: Mapping[str, FrozenSet[str]],
    where: str,
    what: str = "messages",
    unused: str = "the assistant never sends them",
) -> Dict[str, Template]:
    """The texts of a flattened file (see flatten), checked against their contract: every key
    present and known, each a non-empty text or a plural {one, other}, each using only the
    {values} its key may. `where` names the file in the errors, `what` the texts are."""
    missing = sorted(set(contract) - set(flat))
    if missing:
        raise DataFileError(f"{where}: missing {what}: {', '.join(missing)}")
    unknown = sorted(set(flat) - set(contract))
    if unknown:
        raise DataFileError(f"{where}: unknown {what} ({unused}): {', '.join(unknown)}")
    templates: Dict[str, Template] = {}
    for key, value in flat.items():
        place = f"{where}: {key}"
        forms = value if isinstance(value, dict) else {"": value}
        if isinstance(value, dict) and set(value) != PLURAL_FORMS:
            raise DataFileError(f"{place}: a plural needs exactly the forms 'one' and 'other'")
        for form in forms.values():
            if not isinstance(form, str) or not form.strip():
                raise DataFileError(f"{place}: expected a non-empty text")
            extra = _placeholders(form, place) - contract[key]
            if extra:
                allowed = ", ".join("{" + name + "}" for name in sorted(contract[key])) or "none"
                raise DataFileError(f"{place}: unknown value {{{sorted(extra)[0]}}} (this message can use: {allowed})")
        templates[key] = value if isinstance(value, dict) else str(value)
    return templates


def load_messages(path: Optional[Path] = None) -> Dict[str, Template]:
    path = Path(path or MESSAGES_FILE)
    return check_templates(flatten(load_yaml(path)), CONTRACT, str(path))


@lru_cache(maxsize=1)
def _default_messages() -> Dict[str, Template]:
    return load_messages()


def fill(template: Template, values: Mapping[str, object], key: str) -> str:
    """A checked template (see check_templates) with its {values} filled in; a plural's form
    is chosen by `count` (one: 0 or 1, other: 2 and more). `key` names it in an error."""
    if not isinstance(template, str):
        count = values.get("count")
        if not isinstance(count, int):
            raise TypeError(f"message {key!r} is a plural: give count=<int>")
        template = template["one" if count <= 1 else "other"]
    return template.format(**values)


def message(key: str, **values: object) -> str:
    """The message `key`, its {values} filled in; a plural is chosen by `count`."""
    return fill(_default_messages()[key], values, key)
