"""Unanswered questions group by wording: the same question asked differently is one content gap."""

from __future__ import annotations

from review.unanswered import Asked, group


def asked(*texts: str) -> list[Asked]:
    return [Asked(text, f"conversation-{number}", float(number)) for number, text in enumerate(texts)]


def test_the_same_question_in_other_words_is_one_group_named_by_its_most_common_wording():
    groups = group(
        asked(
            "does insurance cover ketamine",
            "Does insurance cover ketamine?",
            "does insurance cover ketamine",
            "is ketamine covered by insurance",
            "what is the weather today",
        )
    )
    assert [found.count for found in groups] == [4, 1]
    assert groups[0].wording == "does insurance cover ketamine"
    assert set(groups[0].other_wordings) == {"Does insurance cover ketamine?", "is ketamine covered by insurance"}
    assert len(groups[0].conversations) == 4


def test_questions_sharing_only_common_words_stay_apart():
    groups = group(asked("what is the weather", "what is the cost of tms", "what is the dose for my cat"))
    assert [found.count for found in groups] == [1, 1, 1]


def test_the_largest_groups_come_first_then_the_most_recent():
    groups = group(asked("qwxz", "blorp", "blorp"))
    assert [found.wording for found in groups] == ["blorp", "qwxz"]
