// Shared helpers of the addon: borrowing TypedArray memory from JavaScript, reading shapes, the one
// oneDNN engine and stream, and the thread count that conv and gemm primitives are built for.
//
// Memory contract: JavaScript allocates every output array; a native function only borrows the
// pointers of its arguments for the duration of the synchronous call and keeps none of them.
#pragma once

#include <napi.h>
#include <signal.h>

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

// Every array a function reads or writes is checked against the element count its other arguments
// imply before any memory is touched: a shorter array from JavaScript is a RangeError, never a
// write past the end of someone else's buffer. `what` names the function and argument ("conv2d: y").

// A TypedArray of `element_bytes`-byte elements holding at least `count` of them.
View typed_array(const Napi::Value& value, const char* what, size_t element_bytes, int64_t count);

// A TypedArray of T (by element size) holding at least `count` elements.
template <class T>
T* data_of(const Napi::Value& value, const char* what, int64_t count) {
  return static_cast<T*>(typed_array(value, what, sizeof(T), count).data);
}

// A TypedArray of T whose length the function takes as its size (checked against the others by the caller).
template <class T>
View view_of(const Napi::Value& value, const char* what) {
  return typed_array(value, what, sizeof(T), 0);
}

// A JavaScript array of non-negative integers, e.g. a tensor shape.
Shape shape_of(const Napi::Value& value, const char* what, bool allow_negative = false);

// A non-negative integer argument, e.g. a row count.
int64_t size_of(const Napi::Value& value, const char* what);

// Products of non-negative sizes, saturating at INT64_MAX so that no overflow can pass a length check.
int64_t times(int64_t a, int64_t b);
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

// Holds the calling thread's asynchronous signals (SIGPROF, SIGUSR1, SIGCHLD, ...) while it lives;
// those that arrive meanwhile are delivered when it ends. oneDNN's JIT f32 GEMM kernels (dnnl_sgemm,
// and the gemm-based convolutions) point rsp at a heap workspace while they run, so a signal handled
// then writes its frame into the heap: under `node --cpu-prof`, whose SIGPROF comes every
// millisecond, the heap was corrupted within seconds (oneDNN 2.6; tests/backend/onednn/signals.test.ts),
// and a Ctrl-C landing inside a GEMM could do the same. OpenMP workers started inside one inherit
// the mask, so they never take such a signal either.
class SignalsHeld {
 public:
  SignalsHeld();
  ~SignalsHeld();
  SignalsHeld(const SignalsHeld&) = delete;
  SignalsHeld& operator=(const SignalsHeld&) = delete;

 private:
  sigset_t saved_;
};

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
