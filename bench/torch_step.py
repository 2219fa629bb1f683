#!/usr/bin/env python3
"""PyTorch reference for the speed benchmark of issue #8 (scripts/bench.ts is ours).

Times, with CUDA events, cuBLAS FP32 GEMM (TF32 off) at the MNIST training shapes and at
4096^3 / 8192^3, and the PyTorch FP32 SGD step of the one-hidden-layer bias-free ReLU FCN
(gather, forward, cross-entropy, backward, SGD) without noise and with noise types I, II, III
on the hidden layer drawn with torch's own RNG (SaS by Chambers-Mallows-Stuck in torch ops).
Prints one JSON object per line in the format of lib/bench/records.ts with "impl": "torch",
so that `deno run -A scripts/bench.ts compare ours.jsonl torch.jsonl` can put both side by side.

    python3 bench/torch_step.py > torch.jsonl            # real shapes on the GPU
    python3 bench/torch_step.py --device cpu --quick     # smoke test without a GPU
    python3 bench/torch_step.py --cpu-compare authors    # issue #23: CPU step and evaluation
    python3 bench/torch_step.py --cpu-gemm authors       # issue #23: NumPy and torch CPU GEMMs

The shapes are those of lib/bench/plan.ts (keep the two in step). Progress goes to stderr.
"""

import argparse
import json
import math
import statistics
import sys
import time

import torch
import torch.nn.functional as F

# lib/bench/plan.ts: benchPlan(scale)
SCALES = {
    "full": dict(batch=5000, input_dim=784, classes=10, widths=[2000, 5000, 10000],
                 squares=[4096, 8192], data_rows=60000, warmup=3, repeats=10,
                 gemm_inner=3, step_inner=5, cnn=dict(width=128, batch=128)),
    "software": dict(batch=250, input_dim=196, classes=10, widths=[100, 250, 500],
                     squares=[256], data_rows=1000, warmup=1, repeats=3,
                     gemm_inner=1, step_inner=1, cnn=dict(width=8, batch=16)),
    "quick": dict(batch=48, input_dim=32, classes=10, widths=[16, 32, 64], squares=[64],
                  data_rows=96, warmup=1, repeats=1, gemm_inner=1, step_inner=1,
                  cnn=dict(width=2, batch=4)),
}


def gemm_shapes(p):
    """lib/bench/plan.ts gemmShapes: five products per width in step order, then squares."""
    b, d, c = p["batch"], p["input_dim"], p["classes"]
    out = []
    for w in p["widths"]:
        out += [
            dict(role="hidden-forward", mode="nt", m=b, n=w, k=d, width=w),
            dict(role="output-forward", mode="nt", m=b, n=c, k=w, width=w),
            dict(role="output-grad", mode="tn", m=c, n=w, k=b, width=w),
            dict(role="hidden-delta", mode="nn", m=b, n=w, k=c, width=w),
            dict(role="hidden-grad", mode="tn", m=w, n=d, k=b, width=w),
        ]
    for s in p["squares"]:
        out.append(dict(role="square", mode="nn", m=s, n=s, k=s, width=None))
    return out


def round5(v):
    return float(f"{v:.5g}")


class Clock:
    """CUDA events on a GPU (GPU time of the stream between two records), else the CPU clock."""

    def __init__(self, device):
        self.cuda = device.type == "cuda"
        self.method = "cuda-events" if self.cuda else "cpu-clock"

    def sync(self):
        if self.cuda:
            torch.cuda.synchronize()

    def measure(self, fn, warmup, repeats, inner):
        """Median over repeats of (time of `inner` calls) / inner, in ms; and the wall median."""
        run = 0
        for _ in range(warmup):
            fn(run)
            run += 1
        self.sync()
        samples, walls = [], []
        for _ in range(repeats):
            t0 = time.perf_counter()
            if self.cuda:
                start = torch.cuda.Event(enable_timing=True)
                end = torch.cuda.Event(enable_timing=True)
                start.record()
            for _ in range(inner):
                fn(run)
                run += 1
            if self.cuda:
                end.record()
                end.synchronize()
                samples.append(start.elapsed_time(end) / inner)
            walls.append((time.perf_counter() - t0) * 1e3 / inner)
        wall = statistics.median(walls)
        return (statistics.median(samples) if self.cuda else wall), wall


