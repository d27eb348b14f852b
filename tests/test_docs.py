"""The documentation stays true: its links lead to files that exist, and its worked example is what the code computes.

Checked documents: README.md and docs/*.md. A *link* is a Markdown link or image (`[text](path)`,
`[name]: path`) whose target is relative (no scheme such as https: or mailto:, not a site path
starting with "/"); it resolves against the document's folder, and its #anchor, when it points into
a Markdown file (or is an anchor alone), must name a heading there (GitHub's heading ids). A
*mention* is a bare `something.md` path anywhere in the text, code included; it resolves against the
document's folder or the repository root.
"""

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import unquote

import pytest
from django.utils import timezone

from shopfloor.catalog.models import Product
from shopfloor.catalog.services import category_named
from shopfloor.commissions.rules import LineFacts, OrderFacts, RuleFacts, Upline, evaluate
from shopfloor.commissions.services import approve_due_earnings
from tests.factories import make_associate, make_customer

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCS = ROOT / "docs"
DOCUMENTS = [README, *sorted(DOCS.glob("*.md"))]

FENCE = re.compile(r"^\s*(```|~~~)")
INLINE_CODE = re.compile(r"`[^`\n]*`")
INLINE_LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE_LINK = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+\"[^\"]*\")?\s*$", re.MULTILINE)
SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://\S+")
MARKDOWN_MENTION = re.compile(r"(?<![\w/.-])((?:\.{1,2}/)*(?:[\w-][\w.-]*/)*[\w-][\w.-]*\.md)\b")
HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*#*\s*$")


def _outside_fences(text: str) -> list[str]:
    """The lines of a Markdown text that are not in a fenced code block."""
    kept, fenced = [], False
    for line in text.splitlines():
        if FENCE.match(line):
            fenced = not fenced
        elif not fenced:
            kept.append(line)
    return kept


def _prose(text: str) -> str:
    """The text without fenced code blocks and inline code, where brackets are not links."""
    return "\n".join(INLINE_CODE.sub("", line) for line in _outside_fences(text))


