"""Cleaning drops page furniture and keeps every sentence of the article."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.chunking import split_sentences
from index.clean import clean_text, is_furniture, normalize_text
from tests.conftest import SEEDS

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
        # newsletter and sign-up boxes, run together on one line as scrapers leave them
        "Harbour Deals Want more bargains in your inbox? Sign up for Harbour Daily's Deals "
        "newsletter. Loading... Sign Me Up By signing up you agree to our Terms of Use and "
        "Privacy Policy Thanks for signing up!",
        "skip past newsletter promotion Sign up to Morning Tide Free daily newsletter The day's "
        "top stories from the coast Privacy Notice: Newsletters may contain info about "
        "charities, online ads, and content funded by outside parties. after newsletter "
        "promotion",
        "Stay ahead of the tide with our free weekly Coast Edit newsletter Please enter a valid "
        "email address Please enter a valid email address SIGN UP I would like to be emailed "
        "about offers, events and updates from the Courier. Read our privacy notice",
        "Coast Edit email {{ #verifyErrors }} {{ message }} {{ /verifyErrors }} Something went "
        "wrong. Please try again later",
        "Welcome to Coast Weekly. Sign up here to get it in your inbox every Friday.",
        "You can also follow the trial in the Courier's Court Report newsletter, which arrives "
        "every Thursday at noon.",
        "Listen to Tide Talk, a show about the coast and its people. Subscribe here!",
        # calls to action in capitals, apps, links to other stories
        "CLICK HERE TO SIGN UP FOR OUR WEATHER NEWSLETTER",
        "CLICK HERE TO GET THE COASTAL COURIER APP",
        "For more on the regatta results click here!",
        "Related Pages:",
        "Related: How the old bridge was built in 1902",
        "Related The best rain jackets for the coast",
        "READ MORE: Council votes to extend ferry hours",
        "MORE: Watch the harbour regatta live (free trial)",
        "Read more on coastal walks:",
        "HARBOUR BAKERY WINS THE REGIONAL PRIZE FOR THE THIRD YEAR RUNNING: 'WE ARE THRILLED'",
        # tip boxes and social prompts
        "Do you work at the port authority and know more about the closure? Get in touch with "
        "the Courier",
        "Got a news tip? Email us at tips@courier.example or click here to contact us securely.",
        "Courier Deals on X / Join more than 12,000 followers and keep up with the best local "
        "deals with @courierdeals Follow us!",
        "Facebook Twitter Whatsapp Reddit Email Share",
        # disclosures, republication notes, consent and embeds, ad slots, credits, widgets
        "We test products independently. If you buy something using links in our stories, we "
        "may earn a commission. This helps support our journalism.",
        "This article was originally published on CoastWire.example",
        "We use cookies to improve your experience. By continuing to use this site you agree "
        "to our cookie policy.",
        "This video cannot be displayed in your browser. Please enable Javascript or try a "
        "different browser.",
        "View this post on Instagram A post shared by Harbour Bakery (@harbourbakery)",
        "ADVERTISEMENT Article continues below this ad",
        "Photo by Jane Roe / Coastal Courier",
        "(Getty Images)",
        "Loading . . .",
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
        # quotes, short sentences, datelines, headings, list items, scores
        '"Sign up for this? No chance," the mayor said when asked about the scheme.',
        "“If you want to get in touch with someone, you just call them,” she said.",
        "No one was hurt.",
        "WASHINGTON (AP) — The Senate passed the bill on Tuesday.",
        "September 28, 2020",
        "2024-08-16 09:42:49",
        "Proportional response",
        "'Proportional response'",
        "WHAT HAPPENS NEXT FOR THE HARBOUR?",
        "WEEK 14 FANTASY ADVICE:",
        "1. Check the tide table",
        "12 Maria Lopez, Harbour FC vs. Port United",
        "Harbour FC 2, Port United 1",
        # prose that merely mentions newsletters, sign-ups, apps, cookies, credits
        "The council's newsletter, which is sent to 40,000 homes each month, carried the first "
        "notice of the closure in March, officials said.",
        "Readers who subscribe to the paper's print edition will receive the supplement free on "
        "Saturday, the publisher said.",
        "Subscribers to the newsletter rose by a third last year.",
        "Viewers in Canada can sign up for the streaming service, which carries every match.",
        "Developers can sign up on a waitlist to access the API.",
        "Sign up for a new account at the sportsbook using the promo code below to get a $50 "
        "bonus bet.",
        "Download the app: visit the sportsbook's website and create an account.",
        "Users can download the ChatGPT app from the app store, the company said.",
        "By signing up for the free plan with your email, users get 10GB of data a month.",
        "As we mentioned before, a router can provide nearly unlimited access to devices.",
        "Meta's cookie policy was criticised by regulators in Brussels.",
        "Click here, she told me, and the whole screen went dark.",
        "The fight is live on the streaming service from 8 p.m. (subscribe now) and the card "
        "starts an hour earlier.",
        "Related to the fire, three people were questioned by police on Monday.",
        "More than 200 people attended the meeting: residents, traders and councillors.",
        "Photos by the agency showed damage to the roof.",
        "Reuters reported that the talks had stalled.",
        "Getty Images said it would appeal the ruling.",
    ],
)
def test_prose_that_mentions_furniture_words_is_kept(line: str) -> None:
    assert not is_furniture(line)
    assert clean_text(f"{line}\n") == line
    # and between two paragraphs of an article
    first, second = ARTICLE.strip().split("\n")
    assert clean_text(f"{first}\n{line}\n{second}\n") == f"{first}\n{line}\n{second}"


@pytest.mark.parametrize(
    ("line", "kept"),
    [
        (  # a caption keeps its words, not its credit
            "Harbour FC's captain lifts the cup on Saturday. Photograph: Jane Roe/Coastal Courier",
            "Harbour FC's captain lifts the cup on Saturday.",
        ),
        (  # a call to action after an article sentence
            "The final will be shown on Channel 4 and streamed online. CLICK HERE for a seven-day "
            "free trial of the streaming service",
            "The final will be shown on Channel 4 and streamed online.",
        ),
        (
            "Officials announced the closure on Tuesday, citing safety concerns raised by "
            "inspectors last month. Sign up for our newsletter.",
            "Officials announced the closure on Tuesday, citing safety concerns raised by "
            "inspectors last month.",
        ),
        (
            "The council published its list of the repairs planned for the harbour wall this "
            "winter. If you have a tip about the works, contact us here.",
            "The council published its list of the repairs planned for the harbour wall this "
            "winter.",
        ),
        (  # toolbar text run into the first paragraph
            "Save Log in , register or subscribe to save articles for later. Got it Normal text "
            "size Larger text size Very large text size The harbour will close for repairs next "
            "month, the council said.",
            "The harbour will close for repairs next month, the council said.",
        ),
        (  # a newsletter's greeting before its news
            "Hey, folks, and welcome to Coast Weekly, the Courier's newsletter about the region. "
            "This week the ferry strike ended after nine days of talks between the union and the "
            "operator.",
            "This week the ferry strike ended after nine days of talks between the union and the "
            "operator.",
        ),
        (  # furniture between article sentences: the line stays whole
            "The ferry resumed on Monday. Sign up for our newsletter. Tickets cost £4 each way, "
            "the operator said in a statement on its website.",
            "The ferry resumed on Monday. Sign up for our newsletter. Tickets cost £4 each way, "
            "the operator said in a statement on its website.",
        ),
    ],
)
def test_a_line_mixing_furniture_and_article_keeps_the_article(line: str, kept: str) -> None:
    assert clean_text(line) == kept


# What the seed articles carry besides the article: every other line's sentences must stay.
SEED_FURNITURE = {
    "002_56d4c4de09e552c3": {"Published under: Iran , Iraq , Mike Pompeo"},
    "003_4d07f30f24df0013": {
        "VIDEO: Missiles were fired at the US embassy in Iraq",
        "#Missiles #fired #embassy #Iraq",
        "Share:", "Facebook", "Twitter", "Pinterest", "LinkedIn", "Leave a Reply",
        "Your email address will not be published. Required fields are marked *",
        "This site uses Akismet to reduce spam. Learn how your comment data is processed.",
    },
    "004_3894ad7ec5602dc1": {
        "Disclaimer: No Business Standard Journalist was involved in creation of this content"
    },
}
# Seed 004 ends with a paywall offer: everything from this line on is the offer.
SEED_OFFER_FROM = {"004_3894ad7ec5602dc1": "You’ve reached your limit of {{free_limit}}"}


@pytest.mark.parametrize("path", sorted(SEEDS.glob("*.txt")), ids=lambda p: p.stem)
def test_every_sentence_of_the_seed_articles_stays(path: Path) -> None:
    lines = normalize_text(path.read_text(encoding="utf-8")).split("\n")
    marker = SEED_OFFER_FROM.get(path.stem)
    if marker:
        cut = next(i for i, line in enumerate(lines) if line.startswith(marker))
        lines, offer = lines[:cut], lines[cut:]
    else:
        offer = []
    furniture = SEED_FURNITURE.get(path.stem, set())
    cleaned = clean_text(path.read_text(encoding="utf-8"))
    kept_lines = set(cleaned.split("\n"))
    for line in lines:
        if not line or line in furniture:
            continue
        for a, b in split_sentences(line):
            assert line[a:b] in cleaned, line[a:b]
    for line in furniture | {x for x in offer if x}:
        assert line not in kept_lines, line


def test_invisible_and_control_characters_are_removed() -> None:
    assert normalize_text("Zero\u200bwidth\x00 and\u00a0nbsp\r\nnext") == "Zerowidth and nbsp\nnext"
