// 2-D convolution forward, backward-data and backward-weights on oneDNN, reading TensorFlow.js
// layouts directly: activations NHWC, filters [kh, kw, in, out] (oneDNN's `hwio`).
//
// Primitives are built once per (kind, shapes, geometry, activation, threads) and cached: building
// one costs milliseconds (JIT), running a small one microseconds. Weights are given to oneDNN in
// the blocked layout it prefers (`any`), with a cached reorder from/to `hwio`; activations stay
// NHWC by default, which the AVX-512/AVX2 direct kernels read without a copy.
// S3GAN_ONEDNN_CONV_LAYOUT=any lets oneDNN pick the activation layout too (reorders every call).
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <string>

#include "common.h"

namespace s3gan {
namespace {

using dnnl::memory;
using tag = memory::format_tag;
using dt = memory::data_type;

enum Kind { kForward = 0, kBackwardData = 1, kBackwardWeights = 2 };
enum Activation { kLinear = 0, kRelu = 1, kRelu6 = 2, kElu = 3, kLeakyRelu = 4, kSigmoid = 5 };

// A tensor argument: the user's memory (pointer set per call) and, when oneDNN wants another
// layout, an internal buffer with the reorder between the two.
struct Slot {
  memory user;
  memory inner;
  bool reordered = false;
  dnnl::reorder convert;

  Slot() = default;
  Slot(const memory::desc& user_md, const memory::desc& inner_md, bool input) {
    user = memory(user_md, engine(), DNNL_MEMORY_NONE);
    if (inner_md == user_md) {
      inner = user;
      return;
    }
    reordered = true;
    inner = memory(inner_md, engine());
    convert = input ? dnnl::reorder(user, inner) : dnnl::reorder(inner, user);
  }