# --- heavy-tailed noise with torch's RNG (formulas of lib/reference/stable.ts) ---------------

TINY = 1e-30


def sas(alpha, shape, device):
    """SaS(alpha, 1), E exp(itX) = exp(-|t|^alpha), by Chambers-Mallows-Stuck (beta = 0)."""
    v = (torch.rand(shape, device=device) - 0.5) * math.pi
    w = torch.empty(shape, device=device).exponential_()
    if alpha == 1:
        return torch.tan(v)
    cos_v = torch.cos(v).clamp_min_(TINY)  # u = 0 gives cos(-pi/2) < 0 in f32
    return (torch.sin(alpha * v) / cos_v.pow(1 / alpha)
            * (torch.cos((1 - alpha) * v) / w).pow((1 - alpha) / alpha))


def positive_half(alpha, shape, device):
    """Positive (alpha/2)-stable, E exp(-sA) = exp(-s^(alpha/2)) (Kanter), 0 < alpha < 2."""
    a = alpha / 2
    u = torch.rand(shape, device=device) * math.pi
    w = torch.empty(shape, device=device).exponential_()
    sin_u = torch.sin(u).clamp_min_(TINY)
    return (torch.sin(a * u) / sin_u.pow(1 / a)
            * (torch.sin((1 - a) * u).clamp_min_(TINY) / w).pow((1 - a) / a))


@torch.no_grad()
def add_noise(w, noise_type, alpha, scale):
    """Types I, II, III of lib/noise/spec.ts on a rows x cols weight (row = hidden unit)."""
    rows, cols = w.shape
    if noise_type == 1:
        w.add_(sas(alpha, (rows, 1), w.device), alpha=scale)
    elif noise_type == 2:
        w.add_(sas(alpha, (rows, cols), w.device), alpha=scale)
    elif noise_type == 3:
        a = positive_half(alpha, (rows, 1), w.device)
        w.add_(a.sqrt_() * torch.randn(rows, cols, device=w.device), alpha=scale)


def disable_tf32():
    """FP32 matmuls without TF32 (PyTorch's default, made explicit); returns what was set.

    PyTorch >= 2.9 has `fp32_precision` and deprecates `allow_tf32`; the two must not be mixed.
    """
    matmul = torch.backends.cuda.matmul
    if hasattr(torch.backends, "fp32_precision"):
        matmul.fp32_precision = "ieee"
        conv = getattr(torch.backends.cudnn, "conv", None)
        if conv is not None and hasattr(conv, "fp32_precision"):
            conv.fp32_precision = "ieee"  # the convolutions of the CNN step
        return f"matmul.fp32_precision={matmul.fp32_precision}"
    matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False  # also the convolutions of the CNN step
    return f"matmul.allow_tf32={matmul.allow_tf32}"


# --- the benchmark --------------------------------------------------------------------------


def bench_gemms(p, device, clock, common, emit, log):
    variant = "cublas" if device.type == "cuda" else "torch-cpu"
    for s in gemm_shapes(p):
        m, n, k, mode = s["m"], s["n"], s["k"], s["mode"]
        a = torch.rand((k, m) if mode == "tn" else (m, k), device=device)
        b = torch.rand((n, k) if mode == "nt" else (k, n), device=device)
        c = torch.empty(m, n, device=device)
        op_a = a.t() if mode == "tn" else a
        op_b = b.t() if mode == "nt" else b
        ms, wall = clock.measure(lambda _i: torch.mm(op_a, op_b, out=c),
                                 p["warmup"], p["repeats"], p["gemm_inner"])
        tflops = 2 * m * n * k / (ms * 1e-3) / 1e12
        log(f"gemm {s['role']} {mode} {m}x{n}x{k} {variant}: {ms:.3f} ms, {tflops:.3g} TFLOP/s")
        emit(dict(kind="gemm", **common, variant=variant, mode=mode, role=s["role"],
                  width=s["width"], m=m, n=n, k=k, ms=round5(ms), wallMs=round5(wall),
                  tflops=round5(tflops), chosen=True))
        del a, b, c


