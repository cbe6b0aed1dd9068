"""Copy the fixture corpus out of the larger shared corpora: `python tests/corpus/select.py [SHARED]`.

Kept so the choice can be checked and redone; the tests read only what it copied (README.md says
what and why). Files are copied byte for byte, with their metadata.jsonl / sources-*.jsonl lines.
"""
from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).parent
TESTS = HERE.parent
# State Department readouts named by the tests themselves (test_cite's Cavusoglu question, the
# duplicate pair), and the series the questions ask about, whole, so the other calls of each series
# are there to be confused with.
STATE_SERIES = ("kuleba", "lavrov", "baerbo", "d-isis", "cavusoglu", "joint-statement-on-cuba")
FMPRC_NAMED = ("en/t1559310.html", "zh/t1418362.html", "zh/t1420479.html")  # test_sources_web, inspect
LISTING = "listings/mfa_eng_xwfw_665399_s2510_665401_2511_665403_default.shtml"
LISTINGS = (LISTING, "listings/mfa_eng_xwfw_665399_s2510_665401_2511_665403_default_1.shtml",
            "listings/web_wjdt_674879_fyrbt_674889_default.shtml")
LISTED_PAGES = 10  # of the 20 pages the English listing links to that the shared corpus holds


def gold_files(questions: Path, files: list[str]) -> set[str]:
    """The files a question set's gold answers name (by file name without its extension)."""
    stems = {Path(name).stem: name for name in files}
    return {stems[doc] for line in questions.open(encoding="utf-8") if line.strip()
            for doc, _ in json.loads(line).get("gold", [])}


def state_dept(shared: Path, target: Path) -> list[str]:
    lines = [line for line in (shared / "metadata.jsonl").read_text(encoding="utf-8").splitlines() if line]
    files = [json.loads(line)["file"] for line in lines]
    chosen = gold_files(TESTS / "questions" / "state_dept.jsonl", files)
    chosen |= gold_files(TESTS / "questions" / "fresh" / "state_fresh.jsonl", files)
    chosen |= {name for name in files if any(series in name for series in STATE_SERIES)}
    target.mkdir(parents=True, exist_ok=True)
    for name in sorted(chosen):
        shutil.copyfile(shared / name, target / name)
    kept = [line for line, name in zip(lines, files) if name in chosen]
    (target / "metadata.jsonl").write_text("".join(line + "\n" for line in kept), encoding="utf-8")
    return sorted(chosen)


def fmprc(shared: Path, target: Path) -> list[str]:
    named = set(re.findall(r'"((?:en|zh)/t\d+\.html)"', (TESTS / "test_sources_html.py").read_text(encoding="utf-8")))
    truth = [json.loads(line)["file"] for line in (TESTS / "data" / "fmprc_truth.jsonl").open(encoding="utf-8")]
    chosen = named | set(FMPRC_NAMED) | set(truth[::3]) | set(LISTINGS)
    listed = dict.fromkeys(re.findall(r'href="\./(t\d+)\.shtml"', (shared / LISTING).read_text(encoding="utf-8")))
    present = [f"en/{name}.html" for name in listed if (shared / "en" / f"{name}.html").is_file()]
    for page in present:
        if len(chosen & set(present)) >= LISTED_PAGES:
            break
        chosen.add(page)
    for name in sorted(chosen):
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shared / name, target / name)
    for sources in sorted(shared.glob("sources-*.jsonl")):
        lines = sources.read_text(encoding="utf-8").splitlines()
        (target / sources.name).write_text("".join(line + "\n" for line in lines if line and json.loads(line)["file"] in chosen),
                                           encoding="utf-8")
    return sorted(chosen)


def main(argv: list[str]) -> int:
    shared = Path(argv[0]) if argv else HERE.parents[2] / "shared"
    readouts = state_dept(shared / "corpus" / "state-dept", HERE / "state-dept")
    pages = fmprc(shared / "corpus" / "fmprc", HERE / "fmprc")
    print(f"{len(readouts)} State Department readouts, {len(pages)} MFA files")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
