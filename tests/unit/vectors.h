#pragma once
// Loader for tests/vectors/tron-mainnet.json (real mainnet data; see the "source" and "verification"
// fields of each entry) and small helpers shared by the unit tests. Malformed vector data throws
// std::runtime_error, which gtest reports as a failure of the calling test.

#include <gtest/gtest.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "tronidx/chain/result.h"

namespace tronidx::test {

// The whole file: a JSON array of objects, each with a "kind". Parsed once, on first use.
const nlohmann::json& all_vectors();

// One vector, named for gtest (parameter names and failure messages).
struct Vector {
  std::string name;  // [A-Za-z0-9_]+, unique within its kind
  const nlohmann::json* json = nullptr;

  const nlohmann::json& operator*() const { return *json; }
  const nlohmann::json* operator->() const { return json; }
};
void PrintTo(const Vector& v, std::ostream* os);
std::string vector_name(const ::testing::TestParamInfo<Vector>& info);

// Every vector of `kind`, in file order, named by `name_field` (a string or number field). Throws if
// there is none, so a renamed kind cannot silently turn a test into a no-op.
std::vector<Vector> vectors_of_kind(std::string_view kind, std::string_view name_field);

// The known_fact whose "name" contains `name_part`.
const nlohmann::json& known_fact(std::string_view name_part);

// Hex (from a vector) to bytes; throws on malformed hex.
std::vector<uint8_t> unhex(std::string_view hex);
std::string unhex_string(std::string_view hex);

// gtest assertion helpers for Result<T> / Status that print the error on failure.
template <class T>
::testing::AssertionResult is_ok(const Result<T>& r) {
  if (r.ok()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << errc_name(r.error().code) << ": " << r.error().message;
}

// The result is an error of `code` whose message starts with "<field>:" (errors name the field).
template <class T>
::testing::AssertionResult is_error(const Result<T>& r, Errc code, std::string_view field) {
  if (r.ok()) return ::testing::AssertionFailure() << "expected " << errc_name(code) << ", got a value";
  const Error& e = r.error();
  if (e.code != code) {
    return ::testing::AssertionFailure() << "expected " << errc_name(code) << ", got " << errc_name(e.code) << ": "
                                         << e.message;
  }
  const std::string prefix = std::string(field) + ":";
  if (e.message.rfind(prefix, 0) != 0) {
    return ::testing::AssertionFailure() << "message does not name field '" << field << "': " << e.message;
  }
  return ::testing::AssertionSuccess() << e.message;
}

}  // namespace tronidx::test
