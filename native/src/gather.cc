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
  const int64_t outer = size_of(info[1], "gather: outer"), n = size_of(info[2], "gather: n");
  const int64_t inner = size_of(info[3], "gather: inner");
  const int64_t bytes = info[6].As<Napi::Number>().Int64Value();
  require(info.Env(), bytes == 1 || bytes == 4, "gather: elementBytes must be 1 or 4");
  const View iv = view_of<int32_t>(info[4], "gather: indices");
  const int32_t* indices = static_cast<const int32_t*>(iv.data);
  const int64_t count = static_cast<int64_t>(iv.length);
  const uint8_t* x = static_cast<const uint8_t*>(typed_array(info[0], "gather: x", bytes, product({outer, n, inner})).data);
  uint8_t* out = static_cast<uint8_t*>(typed_array(info[5], "gather: out", bytes, product({outer, count, inner})).data);
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
  const int64_t rows = size_of(info[1], "unsortedSegmentSum: rows"), inner = size_of(info[2], "unsortedSegmentSum: inner");
  const int64_t segments = size_of(info[4], "unsortedSegmentSum: numSegments");
  const float* x = data_of<float>(info[0], "unsortedSegmentSum: x", product({rows, inner}));
  const int32_t* ids = data_of<int32_t>(info[3], "unsortedSegmentSum: segmentIds", rows);
  float* out = data_of<float>(info[5], "unsortedSegmentSum: out", product({segments, inner}));
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
