"""A second process writing to a register, for the tests of imports at the same time and of an
import killed half way: `python register_worker.py MODE URL GO_FILE [ARGS]`.

It waits until GO_FILE exists (so two workers start together), then:
- `run RUN_ID AS_OF CUSTOMERS` records a run of CUSTOMERS findings (A0..An) for month AS_OF;
- `outcomes KEYS_FILE` records a 'confirmed' event for each key listed in KEYS_FILE;
- `stall RUN_ID AS_OF CUSTOMERS` records a run but, once its findings are written and before the
  transaction commits, creates GO_FILE + '.stalled' and sleeps, to be killed there.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import sqlalchemy as sa
from register_builders import event, events, finding, findings

from auditkit.register import Register


def _run_findings(count: int):
    return findings(*(finding(f"A{n}", revenue=float(n)) for n in range(count)))


def main(mode: str, url: str, go_file: str, *args: str) -> None:
    register = Register.open(url)
    while not Path(go_file).exists():
        time.sleep(0.01)
    if mode == "outcomes":
        keys = Path(args[0]).read_text().split()
        result = register.record_outcomes(
            events(*(event(key, source_row=n) for n, key in enumerate(keys)))
        )
        print(result.recorded, result.already_recorded)
        return
    run_id, as_of, count = args[0], args[1], int(args[2])
    if mode == "stall":

        def stall(connection, cursor, statement, *_ignored) -> None:
            if statement.lstrip().upper().startswith("INSERT INTO FINDING_RUNS"):
                Path(go_file + ".stalled").touch()
                time.sleep(600)

        sa.event.listen(register._engine, "after_cursor_execute", stall)
    changes = register.record_run(_run_findings(count), run_id=run_id, as_of=as_of, district=None)
    print(changes.counts["new"])


if __name__ == "__main__":
    main(*sys.argv[1:])
