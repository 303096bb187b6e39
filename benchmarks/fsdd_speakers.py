"""Leave-one-speaker-out accuracy on FSDD for chapter 7's poolings, under a training recipe.

Six speakers, two or three models each, is more training than chapter 7's 120 s allow, so the
chapter runs one fold (george held out) and quotes this script's logged results for all six.
Each fold trains exactly as the chapter does (same features, normalisation, configuration,
recipe, epochs and seeds, one thread), so the chapter's fold reproduces this script's.

Recipes (issue 16: what a speech engineer tries first for unseen speakers): ``baseline`` or
changes joined by ``+`` (``floor+speed``); each keeps the number of optimiser steps of the
baseline, so each fold costs about the same:

- ``baseline``: log-mel features, each clip's mean per band subtracted, divided by the training
  set's spread per band; 12 epochs.
- ``floor``: every log-mel value raised to at least the clip's loudest minus 35 dB
  (``attnlib.data.speech_features.floor_dynamic_range``), before the normalisation: the
  silence around the word no longer carries the recording's noise floor. 35 dB was picked
  among floors from 22 to 52 dB on two folds (george and lucas held out, soft attention),
  so the floor's six-fold figures are, if anything, slightly optimistic.
- ``cmvn``: per-utterance mean *and variance* normalisation: each clip's bands divided by
  that clip's own spread per band instead of the training set's.
- ``specaugment``: SpecAugment time and frequency masking of every training minibatch
  (``attnlib.data.speech_augment.SpecAugment``, its defaults, seeded).
- ``speed``: speed perturbation: the training clips at speeds 0.9, 1.0 and 1.1
  (``attnlib.data.speech_augment.speed_perturbed``), three times the data for a third of the
  epochs.

One command per recipe (its JSON holds the command, in the layout of benchmarks/report.py)::

    ATTNLIB_DATA=../shared/data python benchmarks/fsdd_speakers.py --recipe floor+speed \\
        --out benchmarks/results/fsdd_speakers_floor+speed.json

Prints one line per (speaker, model) and a summary (mean, standard deviation, min and max over
the held-out speakers).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
import report  # noqa: E402  (benchmarks/ is a folder of scripts, not a package)

from attnlib.data import load_fsdd  # noqa: E402
from attnlib.data.fsdd import SPEAKERS  # noqa: E402
from attnlib.data.speech_augment import SpecAugment, speed_perturbed  # noqa: E402
from attnlib.data.speech_features import (  # noqa: E402
    Utterances,
    floor_dynamic_range,
    log_mel_utterances,
    normalise,
)
from attnlib.models.speech import (  # noqa: E402
    SpeechClassifier,
    SpeechConfig,
    predict_with_weights,
    train_speech_classifier,
)
from attnlib.training import seed_everything  # noqa: E402

CONFIGS = {
    "soft": SpeechConfig(pooling="soft"),
    "mean": SpeechConfig(pooling="mean"),
    "hard": SpeechConfig(pooling="hard", k=8, sample=True),
}
CHANGES = ("floor", "cmvn", "specaugment", "speed")
SPEEDS = (0.9, 1.0, 1.1)
TOP_DB = 35.0
BASE_EPOCHS = 12


def cmvn(utterances: Utterances) -> Utterances:
    """Each clip's bands scaled to unit spread over its own frames (after ``normalise``)."""
    keep = utterances.mask.unsqueeze(1).to(utterances.features.dtype)  # (B, 1, T)
    spread = (utterances.features.pow(2).sum(-1, keepdim=True) / keep.sum(-1, keepdim=True)).sqrt()
    return Utterances(utterances.features / spread.clamp(min=1e-3), utterances.mask)


