#pragma once
// Waiting on a condition with a deadline — the only way tests wait (never a bare sleep).

#include <chrono>
#include <functional>

namespace tronidx::testsupport {

// Calls `predicate` until it returns true or `timeout` has passed, pausing `poll` between calls.
// Returns true as soon as the predicate holds, false if the deadline passed first (the predicate is
// always evaluated at least once, and once more at the deadline). Runs on the calling thread.
bool wait_until(const std::function<bool()>& predicate, std::chrono::milliseconds timeout,
                std::chrono::milliseconds poll = std::chrono::milliseconds(10));

}  // namespace tronidx::testsupport
