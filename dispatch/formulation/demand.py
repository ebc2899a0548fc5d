"""Demand response: shiftable loads and interruptible contracts (D contracts, all blocks (T, D)).

dr_dn = demand taken away in an hour, dr_up = demand put back (shiftable only); both enter the
balance (and line flows) at the load's node as dr_dn − dr_up. Contracts on one load together take
away at most that load.
Shiftable:  dr_dn ≤ min(share·load, max_shift), dr_up ≤ max_shift,
            owed(t) = owed(t−1) + dr_dn − dr_up  (owed(−1) = carried in), owed = 0 where a block of
            window_h hours ends (and at the run's and the data's last hour), |owed| ≤ max_shift × the
            block's hours left: energy is conserved within each block; cost_per_mwh per MWh moved.
Interruptible: binaries on (called) and start per hour: dr_dn ≤ min(capacity, load)·on,
            on(t) − on(t−1) ≤ start(t), Σ start ≤ calls_left, Σ on ≤ hours_left, no call longer than
            max_hours_per_call (counting a call running at t0); price_per_mwh per MWh cut. With
            `reserve`, uncalled capacity dr_r ≤ capacity − dr_dn counts as spinning reserve up
            within min(capacity, load) (only while the window has a call left).
"""
import numpy as np


def add(b, a, opts):
    d, T = a.demand, a.T
    D = d.D
    shift = np.broadcast_to(d.shiftable, (T, D))
    cut = ~shift
    dn_ub = np.where(shift, np.minimum(d.share[None, :] * d.load_mw, d.max_shift_mw[None, :]),
                     np.minimum(d.capacity_mw[None, :], d.load_mw))
    dn = b.add_var("dr_dn", (T, D), 0.0, np.maximum(dn_ub, 0.0), np.broadcast_to(d.cost_per_mwh, (T, D)))
    up = b.add_var("dr_up", (T, D), 0.0, np.where(shift, d.max_shift_mw[None, :], 0.0))
    # owed energy can be put back (or taken away) only in the block's remaining hours
    reach = np.where(d.hours_to_block_end > 0, d.max_shift_mw[None, :], 0.0) * d.hours_to_block_end
    owed_lb = np.where(shift & ~d.block_end, -np.minimum(reach, np.inf), 0.0)
    owed = b.add_var("dr_owed", (T, D), owed_lb, -owed_lb)
    # a call costs a token 1e-6 per hour so that the model never reports a call without a cut
    on = b.add_var("dr_on", (T, D), 0, cut.astype(float), 1e-6, integer=True)
    start = b.add_var("dr_start", (T, D), 0, cut.astype(float), integer=True)
    has_call = cut & (d.calls_left[None, :] >= 1)
    b.add_var("dr_r", (T, D), 0.0, np.where(has_call & d.reserve[None, :], d.capacity_mw[None, :], 0.0))
    if D == 0:
        return
    ini = a.initial
    # several contracts on one load never cut more than the load: Σ dr_dn ≤ load
    for li in np.unique(d.load_index):
        ks = np.nonzero(d.load_index == li)[0]
        if ks.size > 1:
            b.add_rows("dr_within_load", T, -np.inf, d.load_mw[:, ks[0]],
                       (np.repeat(np.arange(T), ks.size), dn[:, ks].ravel(), 1.0))
    ks = np.nonzero(d.shiftable)[0]
    if ks.size:
        tt, kk = np.nonzero(np.broadcast_to(d.shiftable, (T, D)))
        prev = np.where(tt > 0, owed[np.maximum(tt - 1, 0), kk], -1)
        rhs = np.where(tt == 0, ini.dr_owed_mwh[kk], 0.0)
        b.add_rows("dr_owed", tt.size, rhs, rhs, (owed[tt, kk], 1.0), (prev, -1.0), (dn[tt, kk], -1.0),
                   (up[tt, kk], 1.0))
    kc = np.nonzero(~d.shiftable)[0]
    if kc.size == 0:
        return
    tt, kk = np.nonzero(np.broadcast_to(~d.shiftable, (T, D)))
    cap = np.minimum(d.capacity_mw[kk], d.load_mw[tt, kk])
    b.add_rows("dr_cut_on", tt.size, -np.inf, 0.0, (dn[tt, kk], 1.0), (on[tt, kk], -cap))
    was_on = (ini.dr_call_hours > 0).astype(float)
    prev = np.where(tt > 0, on[np.maximum(tt - 1, 0), kk], -1)
    b.add_rows("dr_call_start", tt.size, -np.inf, np.where(tt == 0, was_on[kk], 0.0), (on[tt, kk], 1.0),
               (prev, -1.0), (start[tt, kk], -1.0))
    r = b.var("dr_r")
    b.add_rows("dr_reserve", tt.size, -np.inf, cap, (r[tt, kk], 1.0), (dn[tt, kk], 1.0))
    rows = np.repeat(np.arange(kc.size), T)
    b.add_rows("dr_calls", kc.size, -np.inf, np.floor(d.calls_left[kc] + 1e-9),
               (rows, start[:, kc].T.ravel(), 1.0))
    b.add_rows("dr_hours", kc.size, -np.inf, d.hours_left[kc], (rows, on[:, kc].T.ravel(), 1.0))
    # no call longer than H hours: any H + 1 consecutive hours hold at most H called hours
    for k in kc:
        H = int(d.max_hours_per_call[k])
        t = np.arange(T)
        init = np.clip(np.minimum(ini.dr_call_hours[k], H - t), 0, None)   # called hours before t0 in [t−H, −1]
        terms = [(np.repeat(t, H + 1), np.where(t[:, None] - np.arange(H + 1)[None, :] >= 0,
                                                 on[np.clip(t[:, None] - np.arange(H + 1)[None, :], 0, None), k],
                                                 -1).ravel(), 1.0)]
        b.add_rows(f"dr_call_length_{k}", T, -np.inf, H - init, *terms)
