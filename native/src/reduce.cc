// Reductions (Sum, Mean, Max, Min) over any set of axes, and Softmax over the last axis.
//
// The JavaScript cpu kernel first transposes the reduced axes to the end; here the input is read
// once in memory order. Adjacent axes of the same kind (kept or reduced) are merged, so a batch-norm
// mean over [B, H, W] of [B, H, W, C] becomes one reduced run of B·H·W rows of C kept values, an
// outer-axis reduction that vectorises over C. Sums accumulate in double, like the JS kernel.
#include <cmath>
#include <limits>

#include "common.h"

namespace s3gan {
namespace {

enum Op { kSum = 0, kMean = 1, kMax = 2, kMin = 3 };

struct Runs {
  Shape size;
  std::vector<bool> reduced;
};

Runs collapse(const Shape& shape, const std::vector<bool>& reduce) {
  Runs r;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == 1) continue;
    if (!r.size.empty() && r.reduced.back() == reduce[i]) {
      r.size.back() *= shape[i];
    } else {
      r.size.push_back(shape[i]);
      r.reduced.push_back(reduce[i]);
    }
  }
  if (r.size.empty()) {
    r.size.push_back(1);
    r.reduced.push_back(true);
  }
  return r;
}

// Visits the input in memory order, calling inner(input offset, output offset, run length, reduced).
template <class Inner>
void walk(const Runs& r, Inner inner) {
  const size_t d = r.size.size();
  Shape out_stride(d, 0);
  int64_t s = 1;
  for (size_t i = d; i-- > 0;) {
    if (!r.reduced[i]) {
      out_stride[i] = s;
      s *= r.size[i];
    }
  }
  const int64_t n = r.size[d - 1];
  int64_t outer = 1;
  for (size_t i = 0; i + 1 < d; ++i) outer *= r.size[i];
  Shape index(d, 0);
  int64_t oo = 0;
  for (int64_t k = 0; k < outer; ++k) {
    inner(k * n, oo, n, r.reduced[d - 1]);
    for (size_t i = d - 1; i-- > 0;) {
      oo += out_stride[i];
      if (++index[i] < r.size[i]) break;
      oo -= out_stride[i] * r.size[i];
      index[i] = 0;
    }
  }
}

template <class Combine>
void extreme(const Runs& r, const float* x, float* out, int64_t out_size, float init, Combine better) {
  for (int64_t i = 0; i < out_size; ++i) out[i] = init;
  walk(r, [&](int64_t xi, int64_t oi, int64_t n, bool reduced) {
    const float* v = x + xi;
    if (reduced) {
      float m = out[oi];
      for (int64_t j = 0; j < n; ++j) m = better(v[j], m) ? v[j] : m;
      out[oi] = m;
    } else {
      float* o = out + oi;
      for (int64_t j = 0; j < n; ++j) o[j] = better(v[j], o[j]) ? v[j] : o[j];
    }
  });
}

// reduce(op, x, xShape, axes, out): out holds the kept axes in order (keepDims is a reshape).
Napi::Value Reduce(const Napi::CallbackInfo& info) {
  const int op = info[0].As<Napi::Number>().Int32Value();
  const Shape shape = shape_of(info[2], "xShape");
  const Shape axes = shape_of(info[3], "axes");
  std::vector<bool> reduce(shape.size(), false);
  int64_t count = 1;
  for (int64_t a : axes) {
    require(info.Env(), a >= 0 && a < static_cast<int64_t>(shape.size()), "reduce: axis out of range");
    if (!reduce[a]) count *= shape[a];
    reduce[a] = true;
  }
  const float* x = data_of<float>(info[1], "reduce: x", product(shape));
  // out holds the kept axes: the walk writes (and the sums accumulate) exactly that many values.
  int64_t out_size = 1;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (!reduce[i]) out_size = times(out_size, shape[i]);
  }
  float* out = data_of<float>(info[4], "reduce: out", out_size);
  const Runs r = collapse(shape, reduce);
  if (op == kSum || op == kMean) {
    // Mean divides each element before summing, as the JavaScript kernel does.
    const float divisor = op == kMean ? static_cast<float>(count) : 1.f;
    std::vector<double> acc(out_size, 0.0);
    walk(r, [&](int64_t xi, int64_t oi, int64_t n, bool reduced) {
      const float* v = x + xi;
      if (reduced) {
        double s = 0;
        if (op == kMean) {
          for (int64_t j = 0; j < n; ++j) s += v[j] / divisor;
        } else {
          for (int64_t j = 0; j < n; ++j) s += v[j];
        }
        acc[oi] += s;
      } else {
        double* o = acc.data() + oi;
        if (op == kMean) {
          for (int64_t j = 0; j < n; ++j) o[j] += v[j] / divisor;
        } else {
          for (int64_t j = 0; j < n; ++j) o[j] += v[j];
        }
      }
    });
    for (int64_t i = 0; i < out_size; ++i) out[i] = static_cast<float>(acc[i]);
  } else if (op == kMax) {
    extreme(r, x, out, out_size, -std::numeric_limits<float>::infinity(),
            [](float v, float m) { return v != v || v > m; });
  } else if (op == kMin) {
    extreme(r, x, out, out_size, std::numeric_limits<float>::infinity(),
            [](float v, float m) { return v != v || v < m; });
  } else {
    throw Napi::RangeError::New(info.Env(), "reduce: unknown operation");
  }
  return info.Env().Undefined();
}

// softmax(x, rows, cols, out): over the last axis, as exp(x − max) / Σ exp(x − max).
Napi::Value Softmax(const Napi::CallbackInfo& info) {
  const int64_t rows = size_of(info[1], "softmax: rows"), cols = size_of(info[2], "softmax: cols");
  const float* x = data_of<float>(info[0], "softmax: x", product({rows, cols}));
  float* out = data_of<float>(info[3], "softmax: out", product({rows, cols}));
  for (int64_t r = 0; r < rows; ++r) {
    const float* v = x + r * cols;
    float* o = out + r * cols;
    float m = -std::numeric_limits<float>::infinity();
    for (int64_t j = 0; j < cols; ++j) m = (v[j] != v[j] || v[j] > m) ? v[j] : m;
    double s = 0;
    for (int64_t j = 0; j < cols; ++j) {
      o[j] = static_cast<float>(std::exp(static_cast<double>(v[j] - m)));
      s += o[j];
    }
    const float total = static_cast<float>(s);
    for (int64_t j = 0; j < cols; ++j) o[j] /= total;
  }
  return info.Env().Undefined();
}

}  // namespace

void init_reduce(Napi::Env env, Napi::Object exports) {
  exports.Set("reduce", Napi::Function::New(env, Reduce));
  exports.Set("softmax", Napi::Function::New(env, Softmax));
}

}  // namespace s3gan
