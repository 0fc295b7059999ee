#pragma once
// Errors as values for every library module: Result<T> holds a T or an Error; Status = Result<void>.
// Exceptions are reserved for start-up/config errors and broken invariants (STYLE.md).

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace tronidx {

// Error classes; each maps 1:1 onto the gRPC status code of the same name at the API edge.
enum class Errc {
  kInvalidArgument,     // caller passed something malformed; the message names the field
  kNotFound,
  kAlreadyExists,
  kFailedPrecondition,  // e.g. a database of another chain or schema
  kOutOfRange,
  kUnavailable,         // transient: retry may succeed (node down, node not ready)
  kDeadlineExceeded,
  kResourceExhausted,
  kDataLoss,            // the node served something inconsistent, or the database is corrupt
  kAborted,
  kInternal,
  kCancelled,
};

const char* errc_name(Errc code) noexcept;

struct Error {
  Errc code;
  std::string message;
};

// True for errors where the same call may succeed later (retry with backoff).
bool is_transient(Errc code) noexcept;

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}          // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}      // NOLINT(google-explicit-constructor)

  bool ok() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }

  T& value() & { assert(ok()); return std::get<0>(v_); }
  const T& value() const& { assert(ok()); return std::get<0>(v_); }
  T&& value() && { assert(ok()); return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const& { assert(!ok()); return std::get<1>(v_); }
  Error&& error() && { assert(!ok()); return std::get<1>(std::move(v_)); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : err_(std::move(error)), ok_(false) {}  // NOLINT(google-explicit-constructor)

  bool ok() const noexcept { return ok_; }
  explicit operator bool() const noexcept { return ok_; }
  const Error& error() const& { assert(!ok_); return err_; }
  Error&& error() && { assert(!ok_); return std::move(err_); }

 private:
  Error err_{Errc::kInternal, {}};
  bool ok_ = true;
};

using Status = Result<void>;

inline Status ok_status() { return Status{}; }

inline Error make_error(Errc code, std::string message) { return Error{code, std::move(message)}; }

// Explicit, greppable discard of a status whose failure is deliberately irrelevant.
template <class T>
inline void ignore_status(const Result<T>&) noexcept {}

}  // namespace tronidx

// Propagate an error: TRONIDX_TRY(expr) for Status; TRONIDX_ASSIGN(var, expr) for Result<T>.
#define TRONIDX_CONCAT_INNER(a, b) a##b
#define TRONIDX_CONCAT(a, b) TRONIDX_CONCAT_INNER(a, b)
#define TRONIDX_TRY(expr)                                         \
  do {                                                            \
    auto&& tronidx_try_status = (expr);                           \
    if (!tronidx_try_status.ok()) return std::move(tronidx_try_status).error(); \
  } while (0)
#define TRONIDX_ASSIGN_IMPL(tmp, decl, expr)        \
  auto tmp = (expr);                                \
  if (!tmp.ok()) return std::move(tmp).error();     \
  decl = std::move(tmp).value()
#define TRONIDX_ASSIGN(decl, expr) \
  TRONIDX_ASSIGN_IMPL(TRONIDX_CONCAT(tronidx_assign_, __LINE__), decl, expr)
