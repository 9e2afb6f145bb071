// Batched matrix product for BatchMatMul and _FusedMatMul. Large products go to oneDNN's sgemm
// (so the process has one thread pool, OpenMP, shared with the convolutions); small ones, such as
// the [1, n] power-iteration vectors of spectral norm, run a plain loop on the calling thread,
// where waking the pool would cost more than the product.
#include <cmath>

#include "common.h"

namespace s3gan {
namespace {

// Below this many multiply-adds a product stays on the calling thread.
constexpr int64_t kSmallProduct = 1 << 15;

enum Activation { kLinear = 0, kRelu = 1, kRelu6 = 2, kElu = 3, kLeakyRelu = 4, kSigmoid = 5 };

// C[m, n] = op(A) op(B), row-major, accumulating in double as the JavaScript kernel does.
void small_gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const float* a, const float* b, float* c) {
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      double sum = 0;
      for (int64_t p = 0; p < k; ++p) {
        const float av = ta ? a[p * m + i] : a[i * k + p];
        const float bv = tb ? b[j * k + p] : b[p * n + j];
        sum += static_cast<double>(av) * bv;
      }
      c[i * n + j] = static_cast<float>(sum);
    }
  }
}

float activate(float v, int activation, float alpha) {
  switch (activation) {
    case kRelu:
      return v > 0 ? v : 0;
    case kRelu6:
      return v < 0 ? 0 : (v > 6 ? 6 : v);
    case kElu:
      return v >= 0 ? v : static_cast<float>(std::exp(static_cast<double>(v)) - 1);
    case kLeakyRelu:
      return v < 0 ? alpha * v : v;
    case kSigmoid:
      return static_cast<float>(1 / (1 + std::exp(-static_cast<double>(v))));
    default:
      return v;
  }
}

// matmul(a, b, c, batchA, batchB, m, n, k, transposeA, transposeB, bias | null, biasLength,
//        activation, alpha): c[batch, m, n] = act(op(a) op(b) + bias). batchA / batchB are 1 or the
// batch, so one side may be shared across the batch; the bias repeats over c's elements.
Napi::Value Matmul(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const int64_t batch_a = info[3].As<Napi::Number>().Int64Value(), batch_b = info[4].As<Napi::Number>().Int64Value();
  const int64_t m = size_of(info[5], "matmul: m"), n = size_of(info[6], "matmul: n");
  const int64_t k = size_of(info[7], "matmul: k");
  const bool ta = info[8].ToBoolean(), tb = info[9].ToBoolean();
  const bool has_bias = !info[10].IsNull() && !info[10].IsUndefined();
  const int64_t bias_length = has_bias ? info[11].As<Napi::Number>().Int64Value() : 0;
  const int activation = info[12].As<Napi::Number>().Int32Value();
  const float alpha = info[13].As<Napi::Number>().FloatValue();
  require(env, batch_a >= 1 && batch_b >= 1 && (batch_a == batch_b || batch_a == 1 || batch_b == 1),
          "matmul: batches must match or be 1");
  const int64_t batch = batch_a > batch_b ? batch_a : batch_b;
  // The bias index wraps at bias_length, so 0 would walk it without end.
  require(env, !has_bias || bias_length >= 1, "matmul: biasLength must be at least 1");
  const float* a = data_of<float>(info[0], "matmul: a", product({batch_a, m, k}));
  const float* b = data_of<float>(info[1], "matmul: b", product({batch_b, k, n}));
  float* c = data_of<float>(info[2], "matmul: c", product({batch, m, n}));
  const float* bias = has_bias ? data_of<float>(info[10], "matmul: bias", bias_length) : nullptr;

  const bool small = m * n * k < kSmallProduct;
  if (!small) use_pool(static_cast<double>(m) * n * k);
  for (int64_t i = 0; i < batch; ++i) {
    const float* ai = a + (batch_a == 1 ? 0 : i * m * k);
    const float* bi = b + (batch_b == 1 ? 0 : i * k * n);
    float* ci = c + i * m * n;
    if (small || k == 0) {
      small_gemm(ta, tb, m, n, k, ai, bi, ci);
      continue;
    }
    dnnl_status_t status;
    {
      const SignalsHeld held;  // see common.h: the GEMM kernel's rsp points into the heap
      status = dnnl_sgemm(ta ? 'T' : 'N', tb ? 'T' : 'N', m, n, k, 1.f, ai, ta ? m : k, bi, tb ? k : n, 0.f, ci, n);
    }
    require(env, status == dnnl_success, "matmul: dnnl_sgemm failed");
  }
  if (has_bias || activation != kLinear) {
    const int64_t total = batch * m * n;
    for (int64_t i = 0, j = 0; i < total; ++i) {
      float v = c[i];
      if (bias != nullptr) {
        v += bias[j];
        if (++j == bias_length) j = 0;
      }
      c[i] = activate(v, activation, alpha);
    }
  }
  return env.Undefined();
}

}  // namespace

void init_matmul(Napi::Env env, Napi::Object exports) { exports.Set("matmul", Napi::Function::New(env, Matmul)); }

}  // namespace s3gan
