"""Certification: the yearly tech-based SME evaluation and the national high-tech enterprise
(HTE) review rounds, with the rule thresholds taken from the scenario.

Rules encoded (thresholds in the scenario's ``certification`` section):
- HTE: 高新技术企业认定管理办法 (国科发火〔2016〕32号): registered at least one year, core IP,
  R&D ratio by revenue band, high-tech revenue share, S&T staff share, innovation score >= 71,
  certificate valid three years.
- Tech-based SME: 科技型中小企业评价办法 (国科发政〔2017〕115号): size limits, score >= 60 on
  S&T staff, R&D input and IP, or directly qualified as an HTE; evaluated every year.
"""

from __future__ import annotations

from sim.model import firm as F
from sim.model.firm import Firm
from sim.model.rounds import yearly
from sim.model.zone import Zone
from sim.scenario.schema import Band, Hte, TechSme

REGISTERED = (F.INCUBATING, F.ENTERPRISE)
STAGES = {"incubating": F.INCUBATING, "enterprise": F.ENTERPRISE}
# purposes of keyed draws (the first part of their key)
HTE_APPLY, HTE_SCORE, SME_APPLY, IP_BUY = 1, 2, 3, 4


def band_points(value: float, bands: list[Band]) -> float:
    """Points of the highest band whose threshold ``value`` reaches (0 if none)."""
    best = 0.0
    for band in bands:
        if value >= band.at_least and band.points > best:
            best = band.points
    return best


# ----------------------------------------------------------------------------- HTE
def hte_required_rd_ratio(rules: Hte, revenue_yuan: float) -> float:
    for band in rules.rd_bands:
        if band.max_revenue_yuan is None or revenue_yuan <= band.max_revenue_yuan:
            return band.min_rd_ratio
    return rules.rd_bands[-1].min_rd_ratio


def has_core_ip(firm: Firm, t: float, rules: Hte) -> bool:
    """Core IP: enough invention patents (own or bought) or enough class-II IP (other patents
    and software copyrights)."""
    inventions = firm.inventions + firm.ip_bought
    return (rules.min_invention_patents > 0 and inventions >= rules.min_invention_patents) or (
        firm.other_patents + firm.copyrights(t) >= rules.min_other_patents
    )


def hte_meets_all_but_ip(firm: Firm, t: float, rules: Hte) -> bool:
    """The hard criteria of the HTE rule other than core IP."""
    return (
        t - firm.registered >= rules.min_registered_years
        and firm.hightech_revenue_share >= rules.min_hightech_revenue_share
        and firm.st_staff_share >= rules.min_st_staff_share
        and firm.rd_ratio >= hte_required_rd_ratio(rules, firm.revenue(t))
    )


def hte_eligible(firm: Firm, t: float, rules: Hte) -> bool:
    """The hard criteria of the HTE rule (everything but the evaluation score)."""
    return has_core_ip(firm, t, rules) and hte_meets_all_but_ip(firm, t, rules)


def ip_items(firm: Firm, t: float) -> int:
    """IP items a firm can show (own and bought patents, software copyrights)."""
    return firm.inventions + firm.ip_bought + firm.other_patents + firm.copyrights(t)


def hte_score(firm: Firm, t: float, rules: Hte, noise: tuple[float, float] = (0.0, 0.0)) -> float:
    """Innovation-capability score out of 100: IP 30 (invention-equivalents; class-II IP counts
    a quarter), conversion of results 30 (IP items put to use), R&D organisation 20 (judged
    from capability, plus coaching for cultivated firms), growth 20 (revenue growth now).
    The judged parts carry noise (two standard normal draws, scaled by ``score_noise_sd``)."""
    inventions = firm.inventions + firm.ip_bought
    other = firm.other_patents + firm.copyrights(t)
    ip = min(1.0, (inventions + 0.25 * other) / rules.ip_full_marks_patents)
    sd = rules.score_noise_sd
    items = inventions + other
    conversion = min(1.0, max(0.0, items / rules.conversion_full_marks_ip + sd * noise[0]))
    coaching = rules.cultivation.organisation_points / 20 if firm.cultivated(t) else 0.0
    organisation = min(1.0, max(0.0, firm.capability + coaching + sd * noise[1]))
    growth = min(1.0, max(0.0, firm.growth_rate(t) / rules.full_growth_rate))
    return 30 * ip + 30 * conversion + 20 * organisation + 20 * growth


