"""Golden files for the SDTM datasets and ADaM of a simulated trial (issue 16's proof):
``trial simulate --participants 8 --seed 7`` (simulated_trial.py).

Each dataset is one CSV under tests/data/golden/{sdtm,adam}-seed7/: a header of
``NAME:datatype:label`` per variable, then the rows sorted by the dataset's keys (then by
every other variable, so the order is total); ``_datasets.csv`` lists each dataset's
label, class, structure, keys and record count. Numbers are written in their shortest
round-tripping form (a whole number without ".0"), so float noise such as
-0.2999999999999998 shows as a change. Empty datasets are kept (their variables are part
of what the package is).

Regenerate with TRIALDESK_UPDATE_GOLDEN=1 only after reading the diff."""

from __future__ import annotations

import csv
import difflib
import io
import os
from collections.abc import Mapping
from pathlib import Path

import pytest

from reports.cdisc.simulated_trial import PARTICIPANTS, SEED, simulated
from trialdesk.reports.cdisc.dataset import Dataset, Value

pytestmark = pytest.mark.slow  # simulating 8 participants and deriving everything: ~6 s

GOLDEN = Path(__file__).parents[2] / "data" / "golden"
INDEX = "_datasets.csv"


def number(value: Value) -> str:
    """A numeric cell: "" when null, whole numbers without a fraction, else ``repr``."""
    if value is None:
        return ""
    if isinstance(value, str):  # a Num variable holding text is a defect the test should show
        return f"!str:{value}"
    number = float(value)
    return str(int(number)) if number.is_integer() else repr(number)


def dataset_csv(dataset: Dataset) -> str:
    """The dataset as deterministic CSV text (see the module docstring)."""
    kinds = {v.name: v.kind for v in dataset.variables}
    order = list(dataset.keys) + [n for n in dataset.names if n not in dataset.keys]

    def sort_key(row: Mapping[str, Value]) -> tuple[tuple[int, float, str], ...]:
        cells = []
        for name in order:
            value = row[name]
            if kinds[name] == "Num" and isinstance(value, (int, float)):
                cells.append((1, float(value), ""))
            else:
                cells.append((0 if value in (None, "") else 2, 0.0, str(value or "")))
        return tuple(cells)

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(f"{v.name}:{v.data_type}:{v.label}" for v in dataset.variables)
    for row in sorted(dataset.records(), key=sort_key):
        writer.writerow(
            number(row[v.name]) if v.kind == "Num" else str(row[v.name]) for v in dataset.variables
        )
    return out.getvalue()


def index_csv(datasets: list[Dataset]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["dataset", "label", "class", "structure", "keys", "records"])
    for d in datasets:
        keys = " ".join(d.keys)
        writer.writerow([d.name, d.label, d.dataset_class, d.structure, keys, len(d.rows)])
    return out.getvalue()


def golden_texts(datasets: list[Dataset]) -> dict[str, str]:
    """File name -> text, for one golden folder."""
    texts = {INDEX: index_csv(datasets)}
    texts.update({f"{d.name.lower()}.csv": dataset_csv(d) for d in datasets})
    return texts


@pytest.fixture(scope="module")
def built() -> dict[str, dict[str, str]]:
    trial = simulated()
    return {
        f"sdtm-seed{SEED}": golden_texts(list(trial.sdtm)),
        f"adam-seed{SEED}": golden_texts(list(trial.adam)),
    }


@pytest.mark.parametrize("kind", ["sdtm", "adam"])
def test_datasets_match_the_golden_files(built: dict[str, dict[str, str]], kind: str) -> None:
    folder = GOLDEN / f"{kind}-seed{SEED}"
    texts = built[folder.name]
    if os.environ.get("TRIALDESK_UPDATE_GOLDEN"):
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("*.csv"):
            if old.name not in texts:
                old.unlink()
        for name, text in texts.items():
            (folder / name).write_text(text, encoding="utf-8")
    on_disk = {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.csv"))}
    assert sorted(on_disk) == sorted(texts), "datasets added or gone: regenerate and review"
    changed = [name for name, text in texts.items() if on_disk[name] != text]
    if changed:
        first = changed[0]
        diff = difflib.unified_diff(
            on_disk[first].splitlines(), texts[first].splitlines(), "golden", "now", lineterm=""
        )
        shown = "\n".join(line[:200] for line in list(diff)[:12])
        pytest.fail(f"{folder.name}: {changed} differ from the golden files; {first}:\n{shown}")


def test_the_golden_trial_has_what_the_proof_needs(built: dict[str, dict[str, str]]) -> None:
    """The seed is worth its files: adverse events, screen failures, efficacy and lab rows."""
    counts = {}
    for texts in built.values():
        for row in csv.DictReader(io.StringIO(texts[INDEX])):
            counts[row["dataset"]] = int(row["records"])
    assert counts["AE"] > 0 and counts["ADAE"] == counts["AE"]
    assert counts["DM"] > PARTICIPANTS  # screen failures are in DM as well
    assert counts["ADEFF"] > 0 and counts["ADLB"] > 0 and counts["QS"] > 0


def test_numbers_are_written_without_float_noise() -> None:
    assert [number(x) for x in (None, 3.0, -0.3, 1 / 3, 7)] == [
        "",
        "3",
        "-0.3",
        "0.3333333333333333",
        "7",
    ]


def places(cell: str) -> int:
    return len(cell.partition(".")[2])


def test_no_float_noise_in_change_from_baseline(built: dict[str, dict[str, str]]) -> None:
    """CHG and PCHG are rounded at their source (adam/bds.py): CHG to the decimal places of
    AVAL and BASE, PCHG to two more; a noisy float would show 15 or more."""
    noisy, checked = [], 0
    for name in ("adeff.csv", "adlb.csv"):
        reader = csv.DictReader(io.StringIO(built[f"adam-seed{SEED}"][name]))
        assert reader.fieldnames is not None
        reader.fieldnames = [h.split(":")[0] for h in reader.fieldnames]
        for row in reader:
            if not row["CHG"]:
                continue
            inputs = max(places(row["AVAL"]), places(row["BASE"]))
            checked += 1
            if places(row["CHG"]) > inputs or places(row["PCHG"]) > inputs + 2:
                noisy.append((name, row["AVAL"], row["BASE"], row["CHG"], row["PCHG"]))
    assert checked > 100 and noisy == []
