// Elementwise unary operations and activations on float32, with the JavaScript cpu kernels'
// semantics (NaN handling included). Transcendental functions are evaluated in double and rounded
// once, as JavaScript's Math functions are, so results agree to the last bit or nearly.
// They run on the calling thread: on few cores, waking a pool for them costs more than it saves.
#include <cmath>

#include "common.h"

namespace s3gan {
namespace {

enum Op {
  kRelu = 0, kRelu6 = 1, kLeakyRelu = 2, kElu = 3, kTanh = 4, kSigmoid = 5, kExp = 6, kLog = 7,
  kSqrt = 8, kRsqrt = 9, kSquare = 10, kNeg = 11, kAbs = 12, kStep = 13, kReciprocal = 14,
  kLog1p = 15, kExpm1 = 16, kSign = 17, kFloor = 18, kCeil = 19,
};

template <class F>
void map(const float* x, float* y, int64_t n, F f) {
  for (int64_t i = 0; i < n; ++i) y[i] = f(x[i]);
}

template <double (*F)(double)>
void map_double(const float* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = static_cast<float>(F(static_cast<double>(x[i])));
}

double sigmoid(double v) { return 1 / (1 + std::exp(-v)); }
double rsqrt(double v) { return 1 / std::sqrt(v); }
double elu(double v) { return v >= 0 ? v : std::exp(v) - 1; }
double tanh_(double v) { return std::tanh(v); }
double exp_(double v) { return std::exp(v); }
double log_(double v) { return std::log(v); }
double log1p_(double v) { return std::log1p(v); }
double expm1_(double v) { return std::expm1(v); }

// unary(op, x, y, alpha): y = op(x) elementwise; alpha is LeakyRelu's slope or Step's value at x <= 0.
Napi::Value Unary(const Napi::CallbackInfo& info) {
  const int op = info[0].As<Napi::Number>().Int32Value();
  const View xv = view_of<float>(info[1], "unary: x");
  const float* x = static_cast<const float*>(xv.data);
  const int64_t n = static_cast<int64_t>(xv.length);
  float* y = data_of<float>(info[2], "unary: y", n);
  const double alpha_d = info[3].As<Napi::Number>().DoubleValue();
  const float alpha = static_cast<float>(alpha_d);
  switch (op) {
    case kRelu: map(x, y, n, [](float v) { return v > 0 ? v : (v != v ? v : 0.f); }); break;
    case kRelu6: map(x, y, n, [](float v) { return v != v ? v : (v > 6 ? 6.f : (v > 0 ? v : 0.f)); }); break;
    case kLeakyRelu:
      // In double, as JavaScript multiplies by the double alpha; computed unconditionally so the
      // select vectorises.
      map(x, y, n, [alpha_d](float v) {
        const float scaled = static_cast<float>(alpha_d * v);
        return v < 0 ? scaled : v;
      });
      break;
    case kElu: map_double<elu>(x, y, n); break;
    case kTanh: map_double<tanh_>(x, y, n); break;
    case kSigmoid: map_double<sigmoid>(x, y, n); break;
    case kExp: map_double<exp_>(x, y, n); break;
    case kLog: map_double<log_>(x, y, n); break;
    case kSqrt: map(x, y, n, [](float v) { return std::sqrt(v); }); break;
    case kRsqrt: map_double<rsqrt>(x, y, n); break;
    case kSquare: map(x, y, n, [](float v) { return v * v; }); break;
    case kNeg: map(x, y, n, [](float v) { return -v; }); break;
    case kAbs: map(x, y, n, [](float v) { return std::fabs(v); }); break;
    case kStep: map(x, y, n, [alpha](float v) { return v != v ? v : (v > 0 ? 1.f : alpha); }); break;
    case kReciprocal: map(x, y, n, [](float v) { return 1.f / v; }); break;
    case kLog1p: map_double<log1p_>(x, y, n); break;
    case kExpm1: map_double<expm1_>(x, y, n); break;
    case kSign: map(x, y, n, [](float v) { return v < 0 ? -1.f : (v > 0 ? 1.f : 0.f); }); break;
    case kFloor: map(x, y, n, [](float v) { return std::floor(v); }); break;
    case kCeil: map(x, y, n, [](float v) { return std::ceil(v); }); break;
    default: throw Napi::RangeError::New(info.Env(), "unary: unknown operation");
  }
  return info.Env().Undefined();
}

}  // namespace

void init_unary(Napi::Env env, Napi::Object exports) { exports.Set("unary", Napi::Function::New(env, Unary)); }

}  // namespace s3gan
