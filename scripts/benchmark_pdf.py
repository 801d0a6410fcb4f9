"""How long the owner's bilan takes to render: the PDF (fpdf2) and the web page.

    .venv/bin/python scripts/benchmark_pdf.py [--runs 20] [--pdf out.pdf] [--html out.html]

Builds a realistic bilan from the real questionnaire, figures, catalogue and wording (a
retailer of three people, with a previous diagnostic so that progress is shown), renders
it once to warm up (fonts located and parsed, data files loaded), then times `runs` renders
and prints the median and the maximum in milliseconds. --pdf and --html also write the
results, to look at them.
"""

import argparse
import statistics
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Callable, List, Tuple

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.advice.catalogue import load_catalogue  # noqa: E402
from bot.advice.figures import load_figures  # noqa: E402
from bot.advice.recommendations import recommend  # noqa: E402
from bot.diagnostic.questionnaire import load_questionnaire  # noqa: E402
from bot.diagnostic.scoring import score  # noqa: E402
from bot.report.bilan import Bilan, build_bilan  # noqa: E402
from bot.report.page import render_page  # noqa: E402
from bot.report.pdf import render_pdf  # noqa: E402
from bot.report.records import DiagnosticRecord, new_bilan_id  # noqa: E402
from bot.report.wording import load_wording  # noqa: E402

# A small shop: a website and social networks, invoices in a spreadsheet, little protection.
ANSWERS = {
    "q_digital_plan": "idea",
    "q_digital_benefit": "somewhat",
    "q_connection": "fast",
    "q_cloud_services": ["pro_email", "shared_storage"],
    "q_online_presence": ["business_listing", "social_network", "website"],
    "q_online_sales": "via_platform",
    "q_reviews": "sometimes",
    "q_invoicing": "spreadsheet",
    "q_customer_file": "spreadsheet",
    "q_backup": "occasional",
    "q_security_measures": ["antivirus", "auto_updates"],
    "q_training": "self_taught",
    "q_it_support": "myself",
    "q_ai_use": "testing",
    "q_automation": "one",
}
# Six months earlier: less protection, no website.
EARLIER = dict(
    ANSWERS,
    q_online_presence=["business_listing", "social_network"],
    q_backup="none",
    q_security_measures=["antivirus"],
    q_reviews="never",
)


def _record(answers: dict, completed_at: datetime, recommendations: Tuple[str, ...] = ()) -> DiagnosticRecord:
    questionnaire = load_questionnaire()
    result = score(questionnaire, answers)
    return DiagnosticRecord(
        id=new_bilan_id(),
        sender_id="benchmark",
        started_at=completed_at,
        channel="socketio",
        questionnaire_version=questionnaire.version,
        sector="retail",
        headcount=3,
        answered=len(questionnaire.question_ids),
        completed_at=completed_at,
        score_overall=result.overall,
        maturity_level=result.level,
        dimension_scores=result.dimension_scores,
        answers=answers,
        recommendations=recommendations,
    )


def sample_bilan() -> Bilan:
    questionnaire, catalogue = load_questionnaire(), load_catalogue()
    result = score(questionnaire, ANSWERS)
    shown = tuple(item.entry.id for item in recommend(catalogue, result))
    record = _record(ANSWERS, datetime(2026, 12, 3, 10, 30), shown)
    previous = _record(EARLIER, datetime(2026, 6, 12, 15, 0))
    return build_bilan(record, questionnaire, load_figures(), catalogue, load_wording(), previous)


def timed(render: Callable[[], object], runs: int) -> List[float]:
    render()  # warm-up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        render()
        times.append((time.perf_counter() - start) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--pdf", type=Path, help="also write the PDF here")
    parser.add_argument("--html", type=Path, help="also write the page here")
    arguments = parser.parse_args()
    bilan = sample_bilan()
    start = time.perf_counter()
    first = render_pdf(bilan)
    print(f"first PDF (fonts located and parsed): {(time.perf_counter() - start) * 1000:.0f} ms")
    pdf_times = timed(lambda: render_pdf(bilan), arguments.runs)
    page_times = timed(lambda: render_page(bilan, "/bilan/example.pdf"), arguments.runs)
    print(
        f"render_pdf:  median {statistics.median(pdf_times):.1f} ms, max {max(pdf_times):.1f} ms ({arguments.runs} runs, {len(first) // 1024} kB)"
    )
    print(f"render_page: median {statistics.median(page_times):.2f} ms, max {max(page_times):.2f} ms")
    if arguments.pdf:
        arguments.pdf.write_bytes(first)
    if arguments.html:
        arguments.html.write_text(render_page(bilan, "/bilan/example.pdf"), encoding="utf-8")


if __name__ == "__main__":
    main()
