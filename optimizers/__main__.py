"""``python -m optimizers``: see :mod:`optimizers.cli`."""

import sys

from optimizers.cli import main

sys.exit(main())
