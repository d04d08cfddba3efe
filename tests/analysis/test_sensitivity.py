"""Sensitivity: a parameter with no effect gets an index near zero, one with an effect does
not; output parsing; warnings on small samples."""

from __future__ import annotations

import numpy as np
import pytest

from sim.analysis.sensitivity import Output, analyse, design, sensitivity
from sim.experiment.evaluate import Evaluator
from sim.scenario.space import Parameter, Space
from tests.helpers import baseline_data

HTE = "certification.hte.apply_probability"
#: Tech-SME registration does not enter HTE certification in the model.
INERT = "certification.tech_sme.apply_probability"


def space() -> Space:
    parameters = {
        HTE: Parameter(kind="lever", low=0.1, high=0.9),
        INERT: Parameter(kind="lever", low=0.1, high=0.9),
    }
    return Space("s", "", parameters, baseline_data())


@pytest.mark.validation(
    group="sensitivity",
    check="parameter without effect",
    asserts="a parameter with no path to the output gets Morris mu* = 0; a real lever ranks first",
    tolerance="1e-9",
)
def test_parameter_without_effect_has_index_near_zero(measured):
    target = Output.parse("national_hte@2020")
    evaluate = Evaluator(space(), 4, root_seed=11, end_year=2020, indicators=["national_hte"])
    result = sensitivity(space(), target, evaluate, "morris", samples=6, seed=1)
    by = result.indices.set_index("parameter")
    assert by.loc[INERT, "mu_star"] == pytest.approx(0.0, abs=1e-9)
    assert by.loc[HTE, "mu_star"] > 1.0
    assert result.indices["parameter"].iloc[0] == HTE
    assert any("unstable" in w for w in result.warnings)  # 6 < 10 trajectories
    measured(
        f"Morris mu* of national_hte@2020: HTE apply probability "
        f"{by.loc[HTE, 'mu_star']:.2f}, tech-SME apply probability "
        f"{by.loc[INERT, 'mu_star']:.2g} (no effect by construction)"
    )


def test_sobol_indices_of_an_additive_function():
    """Y = 4 u0 + u1 (uniform inputs): S1 = ST = 16/17 and 1/17; nothing for u2."""
    parameters = {f"p{i}": Parameter(kind="uncertain", low=0, high=1) for i in range(3)}
    s = Space("f", "", parameters, {f"p{i}": 0.5 for i in range(3)})
    points = design(s, "sobol", 1024, seed=3)
    outputs = 4 * points[:, 0] + points[:, 1]
    table, warnings = analyse(s, "sobol", points, outputs, seed=3)
    by = table.set_index("parameter")
    assert by.loc["p0", "ST"] == pytest.approx(16 / 17, abs=0.05)
    assert by.loc["p1", "S1"] == pytest.approx(1 / 17, abs=0.03)
    assert abs(by.loc["p2", "ST"]) < 0.01
    assert not any("unstable" in w for w in warnings)


def test_small_sobol_sample_warns():
    parameters = {f"p{i}": Parameter(kind="uncertain", low=0, high=1) for i in range(2)}
    s = Space("f", "", parameters, {})
    points = design(s, "sobol", 16, seed=3)
    _, warnings = analyse(s, "sobol", points, points[:, 0] + np.sin(6 * points[:, 1]), seed=3)
    assert any("unstable" in w for w in warnings)


def test_output_parse():
    assert Output.parse("national_hte@2020") == Output("national_hte", 2020)
    assert str(Output.parse(" tech_smes @2021")) == "tech_smes@2021"
    for bad in ("national_hte", "@2020", "x@year"):
        with pytest.raises(ValueError, match="INDICATOR@YEAR"):
            Output.parse(bad)
