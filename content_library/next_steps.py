"""The next steps offered after the crisis reply, and the safety plan, from content/next_steps.yml.

The build script makes the responses from these, the tests check the replies against them, and the
widget gets the plan's words in the reply's custom payload: one definition of each step.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from content_library.load import CONTENT_DIR

# The message after the crisis reply that offers the steps (the rules send it after every crisis reply).
NEXT_STEPS_REPLY = "utter_crisis_next_steps"


def _one_line(text: str) -> str:
    return " ".join(text.split())


@dataclass(frozen=True)
class NextStep:
    """One next step: its id is the intent its button sends, and names the response that answers it."""

    id: str
    label: str
    text: str

    @property
    def button(self) -> dict:
        return {"title": self.label, "payload": f"/{self.id}"}

    @property
    def response(self) -> str:
        return f"utter_{self.id}"


@dataclass(frozen=True)
class PlanStep:
    title: str
    hint: str


@dataclass(frozen=True)
class SafetyPlan:
    """The six Stanley-Brown steps, as the widget's form shows them and as text for the other apps."""

    title: str
    steps: tuple[PlanStep, ...]
    text_note: str
    form_note: str
    save_label: str
    print_label: str
    file_name: str
    step_label: str  # "Step {number}"

    @property
    def steps_text(self) -> str:
        # "Step 1 – ..." rather than "1. ...": over SMS a bare number answers a numbered choice
        lines = [
            f"{self.step_label.format(number=number)} – {step.title}: {step.hint}"
            for number, step in enumerate(self.steps, 1)
        ]
        return "\n".join(lines)

    @property
    def form(self) -> dict:
        """The widget's form, in the reply's custom payload: only words, the answers stay in the browser."""
        return {
            "title": self.title,
            "note": self.form_note,
            "steps": [{"title": step.title, "hint": step.hint} for step in self.steps],
            "save": self.save_label,
            "print": self.print_label,
            "file": self.file_name,
        }


@dataclass(frozen=True)
class NextSteps:
    follows: tuple[str, ...]
    offer: str
    steps: dict[str, NextStep]
    plan: SafetyPlan


def _next_steps(entry: dict, follows: tuple[str, ...]) -> NextSteps:
    plan = entry["safety_plan"]
    return NextSteps(
        follows=follows,
        offer=_one_line(entry["offer"]),
        steps={
            step_id: NextStep(step_id, step["label"], _one_line(step["text"]))
            for step_id, step in entry["steps"].items()
        },
        plan=SafetyPlan(
            title=plan["title"],
            steps=tuple(PlanStep(step["title"], _one_line(step["hint"])) for step in plan["steps"]),
            text_note=_one_line(plan["text_note"]),
            form_note=_one_line(plan["form_note"]),
            save_label=plan["save_label"],
            print_label=plan["print_label"],
            file_name=plan["file_name"],
            step_label=plan["step_label"],
        ),
    )


def _read(content_dir: Path) -> dict:
    with (content_dir / "next_steps.yml").open(encoding="utf-8") as file:
        return yaml.safe_load(file)


def load_next_steps(content_dir: Path = CONTENT_DIR) -> NextSteps:
    """The next steps in English."""
    entry = _read(content_dir)
    return _next_steps(entry, tuple(entry["follows"]))


def load_translated_next_steps(content_dir: Path = CONTENT_DIR) -> dict[str, NextSteps]:
    """The next steps in each language of the file's `languages`, each with every English step (its
    button sends the same intent) and the plan's six steps: a translation that drops one is refused."""
    entry = _read(content_dir)
    english = _next_steps(entry, tuple(entry["follows"]))
    translations = {}
    for code, words in entry.get("languages", {}).items():
        translated = _next_steps(words, english.follows)
        if list(translated.steps) != list(english.steps) or len(translated.plan.steps) != len(english.plan.steps):
            raise ValueError(f"next_steps.yml, {code}: the steps and the plan's steps must be those of the English")
        translations[code] = translated
    return translations
