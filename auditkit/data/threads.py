"""How many threads a process gives work that runs outside the GIL (hashing, reading and writing
Parquet, scanning and typing columns with Arrow)."""

from __future__ import annotations

import os

#: One a core, at most four: each thread holds its own buffers at once (a file's bytes, a column
#: in flight), and a run's worker processes share the cores.
GIL_FREE_THREADS = min(4, os.cpu_count() or 1)
