"""Customer lifetime value: simple CLV, BG/NBD and Gamma-Gamma models, predictive CLV and backtest."""

from __future__ import annotations

from xlsegment.clv._units import UNIT_DAYS, ModelWarning
from xlsegment.clv.backtest import BacktestResult, backtest
from xlsegment.clv.bgnbd import (
    BGNBDResult,
    bgnbd_expected_purchases,
    bgnbd_log_likelihood,
    bgnbd_p_alive,
    bgnbd_unconditional_purchases,
    fit_bgnbd,
)
from xlsegment.clv.gamma_gamma import (
    GammaGammaResult,
    fit_gamma_gamma,
    gamma_gamma_expected_aov,
    gamma_gamma_log_likelihood,
)
from xlsegment.clv.predict import predict_clv
from xlsegment.clv.simple import (
    annuity_factor,
    clv_formula,
    estimate_lifetime,
    lifetime_from_retention,
    simple_clv,
)

__all__ = [
    "UNIT_DAYS",
    "BGNBDResult",
    "BacktestResult",
    "GammaGammaResult",
    "ModelWarning",
    "annuity_factor",
    "backtest",
    "bgnbd_expected_purchases",
    "bgnbd_log_likelihood",
    "bgnbd_p_alive",
    "bgnbd_unconditional_purchases",
    "clv_formula",
    "estimate_lifetime",
    "fit_bgnbd",
    "fit_gamma_gamma",
    "gamma_gamma_expected_aov",
    "gamma_gamma_log_likelihood",
    "lifetime_from_retention",
    "predict_clv",
    "simple_clv",
]
