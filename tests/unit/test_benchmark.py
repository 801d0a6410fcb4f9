"""The arithmetic of `make bench` (scripts/benchmark.py, scripts/bench_load.py): percentiles,
medians over runs, the capacity estimate, the targets and the generated part of the document."""

import pytest

from scripts.bench_load import PhaseStats, percentile
from scripts.benchmark import (
    LOCK_OPERATIONS_PER_MESSAGE,
    TRACKER_OPERATIONS_PER_MESSAGE,
    capacity_estimate,
    services_per_message,
    summarise,
    target_rows,
    write_doc,
)

pytestmark = pytest.mark.unit


def test_percentile_is_the_nearest_rank():
    values = [float(value) for value in range(1, 101)]
    assert percentile(values, 50) == 50
    assert percentile(values, 95) == 95
    assert percentile(values, 100) == 100
    assert percentile([0.2], 95) == 0.2
    # 20 values: the 95th percentile is the 19th, not the largest.
    assert percentile([float(value) for value in range(1, 21)], 95) == 19


def test_a_phase_counts_empty_replies_as_errors_with_their_latency():
    stats = PhaseStats("c2", 2, wall_seconds=2.0)
    for seconds, error in [(0.1, None), (0.3, None), (0.2, "empty"), (60.0, "timeout")]:
        stats.record(type("Outcome", (), {"seconds": seconds, "error": error, "replies": None})())
    stats.started, stats.completed = 2, 1
    summary = stats.summary()
    assert summary["answered"] == 2 and summary["sent"] == 4
    assert summary["messages_per_second"] == 1.0
    assert summary["p95_ms"] == pytest.approx(300)  # the timeout's 60 s is not a latency
    assert summary["errors"] == 3  # empty, timeout, one diagnostic not completed
    assert summary["error_kinds"] == {"empty": 1, "timeout": 1, "incomplete": 1}


def run(p95, rate, rss, errors=0):
    phase = {
        "concurrency": 20,
        "p50_ms": p95 / 2,
        "p95_ms": p95,
        "messages_per_second": rate,
        "messages_per_diagnostic": 22.0,
        "rasa_cpu_ms_per_message": 10.0,
        "action_cpu_ms_per_message": 2.0,
        "load_generator_cpu_ms_per_message": 1.0,
        "wall_seconds": 10.0,
        "errors": errors,
        "error_kinds": {"timeout": errors} if errors else {},
        "sent": 100,
        "conversations": 20,
        "completed": 20 - errors,
        "recoveries": 0,
    }
    return {
        "startup_seconds": 5.0,
        "memory_at_ready": {"rss_mb": rss - 100, "peak_mb": rss - 100},
        "memory_after_load": {"rss_mb": rss, "peak_mb": rss + 50},
        "helper_memory_after_load": {"rss_mb": 200},
        "rasa_servers": 2,
        "setup": "two",
        "ready_path": "/ready",
        "phases": {"warmup": {"first_reply_ms": 30.0}, "c20": phase},
    }


def test_summaries_take_the_median_of_the_runs_and_sum_the_errors():
    summary = summarise([run(100, 50, 900), run(300, 40, 1000, errors=1), run(200, 60, 800)])
    phase = summary["phases"]["c20"]
    assert phase["p95_ms"] == 200 and phase["messages_per_second"] == 50
    assert phase["errors"] == 1 and phase["error_kinds"] == {"timeout": 1}
    assert phase["completed"] == 59
    assert phase["postgres_transactions_per_message"] is None  # measured with the topology only
    assert summary["rss_after_load_mb"] == 900 and summary["first_reply_ms"] == 30


def test_capacity_comes_from_the_cpu_per_message_of_the_busiest_load():
    phases = {
        "alone": {"concurrency": 1, "messages_per_second": 8, "rasa_cpu_ms_per_message": 70},
        "c20": {
            "concurrency": 20,
            "messages_per_second": 11.6,
            "rasa_cpu_ms_per_message": 100,
            "action_cpu_ms_per_message": 17.5,
        },
    }
    estimate = capacity_estimate(phases, rasa_servers=2, rss_mb=1600, seconds_between_messages=(25,), utilisation=0.7)
    assert estimate["basis"] == "c20"
    assert estimate["per_server_messages_per_second"] == 10  # one core: 1000 ms / 100 ms
    assert estimate["planned_messages_per_second"] == 7
    assert estimate["measured_messages_per_second_per_server"] == 5.8
    (scenario,) = estimate["scenarios"]
    assert scenario["messages_per_second"] == 400
    assert scenario["rasa_servers"] == 58  # 400 / 7 = 57.1
    assert scenario["rasa_memory_gb"] == pytest.approx(58 * 800 / 1024, abs=0.05)
    assert scenario["action_server_cores"] == 10.0  # 400 × 17.5 ms / 0.7
    # Without the topology, PostgreSQL and Redis operations per message are the assumed ones.
    assert scenario["postgres_transactions_per_second"] == 400 * TRACKER_OPERATIONS_PER_MESSAGE
    assert scenario["redis_commands_per_second"] == 400 * LOCK_OPERATIONS_PER_MESSAGE
    assert scenario["postgres_cores"] is None


