"""Cleaning drops page furniture and keeps every sentence of the article."""

from __future__ import annotations

import pytest

from index.clean import clean_text, is_furniture, normalize_text

ARTICLE = (
    "Officials said on Tuesday that the bridge would reopen next month after repairs.\n"
    "The work cost about $4.5 million, according to the city's transport department.\n"
)


@pytest.mark.parametrize(
    "furniture",
    [
        "Share:\nFacebook\nTwitter\nPinterest\nLinkedIn",
        "Share this article\nWhatsApp\nEmail\nPrint",
        "#Bridge #City #Repairs",
        "Leave a Reply\nYour email address will not be published. Required fields are marked *\n"
        "Comment *\nName *\nEmail *\nWebsite\nSave my name, email, and website in this browser.\n"
        "Post Comment",
        "This site uses Akismet to reduce spam. Learn how your comment data is processed.",
        "Disclaimer: No staff journalist was involved in creation of this content",
        "You’ve reached your limit of {{free_limit}} free articles this month.\n"
        "Subscribe now for unlimited access.\nAlready subscribed? Log in\nBasic\n$9.99\n1 Month\n"
        "Premium\n$99\n1 Year\n$8.25/Month\nRenews automatically, cancel anytime\n"
        "Ad-free reading\nExclusive stories from our newsroom",
        "Published under: Bridges , City Hall",
        "Tags: bridge, transport",
        "Advertisement",
        "© 2023 Example News. All rights reserved.",
    ],
)
@pytest.mark.parametrize("where", ["before", "after", "between"])
def test_furniture_is_dropped_and_article_kept(furniture: str, where: str) -> None:
    first, second = ARTICLE.strip().split("\n")
    page = {
        "before": f"{furniture}\n\n{ARTICLE}",
        "after": f"{ARTICLE}\n{furniture}\n",
        "between": f"{first}\n{furniture}\n{second}\n"
        if "Subscribe" not in furniture
        # a paywall block ends where article prose resumes
        else f"{first}\n{furniture}\n{second}\n",
    }[where]
    cleaned = clean_text(page)
    assert first in cleaned and second in cleaned
    for line in furniture.split("\n"):
        assert line.strip() not in cleaned.split("\n"), line


def test_paywall_block_runs_until_prose_resumes() -> None:
    page = (
        "Subscribe to read the full story →\nSmart Quarterly\n₹900\n3 Months\n"
        "Complimentary Access to The New York Times\n"
        "The minister later told parliament that the budget would be revised before the vote.\n"
    )
    assert clean_text(page) == (
        "The minister later told parliament that the budget would be revised before the vote."
    )


@pytest.mark.parametrize(
    "line",
    [
        "Share prices fell 3% on Monday after the company warned on profits.",
        "Twitter said it would review the policy, according to a statement.",
        "The comment form was added to the council's website in 2019, officials said.",
        "Subscribers to the service rose by a third, the company said in its report.",
        "#1 on the list was the new stadium, which opened in May.",
    ],
)
def test_prose_that_mentions_furniture_words_is_kept(line: str) -> None:
    assert not is_furniture(line)
    assert clean_text(f"{line}\n") == line


def test_invisible_and_control_characters_are_removed() -> None:
    assert normalize_text("Zero\u200bwidth\x00 and\u00a0nbsp\r\nnext") == "Zerowidth and nbsp\nnext"
