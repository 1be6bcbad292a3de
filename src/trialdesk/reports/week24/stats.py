"""The week-24 report's statistics: proportions with exact confidence intervals and
continuous summaries with the t interval of the mean.

- A proportion (participants with a treatment-emergent AE, EULAR responders) gets the
  Clopper-Pearson exact interval (Clopper & Pearson, Biometrika 1934;26:404-13), the
  interval a single-arm safety study of 15 reports: it never falls outside [0, 1] and
  holds its coverage at small n (Newcombe, Stat Med 1998;17:857-72, method 5; the tests
  reproduce that paper's worked examples).
- A change from baseline gets n, mean, SD, median, min, max and the 95% interval of the
  mean from Student's t with n - 1 degrees of freedom (ICH E9 §5.5: estimates with their
  confidence intervals). With n < 2 the SD and interval do not exist and are None.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable
from dataclasses import dataclass

from scipy.stats import binomtest
from scipy.stats import t as student_t

__all__ = ["Proportion", "Summary", "proportion", "summarise"]


@dataclass(frozen=True)
class Proportion:
    count: int
    n: int
    low: float | None  # the exact interval; None when n == 0
    high: float | None
    level: float = 0.95

    @property
    def percent(self) -> float | None:
        return 100.0 * self.count / self.n if self.n else None


def proportion(count: int, n: int, *, level: float = 0.95) -> Proportion:
    """``count`` of ``n`` with its Clopper-Pearson exact interval."""
    if not 0 <= count <= n:
        raise ValueError(f"a count of {count} out of {n}")
    if n == 0:
        return Proportion(count, n, None, None, level)
    ci = binomtest(count, n).proportion_ci(confidence_level=level, method="exact")
    return Proportion(count, n, float(ci.low), float(ci.high), level)


@dataclass(frozen=True)
class Summary:
    n: int
    mean: float | None
    sd: float | None
    median: float | None
    minimum: float | None
    maximum: float | None
    low: float | None  # the t interval of the mean
    high: float | None
    level: float = 0.95


def summarise(values: Iterable[float | None], *, level: float = 0.95) -> Summary:
    """n, mean, SD (n - 1), median, range and the t interval of the mean of the values
    given (None: not available, left out and not counted)."""
    xs = [float(v) for v in values if v is not None and not math.isnan(float(v))]
    n = len(xs)
    if n == 0:
        return Summary(0, None, None, None, None, None, None, None, level)
    mean = statistics.fmean(xs)
    if n < 2:
        return Summary(n, mean, None, xs[0], xs[0], xs[0], None, None, level)
    sd = statistics.stdev(xs)
    half = float(student_t.ppf(0.5 + level / 2, n - 1)) * sd / math.sqrt(n)
    return Summary(
        n, mean, sd, statistics.median(xs), min(xs), max(xs), mean - half, mean + half, level
    )
