"""What each recorded indicator is: a label, its unit and whether it is a stock or a flow.

Per-carrier and per-pool indicators are named ``<indicator>.<id>`` and share the metadata of
``<indicator>``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Indicator:
    label: str
    unit: str
    kind: str  # "stock" (state at the end of the year) or "flow" (during the year)
    #: set by the scenario's inputs alone (no random draw moves it): a goal on it is
    #: "determined by inputs", not "on track"
    determined: bool = False


INDICATORS: dict[str, Indicator] = {
    "national_hte": Indicator("National high-tech enterprises", "firms", "stock"),
    "tech_smes": Indicator("Tech-based SMEs", "firms", "stock"),
    "incubators": Indicator(
        "Carriers run as incubators (any level)", "carriers", "stock", determined=True
    ),
    "high_level_teams": Indicator("High-level innovation teams (cumulative)", "teams", "stock"),
    "leading_teams_introduced": Indicator(
        "Leading-level high-level teams introduced since the start", "teams", "stock"
    ),
    "firms_in_carriers": Indicator("Firms and teams in carriers", "firms", "stock"),
    "firms_in_incubation": Indicator("Startups in incubation", "firms", "stock"),
    "maker_projects": Indicator("Maker projects in maker spaces", "teams", "stock"),
    "waiting": Indicator("Newcomers waiting for room", "firms", "stock"),
    "enterprise_base": Indicator("Enterprise base outside carriers", "firms", "stock"),
    "carrier_area_m2": Indicator("Carrier floor area", "m²", "stock", determined=True),
    "carrier_occupied_m2": Indicator("Carrier floor area occupied", "m²", "stock"),
    "carrier_occupancy": Indicator("Carrier occupancy", "share of area", "stock"),
    "fund_balance_yuan": Indicator("Balance of budget pools", "yuan", "stock"),
    "revenue_yuan": Indicator("Revenue of modelled firms (annual rate)", "yuan per year", "stock"),
    "revenue_incubated_yuan": Indicator(
        "Revenue of firms in incubation (annual rate)", "yuan per year", "stock"
    ),
    "revenue_per_incubated_firm_yuan": Indicator(
        "Revenue per firm in incubation (annual rate)", "yuan per year", "stock"
    ),
    "revenue_per_carrier_m2_yuan": Indicator(
        "Revenue of firms in incubation per m² of carrier floor area",
        "yuan per m² per year",
        "stock",
    ),
    "hte_share_incubated": Indicator("National HTE among firms in incubation", "share", "stock"),
    "tech_sme_share_incubated": Indicator(
        "Tech-based SMEs among firms in incubation", "share", "stock"
    ),
    "graduation_rate_incubated": Indicator(
        "Graduations per firm in incubation", "per year", "flow"
    ),
    "failure_rate_incubated": Indicator("Failures per firm in incubation", "per year", "flow"),
    "zone_share_of_city_patents": Indicator(
        "Zone's share of the city's patents granted", "share", "flow"
    ),
    "arrivals": Indicator("Arrivals", "firms per year", "flow"),
    "admitted": Indicator("Admissions to carriers", "firms per year", "flow"),
    "turned_away": Indicator("Turned away for lack of room", "firms per year", "flow"),
    "ineligible": Indicator("Too old for incubation", "firms per year", "flow"),
    "incorporations": Indicator("Maker teams incorporated", "teams per year", "flow"),
    "graduations": Indicator("Graduations", "firms per year", "flow"),
    "left_max_stay": Indicator("Left at the maximum stay", "firms per year", "flow"),
    "failures": Indicator("Failures", "firms per year", "flow"),
    "failures_incubating": Indicator("Failures in incubation", "firms per year", "flow"),
    "relocations": Indicator("Enterprises moved out of the zone", "firms per year", "flow"),
    "dissolved": Indicator("Maker teams dissolved", "teams per year", "flow"),
    "first_funded": Indicator("Firms funded for the first time", "firms per year", "flow"),
    "first_certified": Indicator("Firms certified for the first time", "firms per year", "flow"),
    "patents_filed": Indicator("Patents filed by modelled firms", "patents per year", "flow"),
    "patents_granted_per_year": Indicator("Patents granted", "patents per year", "flow"),
    "invention_patents_granted": Indicator("Invention patents granted", "patents per year", "flow"),
    "invention_patent_share": Indicator("Invention share of patents granted", "share", "flow"),
    "grants_paid_yuan": Indicator("Grants paid", "yuan per year", "flow"),
    "loans_yuan": Indicator("Tech loans", "yuan per year", "flow"),
    "equity_yuan": Indicator("Equity raised", "yuan per year", "flow"),
    "talent_rewards_yuan": Indicator("Talent rewards paid", "yuan per year", "flow"),
    "cultivation_yuan": Indicator("HTE cultivation subsidies paid", "yuan per year", "flow"),
    "ip_purchases": Indicator("Invention patents bought for HTE", "patents per year", "flow"),
    "ip_purchase_yuan": Indicator("Paid for invention patents bought", "yuan per year", "flow"),
    "filing_subsidies_yuan": Indicator("Patent-filing subsidies paid", "yuan per year", "flow"),
    "tranches_received_yuan": Indicator("Tranches paid into pools", "yuan per year", "flow"),
    "hte_certified": Indicator("New HTE certificates", "firms per year", "flow"),
    "hte_lost": Indicator("HTE certificates lapsed", "firms per year", "flow"),
    "high_level_team_arrivals": Indicator("High-level teams arrived", "teams per year", "flow"),
    # --- platform goals (sim/model/platforms.py)
    "tech_centers": Indicator(
        "Provincial and municipal technology and engineering research centres", "centres", "stock"
    ),
    "tech_centers_provincial": Indicator(
        "Provincial technology and engineering research centres", "centres", "stock"
    ),
    "academician_workstations": Indicator(
        "Provincial academician workstations", "workstations", "stock"
    ),
    "postdoc_workstations": Indicator(
        "Postdoctoral research workstations", "workstations", "stock"
    ),
    "incubators_provincial": Indicator(
        "Tech business incubators recognised (provincial or national)", "incubators", "stock"
    ),
    "maker_spaces_provincial": Indicator(
        "Maker spaces recognised (provincial or national)", "maker spaces", "stock"
    ),
    "incubation_carriers_provincial": Indicator(
        "Incubation carriers recognised (provincial or national)", "carriers", "stock"
    ),
    "incubator_recognitions": Indicator(
        "Provincial incubators recognised", "incubators per year", "flow"
    ),
    "maker_space_recognitions": Indicator(
        "Provincial maker spaces recognised", "maker spaces per year", "flow"
    ),
    "tech_center_approvals": Indicator(
        "Provincial technology centres approved", "centres per year", "flow"
    ),
    # --- end platform goals
    # --- economy goals (sim/model/economy.py)
    "rd_intensity": Indicator("R&D spending / GDP", "share", "flow"),
    "rd_spending_yuan": Indicator(
        "R&D spending (modelled firms and exogenous stream)", "yuan per year", "flow"
    ),
    "industrial_rd_ratio": Indicator(
        "R&D / revenue of modelled industrial firms above scale", "share", "flow"
    ),
    "above_scale_industrial_firms": Indicator(
        "Modelled industrial firms above scale", "firms", "stock"
    ),
    "valid_invention_patents": Indicator("Valid invention patents held", "patents", "stock"),
    "invention_patents_per_10k": Indicator(
        "Valid invention patents per 10,000 residents", "patents per 10,000", "stock"
    ),
    # --- end economy goals
}


def describe(name: str) -> Indicator:
    """Metadata of an indicator, including ``<indicator>.<id>`` variants."""
    base, _, part = name.partition(".")
    found = INDICATORS.get(base)
    if found is None:
        return Indicator(name, "", "stock")
    return Indicator(f"{found.label}: {part}", found.unit, found.kind) if part else found
