"""Speed and cost under load: this assistant against Rasa's default configuration, on the same domain and data.

    .venv/bin/python bench/load.py [--levels 1 10 50] [--rounds 3] [--retrain] [--config config.yml]

In one run, for both configurations: training time and model size, NLU test-set macro F1, NLU parse time
per message (and the crisis detector's share of ours), then reply time over the REST channel with 1, 10
and 50 conversations at once (10 turns each, every conversation sending its next message as soon as its
reply arrives; each level run three times over with fresh conversations, pooled, the servers taking
turns), and the resident memory of the Rasa server and the action server after that load.

The baseline is what `rasa init` gets when config.yml names no pipeline and no policies: a config with only
recipe, language and assistant_id, which Rasa fills with its defaults. It is trained on the same domain and
data and served twice: as ours is (same endpoints, event broker and action server settings: only config.yml
differs, the issue's baseline, which the targets are judged against), and on Rasa's own SQL conversation
store in place of ours (Rasa as it comes, but for the event broker, which crisis alerts need). Both models
are kept in --models (a temp folder) with their training time, and reused while config, domain, data and
components are unchanged (--retrain trains them again). Writes results/bench/load.json, load.md and reply_time.png.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
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
import yaml

PROJECT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(PROJECT), str(PROJECT / "bench")]
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from crisis_detector import load_detector, time_each  # noqa: E402
from nlu_parse_time import measure  # noqa: E402
from rest_reply_time import TURNS, percentile  # noqa: E402

from scripts.stack import ACTION_SERVER_UNDER_LOAD, BIN, Server, start_actions, start_rasa  # noqa: E402

BASELINE_CONFIG = "recipe: default.v1\nlanguage: en\nassistant_id: trd-baseline\n"
# The baseline is served twice: as ours is (the baseline: only config.yml differs) and as Rasa comes,
# with Rasa's own SQL conversation store in place of ours, which redacts and reads a conversation once per
# message where Rasa's reads it twice when an event broker is set. Name: (model, conversation store).
SERVED = {"ours": ("ours", None), "baseline": ("baseline", None), "stock": ("baseline", "sql")}
# what a model is trained from besides its config
TRAINING_FOLDERS = ["domain", "data", "components"]
TRAINING_TIMEOUT_SECONDS = 2 * 3600
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
    for name in TRAINING_FOLDERS:
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
        subprocess.run(
            command,
            cwd=PROJECT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            check=True,
            timeout=TRAINING_TIMEOUT_SECONDS,
        )
        seconds = time.monotonic() - started
    today = datetime.date.today().isoformat()
    record.write_text(json.dumps({"inputs": digest, "seconds": seconds, "trained_on": today}))
    return Model(name, model, seconds, today)


def macro_f1(model: Model) -> float:
    """The NLU test set scored as `make nlu-test` scores it (tests/nlu_report.py's macro F1)."""
    with tempfile.TemporaryDirectory(prefix=f"bench-nlu-{model.name}-") as out:
        command = [str(BIN / "rasa"), "test", "nlu", "--nlu", "tests/nlu", "--model", str(model.path), "--out", out]
        subprocess.run(command, cwd=PROJECT, capture_output=True, check=True, timeout=1800)
        report = [sys.executable, "tests/nlu_report.py", str(Path(out) / "intent_report.json")]
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


@dataclass
class Run:
    """One round of a level: every reply time, the failed turns, and how long the round took."""

    times_ms: list[float]
    errors: int
    seconds: float


async def load_round(url: str, conversations: int) -> Run:
    times_ms: list[float] = []
    timeout = aiohttp.ClientTimeout(total=REPLY_TIMEOUT_SECONDS)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0), timeout=timeout) as session:
        started = time.perf_counter()
        errors = await asyncio.gather(*(conversation(session, url, times_ms) for _ in range(conversations)))
        return Run(times_ms, sum(errors), time.perf_counter() - started)


def pooled(conversations: int, runs: list[Run]) -> Level:
    times_ms = [ms for run in runs for ms in run.times_ms]
    return Level(
        conversations,
        len(times_ms),
        sum(run.errors for run in runs),
        sum(run.seconds for run in runs),
        statistics.median(times_ms),
        percentile(times_ms, 0.95),
        percentile(times_ms, 0.99),
    )