def fold(speaker: str, models: list[str], recipe: str, seed: int) -> tuple[dict, str]:
    """Train every model with ``speaker`` held out; return {model: result} and the data source."""
    train = load_fsdd("train", split_by="speaker", test_speaker=speaker)
    test = load_fsdd("test", split_by="speaker", test_speaker=speaker)
    waveforms, labels, epochs = train.waveforms, train.labels, BASE_EPOCHS
    changes = set() if recipe == "baseline" else set(recipe.split("+"))
    if "speed" in changes:  # len(SPEEDS) times the clips, for as many steps as the baseline
        waveforms = speed_perturbed(waveforms, SPEEDS)
        labels, epochs = labels.repeat(len(SPEEDS)), BASE_EPOCHS // len(SPEEDS)
    raw_train, raw_test = log_mel_utterances(waveforms), log_mel_utterances(test.waveforms)
    if "floor" in changes:
        raw_train = floor_dynamic_range(raw_train, TOP_DB)
        raw_test = floor_dynamic_range(raw_test, TOP_DB)
    x_train, std = normalise(raw_train)
    x_test, _ = normalise(raw_test, std)
    if "cmvn" in changes:
        x_train, x_test = cmvn(x_train), cmvn(x_test)
    results = {}
    for name in models:
        wall, cpu = time.perf_counter(), time.process_time()
        seed_everything(seed)  # the initialisation
        model = SpeechClassifier(CONFIGS[name])
        augment = SpecAugment(seed=seed) if "specaugment" in changes else None
        history = train_speech_classifier(
            model,
            x_train,
            labels,
            epochs=epochs,
            seed=seed,
            augment=augment,
            desc=f"{speaker}/{name}",
        )
        predictions, _ = predict_with_weights(model, x_test)
        results[name] = {
            "accuracy": (predictions == test.labels).float().mean().item(),
            "final_loss": history[-1]["loss"],
            "epochs": epochs,
            "wall_s": time.perf_counter() - wall,
            "cpu_s": time.process_time() - cpu,
        }
        print(
            f"{speaker:<10} {name:<5} accuracy {results[name]['accuracy']:.4f}  "
            f"wall {results[name]['wall_s']:6.1f} s  cpu {results[name]['cpu_s']:6.1f} s",
            flush=True,
        )
    return results, train.source


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipe", default="baseline", help="baseline, or " + "+".join(CHANGES))
    parser.add_argument("--models", default="soft,mean,hard")
    parser.add_argument("--speakers", default=",".join(SPEAKERS))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=None, help="write the results as JSON here")
    args = parser.parse_args(argv)
    changes = [] if args.recipe == "baseline" else args.recipe.split("+")
    if not changes or not set(changes) <= set(CHANGES) or len(set(changes)) < len(changes):
        if args.recipe != "baseline":
            parser.error(f"--recipe must be baseline or distinct changes of {CHANGES} joined by +")
    torch.set_num_threads(1)  # as in the chapter: small convolutions, reproducible numbers
    models = args.models.split(",")
    start = time.perf_counter()
    results, source = [], ""
    for speaker in args.speakers.split(","):
        per_model, source = fold(speaker, models, args.recipe, args.seed)
        results += [{"speaker": speaker, "model": m, **r} for m, r in per_model.items()]
    summary = {}
    for name in models:
        accs = [r["accuracy"] for r in results if r["model"] == name]
        summary[name] = {
            "mean": statistics.fmean(accs),
            "std": statistics.stdev(accs) if len(accs) > 1 else 0.0,
            "min": min(accs),
            "max": max(accs),
        }
        print(
            f"{args.recipe} {name:<5} over {len(accs)} speakers: mean {summary[name]['mean']:.4f}  "
            f"sd {summary[name]['std']:.4f}  min {summary[name]['min']:.4f}  "
            f"max {summary[name]['max']:.4f}"
        )
    print(f"data: {source}")
    result = report.make(
        argv,
        threads=torch.get_num_threads(),
        settings={
            "recipe": args.recipe,
            "models": models,
            "speakers": args.speakers.split(","),
            "seed": args.seed,
            "base_epochs": BASE_EPOCHS,
            "speeds": list(SPEEDS) if "speed" in args.recipe else None,
            "specaugment": repr(SpecAugment(seed=args.seed))
            if "specaugment" in args.recipe
            else None,
        },
        results=results,
        data=source,
        summary=summary,
        wall_s=round(time.perf_counter() - start, 1),
    )
    print(f"total wall {result['wall_s']:.0f} s, peak RSS {result['peak_rss_mb']:.0f} MB")
    if args.out:
        report.write(result, args.out)
    return result


if __name__ == "__main__":
    main()
