"""BENCHMARKS.md from one run's results: every figure in a table, with its command and target."""

from __future__ import annotations

import math
from typing import Any

from bench.findings import FINDINGS

TARGETS = {"jaychou": 4.85, "shakespeare": 1.45}  # issue 12's static targets (the first round's: 5.00, 1.55)
SONG_TARGETS = {"jaychou": 3.20, "shakespeare": 1.38}  # and with song memory


def write_markdown(r: dict[str, Any]) -> str:
    m = r["machine"]
    out = [
        "# Benchmarks",
        "",
        f"One run of `{r['command']}` at commit `{r['commit']}`, {m['date']}"
        + (" (**--quick**: small budgets, for checking the suite only)" if r["quick"] else "") + ".",
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB; Python {m['python']}, "
        f"torch {m['torch']} (CPU); {r['threads']} torch threads for every program. "
        f"Whole run: {r['seconds'] / 60:.0f} min.",
        "",
        "Every reference program ran in this same run, one after another, with the same threads. "
        "Raw figures: `bench/BENCHMARKS.json`.",
        "",
    ]  # fmt: skip
    if r.get("note"):  # sections merged from more than one run, or a run on a busy machine: say so
        out += [r["note"], ""]
    notes = r.get("notes", {})  # a later rerun of one row or section, said where it belongs
    for name, section in (
        ("quality", _quality), ("speed", _speed), ("generation", _generation), ("startup", _startup),
        ("stall", _stall), ("memory", _memory), ("scale", _scale),
    ):  # fmt: skip
        if name in r:
            data = r[name] if name != "memory" else {**r[name], **r.get("startup", {})}
            part = _quality(data, notes) if name == "quality" else section(data)
            if name in notes:  # after the section's heading and blank line
                part[2:2] = [notes[name], ""]
            out += [*part, ""]
    out += [FINDINGS.strip(), ""]
    return "\n".join(out)


