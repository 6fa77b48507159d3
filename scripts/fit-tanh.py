#!/usr/bin/python3
"""scripts/fit-tanh.py: the rational tanh of the LSTM gates
(plugins/optimizers/lstm_gates.c), fitted again from nothing:

    tanh x ≈ x·P(x²)/Q(x²) on [0, C],  P of degree 3, Q of degree 4, Q(0) = 1

by Lawson's iteration (weighted least squares of the linearised error
x·P − tanh·Q, the weights multiplied each round by |error|^½), in the
variable s = (x/C)² for conditioning, then written as coefficients of x².
Prints the largest error in double on a dense grid and the coefficients
rounded to float, ready for lstm_gates.c. Needs python3-numpy (a tool,
not used by the build or the tests):

    /usr/bin/python3 scripts/fit-tanh.py [C]        (C = 8 by default)
"""
import sys

import numpy as np


def fit(deg_p, deg_q, clamp, rounds=3000):
    n = 20000
    cheb = np.cos(np.pi * (np.arange(n) + 0.5) / n)
    x = np.sort(np.concatenate([(cheb + 1) / 2 * clamp, np.linspace(0, clamp, 5000)]))
    f = np.tanh(x)
    s = (x / clamp) ** 2
    w = np.ones_like(x)
    q_prev = np.ones_like(x)
    best = None
    for _ in range(rounds):
        a = np.hstack([x[:, None] * s[:, None] ** np.arange(deg_p + 1),
                       -(f[:, None] * s[:, None] ** np.arange(1, deg_q + 1))])
        sw = np.sqrt(w) / np.abs(q_prev)
        sol, *_ = np.linalg.lstsq(a * sw[:, None], f * sw, rcond=None)
        p = sol[:deg_p + 1]
        q = np.concatenate([[1.0], sol[deg_p + 1:]])
        pv = np.polyval(p[::-1], s)
        qv = np.polyval(q[::-1], s)
        err = x * pv / qv - f
        worst = np.max(np.abs(err))
        if best is None or worst < best[0]:
            best = (worst, p.copy(), q.copy())
        w = w * np.abs(err) ** 0.5 + 1e-300
        w /= w.sum()
        q_prev = qv
    worst, p, q = best
    scale = clamp ** (2.0 * np.arange(max(deg_p, deg_q) + 1))
    return worst, p / scale[:deg_p + 1], q / scale[:deg_q + 1]


def main():
    clamp = float(sys.argv[1]) if len(sys.argv) > 1 else 8.0
    worst, p, q = fit(3, 4, clamp)
    print(f"# C = {clamp}: largest error in double on [0, C] {worst:.3e}; "
          f"1 - tanh(C) = {1 - np.tanh(clamp):.3e}")
    for k, v in enumerate(p):
        print(f"#define TANH_P{k} {float(np.float32(v))!r}f")
    for k, v in enumerate(q[1:], start=1):
        print(f"#define TANH_Q{k} {float(np.float32(v))!r}f")


if __name__ == "__main__":
    main()
