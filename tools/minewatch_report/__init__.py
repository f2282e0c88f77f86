"""minewatch-report - per-host summary of minewatch EVE files (plain or gzip), for analysts.

Streams every input line by line: memory grows only with the number of flagged hosts
(capped by --max-hosts) and each host's lists (capped at LIST_CAP entries), never with the
size of the files. Standard library only (python3 is already a dependency of the project).

Modules: text (escaping, times), records (per-host and per-pool records), aggregate (the
Report that folds events into them), reading (files, gzip, stdin), render (table, CSV,
JSON, pools, learned addresses), follow (--follow), cli (options and main).
"""
from .aggregate import Report, sort_hosts
from .cli import PROG, main, parse_args
from .reading import Progress, read_file, read_lines
from .records import LIST_CAP
from .text import csv_cell, safe_text

__all__ = ["LIST_CAP", "PROG", "Progress", "Report", "csv_cell", "main", "parse_args", "read_file",
           "read_lines", "safe_text", "sort_hosts"]
