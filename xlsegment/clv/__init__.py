"""Customer lifetime value: simple CLV, purchase models (BG/NBD, MBG/NBD, Pareto/NBD), Gamma-Gamma,
predictive CLV with an automatic model choice and reliability verdicts, and the backtest.

One model per file over `base.py` (lifetimes' fitters idiom): a new model is one new file.
"""

from __future__ import annotations

from xlsegment.clv._units import UNIT_DAYS, ModelWarning
from xlsegment.clv.backtest import BacktestResult, backtest
from xlsegment.clv.base import BTYDResult, FitResult
from xlsegment.clv.bgnbd import (
    BGNBDResult,
    bgnbd_expected_purchases,
    bgnbd_log_likelihood,
    bgnbd_p_alive,
    bgnbd_unconditional_purchases,
    fit_bgnbd,
)
from xlsegment.clv.choice import ModelChoice, choose_model
from xlsegment.clv.gamma_gamma import (
    GammaGammaResult,
    fit_gamma_gamma,
    gamma_gamma_expected_aov,
    gamma_gamma_log_likelihood,
)
from xlsegment.clv.mbgnbd import (
    MBGNBDResult,
    fit_mbgnbd,
    mbgnbd_expected_purchases,
    mbgnbd_log_likelihood,
    mbgnbd_p_alive,
)
from xlsegment.clv.pareto_nbd import (
    ParetoNBDResult,
    fit_pareto_nbd,
    paretonbd_expected_purchases,
    paretonbd_log_likelihood,
    paretonbd_p_alive,
)
from xlsegment.clv.predict import predict_clv
from xlsegment.clv.reliability import reliability_table, verdict_sentences
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
    "BTYDResult",
    "BacktestResult",
    "FitResult",
    "GammaGammaResult",
    "MBGNBDResult",
    "ModelChoice",
    "ModelWarning",
    "ParetoNBDResult",
    "annuity_factor",
    "backtest",
    "bgnbd_expected_purchases",
    "bgnbd_log_likelihood",
    "bgnbd_p_alive",
    "bgnbd_unconditional_purchases",
    "choose_model",
    "clv_formula",
    "estimate_lifetime",
    "fit_bgnbd",
    "fit_gamma_gamma",
    "fit_mbgnbd",
    "fit_pareto_nbd",
    "gamma_gamma_expected_aov",
    "gamma_gamma_log_likelihood",
    "lifetime_from_retention",
    "mbgnbd_expected_purchases",
    "mbgnbd_log_likelihood",
    "mbgnbd_p_alive",
    "paretonbd_expected_purchases",
    "paretonbd_log_likelihood",
    "paretonbd_p_alive",
    "predict_clv",
    "reliability_table",
    "simple_clv",
    "verdict_sentences",
]
