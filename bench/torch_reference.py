#!/usr/bin/env python3
"""torch_reference.py: the meta-training trajectory that `l2l bench` times
(core/bench/bench_traj.c), written in PyTorch the way researchers write it, timed
on the same machine with the same threads, for the ratio l2l : PyTorch.

The trajectory (Andrychowicz et al. 2016):
  - optimizer: coordinatewise 2-layer LSTM of 20 units, input preprocessed
    by the paper's logsign (p = 10), output scaled by 0.1 (l2l's `lstm`
    defaults); one LSTM "batch row" per coordinate;
  - T = 100 optimizee steps cut into unrolls of U = 20; per unroll the
    meta-loss L = sum_{s=1..U} f(theta_s), backward to phi, one Adam step
    on phi (lr 0.001); the LSTM state and theta carry over between
    unrolls (truncated BPTT);
  - second derivatives dropped: the gradient fed to the LSTM is detached
    (a constant input), as in l2l's meta-trainer;
  - optimizees: 10-d quadratics, batch 128 (1,280 parameters, W, y ~ U[0,1),
    f = mean_b ||W_b theta_b - y_b||^2), and the 784-20-10 sigmoid MLP
    (15,910 parameters) on minibatches of 128 drawn with replacement from
    1,024 synthetic images (the rate does not depend on the pixels).

Run with Debian's PyTorch (apt-get install python3-torch; the system
interpreter, /usr/bin/python3):
    /usr/bin/python3 bench/torch_reference.py [--threads 2] [--trajectories 5]
        [--l2l-csv bench.csv]
It prints tidy CSV rows (benchmark,n,metric,value,unit) and, given the CSV
of `l2l bench` from the same machine, the ratios PyTorch / l2l.

--conv times one training step of the conv optimizee's network instead
(l2l's `conv` defaults, the paper's CIFAR-10 net from its reference code:
3 x [conv 16 5x5 SAME + bias, batch norm (offset only, eps 1e-3, batch
statistics), ReLU, 2x2/2 max pool], fc 32 with batch norm and ReLU,
10-way softmax; batch 128 of 28x28 images; weights N(0, 0.01^2)): forward
and backward to every parameter, as `bench/conv_bench` times it. Compare
with bench/conv_bench at the same OMP_NUM_THREADS (docs/performance.md).

--surrogate replaces each f(theta_s) in the meta-loss by the linear
surrogate <grad_s, theta_s> (grad_s detached): the same dL/dphi without
keeping the optimizee's graphs, a faster PyTorch variant for comparison.
Thread settings: PyTorch's fastest found on this 2-core machine
(bench/torch_threads.sh, docs/performance.md) is the default:
OPENBLAS_NUM_THREADS=1 (Debian's PyTorch multiplies through OpenBLAS,
whose own pool of 2 threads beside PyTorch's 2 OpenMP threads
oversubscribes the cores: the MLP trajectory 2.5x slower) and
GOMP_SPINCOUNT=3000 (libgomp's idle workers spin briefly, then sleep, as
l2l's main.c sets for itself: with the default long spin a thread that
the scheduler took away stalls every parallel region of a loaded machine).
Both are set before torch is imported unless the environment already sets
them (or OMP_WAIT_POLICY); --threads as torch.set_num_threads.

Not needed by the build or the tests. """
import argparse
import csv
import math
import os
import statistics
import sys
import time

# Before torch loads OpenBLAS and libgomp, which read them once.
if "OMP_WAIT_POLICY" not in os.environ:
    os.environ.setdefault("GOMP_SPINCOUNT", "3000")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import torch  # noqa: E402


def logsign(g, p):
    """Paper's preprocessing: (log|g|/p, sign g) if |g| >= e^-p, else (-1, e^p g)."""
    a = g.abs()
    big = a >= math.exp(-p)
    x1 = torch.where(big, torch.log(a.clamp_min(1e-38)) / p, torch.full_like(g, -1.0))
    x2 = torch.where(big, torch.sign(g), g * math.exp(p))
    return torch.stack((x1, x2), dim=1)  # (n, 2)


class CoordLSTM(torch.nn.Module):
    """m(grad, state; phi): 2 LSTM layers of 20 units and a linear output,
    applied to every coordinate independently (coordinates = batch rows)."""

    def __init__(self, hidden=20, layers=2, p=10.0, scale=0.1):
        super().__init__()
        sizes = [2] + [hidden] * layers
        self.cells = torch.nn.ModuleList(
            torch.nn.LSTMCell(sizes[k], sizes[k + 1]) for k in range(layers))
        self.out = torch.nn.Linear(hidden, 1)
        self.hidden, self.p, self.scale = hidden, p, scale

    def zero_state(self, n):
        return [(torch.zeros(n, self.hidden), torch.zeros(n, self.hidden)) for _ in self.cells]

    def forward(self, grad, state):
        x = logsign(grad, self.p)
        new = []
        for cell, hc in zip(self.cells, state):
            h, c = cell(x, hc)
            new.append((h, c))
            x = h
        return self.scale * self.out(x).squeeze(1), new


