"""Trains copies of one model in forked children and kills them: the kill-torture test's helper.

Run as ``python kill_worker.py SCENARIOS.json``: a JSON list of ``{"home": ..., "fault": ...,
"kill_after" or "kill_fraction": ...}``. torch is imported once here, never used in this process (so forking is
safe), and each scenario trains in a fresh child: with ``fault`` set the child kills itself at
that write (``folder.FAULT_ENV``), with ``kill_after`` this process SIGKILLs it after that many
seconds. Prints one JSON line per scenario: how the child ended and how long it ran.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from pathlib import Path


def main() -> None:
    import torch  # noqa: F401  (imported once before forking: each child starts warm)

    from tui_lyrics.core.train import train
    from tui_lyrics.durable import FAULT_ENV
    from tui_lyrics.store import ModelStore

    scenarios = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    reference = None  # how long the first (uninterrupted) scenario ran: kill_fraction is a share of it
    for scenario in scenarios:
        if "kill_fraction" in scenario and reference is not None:
            scenario["kill_after"] = scenario["kill_fraction"] * reference
        began = time.monotonic()
        pid = os.fork()
        if pid == 0:  # the child: train, then leave without running the parent's cleanup
            code = 0
            try:
                if scenario.get("fault"):
                    os.environ[FAULT_ENV] = scenario["fault"]
                train(ModelStore(Path(scenario["home"])), "m")
            except BaseException as error:  # reported, then a non-zero exit
                print(f"child failed: {error!r}", file=sys.stderr)
                code = 1
            os._exit(code)
        status = None
        if scenario.get("kill_after") is not None:
            deadline = began + scenario["kill_after"]
            while status is None and time.monotonic() < deadline:
                done, code = os.waitpid(pid, os.WNOHANG)
                status = code if done else None
                time.sleep(0.002)
            if status is None:
                os.kill(pid, signal.SIGKILL)
        if status is None:
            status = os.waitpid(pid, 0)[1]
        killed = os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
        code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else None
        reference = time.monotonic() - began if reference is None else reference
        print(json.dumps({"killed": killed, "code": code, "seconds": time.monotonic() - began}), flush=True)


if __name__ == "__main__":
    main()
