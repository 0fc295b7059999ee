#pragma once
// GoogleTest assertions for tronidx's Result<T> and Status (include <gtest/gtest.h> before using them):
//   TS_ASSERT_OK(status_or_result);           fails the test with the error's message
//   TS_ASSIGN(auto value, result_expression);  fails the test, or moves the value into `value`
// (Macro-only: tests/support itself does not link GoogleTest.)

#define TS_CAT_INNER(a, b) a##b
#define TS_CAT(a, b) TS_CAT_INNER(a, b)
#define TS_ASSERT_OK(expr)                                       \
  do {                                                           \
    const auto& ts_status_ = (expr);                             \
    ASSERT_TRUE(ts_status_.ok()) << ts_status_.error().message;  \
  } while (0)
#define TS_ASSIGN_IMPL(tmp, decl, expr)         \
  auto tmp = (expr);                            \
  ASSERT_TRUE(tmp.ok()) << tmp.error().message; \
  decl = std::move(*tmp)
#define TS_ASSIGN(decl, expr) TS_ASSIGN_IMPL(TS_CAT(ts_result_, __LINE__), decl, expr)
