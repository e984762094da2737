"""Speed and cost under load: this assistant against Rasa's default configuration, on the same domain and data.

    .venv/bin/python bench/load.py [--levels 1 10 50] [--rounds 3] [--retrain] [--config config.yml]

In one run, for both configurations: training time and model size, NLU test-set macro F1, NLU parse time
per message (and the crisis detector's share of ours), then reply time over the REST channel with 1, 10
and 50 conversations at once (10 turns each, every conversation sending its next message as soon as its
reply arrives; each level run three times over with fresh conversations, pooled), and the resident
memory of the Rasa server and the action server after that load.

The baseline is what `rasa init` gets when config.yml names no pipeline and no policies: a config with only
recipe, language and assistant_id, which Rasa fills with its defaults. It is trained on the same domain and
data, and served with the same endpoints and the same action server settings. Both models are kept in
--models (a temp folder) with their training time, and reused while config, domain, data and components
are unchanged (--retrain trains them again). Writes results/bench/load.json, load.md and reply_time.png.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import hashlib
import importlib.metadata
import json
import logging
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path

import aiohttp

PROJECT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(PROJECT), str(PROJECT / "bench")]
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from crisis_detector import load_detector, time_each  # noqa: E402
from nlu_parse_time import measure  # noqa: E402
from rest_reply_time import TURNS, percentile  # noqa: E402

from scripts.stack import ACTION_SERVER_UNDER_LOAD, BIN, Server, start_actions, start_rasa  # noqa: E402

BASELINE_CONFIG = "recipe: default.v1\nlanguage: en\nassistant_id: trd-baseline\n"
TRAINING_INPUTS = ["config.yml", "domain", "data", "components"]
REPLY_TIMEOUT_SECONDS = 120
PARSE_ROUNDS = 3
TARGETS = {"p95_ratio_at_10": 0.60, "throughput_ratio": 1.5}


@dataclass
class Model:
    name: str
    path: Path
    training_seconds: float
    trained_on: str


@dataclass
class Level:
    conversations: int
    messages: int
    errors: int
    seconds: float
    median_ms: float
    p95_ms: float
    p99_ms: float

    @property
    def per_second(self) -> float:
        return (self.messages - self.errors) / self.seconds


def inputs_digest(config_text: str) -> str:
    digest = hashlib.sha256(config_text.encode())
    for name in TRAINING_INPUTS[1:]:
        for path in sorted((PROJECT / name).rglob("*")):
            if path.is_file() and path.suffix in (".yml", ".py"):
                digest.update(path.relative_to(PROJECT).as_posix().encode() + path.read_bytes())
    return digest.hexdigest()


def trained(name: str, config_text: str, models: Path, retrain: bool) -> Model:
    """The model of this config on the project's domain and data, trained unless an identical one is kept."""
    folder = models / name
    record, model = folder / "training.json", folder / f"{name}.tar.gz"
    digest = inputs_digest(config_text)
    if not retrain and record.exists() and model.exists():
        kept = json.loads(record.read_text())
        if kept["inputs"] == digest:
            print(f"{name}: reusing {model} (trained {kept['trained_on']})", flush=True)
            return Model(name, model, kept["seconds"], kept["trained_on"])
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "config.yml"
    config.write_text(config_text)  # Rasa writes its chosen defaults into a config that leaves them out
    print(f"{name}: training (log: {folder}/train.log)...", flush=True)
    command = [str(BIN / "rasa"), "train", "--config", str(config), "--domain", "domain", "--data", "data"]
    command += ["--out", str(folder), "--fixed-model-name", name]
    # An empty cache of its own: a training from scratch, unaffected by what other trainings left in .rasa/
    with tempfile.TemporaryDirectory(prefix="bench-rasa-cache-") as cache, (folder / "train.log").open("w") as log:
        started = time.monotonic()
        env = {**os.environ, "RASA_CACHE_DIRECTORY": cache}
        subprocess.run(command, cwd=PROJECT, env=env, stdout=log, stderr=subprocess.STDOUT, check=True)
        seconds = time.monotonic() - started
    today = datetime.date.today().isoformat()
    record.write_text(json.dumps({"inputs": digest, "seconds": seconds, "trained_on": today}))
    return Model(name, model, seconds, today)


