// Fused parameter updates: one pass over memory per variable instead of a chain of elementwise
// kernels, each with its own output array. Every operation is one float32 operation in the order of
// TensorFlow.js's AdamOptimizer and of the composed EMA ops, so the results are bit-identical to
// them (float32 +, *, / and sqrt are correctly rounded, as the JavaScript kernels' double operation
// rounded once to float32 is; -ffp-contract=off in binding.gyp keeps the compiler from fusing a
// multiply and an add into one rounding).
// Outputs are arrays the caller provides (from the output-array pool), never the variable's own
// buffer: that may be shared with other tensors (tfjs's clone() and variable() share data), so it is
// never written in place.
#include <cmath>

#include "common.h"

namespace s3gan {
namespace {

float number(const Napi::Value& value) { return static_cast<float>(value.As<Napi::Number>().DoubleValue()); }

// adamUpdate(param, gradient, m, v, paramOut, mOut, vOut, beta1, oneMinusBeta1, beta2, oneMinusBeta2,
//            oneMinusAccBeta1, oneMinusAccBeta2, epsilon, negativeLearningRate)
// with every scalar already rounded to float32 by the caller, as tfjs's scalar tensors are:
//   m' = m·β1 + g·(1 − β1)             v' = v·β2 + g²·(1 − β2)
//   param' = (m' / (1 − β1^t)) / (sqrt(v' / (1 − β2^t)) + ε) · (−lr) + param
Napi::Value AdamUpdate(const Napi::CallbackInfo& info) {
  const View pv = view_of<float>(info[0], "adamUpdate: param");
  const View gv = view_of<float>(info[1], "adamUpdate: gradient");
  const View mv = view_of<float>(info[2], "adamUpdate: m");
  const View vv = view_of<float>(info[3], "adamUpdate: v");
  const View po = view_of<float>(info[4], "adamUpdate: paramOut");
  const View mo = view_of<float>(info[5], "adamUpdate: mOut");
  const View vo = view_of<float>(info[6], "adamUpdate: vOut");
  const size_t n = pv.length;
  require(info.Env(), gv.length == n && mv.length == n && vv.length == n && po.length == n && mo.length == n && vo.length == n,
          "adamUpdate: every array must have the parameter's length");
  const float beta1 = number(info[7]), one_minus_beta1 = number(info[8]);
  const float beta2 = number(info[9]), one_minus_beta2 = number(info[10]);
  const float one_minus_acc1 = number(info[11]), one_minus_acc2 = number(info[12]);
  const float epsilon = number(info[13]), negative_lr = number(info[14]);
  const float* p = static_cast<const float*>(pv.data);
  const float* g = static_cast<const float*>(gv.data);
  const float* m = static_cast<const float*>(mv.data);
  const float* v = static_cast<const float*>(vv.data);
  float* p_out = static_cast<float*>(po.data);
  float* m_out = static_cast<float*>(mo.data);
  float* v_out = static_cast<float*>(vo.data);
  for (size_t i = 0; i < n; ++i) {
    const float gi = g[i];
    const float m_new = m[i] * beta1 + gi * one_minus_beta1;
    const float v_new = v[i] * beta2 + (gi * gi) * one_minus_beta2;
    const float m_hat = m_new / one_minus_acc1;
    const float v_hat = v_new / one_minus_acc2;
    const float step = (m_hat / (std::sqrt(v_hat) + epsilon)) * negative_lr;
    m_out[i] = m_new;
    v_out[i] = v_new;
    p_out[i] = step + p[i];
  }
  return info.Env().Undefined();
}

// emaUpdate(average, source, out, decay, oneMinusDecay), scalars rounded to float32 by the caller:
//   out = average·decay + source·(1 − decay)
Napi::Value EmaUpdate(const Napi::CallbackInfo& info) {
  const View av = view_of<float>(info[0], "emaUpdate: average");
  const View sv = view_of<float>(info[1], "emaUpdate: source");
  const View ov = view_of<float>(info[2], "emaUpdate: out");
  const size_t n = av.length;
  require(info.Env(), sv.length == n && ov.length == n, "emaUpdate: every array must have the average's length");
  const float decay = number(info[3]), one_minus_decay = number(info[4]);
  const float* a = static_cast<const float*>(av.data);
  const float* s = static_cast<const float*>(sv.data);
  float* out = static_cast<float*>(ov.data);
  for (size_t i = 0; i < n; ++i) out[i] = a[i] * decay + s[i] * one_minus_decay;
  return info.Env().Undefined();
}

}  // namespace

void init_optim(Napi::Env env, Napi::Object exports) {
  exports.Set("adamUpdate", Napi::Function::New(env, AdamUpdate));
  exports.Set("emaUpdate", Napi::Function::New(env, EmaUpdate));
}

}  // namespace s3gan
