"""Settings of the API benchmark's server: the project's own, plus the bare comparison views.

Nothing here is part of the project's URLs: only the benchmark's server loads this module.
"""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.bench_urls"
# The benchmark hammers the status lookup from one address: lift the limit, keep the check.
STATUS_LOOKUPS_PER_MINUTE = 1_000_000_000
