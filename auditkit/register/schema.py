"""The register's tables (SQLAlchemy Core), as the latest migration leaves them.

- `runs`: one row per recorded run (its id, the month audited, the district or none for all, how
  many findings it had and a digest of them, so the same id with other findings is refused).
- `findings`: the current state of each finding key: what the finding is (customer, rule, start),
  what the latest run that found it said (end, amount, score, evidence), and its status after the
  latest run of its district: new, persisting, no_longer_found or reopened.
- `finding_runs`: what each run said of each finding it changed or saw (the history of statuses
  and amounts, and what `record_run` returns when a run is recorded again), and the district the
  finding had in that run (a customer moves between districts; None in rows recorded before
  revision 0006, which read as the finding's district today).
- `moved_findings`: the keys a run found in another district than the register held them in
  (since revision 0006): the only findings whose district differs between runs, so a reader
  of a past month's districts looks up the history of these alone.
- `outcomes`: the append-only trail of field outcomes; `event_digest` is unique, so the same event
  imported twice (or by two imports at once) is one row. `auditor` is the district bureau whose
  team checked (None: the finding's own district, a self-audit; another district: a cross-audit)
  and `selected_by` how the worklist chose the finding (revenue, score, high or sample; None for
  events recorded by hand), so a rule's precision can be measured on random samples alone.
  `penalty` is the penalty collected (违约使用电费 实收, yuan) with a recovery, kept apart from
  the revenue recovered (`amount`) and never added to it.
  `corrects` is the `outcome_id` of the event of the same worklist row a correction supersedes
  (`record_outcomes(correct=True)`): the earlier event stays, and readers leave it out.

Migrations (`auditkit/register/migrations`) create and change these tables; a test checks that
the migrated database matches this metadata.
"""

from __future__ import annotations

import decimal
import math

import sqlalchemy as sa

metadata = sa.MetaData()

#: Status of a finding after a run of its district.
STATUSES = ("new", "persisting", "no_longer_found", "reopened")
#: How a district's changes of a month show a finding whose customer moved between districts
#: since the previous month (`Register.run_changes` of one district; never stored): found in
#: this district after another's (`moved_in`), or in another district after this one's
#: (`moved_out`: neither fixed nor persisting here).
MOVED_STATUSES = ("moved_in", "moved_out")


def shown_statuses(present: object) -> list[str]:
    """The statuses a district's changes show, in order: every one of `STATUSES`, and a moved
    one (`MOVED_STATUSES`) only where `present` (the statuses the changes hold) has it."""
    present = set(present)
    return [*STATUSES, *(status for status in MOVED_STATUSES if status in present)]


#: Field outcomes, in the order the work goes.
OUTCOME_EVENTS = ("sent", "confirmed", "false_alarm", "rectified", "recovered", "archive_corrected")
#: Columns of outcome events: what `read_worklist` gives and `Register.record_outcomes` takes.
EVENT_COLUMNS = ("finding_key", "event", "amount", "actor", "happened_at", "source", "source_row")
#: Columns an event may have besides EVENT_COLUMNS (missing or empty: None).
OPTIONAL_EVENT_COLUMNS = ("auditor", "selected_by")
#: The penalty collected with a recovery (yuan), an event's column besides EVENT_COLUMNS
#: (missing or empty: none): apart from the revenue recovered, and in its digest only when given.
PENALTY_COLUMN = "penalty"
#: How the source of events read from a worklist sheet begins (`worklist:<id>`): such a source
#: gives one outcome per row besides `sent`, so a row's other values are a correction.
SHEET_SOURCE = "worklist:"
#: An event's columns as the sheet names them, for messages about a worklist row.
SHEET_COLUMNS = {"event": "outcome", "amount": "amount_recovered",
                 "penalty": "penalty_recovered", "actor": "checked_by",
                 "happened_at": "checked_on"}  # fmt: skip
#: The most characters of a run's id (`auditkit rules --run-id`), as its columns hold.
RUN_ID_LENGTH = 200
#: The most characters of who sent or checked a finding (a worklist's checked_by, --sent-by).
ACTOR_LENGTH = 100
#: The most characters of where an event was read from (`worklist:<id>`), as its column holds.
SOURCE_LENGTH = 500