def heading_anchors(text: str) -> set[str]:
    """The ids GitHub gives the headings of a Markdown text ("Not yet built / differs" → not-yet-built--differs)."""
    anchors, seen = set(), {}
    for line in _outside_fences(text):
        match = HEADING.match(line)
        if match is None:
            continue
        title = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", match.group(1)).replace("`", "")
        slug = re.sub(r"[^\w\- ]", "", title.strip().lower()).replace(" ", "-")
        repeat = seen.get(slug, 0)
        seen[slug] = repeat + 1
        anchors.add(slug if repeat == 0 else f"{slug}-{repeat}")
    return anchors


def link_targets(text: str) -> list[tuple[str, str]]:
    """The relative link targets of a Markdown text, as (path, anchor); an anchor alone has the path ""."""
    prose = _prose(text)
    targets = INLINE_LINK.findall(prose) + REFERENCE_LINK.findall(prose)
    relative = []
    for target in targets:
        if SCHEME.match(target) or target.startswith("/"):
            continue
        path, _, anchor = target.partition("#")
        relative.append((unquote(path.split("?", 1)[0]), unquote(anchor)))
    return relative


def markdown_mentions(text: str) -> list[str]:
    """Every bare `*.md` path in the text (links and code included, web addresses excluded)."""
    return MARKDOWN_MENTION.findall(URL.sub(" ", text))


def _inside_repository(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def broken_links(document: Path, root: Path = ROOT) -> list[str]:
    """The links of `document` that lead to no file or folder of the repository, or to no heading of one."""
    broken = []
    for path, anchor in link_targets(document.read_text(encoding="utf-8")):
        resolved = (document.parent / path).resolve() if path else document
        shown = f"{path}#{anchor}" if anchor else path
        if not (_inside_repository(resolved, root) and resolved.exists() and _has_anchor(resolved, anchor)):
            broken.append(shown)
    return broken


def _has_anchor(path: Path, anchor: str) -> bool:
    """Whether `anchor` names a heading of `path` (anything goes outside Markdown files, or without one)."""
    return not anchor or path.suffix != ".md" or anchor in heading_anchors(path.read_text(encoding="utf-8"))


def missing_mentions(document: Path, root: Path = ROOT) -> list[str]:
    """The `*.md` files `document` mentions that exist neither beside it nor from the repository root."""
    missing = []
    for mention in markdown_mentions(document.read_text(encoding="utf-8")):
        candidates = [(document.parent / mention).resolve(), (root / mention).resolve()]
        if not any(_inside_repository(path, root) and path.is_file() for path in candidates):
            missing.append(mention)
    return missing


def _name(document: Path) -> str:
    return str(document.relative_to(ROOT))


def test_the_docs_folder_has_its_index_design_and_api_guide():
    assert {path.name for path in DOCS.glob("*.md")} >= {"README.md", "design.md", "api.md"}


@pytest.mark.parametrize("document", DOCUMENTS, ids=_name)
def test_every_relative_link_leads_to_a_file_that_exists(document):
    assert broken_links(document) == []


@pytest.mark.parametrize("document", DOCUMENTS, ids=_name)
def test_every_markdown_file_mentioned_exists(document):
    assert missing_mentions(document) == []


def test_the_readme_points_to_the_docs():
    paths = {path for path, _ in link_targets(README.read_text(encoding="utf-8"))}
    assert {"docs/README.md", "docs/design.md", "docs/api.md"} <= paths


# The checker itself -------------------------------------------------------------------------------


def test_the_checker_reports_a_broken_link_and_a_missing_mention(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "here.md").write_text("here")
    (tmp_path / "src").mkdir()
    (tmp_path / "docs" / "part.md").write_text("# Part one\n\n## Not yet built / differs\n")
    document = tmp_path / "README.md"
    document.write_text(
        "# Top\n"
        "[ok](docs/here.md) [image](src/) [gone](docs/gone.md) [code](src/missing.py)\n"
        "[web](https://example.com/x.md) [mail](mailto:a@example.com) [site](/api/v1/docs) [top](#top)\n"
        "[outside](../elsewhere.md) [anchor](docs/part.md#not-yet-built--differs) [lost](docs/part.md#two)\n"
        "[here](#nowhere)\n"
        "[ref]: docs/absent.md\n"
        "See API.md, `docs/here.md` and https://example.com/NOTES.md.\n"
        "```\n# not a heading\n[not a link](nowhere.py) but docs/inside-code.md is a mention\n```\n"
    )
    assert broken_links(document, tmp_path) == ["docs/gone.md", "src/missing.py", "../elsewhere.md",
                                                "docs/part.md#two", "#nowhere", "docs/absent.md"]
    assert missing_mentions(document, tmp_path) == ["docs/gone.md", "../elsewhere.md", "docs/absent.md", "API.md",
                                                    "docs/inside-code.md"]
    assert heading_anchors(document.read_text()) == {"top"}


def test_a_mention_resolves_beside_the_document_or_from_the_root(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "api.md").write_text("api")
    (tmp_path / "README.md").write_text("readme")
    document = tmp_path / "docs" / "index.md"
    document.write_text("See api.md, docs/api.md and README.md; not design.md.")
    assert missing_mentions(document, tmp_path) == ["design.md"]


# The worked example of docs/design.md -------------------------------------------------------------

SHOES = 7
PLACED_AT = datetime(2025, 3, 1, 10, 30, tzinfo=UTC)


def _rule(id, name, kind, value, priority, **conditions):
    return RuleFacts(id=id, name=name, version=1, kind=kind, value=Decimal(value), priority=priority, **conditions)


def _order(lines, discount):
    facts = tuple(
        LineFacts(index=index, sku=sku, quantity=quantity, unit_price=Decimal(price),
                  line_total=Decimal(price) * quantity, category_id=category)
        for index, (sku, quantity, price, category) in enumerate(lines)
    )
    return OrderFacts(associate_id=3, associate_name="Ana", currency="EUR", placed_at=PLACED_AT, lines=facts,
                      subtotal=sum((line.line_total for line in facts), Decimal("0.00")), discount=Decimal(discount))


