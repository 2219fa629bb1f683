"""An independent PyTorch (CPU or CUDA) version of the 2306.08125 training protocol, for side-by-side
checks of htsgd's numbers on identical data: bias-free ReLU FCN with PyTorch's default init law,
constant-lr SGD on mean cross-entropy, per-epoch shuffles, full train/test evaluation every K
steps after the step and before the noise, stop at the first evaluation with train accuracy >= the
target (that step gets no noise), heavy-tailed noise s*X with s = sigma*lr^(1/alpha) added after
every other step to every layer but the output layer, then mce pruning of the hidden units
(docs/papers.md, A.3-A.6).

The noise is drawn in float64 by Chambers-Mallows-Stuck from numpy's generator (uniforms with
53-bit resolution), i.e. the exact law for every purpose here; `--grid24` puts the uniforms on
the 2^-24 grid htsgd used before its tail fix, to show what that truncation does. Randomness is
numpy/PyTorch's own, so runs agree with htsgd in law, not draw by draw.

Data: `.npy` files x_train, y_train, x_test, y_test in --data (e.g. written from htsgd's loader).
Prints one JSON line per seed.
"""
import argparse
import json
import math

import numpy as np
import torch


def sas(rng, alpha, size, grid24=False):
    """SaS(alpha, 1) by Chambers-Mallows-Stuck (beta = 0), float64."""
    u1 = rng.random(size)
    u2 = rng.random(size)
    if grid24:
        u1 = (np.floor(u1 * 2**23) * 2 + 1) / 2**24
        u2 = (np.floor(u2 * 2**23) * 2 + 1) / 2**24
    v = math.pi * (u1 - 0.5)
    w = -np.log(u2)
    if alpha == 1:
        return np.tan(v)
    return (np.sin(alpha * v) / np.cos(v) ** (1 / alpha)
            * (np.cos((1 - alpha) * v) / w) ** ((1 - alpha) / alpha))


def positive_half(rng, alpha, size, grid24=False):
    """Positive (alpha/2)-stable with Laplace transform exp(-u^(alpha/2)) (Kanter)."""
    a = alpha / 2
    u1 = rng.random(size)
    u2 = rng.random(size)
    if grid24:
        u1 = (np.floor(u1 * 2**23) * 2 + 1) / 2**24
        u2 = (np.floor(u2 * 2**23) * 2 + 1) / 2**24
    u = math.pi * u1
    w = -np.log(u2)
    return (np.sin(a * u) / np.sin(u) ** (1 / a)
            * (np.sin((1 - a) * u) / w) ** ((1 - a) / a))


def noise(rng, kind, alpha, shape, grid24):
    rows, cols = shape
    if kind == 1:
        return np.repeat(sas(rng, alpha, (rows, 1), grid24), cols, axis=1)
    if kind == 2:
        return sas(rng, alpha, shape, grid24)
    g = rng.standard_normal(shape)
    return g * np.sqrt(positive_half(rng, alpha, (rows, 1), grid24))


def mce_ratio(w, error):
    """Fraction of rows (units) pruned: the largest prefix of smallest rows holding <= error of the
    squared Frobenius norm (0/0 prunes nothing)."""
    norms = np.sort((w.astype(np.float64) ** 2).sum(1))
    total = norms.sum()
    if total == 0:
        return 0.0, np.zeros(len(norms), bool)
    keep_from = int((np.cumsum(norms) / total <= error).sum())
    order = np.argsort((w.astype(np.float64) ** 2).sum(1), kind="stable")
    pruned = np.zeros(len(norms), bool)
    pruned[order[:keep_from]] = True
    return keep_from / len(norms), pruned


def run(args, seed, data, device):
    xtr, ytr, xte, yte = data
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    dims = [xtr.shape[1]] + [args.width] * (args.depth - 1) + [10]
    layers = []
    for i in range(args.depth):
        lin = torch.nn.Linear(dims[i], dims[i + 1], bias=False)
        layers += [lin, torch.nn.ReLU()] if i < args.depth - 1 else [lin]
    net = torch.nn.Sequential(*layers).to(device)
    linears = [m for m in net if isinstance(m, torch.nn.Linear)]
    opt = torch.optim.SGD(net.parameters(), lr=args.lr)
    scale = args.sigma * args.lr ** (1 / args.alpha)
    n = xtr.shape[0]

    def accuracy(x, y):
        with torch.no_grad():
            return (net(x).argmax(1) == y).float().mean().item() * 100

    step, perm, pos, acc = 0, torch.randperm(n), 0, 0.0
    while step < args.max_steps:
        if pos + args.batch > n:
            perm, pos = torch.randperm(n), 0
        idx = perm[pos:pos + args.batch]
        pos += args.batch
        opt.zero_grad()
        torch.nn.functional.cross_entropy(net(xtr[idx]), ytr[idx]).backward()
        opt.step()
        step += 1
        if step % args.eval_every == 0:
            acc = accuracy(xtr, ytr)
            if acc >= args.target:
                break
        if args.noise_type:
            with torch.no_grad():
                for lin in linears[:-1]:
                    z = noise(rng, args.noise_type, args.alpha, tuple(lin.weight.shape), args.grid24)
                    lin.weight += torch.from_numpy(scale * z).to(lin.weight)
    w0 = linears[0].weight.detach().cpu().numpy()
    ratio, pruned = mce_ratio(w0, 0.1)
    test = accuracy(xte, yte)
    with torch.no_grad():
        linears[0].weight[torch.from_numpy(pruned).to(device)] = 0
    return {"seed": seed, "steps": step, "trainAcc": acc, "testAcc": test, "mcePruned": ratio,
            "prunedTestAcc": accuracy(xte, yte), "maxAbsW0": float(np.abs(w0).max())}


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data", required=True)
    p.add_argument("--width", type=int, default=512)
    p.add_argument("--depth", type=int, default=2)
    p.add_argument("--lr", type=float, default=0.1)
    p.add_argument("--batch", type=int, default=500)
    p.add_argument("--eval-every", type=int, default=25)
    p.add_argument("--target", type=float, default=95)
    p.add_argument("--max-steps", type=int, default=20000)
    p.add_argument("--noise-type", type=int, default=2, choices=[0, 1, 2, 3])
    p.add_argument("--alpha", type=float, default=1.75)
    p.add_argument("--sigma", type=float, default=0.003)
    p.add_argument("--seeds", default="1,2,3")
    p.add_argument("--grid24", action="store_true")
    args = p.parse_args()
    device = "cuda" if torch.cuda.is_available() else "cpu"
    load = lambda name: np.load(f"{args.data}/{name}.npy")
    data = (torch.from_numpy(load("x_train").astype(np.float32)).to(device),
            torch.from_numpy(load("y_train").astype(np.int64)).to(device),
            torch.from_numpy(load("x_test").astype(np.float32)).to(device),
            torch.from_numpy(load("y_test").astype(np.int64)).to(device))
    for seed in [int(s) for s in args.seeds.split(",")]:
        out = run(args, seed, data, device)
        out.update(noiseType=args.noise_type, alpha=args.alpha, sigma=args.sigma,
                   grid24=args.grid24, width=args.width)
        print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