def test_capacity_uses_the_measured_database_and_redis_figures_when_there_are_some():
    phases = {
        "c20": {
            "concurrency": 20,
            "rasa_cpu_ms_per_message": 50,
            "messages_per_second": 100,
            "postgres_transactions_per_message": 3.5,
            "redis_commands_per_message": 6.0,
            "postgres_cpu_ms_per_message": 1.4,
            "redis_cpu_ms_per_message": 0.35,
        }
    }
    (scenario,) = capacity_estimate(phases, seconds_between_messages=(20,), utilisation=1.0)["scenarios"]
    assert scenario["rasa_servers"] == 25
    assert scenario["postgres_transactions_per_second"] == 1750 and scenario["redis_commands_per_second"] == 3000
    assert scenario["postgres_cores"] == 0.7 and scenario["redis_cores"] == 0.2


def test_no_capacity_without_a_measured_load():
    assert capacity_estimate({})["scenarios"] == []


def test_services_per_message_counts_processes_that_started_during_the_load():
    before = {"postgres_transactions": 100, "redis_commands": 50, "postgres_cpu:1": 1.0, "redis_cpu:2": 0.5}
    after = {
        "postgres_transactions": 300,
        "redis_commands": 451,
        "postgres_cpu:1": 1.5,
        "postgres_cpu:3": 0.5,
        "redis_cpu:2": 0.6,
    }
    figures = services_per_message(before, after, answered=100)
    assert figures["postgres_transactions_per_message"] == 2
    assert figures["redis_commands_per_message"] == 4  # the INFO that read `before` left out
    assert figures["postgres_cpu_ms_per_message"] == pytest.approx(10)
    assert figures["redis_cpu_ms_per_message"] == pytest.approx(1)


def test_targets_compare_ours_with_vanilla_in_the_same_run():
    ours = summarise([run(800, 100, 1000)])
    ours["phases"]["alone"] = {"p95_ms": 40}
    vanilla = summarise([run(3000, 20, 3000)])
    rows = target_rows({"ours": ours, "vanilla": vanilla}, {"ours": {"training_seconds": 200}})
    verdicts = {row[0]: row[2] for row in rows}
    assert verdicts["One owner: p95 ≤ 100 ms"] == "yes"
    assert verdicts["20 owners: ≥ 2 × vanilla's messages/s (same run)"] == "yes"
    assert verdicts["Memory ≤ 1.2 GB per Rasa server (peak)"] == "yes"  # 1050 MB / 2 servers
    assert verdicts["Training ≤ 3 min"] == "**no**"
    assert "× 5.00" in rows[1][1]


def test_the_generated_part_replaces_only_its_own_markers(tmp_path):
    document = tmp_path / "performance.md"
    document.write_text(
        "# Title\n<!-- bench:start -->\nold\n<!-- bench:end -->\nhand\n<!-- single:start -->\nkept\n<!-- single:end -->\n"
    )
    write_doc(document, "<!-- bench:start -->\nnew\n<!-- bench:end -->")
    assert document.read_text() == (
        "# Title\n<!-- bench:start -->\nnew\n<!-- bench:end -->\nhand\n<!-- single:start -->\nkept\n<!-- single:end -->\n"
    )
    write_doc(document, "<!-- single:start -->\nsecond\n<!-- single:end -->", section="single")
    assert "second" in document.read_text() and "kept" not in document.read_text() and "new" in document.read_text()


def test_vanilla_with_fewer_epochs_keeps_rasas_default_components_and_policies():
    import yaml

    from scripts.benchmark import VANILLA_CONFIG, vanilla_config, vanilla_key

    assert vanilla_config() == VANILLA_CONFIG.read_bytes()
    config = yaml.safe_load(vanilla_config(5))
    assert config["language"] == "fr"
    names = [item["name"] for item in config["pipeline"] + config["policies"]]
    assert "DIETClassifier" in names and "TEDPolicy" in names and "ResponseSelector" in names
    assert {item["epochs"] for item in config["pipeline"] + config["policies"] if "epochs" in item} == {5}
    assert vanilla_key(5) != vanilla_key()  # cached apart
