// Batch normalisation in training mode as two kernels (the ops of src/ops/batch-norm-training.ts):
// a forward pass that computes the batch statistics and normalises, scales and shifts in one call,
// and its gradient in one call. x is [B, S, C] in memory (NHWC with S = H·W, or [B, C] with S = 1);
// scale and offset are per channel [C] or per sample [B, C] (conditional batch norm).
//
// Arithmetic is in double, in the order of the JavaScript cpu kernels of the same ops, so both
// backends agree to the last bit or nearly. One thread: these tensors are small.
#include <cmath>
#include <vector>

#include "common.h"

namespace s3gan {
namespace {

// A per-channel or per-sample parameter: `rows` is 1 or B; null data means "absent" (1 or 0).
struct Param {
  const float* data = nullptr;
  int64_t rows = 0;
  float at(int64_t b, int64_t c, int64_t channels, float absent) const {
    return data == nullptr ? absent : data[(rows == 1 ? 0 : b) * channels + c];
  }
};

Param param_of(const Napi::Value& value, const char* what, int64_t batch, int64_t channels) {
  Param p;
  if (value.IsNull() || value.IsUndefined()) return p;
  const View v = view_of<float>(value, what);
  p.data = static_cast<const float*>(v.data);
  p.rows = static_cast<int64_t>(v.length) / channels;
  if (!((p.rows == 1 || p.rows == batch) && static_cast<int64_t>(v.length) == p.rows * channels)) {
    throw Napi::RangeError::New(value.Env(), std::string(what) + " must be [C] or [B, C]");
  }
  return p;
}

// batchNormTraining(x, batch, channels, scale | null, offset | null, epsilon, y, mean, variance):
// mean and biased variance over B and S per channel, then y = (x − mean) / sqrt(var + ε) · scale + offset.
Napi::Value BatchNormTraining(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  const View xv = view_of<float>(info[0], "batchNormTraining: x");
  const int64_t batch = info[1].As<Napi::Number>().Int64Value();
  const int64_t channels = info[2].As<Napi::Number>().Int64Value();
  const int64_t n = static_cast<int64_t>(xv.length);
  require(env, batch > 0 && channels > 0 && n > 0 && n % (batch * channels) == 0, "batchNormTraining: bad shape");
  const Param scale = param_of(info[3], "batchNormTraining: scale", batch, channels);
  const Param offset = param_of(info[4], "batchNormTraining: offset", batch, channels);
  const double eps = info[5].As<Napi::Number>().DoubleValue();
  float* y = data_of<float>(info[6], "batchNormTraining: y", n);
  float* mean_out = data_of<float>(info[7], "batchNormTraining: mean", channels);
  float* var_out = data_of<float>(info[8], "batchNormTraining: variance", channels);
  const float* x = static_cast<const float*>(xv.data);
  const int64_t spatial = n / (batch * channels);
  const double count = static_cast<double>(n / channels);

  std::vector<double> mean(channels, 0.0), sq(channels, 0.0), rstd(channels);
  for (int64_t i = 0; i < n; i += channels) {
    for (int64_t c = 0; c < channels; ++c) mean[c] += x[i + c];
  }
  for (int64_t c = 0; c < channels; ++c) mean[c] /= count;
  for (int64_t i = 0; i < n; i += channels) {
    for (int64_t c = 0; c < channels; ++c) {
      const double d = x[i + c] - mean[c];
      sq[c] += d * d;
    }
  }
  for (int64_t c = 0; c < channels; ++c) {
    const double variance = sq[c] / count;
    rstd[c] = 1 / std::sqrt(variance + eps);
    mean_out[c] = static_cast<float>(mean[c]);
    var_out[c] = static_cast<float>(variance);
  }
  for (int64_t b = 0, i = 0; b < batch; ++b) {
    for (int64_t s = 0; s < spatial; ++s, i += channels) {
      for (int64_t c = 0; c < channels; ++c) {
        const double xhat = (x[i + c] - mean[c]) * rstd[c];
        y[i + c] = static_cast<float>(xhat * scale.at(b, c, channels, 1.f) + offset.at(b, c, channels, 0.f));
      }
    }
  }
  return env.Undefined();
}

// batchNormTrainingGrad(dy, x, batch, channels, mean, variance, scale | null, dMean, dVariance,
//   epsilon, dx, dScale, dOffset): the gradient of batchNormTraining's y, mean and variance outputs
// with respect to x, scale and offset. dScale and dOffset are [C] or [B, C] (their lengths say which).
//   x̂ = (x − μ)·r, r = 1/sqrt(σ² + ε), g = dy·scale, M = B·S
//   dx = r·(g − Σg/M − x̂·Σ(g·x̂)/M) + dμ/M + dσ²·2(x − μ)/M
Napi::Value BatchNormTrainingGrad(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  const View xv = view_of<float>(info[1], "batchNormTrainingGrad: x");
  const int64_t batch = info[2].As<Napi::Number>().Int64Value();
  const int64_t channels = info[3].As<Napi::Number>().Int64Value();
  const int64_t n = static_cast<int64_t>(xv.length);
  require(env, batch > 0 && channels > 0 && n > 0 && n % (batch * channels) == 0, "batchNormTrainingGrad: bad shape");
  const float* dy = data_of<float>(info[0], "batchNormTrainingGrad: dy", n);
  const float* mean = data_of<float>(info[4], "batchNormTrainingGrad: mean", channels);
  const float* variance = data_of<float>(info[5], "batchNormTrainingGrad: variance", channels);
  const Param scale = param_of(info[6], "batchNormTrainingGrad: scale", batch, channels);
  const float* d_mean = data_of<float>(info[7], "batchNormTrainingGrad: dMean", channels);
  const float* d_var = data_of<float>(info[8], "batchNormTrainingGrad: dVariance", channels);
  const double eps = info[9].As<Napi::Number>().DoubleValue();
  float* dx = data_of<float>(info[10], "batchNormTrainingGrad: dx", n);
  const View dsv = view_of<float>(info[11], "batchNormTrainingGrad: dScale");
  const View dov = view_of<float>(info[12], "batchNormTrainingGrad: dOffset");
  const int64_t scale_rows = static_cast<int64_t>(dsv.length) / channels;
  const int64_t offset_rows = static_cast<int64_t>(dov.length) / channels;
  // Whole rows only: the sums are written back row by row.
  require(env, (scale_rows == 1 || scale_rows == batch) && (offset_rows == 1 || offset_rows == batch) &&
                   static_cast<int64_t>(dsv.length) == scale_rows * channels &&
                   static_cast<int64_t>(dov.length) == offset_rows * channels,
          "batchNormTrainingGrad: dScale and dOffset must be [C] or [B, C]");
  const float* x = static_cast<const float*>(xv.data);
  const int64_t spatial = n / (batch * channels);
  const double count = static_cast<double>(n / channels);

  std::vector<double> rstd(channels), sum_g(channels, 0.0), sum_gx(channels, 0.0);
  std::vector<double> d_scale(scale_rows * channels, 0.0), d_offset(offset_rows * channels, 0.0);
  for (int64_t c = 0; c < channels; ++c) rstd[c] = 1 / std::sqrt(static_cast<double>(variance[c]) + eps);
  for (int64_t b = 0, i = 0; b < batch; ++b) {
    double* ds = &d_scale[(scale_rows == 1 ? 0 : b) * channels];
    double* dof = &d_offset[(offset_rows == 1 ? 0 : b) * channels];
    for (int64_t s = 0; s < spatial; ++s, i += channels) {
      for (int64_t c = 0; c < channels; ++c) {
        const double xhat = (x[i + c] - static_cast<double>(mean[c])) * rstd[c];
        const double g = static_cast<double>(dy[i + c]) * scale.at(b, c, channels, 1.f);
        sum_g[c] += g;
        sum_gx[c] += g * xhat;
        ds[c] += dy[i + c] * xhat;
        dof[c] += dy[i + c];
      }
    }
  }
  for (int64_t b = 0, i = 0; b < batch; ++b) {
    for (int64_t s = 0; s < spatial; ++s, i += channels) {
      for (int64_t c = 0; c < channels; ++c) {
        const double centred = x[i + c] - static_cast<double>(mean[c]);
        const double xhat = centred * rstd[c];
        const double g = static_cast<double>(dy[i + c]) * scale.at(b, c, channels, 1.f);
        const double value = rstd[c] * (g - sum_g[c] / count - xhat * sum_gx[c] / count) +
                             d_mean[c] / count + d_var[c] * 2 * centred / count;
        dx[i + c] = static_cast<float>(value);
      }
    }
  }
  float* ds_out = static_cast<float*>(dsv.data);
  float* do_out = static_cast<float*>(dov.data);
  for (size_t j = 0; j < d_scale.size(); ++j) ds_out[j] = static_cast<float>(d_scale[j]);
  for (size_t j = 0; j < d_offset.size(); ++j) do_out[j] = static_cast<float>(d_offset[j]);
  return env.Undefined();
}

// leakyReluGrad(dy, x, alpha, dx): dx = dy where x > 0, else alpha·dy (tfjs's LeakyRelu gradient:
// alpha is a float32 scalar there, so it is rounded to float before the product).
Napi::Value LeakyReluGrad(const Napi::CallbackInfo& info) {
  const View dyv = view_of<float>(info[0], "leakyReluGrad: dy");
  const View xv = view_of<float>(info[1], "leakyReluGrad: x");
  const float alpha = static_cast<float>(info[2].As<Napi::Number>().DoubleValue());
  require(info.Env(), dyv.length == xv.length, "leakyReluGrad: dy and x differ in size");
  float* dx = data_of<float>(info[3], "leakyReluGrad: dx", static_cast<int64_t>(xv.length));
  const float* dy = static_cast<const float*>(dyv.data);
  const float* x = static_cast<const float*>(xv.data);
  for (size_t i = 0; i < xv.length; ++i) {
    const float scaled = static_cast<float>(static_cast<double>(dy[i]) * alpha);
    dx[i] = x[i] > 0 ? dy[i] : scaled;
  }
  return info.Env().Undefined();
}

}  // namespace

void init_batch_norm_training(Napi::Env env, Napi::Object exports) {
  exports.Set("batchNormTraining", Napi::Function::New(env, BatchNormTraining));
  exports.Set("batchNormTrainingGrad", Napi::Function::New(env, BatchNormTrainingGrad));
  exports.Set("leakyReluGrad", Napi::Function::New(env, LeakyReluGrad));
}

}  // namespace s3gan