def bench_steps(p, device, clock, common, emit, log, alpha, sigma, lr, seed):
    torch.manual_seed(seed)
    B, d, classes = p["batch"], p["input_dim"], p["classes"]
    data_x = torch.rand(p["data_rows"], d, device=device)
    data_y = torch.arange(p["data_rows"], device=device) % classes
    perm = torch.randperm(p["data_rows"], device=device)
    per_epoch = p["data_rows"] // B
    scale = sigma * lr ** (1 / alpha)
    for width in p["widths"]:
        w1 = torch.empty(width, d, device=device).uniform_(-d ** -0.5, d ** -0.5)
        w2 = torch.empty(classes, width, device=device).uniform_(-width ** -0.5, width ** -0.5)
        w1.requires_grad_()
        w2.requires_grad_()
        opt = torch.optim.SGD([w1, w2], lr=lr)
        step_ms = {}
        for noise_type in (0, 1, 2, 3):
            def step(i, noise_type=noise_type):
                j = i % per_epoch
                idx = perm[j * B:(j + 1) * B]
                x = data_x.index_select(0, idx)
                y = data_y.index_select(0, idx)
                logits = F.linear(F.relu(F.linear(x, w1)), w2)
                loss = F.cross_entropy(logits, y)
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
                if noise_type:
                    add_noise(w1, noise_type, alpha, scale)

            ms, wall = clock.measure(step, p["warmup"], p["repeats"], p["step_inner"])
            step_ms[noise_type] = ms
            log(f"step n={width} B={B} d={d} noise {noise_type}: {ms:.3f} ms")
            emit(dict(kind="step", **common, noiseType=noise_type, n=width, batch=B, d=d,
                      classes=classes, alpha=alpha if noise_type else 2, ms=round5(ms),
                      wallMs=round5(wall)))
        base = step_ms[0]
        emit(dict(kind="noiseOverhead", **common, n=width, batch=B, d=d,
                  **{f"type{t}": round5(step_ms[t] / base - 1) for t in (1, 2, 3)}))
        for noise_type in (1, 2, 3):
            ms, wall = clock.measure(lambda _i, t=noise_type: add_noise(w1, t, alpha, scale),
                                     p["warmup"], p["repeats"], p["step_inner"])
            log(f"noise n={width} d={d} type {noise_type}: {ms:.3f} ms")
            emit(dict(kind="noise", **common, noiseType=noise_type, n=width, d=d, alpha=alpha,
                      ms=round5(ms), wallMs=round5(wall)))
        del w1, w2, opt


def vgg11_plan(w):
    """lib/model/vgg.ts vgg11Plan: conv channels, "M" = 2x2 max pool."""
    return [w, "M", 2 * w, "M", 4 * w, 4 * w, "M", 8 * w, 8 * w, "M", 8 * w, 8 * w, "M"]


def bench_cnn_steps(p, device, clock, common, emit, log, alpha, sigma, lr, seed):
    """The VGG11 step of lib/bench/run.ts benchCnnSteps: 3x32x32 inputs, 10 classes, 3x3 convs
    (padding 1, no bias, no batch norm), ReLU, 2x2 max pools, one bias-free linear layer; SGD;
    with Type I one SaS scalar per filter on every conv but the first."""
    torch.manual_seed(seed)
    width, B = p["cnn"]["width"], p["cnn"]["batch"]
    plan = vgg11_plan(width)
    convs, pools, cin = [], [], 3
    for entry in plan:
        if entry == "M":
            pools[-1] = True
            continue
        w = torch.randn(entry, cin, 3, 3, device=device) * math.sqrt(2 / (9 * entry))
        convs.append(w.requires_grad_())
        pools.append(False)
        cin = entry
    fc = torch.empty(10, cin, device=device).uniform_(-cin ** -0.5, cin ** -0.5).requires_grad_()
    opt = torch.optim.SGD(convs + [fc], lr=lr)
    x = torch.rand(B, 3, 32, 32, device=device) * 2 - 1
    y = torch.arange(B, device=device) % 10
    scale = sigma * lr ** (1 / alpha)
    for noise_type in (0, 1):
        def step(_i, noise_type=noise_type):
            h = x
            for w, pool in zip(convs, pools):
                h = F.relu(F.conv2d(h, w, padding=1))
                if pool:
                    h = F.max_pool2d(h, 2)
            loss = F.cross_entropy(F.linear(h.flatten(1), fc), y)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            if noise_type:
                with torch.no_grad():
                    for w in convs[1:]:
                        w.add_(sas(alpha, (w.shape[0], 1, 1, 1), device), alpha=scale)

        ms, wall = clock.measure(step, p["warmup"], p["repeats"], p["step_inner"])
        log(f"cnn step vgg11 width {width} B={B} noise {noise_type}: {ms:.3f} ms")
        emit(dict(kind="cnnStep", **common, noiseType=noise_type, width=width, batch=B,
                  alpha=alpha if noise_type else 2, ms=round5(ms), wallMs=round5(wall)))


