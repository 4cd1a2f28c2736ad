"""`generate` with the lyric controls: flags map onto SampleConfig, JSON carries lines, rhyme and the meter."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import drop_mixture
from tui_lyrics.cli import build_parser, main
from tui_lyrics.commands.generate import sample_config
from tui_lyrics.rhyme import class_of
from tui_lyrics.sample_config import SampleConfig
from tui_lyrics.sample_defaults import QUOTE_LIMIT, RECOMMENDED_CONTROLS
from tui_lyrics.store import ModelStore


def generate(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["generate", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_each_flag_sets_its_field() -> None:
    args = build_parser().parse_args(
        ["generate", "m", "--line-chars", "7", "--line-tolerance", "1", "--verse-lines", "4", "--rhyme", "jiangyang",
         "--repetition-penalty", "1.5", "--repetition-window", "20", "--no-repeat-ngram", "5", "--loop-repeats", "2",
         "--lines", "8"]
    )  # fmt: skip
    config = sample_config(args, seed=1)
    assert (config.line_chars, config.line_tolerance, config.verse_lines, config.rhyme) == (7, 1, 4, "江阳")
    assert (config.repetition_penalty, config.repetition_window, config.no_repeat_ngram, config.loop_repeats) == (
        1.5, 20, 5, 2,
    )  # fmt: skip
    assert config.length == 200  # 8 lines of at most 8 characters fit in the default
    assert (
        config.song_memory
        and not sample_config(build_parser().parse_args(["generate", "m", "--song-memory", "off"]), 1).song_memory
    )


def test_repetition_controls_are_on_by_default_and_the_shape_sets_the_length() -> None:
    config = sample_config(build_parser().parse_args(["generate", "m", "--lines", "30", "--line-chars", "12"]), 1)
    assert {k: getattr(config, k) for k in RECOMMENDED_CONTROLS} == RECOMMENDED_CONTROLS
    assert config.length == config.shape_chars == 30 * 15 > 200
    explicit = sample_config(build_parser().parse_args(["generate", "m", "--length", "50", "--lines", "30"]), 1)
    assert explicit.length == 50
    assert SampleConfig().repetition_penalty == 1.0  # the engine's own default stays plain sampling


def test_generate_json_has_lines_rhyme_and_the_meter(tiny_model: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = generate(
        capsys, tiny_model, "--json", "--seed", "3", "--lines", "4", "--line-chars", "6", "--line-tolerance", "1",
        "--verse-lines", "2", "--rhyme", "江阳",
    )  # fmt: skip
    assert code == 0
    take = json.loads(out)
    assert take["settings"]["rhyme"] == "江阳" and take["settings"]["line_chars"] == 6
    verses = take["text"].rstrip("\n").split("\n\n")
    assert [len(v.split("\n")) for v in verses] == [2, 2]
    assert [line["rhyme"] for line in take["lines"]] == ["江阳"] * 4
    assert all(5 <= line["chars"] <= 7 and class_of(line["text"][-1]) == "江阳" for line in take["lines"])
    meter = take["memorisation"]
    assert 1 <= meter["longest"] <= len(take["text"]) and meter["longest_text"] in take["text"]
    assert 0.0 <= meter["window_share"] <= 1.0 and meter["windows"] == len(take["text"]) - 7
    assert take["mean_logprob"] < 0


def test_plain_output_notes_the_meter_and_rhymes(tiny_model: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = generate(capsys, tiny_model, "--seed", "1", "--lines", "3", "--rhyme", "follow")
    assert code == 0 and len([x for x in out.split("\n") if x]) == 3
    assert "shared with the corpus" in err
    classes = err.split("rhyme per line: ")[1].split("\n")[0].split()
    assert len(classes) == 3 and len(set(classes)) == 1


def test_bad_rhyme_settings_are_one_clear_line(tiny_model: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = generate(capsys, tiny_model, "--rhyme", "rhymey", "--seed", "1")
    assert code == 1 and "rhyme must be off, follow or a 十三辙 class" in err and "Traceback" not in err
    code, _, err = generate(capsys, tiny_model, "--rhyme", "发花", "--seed", "1", "--json")
    assert code == 1 and "no character of this model's vocabulary is in the rhyme class 发花" in err


def test_help_says_rhyme_is_for_chinese_only(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["generate", "--help"])
    assert "Chinese only" in " ".join(capsys.readouterr().out.split())


def test_a_model_without_a_corpus_copy_has_no_meter(
    tiny_model: str, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = ModelStore(home)
    drop_mixture(store.path(tiny_model))
    (home / "models" / tiny_model / "corpus.txt.gz").unlink()
    code, out, _ = generate(capsys, tiny_model, "--json", "--seed", "1", "--length", "20")
    assert code == 0 and json.loads(out)["memorisation"] is None


def test_a_mixture_without_its_corpus_copy_is_a_clear_error(
    tiny_model: str, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (home / "models" / tiny_model / "corpus.txt.gz").unlink()
    code, _, err = generate(capsys, tiny_model, "--seed", "1", "--length", "20")
    assert code != 0 and "lost its corpus copy" in err and "Traceback" not in err


def test_the_quote_limit_is_on_by_default_and_can_be_switched_off(capsys: pytest.CaptureFixture[str]) -> None:
    def parsed(*flags: str) -> SampleConfig:
        return sample_config(build_parser().parse_args(["generate", "m", *flags]), 1)

    assert parsed().quote_limit == QUOTE_LIMIT > 0
    assert parsed("--quote-limit", "8").quote_limit == 8
    assert parsed("--quote-limit", "off").quote_limit == parsed("--quote-limit", "0").quote_limit == 0
    assert SampleConfig().quote_limit == 0  # the engine's own default stays plain sampling
    with pytest.raises(SystemExit):
        build_parser().parse_args(["generate", "m", "--quote-limit", "many"])
    assert "--quote-limit: expected a number of characters or off" in capsys.readouterr().err


def test_generate_json_reports_the_quote_limit(tiny_model: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = generate(capsys, tiny_model, "--json", "--seed", "2", "--length", "150", "--quote-limit", "3")
    take = json.loads(out)
    assert code == 0 and take["settings"]["quote_limit"] == 3 and take["quote_limit"]["limit"] == 3
    assert take["quote_limit"]["checked"] is True
    assert take["quote_limit"]["acted"] > 0 and take["memorisation"]["longest"] <= 3
    code, out, err = generate(capsys, tiny_model, "--seed", "2", "--length", "30")
    assert code == 0 and f"(quote limit {QUOTE_LIMIT};" in err
    code, out, _ = generate(capsys, tiny_model, "--json", "--seed", "2", "--length", "30", "--quote-limit", "off")
    assert json.loads(out)["quote_limit"] == {"limit": 0, "checked": False, "acted": 0, "lifted": 0}


def test_without_a_corpus_index_generate_says_the_limit_was_not_applied(
    tiny_model: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import tui_lyrics.core.sample
    import tui_lyrics.memorise

    for module in (tui_lyrics.core.sample, tui_lyrics.memorise):  # as for a model without a corpus copy
        monkeypatch.setattr(module, "corpus_index", lambda folder: None)
    code, _, err = generate(capsys, tiny_model, "--seed", "2", "--length", "20")
    assert code == 0 and "no corpus copy: the quote limit could not be applied" in err
    code, out, _ = generate(capsys, tiny_model, "--json", "--seed", "2", "--length", "20")
    assert json.loads(out)["quote_limit"] == {"limit": QUOTE_LIMIT, "checked": False, "acted": 0, "lifted": 0}
