"""MILP pieces for storage stations (batteries, pumped hydro, hydro reservoirs): `add(builder, arrays, opts)`.

Works on any builder with `add_var` / `add_rows` / `var` (dispatch.builder.Builder) and on
`arrays.storage` (dispatch.compile.StorageArrays); imports nothing from dispatch. Variables (T, N):
ch, dis (MW), soc (MWh at the end of the hour), st_r_up, st_r_dn (reserve), st_pump, st_gen
(integer units pumping / generating; used where `needs_units`), st_zc, st_zd (unit starts of
pumping / generating, where mode changes cost). Rows:
  soc(t) = (1 − loss)·soc(t−1) + η_c·ch(t) − dis(t)/η_d + inflow(t) − spill(t)
                                                               soc(−1) = the carried state
  dis + spill ≥ min_release (reservoirs); spill only where allowed (not batteries)
  soc_min ≤ soc ≤ soc_max; soc(T−1) ≥ soc_final (end of the optimisation window)
  ch ≤ (P_c/n)·pump, fixed speed: ch = (P_c/n)·pump, variable: ch ≥ share·(P_c/n)·pump
  dis ≤ (P_d/n)·gen; exclusive: pump + gen ≤ n
  st_zc ≥ pump(t) − pump(t−1), st_zd ≥ gen(t) − gen(t−1)        (mode-change cost)
  r_up ≤ P_d − dis + ch and ≤ η_d·(soc − soc_min); r_dn ≤ P_c − ch + dis and ≤ (soc_max − soc)/η_c
Costs: degradation per MWh discharged, mode-change cost per unit start.
"""
import numpy as np


def add(b, a, opts):
    st = a.storage
    T, N = a.T, st.N
    if N == 0:
        return
    need = st.needs_units
    n = st.units.astype(float)
    ch_ub = np.broadcast_to(st.charge_mw, (T, N))
    dis_ub = np.broadcast_to(st.discharge_mw, (T, N))
    ch = b.add_var("ch", (T, N), 0.0, ch_ub)
    dis = b.add_var("dis", (T, N), 0.0, dis_ub, np.broadcast_to(st.degradation_cost_per_mwh, (T, N)))
    soc_lb = np.broadcast_to(st.soc_min_mwh, (T, N)).copy()
    soc_lb[-1] = np.maximum(st.soc_min_mwh, np.minimum(st.soc_final_mwh, st.soc_max_mwh))
    soc = b.add_var("soc", (T, N), soc_lb, np.broadcast_to(st.soc_max_mwh, (T, N)))
    units_ub = np.broadcast_to(np.where(need, n, 0.0), (T, N))
    pump = b.add_var("st_pump", (T, N), 0.0, units_ub, integer=True)
    gen = b.add_var("st_gen", (T, N), 0.0, units_ub, integer=True)

    spill = b.add_var("spill", (T, N), 0.0, np.broadcast_to(np.where(st.spill_allowed, np.inf, 0.0), (T, N)))
    keep = 1.0 - st.self_discharge_per_h
    prev = np.full((T, N), -1)
    prev[1:] = soc[:-1]
    rhs = a.storage_inflow_mw.copy()
    rhs[0] += keep * a.initial.soc_mwh
    b.add_rows("soc", T * N, rhs.ravel(), rhs.ravel(), (soc, 1.0), (prev, -np.broadcast_to(keep, (T, N))),
               (ch, -np.broadcast_to(st.eta_charge, (T, N))), (dis, np.broadcast_to(1.0 / st.eta_discharge, (T, N))),
               (spill, 1.0))
    tt, kk = np.nonzero(np.broadcast_to(st.min_release_mw > 0, (T, N)))
    b.add_rows("min_release", tt.size, st.min_release_mw[kk], np.inf, (dis[tt, kk], 1.0), (spill[tt, kk], 1.0))

    tt, kk = np.nonzero(np.broadcast_to(need, (T, N)))
    if tt.size:
        unit_ch, unit_dis = (st.charge_mw / n)[kk], (st.discharge_mw / n)[kk]
        fixed = st.fixed_speed[kk]
        b.add_rows("pump_power", tt.size, np.where(fixed, 0.0, -np.inf), 0.0, (ch[tt, kk], 1.0), (pump[tt, kk], -unit_ch))
        lo_share = st.pump_min_share[kk] > 0
        if lo_share.any():
            t2, k2 = tt[lo_share], kk[lo_share]
            b.add_rows("pump_min", t2.size, 0.0, np.inf, (ch[t2, k2], 1.0),
                       (pump[t2, k2], -(st.pump_min_share * st.charge_mw / n)[k2]))
        b.add_rows("gen_power", tt.size, -np.inf, 0.0, (dis[tt, kk], 1.0), (gen[tt, kk], -unit_dis))
        ex = st.exclusive[kk]
        if ex.any():
            b.add_rows("storage_exclusive", int(ex.sum()), -np.inf, n[kk[ex]], (pump[tt[ex], kk[ex]], 1.0),
                       (gen[tt[ex], kk[ex]], 1.0))
    cost = np.broadcast_to(st.mode_change_cost, (T, N))
    zc = b.add_var("st_zc", (T, N), 0.0, np.where(cost > 0, np.inf, 0.0), cost)
    zd = b.add_var("st_zd", (T, N), 0.0, np.where(cost > 0, np.inf, 0.0), cost)
    tt, kk = np.nonzero(cost > 0)
    if tt.size:
        for name, z, y, y0 in (("pump_starts", zc, pump, a.initial.pump_units), ("gen_starts", zd, gen, a.initial.gen_units)):
            yprev = np.where(tt > 0, y[np.maximum(tt - 1, 0), kk], -1)
            b.add_rows(name, tt.size, -np.where(tt == 0, y0[kk], 0.0), np.inf, (z[tt, kk], 1.0), (y[tt, kk], -1.0),
                       (yprev, 1.0))

    any_up, any_dn = a.reserve_up_mw.max(initial=0) > 0, a.reserve_down_mw.max(initial=0) > 0
    el = np.broadcast_to(st.reserve_eligible, (T, N))
    r_up = b.add_var("st_r_up", (T, N), 0.0, np.where(el & any_up, dis_ub + ch_ub, 0.0))
    r_dn = b.add_var("st_r_dn", (T, N), 0.0, np.where(el & any_dn, dis_ub + ch_ub, 0.0))
    m = T * N
    b.add_rows("st_r_up_power", m, -np.inf, dis_ub.ravel(), (r_up, 1.0), (dis, 1.0), (ch, -1.0))
    b.add_rows("st_r_up_energy", m, -np.inf, np.broadcast_to(-st.eta_discharge * st.soc_min_mwh, (T, N)).ravel(),
               (r_up, 1.0), (soc, -np.broadcast_to(st.eta_discharge, (T, N))))
    b.add_rows("st_r_dn_power", m, -np.inf, ch_ub.ravel(), (r_dn, 1.0), (ch, 1.0), (dis, -1.0))
    b.add_rows("st_r_dn_energy", m, -np.inf, np.broadcast_to(st.soc_max_mwh / st.eta_charge, (T, N)).ravel(),
               (r_dn, 1.0), (soc, np.broadcast_to(1.0 / st.eta_charge, (T, N))))
