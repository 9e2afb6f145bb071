// Shared helpers of the addon: borrowing TypedArray memory from JavaScript, reading shapes, the one
// oneDNN engine and stream, and the thread count that conv and gemm primitives are built for.
//
// Memory contract: JavaScript allocates every output array; a native function only borrows the
// pointers of its arguments for the duration of the synchronous call and keeps none of them.
#pragma once

#include <napi.h>

#include <cstdint>
#include <vector>

#include "dnnl.hpp"

namespace s3gan {

using Shape = std::vector<int64_t>;

// The data pointer and element count of a TypedArray argument (byte offset already applied).
struct View {
  void* data;
  size_t length;
};

View typed_array(const Napi::Value& value, const char* what);

template <class T>
T* data_of(const Napi::Value& value, const char* what) {
  return static_cast<T*>(typed_array(value, what).data);
}

// A JavaScript array of non-negative integers, e.g. a tensor shape.
Shape shape_of(const Napi::Value& value, const char* what, bool allow_negative = false);

int64_t product(const Shape& shape);

// The process-wide CPU engine and its in-order stream.
dnnl::engine& engine();
dnnl::stream& stream();

// Threads that conv and gemm use (OpenMP); elementwise loops stay on the calling thread because
// waking the pool costs more than they take on few cores.
int threads();
// Sets OpenMP's thread count for a call of `macs` multiply-adds and returns it: `threads()`, or 1
// when the work is too small to repay waking the pool. Part of every primitive cache key, since
// oneDNN fixes the thread count when it creates a primitive.
int use_pool(double macs);

// Throws a JavaScript TypeError/RangeError with `message` when `ok` is false.
void require(Napi::Env env, bool ok, const char* message);

void init_conv(Napi::Env env, Napi::Object exports);
void init_matmul(Napi::Env env, Napi::Object exports);
void init_binary(Napi::Env env, Napi::Object exports);
void init_unary(Napi::Env env, Napi::Object exports);
void init_reduce(Napi::Env env, Napi::Object exports);
void init_layout(Napi::Env env, Napi::Object exports);
void init_norm(Napi::Env env, Napi::Object exports);
void init_gather(Napi::Env env, Napi::Object exports);
void init_spectral(Napi::Env env, Napi::Object exports);
void init_optim(Napi::Env env, Napi::Object exports);
void init_batch_norm_training(Napi::Env env, Napi::Object exports);
void init_pool(Napi::Env env, Napi::Object exports);

}  // namespace s3gan
