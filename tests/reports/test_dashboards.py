"""reports.dashboards: the page data built from snapshot rows, without a database."""

from types import SimpleNamespace

from reports import dashboards, focus
from reports.snapshot import Snapshot
from surveys.dimensions import OVERALL, SERVICE_DIMENSIONS

DEPARTMENTS = [
    {"id": 1, "name": "Executive Office", "slug": "executive-office", "is_executive_office": True},
    {"id": 2, "name": "Facilities", "slug": "facilities", "is_executive_office": False},
    {"id": 3, "name": "IT", "slug": "it", "is_executive_office": False},
    {"id": 4, "name": "Sales", "slug": "sales", "is_executive_office": False},
]
CYCLE = SimpleNamespace(id=10, min_group_size=5)
LABELS = {**{slug: f"Label of {slug}" for slug in SERVICE_DIMENSIONS}, OVERALL: "Overall"}
SUMMARY = SimpleNamespace(participants=40, eligible=50, response_rate=0.8)
NO_PICKS = {"department": None, "supplier_link": None, "management_link": None, "link": None}


def link(rater, provider, dim, mean, *, hidden=False):
    figures = {"respondents": 8, "mean": mean, "favorable_pct": 50.0, "delta": None, "delta_significant": None}
    if hidden:
        figures = dict.fromkeys(figures)
    return {
        "rater_department_id": rater,
        "provider_department_id": provider,
        "dimension": dim,
        "suppressed": hidden,
        **figures,
    }


def department(dept, mean, *, scope="supplier", dim="overall", hidden=False, cycle_id=10):
    figures = {"mean": None if hidden else mean, "respondents": None if hidden else 20, "delta": None}
    return {
        "cycle_id": cycle_id,
        "department_id": dept,
        "scope": scope,
        "dimension": dim,
        "suppressed": hidden,
        **figures,
    }


def snapshot(links=(), departments=(), company=()):
    return Snapshot.build(
        cycle=CYCLE,
        departments=DEPARTMENTS,
        labels=LABELS,
        department_rows=departments,
        link_rows=links,
        company_rows=company,
    )


def url(department_id):
    return f"/d/{department_id}/"


def test_rated_lowest_by_counts_the_raters_whose_lowest_provider_it_is_over_shown_links_only():
    rows = []
    for dim in SERVICE_DIMENSIONS:
        rows += [link(1, 2, dim, 2.0), link(1, 3, dim, 3.0), link(4, 2, dim, 3.5), link(4, 3, dim, 3.0)]
    # On ownership, Sales' lower-rated provider is hidden: it does not count for or against.
    rows = [r for r in rows if not (r["rater_department_id"] == 4 and r["dimension"] == "ownership")]
    rows += [link(4, 2, "ownership", 1.0, hidden=True), link(4, 3, "ownership", 4.0)]
    found = dashboards.rated_lowest_by(snapshot(links=rows), 2)
    assert found == {"count": 1, "of": 2, "dimension": "willingness", "label": "Label of willingness"}


def test_the_heatmap_holds_no_figure_of_a_hidden_link_and_outlines_the_lowest_shown_one():
    snap = snapshot(
        links=[link(2, 3, "overall", 1.5, hidden=True), link(3, 2, "overall", 2.5), link(4, 2, "overall", 3.5)],
        departments=[department(2, 3.0), department(3, 4.0)],
    )
    heatmap = dashboards.link_heatmap(snap, url=url)
    names = heatmap["names"]
    cells = heatmap["cells"]["overall"]
    i, j = names.index("Facilities"), names.index("IT")
    assert cells["hidden"][i][j] == 1
    assert (cells["mean"][i][j], cells["fav"][i][j], cells["n"][i][j]) == (None, None, None)
    assert heatmap["weakest"]["overall"] == [names.index("IT"), names.index("Facilities")]
    assert heatmap["hiddenLabel"] == "hidden to protect a small group"


