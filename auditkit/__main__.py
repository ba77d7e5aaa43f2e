"""`python -m auditkit` runs the command line."""

import sys

from auditkit.cli import main

sys.exit(main())