def resident_mib(pid: int) -> float:
    """Resident memory of a process and its children, from /proc."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    rss_kib = int(re.search(r"VmRSS:\s+(\d+)", Path(f"/proc/{pid}/status").read_text()).group(1))
    return rss_kib / 1024 + sum(resident_mib(int(child)) for child in children)


def endpoints_with_tracker_store(store_type: str | None, folder: Path) -> Path:
    """endpoints.yml, or a copy in `folder` with another conversation store in the same SQLite file (Rasa's
    SQL store takes no empty host or port, as the servers here have)."""
    if store_type is None:
        return PROJECT / "endpoints.yml"
    endpoints = yaml.safe_load((PROJECT / "endpoints.yml").read_text())
    endpoints["tracker_store"] = {"type": store_type, "dialect": "sqlite", "db": "${TRACKER_DB}"}
    path = folder / f"endpoints-{store_type}.yml"
    path.write_text(yaml.safe_dump(endpoints))
    return path


def serve_under_load(models: dict[str, Model], levels: list[int], rounds: int) -> dict[str, dict]:
    """Each of SERVED on its own Rasa server and action server, all up at once. The rounds take turns, so
    whatever else the machine does meanwhile weighs on all alike; only one server is loaded at a time."""
    with contextlib.ExitStack() as running:
        urls, processes = {}, {}
        for name, (model_name, store_type) in SERVED.items():
            model = models[model_name]
            tmp = Path(running.enter_context(tempfile.TemporaryDirectory(prefix=f"bench-load-{name}-")))
            endpoints = endpoints_with_tracker_store(store_type, tmp)
            actions: Server = start_actions(f"bench-{name}-actions", extra_env=ACTION_SERVER_UNDER_LOAD)
            running.callback(actions.stop)
            rasa = start_rasa(f"bench-{name}", tmp, f"{actions.url}/webhook", model=model.path, endpoints=endpoints)
            running.callback(rasa.stop)
            urls[name], processes[name] = f"{rasa.url}/webhooks/rest/webhook", (rasa.process, actions.process)
            asyncio.run(load_round(urls[name], 2))  # warm-up: first calls load lazily
        results: dict[str, list[Level]] = {name: [] for name in SERVED}
        for conversations in levels:
            runs: dict[str, list[Run]] = {name: [] for name in SERVED}
            for _ in range(rounds):
                for name in SERVED:
                    runs[name].append(asyncio.run(load_round(urls[name], conversations)))
            for name in SERVED:
                level = pooled(conversations, runs[name])
                print(
                    f"{name}: {conversations:>3} at once: median {level.median_ms:7.1f} ms, p95 "
                    f"{level.p95_ms:7.1f} ms, {level.per_second:5.1f} msg/s, {level.errors} errors",
                    flush=True,
                )
                results[name].append(level)
        return {
            name: {
                "levels": [{**asdict(level), "per_second": level.per_second} for level in results[name]],
                "rasa_mib": resident_mib(processes[name][0].pid),
                "actions_mib": resident_mib(processes[name][1].pid),
            }
            for name in SERVED
        }


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


def load_at(side: dict) -> dict[int, dict]:
    return {level["conversations"]: level for level in side["load"]["levels"]}


def targets(results: dict) -> list[dict]:
    """The issue's targets, judged against the issue's baseline (only config.yml differs); each figure also
    says how ours compares with Rasa's default served on Rasa's own conversation store."""
    ours, baseline, stock = (load_at(results[name]) for name in SERVED)
    top = max(ours)
    rows = []
    if 10 in ours:
        p95, p95_stock = (ratio(ours[10]["p95_ms"], other[10]["p95_ms"]) for other in (baseline, stock))
        rows.append(
            {
                "target": "p95 reply time at 10 conversations <= 60% of the baseline's",
                "figure": f"{p95:.0%} of the baseline's ({p95_stock:.0%} of Rasa's store's)",
                "met": p95 <= TARGETS["p95_ratio_at_10"],
            }
        )
    for level in sorted({10, top} & set(ours)):
        faster, faster_stock = (
            ratio(ours[level]["per_second"], other[level]["per_second"]) for other in (baseline, stock)
        )
        rows.append(
            {
                "target": f"throughput at {level} conversations >= 1.5 x the baseline's",
                "figure": f"{faster:.2f} x ({faster_stock:.2f} x Rasa's store's)",
                "met": faster >= TARGETS["throughput_ratio"],
            }
        )
    errors = ours[top]["errors"]
    rows.append({"target": f"no errors at {top} conversations", "figure": f"{errors} errors", "met": errors == 0})
    f1, f1_baseline = results["ours"]["macro_f1"], results["baseline"]["macro_f1"]
    rows.append(
        {
            "target": "NLU macro F1 not below the baseline's",
            "figure": f"{f1:.3f} vs {f1_baseline:.3f}",
            "met": f1 >= f1_baseline,
        }
    )
    return rows


def table_rows(results: dict) -> list[tuple[str, list[float], str]]:
    """(measure, figures in SERVED's order, number format) for the Markdown table. The model's own figures
    are the same for both ways of serving the baseline."""
    ours, baseline, stock = (results[name] for name in SERVED)
    model_rows = [
        ("training time (s)", "training_seconds", ".0f"),
        ("model size on disk (MiB)", "model_mib", ".1f"),
        ("NLU test set macro F1", "macro_f1", ".3f"),
    ]
    rows = [(name, [ours[key], baseline[key], baseline[key]], form) for name, key, form in model_rows]
    rows += [
        (f"NLU parse time per message, {stat} (ms)", [ours["parse"][key], *[baseline["parse"][key]] * 2], ".1f")
        for stat, key in (("median", "median_ms"), ("p95", "p95_ms"))
    ]
    for level in zip(*(side["load"]["levels"] for side in (ours, baseline, stock)), strict=True):
        n = level[0]["conversations"]
        rows += [
            (f"{n} at once: reply time, {stat} (ms)", [side[key] for side in level], ".0f")
            for stat, key in (("median", "median_ms"), ("p95", "p95_ms"), ("p99", "p99_ms"))
        ]
        rows += [
            (f"{n} at once: messages per second", [side["per_second"] for side in level], ".1f"),
            (f"{n} at once: errors", [side["errors"] for side in level], "d"),
        ]
    rows += [
        (f"{server} memory after load (MiB)", [side["load"][key] for side in (ours, baseline, stock)], ".0f")
        for server, key in (("Rasa server", "rasa_mib"), ("action server", "actions_mib"))
    ]
    return rows


def shown_ratio(ours: float, other: float) -> str:
    value = ratio(ours, other)
    return "" if value != value else f"{value:.2f}"


def markdown(results: dict) -> str:
    m = results["machine"]
    lines = [
        f"Measured on {m['date']}: {m['cpus']} cores ({m['cpu']}), {m['memory_gib']} GiB, Python {m['python']}, "
        f"Rasa {m['rasa']}; conversations of {results['turns']} turns, each level in {results['rounds']} rounds, "
        "over loopback, stored in SQLite. Baseline: Rasa's default config.yml, served as ours is; the last two "
        "columns serve it on Rasa's own SQL conversation store.",
        "",
        "| measure | ours | baseline | ours / baseline | baseline on Rasa's store | ours / that |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, (mine, theirs, stock), form in table_rows(results):
        lines.append(
            f"| {name} | {mine:{form}} | {theirs:{form}} | {shown_ratio(mine, theirs)} "
            f"| {stock:{form}} | {shown_ratio(mine, stock)} |"
        )
    ours = results["ours"]
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


LEGEND = {
    "ours": ("this assistant", "#1d4ed8"),
    "baseline": ("Rasa default config", "#b45309"),
    "stock": ("Rasa default config, Rasa's store", "#6b7280"),
}


def plot(results: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (latency, throughput) = plt.subplots(1, 2, figsize=(12, 4.6))
    for name, (label, colour) in LEGEND.items():
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
        axes.legend(fontsize=8)
    latency.set_yscale("log")
    throughput.set_ylim(bottom=0)
    latency.set_ylabel("reply time (ms, log scale)")
    throughput.set_ylabel("messages per second")
    figure.suptitle(f"REST reply time and throughput, {results['machine']['cpus']} cores, {results['machine']['date']}")
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
    for name, load in serve_under_load(models, args.levels, args.rounds).items():
        results.setdefault(name, {})["load"] = load
    results["targets"] = targets(results)

    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "load.json").write_text(json.dumps(results, indent=2) + "\n")
    (args.out / "load.md").write_text(markdown(results))
    plot(results, args.out / "reply_time.png")
    print()
    print(markdown(results))
    print(f"Written to {args.out}: load.json, load.md, reply_time.png")


if __name__ == "__main__":
    main()