runs = sa.Table(
    "runs",
    metadata,
    sa.Column("run_id", sa.String(RUN_ID_LENGTH), primary_key=True),
    sa.Column("as_of", sa.String(7), nullable=False),  # 'YYYY-MM'
    sa.Column("district", sa.String(200), nullable=True),  # None: every district
    sa.Column("findings", sa.Integer, nullable=False),
    sa.Column("digest", sa.String(64), nullable=False),
    sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
)

findings = sa.Table(
    "findings",
    metadata,
    sa.Column("finding_key", sa.String(16), primary_key=True),
    sa.Column("customer_id", sa.String(200), nullable=False),
    sa.Column("rule_id", sa.String(100), nullable=False),
    sa.Column("period_from", sa.String(7), nullable=False),
    sa.Column("district", sa.String(200), nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("period_to", sa.String(7), nullable=False),
    sa.Column("area", sa.String(100), nullable=False),
    sa.Column("severity", sa.String(20), nullable=False),
    sa.Column("revenue_impact", sa.Double, nullable=False),
    sa.Column("previous_revenue_impact", sa.Double, nullable=True),
    sa.Column("revenue_kind", sa.String(50), nullable=False),
    sa.Column("penalty", sa.Double, nullable=False),
    sa.Column("score", sa.Double, nullable=False),
    sa.Column("evidence", sa.Text, nullable=False),
    sa.Column("evidence_code", sa.Text, nullable=False),
    sa.Column(
        "first_run_id", sa.String(RUN_ID_LENGTH), sa.ForeignKey("runs.run_id"), nullable=False
    ),
    sa.Column("first_as_of", sa.String(7), nullable=False),
    sa.Column(
        "last_run_id", sa.String(RUN_ID_LENGTH), sa.ForeignKey("runs.run_id"), nullable=False
    ),
    sa.Column("last_as_of", sa.String(7), nullable=False),
    sa.Index("ix_findings_district_status", "district", "status"),
)

finding_runs = sa.Table(
    "finding_runs",
    metadata,
    sa.Column("run_id", sa.String(RUN_ID_LENGTH), sa.ForeignKey("runs.run_id"), primary_key=True),
    sa.Column(
        "finding_key", sa.String(16), sa.ForeignKey("findings.finding_key"), primary_key=True
    ),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("revenue_impact", sa.Double, nullable=True),  # None: not found by this run
    sa.Column("previous_revenue_impact", sa.Double, nullable=True),
    sa.Column("district", sa.String(200), nullable=True),  # None: recorded before revision 0006
    sa.Index("ix_finding_runs_finding_key", "finding_key"),
)

moved_findings = sa.Table(
    "moved_findings",
    metadata,
    sa.Column(
        "finding_key", sa.String(16), sa.ForeignKey("findings.finding_key"), primary_key=True
    ),
)

outcomes = sa.Table(
    "outcomes",
    metadata,
    sa.Column("outcome_id", sa.Integer, sa.Identity(), primary_key=True),
    sa.Column(
        "finding_key",
        sa.String(16),
        sa.ForeignKey("findings.finding_key"),
        nullable=False,
        index=True,
    ),
    sa.Column("event", sa.String(30), nullable=False),
    sa.Column("amount", sa.Double, nullable=True),  # yuan; None when the event has none
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("happened_at", sa.Date, nullable=False),
    sa.Column("source", sa.String(SOURCE_LENGTH), nullable=False),
    sa.Column("source_row", sa.Integer, nullable=False),
    sa.Column("event_digest", sa.String(64), nullable=False, unique=True),
    sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("auditor", sa.String(200), nullable=True),  # None: the finding's own district
    sa.Column("selected_by", sa.String(20), nullable=True),  # None: not chosen by a worklist
    sa.Column("corrects", sa.Integer, nullable=True),  # the outcome_id this event supersedes
    sa.Column("penalty", sa.Double, nullable=True),  # yuan of penalty collected; None: none
)


def in_fen(amount: float) -> bool:
    """Whether `amount` (yuan, finite) is a whole number of fen, as a spreadsheet shows it (15
    significant digits: 0.1 + 0.2 is 0.3): a recovery of 1.005 yuan is refused, not rounded to
    1.00 or 1.01 behind the user's back."""
    return math.isfinite(amount) and decimal.Decimal(f"{amount:.15g}").as_tuple().exponent >= -2
