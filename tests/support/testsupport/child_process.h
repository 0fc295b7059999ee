#pragma once
// Starting and controlling a child process from a test: the simulator, the daemon, a CLI.
//
// Contract:
//   - spawn() forks and execs `program` with `args`, the inherited environment plus `env` overrides,
//     stdin from /dev/null, stdout/stderr into the given files (truncated; /dev/null when empty), no
//     other inherited file descriptors. It fails (kUnavailable with errno text) when the program cannot
//     be executed — the failure is reported by spawn(), not as an exit code later.
//   - The child is killed with SIGKILL if the *thread* that spawned it exits (PR_SET_PDEATHSIG), so a
//     crashed or aborted test never leaks processes: spawn from a thread that outlives the child
//     (the test's main thread).
//   - Destroying a ChildProcess whose child still runs SIGKILLs and reaps it.
//   - Not thread-safe: use one ChildProcess from one thread at a time.

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tronidx/chain/result.h"

namespace tronidx::testsupport {

struct ChildOptions {
  std::string program;                                   // path; a name without '/' is searched in PATH
  std::vector<std::string> args;                         // argv[1..]
  std::vector<std::pair<std::string, std::string>> env;  // added to / overriding the parent's environment
  std::filesystem::path stdout_path;                     // empty: /dev/null
  std::filesystem::path stderr_path;                     // empty: /dev/null
};

struct ExitStatus {
  bool exited = false;  // true: normal exit with `code`; false: killed by `signal`
  int code = 0;
  int signal = 0;
  bool success() const noexcept { return exited && code == 0; }
  std::string describe() const;  // "exit code 2", "killed by signal 9 (Killed)"
};

class ChildProcess {
 public:
  static Result<ChildProcess> spawn(const ChildOptions& options);

  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&& other) noexcept;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess();

  pid_t pid() const noexcept { return pid_; }

  // Sends `sig` (SIGTERM, SIGKILL, SIGINT...). kFailedPrecondition once the child has been reaped.
  Status signal(int sig) const;
  // Non-blocking: the exit status if the child has exited (it is reaped then), else std::nullopt.
  std::optional<ExitStatus> try_wait();
  // Waits until the child exits or `timeout` passes (std::nullopt then; the child keeps running).
  std::optional<ExitStatus> wait_for(std::chrono::milliseconds timeout);
  // SIGKILL and reap; returns the exit status (also if it had already exited).
  ExitStatus kill_and_wait();
  // Waits up to `timeout` for the exit; past it, SIGKILL and reap. `*timed_out` (if given) says which.
  ExitStatus wait_or_kill(std::chrono::milliseconds timeout, bool* timed_out = nullptr);
  bool running() { return !try_wait().has_value(); }

 private:
  explicit ChildProcess(pid_t pid) : pid_(pid) {}

  pid_t pid_ = -1;
  std::optional<ExitStatus> exit_;  // set once reaped
};

}  // namespace tronidx::testsupport
