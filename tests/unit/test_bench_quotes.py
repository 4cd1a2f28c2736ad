"""The benchmark report's memorisation columns: our rows from eval's reading, the report's sample, n-grams '—'."""

from __future__ import annotations

from bench.memorisation import NO_SAMPLE, report_sample
from bench.report import _quotes


def test_the_report_pipelines_one_take_is_read_against_the_corpus() -> None:
    corpus = "我在风里等你\n夜色慢慢变凉\n你说星光很远\n"
    report = {"gen_text": "PREFIX" + "我在风里等你\n夜色海浪唱着", "gen_chars": 13}
    m = report_sample(report, corpus)
    off = m["unlimited"]
    assert off["limit"] == 0 and off["takes"] == 1 and off["chars"] == 13 and off["longest_max"] == 9
    assert off["share"] == 2 / 6 and "limited" not in m  # two of its six 8-windows; it has no quote limit
    assert _quotes({"memorisation": m}) == ["— (no quote limit)", "33.3%, longest 9"]
    assert report_sample({"gen_chars_per_s": 1.0}, corpus) == {"unmeasured": NO_SAMPLE}


def test_our_rows_show_both_readings_and_the_rest_a_dash() -> None:
    reading = {"takes": 8, "chars": 1600, "longest_mean": 7.5}
    m = {"limited": reading | {"limit": 8, "share": 0.019, "longest_max": 8},
         "unlimited": reading | {"limit": 0, "share": 0.119, "longest_max": 26}}  # fmt: skip
    assert _quotes({"memorisation": m}) == ["1.9%, longest 8 (limit 8)", "11.9%, longest 26"]
    assert _quotes(None) == _quotes({}) == _quotes({"memorisation": {"unmeasured": NO_SAMPLE}}) == ["—", "—"]
