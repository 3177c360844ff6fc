"""Every benchmark in one command, each printing its own table:

    python -m bench [--runs 3] [--people 5000] [--skip national,reminders]

- ``bench.updates``: per-update CPU against a bare PTB echo bot, the day-10 rush, peak RSS
  (the running bot through the fake Bot API of the end-to-end tests);
- ``bench.whatsapp``: the same for the WhatsApp channel (`spip-bot run-whatsapp` posted signed
  webhook updates) against a bare aiohttp webhook, its rush and peak RSS;
- ``bench.national``: /status, the JSON status, the workbook and the package at national
  scale (514 units x 30 items x 24 months);
- ``bench.reminders``: one day's warnings for ``--people`` people, planned, then sent through
  a fake that enforces Telegram's limits;
- ``bench.backup``: `spip-bot backup` and `restore` of the national-scale data (archive size,
  times, the restore's check);
- ``bench.previews``: the desk's first-page picture of a 20-page scanned PDF and its reading
  at arrival, in the workers, and how long the event loop stayed blocked meanwhile;
- ``bench.statements``: the CPU per call of the repository calls every update makes.
"""

from __future__ import annotations

import argparse
import subprocess
import sys


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument(
        "--skip",
        default="",
        help="comma-separated: updates,whatsapp,national,reminders,backup,previews,statements",
    )
    args = parser.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    suites = {
        "updates": ["--runs", str(args.runs)],
        "whatsapp": ["--runs", str(args.runs)],
        "national": ["--runs", str(args.runs)],
        "reminders": ["--people", str(args.people)],
        "backup": ["--runs", str(args.runs)],
        "previews": ["--runs", str(max(args.runs, 5))],
        "statements": ["--runs", str(max(args.runs, 5))],
    }
    for name, extra in suites.items():
        if name in skip:
            continue
        print(f"\n=== bench.{name} ===", flush=True)
        subprocess.run([sys.executable, "-m", f"bench.{name}", *extra], check=True)


if __name__ == "__main__":
    main()
