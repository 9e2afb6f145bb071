// Broadcasting binary operations (arithmetic and comparisons) and Select.
//
// The JavaScript cpu kernel computes a multi-index per element to broadcast; here the shapes are
// first collapsed into runs of axes that broadcast the same way ([64, 8, 8, 128] + [64, 1, 1, 128]
// becomes [64, 64, 128] with strides a: (8192, 128, 1), b: (128, 0, 1)), so the innermost loop is
// contiguous or scalar-broadcast and vectorises. float32 +, −, ×, ÷ are correctly rounded, which
// equals JavaScript's double operation rounded to float32; SquaredDifference is done in double,
// as JavaScript does it.
#include <cmath>
#include <limits>

#include "common.h"

namespace s3gan {
namespace {

enum Op {
  kAdd = 0, kSub = 1, kMul = 2, kDiv = 3, kMaximum = 4, kMinimum = 5, kSquaredDifference = 6,
  kGreater = 10, kGreaterEqual = 11, kLess = 12, kLessEqual = 13, kEqual = 14, kNotEqual = 15,
};

// Collapsed broadcast geometry: sizes and per-operand strides (0 = broadcast), outermost first.
struct Broadcast {
  Shape size, stride_a, stride_b;
};

Broadcast collapse(const Shape& a, const Shape& b, const Shape& out) {
  const size_t rank = out.size();
  auto dim = [rank](const Shape& s, size_t i) { return i + s.size() < rank ? 1 : s[i + s.size() - rank]; };
  Shape sizes;
  std::vector<int> kinds;
  for (size_t i = 0; i < rank; ++i) {
    if (out[i] == 1) continue;
    const int kind = (dim(a, i) == out[i] ? 1 : 0) | (dim(b, i) == out[i] ? 2 : 0);
    if (!kinds.empty() && kinds.back() == kind) {
      sizes.back() *= out[i];
    } else {
      sizes.push_back(out[i]);
      kinds.push_back(kind);
    }
  }
  if (sizes.empty()) {
    sizes.push_back(1);
    kinds.push_back(3);
  }
  Broadcast g{sizes, Shape(sizes.size()), Shape(sizes.size())};
  int64_t sa = 1, sb = 1;
  for (size_t i = sizes.size(); i-- > 0;) {
    g.stride_a[i] = (kinds[i] & 1) ? sa : 0;
    g.stride_b[i] = (kinds[i] & 2) ? sb : 0;
    if (kinds[i] & 1) sa *= sizes[i];
    if (kinds[i] & 2) sb *= sizes[i];
  }
  return g;
}

// Whether `shape`, aligned right, has only axes of 1 or of out's size, and no more axes than out.
bool broadcasts(const Shape& shape, const Shape& out) {
  if (shape.size() > out.size()) return false;
  const size_t skip = out.size() - shape.size();
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] != 1 && shape[i] != out[skip + i]) return false;
  }
  return true;
}

// Walks the outer axes and hands each innermost run to `inner(a, sa, b, sb, out, n)`.
template <class Inner>
void for_each_run(const Broadcast& g, Inner inner) {
  const size_t d = g.size.size();
  const int64_t n = g.size[d - 1], sa = g.stride_a[d - 1], sb = g.stride_b[d - 1];
  int64_t outer = 1;
  for (size_t i = 0; i + 1 < d; ++i) outer *= g.size[i];
  Shape index(d, 0);
  int64_t oa = 0, ob = 0;
  for (int64_t r = 0; r < outer; ++r) {
    inner(oa, sa, ob, sb, r * n, n);
    for (size_t i = d - 1; i-- > 0;) {  // advance the multi-index of the outer axes
      oa += g.stride_a[i];
      ob += g.stride_b[i];
      if (++index[i] < g.size[i]) break;
      oa -= g.stride_a[i] * g.size[i];
      ob -= g.stride_b[i] * g.size[i];
      index[i] = 0;
    }
  }
}

template <class Out, class F>
void run(const Broadcast& g, const float* a, const float* b, Out* out, F f) {
  for_each_run(g, [&](int64_t oa, int64_t sa, int64_t ob, int64_t sb, int64_t oo, int64_t n) {
    const float* x = a + oa;
    const float* y = b + ob;
    Out* z = out + oo;
    if (sa == 1 && sb == 1) {
      for (int64_t i = 0; i < n; ++i) z[i] = f(x[i], y[i]);
    } else if (sa == 1) {
      const float yv = y[0];
      for (int64_t i = 0; i < n; ++i) z[i] = f(x[i], yv);
    } else if (sb == 1) {
      const float xv = x[0];
      for (int64_t i = 0; i < n; ++i) z[i] = f(xv, y[i]);
    } else {
      const float v = f(x[0], y[0]);
      for (int64_t i = 0; i < n; ++i) z[i] = v;
    }
  });
}

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