def hte_rounds(zone: Zone):
    """Process: review rounds each year; certified firms keep the status for ``valid_years``
    and must pass again before it expires."""
    env = zone.env
    rules = zone.scenario.certification.hte
    keyed = zone.streams.keyed  # decisions keyed by (firm, round): common random numbers
    rounds = sorted(rules.review_rounds_in_year)
    dates = [
        year + r
        for year in range(int(zone.t0), int(zone.t_end) + 1)
        for r in rounds
        if zone.t0 <= year + r < zone.t_end
    ]
    tally = zone.tally
    for i, date in enumerate(dates):
        if date > env.now:
            yield env.timeout(date - env.now)
        now = env.now
        next_round = dates[i + 1] if i + 1 < len(dates) else zone.t_end
        apply_key = keyed.key(HTE_APPLY, i)
        score_keys = (keyed.key(HTE_SCORE, i, 0), keyed.key(HTE_SCORE, i, 1))
        buy = rules.ip_purchase
        firms = zone.firms_in(REGISTERED)
        draws = keyed.uniforms(apply_key, [firm.id for firm in firms])
        buy_key = keyed.key(IP_BUY, i)
        for firm, u in zip(firms, draws, strict=True):
            if firm.hte_until > next_round:
                continue  # certificate still valid at the next round
            if firm.hte(now):
                chance = rules.renewal_probability
            elif firm.cultivated(now):
                chance = 1.0
            else:
                chance = rules.apply_probability
            if u >= chance:
                continue
            if not hte_meets_all_but_ip(firm, now, rules):
                continue
            if not has_core_ip(firm, now, rules):
                if rules.min_invention_patents == 0 or not (
                    firm.cultivated(now) or keyed.uniform(buy_key, firm.id) < buy.probability
                ):
                    continue  # no invention route to core IP, or it does not buy
                buy_ip(zone, firm)
            noise = (keyed.normal(score_keys[0], firm.id), keyed.normal(score_keys[1], firm.id))
            if hte_score(firm, now, rules, noise) < rules.min_score:
                continue
            if not firm.hte(now):
                tally.national_hte += 1
                tally.hte_certified += 1
                zone.certified(firm, hte=True)
            firm.hte_until = now + rules.valid_years
            schedule_hte_expiry(zone, firm)


def buy_ip(zone: Zone, firm: Firm) -> None:
    """The firm buys (or is transferred) invention patents: what it lacks as core IP, at least
    ``ip_purchase.patents``."""
    rules = zone.scenario.certification.hte
    missing = rules.min_invention_patents - firm.inventions - firm.ip_bought
    bought = max(missing, rules.ip_purchase.patents)
    firm.ip_bought += bought
    zone.tally.ip_purchases += bought
    zone.tally.ip_purchase_yuan += bought * rules.ip_purchase.cost_yuan


def cultivation_rounds(zone: Zone):
    """Process: each year the zone takes registered, uncertified firms into its cultivation
    pool. First the firms coaching can bring to every HTE criterion but core IP (they meet
    the age, high-tech revenue and S&T staff criteria, and the R&D one or are within reach of
    it), highest expected score first; then the others, most capable first; within each, by
    the priority of their stage. Each pool firm is paid the subsidy, has its R&D accounting
    coached and applies at every round (its core IP bought if it lacks it)."""
    env = zone.env
    rules = zone.scenario.certification.hte
    programme = rules.cultivation
    if programme.firms_per_year <= 0:
        return
    tally = zone.tally
    stages = tuple(STAGES[name] for name in programme.eligible)
    priority = {stage: rank for rank, stage in enumerate(stages)}
    for year in yearly_dates(zone, programme.in_year):
        if year > env.now:
            yield env.timeout(year - env.now)
        now = env.now
        groups: dict[tuple[bool, int], list[Firm]] = {}
        for firm in zone.firms_in(stages):
            if (
                firm.hte_until > now
                or firm.cultivated_until > now
                or now - firm.registered < rules.min_registered_years
            ):
                continue
            ready = within_reach(firm, now, rules)
            groups.setdefault((not ready, priority[firm.stage]), []).append(firm)
        candidates: list[Firm] = []
        for key in sorted(groups):
            group = groups[key]
            if key[0]:  # out of reach for now: the most capable first
                group.sort(key=lambda firm: (-firm.capability, firm.id))
            else:
                group.sort(key=lambda firm: (-hte_score(firm, now, rules), firm.id))
            candidates.extend(group)
            if len(candidates) >= programme.firms_per_year:
                break
        for firm in candidates[: programme.firms_per_year]:
            firm.cultivated_until = now + programme.years_in_pool
            if firm.rd_ratio >= programme.rd_ratio_reachable:
                required = hte_required_rd_ratio(rules, firm.revenue(now))
                firm.rd_ratio = max(firm.rd_ratio, required)
            if programme.subsidy_yuan > 0:
                tally.cultivation_yuan += programme.subsidy_yuan
                zone.fund(firm, "cultivation", programme.subsidy_yuan)