class Quadratic:
    """B independent d-dimensional quadratics as one theta of B*d parameters."""

    def __init__(self, d=10, batch=128):
        self.d, self.B, self.n = d, batch, d * batch

    def new_problem(self, gen):
        self.W = torch.rand(self.B, self.d, self.d, generator=gen)
        self.y = torch.rand(self.B, self.d, generator=gen)
        return 0.01 * torch.randn(self.n, generator=gen)

    def loss(self, theta):
        r = torch.bmm(self.W, theta.view(self.B, self.d, 1)).squeeze(2) - self.y
        return (r * r).sum(1).mean()


class MLP:
    """784-20-10 sigmoid classifier, softmax cross-entropy on a fresh minibatch."""

    def __init__(self, hidden=20, batch=128, examples=1024):
        self.sizes = [784, hidden, 10]
        self.n = sum(a * b + b for a, b in zip(self.sizes[:-1], self.sizes[1:]))
        self.batch = batch
        gen = torch.Generator().manual_seed(784)
        self.x = torch.rand(examples, 784, generator=gen)
        self.labels = torch.randint(0, 10, (examples,), generator=gen)

    def new_problem(self, gen):
        self.gen = gen
        return 0.01 * torch.randn(self.n, generator=gen)

    def loss(self, theta):
        idx = torch.randint(0, self.x.shape[0], (self.batch,), generator=self.gen)
        h, off = self.x[idx], 0
        for k, (a, b) in enumerate(zip(self.sizes[:-1], self.sizes[1:])):
            W = theta[off:off + a * b].view(a, b)
            off += a * b
            bias = theta[off:off + b]
            off += b
            h = h @ W + bias
            if k < len(self.sizes) - 2:
                h = torch.sigmoid(h)
        return torch.nn.functional.cross_entropy(h, self.labels[idx])


class ConvNet(torch.nn.Module):
    """The conv optimizee's default network (see --conv)."""

    def __init__(self, channels=(16, 16, 16), hidden=32, classes=10, side=28):
        super().__init__()
        layers, c = [], 1
        for out in channels:
            layers += [torch.nn.Conv2d(c, out, 5, padding=2),
                       torch.nn.BatchNorm2d(out, eps=1e-3, affine=True, track_running_stats=False),
                       torch.nn.ReLU(),
                       torch.nn.MaxPool2d(2, 2, ceil_mode=True)]  # 28 -> 14 -> 7 -> 4, as SAME
            c, side = out, (side + 1) // 2
        self.conv = torch.nn.Sequential(*layers)
        self.fc = torch.nn.Linear(c * side * side, hidden)
        self.bn = torch.nn.BatchNorm1d(hidden, eps=1e-3, track_running_stats=False)
        self.out = torch.nn.Linear(hidden, classes)
        with torch.no_grad():
            for m in self.modules():
                if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear)):
                    m.weight.normal_(0, 0.01)
                    m.bias.normal_(0, 0.01)
                elif isinstance(m, (torch.nn.BatchNorm2d, torch.nn.BatchNorm1d)):
                    m.weight.fill_(1.0)
                    m.weight.requires_grad_(False)  # offset only, as l2l's default
                    m.bias.zero_()

    def forward(self, x):
        h = self.conv(x).flatten(1)
        return self.out(torch.relu(self.bn(self.fc(h))))


def time_conv_step(args):
    """Median and best seconds of one training step (gather, forward, backward)."""
    torch.manual_seed(2016)
    net = ConvNet()
    gen = torch.Generator().manual_seed(784)
    x = torch.rand(1024, 1, 28, 28, generator=gen)
    labels = torch.randint(0, 10, (1024,), generator=gen)
    clock = time.process_time if args.cpu_time else time.perf_counter
    secs = []
    for k in range(args.calls + 3):  # 3 warm-up calls
        t0 = clock()
        idx = torch.randint(0, 1024, (128,), generator=gen)
        net.zero_grad(set_to_none=True)
        loss = torch.nn.functional.cross_entropy(net(x[idx]), labels[idx])
        loss.backward()
        if k >= 3:
            secs.append(clock() - t0)
    n = sum(p.numel() for p in net.parameters() if p.requires_grad)
    return n, statistics.median(secs), min(secs)


