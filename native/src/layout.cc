// Data movement: Transpose, Reverse, Tile and Slice for any element size (bytes are copied, not interpreted).
// Both replace per-element index arithmetic in the JavaScript kernels by runs of memcpy or a
// strided gather over collapsed axes.
#include <cstring>
#include <string>

#include "common.h"

namespace s3gan {
namespace {

// Copies x, read at `in` with per-axis strides (negative for a reversed axis), to out in order.
template <class T>
void gather(const T* in, T* out, const Shape& size, const Shape& in_stride) {
  const size_t d = size.size();
  const int64_t n = size[d - 1], step = in_stride[d - 1];
  int64_t outer = 1;
  for (size_t i = 0; i + 1 < d; ++i) outer *= size[i];
  Shape index(d, 0);
  int64_t offset = 0;
  for (int64_t k = 0; k < outer; ++k) {
    const T* src = in + offset;
    T* dst = out + k * n;
    if (step == 1) {
      std::memcpy(dst, src, n * sizeof(T));
    } else {
      for (int64_t j = 0; j < n; ++j) dst[j] = src[j * step];
    }
    for (size_t i = d - 1; i-- > 0;) {
      offset += in_stride[i];
      if (++index[i] < size[i]) break;
      offset -= in_stride[i] * size[i];
      index[i] = 0;
    }
  }
}

// The elementBytes argument of `fn`: 1 or 4, the sizes the copies below are written for.
int64_t element_bytes(const Napi::Value& value, const char* fn) {
  const int64_t bytes = value.As<Napi::Number>().Int64Value();
  if (bytes != 1 && bytes != 4) throw Napi::RangeError::New(value.Env(), std::string(fn) + ": elementBytes must be 1 or 4");
  return bytes;
}

// transpose(x, xShape, perm, out, elementBytes): out axis i is x axis perm[i].
Napi::Value Transpose(const Napi::CallbackInfo& info) {
  const Shape shape = shape_of(info[1], "xShape"), perm = shape_of(info[2], "perm");
  const int64_t bytes = element_bytes(info[4], "transpose");
  const size_t rank = shape.size();
  require(info.Env(), perm.size() == rank && rank > 0, "transpose: perm must have one entry per axis");
  // A repeated axis would make the output larger than x (and than out, which has x's size).
  std::vector<bool> seen(rank, false);
  for (int64_t axis : perm) {
    require(info.Env(), axis >= 0 && axis < static_cast<int64_t>(rank) && !seen[axis],
            "transpose: perm must be a permutation of the axes");
    seen[axis] = true;
  }
  const View x = typed_array(info[0], "transpose: x", bytes, product(shape));
  void* out = typed_array(info[3], "transpose: out", bytes, product(shape)).data;
  Shape x_stride(rank, 1);
  for (size_t i = rank - 1; i-- > 0;) x_stride[i] = x_stride[i + 1] * shape[i + 1];
  // Output axes in order, dropping size-1 axes and merging those that stay adjacent in x.
  Shape size, stride;
  int64_t previous = -2;
  for (size_t i = 0; i < rank; ++i) {
    const int64_t axis = perm[i];
    if (shape[axis] == 1) continue;
    if (axis == previous + 1 && !size.empty()) {
      size.back() *= shape[axis];
      stride.back() = x_stride[axis];
    } else {
      size.push_back(shape[axis]);
      stride.push_back(x_stride[axis]);
    }
    previous = axis;
  }
  if (size.empty()) {
    size.push_back(1);
    stride.push_back(1);
  }
  if (bytes == 1) {
    gather(static_cast<const uint8_t*>(x.data), static_cast<uint8_t*>(out), size, stride);
  } else {
    gather(static_cast<const uint32_t*>(x.data), static_cast<uint32_t*>(out), size, stride);
  }
  return info.Env().Undefined();
}

// reverse(x, xShape, axes, out, elementBytes): x with the listed axes flipped.
Napi::Value Reverse(const Napi::CallbackInfo& info) {
  const Shape shape = shape_of(info[1], "xShape"), axes = shape_of(info[2], "axes");
  const int64_t bytes = element_bytes(info[4], "reverse");
  const size_t rank = shape.size();
  require(info.Env(), rank > 0, "reverse: x must have at least one axis");
  const View x = typed_array(info[0], "reverse: x", bytes, product(shape));
  void* out = typed_array(info[3], "reverse: out", bytes, product(shape)).data;
  std::vector<bool> flip(rank, false);
  for (int64_t a : axes) {
    require(info.Env(), a >= 0 && a < static_cast<int64_t>(rank), "reverse: axis out of range");
    flip[a] = true;
  }
  Shape stride(rank, 1);
  for (size_t i = rank - 1; i-- > 0;) stride[i] = stride[i + 1] * shape[i + 1];
  // Merge neighbouring axes that are both kept (not flipped); start at the last element of flips.
  Shape size, step;
  int64_t start = 0;
  for (size_t i = 0; i < rank; ++i) {
    if (shape[i] == 1) continue;
    if (flip[i]) start += (shape[i] - 1) * stride[i];
    const int64_t s = flip[i] ? -stride[i] : stride[i];
    if (!size.empty() && !flip[i] && step.back() == s * shape[i]) {
      size.back() *= shape[i];
      step.back() = s;
    } else {
      size.push_back(shape[i]);
      step.push_back(s);
    }
  }
  if (size.empty()) {
    size.push_back(1);
    step.push_back(1);
  }
  if (bytes == 1) {
    gather(static_cast<const uint8_t*>(x.data) + start, static_cast<uint8_t*>(out), size, step);
  } else {
    gather(static_cast<const uint32_t*>(x.data) + start, static_cast<uint32_t*>(out), size, step);
  }
  return info.Env().Undefined();
}

struct TileJob {
  const uint8_t* in;
  uint8_t* out;
  Shape shape, reps, in_stride, out_stride;  // strides in bytes
};

// Writes the tiled block of axis `dim` at `dst` from `src`, then repeats it reps[dim] times.
void tile_axis(const TileJob& job, size_t dim, const uint8_t* src, uint8_t* dst) {
  const int64_t block = job.shape[dim] * job.out_stride[dim];
  if (dim + 1 == job.shape.size()) {
    std::memcpy(dst, src, block);
  } else {
    for (int64_t i = 0; i < job.shape[dim]; ++i) {
      tile_axis(job, dim + 1, src + i * job.in_stride[dim], dst + i * job.out_stride[dim]);
    }
  }
  for (int64_t r = 1; r < job.reps[dim]; ++r) std::memcpy(dst + r * block, dst, block);
}

// tile(x, xShape, reps, out, elementBytes).
Napi::Value Tile(const Napi::CallbackInfo& info) {
  TileJob job;
  job.shape = shape_of(info[1], "xShape");
  job.reps = shape_of(info[2], "reps");
  const int64_t bytes = element_bytes(info[4], "tile");
  const size_t rank = job.shape.size();
  require(info.Env(), job.reps.size() == rank && rank > 0, "tile: reps must have one entry per axis");
  Shape out_shape(rank);
  for (size_t i = 0; i < rank; ++i) out_shape[i] = product({job.shape[i], job.reps[i]});
  job.in = static_cast<const uint8_t*>(typed_array(info[0], "tile: x", bytes, product(job.shape)).data);
  job.out = static_cast<uint8_t*>(typed_array(info[3], "tile: out", bytes, product(out_shape)).data);
  job.in_stride.assign(rank, bytes);
  job.out_stride.assign(rank, bytes);
  for (size_t i = rank - 1; i-- > 0;) {
    job.in_stride[i] = job.in_stride[i + 1] * job.shape[i + 1];
    job.out_stride[i] = job.out_stride[i + 1] * job.shape[i + 1] * job.reps[i + 1];
  }
  if (product(out_shape) > 0) tile_axis(job, 0, job.in, job.out);
  return info.Env().Undefined();
}

// slice(x, xShape, begin, size, out, elementBytes): out = x[begin[i] : begin[i] + size[i]] on every
// axis (the cpu backend's SplitV slices each part this way, one element at a time).
Napi::Value Slice(const Napi::CallbackInfo& info) {
  const Shape shape = shape_of(info[1], "xShape"), begin = shape_of(info[2], "begin"), size = shape_of(info[3], "size");
  const int64_t bytes = element_bytes(info[5], "slice");
  const size_t rank = shape.size();
  require(info.Env(), rank > 0 && begin.size() == rank && size.size() == rank, "slice: begin and size must have one entry per axis");
  const View x = typed_array(info[0], "slice: x", bytes, product(shape));
  void* out = typed_array(info[4], "slice: out", bytes, product(size)).data;
  Shape stride(rank, 1);
  for (size_t i = rank - 1; i-- > 0;) stride[i] = stride[i + 1] * shape[i + 1];
  int64_t start = 0;
  for (size_t i = 0; i < rank; ++i) {
    require(info.Env(), begin[i] >= 0 && size[i] >= 0 && begin[i] + size[i] <= shape[i], "slice: window outside x");
    start += begin[i] * stride[i];
  }
  // Trailing axes taken whole make each row of the last partial axis one contiguous run.
  size_t last = rank - 1;
  while (last > 0 && begin[last] == 0 && size[last] == shape[last]) --last;
  Shape run_size(size.begin(), size.begin() + last + 1), run_stride(stride.begin(), stride.begin() + last + 1);
  run_size[last] *= stride[last];
  run_stride[last] = 1;
  if (bytes == 1) {
    gather(static_cast<const uint8_t*>(x.data) + start, static_cast<uint8_t*>(out), run_size, run_stride);
  } else {
    gather(static_cast<const uint32_t*>(x.data) + start, static_cast<uint32_t*>(out), run_size, run_stride);
  }
  return info.Env().Undefined();
}

}  // namespace

void init_layout(Napi::Env env, Napi::Object exports) {
  exports.Set("transpose", Napi::Function::New(env, Transpose));
  exports.Set("tile", Napi::Function::New(env, Tile));
  exports.Set("reverse", Napi::Function::New(env, Reverse));
  exports.Set("slice", Napi::Function::New(env, Slice));
}

}  // namespace s3gan