  // Binds a user array of `length` floats; false (nothing bound) when the user descriptor spans more.
  bool bind(const View& array) {
    if (user.get_desc().get_size() > array.length * sizeof(float)) return false;
    user.set_data_handle(array.data);
    return true;
  }
  void before(dnnl::stream& s, bool input) {
    if (reordered && input) convert.execute(s, user, inner);
  }
  void after(dnnl::stream& s, bool input) {
    if (reordered && !input) convert.execute(s, inner, user);
  }
};

struct Plan {
  dnnl::primitive primitive;
  Slot src, wei, dst;
  memory bias;
};

bool any_activation_layout() {
  const char* value = std::getenv("S3GAN_ONEDNN_CONV_LAYOUT");
  return value != nullptr && std::strcmp(value, "any") == 0;
}

dnnl::algorithm eltwise_of(int activation) {
  switch (activation) {
    case kRelu:
    case kLeakyRelu:
      return dnnl::algorithm::eltwise_relu;
    case kRelu6:
      return dnnl::algorithm::eltwise_bounded_relu;
    case kElu:
      return dnnl::algorithm::eltwise_elu;
    default:
      return dnnl::algorithm::eltwise_logistic;
  }
}

float eltwise_alpha(int activation, float alpha) {
  switch (activation) {
    case kRelu6:
      return 6.f;
    case kElu:
      return 1.f;
    case kLeakyRelu:
      return alpha;
    default:
      return 0.f;
  }
}

// Geometry: [sh, sw, dh, dw, pt, pl, pb, pr], dilation in TensorFlow's convention (1 = dense).
std::unique_ptr<Plan> build(int kind, const Shape& x, const Shape& w, const Shape& y, const Shape& g, bool has_bias,
                            int activation, float alpha) {
  const memory::dims src_d = {x[0], x[3], x[1], x[2]};
  const memory::dims wei_d = {w[3], w[2], w[0], w[1]};
  const memory::dims dst_d = {y[0], y[3], y[1], y[2]};
  const memory::dims strides = {g[0], g[1]}, dilates = {g[2] - 1, g[3] - 1};
  const memory::dims pad_l = {g[4], g[5]}, pad_r = {g[6], g[7]};
  const tag act_tag = any_activation_layout() ? tag::any : tag::nhwc;
  const memory::desc src_md(src_d, dt::f32, act_tag), dst_md(dst_d, dt::f32, act_tag);
  const memory::desc wei_md(wei_d, dt::f32, tag::any);
  const memory::desc src_user(src_d, dt::f32, tag::nhwc), dst_user(dst_d, dt::f32, tag::nhwc);
  const memory::desc wei_user(wei_d, dt::f32, tag::hwio);
  const memory::desc bias_md({w[3]}, dt::f32, tag::x);
  const auto algo = dnnl::algorithm::convolution_direct;

  dnnl::primitive_attr attr;
  if (kind == kForward && activation != kLinear) {
    dnnl::post_ops ops;
    ops.append_eltwise(1.f, eltwise_of(activation), eltwise_alpha(activation, alpha), 0.f);
    attr.set_post_ops(ops);
  }
  auto fwd_desc = has_bias && kind == kForward
                      ? dnnl::convolution_forward::desc(dnnl::prop_kind::forward_training, algo, src_md, wei_md, bias_md,
                                                        dst_md, strides, dilates, pad_l, pad_r)
                      : dnnl::convolution_forward::desc(dnnl::prop_kind::forward_training, algo, src_md, wei_md, dst_md,
                                                        strides, dilates, pad_l, pad_r);
  dnnl::convolution_forward::primitive_desc fwd(fwd_desc, attr, engine());

  auto plan = std::make_unique<Plan>();
  if (kind == kForward) {
    plan->primitive = dnnl::convolution_forward(fwd);
    plan->src = Slot(src_user, fwd.src_desc(), true);
    plan->wei = Slot(wei_user, fwd.weights_desc(), true);
    plan->dst = Slot(dst_user, fwd.dst_desc(), false);
    if (has_bias) plan->bias = memory(bias_md, engine(), DNNL_MEMORY_NONE);
  } else if (kind == kBackwardData) {
    dnnl::convolution_backward_data::desc d(algo, src_md, wei_md, dst_md, strides, dilates, pad_l, pad_r);
    dnnl::convolution_backward_data::primitive_desc pd(d, engine(), fwd);
    plan->primitive = dnnl::convolution_backward_data(pd);
    plan->src = Slot(src_user, pd.diff_src_desc(), false);
    plan->wei = Slot(wei_user, pd.weights_desc(), true);
    plan->dst = Slot(dst_user, pd.diff_dst_desc(), true);
  } else {
    dnnl::convolution_backward_weights::desc d(algo, src_md, wei_md, dst_md, strides, dilates, pad_l, pad_r);
    dnnl::convolution_backward_weights::primitive_desc pd(d, engine(), fwd);
    plan->primitive = dnnl::convolution_backward_weights(pd);
    plan->src = Slot(src_user, pd.src_desc(), true);
    plan->wei = Slot(wei_user, pd.diff_weights_desc(), false);
    plan->dst = Slot(dst_user, pd.diff_dst_desc(), true);
  }
  return plan;
}

std::map<std::vector<int64_t>, std::unique_ptr<Plan>>& cache() {
  static std::map<std::vector<int64_t>, std::unique_ptr<Plan>> instance;
  return instance;
}

// conv2d(kind, x, xShape, w, wShape, y, yShape, geometry, bias | null, activation, alpha) → false
// when oneDNN has no implementation for the geometry (nothing written), true when done.
// kind 0: y = act(conv(x, w) + bias); 1: x = dconv/dx given dy in y; 2: w = dconv/dw given x, dy.
Napi::Value Conv2dUnchecked(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const int kind = info[0].As<Napi::Number>().Int32Value();
  require(env, kind >= kForward && kind <= kBackwardWeights, "conv2d: kind must be 0, 1 or 2");
  const Shape x = shape_of(info[2], "xShape"), w = shape_of(info[4], "wShape"), y = shape_of(info[6], "yShape");
  const Shape g = shape_of(info[7], "geometry", true);
  require(env, x.size() == 4 && w.size() == 4 && y.size() == 4 && g.size() == 8, "conv2d: expects 4-D shapes");
  require(env, x[3] == w[2] && y[3] == w[3] && x[0] == y[0], "conv2d: shapes do not agree");
  const bool has_bias = kind == kForward && !info[8].IsNull() && !info[8].IsUndefined();
  const int activation = kind == kForward ? info[9].As<Napi::Number>().Int32Value() : kLinear;
  const float alpha = kind == kForward ? info[10].As<Napi::Number>().FloatValue() : 0.f;
  // Each array must hold its NHWC / hwio shape, whichever of them the kind writes.
  const View x_array = typed_array(info[1], "conv2d: x", sizeof(float), product(x));
  const View w_array = typed_array(info[3], "conv2d: w", sizeof(float), product(w));
  const View y_array = typed_array(info[5], "conv2d: y", sizeof(float), product(y));
  const View bias_array = has_bias ? typed_array(info[8], "conv2d: bias", sizeof(float), w[3]) : View{nullptr, 0};

  const double macs = static_cast<double>(y[0]) * y[1] * y[2] * y[3] * w[0] * w[1] * w[2];
  const int pool = use_pool(macs);
  std::vector<int64_t> key = {kind, has_bias, activation, pool, any_activation_layout()};
  int32_t alpha_bits;
  std::memcpy(&alpha_bits, &alpha, sizeof alpha_bits);
  key.push_back(alpha_bits);
  for (const Shape* s : {&x, &w, &y, &g}) key.insert(key.end(), s->begin(), s->end());

  auto& plans = cache();
  auto found = plans.find(key);
  if (found == plans.end()) {
    // oneDNN declines some geometries (e.g. a dilated filter wider than the padded input); the
    // refusal is cached as a null plan and reported as `false`, for the caller's fallback.
    std::unique_ptr<Plan> plan;
    try {
      plan = build(kind, x, w, y, g, has_bias, activation, alpha);
    } catch (const dnnl::error& e) {
      if (e.status != dnnl_unimplemented && e.status != dnnl_invalid_arguments) throw;
    }
    found = plans.emplace(key, std::move(plan)).first;
  }
  if (!found->second) return Napi::Boolean::New(env, false);
  Plan& plan = *found->second;

  // The plan's user descriptors come from the same shapes; checked again here, since oneDNN reads
  // and writes what they span, not what the arrays hold.
  require(env, plan.src.bind(x_array), "conv2d: x is smaller than the plan's source");
  require(env, plan.wei.bind(w_array), "conv2d: w is smaller than the plan's weights");
  require(env, plan.dst.bind(y_array), "conv2d: y is smaller than the plan's destination");
  require(env, !has_bias || plan.bias.get_desc().get_size() <= bias_array.length * sizeof(float),
          "conv2d: bias is smaller than the plan's bias");
  const bool src_in = kind != kBackwardData, wei_in = kind != kBackwardWeights, dst_in = kind != kForward;
  // oneDNN may run a geometry as a GEMM-based convolution, whose kernel is not signal-safe (common.h).
  const SignalsHeld held;
  dnnl::stream& s = stream();
  plan.src.before(s, src_in);
  plan.wei.before(s, wei_in);
  plan.dst.before(s, dst_in);
  std::unordered_map<int, memory> args;
  if (kind == kForward) {
    args = {{DNNL_ARG_SRC, plan.src.inner}, {DNNL_ARG_WEIGHTS, plan.wei.inner}, {DNNL_ARG_DST, plan.dst.inner}};
    if (has_bias) {
      plan.bias.set_data_handle(bias_array.data);
      args[DNNL_ARG_BIAS] = plan.bias;
    }
  } else if (kind == kBackwardData) {
    args = {{DNNL_ARG_DIFF_SRC, plan.src.inner}, {DNNL_ARG_WEIGHTS, plan.wei.inner}, {DNNL_ARG_DIFF_DST, plan.dst.inner}};
  } else {
    args = {{DNNL_ARG_SRC, plan.src.inner}, {DNNL_ARG_DIFF_WEIGHTS, plan.wei.inner}, {DNNL_ARG_DIFF_DST, plan.dst.inner}};
  }
  plan.primitive.execute(s, args);
  plan.src.after(s, src_in);
  plan.wei.after(s, wei_in);
  plan.dst.after(s, dst_in);
  s.wait();
  return Napi::Boolean::New(env, true);
}

// oneDNN's C++ API throws dnnl::error, which node-addon-api does not translate by itself.
Napi::Value Conv2d(const Napi::CallbackInfo& info) {
  try {
    return Conv2dUnchecked(info);
  } catch (const dnnl::error& e) {
    throw Napi::Error::New(info.Env(), std::string("conv2d: oneDNN error: ") + e.what());
  }
}

Napi::Value CachedPlans(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(cache().size()));
}

}  // namespace

void init_conv(Napi::Env env, Napi::Object exports) {
  exports.Set("conv2d", Napi::Function::New(env, Conv2d));
  exports.Set("convPlans", Napi::Function::New(env, CachedPlans));
}

}  // namespace s3gan