def _table(headers: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    return lines + ["| " + " | ".join(row) + " |" for row in rows]


def _nats(loss: float) -> str:
    return f"{loss:.4f} ({math.exp(loss):,.1f})"


def _readings(row: dict[str, Any]) -> list[str]:
    """A row's static and song-memory figures, side by side."""
    return [_nats(row["loss"]), _nats(row["song_loss"]) if row.get("song_loss") is not None else "—"]


def _quotes(row: dict[str, Any] | None) -> list[str]:
    """The memorisation meter's two readings (``bench/memorisation.py``): with the default quote limit, and off."""
    m = (row or {}).get("memorisation")
    if not m or "unlimited" not in m:
        return ["—", "—"]

    def cell(r: dict[str, Any]) -> str:
        return f"{r['share']:.1%}, longest {r['longest_max']}" + (f" (limit {r['limit']})" if r["limit"] else "")

    return [cell(m["limited"]) if m.get("limited") else "— (no quote limit)", cell(m["unlimited"])]


QUOTES_NOTE = (
    "Quotes the corpus: the memorisation meter (`bench/memorisation.py`, what `lyrics-tui eval` reports): the "
    "share of 8-character windows of 8 seeded 200-character takes (`generate`'s defaults, no prompt) found in "
    "the corpus (training and held-out text), and the longest stretch a take shares with it (the most over the "
    "takes), with the quote limit the app uses by default (8 for Chinese, 16 for alphabetic text) and with the "
    "limit off. The n-grams are scored only here, nothing is drawn from them: —. The report's pipeline has no "
    "quote limit; its one 500-character take (`--gen-chars`, seed 0) is read by the same meter against the same "
    "text{report}."
)


def _met(ok: bool) -> str:
    return "met" if ok else "**not met**"


def _quality(q: dict[str, Any], notes: dict[str, str] | None = None) -> list[str]:
    notes = notes or {}
    out = [
        "## 1. Quality per minute (headline)",
        "",
        "Held-out cross-entropy in nats/char (perplexity) on the canonical split of `../shared/corpora/README.md`, "
        "after the same training time on the same threads. Ours: the model as saved, scored by `lyrics-tui eval` "
        "as a proper distribution over every training character plus one `<unk>` (a character trained as `<unk>` "
        "gets its share of it by training count); the network mixed with its Kneser-Ney n-gram (the order chosen "
        "on a slice of the training text), fitted on the training text only, with the weight chosen at each "
        "held-out evaluation, as early stopping chooses the "
        "checkpoint. Context: up to 16 contiguous chunks with carried state, each warmed up on the 256 characters "
        "before it (train text for the first). The report's pipeline: one stream with carried state "
        "(`ce_stream`). The n-grams: one stream. Two readings side by side, never one for the other: static "
        "(each character given the training text and the held-out text before it) and with song memory (the "
        "n-gram also counts the held-out text it has read, discounts fixed as fitted on the training text, as "
        "`ngram_baseline.py --dynamic` does; the mixture's weight then depends on how long the recent text's "
        "match with the text read so far is, one weight per match length, chosen on the held-out text like the "
        "static weight). The network alone has no song memory of its own beyond its recurrent state.",
        "",
    ]
    for key, rows in q.items():
        target = TARGETS[key]
        table = [
            ["Kneser-Ney 5-gram (`ngram_baseline.py`), no training", *_readings(rows["ngram"]), *_quotes(None),
             "—", "—"],
        ]  # fmt: skip
        if "ngram7" in rows:
            table.append(["Kneser-Ney 7-gram (`ngram_baseline.py`), no training", *_readings(rows["ngram7"]),
                          *_quotes(None), "—", "—"])  # fmt: skip
        chosen = rows.get("our_ngram_chosen", {}).get("order")
        for name, label in (
            ("our_ngram", "5-gram"),
            ("our_ngram7", "7-gram"),
            ("our_ngram_chosen", f"{chosen}-gram (the order it chooses on a slice of the training text)"),
        ):
            if name in rows:
                table.append([f"lyrics-tui's own {label} alone", *_readings(rows[name]), *_quotes(None), "—", "—"])
        table.append([
            f"report's pipeline, GRU 2×512, embedding ({rows['report']['params']:,} params)",
            _nats(rows["report"]["loss"]), "—", *_quotes(rows["report"]), f"{rows['report']['chars_per_s']:,.0f}", "—",
        ])  # fmt: skip
        auto_label = "lyrics-tui, the settings it picks (auto" + (")" if "best" in rows else ", also the best found)")
        for label, run in (("auto", auto_label), ("best", "lyrics-tui, best settings")):
            if label in rows:
                o = rows[label]
                model = o["model"]
                what = f"{model['cell'].upper()} {model['layers']}×{model['hidden']}, dropout {model['dropout']}"
                order = o.get("ngram_order") or 5
                table.append([
                    f"{run}: {what} ({o['params']:,} params) {_joined(model)} {order}-gram, weight {o['weight']}",
                    f"**{_nats(o['loss'])}**", _nats(o["song_loss"]) if o.get("song_loss") else "—", *_quotes(o),
                    f"{o['chars_per_s']:,.0f}", _nats(o["network_loss"]),
                ])  # fmt: skip
        best = min(rows[k]["loss"] for k in ("auto", "best") if k in rows)
        title = "Jay Chou" if key == "jaychou" else "Tiny Shakespeare"
        out += [f"### {title}", ""]
        quotes = ["quotes the corpus: 8-windows, longest (default limit)", "with the limit off"]
        out += _table(
            ["model", "held-out nats/char (ppl), static", "with song memory", *quotes, "train chars/s",
             "the network alone"],
            table,
        )  # fmt: skip
        kept = "unmeasured" not in rows["report"].get("memorisation", {"unmeasured": ""})
        out += [
            "",
            QUOTES_NOTE.format(report="" if kept else " (this run kept no sample of it: —)"),
            "",
            f"Target ≤ {target:.2f}: {_met(best <= target)} (best {best:.4f}). "
            f"Below the reference 5-gram: {_met(best < rows['ngram']['loss'])}.",
            *_song_target(key, rows),
            "",
            *([notes[key], ""] if key in notes else []),
            "Commands: " + "; ".join(f"`{c}`" for c in _commands(rows)),
            "",
        ]
    return out


def _song_target(key: str, rows: dict[str, Any]) -> list[str]:
    songs = [rows[k]["song_loss"] for k in ("auto", "best") if k in rows and rows[k].get("song_loss")]
    if not songs:
        return []
    target = SONG_TARGETS[key]
    return [f"With song memory, target ≤ {target:.2f}: {_met(min(songs) <= target)} (best {min(songs):.4f})."]


def _commands(rows: dict[str, Any]) -> list[str]:
    found = [rows[k]["command"] for k in ("ngram", "ngram7", "report") if k in rows]
    for label in ("auto", "best"):
        if label in rows:
            found += rows[label]["commands"]
    return found


def _speed(s: dict[str, Any]) -> list[str]:
    rows = []
    for feature, label in (("onehot", "one-hot input"), ("embed", "embedding of width V")):
        x = s[feature]
        target = "≥ 1.5×" if feature == "onehot" else "~1.4× is the matmul limit"
        rows.append([
            f"GRU 2×512, batch 128, {label}", f"{x['report_median']:,.0f}", f"{x['engine_median']:,.0f}",
            f"**{x['ratio']:.2f}×**", target,
        ])  # fmt: skip
    out = [
        "## 2. Training speed",
        "",
        "Characters/s, median of repeated runs alternating the two programs (each run after a warm-up; "
        "the report's script times its steps, ours reads its progress events).",
    ]
    out += ["", *_table(["architecture", "report's pipeline", "lyrics-tui", "ratio", "target"], rows)]
    runs = [f"{f}: report {_list(s[f]['report'])}, ours {_list(s[f]['engine'])}" for f in ("onehot", "embed")]
    out += ["", "Runs: " + "; ".join(runs)]
    out += ["", "Commands: " + "; ".join(f"`{c}`" for f in ("onehot", "embed") for c in s[f]["commands"])]
    return out


def _list(values: list[float]) -> str:
    return ", ".join(f"{v:,.0f}" for v in values)


def _generation_model(x: dict[str, Any], ngram: str) -> str:
    """What was sampled: the network alone or with its n-gram, and what the app adds on top (song memory, quotes)."""
    name = f"with {x.get('order', 5)}-gram" if ngram != "0" else "network alone"
    extras = (["song memory"] if x.get("song_memory") and ngram != "0" else []) + (
        [f"quote limit {x['quote_limit']}"] if x.get("quote_limit") else []
    )
    extras += ["repetition controls"] if x.get("controls") else []
    return name + (" + " + " + ".join(extras) if extras else "")


def _generation(g: dict[str, Any]) -> list[str]:
    rows = []
    for key, x in g.items():
        cell, ngram = key.split("-")
        alone, ratio = x.get("mixture_alone_chars_per_s"), x.get("ratio_to_mixture_alone")
        rows.append([
            cell.upper(), _generation_model(x, ngram), f"{x['params']:,}",
            f"{x['first_ms']:.1f}", f"{x['cold_first_ms']:.1f}", f"{x['chars_per_s']:,.0f}",
            "—" if alone is None else f"{alone:,.0f}", "—" if ratio is None else f"{ratio:.2f}",
        ])  # fmt: skip
    ok = all(x["chars_per_s"] >= 2000 and x["first_ms"] <= 20 for x in g.values())
    out = [
        "## 3. Generation",
        "",
        "Batch 1, CPU, top-k 5, prefix 我睁开双眼, 500 characters a take, the default Jay Chou size; medians of 5 "
        "takes after one warm-up take (whose first character is shown as cold).",
        "",
    ]
    headers = ["cell", "model", "params", "first char ms", "cold first char ms", "chars/s"]
    alone = "chars/s of the same take without song memory and controls (same load)"
    out += _table([*headers, alone, "ratio"], rows)
    out += ["", f"Target ≥ 2,000 chars/s and ≤ 20 ms for every cell: {_met(ok)}."]
    out += ["", "Commands: " + "; ".join(f"`{x['command']}`" for x in g.values())]
    return out


def _startup(s: dict[str, Any]) -> list[str]:
    if "skipped" in s:
        return ["## 4. Start-up", "", f"Skipped: {s['skipped']}."]
    frames = ", ".join(f"{v:.2f}" for v in s["first_frame_s"])
    return [
        "## 4. Start-up",
        "",
        "From launching `lyrics-tui` in tmux (100×30) to its title on screen: "
        f"median **{s['first_frame_median_s']:.2f} s** ({frames}). `python -c \"import torch\"` in the same run: "
        f"median {s['import_torch_median_s']:.2f} s. "
        f"Target ≤ 1.0 s: {_met(s['first_frame_median_s'] <= 1.0)}.",
    ]  # fmt: skip


def _stall(s: dict[str, Any]) -> list[str]:
    return [
        "## 5. UI responsiveness while training",
        "",
        f"The app (headless `run_test`, 100×30) trains the default Jay Chou model in its worker with the training "
        f"screen shown; a 10 ms timer on the event loop records how late each tick fires: {s['ticks']:,} ticks over "
        f"{s['steps']} training steps. Lateness p50 {s['p50_ms']:.1f} ms, **p99 {s['p99_ms']:.1f} ms**, "
        f"worst {s['max_ms']:.1f} ms. Target p99 ≤ 50 ms: {_met(s['p99_ms'] <= 50)}.",
    ]  # fmt: skip


def _memory(s: dict[str, Any]) -> list[str]:
    return [
        "## 6. Memory",
        "",
        f"Peak resident memory of `{s['command'].split(' --home')[0]}`: **{s['peak_rss_mb']:.0f} MB** "
        f"(target ≤ 600 MB: {_met(s['peak_rss_mb'] <= 600)}). The idle app in tmux, 8 s after start "
        f"(torch loaded in the background): {s.get('idle_app_rss_mb', float('nan')):.0f} MB resident.",
    ]  # fmt: skip


def _scale(rows: list[dict[str, Any]]) -> list[str]:
    table = [
        [f"{x['mb']} MB", f"{x['chars']:,}", f"{x['load_s']:.2f}", f"{x['encode_s']:.2f}", f"{x['total_s']:.2f}",
         f"{x['peak_mb']:.0f}", f"{x['bytes_per_char']:.1f}"]
        for x in rows
    ]  # fmt: skip
    out = ["## 7. Scale", "", "Load + normalise (`load_corpus`) and vocabulary + encode, the two corpora repeated "
           "to each size; peak memory above the process's own before loading."]  # fmt: skip
    out += ["", *_table(["text", "chars", "load s", "encode s", "total s", "peak MB", "bytes/char"], table)]
    per_char = [x["total_s"] / x["chars"] * 1e9 for x in rows]
    out += ["", "Time per character (ns): " + ", ".join(f"{v:.0f}" for v in per_char) + "."]
    return out


def _joined(model: dict[str, Any]) -> str:
    """How the network meets the n-gram in a row's label (cards before ``combine`` are the interpolation)."""
    return "trained to complement its" if model.get("combine") == "product" else "+"
