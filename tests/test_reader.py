"""A short answer read again: stated only when the model, reading its sentence, names it."""

from __future__ import annotations

from typing import ClassVar

import pytest

from rag.answer.lead import LeadChoice
from rag.answer.reader import READ_BELOW, ModelReader, confirms, read_again, reading_prompt
from rag.errors import RuntimeFailure
from rag.llms.embedded import EmbeddedLLM, default_gguf_path
from rag.llms.model import NewsLLM
from tests.support.fake_llm import ScriptedLLM
from tests.support.ranked import ranked_sentences

SENTENCE = ("The city museum reopened on June 3, 2019, after a two-year renovation led by "
            "the architect Kari Berg, at a cost of $40 million.")


@pytest.mark.parametrize(
    ("reading", "value", "named"),
    [
        ("December 26, 2021", "December 26th", True),  # a date in two wordings
        ("Jesse Bradley", "Pastor Jesse Bradley", True),
        ("Grace Community Church", "of Grace Community Church", True),  # "of" set aside
        ("$8 billion", "around $8billion", True),  # the hedge and the space set aside
        ("2.2 million", "2.2", True),
        ("five", "5", True),  # a number word and its digits
        ("Richmond", "Cairns", False),
        ("The tiger", "SEO", False),
        ("the", "the Hawks", False),  # a filler word is no name
        ("", "Cairns", False),
        ("Cairns", "", False),
    ],
)
def test_a_reading_names_a_value_in_any_wording(reading: str, value: str, named: bool) -> None:
    assert confirms(reading, value) is named


def test_the_prompt_ends_with_the_sentence_and_the_question_for_the_model_to_answer() -> None:
    prompt = reading_prompt("Who led the renovation?", "A  renovation\nled by Kari Berg.")
    assert prompt.endswith("Text: A renovation led by Kari Berg.\n"
                           "Question: Who led the renovation?\nAnswer:")
    assert "Kari Berg" not in prompt.split("Text: A renovation")[0]  # no example gives it away


def _choice(value: str, confidence: float = 0.8) -> LeadChoice:
    support = tuple(ranked_sentences([SENTENCE])[:1])
    return LeadChoice(value, support, confidence, None, "“x” at 0.80")


@pytest.mark.parametrize(
    ("reading", "stated"),
    [
        ("Kari Berg", "Kari Berg"),  # the model names it: stated
        ("June 3, 2019", None),  # the model names something else: withheld
        ("", None),  # the model names nothing: withheld
        (None, "Kari Berg"),  # no model to read with: the composer alone decides
    ],
)
def test_a_lead_is_stated_only_when_the_reading_names_it(reading: str | None,
                                                        stated: str | None) -> None:
    asked: list[tuple[str, str]] = []

    def reader(question: str, sentence: str) -> str | None:
        asked.append((question, sentence))
        return reading

    choice = read_again(_choice("Kari Berg"), "Who led the renovation?", reader)
    assert choice.value == stated
    assert asked == [("Who led the renovation?", SENTENCE)]
    assert choice.support and choice.note.startswith("“x” at 0.80; ")


def test_no_lead_and_a_sure_lead_are_not_read() -> None:
    def reader(question: str, sentence: str) -> str | None:
        raise AssertionError("read again")

    assert read_again(LeadChoice(None), "Who?", reader).value is None
    sure = _choice("Kari Berg", READ_BELOW)
    assert read_again(sure, "Who led the renovation?", reader) == sure


def test_a_scripted_double_is_not_asked_to_read() -> None:
    llm = ScriptedLLM(replies=["Kari Berg"])
    assert ModelReader(lambda: llm)("Who led the renovation?", SENTENCE) is None
    assert llm.prompts == []


class _ReadingDouble(ScriptedLLM):
    reads_sentences: ClassVar[bool] = True


def test_a_model_that_fails_mid_reading_leaves_the_lead_to_the_composer() -> None:
    llm = _ReadingDouble(replies=["Kari"], fail_with=RuntimeFailure("the model died"))
    reader = ModelReader(lambda: llm)
    assert reader("Who led the renovation?", SENTENCE) is None
    assert read_again(_choice("Kari Berg"), "Who led the renovation?", reader).value == "Kari Berg"
    assert len(llm.prompts) == 2 and llm.prompts[0].endswith("Who led the renovation?\nAnswer:")


def test_a_reading_model_is_asked_and_its_line_is_the_reading() -> None:
    llm = _ReadingDouble(replies=["Kari Berg\nQuestion: more"])
    assert ModelReader(lambda: llm)("Who led the renovation?", SENTENCE) == "Kari Berg"


@pytest.mark.model
def test_the_embedded_model_reads_a_sentence_it_has_never_seen() -> None:
    """The real bundled model, prompted as the answerer prompts it: it names the value a
    question asks for, and not another value of the same sentence."""
    with EmbeddedLLM(model_path=default_gguf_path(), temperature=0.0, seed=0) as llm:
        model: NewsLLM = llm
        reader = ModelReader(lambda: model)
        who = reader("Who led the renovation of the city museum?", SENTENCE)
        assert who is not None and confirms(who, "Kari Berg"), who
        assert not confirms(who, "June 3, 2019")
        when = reader("When did the city museum reopen?", SENTENCE)
        assert when is not None and confirms(when, "June 3, 2019"), when
        assert not confirms(when, "Kari Berg")