def test_the_colour_centre_is_the_company_mean_when_shown_else_the_median_department():
    departments = [department(2, 2.0), department(3, 3.0), department(4, 4.5)]
    assert snapshot(departments=departments).centre() == 3.0
    company = [{"cycle_id": 10, "scope": "supplier", "dimension": "overall", "suppressed": False, "mean": 3.7}]
    assert snapshot(departments=departments, company=company).centre() == 3.7
    hidden_company = [{**company[0], "suppressed": True, "mean": None}]
    assert snapshot(departments=departments, company=hidden_company).centre() == 3.0


def test_asymmetry_pairs_need_both_directions_shown_and_name_the_side_that_serves_worse():
    snap = snapshot(
        links=[
            link(3, 2, "overall", 2.0),  # IT rates Facilities: Facilities serves IT at 2.0
            link(2, 3, "overall", 4.0),  # Facilities rates IT: IT serves Facilities at 4.0
            link(4, 2, "overall", 3.0),
            link(2, 4, "overall", 1.0, hidden=True),  # one direction hidden: no pair
        ]
    )
    pairs = dashboards.asymmetry_pairs(snap)
    assert len(pairs) == 1
    assert (pairs[0]["worse"], pairs[0]["worse_score"], pairs[0]["better"], pairs[0]["better_score"]) == (
        "Facilities",
        2.0,
        "IT",
        4.0,
    )


def test_the_headline_names_the_roll_ups_picks_even_where_name_order_would_pick_another():
    # Facilities (2) and IT (3) tie as suppliers, and so do their links from Sales: the roll-up
    # picked IT and Sales → IT (say, by id); by name, the page would have said Facilities.
    snap = snapshot(
        departments=[department(2, 2.5), department(3, 2.5), department(4, 4.0)],
        links=[link(4, 2, "overall", 2.5), link(4, 3, "overall", 2.5)],
    )
    picks = {
        "department": {"department_id": 3, "mean": 2.5},
        "supplier_link": {"rater_id": 4, "provider_id": 3, "mean": 2.5},
        "management_link": None,
        "link": {"rater_id": 4, "provider_id": 3, "mean": 2.5},
    }
    found = dashboards.headline(snap, SUMMARY, weakest=picks, url=url)
    assert found["weakest_department"]["name"] == "IT"
    assert (found["weakest_link"]["rater"], found["weakest_link"]["provider"]) == ("Sales", "IT")
    heatmap = dashboards.link_heatmap(snap, url=url, weakest_link=picks["link"])
    names = heatmap["names"]
    assert heatmap["weakest"]["overall"] == [names.index("Sales"), names.index("IT")]


def test_without_picks_the_headline_names_no_weakest_department_or_link():
    snap = snapshot(departments=[department(2, 2.5)], links=[link(4, 2, "overall", 2.5)])
    found = dashboards.headline(snap, SUMMARY, weakest=NO_PICKS, url=url)
    assert found["weakest_department"] is None and found["weakest_link"] is None
    assert found["management"]["weakest"] is None


def test_the_suggested_focus_ranks_shown_dimensions_weakest_first_beside_the_company():
    means = dict(zip(SERVICE_DIMENSIONS, (3.0, 2.0, 4.0, 2.0, 3.5, 1.0), strict=True))
    rows = [department(3, mean, dim=dim, hidden=dim == "communication") for dim, mean in means.items()]
    company = [
        {"cycle_id": 10, "scope": "supplier", "dimension": dim, "suppressed": dim == "ownership", "mean": 3.0}
        for dim in SERVICE_DIMENSIONS
    ]
    ranked = focus.weakest_dimensions(snapshot(departments=rows, company=company), 3)
    # Communication (1.0) is hidden: not ranked. Ownership and reliability tie: contract order.
    assert [item["dimension"] for item in ranked] == [
        "ownership",
        "reliability",
        "willingness",
        "courtesy",
        "responsiveness",
    ]
    assert ranked[0]["label"] == "Label of ownership"
    assert ranked[0]["company"] is None and ranked[0]["versus_company"] is None  # the company figure is hidden
    assert ranked[1]["versus_company"] == -1.0
    assert focus.weakest_dimensions(snapshot(departments=rows), 3, "management") == []