def _amounts(evaluation):
    return [(p.associate_id, p.rule.name if p.rule else f"level {p.level}", str(p.amount))
            for p in evaluation.proposals]


WORKED_RULES = [
    {"name": "Shoes 10%", "kind": "percentage", "value": "10", "priority": 10, "categories": ["Shoes"]},
    {"name": "Everything 5%", "kind": "percentage", "value": "5", "priority": 1},
    {"name": "Basket bonus", "kind": "fixed_per_order", "value": "3.00", "priority": 5, "min_subtotal": "100.00"},
    {"name": "Socks 0.25 a pair", "kind": "fixed_per_unit", "value": "0.25", "priority": 10,
     "product_skus": ["SOCK-1"]},
]
# What Ana earns on each line and for the order, in the order the entries are written, then the overrides.
WORKED_ENTRIES = [
    (3, "Shoes 10%", "15.29"), (3, "Everything 5%", "1.91"), (3, "Everything 5%", "0.57"),
    (3, "Socks 0.25 a pair", "0.75"), (3, "Basket bonus", "3.00"), (2, "level 1", "10.12"), (1, "level 2", "4.05"),
]


def test_the_worked_example_is_what_the_rule_engine_computes():
    rules = [
        _rule(1, "Shoes 10%", "percentage", "10", 10, category_ids=frozenset({SHOES})),
        _rule(2, "Everything 5%", "percentage", "5", 1),
        _rule(3, "Basket bonus", "fixed_per_order", "3.00", 5, min_subtotal=Decimal("100.00")),
        _rule(4, "Socks 0.25 a pair", "fixed_per_unit", "0.25", 10, product_skus=frozenset({"SOCK-1"})),
    ]
    order = _order([("SHOE-1", 2, "80.20", SHOES), ("BAG-1", 1, "40.00", None), ("SOCK-1", 3, "4.00", None)],
                   "10.00")
    uplines = [Upline(level=1, associate_id=2, name="Marta", active=True),
               Upline(level=2, associate_id=1, name="João", active=True)]
    evaluation = evaluate(order, rules, [{"level": 1, "rate": "5"}, {"level": 2, "rate": "2"}], uplines)

    assert _amounts(evaluation) == WORKED_ENTRIES
    shares = [(p.line.sku, str(p.share), str(p.base)) for p in evaluation.proposals if p.line is not None]
    assert shares == [("SHOE-1", "7.55", "152.85"), ("BAG-1", "1.88", "38.12"), ("SOCK-1", "0.57", "11.43"),
                      ("SOCK-1", "0.57", "3")]
    assert [str(p.exact_amount) for p in evaluation.proposals[:4]] == ["15.285", "1.906", "0.5715", "0.75"]
    assert [(line.sku, str(share)) for line, share in evaluation.proposals[4].lines] == [
        ("SHOE-1", "7.55"), ("BAG-1", "1.88"), ("SOCK-1", "0.57")]
    assert [item["reason"] for item in evaluation.proposals[0].breakdown["not_paid"]] == [
        "a higher-priority percentage rule, 'Shoes 10%', applied"]
    assert str(evaluation.commissionable_amount) == "202.40"
    assert str(sum(p.amount for p in evaluation.proposals if p.level == 0)) == "21.52"
    assert str(sum(p.amount for p in evaluation.proposals)) == "35.69"

    design = (DOCS / "design.md").read_text(encoding="utf-8")
    for figure in ("15.285", "**15.29**", "**1.91**", "**0.57**", "**0.75**", "**3.00**", "**21.52**", "**10.12**",
                   "**4.05**", "35.69", "7.55 | 152.85", "1.88 | 38.12", "0.57 | 11.43", "**16.20**", "**6.20**",
                   "**108.82**", "**15.00**"):
        assert figure in design


