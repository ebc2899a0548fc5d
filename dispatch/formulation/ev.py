"""EV fleets (E fleets, blocks (T, E)): aggregate charging of the plugged-in vehicles.

  ev_s(t) = ev_s(t−1) + ev_ch(t) − depart(t) + ev_short(t)     (ev_s(−1) = carried in)
  0 ≤ ev_s ≤ need,  0 ≤ ev_ch ≤ charger_mw                        (smart fleets)
  ev_ch = unmanaged_mw                                            (unmanaged: fixed profile)
ev_s is the energy already delivered to the vehicles still plugged in; departing vehicles take
their full energy, and whatever could not be delivered in time is ev_short (at VOLL, reported).
Charging is a withdrawal at the fleet's node (balance, line flows, microgrid PCC).
"""
import numpy as np


def add(b, a, opts):
    ev, T = a.ev, a.T
    E = ev.E
    smart = np.broadcast_to(ev.smart, (T, E))
    ch = b.add_var("ev_ch", (T, E), np.where(smart, 0.0, ev.unmanaged_mw), np.where(smart, ev.charger_mw,
                                                                                     ev.unmanaged_mw))
    s = b.add_var("ev_s", (T, E), 0.0, ev.need_mwh)
    short = b.add_var("ev_short", (T, E), 0.0, np.inf, a.voll)
    if E == 0:
        return
    tt, kk = np.nonzero(np.ones((T, E), bool))
    prev = np.where(tt > 0, s[np.maximum(tt - 1, 0), kk], -1)
    rhs = -ev.depart_mwh[tt, kk] + np.where(tt == 0, a.initial.ev_energy_mwh[kk], 0.0)
    b.add_rows("ev_energy", tt.size, rhs, rhs, (s[tt, kk], 1.0), (prev, -1.0), (ch[tt, kk], -1.0),
               (short[tt, kk], -1.0))
