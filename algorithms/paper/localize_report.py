"""The Localization tool's HTML report: RSS vs log10(distance) with the fitted line (the paper's Figure 6),
the fit figures and the localization counts. The plot is an inline SVG drawn here (no plotting library)."""
import html

import numpy as np

from .pathloss import rss_at_log

_WIDTH, _HEIGHT, _MARGIN = 640, 400, 56
_MAX_DOTS = 4000


def report_html(run, log_distance, rss):
    """The report page for a localization.LocalizationRun and its (log10 d, RSS) pairs."""
    fit = run.fit
    rows = [("Emissions heard by 3+ APs (candidates)", run.candidates),
            ("Localized with good quality", run.localized),
            ("A handed on (dBm)", f"{fit.a:.2f}"), ("n handed on", f"{fit.n:.3f}"),
            ("Fitted A ± standard error (dBm)", f"{fit.fitted_a:.2f} ± {fit.a_stderr:.2f}"),
            ("Fitted n ± standard error", f"{fit.fitted_n:.3f} ± {fit.n_stderr:.3f}"),
            ("Calibration status", fit.status), ("RSS residual sd (dB)", f"{fit.residual_sd:.2f}"),
            ("Position prior: RSS noise of 4+-AP emissions (dB; 0 = not applied)", f"{run.noise_sd:.2f}"),
            ("Position prior: spread (m)", f"{run.prior_sd:.1f}")]
    table = "\n".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(str(v))}</td></tr>" for k, v in rows)
    return (f"<!DOCTYPE html>\n<html><head><meta charset='utf-8'><title>Localization report</title></head>"
            f"<body style='font-family:sans-serif'>\n<h1>Localization and path-loss calibration</h1>\n"
            f"<p>{html.escape(fit.message)}</p>\n<table border='1' cellpadding='4'>{table}</table>\n"
            f"<h2>RSS against log10(distance) of the good localizations</h2>\n"
            f"{scatter_svg(log_distance, rss, fit.a, fit.n)}\n"
            f"<p>Dots: one PR of a well-localized emission, at its distance from the AP that heard it. "
            f"Line: RSS = A - 10 n log10(d) with the A, n handed on.</p></body></html>\n")


def scatter_svg(x, y, a, n):
    """An SVG scatter of (x, y) with the line y = a - 10 n x, axes and tick labels."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    keep = np.isfinite(x) & np.isfinite(y)
    x, y = x[keep], y[keep]
    if len(x) > _MAX_DOTS:
        pick = np.random.default_rng(0).choice(len(x), _MAX_DOTS, replace=False)
        x, y = x[pick], y[pick]
    x_lo, x_hi = _range(x, 0.0, 2.5)
    y_lo, y_hi = _range(y, -100.0, -20.0)

    def sx(v):
        return _MARGIN + (v - x_lo) / (x_hi - x_lo) * (_WIDTH - 1.5 * _MARGIN)

    def sy(v):
        return _HEIGHT - _MARGIN - (v - y_lo) / (y_hi - y_lo) * (_HEIGHT - 1.5 * _MARGIN)

    dots = "".join(f"<circle cx='{sx(u):.1f}' cy='{sy(v):.1f}' r='2'/>" for u, v in zip(x, y))
    parts = [f"<svg xmlns='http://www.w3.org/2000/svg' width='{_WIDTH}' height='{_HEIGHT}'>",
             f"<defs><clipPath id='plot'><rect x='{sx(x_lo):.1f}' y='{sy(y_hi):.1f}' "
             f"width='{sx(x_hi) - sx(x_lo):.1f}' height='{sy(y_lo) - sy(y_hi):.1f}'/></clipPath></defs>",
             f"<g clip-path='url(#plot)'><g fill='#1f77b4' fill-opacity='0.35'>{dots}</g>"]
    if np.isfinite(a) and np.isfinite(n):
        parts.append(f"<line x1='{sx(x_lo):.1f}' y1='{sy(rss_at_log(x_lo, a, n)):.1f}' x2='{sx(x_hi):.1f}' "
                     f"y2='{sy(rss_at_log(x_hi, a, n)):.1f}' stroke='#d62728' stroke-width='2'/>")
    parts.append("</g>")
    parts.append(_axes(sx, sy, x_lo, x_hi, y_lo, y_hi))
    parts.append("</svg>")
    return "".join(parts)


def _range(values, low, high):
    if len(values) == 0:
        return low, high
    lo, hi = float(values.min()), float(values.max())
    pad = max(0.05 * (hi - lo), 0.5)
    return lo - pad, hi + pad


def _axes(sx, sy, x_lo, x_hi, y_lo, y_hi):
    parts = [f"<g stroke='black' fill='none'><rect x='{sx(x_lo):.1f}' y='{sy(y_hi):.1f}' "
             f"width='{sx(x_hi) - sx(x_lo):.1f}' height='{sy(y_lo) - sy(y_hi):.1f}'/></g><g font-size='11'>"]
    for tick in _ticks(x_lo, x_hi):
        parts.append(f"<text x='{sx(tick):.1f}' y='{sy(y_lo) + 16:.1f}' text-anchor='middle'>{tick:g}</text>")
    for tick in _ticks(y_lo, y_hi):
        parts.append(f"<text x='{sx(x_lo) - 6:.1f}' y='{sy(tick) + 4:.1f}' text-anchor='end'>{tick:g}</text>")
    parts.append(f"<text x='{(sx(x_lo) + sx(x_hi)) / 2:.1f}' y='{_HEIGHT - 12}' text-anchor='middle'>"
                 "log10(distance / 1 m)</text>")
    parts.append(f"<text x='14' y='{(sy(y_lo) + sy(y_hi)) / 2:.1f}' text-anchor='middle' "
                 f"transform='rotate(-90 14 {(sy(y_lo) + sy(y_hi)) / 2:.1f})'>RSS (dBm)</text></g>")
    return "".join(parts)


def _ticks(lo, hi, count=6):
    raw = (hi - lo) / count
    step = 10 ** np.floor(np.log10(raw))
    step *= min((m for m in (1, 2, 5, 10) if m * step >= raw), default=10)
    return np.round(np.arange(np.ceil(lo / step) * step, hi + 1e-9, step), 6)