def macro_f1(model: Model) -> float:
    """The NLU test set scored as `make nlu-test` scores it (tests/nlu_report.py's macro F1)."""
    out = Path(tempfile.mkdtemp(prefix=f"bench-nlu-{model.name}-"))
    command = [str(BIN / "rasa"), "test", "nlu", "--nlu", "tests/nlu", "--model", str(model.path), "--out", str(out)]
    subprocess.run(command, cwd=PROJECT, capture_output=True, check=True)
    report = [sys.executable, "tests/nlu_report.py", str(out / "intent_report.json")]
    printed = subprocess.run(report, cwd=PROJECT, capture_output=True, text=True).stdout
    return float(re.search(r"intent macro F1: ([\d.]+)", printed).group(1))


def parse_times(model: Model, messages: list[str]) -> dict[str, float]:
    times_ms = asyncio.run(measure(model.path, messages, PARSE_ROUNDS))
    return {"median_ms": statistics.median(times_ms), "p95_ms": percentile(times_ms, 0.95)}


def crisis_detector_ms(messages: list[str]) -> float:
    detector, _ = load_detector()
    return statistics.median(time_each(messages, detector.process, PARSE_ROUNDS)) / 1e6


async def conversation(session: aiohttp.ClientSession, url: str, times_ms: list[float]) -> int:
    """One conversation of TURNS; returns how many turns failed (an error status, no answer, or an empty
    reply, which is how Rasa's REST channel answers when handling the message failed)."""
    sender, errors = f"bench-{uuid.uuid4().hex[:10]}", 0
    for text in TURNS:
        started = time.perf_counter()
        try:
            async with session.post(url, json={"sender": sender, "message": text}) as response:
                replies = await response.json() if response.status == 200 else []
        except (aiohttp.ClientError, asyncio.TimeoutError):
            replies = []
        times_ms.append((time.perf_counter() - started) * 1000)
        errors += not replies
    return errors


async def load_level(url: str, conversations: int, rounds: int = 1) -> Level:
    """`conversations` at once, `rounds` times over (fresh conversations each round), pooled."""
    times_ms: list[float] = []
    errors = 0
    timeout = aiohttp.ClientTimeout(total=REPLY_TIMEOUT_SECONDS)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0), timeout=timeout) as session:
        started = time.perf_counter()
        for _ in range(rounds):
            errors += sum(await asyncio.gather(*(conversation(session, url, times_ms) for _ in range(conversations))))
        seconds = time.perf_counter() - started
    return Level(
        conversations,
        len(times_ms),
        errors,
        seconds,
        statistics.median(times_ms),
        percentile(times_ms, 0.95),
        percentile(times_ms, 0.99),
    )


