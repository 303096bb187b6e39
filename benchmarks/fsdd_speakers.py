"""Leave-one-speaker-out accuracy on FSDD for chapter 7's three poolings (soft, mean, hard).

Six speakers, three models each, is more training than chapter 7's 120 s allow, so the chapter
runs one fold and quotes this script's logged results for all six. Each fold trains exactly as
the chapter does (same features, normalisation, configuration, epochs and seed, one thread).

    ATTNLIB_DATA=../shared/data python benchmarks/fsdd_speakers.py \
        --out benchmarks/results/fsdd_speakers.json

Prints one line per (speaker, model) and a summary (mean, standard deviation, min and max over
the six speakers), and writes them as JSON to ``--out`` if given.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import sys
import time

import torch

from attnlib.data import load_fsdd
from attnlib.data.fsdd import SPEAKERS
from attnlib.data.speech_features import log_mel_utterances, normalise
from attnlib.models.speech import (
    SpeechClassifier,
    SpeechConfig,
    predict_with_weights,
    train_speech_classifier,
)
from attnlib.training import seed_everything

CONFIGS = {
    "soft": SpeechConfig(pooling="soft"),
    "mean": SpeechConfig(pooling="mean"),
    "hard": SpeechConfig(pooling="hard", k=8, sample=True),
}


def fold(speaker: str, models: list[str], epochs: int) -> tuple[dict, str]:
    """Train every model with ``speaker`` held out; return {model: result} and the data source."""
    train = load_fsdd("train", split_by="speaker", test_speaker=speaker)
    test = load_fsdd("test", split_by="speaker", test_speaker=speaker)
    x_train, std = normalise(log_mel_utterances(train.waveforms))
    x_test, _ = normalise(log_mel_utterances(test.waveforms), std)
    results = {}
    for name in models:
        wall, cpu = time.perf_counter(), time.process_time()
        seed_everything(0)  # the initialisation: train_speech_classifier's default seed
        model = SpeechClassifier(CONFIGS[name])
        history = train_speech_classifier(
            model, x_train, train.labels, epochs=epochs, desc=f"{speaker}/{name}"
        )
        predictions, _ = predict_with_weights(model, x_test)
        results[name] = {
            "accuracy": (predictions == test.labels).float().mean().item(),
            "final_loss": history[-1]["loss"],
            "wall_s": time.perf_counter() - wall,
            "cpu_s": time.process_time() - cpu,
        }
        print(
            f"{speaker:<10} {name:<5} accuracy {results[name]['accuracy']:.4f}  "
            f"wall {results[name]['wall_s']:6.1f} s  cpu {results[name]['cpu_s']:6.1f} s",
            flush=True,
        )
    return results, train.source


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default="soft,mean,hard")
    parser.add_argument("--speakers", default=",".join(SPEAKERS))
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--out", default=None, help="write the results as JSON here")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)  # as in the chapter: small convolutions, reproducible numbers
    models = args.models.split(",")
    start = time.perf_counter()
    per_speaker, source = {}, ""
    for speaker in args.speakers.split(","):
        per_speaker[speaker], source = fold(speaker, models, args.epochs)
    summary = {}
    for name in models:
        accs = [per_speaker[s][name]["accuracy"] for s in per_speaker]
        summary[name] = {
            "mean": statistics.fmean(accs),
            "std": statistics.stdev(accs) if len(accs) > 1 else 0.0,
            "min": min(accs),
            "max": max(accs),
        }
        print(
            f"{name:<5} over {len(accs)} speakers: mean {summary[name]['mean']:.4f}  "
            f"sd {summary[name]['std']:.4f}  min {summary[name]['min']:.4f}  "
            f"max {summary[name]['max']:.4f}"
        )
    print(f"data: {source}")
    report = {
        "command": "python benchmarks/fsdd_speakers.py "
        + " ".join(sys.argv[1:] if argv is None else argv),
        "data": source,
        "epochs": args.epochs,
        "torch": torch.__version__,
        "machine": platform.machine(),
        "threads": torch.get_num_threads(),
        "load_average": os.getloadavg(),
        "wall_s": time.perf_counter() - start,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "per_speaker": per_speaker,
        "summary": summary,
    }
    print(
        f"total wall {report['wall_s']:.0f} s, peak RSS {report['peak_rss_mb']:.0f} MB, "
        f"load average {report['load_average']}"
    )
    if args.out:
        with open(args.out, "w") as f:
            json.dump(report, f, indent=1)


if __name__ == "__main__":
    main()