// binary(op, a, aShape, b, bShape, out, outShape): out is Float32Array, or Uint8Array (bool) for
// comparisons.
Napi::Value Binary(const Napi::CallbackInfo& info) {
  const int op = info[0].As<Napi::Number>().Int32Value();
  const Shape a_shape = shape_of(info[2], "aShape"), b_shape = shape_of(info[4], "bShape");
  const Shape out_shape = shape_of(info[6], "outShape");
  // collapse() takes every axis of a and b to be 1 or out's; anything else would misplace reads.
  require(info.Env(), broadcasts(a_shape, out_shape) && broadcasts(b_shape, out_shape),
          "binary: aShape and bShape must broadcast to outShape");
  const float* a = data_of<float>(info[1], "binary: a", product(a_shape));
  const float* b = data_of<float>(info[3], "binary: b", product(b_shape));
  const int64_t count = product(out_shape);
  const Broadcast g = collapse(a_shape, b_shape, out_shape);
  if (op >= kGreater) {
    uint8_t* out = data_of<uint8_t>(info[5], "binary: out", count);
    switch (op) {
      case kGreater: run(g, a, b, out, [](float x, float y) -> uint8_t { return x > y; }); break;
      case kGreaterEqual: run(g, a, b, out, [](float x, float y) -> uint8_t { return x >= y; }); break;
      case kLess: run(g, a, b, out, [](float x, float y) -> uint8_t { return x < y; }); break;
      case kLessEqual: run(g, a, b, out, [](float x, float y) -> uint8_t { return x <= y; }); break;
      case kEqual: run(g, a, b, out, [](float x, float y) -> uint8_t { return x == y; }); break;
      case kNotEqual: run(g, a, b, out, [](float x, float y) -> uint8_t { return x != y; }); break;
      default: throw Napi::RangeError::New(info.Env(), "binary: unknown comparison");
    }
    return info.Env().Undefined();
  }
  float* out = data_of<float>(info[5], "binary: out", count);
  switch (op) {
    case kAdd: run(g, a, b, out, [](float x, float y) { return x + y; }); break;
    case kSub: run(g, a, b, out, [](float x, float y) { return x - y; }); break;
    case kMul: run(g, a, b, out, [](float x, float y) { return x * y; }); break;
    case kDiv: run(g, a, b, out, [](float x, float y) { return x / y; }); break;
    case kMaximum:
      run(g, a, b, out, [](float x, float y) { return (x != x || y != y) ? kNaN : (x > y ? x : y); });
      break;
    case kMinimum:
      run(g, a, b, out, [](float x, float y) { return (x != x || y != y) ? kNaN : (x < y ? x : y); });
      break;
    case kSquaredDifference:
      run(g, a, b, out, [](float x, float y) {
        const double d = static_cast<double>(x) - y;
        return static_cast<float>(d * d);
      });
      break;
    default: throw Napi::RangeError::New(info.Env(), "binary: unknown operation");
  }
  return info.Env().Undefined();
}

// select(condition (Uint8Array), rows, t, e, out): 4-byte elements; condition holds one value per
// element, or one per row when rows > 0 (TensorFlow's rank-1 condition on a higher-rank t).
Napi::Value Select(const Napi::CallbackInfo& info) {
  const int64_t rows = size_of(info[1], "select: rows");
  const View t = view_of<uint32_t>(info[2], "select: t");
  const int64_t n = static_cast<int64_t>(t.length);
  require(info.Env(), rows == 0 || n % rows == 0, "select: rows must divide t's length");
  const uint8_t* cond = data_of<uint8_t>(info[0], "select: condition", rows > 0 ? rows : n);
  const uint32_t* tv = static_cast<const uint32_t*>(t.data);
  const uint32_t* ev = data_of<uint32_t>(info[3], "select: e", n);
  uint32_t* out = data_of<uint32_t>(info[4], "select: out", n);
  if (rows > 0) {
    const int64_t row = n / rows;
    for (int64_t r = 0; r < rows; ++r) {
      const uint32_t* src = (cond[r] ? tv : ev) + r * row;
      for (int64_t i = 0; i < row; ++i) out[r * row + i] = src[i];
    }
  } else {
    for (int64_t i = 0; i < n; ++i) {
      const uint32_t a = tv[i], b = ev[i];  // both loaded, so the select vectorises
      out[i] = cond[i] ? a : b;
    }
  }
  return info.Env().Undefined();
}

}  // namespace

void init_binary(Napi::Env env, Napi::Object exports) {
  exports.Set("binary", Napi::Function::New(env, Binary));
  exports.Set("select", Napi::Function::New(env, Select));
}

}  // namespace s3gan