def trajectory(net, meta_opt, problem, gen, T, U, surrogate):
    """One meta-training trajectory; returns the mean f(theta_t), t = 1..T."""
    theta = problem.new_problem(gen).requires_grad_(True)
    state = net.zero_state(problem.n)
    f = problem.loss(theta)
    (g,) = torch.autograd.grad(f, theta)  # grad_0, detached
    total = 0.0
    for start in range(0, T, U):
        u = min(U, T - start)
        # truncated BPTT: theta and the LSTM state are constants of this unroll
        theta = theta.detach().requires_grad_(True)
        state = [(h.detach(), c.detach()) for h, c in state]
        L = 0.0
        for _ in range(u):
            upd, state = net(g, state)
            theta = theta + upd                      # theta_{t+1} = theta_t + g_t
            if surrogate:
                th = theta.detach().requires_grad_(True)
                f = problem.loss(th)
                (g,) = torch.autograd.grad(f, th)
                L = L + (g * theta).sum()            # same dL/dphi, no f graph kept
            else:
                f = problem.loss(theta)
                (g,) = torch.autograd.grad(f, theta, retain_graph=True)  # detached
                L = L + f
            total += float(f)
        meta_opt.zero_grad()
        L.backward()
        meta_opt.step()
    return total / T


def time_trajectories(name, problem, args):
    torch.manual_seed(2016)
    net = CoordLSTM()
    meta_opt = torch.optim.Adam(net.parameters(), lr=0.001)
    gen = torch.Generator().manual_seed(2016)
    secs, loss = [], float("nan")
    for k in range(args.trajectories + 1):  # k = 0: warm-up
        t0 = time.perf_counter()
        loss = trajectory(net, meta_opt, problem, gen, args.steps, args.unroll, args.surrogate)
        if k > 0:
            secs.append(time.perf_counter() - t0)
        print(f"# {name} trajectory {k}: {time.perf_counter() - t0:.4f} s, mean loss {loss:.4g}",
              file=sys.stderr)
    if not math.isfinite(loss):
        sys.exit(f"torch_reference: {name}: meta-loss {loss}, expected finite")
    return statistics.median(secs), min(secs)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--interop-threads", type=int,
                    help="torch.set_num_interop_threads (PyTorch's default when absent)")
    ap.add_argument("--trajectories", type=int, default=5)
    ap.add_argument("--steps", type=int, default=100)
    ap.add_argument("--unroll", type=int, default=20)
    ap.add_argument("--surrogate", action="store_true")
    ap.add_argument("--only", choices=["quadratic", "mlp"])
    ap.add_argument("--conv", action="store_true", help="time one conv training step instead")
    ap.add_argument("--calls", type=int, default=30, help="timed conv steps (--conv)")
    ap.add_argument("--cpu-time", action="store_true",
                    help="time conv steps by process CPU time (as CONV_BENCH_CPU=1)")
    ap.add_argument("--l2l-csv", help="CSV of `l2l bench` from this machine, for the ratios")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    if args.interop_threads:
        torch.set_num_interop_threads(args.interop_threads)
    prefix = "torch-surrogate-" if args.surrogate else "torch-"
    rows = []
    if args.conv:
        n, med, best = time_conv_step(args)
        rows += [("torch-conv-step", n, "seconds_median", med, "s"),
                 ("torch-conv-step", n, "seconds_best", best, "s"),
                 ("torch-conv-step", n, "threads", torch.get_num_threads(), "")]
    for name, problem in (("quadratic", Quadratic()), ("mlp", MLP())):
        if args.conv or args.only and args.only != name:
            continue
        med, best = time_trajectories(name, problem, args)
        bench = f"{prefix}trajectory-{name}"
        rows += [(bench, problem.n, "seconds_median", med, "s"),
                 (bench, problem.n, "seconds_best", best, "s"),
                 (bench, problem.n, "threads", torch.get_num_threads(), "")]
    with open("/proc/loadavg") as f:
        rows.append(("machine", 0, "load_1min_end", float(f.read().split()[0]), ""))
    print("benchmark,n,metric,value,unit")
    for r in rows:
        print(f"{r[0]},{r[1]},{r[2]},{r[3]:.6g},{r[4]}")
    if args.l2l_csv:
        with open(args.l2l_csv) as f:
            l2l = {(r["benchmark"], int(r["n"]), r["metric"]): float(r["value"])
                   for r in csv.DictReader(f)}
        for bench, n, metric, value, _ in rows:
            key = (bench[len(prefix):], n, metric)
            if metric == "seconds_median" and key in l2l:
                print(f"# {bench} n={n}: PyTorch {value:.4f} s, l2l {l2l[key]:.4f} s: "
                      f"l2l is {value / l2l[key]:.2f}x faster", file=sys.stderr)


if __name__ == "__main__":
    main()