def within_reach(firm: Firm, t: float, rules: Hte) -> bool:
    """Whether cultivation can bring a firm to every HTE criterion but core IP: it meets the
    high-tech revenue and S&T staff criteria, and the R&D one or is within coaching's reach."""
    return (
        firm.hightech_revenue_share >= rules.min_hightech_revenue_share
        and firm.st_staff_share >= rules.min_st_staff_share
        and (
            firm.rd_ratio >= rules.cultivation.rd_ratio_reachable
            or firm.rd_ratio >= hte_required_rd_ratio(rules, firm.revenue(t))
        )
    )


def yearly_dates(zone: Zone, in_year: float) -> list[float]:
    """The dates ``year + in_year`` inside the horizon, one a year from the clock start."""
    first = int(zone.t0)
    return [
        year + in_year
        for year in range(first, int(zone.t_end) + 1)
        if zone.t0 <= year + in_year < zone.t_end
    ]


def schedule_hte_expiry(zone: Zone, firm: Firm) -> None:
    """At the certificate's end, the firm loses HTE status unless it was renewed meanwhile."""
    delay = firm.hte_until - zone.env.now
    if zone.env.now + delay >= zone.t_end:
        return
    expiry = zone.env.timeout(delay)
    expiry.callbacks.append(lambda _event: _expire_hte(zone, firm))


def _expire_hte(zone: Zone, firm: Firm) -> None:
    if firm.stage != F.GONE and firm.hte_until <= zone.env.now:
        zone.tally.national_hte -= 1
        zone.tally.hte_lost += 1
        firm.hte_until = float("-inf")


# ----------------------------------------------------------------------------- tech-based SME
def sme_within_size(firm: Firm, t: float, rules: TechSme, zone: Zone) -> bool:
    traits = zone.scenario.firms.traits
    revenue = firm.revenue(t)
    employees = revenue / traits.revenue_per_employee_yuan
    return (
        employees <= rules.max_employees
        and revenue <= rules.max_revenue_yuan
        and revenue * traits.assets_to_revenue <= rules.max_assets_yuan
    )


def sme_score(firm: Firm, rules: TechSme, t: float) -> float:
    """S&T staff (20) + R&D input (50) + IP (30) points (software copyrights are class-II IP,
    bought invention patents class-I)."""
    ip = (
        rules.invention_patent_points
        if firm.inventions + firm.ip_bought > 0
        else band_points(firm.other_patents + firm.copyrights(t), rules.other_patent_points)
    )
    return (
        band_points(firm.st_staff_share, rules.st_staff_points)
        + band_points(firm.rd_ratio, rules.rd_ratio_points)
        + ip
    )


def sme_qualifies(firm: Firm, t: float, rules: TechSme, zone: Zone) -> bool:
    return (
        (rules.hte_direct and firm.hte(t)) or sme_score(firm, rules, t) >= rules.min_score
    ) and sme_within_size(firm, t, rules, zone)


def sme_evaluations(zone: Zone):
    """Process: the yearly evaluation; the status lasts until the next evaluation."""
    env = zone.env
    rules = zone.scenario.certification.tech_sme
    keyed = zone.streams.keyed
    tally = zone.tally

    def evaluation(year: int) -> None:
        now = env.now
        valid_until = year + rules.evaluation_in_year + 1.0
        apply_key = keyed.key(SME_APPLY, year + 1)  # keyed by the year after the round's
        count = 0
        firms = zone.firms_in(REGISTERED)
        draws = keyed.uniforms(apply_key, [firm.id for firm in firms])
        for firm, u in zip(firms, draws, strict=True):
            holder = firm.sme_until >= now  # the status lasts up to this evaluation
            chance = rules.renewal_probability if holder else rules.apply_probability
            applies = u < chance
            if applies and sme_qualifies(firm, now, rules, zone):
                zone.certified(firm, hte=False)
                firm.sme_until = valid_until
                count += 1
            else:
                firm.sme_until = float("-inf")
        tally.tech_smes = count

    yield from yearly(env, zone.t0, zone.t_end, rules.evaluation_in_year, evaluation)
