"""The two languages of zonesim's outputs: every indicator, status, column and axis label in
English and Chinese, kept here and nowhere else (tests/test_language.py checks that every
indicator and every term has both names).

Chinese names use the sources' own terms (国家高新技术企业, 科技型中小企业, 科技企业孵化器,
众创空间, 孵化载体: the 2018 zone profile, the c. 2022 carrier report and the national rules).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Literal

Language = Literal["en", "zh"]

#: The languages outputs are written in; the first is the default.
LANGUAGES: tuple[Language, ...] = ("en", "zh")

#: The environment variable that sets the language when ``--lang`` is not given.
LANGUAGE_VARIABLE = "ZONESIM_LANG"


def resolve_language(given: str | None, environ: Mapping[str, str] | None = None) -> Language:
    """The language asked for: ``given`` (``--lang``), else ``ZONESIM_LANG``, else English.
    Raises ValueError naming the choices for anything else."""
    environ = os.environ if environ is None else environ
    value = given if given is not None else environ.get(LANGUAGE_VARIABLE, "") or LANGUAGES[0]
    value = value.strip().lower()
    if value not in LANGUAGES:
        where = "--lang" if given is not None else LANGUAGE_VARIABLE
        raise ValueError(f"{where} {value!r}: choose one of {', '.join(LANGUAGES)}")
    return value  # type: ignore[return-value]


#: Chinese names of the recorded indicators (sim.indicators.INDICATORS; English there).
INDICATOR_ZH: dict[str, str] = {
    "national_hte": "国家高新技术企业",
    "tech_smes": "科技型中小企业",
    "incubators": "孵化载体（任何级别）",
    "high_level_teams": "高层次创新创业团队（累计）",
    "leading_teams_introduced": "引进的国内领先水平高层次团队",
    "firms_in_carriers": "载体入驻企业（团队）",
    "firms_in_incubation": "在孵企业",
    "maker_projects": "众创空间创客项目",
    "waiting": "等待入驻的企业",
    "enterprise_base": "载体外的企业",
    "carrier_area_m2": "载体面积",
    "carrier_occupied_m2": "载体已用面积",
    "carrier_occupancy": "载体使用率",
    "fund_balance_yuan": "资金池余额",
    "revenue_yuan": "模拟企业营业收入（年化）",
    "revenue_incubated_yuan": "在孵企业营业收入（年化）",
    "revenue_per_incubated_firm_yuan": "在孵企业平均营业收入（年化）",
    "revenue_per_carrier_m2_yuan": "载体“亩均收入”（在孵企业每平方米营业收入）",
    "hte_share_incubated": "在孵企业中国家高新技术企业占比",
    "tech_sme_share_incubated": "在孵企业中科技型中小企业占比",
    "graduation_rate_incubated": "在孵企业毕业率",
    "failure_rate_incubated": "在孵企业失败率",
    "zone_share_of_city_patents": "高新区专利授权量占全市比重",
    "arrivals": "新到企业",
    "admitted": "入驻载体",
    "turned_away": "因空间不足未能入驻",
    "ineligible": "超龄不能入孵",
    "incorporations": "创客团队注册成立企业",
    "graduations": "毕业企业",
    "left_max_stay": "孵化期满离开",
    "failures": "失败企业",
    "failures_incubating": "在孵失败企业",
    "relocations": "迁出高新区的企业",
    "dissolved": "解散的创客团队",
    "first_funded": "首次获得资金的企业",
    "first_certified": "首次获得认定的企业",
    "patents_filed": "专利申请量",
    "patents_granted_per_year": "年专利授权量",
    "invention_patents_granted": "年发明专利授权量",
    "invention_patent_share": "发明专利占专利授权量比重",
    "grants_paid_yuan": "拨付资助资金",
    "loans_yuan": "科技贷款",
    "equity_yuan": "股权融资",
    "talent_rewards_yuan": "人才奖励",
    "cultivation_yuan": "高新技术企业培育补助",
    "ip_purchases": "为申报高企购买的发明专利",
    "ip_purchase_yuan": "购买发明专利支出",
    "filing_subsidies_yuan": "专利申请资助",
    "tranches_received_yuan": "拨入资金池的资金",
    "hte_certified": "新认定国家高新技术企业",
    "hte_lost": "到期失效的高企资格",
    "high_level_team_arrivals": "新引进高层次团队",
    "tech_centers": "省、市级企业技术中心和工程技术研究中心",
    "tech_centers_provincial": "省级企业技术中心和工程（技术）研究中心",
    "academician_workstations": "院士工作站",
    "postdoc_workstations": "博士后工作站",
    "incubators_provincial": "省级以上科技企业孵化器",
    "maker_spaces_provincial": "省级以上众创空间",
    "incubation_carriers_provincial": "河南省级以上孵化载体",
    "incubator_recognitions": "新认定省级科技企业孵化器",
    "maker_space_recognitions": "新认定省级众创空间",
    "tech_center_approvals": "新认定省级技术中心",
    "rd_intensity": "全社会研发投入占地区生产总值比重",
    "rd_spending_yuan": "研发投入",
    "industrial_rd_ratio": "规模以上工业企业研发投入占主营业务收入比重",
    "above_scale_industrial_firms": "模拟的规模以上工业企业",
    "valid_invention_patents": "有效发明专利",
    "invention_patents_per_10k": "万人发明专利拥有量",
}

#: Chinese units of the indicators (the English ones are in sim.indicators).
UNIT_ZH: dict[str, str] = {
    "firms": "家",
    "carriers": "个",
    "teams": "支",
    "m²": "平方米",
    "share of area": "面积占比",
    "yuan": "元",
    "yuan per year": "元/年",
    "million yuan": "百万元",
    "million yuan per year": "百万元/年",
    "yuan per m² per year": "元/平方米/年",
    "share": "比重",
    "per year": "每年",
    "firms per year": "家/年",
    "teams per year": "支/年",
    "patents per year": "件/年",
    "patents": "件",
    "patents per 10,000": "件/万人",
    "centres": "家",
    "workstations": "个",
    "incubators": "家",
    "maker spaces": "家",
    "incubators per year": "家/年",
    "maker spaces per year": "家/年",
    "centres per year": "家/年",
}

#: Every other word an output shows: statuses, columns, axes and the summary's phrases, as
#: ``key: (English, Chinese)``. Phrases with ``{}`` fields are filled with ``str.format``.
TERMS: dict[str, tuple[str, str]] = {
    # statuses
    "on track": ("on track", "有望实现"),
    "uncertain": ("uncertain", "不确定"),
    "off track": ("off track", "难以实现"),
    "determined by inputs": ("determined by inputs", "由输入决定"),
    "not modelled": ("not modelled", "未建模"),
    "no simulated value": ("no simulated value", "无模拟值"),
    # goal table columns
    "goal": ("goal", "目标"),
    "reading": ("reading", "解读"),
    "year": ("year", "年份"),
    "target": ("target", "目标值"),
    "base": ("base", "基数"),
    "median": ("median", "中位数"),
    "5–95 %": ("5–95 %", "5–95 %区间"),
    "P(met)": ("P(met)", "实现概率"),
    "95 % MC": ("95 % MC", "95 %蒙特卡洛区间"),
    "status": ("status", "判断"),
    "P fixed": ("P fixed", "固定参数概率"),
    "param. share": ("param. share", "参数方差占比"),
    "decided by": ("decided by", "决定因素"),
    "as written": ("as written", "按原文"),
    # titles and legends
    "goals for": (
        "Goals for {years}: scenario '{name}', {replications} replications",
        "{years}年目标：情景“{name}”，{replications}次重复模拟",
    ),
    "status rule": (
        "Status: on track when the 95 % Monte Carlo interval of P(met) lies at or above "
        "{on:g}; off track when it lies at or below {off:g}; uncertain otherwise (at least 16 "
        "replications are needed to call one).",
        "判断规则：实现概率的95 %蒙特卡洛区间全部不低于{on:g}为“有望实现”，全部不高于{off:g}为"
        "“难以实现”，其余为“不确定”（至少需要16次重复模拟才能作出判断）。",
    ),
    "not modelled note": ("Not modelled: {items}.", "未建模：{items}。"),
    "decided by note": (
        "Decided by (zonesim screen): {items}.",
        "决定因素（zonesim screen）：{items}。",
    ),
    # the report
    "status count": ("{count} {status}", "{status}{count}个"),
    "status summary": ("{goals} goals: {items}.", "目标{goals}项：{items}。"),
    "status summary readings": (
        "{goals} goals, {verdicts} verdicts (one per reading of each goal): {items}.",
        "目标{goals}项，判断{verdicts}个（每种解读一个）：{items}。",
    ),
    "scenario": ("Scenario", "情景"),
    "goals": ("Goals", "目标"),
    "goal legend": (
        "{summary} P(met) is the share of replications in which the goal is met in its year, "
        "with its 95 % Monte Carlo interval below it. {rule} {basis}",
        "{summary} 实现概率为目标年份实现目标的重复模拟所占比例，其下为95 %蒙特卡洛区间。"
        "{rule} {basis}",
    ),
    "trajectories": ("Trajectories", "发展轨迹"),
    "flows": ("Flows, space and survival", "流量、空间与存活"),
    "observed figures": ("Observed figures", "观测数据"),
    "parameters": ("Parameters", "参数"),
    "parameters title": ("Parameters and their provenance", "参数及其来源"),
    "run": ("Run", "运行信息"),
    "fan note": (
        "Median (line), middle 50 % and 90 % of replications (bands); observed figures as "
        "circles, with a bar for the range the source's wording allows; the goal as a red star.",
        "中位数（线）、中间50 %与90 %的重复模拟（色带）；观测值为圆点，竖线为原文措辞允许的范围；"
        "目标为红色星号。",
    ),
    "caption dashboard": (
        "Each goal's indicator in the goal year across replications, the target (dashed) and "
        "the probability of meeting it.",
        "各项目标指标在目标年份的重复模拟分布、目标值（虚线）及实现概率。",
    ),
    "caption chances": (
        "The probability of meeting each goal in each scenario, with its 95 % Monte Carlo "
        "interval; dashed: the status thresholds 0.2 and 0.8.",
        "各情景实现各项目标的概率及其95 %蒙特卡洛区间；虚线为判断阈值0.2与0.8。",
    ),
    "caption funnel": (
        "Cumulative flows over the horizon: the stages newcomers reach and where they are lost "
        "or leave.",
        "模拟期内的累计流量：新到企业到达的阶段，以及流失或离开的去向。",
    ),
    "caption carriers": (
        "Floor area occupied and available in each carrier, and the queue for room.",
        "各载体的已用与空置面积，以及入驻排队。",
    ),
    "caption survival": (
        "Kaplan–Meier curves of incubated firms' time to graduation and to failure.",
        "在孵企业至毕业与至失败时间的Kaplan–Meier曲线。",
    ),
    "fan caption": ("{label} ({indicator}, {unit})", "{label}（指标 {indicator}，单位：{unit}）"),
    "fan caption goal": ("; goal: {op} {target} by {year}", "；目标：{year}年{op} {target}"),
    "observed intro": (
        "Figures the sources report, marked on the fan charts where they are a single year's "
        "value.",
        "来源报告的数据；单一年份的数据标注在发展轨迹图上。",
    ),
    "parameters intro": (
        "Every value of the resolved scenario with its provenance class and source, as written "
        "beside it in the scenario file.",
        "情景的每一个取值及其来源类别与出处（情景文件中的注释）。",
    ),
    "readings title": ("Goals read more than one way", "可作多种解读的目标"),
    "readings intro": (
        "Where a goal's words honestly allow more than one reading, the table shows one row per "
        "reading.",
        "目标原文可作多种合理解读时，表中每种解读一行。",
    ),
    "main reading": (" (main)", "（主要解读）"),
    "reading line": (
        "{description}; target {op} {target} by {year}.",
        "{description}；{year}年目标 {op} {target}。",
    ),
    "why": ("Why:", "依据："),
    "numbers": ("Numbers:", "数据来源："),
    "meta replications": ("{count} replications", "{count}次重复模拟"),
    "meta seed": ("root seed {seed}", "随机种子 {seed}"),
    "meta run": ("run {when}", "运行于 {when}"),
    "basis point values": (
        "P(met) at the scenario's point values: parameter uncertainty not included; add "
        "--posterior FILE",
        "实现概率按情景参数点值计算，未包含参数不确定性（可加 --posterior FILE）",
    ),
    "basis posterior": (
        "P(met) over a calibration posterior: includes parameter uncertainty",
        "实现概率基于校准后验分布，包含参数不确定性",
    ),
    "report footer": (
        "Written by zonesim. Projections of a model whose uncalibrated behaviour parameters "
        "are assumptions (see the provenance of each value), not forecasts.",
        "由zonesim生成。本报告为模型推演而非预测：未经校准的行为参数均为假设（见各取值的来源）。",
    ),
    # the plain-language summary
    "summary title": ("What the run found", "模拟结论"),
    "summary goals": (
        "{zone}: {count} goals for {years} ({verdicts} verdicts, one per reading), "
        "{replications} replications.",
        "{zone}：{years}年目标{count}项（按不同解读共{verdicts}个判断），{replications}次重复模拟。",
    ),
    "summary on track": ("On track: {items}.", "有望实现：{items}。"),
    "summary determined": (
        "Met or missed by the inputs alone: {items}.",
        "由输入直接决定：{items}。",
    ),
    "summary uncertain": ("Uncertain: {items}.", "不确定：{items}。"),
    "summary off track": ("Out of reach on present course: {items}.", "按现状难以实现：{items}。"),
    "summary not modelled": ("Not modelled ({count}): {items}.", "未建模（{count}项）：{items}。"),
    "summary reading split": (
        "The verdict depends on how the source is read for {items}: see the readings.",
        "{items}的结论取决于对原文的解读，见各解读。",
    ),
    "item p": ("{name} (P {p})", "{name}（概率{p}）"),
    "item decided": ("{name} (P {p}; decided by {why})", "{name}（概率{p}；决定因素：{why}）"),
    "item gap": (
        "{name} (median {median} against {target}; P {p})",
        "{name}（中位数{median}，目标{target}；概率{p}）",
    ),
    "item gap moved": (
        "{name} (median {median} against {target}; P {p}; moved most by {why})",
        "{name}（中位数{median}，目标{target}；概率{p}；影响最大的是{why}）",
    ),
    "item met": ("{name} (met)", "{name}（已实现）"),
    "item missed": ("{name} (missed)", "{name}（未实现）"),
    "and": (", ", "、"),
    # plots: axes, legends and titles
    "year axis": ("year", "年份"),
    "value": ("value", "数值"),
    "end of year": ("{unit}, end of year", "{unit}（年末）"),
    "goal mark": ("{year} goal {op} {value}", "{year}年目标 {op} {value}"),
    "target mark": ("target {op} {value}", "目标 {op} {value}"),
    "p met is": ("P(met) = {p}", "实现概率 = {p}"),
    "p met list": ("P(met): {chances}", "实现概率：{chances}"),
    "reading prefix": ("reading '{reading}': ", "解读“{reading}”："),
    "replications axis": ("replications", "重复模拟次数"),
    "dashboard title": (
        "Will the zone meet its goals? Simulated values in the goal year across replications",
        "高新区能否实现目标？目标年份各次重复模拟的数值",
    ),
    "dashboard title years": (
        "Will the zone meet its {years} goals? Simulated values in the goal year across "
        "replications",
        "高新区能否实现{years}年目标？目标年份各次重复模拟的数值",
    ),
    "no modelled goals": ("No modelled goals", "没有建模的目标"),
    "p met axis": (
        "P(met) in the goal year, with its 95 % Monte Carlo interval; dashed: 0.2 and 0.8",
        "目标年份的实现概率及其95 %蒙特卡洛区间；虚线：0.2与0.8",
    ),
    "chances title": ("Probability of meeting each goal, per scenario", "各情景实现各项目标的概率"),
    "scenario legend": ("scenario", "情景"),
    "band 90": ("90 % of replications", "90 %的重复模拟"),
    "band 50": ("middle 50 %", "中间50 %"),
    "median line": ("median", "中位数"),
    "median and band": ("median and middle 50 %", "中位数与中间50 %"),
    "observed points": ("observed ({sources})", "观测值（{sources}）"),
    "observed label": ("observed: {sources}", "观测值：{sources}"),
    "pattern mean": (
        "published pattern, mean over the years ({source})",
        "已发表的规律，多年平均（{source}）",
    ),
    "observed total": (
        "observed {part}total {first}–{last}: {about}{value}{unit} ({source})\n"
        "drawn per year ({per_year})",
        "观测{part}合计{first}–{last}：{about}{value}{unit}（{source}）\n按年折算（{per_year}）",
    ),
    "simulated total": ("; simulated median total {value}", "；模拟合计中位数{value}"),
    "stages reached": ("Stages reached", "到达的阶段"),
    "lost or leaving": ("Lost or leaving", "流失或离开"),
    "funnel axis": (
        "firms and teams, cumulative (median across replications of each total)",
        "企业和团队累计数（各项合计的重复模拟中位数）",
    ),
    "funnel title": ("Where newcomers go, {first}–{last}", "新到企业的去向，{first}–{last}"),
    "funnel note": (
        "each bar is the median of its own total, so bars need not add up",
        "每一条为各自合计的中位数，各条之和不必相等",
    ),
    "funnel note makers": (
        "; a maker team that incorporates is admitted again as a firm, so admissions can "
        "exceed arrivals",
        "；创客团队注册成立企业后作为企业再次入驻，故入驻数可能超过新到数",
    ),
    "occupied": ("occupied", "已用"),
    "available": ("available", "空置"),
    "waiting": ("waiting for room (end of year)", "等待入驻（年末）"),
    "turned away": ("turned away for lack of room (per year)", "因空间不足未能入驻（每年）"),
    "queue title": ("The queue for room", "入驻排队"),
    "firms and teams": ("firms and teams", "企业和团队"),
    "floor area": ("floor area, m²", "面积（平方米）"),
    "carriers title": (
        "Carrier space: floor area occupied and available (median across replications)",
        "载体空间：已用与空置面积（重复模拟中位数）",
    ),
    "time to graduation": ("time to graduation", "至毕业的时间"),
    "time to failure": ("time to failure", "至失败的时间"),
    "events": ("{label} ({count} events)", "{label}（{count}个事件）"),
    "survival x": ("years since entering incubation", "入孵后年数"),
    "survival y": ("share still in incubation without that event", "仍在孵且未发生该事件的比例"),
    "survival title": (
        "How long incubated firms take to graduate or to fail",
        "在孵企业多久毕业或失败",
    ),
    "survival note": (
        "Kaplan–Meier, in-house; competing outcomes censored; {spells} incubation spells "
        "pooled over replications.",
        "Kaplan–Meier估计，竞争结局作删失处理；合并各次重复模拟的{spells}段在孵期。",
    ),
    "source line": (
        "zonesim · scenario {name} · {replications} replications · seed {seed}",
        "zonesim · 情景 {name} · {replications}次重复模拟 · 随机种子 {seed}",
    ),
}


def term(key: str, language: Language, **fields: object) -> str:
    """A term in ``language`` (``fields`` filled in where it has them); KeyError if the
    catalogue has no such term."""
    english, chinese = TERMS[key]
    text = chinese if language == "zh" else english
    return text.format(**fields) if fields else text


def indicator_name(indicator: str, english: str, language: Language) -> str:
    """An indicator's name: ``english`` (its label) in English, its Chinese name otherwise
    (``<indicator>.<id>`` variants keep the id)."""
    if language != "zh":
        return english
    base, _, part = indicator.partition(".")
    name = INDICATOR_ZH.get(base, english)
    return f"{name}：{part}" if part else name


def unit_name(unit: str, language: Language) -> str:
    """A unit in ``language``."""
    return UNIT_ZH.get(unit, unit) if language == "zh" else unit


def joined(items: list[str], language: Language) -> str:
    """Items joined with the language's separator."""
    return term("and", language).join(items)