def resident_mib(pid: int) -> float:
    """Resident memory of a process and its children, from /proc."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    rss_kib = int(re.search(r"VmRSS:\s+(\d+)", Path(f"/proc/{pid}/status").read_text()).group(1))
    return rss_kib / 1024 + sum(resident_mib(int(child)) for child in children)


def serve_under_load(model: Model, levels: list[int], rounds: int) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix=f"bench-load-{model.name}-"))
    actions: Server = start_actions(f"bench-{model.name}-actions", extra_env=ACTION_SERVER_UNDER_LOAD)
    rasa = start_rasa(f"bench-{model.name}", tmp, f"{actions.url}/webhook", model=model.path)
    try:
        url = f"{rasa.url}/webhooks/rest/webhook"
        asyncio.run(load_level(url, 2))  # warm-up: first calls load lazily
        results = []
        for conversations in levels:
            level = asyncio.run(load_level(url, conversations, rounds))
            print(
                f"{model.name}: {conversations:>3} conversations: median {level.median_ms:7.1f} ms, p95 "
                f"{level.p95_ms:7.1f} ms, {level.per_second:5.1f} msg/s, {level.errors} errors",
                flush=True,
            )
            results.append(level)
        memory = {"rasa_mib": resident_mib(rasa.process.pid), "actions_mib": resident_mib(actions.process.pid)}
    finally:
        rasa.stop()
        actions.stop()
    return {"levels": [{**asdict(level), "per_second": level.per_second} for level in results], **memory}


def machine() -> dict:
    cpu = re.search(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text())
    memory_kib = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
    return {
        "date": datetime.date.today().isoformat(),
        "cpus": os.cpu_count(),
        "cpu": cpu.group(1).strip() if cpu else platform.processor(),
        "memory_gib": round(memory_kib / 2**20),
        "python": platform.python_version(),
        "rasa": importlib.metadata.version("rasa"),
    }


def ratio(ours: float, baseline: float) -> float:
    return ours / baseline if baseline else float("nan")


def targets(ours: dict, baseline: dict) -> list[dict]:
    """The issue's targets: p95 at 10 conversations, throughput, no errors at the top level, F1 kept."""
    at = {
        name: {lv["conversations"]: lv for lv in side["load"]["levels"]}
        for name, side in (("ours", ours), ("baseline", baseline))
    }
    top = max(at["ours"])
    rows = []
    if 10 in at["ours"]:
        p95 = ratio(at["ours"][10]["p95_ms"], at["baseline"][10]["p95_ms"])
        rows.append(
            {
                "target": "p95 reply time at 10 conversations <= 60% of the baseline's",
                "figure": f"{p95:.0%} of the baseline's",
                "met": p95 <= TARGETS["p95_ratio_at_10"],
            }
        )
    for level in sorted({10, top} & set(at["ours"])):
        throughput = ratio(at["ours"][level]["per_second"], at["baseline"][level]["per_second"])
        rows.append(
            {
                "target": f"throughput at {level} conversations >= 1.5 x the baseline's",
                "figure": f"{throughput:.2f} x",
                "met": throughput >= TARGETS["throughput_ratio"],
            }
        )
    errors = at["ours"][top]["errors"]
    rows.append({"target": f"no errors at {top} conversations", "figure": f"{errors} errors", "met": errors == 0})
    rows.append(
        {
            "target": "NLU macro F1 not below the baseline's",
            "figure": f"{ours['macro_f1']:.3f} vs {baseline['macro_f1']:.3f}",
            "met": ours["macro_f1"] >= baseline["macro_f1"],
        }
    )
    return rows


def table_rows(ours: dict, baseline: dict) -> list[tuple[str, float, float, str]]:
    """(measure, ours, baseline, number format) for the Markdown table."""
    rows = [
        ("training time (s)", ours["training_seconds"], baseline["training_seconds"], ".0f"),
        ("model size on disk (MiB)", ours["model_mib"], baseline["model_mib"], ".1f"),
        ("NLU test set macro F1", ours["macro_f1"], baseline["macro_f1"], ".3f"),
        ("NLU parse time per message, median (ms)", ours["parse"]["median_ms"], baseline["parse"]["median_ms"], ".1f"),
        ("NLU parse time per message, p95 (ms)", ours["parse"]["p95_ms"], baseline["parse"]["p95_ms"], ".1f"),
    ]
    for mine, theirs in zip(ours["load"]["levels"], baseline["load"]["levels"], strict=True):
        n = mine["conversations"]
        rows += [
            (f"{n} at once: reply time, median (ms)", mine["median_ms"], theirs["median_ms"], ".0f"),
            (f"{n} at once: reply time, p95 (ms)", mine["p95_ms"], theirs["p95_ms"], ".0f"),
            (f"{n} at once: reply time, p99 (ms)", mine["p99_ms"], theirs["p99_ms"], ".0f"),
            (f"{n} at once: messages per second", mine["per_second"], theirs["per_second"], ".1f"),
            (f"{n} at once: errors", mine["errors"], theirs["errors"], "d"),
        ]
    rows += [
        ("Rasa server memory after load (MiB)", ours["load"]["rasa_mib"], baseline["load"]["rasa_mib"], ".0f"),
        ("action server memory after load (MiB)", ours["load"]["actions_mib"], baseline["load"]["actions_mib"], ".0f"),
    ]
    return rows


