#!/usr/bin/env python3
"""PyTorch's numbers for the conv micro-benchmarks of bench/kernels.ts.

The same two convolutions (as PyTorch users write them: NCHW, symmetric padding that equals
TensorFlow's 'same' here), timed for forward, backprop-input and backprop-filter through
aten::convolution_backward, the kernel autograd calls. Prints one JSON line per op with the
fields of bench/kernels.ts, so that both can be run back to back:
    /usr/bin/python3 bench/reference_kernels.py --threads 1
    npm run bench -- --kernels --backend onednn --threads 1
Needs Debian's PyTorch: apt-get install -y python3-torch
"""
import argparse, json, os, statistics, time

import torch
import torch.nn.functional as F

# (size, in channels, kernel, out channels, stride, padding): the bench-32 D convs at w = 32.
CASES = [(32, 64, 3, 128, 1, 1), (16, 128, 4, 256, 2, 1)]
OPS = ["conv2d_forward", "conv2d_backprop_input", "conv2d_backprop_filter"]


def run_once(op, x, w, dy, stride, padding):
    if op == "conv2d_forward":
        return F.conv2d(x, w, stride=stride, padding=padding)
    mask = [op == "conv2d_backprop_input", op == "conv2d_backprop_filter", False]
    grads = torch.ops.aten.convolution_backward(
        dy, x, w, None, [stride, stride], [padding, padding], [1, 1], False, [0, 0], 1, mask)
    return grads[0] if mask[0] else grads[1]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--threads", type=int, default=0, help="0: all cores")
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--reps", type=int, default=10)
    p.add_argument("--warmup", type=int, default=2)
    a = p.parse_args()
    torch.set_num_threads(a.threads or os.cpu_count())
    torch.manual_seed(0)
    with torch.no_grad():
        for size, cin, k, cout, stride, padding in CASES:
            out = size // stride
            x = torch.randn(a.batch, cin, size, size)
            w = torch.randn(cout, cin, k, k) * 0.05
            dy = torch.randn(a.batch, cout, out, out)
            gflop = 2 * a.batch * out * out * cout * k * k * cin / 1e9
            for op in OPS:
                times = []
                for i in range(a.warmup + a.reps):
                    start = time.perf_counter()
                    run_once(op, x, w, dy, stride, padding)
                    if i >= a.warmup:
                        times.append(time.perf_counter() - start)
                ms = statistics.median(times) * 1000
                print(json.dumps({"impl": "pytorch-cpu", "backend": "torch " + torch.__version__,
                                  "threads": torch.get_num_threads(), "op": op,
                                  "shape": f"x[{a.batch},{size},{size},{cin}] w[{k},{k},{cin},{cout}] s{stride} same",
                                  "median_ms": round(ms, 2), "gflops": round(gflop / (ms / 1000), 1)}))


if __name__ == "__main__":
    main()
