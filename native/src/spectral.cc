// Spectral normalisation (Miyato et al. 2018, Algorithm 1) in one call forward and one backward, on
// the calling thread: the matrices are small (at most a few hundred thousand weights), so waking the
// pool would cost more than the work. The arithmetic is that of src/backend/spectral-norm-kernel.ts
// step for step (double accumulation in the same order, float32 rounding at the same points), so
// onednn and cpu agree. Nothing here is reassociated (no -ffast-math) and, without -march, no
// multiply-add is fused, so the order written is the order computed.
#include <algorithm>
#include <cmath>
#include <vector>

#include "common.h"

namespace s3gan {
namespace {

constexpr double kEps = 1e-12;

void normalise_into(const std::vector<double>& x, float* out) {
  double squares = 0;
  for (double value : x) squares += value * value;
  const double divisor = std::sqrt(squares) + kEps;
  for (size_t i = 0; i < x.size(); ++i) out[i] = static_cast<float>(x[i] / divisor);
}

// t ← W u
void times_u(const float* w, int64_t rows, int64_t cols, const float* u, std::vector<double>& t) {
  for (int64_t r = 0; r < rows; ++r) {
    const float* row = w + r * cols;
    double sum = 0;
    for (int64_t c = 0; c < cols; ++c) sum += static_cast<double>(row[c]) * u[c];
    t[r] = sum;
  }
}

// s ← Wᵀ v, accumulated over rows in order
void times_v(const float* w, int64_t rows, int64_t cols, const float* v, std::vector<double>& s) {
  std::fill(s.begin(), s.end(), 0.0);
  for (int64_t r = 0; r < rows; ++r) {
    const float* row = w + r * cols;
    const double vr = v[r];
    for (int64_t c = 0; c < cols; ++c) s[c] += vr * row[c];
  }
}

// spectralNorm(w, rows, cols, u, iterations, normalized, sigma [1], newU [cols], v [rows])
Napi::Value SpectralNorm(const Napi::CallbackInfo& info) {
  const View wv = view_of<float>(info[0], "spectralNorm: w");
  const int64_t rows = info[1].As<Napi::Number>().Int64Value(), cols = info[2].As<Napi::Number>().Int64Value();
  const View uv = view_of<float>(info[3], "spectralNorm: u");
  const int64_t iterations = info[4].As<Napi::Number>().Int64Value();
  const View nv = view_of<float>(info[5], "spectralNorm: normalized"), sv = view_of<float>(info[6], "spectralNorm: sigma");
  const View newv = view_of<float>(info[7], "spectralNorm: newU"), vv = view_of<float>(info[8], "spectralNorm: v");
  require(info.Env(), rows >= 0 && cols >= 0 && iterations >= 0, "spectralNorm: negative size");
  const size_t n = static_cast<size_t>(product({rows, cols}));
  require(info.Env(), wv.length == n && nv.length == n && uv.length == static_cast<size_t>(cols) &&
                          newv.length == static_cast<size_t>(cols) && vv.length == static_cast<size_t>(rows) && sv.length == 1,
          "spectralNorm: array lengths do not match rows and cols");
  const float* w = static_cast<const float*>(wv.data);
  float* u = static_cast<float*>(newv.data);
  float* v = static_cast<float*>(vv.data);
  std::copy_n(static_cast<const float*>(uv.data), cols, u);
  std::vector<double> t(rows), s(cols);
  for (int64_t i = 0; i < iterations; ++i) {
    times_u(w, rows, cols, u, t);
    normalise_into(t, v);
    times_v(w, rows, cols, v, s);
    normalise_into(s, u);
  }
  times_u(w, rows, cols, u, t);
  normalise_into(t, v);
  times_v(w, rows, cols, v, s);
  double sigma64 = 0;
  for (int64_t c = 0; c < cols; ++c) sigma64 += static_cast<double>(u[c]) * s[c];
  const float sigma = static_cast<float>(sigma64);
  static_cast<float*>(sv.data)[0] = sigma;
  float* out = static_cast<float*>(nv.data);
  for (size_t i = 0; i < n; ++i) out[i] = static_cast<float>(static_cast<double>(w[i]) / sigma);
  return info.Env().Undefined();
}

// spectralNormGrad(dy, w, rows, cols, u [cols], v [rows], sigma, dSigma, dw):
// dw = dy / σ + (dσ − Σ(dy ⊙ W) / σ²) · vᵀu
Napi::Value SpectralNormGrad(const Napi::CallbackInfo& info) {
  const View dyv = view_of<float>(info[0], "spectralNormGrad: dy"), wv = view_of<float>(info[1], "spectralNormGrad: w");
  const int64_t rows = info[2].As<Napi::Number>().Int64Value(), cols = info[3].As<Napi::Number>().Int64Value();
  const View uv = view_of<float>(info[4], "spectralNormGrad: u"), vv = view_of<float>(info[5], "spectralNormGrad: v");
  const double sigma = info[6].As<Napi::Number>().DoubleValue();
  const double d_sigma = info[7].As<Napi::Number>().DoubleValue();
  const View dwv = view_of<float>(info[8], "spectralNormGrad: dw");
  require(info.Env(), rows >= 0 && cols >= 0, "spectralNormGrad: negative size");
  const size_t n = static_cast<size_t>(product({rows, cols}));
  require(info.Env(), dyv.length == n && wv.length == n && dwv.length == n && uv.length == static_cast<size_t>(cols) &&
                          vv.length == static_cast<size_t>(rows),
          "spectralNormGrad: array lengths do not match rows and cols");
  const float* dy = static_cast<const float*>(dyv.data);
  const float* w = static_cast<const float*>(wv.data);
  const float* u = static_cast<const float*>(uv.data);
  const float* v = static_cast<const float*>(vv.data);
  float* dw = static_cast<float*>(dwv.data);
  double dot = 0;
  for (size_t i = 0; i < n; ++i) dot += static_cast<double>(dy[i]) * w[i];
  const double coefficient = d_sigma - dot / (sigma * sigma);
  for (int64_t r = 0; r < rows; ++r) {
    const double scaled = coefficient * v[r];
    const float* dy_row = dy + r * cols;
    float* dw_row = dw + r * cols;
    for (int64_t c = 0; c < cols; ++c) dw_row[c] = static_cast<float>(dy_row[c] / sigma + scaled * u[c]);
  }
  return info.Env().Undefined();
}

}  // namespace

void init_spectral(Napi::Env env, Napi::Object exports) {
  exports.Set("spectralNorm", Napi::Function::New(env, SpectralNorm));
  exports.Set("spectralNormGrad", Napi::Function::New(env, SpectralNormGrad));
}

}  // namespace s3gan
