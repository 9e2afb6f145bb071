// Batch normalisation with given statistics (TensorFlow.js's FusedBatchNorm kernel): one pass over
// memory on the calling thread.
#include <cmath>
#include <vector>

#include "common.h"

namespace s3gan {
namespace {

// batchNorm(x, mean, variance, offset | null, scale | null, epsilon, out):
// out = offset + (x − mean) · scale / sqrt(variance + ε), each parameter repeating over x with its
// own length (a [C] parameter on an NHWC x is per channel), computed in double as in JavaScript.
Napi::Value BatchNorm(const Napi::CallbackInfo& info) {
  const View xv = view_of<float>(info[0], "batchNorm: x");
  const View mv = view_of<float>(info[1], "batchNorm: mean"), vv = view_of<float>(info[2], "batchNorm: variance");
  const bool has_offset = !info[3].IsNull() && !info[3].IsUndefined();
  const bool has_scale = !info[4].IsNull() && !info[4].IsUndefined();
  const float zero = 0.f, one = 1.f;
  const View ov = has_offset ? view_of<float>(info[3], "batchNorm: offset") : View{const_cast<float*>(&zero), 1};
  const View sv = has_scale ? view_of<float>(info[4], "batchNorm: scale") : View{const_cast<float*>(&one), 1};
  const double eps = info[5].As<Napi::Number>().DoubleValue();
  float* out = data_of<float>(info[6], "batchNorm: out", static_cast<int64_t>(xv.length));
  const float* x = static_cast<const float*>(xv.data);
  const float* m = static_cast<const float*>(mv.data);
  const float* v = static_cast<const float*>(vv.data);
  const float* o = static_cast<const float*>(ov.data);
  const float* s = static_cast<const float*>(sv.data);
  const size_t n = xv.length;
  require(info.Env(), mv.length > 0 && vv.length > 0 && ov.length > 0 && sv.length > 0, "batchNorm: empty parameter");
  const size_t c = mv.length;
  if (vv.length == c && ov.length == c && sv.length == c && n % c == 0) {
    // Per-channel parameters: one divisor per channel instead of one square root per element.
    std::vector<double> root(c);
    for (size_t j = 0; j < c; ++j) root[j] = std::sqrt(static_cast<double>(v[j]) + eps);
    for (size_t i = 0; i < n; i += c) {
      for (size_t j = 0; j < c; ++j) {
        out[i + j] = static_cast<float>(o[j] + (static_cast<double>(x[i + j]) - m[j]) * s[j] / root[j]);
      }
    }
    return info.Env().Undefined();
  }
  for (size_t i = 0, mi = 0, vi = 0, oi = 0, si = 0; i < n; ++i) {
    out[i] = static_cast<float>(o[oi] + (static_cast<double>(x[i]) - m[mi]) * s[si] / std::sqrt(static_cast<double>(v[vi]) + eps));
    if (++mi == mv.length) mi = 0;
    if (++vi == vv.length) vi = 0;
    if (++oi == ov.length) oi = 0;
    if (++si == sv.length) si = 0;
  }
  return info.Env().Undefined();
}

}  // namespace

void init_norm(Napi::Env env, Napi::Object exports) {
  exports.Set("batchNorm", Napi::Function::New(env, BatchNorm));
}

}  // namespace s3gan