# --- issue #23: the one-hidden-layer step and evaluation pass on the CPU -------------------

# scripts/bench.ts cpu (lib/bench/cpu_compare.ts CPU_SHAPES): keep the two in step.
CPU_SHAPES = {
    "authors": dict(batch=500, input_dim=784, classes=10, widths=[512, 1024, 2048],
                    train_rows=8000, warmup=2, repeats=5, inner=3),
    "quick": dict(batch=48, input_dim=32, classes=10, widths=[16, 32], train_rows=96,
                  warmup=1, repeats=1, inner=1),
}


def host_noise_sampler():
    """The noise of the authors' style of Type II: drawn on the CPU in float64, then moved to the
    weights. scipy.stats.levy_stable when scipy is installed, else a NumPy Chambers-Mallows-Stuck
    sampler (beta = 0) in float64. Returns (name, sample(alpha, shape))."""
    try:
        from scipy.stats import levy_stable

        return "scipy.stats.levy_stable (float64)", (
            lambda alpha, shape: levy_stable.rvs(alpha, 0.0, size=shape))
    except ImportError:
        import numpy as np

        rng = np.random.default_rng(1)

        def cms(alpha, shape):
            v = (rng.random(shape) - 0.5) * math.pi
            w = rng.exponential(size=shape)
            return (np.sin(alpha * v) / np.cos(v) ** (1 / alpha)
                    * (np.cos((1 - alpha) * v) / w) ** ((1 - alpha) / alpha))

        return "numpy Chambers-Mallows-Stuck (float64)", cms


def bench_cpu(p, common, emit, log, alpha, sigma, lr, seed):
    """Per width: the SGD step (gather, forward, CE, backward, SGD) without noise, with noise
    types I/II/III drawn by torch, and with Type II drawn on the host in float64 ("authors"
    style); then the forward pass (loss and correct count) over all train_rows images."""
    torch.manual_seed(seed)
    clock = Clock(torch.device("cpu"))
    B, d, classes, n = p["batch"], p["input_dim"], p["classes"], p["train_rows"]
    data_x = torch.rand(n, d)
    data_y = torch.arange(n) % classes
    perm = torch.randperm(n)
    per_epoch = n // B
    scale = sigma * lr ** (1 / alpha)
    host_name, host_sample = host_noise_sampler()
    for width in p["widths"]:
        w1 = torch.empty(width, d).uniform_(-d ** -0.5, d ** -0.5).requires_grad_()
        w2 = torch.empty(classes, width).uniform_(-width ** -0.5, width ** -0.5).requires_grad_()
        opt = torch.optim.SGD([w1, w2], lr=lr)
        for variant in ("sgd", "type1", "type2", "type3", "type2-authors"):
            def step(i, variant=variant):
                j = i % per_epoch
                idx = perm[j * B:(j + 1) * B]
                x = data_x.index_select(0, idx)
                y = data_y.index_select(0, idx)
                loss = F.cross_entropy(F.linear(F.relu(F.linear(x, w1)), w2), y)
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
                if variant == "type2-authors":
                    noise = torch.from_numpy(host_sample(alpha, tuple(w1.shape))).float()
                    with torch.no_grad():
                        w1.add_(noise, alpha=scale)
                elif variant != "sgd":
                    add_noise(w1, int(variant[-1]), alpha, scale)

            ms, wall = clock.measure(step, p["warmup"], p["repeats"], p["inner"])
            source = host_name if variant == "type2-authors" else (
                "torch" if variant != "sgd" else None)
            log(f"cpu step n={width} B={B} d={d} {variant}: {ms:.3f} ms")
            emit(dict(kind="cpuStep", **common, variant=variant, n=width, batch=B, d=d,
                      noiseSource=source, ms=round5(ms)))

        @torch.no_grad()
        def forward(_i):
            logits = F.linear(F.relu(F.linear(data_x, w1)), w2)
            loss = F.cross_entropy(logits, data_y, reduction="sum")
            correct = (logits.argmax(1) == data_y).sum()
            return loss.item(), correct.item()

        ms, _ = clock.measure(forward, p["warmup"], p["repeats"], 1)
        log(f"cpu evaluation n={width} rows={n}: {ms:.3f} ms")
        emit(dict(kind="cpuEval", **common, n=width, rows=n, d=d, ms=round5(ms)))
        del w1, w2, opt
