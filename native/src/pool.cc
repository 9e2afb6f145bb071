// Average pooling over non-overlapping windows (stride = window, no padding), forward and gradient:
// the downsampling of the ResNet discriminator and of stage 2's pooled features. Sums run in double
// in the JavaScript kernels' order, so both give the cpu backend's values bit for bit.
#include <algorithm>

#include "common.h"

namespace s3gan {
namespace {

struct PoolShape {
  int64_t batch, height, width, channels, fh, fw, out_h, out_w;
};

PoolShape pool_shape(const Napi::CallbackInfo& info) {
  const Shape s = shape_of(info[1], "xShape"), window = shape_of(info[2], "window");
  require(info.Env(), s.size() == 4 && window.size() == 2 && window[0] > 0 && window[1] > 0, "avgPool: xShape [B, H, W, C] and window [fh, fw]");
  return {s[0], s[1], s[2], s[3], window[0], window[1], s[1] / window[0], s[2] / window[1]};
}

// avgPool(x, xShape, window, out): out [B, H/fh, W/fw, C], each the mean of its fh × fw window.
Napi::Value AvgPool(const Napi::CallbackInfo& info) {
  const PoolShape p = pool_shape(info);
  const float* x = data_of<float>(info[0], "avgPool: x", product({p.batch, p.height, p.width, p.channels}));
  float* out = data_of<float>(info[3], "avgPool: out", product({p.batch, p.out_h, p.out_w, p.channels}));
  const double count = static_cast<double>(p.fh * p.fw);
  std::vector<double> sum(p.channels);
  for (int64_t b = 0; b < p.batch; ++b) {
    for (int64_t i = 0; i < p.out_h; ++i) {
      for (int64_t j = 0; j < p.out_w; ++j) {
        std::fill(sum.begin(), sum.end(), 0.0);
        for (int64_t r = i * p.fh; r < (i + 1) * p.fh; ++r) {
          for (int64_t c = j * p.fw; c < (j + 1) * p.fw; ++c) {
            const float* pixel = x + ((b * p.height + r) * p.width + c) * p.channels;
            for (int64_t d = 0; d < p.channels; ++d) sum[d] += pixel[d];
          }
        }
        float* o = out + ((b * p.out_h + i) * p.out_w + j) * p.channels;
        for (int64_t d = 0; d < p.channels; ++d) o[d] = static_cast<float>(sum[d] / count);
      }
    }
  }
  return info.Env().Undefined();
}

// avgPoolGrad(dy, xShape, window, dx): dx [B, H, W, C] = dy of the pixel's window / (fh · fw), and 0
// in the rows and columns no window covers.
Napi::Value AvgPoolGrad(const Napi::CallbackInfo& info) {
  const PoolShape p = pool_shape(info);
  const float* dy = data_of<float>(info[0], "avgPoolGrad: dy", product({p.batch, p.out_h, p.out_w, p.channels}));
  float* dx = data_of<float>(info[3], "avgPoolGrad: dx", product({p.batch, p.height, p.width, p.channels}));
  const double scale = 1.0 / static_cast<double>(p.fh * p.fw);
  for (int64_t b = 0; b < p.batch; ++b) {
    for (int64_t r = 0; r < p.height; ++r) {
      for (int64_t c = 0; c < p.width; ++c) {
        float* o = dx + ((b * p.height + r) * p.width + c) * p.channels;
        const int64_t i = r / p.fh, j = c / p.fw;
        if (i >= p.out_h || j >= p.out_w) {
          std::fill(o, o + p.channels, 0.0f);
          continue;
        }
        const float* g = dy + ((b * p.out_h + i) * p.out_w + j) * p.channels;
        for (int64_t d = 0; d < p.channels; ++d) o[d] = static_cast<float>(g[d] * scale);
      }
    }
  }
  return info.Env().Undefined();
}

}  // namespace

void init_pool(Napi::Env env, Napi::Object exports) {
  exports.Set("avgPool", Napi::Function::New(env, AvgPool));
  exports.Set("avgPoolGrad", Napi::Function::New(env, AvgPoolGrad));
}

}  // namespace s3gan
