"""Settings of the load run (bench/load.py)."""

HOST = "127.0.0.1"
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
INSTRUCT_CODENAME = "instruct_teleservice"
REFS_PER_AGENT = 40
POOL_PER_SERVICES = 400  # random dossiers fetched once per set of téléservices, sampled per agent
REQUEST_TIMEOUT = 10.0  # seconds; a page slower than this counts as an error
START_TIMEOUT = 60.0
STOP_TIMEOUT = 15.0
GRACEFUL_TIMEOUT = 5
WARMUP_SECONDS = 2.0
CONNECTION_ERROR_PAUSE = 0.05  # so that a refused connection does not spin the loop

REVIEW, QUEUE, MINE, SEARCH, LATE = "dossier", "à traiter", "mes tâches", "recherche", "en retard"
PAGES = (REVIEW, QUEUE, MINE, SEARCH, LATE)
MIX = {REVIEW: 60, QUEUE: 14, MINE: 12, SEARCH: 8, LATE: 6}
SUMMARY_KEYS = ("rps", "p50_ms", "p95_ms", "p99_ms", "errors", "requests", "seconds")
