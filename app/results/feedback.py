"""The feedback questionnaire after the day (stub: helper D)."""

from dataclasses import dataclass, field


@dataclass
class QuestionSummary:
    key: str
    label: str  # in the current locale
    kind: str  # "rating" or "text"
    answers: int  # how many answered this question
    ratings: dict[int, int] = field(default_factory=dict)  # rating: {1: n, ..., 5: n}
    average: float | None = None  # rating
    texts: list[str] = field(default_factory=list)  # text: the answers, in no telling order


@dataclass
class FeedbackSummary:
    invited: int
    answered: int
    questions: list[QuestionSummary]


def summary(event) -> FeedbackSummary | None:
    """The answers counted; None when the event has no questionnaire."""
    return None