def test_the_worked_example_comes_back_from_the_api(world, admin_api):
    """The order, the refund, the approval and the payout of the worked example, posted as the docs say."""
    def send(method, path, body):
        response = getattr(admin_api, method)(f"/api/v1{path}", body, content_type="application/json")
        assert response.status_code in (200, 201), response.content
        return response.json()

    joao = make_associate(world.north, "João Lima", with_login=False)
    marta = make_associate(world.north, "Marta Sá", with_login=False, parent=joao)
    ana = make_associate(world.north, "Ana Ribeiro", with_login=False, parent=marta)
    carolina = make_customer(world.north, "Carolina", "Mendes", primary=ana)
    Product.objects.create(sku="SHOE-1", name="Loafer", price=Decimal("80.20"), category=category_named("Shoes"))
    Product.objects.create(sku="BAG-1", name="Tote", price=Decimal("40.00"))
    Product.objects.create(sku="SOCK-1", name="Socks", price=Decimal("4.00"))
    for rule in WORKED_RULES:
        send("post", "/commission-rules", rule)
    send("patch", "/commission-settings", {"hold_days": 14, "override_levels": [
        {"level": 1, "rate": "5"}, {"level": 2, "rate": "2"}]})
    order = send("post", "/orders", {
        "external_id": "WEB-5001", "customer_id": carolina.pk, "discount": "10.00",
        "lines": [{"sku": "SHOE-1", "quantity": 2, "unit_price": "80.20"},
                  {"sku": "BAG-1", "quantity": 1, "unit_price": "40.00"},
                  {"sku": "SOCK-1", "quantity": 3, "unit_price": "4.00"}]})
    names = {ana.pk: 3, marta.pk: 2, joao.pk: 1}

    def entries(kind):
        items = admin_api.get("/api/v1/earnings", {"order_id": order["id"], "kind": kind, "limit": 50}).json()["items"]
        return sorted(items, key=lambda item: item["id"])

    earned = [(names[item["associate_id"]], item["breakdown"]["rule"]["name"] if item["level"] == 0
               else f"level {item['level']}", item["amount"]) for item in entries("earning") + entries("override")]
    assert earned == WORKED_ENTRIES

    send("post", f"/orders/{order['id']}/refunds", {"external_id": "RMA-77", "amount": "50.00"})
    assert [item["amount"] for item in entries("reversal")] == [
        "-3.78", "-0.47", "-0.14", "-0.19", "-0.74", "-2.50", "-1.00"]
    assert admin_api.get(f"/api/v1/associates/{ana.pk}/balance").json()["pending"] == "16.20"

    send("patch", f"/orders/{order['id']}", {"status": "completed"})
    assert approve_due_earnings(timezone.now() + timedelta(days=14, minutes=1)) == 14
    send("post", "/payouts", {"associate_id": ana.pk, "amount": "10.00", "method": "bank"})
    balances = {who: admin_api.get(f"/api/v1/associates/{who.pk}/balance").json()["balance"]
                for who in (ana, marta, joao)}
    assert balances == {ana: "6.20", marta: "7.62", joao: "3.05"}


def test_the_original_designs_example_pays_15():
    rules = [
        _rule(1, "Shoes 10%", "percentage", "10", 10, category_ids=frozenset({SHOES})),
        _rule(2, "Everything 5%", "percentage", "5", 1),
        _rule(3, "Over 100", "fixed_per_order", "3.00", 5, min_subtotal=Decimal("100.00")),
    ]
    order = _order([("SHOE-1", 2, "50.00", SHOES), ("BAG-1", 1, "40.00", None)], "0.00")
    earnings = [p for p in evaluate(order, rules, [], []).proposals if p.kind == "earning"]
    assert [str(p.amount) for p in earnings] == ["10.00", "2.00", "3.00"]
    assert "10.00 + 2.00 + 3.00 = **15.00**" in (DOCS / "design.md").read_text(encoding="utf-8")
