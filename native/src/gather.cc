// Row gathers for embeddings: GatherV2 (forward) and UnsortedSegmentSum (its gradient), which the
// JavaScript kernels do with per-element index arithmetic or, for the segment sum, one masked
// multiply and reduction per segment.
#include <cstring>
#include <vector>

#include "common.h"

namespace s3gan {
namespace {

// gather(x, outer, n, inner, indices, out, elementBytes) → false if an index is outside [0, n)
// (nothing is written then; the caller lets the JavaScript kernel report it).
// x is [outer, n, inner]; out is [outer, indices.length, inner].
Napi::Value Gather(const Napi::CallbackInfo& info) {
  const uint8_t* x = static_cast<const uint8_t*>(typed_array(info[0], "x").data);
  const int64_t outer = info[1].As<Napi::Number>().Int64Value(), n = info[2].As<Napi::Number>().Int64Value();
  const int64_t inner = info[3].As<Napi::Number>().Int64Value();
  const View iv = typed_array(info[4], "indices");
  const int32_t* indices = static_cast<const int32_t*>(iv.data);
  uint8_t* out = static_cast<uint8_t*>(typed_array(info[5], "out").data);
  const int64_t bytes = info[6].As<Napi::Number>().Int64Value();
  const int64_t count = static_cast<int64_t>(iv.length);
  for (int64_t j = 0; j < count; ++j) {
    if (indices[j] < 0 || indices[j] >= n) return Napi::Boolean::New(info.Env(), false);
  }
  const int64_t row = inner * bytes;
  for (int64_t o = 0; o < outer; ++o) {
    const uint8_t* src = x + o * n * row;
    uint8_t* dst = out + o * count * row;
    for (int64_t j = 0; j < count; ++j) std::memcpy(dst + j * row, src + indices[j] * row, row);
  }
  return Napi::Boolean::New(info.Env(), true);
}

// unsortedSegmentSum(x, rows, inner, segmentIds, numSegments, out): out[s] = Σ x[i] over the rows i
// with segmentIds[i] = s; rows with an id outside [0, numSegments) are dropped, as in TensorFlow.
// Sums accumulate in double, like the JavaScript kernel.
Napi::Value UnsortedSegmentSum(const Napi::CallbackInfo& info) {
  const float* x = data_of<float>(info[0], "x");
  const int64_t rows = info[1].As<Napi::Number>().Int64Value(), inner = info[2].As<Napi::Number>().Int64Value();
  const int32_t* ids = data_of<int32_t>(info[3], "segmentIds");
  const int64_t segments = info[4].As<Napi::Number>().Int64Value();
  float* out = data_of<float>(info[5], "out");
  std::vector<double> acc(segments * inner, 0.0);
  for (int64_t i = 0; i < rows; ++i) {
    const int64_t s = ids[i];
    if (s < 0 || s >= segments) continue;
    double* a = acc.data() + s * inner;
    const float* v = x + i * inner;
    for (int64_t j = 0; j < inner; ++j) a[j] += v[j];
  }
  for (int64_t k = 0; k < segments * inner; ++k) out[k] = static_cast<float>(acc[k]);
  return info.Env().Undefined();
}

}  // namespace

void init_gather(Napi::Env env, Napi::Object exports) {
  exports.Set("gather", Napi::Function::New(env, Gather));
  exports.Set("unsortedSegmentSum", Napi::Function::New(env, UnsortedSegmentSum));
}

}  // namespace s3gan
