"""The held-out split moves 20 % of a new data file once, and never again."""

from tests.helpers import load_script


def test_a_file_is_split_once(tmp_path, monkeypatch):
    split = load_script("split_holdout")
    monkeypatch.setattr(split, "HOLDOUT", tmp_path / "holdout")
    data = tmp_path / "round9.yml"
    data.write_text(
        'version: "3.1"\nnlu:\n- intent: greet\n  examples: |\n'
        + "".join(f"    - bonjour numero {n}\n" for n in range(10)),
        encoding="utf-8",
    )
    assert split.split_file(data) == 2
    assert data.read_text(encoding="utf-8").count("    - ") == 8
    assert (tmp_path / "holdout" / "round9.yml").read_text(encoding="utf-8").count("    - ") == 2
    assert split.split_file(data) == 0
    assert data.read_text(encoding="utf-8").count("    - ") == 8