def markdown(results: dict) -> str:
    ours, baseline, m = results["ours"], results["baseline"], results["machine"]
    lines = [
        f"Measured on {m['date']}: {m['cpus']} cores ({m['cpu']}), {m['memory_gib']} GiB, Python {m['python']}, "
        f"Rasa {m['rasa']}; conversations of {results['turns']} turns, each level run {results['rounds']} times, "
        "over loopback, stored in SQLite.",
        "",
        "| measure | ours | Rasa default | ours / default |",
        "|---|---:|---:|---:|",
    ]
    for name, mine, theirs, form in table_rows(ours, baseline):
        shown = ratio(mine, theirs)
        lines.append(f"| {name} | {mine:{form}} | {theirs:{form}} | {'' if shown != shown else f'{shown:.2f}'} |")
    lines += [
        "",
        f"Crisis detector: {ours['crisis_detector_ms']:.2f} ms per message, "
        f"{ours['crisis_detector_ms'] / ours['parse']['median_ms']:.0%} of our median NLU parse time.",
        "",
        "| target | figure | met |",
        "|---|---|---|",
        *(f"| {row['target']} | {row['figure']} | {'yes' if row['met'] else 'NO'} |" for row in results["targets"]),
    ]
    return "\n".join(lines) + "\n"


def plot(results: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (latency, throughput) = plt.subplots(1, 2, figsize=(11, 4.2))
    for name, label, colour in (("ours", "this assistant", "#1d4ed8"), ("baseline", "Rasa default", "#b45309")):
        levels = results[name]["load"]["levels"]
        x = [level["conversations"] for level in levels]
        latency.plot(x, [lv["median_ms"] for lv in levels], "o-", color=colour, label=f"{label}, median")
        latency.plot(x, [lv["p95_ms"] for lv in levels], "s--", color=colour, label=f"{label}, p95")
        throughput.plot(x, [lv["per_second"] for lv in levels], "o-", color=colour, label=label)
    for axes in (latency, throughput):
        axes.set_xscale("log")
        axes.set_xticks(x, [str(n) for n in x])
        axes.set_xlabel("conversations at once")
        axes.grid(alpha=0.3)
        axes.legend()
    latency.set_yscale("log")
    throughput.set_ylim(bottom=0)
    latency.set_ylabel("reply time (ms, log scale)")
    throughput.set_ylabel("messages per second")
    m = results["machine"]
    figure.suptitle(f"REST reply time and throughput, {m['cpus']} cores, {m['date']}")
    figure.tight_layout()
    figure.savefig(path, dpi=110)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--levels", type=int, nargs="+", default=[1, 10, 50], help="conversations at once")
    parser.add_argument("--rounds", type=int, default=3, help="times each level is run, pooled")
    parser.add_argument("--retrain", action="store_true", help="train both models even when kept ones match")
    parser.add_argument("--config", type=Path, default=PROJECT / "config.yml", help="ours (to try a change)")
    parser.add_argument("--out", type=Path, default=PROJECT / "results" / "bench")
    parser.add_argument("--models", type=Path, default=Path(tempfile.gettempdir()) / "trd-bench-models")
    args = parser.parse_args()

    from rasa.shared.nlu.training_data.loading import load_data
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)  # Rasa logs every parse otherwise, inside the timed part

    models = {
        "ours": trained("ours", args.config.read_text(), args.models, args.retrain),
        "baseline": trained("baseline", BASELINE_CONFIG, args.models, args.retrain),
    }
    messages = [example.get("text") for example in load_data(str(PROJECT / "tests" / "nlu")).training_examples]
    results: dict = {"machine": machine(), "turns": len(TURNS), "rounds": args.rounds}
    for name, model in models.items():
        print(f"{name}: NLU test set and parse time...", flush=True)
        results[name] = {
            "training_seconds": model.training_seconds,
            "trained_on": model.trained_on,
            "model_mib": model.path.stat().st_size / 2**20,
            "macro_f1": macro_f1(model),
            "parse": parse_times(model, messages),
        }
    results["ours"]["crisis_detector_ms"] = crisis_detector_ms(messages)
    for name, model in models.items():
        results[name]["load"] = serve_under_load(model, args.levels, args.rounds)
    results["targets"] = targets(results["ours"], results["baseline"])

    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "load.json").write_text(json.dumps(results, indent=2) + "\n")
    (args.out / "load.md").write_text(markdown(results))
    plot(results, args.out / "reply_time.png")
    print()
    print(markdown(results))
    print(f"Written to {args.out}: load.json, load.md, reply_time.png")


if __name__ == "__main__":
    main()