# --- issue #23: NumPy's sgemm and torch's CPU matmul at 1024^3 and the training shapes ---------

# lib/bench/gemm_cpu.ts GEMM_CPU_SHAPES: keep the two in step.
GEMM_CPU_SHAPES = {
    "authors": dict(batch=500, input_dim=784, classes=10, widths=[512, 1024, 2048],
                    squares=[1024], repeats=5),
    "quick": dict(batch=48, input_dim=32, classes=10, widths=[16], squares=[64], repeats=1),
}


def op_pair(mode, a, b):
    """op(A), op(B) as views (BLAS reads the transposes in place): nn A.B, nt A.B^T, tn A^T.B."""
    return (a.T if mode == "tn" else a), (b.T if mode == "nt" else b)


def bench_cpu_gemm(p, emit, log):
    """Each product of gemm_shapes (plus the squares) timed with NumPy (its BLAS sgemm) and torch
    (CPU, default threads): median over repeats of the wall time of `inner` products."""
    import numpy as np

    rng = np.random.default_rng(1)
    threads = torch.get_num_threads()
    for s in gemm_shapes(dict(p, squares=p["squares"])):
        mode, m, n, k = s["mode"], s["m"], s["n"], s["k"]
        a = rng.random((k, m) if mode == "tn" else (m, k), dtype=np.float32)
        b = rng.random((n, k) if mode == "nt" else (k, n), dtype=np.float32)
        inner = max(1, min(50, round(2e8 / (2 * m * n * k))))
        ta, tb = torch.from_numpy(a), torch.from_numpy(b)
        oa, ob = op_pair(mode, a, b)
        toa, tob = op_pair(mode, ta, tb)
        for impl, fn in (("numpy", lambda: np.matmul(oa, ob)), ("torch", lambda: torch.mm(toa, tob))):
            for _ in range(3):  # warm-up (torch allocates and picks its kernels on first use)
                fn()
            samples = []
            for _ in range(p["repeats"]):
                t0 = time.perf_counter()
                for _ in range(inner):
                    fn()
                samples.append((time.perf_counter() - t0) * 1e3 / inner)
            ms = statistics.median(samples)
            log(f"cpu gemm {impl} {mode} {m}x{n}x{k}: {ms:.3f} ms")
            emit(dict(kind="cpuGemm", impl=impl, backend="cpu", method="cpu-clock",
                      adapter=f"cpu ({threads} torch threads)", role=s["role"],
                      width=s["width"], mode=mode, m=m, n=n, k=k, ms=round5(ms),
                      gflops=round5(2 * m * n * k / ms / 1e6)))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--scale", choices=list(SCALES), default="full",
                    help="shapes (default full; software = scripts/bench.ts on llvmpipe)")
    ap.add_argument("--quick", action="store_true", help="same as --scale quick")
    ap.add_argument("--device", default="cuda", help="torch device (default cuda)")
    ap.add_argument("--only", choices=["gemm", "step", "cnn"], help="run one part only")
    ap.add_argument("--warmup", type=int, help="untimed runs before timing")
    ap.add_argument("--repeats", type=int, help="timed repeats (median reported)")
    ap.add_argument("--alpha", type=float, default=1.5, help="tail index of the noise, (0, 2)")
    ap.add_argument("--cpu-compare", choices=list(CPU_SHAPES),
                    help="issue #23: only the one-hidden-layer step and evaluation pass on the "
                         "CPU (torch's default threads) at these shapes")
    ap.add_argument("--widths", help="with --cpu-compare: only these hidden widths (comma-separated)")
    ap.add_argument("--cpu-gemm", choices=list(GEMM_CPU_SHAPES),
                    help="issue #23: only NumPy's sgemm and torch's CPU matmul at 1024^3 and "
                         "the training shapes (lib/bench/gemm_cpu.ts runs this)")
    args = ap.parse_args(argv)
    if not 0 < args.alpha < 2:
        ap.error("--alpha must be in (0, 2)")
    if args.cpu_compare:
        common = dict(impl="torch", adapter=f"cpu ({torch.get_num_threads()} threads)",
                      backend="cpu", method="cpu-clock")
        print(json.dumps(dict(kind="cpuAdapter", **common, runtime=f"torch {torch.__version__}",
                              shapes=args.cpu_compare)), flush=True)
        shapes = dict(CPU_SHAPES[args.cpu_compare])
        if args.widths:
            try:
                shapes["widths"] = [int(w) for w in args.widths.split(",")]
            except ValueError:
                ap.error(f"--widths: {args.widths!r} is not a comma-separated list of integers")
            if any(w < 1 for w in shapes["widths"]):
                ap.error("--widths: widths must be positive")
        bench_cpu(shapes, common,
                  lambda r: print(json.dumps(r), flush=True),
                  lambda line: print(line, file=sys.stderr, flush=True),
                  args.alpha, sigma=0.01, lr=0.01, seed=1)
        return
    if args.cpu_gemm:
        bench_cpu_gemm(GEMM_CPU_SHAPES[args.cpu_gemm], lambda r: print(json.dumps(r), flush=True),
                       lambda line: print(line, file=sys.stderr, flush=True))
        return
    device = torch.device(args.device)
    if device.type == "cuda" and not torch.cuda.is_available():
        ap.error("CUDA is not available to this torch; use --device cpu for a smoke test")
    tf32 = disable_tf32()

    p = dict(SCALES["quick" if args.quick else args.scale])
    if args.warmup is not None:
        p["warmup"] = max(0, args.warmup)
    if args.repeats is not None:
        p["repeats"] = max(1, args.repeats)
    clock = Clock(device)
    if device.type == "cuda":
        adapter = torch.cuda.get_device_name(device)
        backend = f"cuda {torch.version.cuda}"
    else:
        adapter, backend = f"cpu ({torch.get_num_threads()} threads)", "cpu"
    common = dict(impl="torch", adapter=adapter, backend=backend, method=clock.method)

    def emit(record):
        print(json.dumps(record), flush=True)

    def log(line):
        print(line, file=sys.stderr, flush=True)

    scale = "quick" if args.quick else args.scale
    emit(dict(kind="adapter", **common, isSoftware=device.type != "cuda",
              features=["fp32", tf32], scale=scale, runtime=f"torch {torch.__version__}",
              shapes=dict(batch=p["batch"], inputDim=p["input_dim"], classes=p["classes"],
                          widths=p["widths"], squares=p["squares"])))
    started = time.perf_counter()
    if args.only in (None, "gemm"):
        bench_gemms(p, device, clock, common, emit, log)
    if args.only in (None, "step"):
        bench_steps(p, device, clock, common, emit, log, args.alpha, sigma=0.01, lr=0.01, seed=1)
    if args.only in (None, "cnn"):
        bench_cnn_steps(p, device, clock, common, emit, log, args.alpha, sigma=0.01, lr=0.01,
                        seed=1)
    log(f"torch_step: done in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
