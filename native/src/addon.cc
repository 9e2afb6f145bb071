// Module entry: the helpers of common.h, thread control and version information.
#include <omp.h>
#include <pthread.h>

#include <limits>
#include <string>

#include "common.h"

namespace s3gan {

namespace {
// OpenMP's default (OMP_NUM_THREADS, else every core) until setThreads is called.
int g_threads = 1;

// Below this many multiply-adds (about 0.1 ms on one core) a call runs on one thread.
constexpr double kParallelMacs = 1 << 24;

size_t element_size(napi_typedarray_type type) {
  switch (type) {
    case napi_int8_array:
    case napi_uint8_array:
    case napi_uint8_clamped_array:
      return 1;
    case napi_int16_array:
    case napi_uint16_array:
      return 2;
    case napi_int32_array:
    case napi_uint32_array:
    case napi_float32_array:
      return 4;
    default:
      return 8;
  }
}

}  // namespace

View typed_array(const Napi::Value& value, const char* what, size_t element_bytes, int64_t count) {
  napi_typedarray_type type;
  size_t length = 0;
  void* data = nullptr;
  napi_value buffer;
  size_t offset = 0;
  if (napi_get_typedarray_info(value.Env(), value, &type, &length, &data, &buffer, &offset) != napi_ok) {
    throw Napi::TypeError::New(value.Env(), std::string(what) + " must be a TypedArray");
  }
  // A Uint8Array read as float would be read four times past its end.
  if (element_size(type) != element_bytes) {
    throw Napi::TypeError::New(value.Env(), std::string(what) + " must have " + std::to_string(element_bytes) +
                                                "-byte elements, not " + std::to_string(element_size(type)));
  }
  if (count < 0 || length < static_cast<uint64_t>(count)) {
    throw Napi::RangeError::New(value.Env(), std::string(what) + " has " + std::to_string(length) + " elements where " +
                                                 std::to_string(count) + " are needed");
  }
  return {data, length};
}

Shape shape_of(const Napi::Value& value, const char* what, bool allow_negative) {
  if (!value.IsArray()) throw Napi::TypeError::New(value.Env(), std::string(what) + " must be an array of integers");
  Napi::Array array = value.As<Napi::Array>();
  Shape shape(array.Length());
  for (uint32_t i = 0; i < array.Length(); ++i) {
    shape[i] = array.Get(i).As<Napi::Number>().Int64Value();
    if (shape[i] < 0 && !allow_negative) throw Napi::RangeError::New(value.Env(), std::string(what) + " has a negative entry");
  }
  return shape;
}

int64_t size_of(const Napi::Value& value, const char* what) {
  const int64_t n = value.As<Napi::Number>().Int64Value();
  if (n < 0) throw Napi::RangeError::New(value.Env(), std::string(what) + " must not be negative");
  return n;
}

int64_t times(int64_t a, int64_t b) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  if (a == 0 || b == 0) return 0;
  return a > kMax / b ? kMax : a * b;
}

int64_t product(const Shape& shape) {
  int64_t n = 1;
  for (int64_t d : shape) n = times(n, d);
  return n;
}

dnnl::engine& engine() {
  static dnnl::engine instance(dnnl::engine::kind::cpu, 0);
  return instance;
}

dnnl::stream& stream() {
  static dnnl::stream instance(engine());
  return instance;
}

int threads() { return g_threads; }

int use_pool(double macs) {
  const int n = macs < kParallelMacs ? 1 : g_threads;
  omp_set_num_threads(n);
  return n;
}

SignalsHeld::SignalsHeld() {
  sigset_t held;
  sigfillset(&held);
  // Faults raised by the code itself must still reach their handlers (or end the process).
  for (int fault : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGABRT}) sigdelset(&held, fault);
  pthread_sigmask(SIG_BLOCK, &held, &saved_);
}

SignalsHeld::~SignalsHeld() { pthread_sigmask(SIG_SETMASK, &saved_, nullptr); }

void require(Napi::Env env, bool ok, const char* message) {
  if (!ok) throw Napi::RangeError::New(env, message);
}

namespace {

// setThreads(n): n >= 1 threads for conv and gemm; 0 = every core.
Napi::Value SetThreads(const Napi::CallbackInfo& info) {
  int64_t n = info[0].As<Napi::Number>().Int64Value();
  require(info.Env(), n >= 0 && n <= 4096, "setThreads: n must be in [0, 4096]");
  g_threads = n == 0 ? omp_get_num_procs() : static_cast<int>(n);
  return Napi::Number::New(info.Env(), threads());
}

Napi::Value GetThreads(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), threads()); }

Napi::Value Version(const Napi::CallbackInfo& info) {
  const dnnl_version_t* v = dnnl_version();
  std::string text = std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch);
  return Napi::String::New(info.Env(), text);
}

}  // namespace

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  g_threads = omp_get_max_threads();
  exports.Set("setThreads", Napi::Function::New(env, SetThreads));
  exports.Set("getThreads", Napi::Function::New(env, GetThreads));
  exports.Set("dnnlVersion", Napi::Function::New(env, Version));
  init_conv(env, exports);
  init_matmul(env, exports);
  init_binary(env, exports);
  init_unary(env, exports);
  init_reduce(env, exports);
  init_layout(env, exports);
  init_norm(env, exports);
  init_gather(env, exports);
  init_spectral(env, exports);
  init_pool(env, exports);
  init_optim(env, exports);
  init_batch_norm_training(env, exports);
  return exports;
}

}  // namespace s3gan

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) { return s3gan::Init(env, exports); }

NODE_API_MODULE(s3gan_onednn, InitAddon)
