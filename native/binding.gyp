# The s3gan onednn addon: TensorFlow.js kernels on oneDNN (libdnnl-dev), through N-API.
# C++ exceptions stay on because oneDNN's C++ API reports errors by throwing; node-addon-api turns
# them into JavaScript errors (NAPI_CPP_EXCEPTIONS). No -march=native: oneDNN dispatches its JIT
# kernels on the running CPU, and the plain loops here are compiled for the baseline ISA.
# -fno-trapping-math lets the compiler turn `x < 0 ? a * x : x` into branch-free vector selects
# (it does not change results: nothing here enables floating-point traps). -ffp-contract=off keeps
# a * b + c two roundings where the target has fused multiply-add, so kernels that promise the
# JavaScript kernels' values (spectral.cc, optim.cc) compute them in the order written.
{
  "targets": [
    {
      "target_name": "s3gan_onednn",
      "sources": [
        "src/addon.cc",
        "src/conv.cc",
        "src/matmul.cc",
        "src/binary.cc",
        "src/unary.cc",
        "src/reduce.cc",
        "src/layout.cc",
        "src/norm.cc",
        "src/gather.cc",
        "src/spectral.cc",
        "src/optim.cc",
        "src/batch-norm-training.cc",
        "src/pool.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")", "/usr/include/oneapi/dnnl"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti"],
      "cflags_cc": ["-std=c++17", "-O3", "-fno-trapping-math", "-ffp-contract=off", "-fopenmp", "-fexceptions"],
      "libraries": ["-ldnnl", "-fopenmp"]
    }
  ]
}
