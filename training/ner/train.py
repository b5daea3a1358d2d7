"""Rebuild kg's statistical NER: convert CLUENER2020, train with spaCy, ship the model.

Takes the shared CLUENER2020 files (read in place; see training/ner/convert.py) and
training/ner/config.cfg; gives `src/kg/models/cluener_ner`, the pipeline that
`kg.extract.statistical` loads. The model shipped is the last one of a fixed schedule (dev is
only watched, never used to pick a model), so the dev scores that `kg eval --cluener` reports
are not tuned to it. Run by `make model`; about 20 minutes of one core.

Usage: python training/ner/train.py [--source DIR] [--work DIR] [--target DIR] [overrides...]
Overrides are spaCy config settings, e.g. --training.max_steps 500 for a quick try.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
HERE = REPO / "training" / "ner"
SHIPPED = REPO / "src" / "kg" / "models" / "cluener_ner"
sys.path.insert(0, str(HERE))

import convert  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=convert.DEFAULT_SOURCE)
    parser.add_argument("--work", type=Path, default=HERE / "output", help="training output")
    parser.add_argument(
        "--target", type=Path, default=REPO / "src" / "kg" / "models" / "cluener_ner"
    )
    args, extra = parser.parse_known_args(argv)

    from spacy.cli._util import parse_config_overrides
    from spacy.cli.train import train

    import kg.extract.statistical  # noqa: F401  registers kg.ChineseCharEmbed.v1

    corpus = HERE / "corpus"
    status = convert.main(["--source", str(args.source), "--out", str(corpus)])
    if status:
        return status
    # config.cfg names the corpus relative to the repo, and the shipped copy of it keeps that.
    os.chdir(REPO)
    clock, cpu_clock = time.perf_counter(), time.process_time()
    train(HERE / "config.cfg", args.work, overrides=parse_config_overrides(extra))
    minutes = (time.perf_counter() - clock) / 60
    cpu_minutes = (time.process_time() - cpu_clock) / 60

    trained = args.work / "model-last"
    meta_path = trained / "meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta.update(
        name="cluener_ner",
        description=(
            "kg's statistical NER: character-level spaCy ner trained on CLUENER2020 "
            "(Xu et al. 2020, arXiv:2001.04351) by training/ner/train.py"
        ),
        sources=[{"name": "CLUENER2020", "url": "https://github.com/CLUEbenchmark/CLUENER2020"}],
        training_minutes=round(minutes, 1),
        training_cpu_minutes=round(cpu_minutes, 1),
    )
    meta_path.write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    if args.target.exists():
        shutil.rmtree(args.target)
    shutil.copytree(trained, args.target)
    size = sum(f.stat().st_size for f in args.target.rglob("*") if f.is_file()) / 2**20
    print(f"trained in {minutes:.1f} min ({cpu_minutes:.1f} min CPU)")
    print(f"shipped {args.target} ({size:.1f} MiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
