"""CHP heating-season must-run: a least electric output in the season's hours, with a penalised
shortfall so the model stays feasible (e.g. a unit still inside its minimum down time when the
season starts).

  p_min·u + p + hs_short ≥ season_min_mw     (only where season_min_mw > 0)
hs_short (T, G) costs must_run_short_cost per MWh and is reported (`must_run_short_mw`).
"""
import numpy as np


def add(b, a, opts):
    T, G = a.T, a.G
    need = a.season_min_mw
    short = b.add_var("hs_short", (T, G), 0.0, need, a.must_run_short_cost)
    tt, gg = np.nonzero(need > 0)
    if tt.size:
        u, p = b.var("u"), b.var("p")
        b.add_rows("heating_min", tt.size, need[tt, gg], np.inf, (u[tt, gg], a.p_min_mw[gg]), (p[tt, gg], 1.0),
                   (short[tt, gg], 1.0))
