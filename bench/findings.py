"""The hand-written part of BENCHMARKS.md: what was tried, and what limits the targets not met.

Figures here come from exploration runs on the same machine (named as such), not from the run
the tables above record.
"""

FINDINGS = """
## 8. GPU

No GPU was lent to the session that made this run, so there are no GPU rows. `bench/gpu.py` is
the prepared script (a few minutes on a GPU): characters/s for the report's architecture and the
default model with bf16 autocast on and off, and the time the default model takes on the GPU to
reach the held-out loss the CPU reached in 5 minutes (read from this file's JSON). It writes
`bench/GPU.md`; `python bench/gpu.py --device cpu --quick` checks it anywhere.

## Song memory (issue 12; exploration runs, named as such)

The n-gram alone, exact (no training, canonical split), static / with song memory (the n-gram
counts the held-out text as it reads it, discounts fixed as fitted; `ngram_baseline.py
--dynamic` reads the same to 1e-9):

| | order 5 | order 7 | chosen order |
|---|---|---|---|
| Jay Chou | 5.2308 / 3.3671 | 5.2216 / 3.3453 | 7 (5.2216 / 3.3453) |
| Tiny Shakespeare | 1.5612 / 1.4581 | 1.5165 / 1.4069 | 7 (1.5165 / 1.4069) |

The order is chosen among 3–9 on the last 10% of the training text (fit on the rest; the lowest
order within 2e-4 nats of the best). On the slice Jay Chou's 7, 8 and 9 are within 1e-4.

The mixture with song memory, one 5-minute Jay Chou model (1 thread on a shared machine, 587
steps, network alone 5.751; 5-gram as its card says; figures in nats/char):

| how the song memory is mixed | with song memory |
|---|---|
| one fixed weight for the network (the issue's probe: 3.343 with a better network) | 3.367 (weight 0.05) |
| the network's share per match bucket (trailing characters the song had before: 1, 2, 3, 4, 6 … 32) | 3.332 |
| per bucket, the network, the counting n-gram and the song's own 9-gram (counts of the song only) | **3.102** |
| the same, each half's weights chosen on the other half | 3.110 (mean of the halves) |

Its static reading is 5.045. A second 5-minute run with the order chosen by itself (7; 347
steps on 1 thread of a machine shared with three other jobs, network alone 5.854): static 5.0845,
with song memory 3.1335, as `lyrics-tui eval` and the card both read it. Tiny Shakespeare under
the same load reached only 57 steps in 5 minutes (network alone 2.60, weight 0), so its card reads
the n-grams alone: static 1.5165 (order 7 chosen), with song memory 1.3874 (the counting 7-gram
1.4069 alone; the song's own 9-gram joins it from matches of 3 characters on). The demo model
(`demo-zh`, 1,531 held-out characters): static 4.790, with song memory 3.961 (3.973 with each
half's weights from the other half). Dynamic evaluation of the network (Krause et al. 2018) was
not built: the target is met without it, and it costs a backward pass per 32 characters read.

**Opening a model at 10 MB** (Tiny Shakespeare 9 times over, the tiny preset, 2 steps; the
machine's load average 7–9 while measuring): the n-gram (order 9 chosen, 2.3 M grams) is read from
`ngram.safetensors` in 1.5 s at worst where refitting it from the corpus copy took 238 s. In the
engine, from `import torch` (3.8–4.5 s here) to the first character: `load_model` 0.46–0.62 s and
the first character 0.01 s. `lyrics-tui generate --length 1` took 8.3–8.9 s against 5.5 s for
`import torch` alone in that first measurement: the rest was the memorisation meter's corpus index
(0.9–1.4 s, most of it turning the stored suffix array into a Python list) and, after the take,
the rhyme dictionary's import. Since 2026-12-02 04:00 the suffix array stays the numpy array it is
stored as (opening the index: 0.06–0.07 s of CPU at this size against 0.35–0.46 s with the list,
in-process, side by side), and `generate` imports the rhyme dictionary only where rhymes are shown
(`--json`, or rhyme on). From launch to the first character in a pty (`python bench/generation.py
--open HOME big`, and the code before these two changes in the same rounds; 3 rounds, load
average 5.4–5.9, `import torch` timed to a line printed after it: 1.15–1.43 s): `generate
--length 1` 1.53–2.09 s, median 0.43 s after `import torch`, against 1.87–2.47 s (median 0.93 s)
before; the whole command 2.0–3.1 s against 2.5–3.6 s. Target (`import torch` + 2 s): met. The
0.4 s is the engine's imports after torch (0.06 s), `load_model` (0.17 s: weights, card, the
stored n-gram), the corpus index (0.07 s) and the CLI's own modules (about 0.25 s of imports): all
of it reads stored arrays, so it grows linearly with the corpus. The model was the tiny preset
(87 k parameters); the default preset's 38 MB of weights add their read. Measured on 2026-12-02
with the preset the app picks for this corpus (large: GRU 3 × 768, 9.52 M parameters, a 38 MB
`best.safetensors`; 2 steps; the same command, 3 rounds, under `nice -n 10` at load average
1.6–1.8): `import torch` 1.50–2.25 s, `generate --length 1` 2.14–3.30 s to its first character,
median 1.05 s after `import torch` (0.49–1.65 s), the whole command 2.8–4.1 s, so the target holds;
in-process `load_model` took 0.59 s, of it the stored n-gram 0.34 s (0.26 s re-smoothing its
arrays), the weights' read 0.11 s and building the network 0.07 s. The first `generate`
after training took 170 s: it built that index
(`corpus.index.safetensors`). A run that finishes (its budget spent, or early stopping) now builds
and stores it before it exits, so the first take reads it: the build by prefix doubling took 51 s
of CPU (109 s wall at load 6.8) at this size, where 9 repeats keep every suffix tied until the
doubling reaches the repeat's length (a packed first key and an unstable sort were tried: 57 s, no
gain). A stopped run leaves it to the first take. Training itself spends its
start on the n-gram: choosing the order (a fit of orders 3–9 on at most 2 M characters), fitting
the chosen order on 9 M characters and reading the 1 M held-out characters with song memory
(pure Python, about 10–40 µs a character): 706 s in all for this 2-step run under that load.

**Generating with everything on** (2026-12-02, 03:30–04:35 UTC; what the app and `generate` turn
on by default: song memory, the quote limit for the model's script (8 for Jay Chou) and the
recommended repetition controls, with the n-gram's order chosen (7 for Jay Chou)). A profile with
a CPU clock (cProfile, GRU, 2,000 characters) put about a third of a character's CPU in the
network step, a quarter in the song memory (its two distributions and its counting), a fifth in
the lyric controls (the loop detector alone 13% before the change below) and the rest in the
mixing and the draw. Changed, each checked to give the same takes (`tests/core/test_sample.py`
replays a seeded take against the plain pipeline recomputed per character; the scorer test checks
the song memory to 1e-12): (1) single steps run on one thread: a batch-1 step is a few
matrix-vector products, and on busy cores a two-thread team took 0.46–6.1 ms a step against
0.19–0.48 ms on one (back to back, load 2.5–5; the setting is the calling thread's own, so a
training thread beside it keeps its threads); (2) the song memory sums its orders in one scatter
from the top order down instead of an array pass per order, and keeps each context's gains as
arrays until its next count, scaling all the sparse parts in one pass (its distribution 41 → 14 µs,
the song's own n-gram 32 → 12 µs, old and new code in one process, load 4), and keeps its
training-table lookups per (context, character) for the take; (3) a song-memory share of exactly 0
skips that distribution (the Jay Chou cards give the song's own n-gram the whole n-gram side from a
6-character match on);
(4) the one-sample draw is `torch.multinomial`'s own exponential trick without its per-call
checks (12–16 µs → about 5 µs, the same draws: tested); (5) the loop detector checks only the
periods whose first comparison holds (the same answers on 20,000 random texts). The old and the
new code side by side (this session's files before the changes against after, both processes at
once on the same models, 3 takes of 500 characters after a warm-up, CPU chars/s, three rounds at
load 5–10; the newer code also carries other sessions' new line rules): with the app's defaults GRU
×1.05–1.22, LSTM ×1.01–1.08, RNN ×1.12–1.19; with song memory and the quote limit of 12 only (the
last session's rows) GRU ×1.05–1.15, LSTM ×1.17–1.23, RNN ×1.14–1.51; the mixture alone
×1.0–1.34. Under that load the wall clock gains less than the
first step measurements promised, because every process waits for a core anyway.

Through `lyrics-tui generate` to a pty (`python bench/generation.py --cli --cell gru --chars
1000`: each take in a fresh process, alternating with the engine's take in a fresh process, same
model and settings, 3 takes after a warm-up): at load 5.3 (04:33 UTC) the CLI streamed 286–449
chars/s against the engine's 303–414, median ratio **0.95** on the wall clock, 0.98 in CPU per
character (the command's CPU less the same command's for one character, against the engine's CPU
over its take: 691 against 702 chars/s). Target (≥ 80% of the engine): met. An earlier run at load
7.9–9.9 swung from 55 to 373 chars/s from take to take (wall ratio 0.66, CPU ratio 0.95): under
that load the wall clock measures the scheduler. The CLI adds one write and flush per character;
its report after the take no longer imports the rhyme dictionary unless rhymes are shown.

## What was tried (exploration runs, Jay Chou, 5 minutes)

Held-out nats/char on the canonical split; "mixture" is the network mixed with the 5-gram at the
best grid weight. Runs marked 1 thread shared the 2 cores with another run.

| what | network alone | mixture |
|---|---|---|
| the old auto preset, GRU 2×256, batch 32 × 128, dropout 0.3 (1 thread) | 5.573 | 5.047 |
| GRU 1×512, embedding 256, dropout 0.5, batch 16 × 64 (1 thread) | 5.555 | 5.031 (overfits: train loss 2.3) |
| GRU 2×256, dropout 0.5, batch 16 × 64 (1 thread) | 5.682 | 5.015 |
| GRU 2×256, dropout 0.5, batch 8 × 64 (1 thread) | 5.723 | 4.995 |
| the same on 2 threads: the new small preset | 5.785 | **4.984** |
| parameter averaging (EMA 0.99, 0.995, 0.998) of the old preset | 5.777–6.23 | 5.100–5.185 (no gain) |
| the mean of two 5-minute networks (old preset and 1×512) | 5.359 | 5.012 (against 5.047 and 5.048 alone) |
| a weight per longest matched n-gram order (fitted on half the held-out, scored on the other) | — | 5.10: not used |
| the small preset at 1 thread, beside the next row at the same time (2026-12-02, 3,072 steps, best at 2,300) | 5.738 | 4.983 (7-gram) |
| the same with the softmax's weights tied to the embedding (a 256→128 projection; 3,417 steps, best at 3,200) | 5.646 | 4.978 |
| the mean of those two networks: an ensemble whose members train on one core each | 5.504 | 4.953 |
| the mixture of the first with the 7-gram and a 2-, 3- or 4-gram (three weights, on the held-out text) | — | 4.983 (the extra n-gram gets weight 0) |

Tiny Shakespeare, the medium preset (GRU 2×512, embedding 192, dropout 0.2, batch 32 × 128) on
2 threads, scoring time not counted: network 1.593, mixture 1.510.

- **The n-gram is the biggest lever on a small corpus.** After 5 minutes every network alone is
  at 5.55–5.8 on Jay Chou, worse than the 5-gram's 5.23, but the two are wrong in different
  places and the mixture gains 0.25–0.3 nats over the 5-gram. The network that helps the mixture
  most is not the best network alone: small noisy updates (batch 8 × 64) and dropout 0.5 give a
  worse network (5.79) and the best mixture (4.98).
- **Our 5-gram and the reference's agree: 5.2308 on Jay Chou, 1.5612 on Tiny Shakespeare.** The
  first run's reference scored 5.305 / 1.614 because it counted every count of 4 or more as n4
  in the discount formula (Chen and Goodman's n4 is the number of counts equal to 4); the
  reference is fixed, and our code reproduces it to 1e-9, static and with `--dynamic`
  (`tests/unit/test_ngram.py`, `tests/unit/test_song_memory.py`).
- **Choosing the weight on held-out text.** The weight is picked from 21 values at each held-out
  score, as early stopping picks the checkpoint (allowed by the issue). On Jay Chou the curve is
  flat near its minimum (5.031 at 0.4, 5.038 at 0.5 for one network), so the choice is worth
  less than 0.01 nats.
- **An ensemble would help more** (two networks: 5.047 → 5.012) but halves each network's
  steps on 2 cores; not built.

### Training the network to complement the n-gram (2026-12-02, step-matched)

Minutes-budgets were useless here (four other helpers shared the 2 cores; load average 5–10), so
the variants trained the **same steps with the same seed**, at the same time, one thread each:
Jay Chou, the small preset (GRU 2×256, dropout 0.5, batch 8 × 64), 2,524 steps (what the 5-minute
default reached in the 2026-12-02 headline run), the 7-gram chosen per corpus, held-out scored
every 100 steps, the best checkpoint's reading shown (weights chosen on the held-out text, as for
every mixture row). Reproduce with `python -m bench.complement --corpus jaychou --steps 2524`.
Every training position's n-gram probabilities are **cross-fitted**: the training text is cut into
10 contiguous folds and each fold is scored by a 7-gram fitted on the other nine (on the text it
was fitted on the n-gram scores 5.00 nats/char folded to the network's ids, held-out-like, instead
of the far too confident in-sample figure); at evaluation the 7-gram fitted on all of the
training text is used, as for the mixture.

| how the network meets the 7-gram | static | song memory | best step | network alone |
|---|---|---|---|---|
| trained alone, interpolated (the default, `--combine mix`) | **4.9755** | **3.0947** | 2300 | 5.706 |
| product of experts, `softmax(logits + log p_ngram)` in the loss and at scoring, then interpolated with the 7-gram (`--combine product`) | 5.1510 | 3.1080 | 1400 (stopped early at 2400) | 7.46 (a residual, not a model) |
| trained through the interpolation, loss `−log(0.5·p_net + 0.5·p_ngram)` (code not kept) | 5.0829 | 3.1097 | 1400 (stopped early at 2400) | 7.08 |
| the same with the network's share 0.8 in the loss (code not kept) | 5.0317 | 3.1057 | 1000 (stopped by hand at 1,193; behind the default at every score from step 400) | 6.46 |

Tiny Shakespeare, the same way: the medium preset (GRU 2×512, dropout 0.2, batch 32 × 128), 264
steps (what the 5-minute default reached in the headline run), one thread each, both at once:

| how the network meets the 7-gram | static | song memory | best step | network alone | weight |
|---|---|---|---|---|---|
| trained alone, interpolated (`--combine mix`) | 1.4770 | 1.3747 | 264 | 1.682 | 0.3 |
| product of experts (`--combine product`) | **1.4727** | **1.3545** | 264 | 3.73 (a correction) | 1.0: the product alone |
| the same pair with `--seed 1`: trained alone, interpolated | 1.4756 | 1.3745 | 264 | 1.684 | 0.3 |
| the same pair with `--seed 1`: product of experts | **1.4742** | **1.3557** | 264 | 3.73 | 1.0 |

At steps 100 / 200 / 264 the product scored 1.4931 / 1.4758 / 1.4727 against 1.4956 / 1.4811 /
1.4770, and with song memory 1.3681 / 1.3575 / 1.3545 against 1.3843 / 1.3773 / 1.3747. With 65
characters and a million of them the product is a better model than the 7-gram on its own (the
chosen weight is 1), where on Jay Chou it never was. With seed 1 (run at 04:50 UTC, load average
2–4) the product was behind at step 100 (1.4983 against 1.4949) and ahead at 200 and 264: over
both seeds it gains 0.001–0.004 static, within what a seed moves, and 0.019–0.020 with song
memory, which held for both; one seed on Jay Chou.

The 7-gram alone: 5.2216 static, 3.3453 with song memory. At every held-out score from step 400
on the default led, at equal steps: by 0.14–0.18 for the product (21 scores), 0.10–0.14 for the
0.5 share (21 scores) and 0.01–0.07 for the 0.8 share (8 scores).

- **Why the product loses on Jay Chou.** The product's training loss went from 4.99 (the cross-fitted
  7-gram alone) to 4.53 in 500 steps, but on the held-out text the product alone (share 1) scored
  5.49 at step 700, worse than the 7-gram alone: corrections learned on the training songs are
  multiplied into the n-gram with full confidence on new songs; halving the network's logits at
  scoring gives 5.23, still no gain, and the interpolation with the 7-gram recovers only to 5.19.
  A product cannot put mass where the n-gram has almost none without a large logit, and on 57k
  characters with 2,066 ids that is exactly what the network memorises.
- **Linear beats log-linear on this corpus, even without training for it.** On the default
  network (its checkpoint at step 1800) a log-linear combination at scoring, `p_net^b · p_ngram^a` normalised, over
  a, b ∈ {0.3, 0.5, 0.7, 0.9}, reached 5.16 at best alone and 5.11 when then interpolated with the
  7-gram, against 5.00 for the plain interpolation of the same two models.
- **Cost.** The cross-fitted table is precomputed once when training starts: Jay Chou 57k
  positions × 2,066 ids in float16 (235 MB), 3.5 s; Tiny Shakespeare 1M × 65 (131 MB), 26 s; the
  held-out side (static and song-memory distributions per position) 1.3 s and 17 s (one thread,
  load average about 4; the mixture's own held-out n-gram reading took 12 s beside it). A training
  step costs about 2% more (the table rows added to the logits), measured interleaved in one
  process on Jay Chou. A corpus whose table would pass 800 MB trains as the mixture, and its card
  says so.
- **What landed:** the medium and large presets (300k characters and more) train the product;
  tiny and small keep the interpolation, as measured (`ModelConfig.combine`, `--combine` to choose,
  recorded in the card's `mixture.combine`; a card without it is the interpolation, so every older
  model, the demo included, loads and scores as before; `--ngram 0` is the network alone, recorded
  as such). The split follows corpus size because the presets do; the measurements differ in
  vocabulary too (2,066 against 65 ids), which may be the real cause: a large Chinese corpus gets
  the product too, unless its table would pass 800 MB (about 400k characters per 1,000 ids).

## What limits the targets not met

- **Static quality (issue 12: Jay Chou ≤ 4.85, Tiny Shakespeare ≤ 1.45).** Measured 4.9856 and
  1.4736 in section 1's run (2026-12-02 09:55 UTC, nothing else running: Jay Chou stopped early
  at 2,500 steps, out of patience 1,000 steps after its best at 1,500; Tiny Shakespeare 286 steps
  with the product of experts). The quiet run before it (07:57 UTC, `3efb9d1`) read 4.9777
  (3,300 steps, best at 2,300) and 1.4743; one on shared cores read 4.983 and 1.478. Runs of
  the same seed differ because the learning-rate schedule follows the clock. Tried: the n-gram's order chosen per corpus on a slice of the training text
  (7 for both; the 7-gram alone gains 0.009 on Jay Chou and 0.045 on Shakespeare over the
  5-gram, which is most of Shakespeare's move from 1.519). Then, step-matched ("Training the
  network to complement the n-gram" above): the network trained to complement the n-gram, as a
  product of experts (logits + log p_ngram, the training positions scored by a cross-fitted
  7-gram) and through the interpolation itself; on Jay Chou all of them scored worse than the
  network trained alone at the same steps (5.03–5.15 against 4.98); on Tiny Shakespeare the
  product scored better (1.4727 against 1.4770 static, 1.3545 against 1.3747 with song memory,
  at 264 steps), so the medium and large presets use it; a gain of 0.004 does not reach 1.45.
  Earlier: parameter averaging (no gain), a weight per matched n-gram order (worse), the mean
  of two networks (0.035 better than either, at half the steps each on 2 cores: not built).
  This stop (2026-12-02, "What was tried" above, the runs side by side at one thread each): one
  thread trains the small preset nearly as far as two (3,072 steps against 3,300: at batch 8 the
  products are too small to share), so an ensemble whose members train on one core each costs
  little per member, and its mean of two networks scores 4.953 (0.025 better than its better
  member); tying the softmax to the embedding makes the network alone 0.09 better (5.646) and its
  steps 11% faster but the mixture only 0.005 better; a lower-order n-gram beside the 7-gram gets
  no weight. None of these reaches 4.85, and an ensemble would halve generation speed (two
  networks per character, where GRU and LSTM are near the 2,000 chars/s target), so none was built.
  Dynamic evaluation of the network is song memory, not a static reading. What limits it: in 5
  minutes on 2 threads the network alone reaches only 5.76 (Jay Chou) and, on Shakespeare, a
  correction of its 7-gram rather than a model; the mixture gains 0.24 and 0.04 over its
  n-gram. On Jay Chou the gain comes from the network being wrong in different places from the
  n-gram; a network trained to fill the n-gram's gaps memorises the training songs' gaps
  instead, and its corrections do not carry over to new songs. A network 0.1–0.2 better alone
  moves the mixture by 0.005–0.03 (the rows of tying and the ensemble above); the best network
  alone any 5-minute run here has reached is 5.36 (a mean of two), and its mixture 5.01.
- **Training speed, one-hot.** Skipping the one-hot product removes about 40% of the arithmetic
  of the report's one-hot GRU (the V × 3H input product, forward and weight gradient), so equal
  efficiency would give about 1.7×. The first layer's recurrence then runs step by step in
  Python autograd (about 77 GFLOP/s against 122 for the fused kernel, measured on its own), which
  eats part of the gain. A hand-written backward for that layer is the next step.
- **Training speed, embedding of width V.** The same model does the same arithmetic in both
  programs (an embedding of width V feeds the V × 3H product), and both spend it in the same
  library kernels; the remaining difference is the training loop (AdamW's decoupled decay, the
  carried state, progress events). There is no honest shortcut for this architecture.
- **Generation (met in section 3's run; a busy machine can take GRU and LSTM below it).** With
  everything the app turns on (the 8-window penalty included) and a network share as a real model
  has, RNN 3,307, GRU 2,406 and LSTM 2,479 chars/s in section 3's run; 2,714 / 2,432 / 2,299 in a
  run of its own at 09:22 UTC; 3,005 / 2,061 / 2,384 before the penalty (08:23 UTC, load
  0.4–0.7), against 1,480 / 1,111 / 707 on a quiet machine before sampling moved
  to numpy. The timed models train 2 steps, so they carry the demo model's fitted song weights
  (network share 0.55 with no match, falling to 0 past a long match) and the network's step and
  head are paid as with a real model. `lyrics-tui generate` to a pty (`python
  bench/generation.py --cli --cell X --chars 1000`, 3 takes after a warm-up, 10:33 UTC, load
  0.7–0.9, the penalty on) runs at 0.87 (RNN), 0.87 (GRU) and 0.82 (LSTM) of the engine in the
  same rounds (target ≥ 0.8); it writes in batches: the first character at once, then at each
  newline or every 25 ms. The same code measured 1,672–2,480 (GRU) and 1,378–2,294 (LSTM) over runs minutes
  apart at load 1–2 that morning, so on a busy machine GRU and LSTM can fall below 2,000. Where
  a character's CPU goes now (3,000 characters, perf_counter sections, load about 1): LSTM 751
  µs in all before the last round of trims, of which the network step 153 µs and the head 72
  µs, the pick and draw about 230 µs (two top-k over the vocabulary, the model's own softmax for
  the character's probability), the mixture about 220 µs (song memory's two n-grams in one pass
  included), the controls about 150 µs and song memory's reading about 60 µs. The weights (5 MB
  for the LSTM) and the n-gram tables do not fit the L2 cache, so each step reads them from the
  shared L3: in the loop each part costs about three times what it costs alone. Next: a top-k
  over the few ids the controls leave, song memory's counts kept as arrays. The first character
  (the prefix pass included): 2.2–3.2 ms warm, 9 ms at worst cold, inside the 20 ms target.

## Reading the tables

- The memorisation meter's 8-character window is a phrase in Chinese and about one and a half
  words in English: most 8-character windows of any English text occur somewhere in a million
  characters of Shakespeare (the report pipeline's one take: 56.2%), so for Tiny Shakespeare the
  longest stretch is the figure to read (16 with the default limit of 16 for alphabetic text, 31
  with it off, 18 for the report's take). On Jay Chou over 200 seeded takes of the same model
  (not the 8 of the table): 1.12% of 8-windows, longest 8, with the defaults since the 8-window
  penalty (×5) stands beside the limit for CJK text (the table's 8 takes of this run's model:
  1.3%); 2.20% with the limit alone (1.92% with the corpus's line shape off too: it holds lines to the corpus's
  short-line floor, and longer lines quote a little more); 8.13%, longest 40, with the quote
  limit off (bench/LYRIC_CRAFT.md).
- The report's pipeline scored 7.16 on Jay Chou here against 5.757 in its README: on 2 threads
  it takes about three times the steps of its one-thread run, has no dropout and no early
  stopping, and memorises the 57k training characters; what is scored is the model it ends with.
- "train chars/s" for our models counts every character trained over the whole 5 minutes,
  held-out scoring included; the report's figure times its steps only. Our Tiny Shakespeare
  model trains at batch 32, whose smaller products run at about half the speed of the report's
  batch 128 per character.
"""
